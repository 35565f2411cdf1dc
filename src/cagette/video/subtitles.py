"""SubRip (.srt) and WebVTT (.vtt) files, written and read strictly.

Reading is for captions a person corrected in a subtitle editor: a file that
does not follow the format is refused with the number of the line that
breaks it, so it can be fixed there. Styling (``<i>``, ``{\\an8}``, WebVTT
cue settings, ``NOTE``/``STYLE``/``REGION`` blocks) is dropped: cagette keeps
the words and the times. Overlapping cues are trimmed so one ends where the
next begins.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cagette.errors import MediaError
from cagette.i18n import _

MAX_BYTES = 4 * 1024 * 1024
MAX_CUES = 20000
MAX_HOURS = 24

_SRT_TIME = r"(\d{1,2}):([0-5]\d):([0-5]\d)[,.](\d{3})"
_VTT_TIME = r"(?:(\d{1,2}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
SRT_TIMING = re.compile(rf"^{_SRT_TIME}\s*-->\s*{_SRT_TIME}(?:\s+.*)?$")
VTT_TIMING = re.compile(rf"^{_VTT_TIME}[ \t]+-->[ \t]+{_VTT_TIME}(?:[ \t]+.*)?$")
TAGS = re.compile(r"<[^>\n]*>|\{\\[^}\n]*\}")


@dataclass(frozen=True)
class SubtitleCue:
    start_s: float
    end_s: float
    text: str
    line: int  # where the cue's timing stands in the file (1-based)


def _bad(path: Path, line: int, what: str) -> MediaError:
    return MediaError(_("{file}, line {line}: {what}.").format(file=Path(path).name, line=line, what=what),
                      _("Fix that line in a subtitle editor or a text editor, then import the file again."))


def _seconds(groups: Sequence[str | None]) -> float:
    h, m, s, ms = (int(g) if g else 0 for g in groups)
    return h * 3600 + m * 60 + s + ms / 1000


def _decode(path: Path) -> str:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise MediaError(_("Cannot read {file}: {error}.").format(file=path, error=exc.strerror),
                         _("Check the path of the captions file.")) from exc
    if len(raw) > MAX_BYTES:
        raise MediaError(_("{file} is larger than {mb} MB: not a captions file.").format(
            file=path, mb=MAX_BYTES // 2**20), _("Choose the .srt or .vtt file of this video."))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # subtitle editors on Windows often write this
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _clean(lines: Sequence[str]) -> str:
    text = "\n".join(html.unescape(TAGS.sub("", x)).strip() for x in lines)
    return "\n".join(x for x in text.split("\n") if x)


def read(path: Path) -> list[SubtitleCue]:
    """The cues of an .srt or .vtt file (by its extension), in order; refuses a malformed file by line."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in (".srt", ".vtt"):
        raise MediaError(_("{file} is neither an .srt nor a .vtt file.").format(file=path),
                         _("Export the captions as SubRip (.srt) or WebVTT (.vtt)."))
    text = _decode(path)
    cues = _parse_vtt(text, path) if ext == ".vtt" else _parse_srt(text, path)
    return _trim_overlaps(cues, path)


def _blocks(text: str, first: int = 1) -> list[tuple[int, list[str]]]:
    """Blank-line separated blocks, each with the number of its first line."""
    out: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = first
    for n, line in enumerate(text.split("\n"), first):
        if line.strip():
            if not current:
                start = n
            current.append(line.rstrip())
        elif current:
            out.append((start, current))
            current = []
    if current:
        out.append((start, current))
    return out


def _cue(timing: re.Match[str], half: int, body: list[str], line: int, path: Path) -> SubtitleCue | None:
    a, b = _seconds(timing.groups()[:half]), _seconds(timing.groups()[half:])
    if b <= a:
        raise _bad(path, line, _("the caption ends ({end}) before it starts ({start})").format(
            end=_stamp(b), start=_stamp(a)))
    if b > MAX_HOURS * 3600:
        raise _bad(path, line, _("a time past {hours} hours").format(hours=MAX_HOURS))
    words = _clean(body)
    return SubtitleCue(a, b, words, line) if words else None


def _add(cues: list[SubtitleCue], timing: re.Match[str] | None, lines: list[str], k: int, start: int,
         path: Path, not_timing: str) -> None:
    """The cue of a block whose timing line is ``lines[k]`` (*timing* its match, or None: refused)."""
    if timing is None:
        raise _bad(path, start + k, not_timing.format(text=lines[k].strip()[:60]))
    cue = _cue(timing, 4, lines[k + 1:], start + k, path)
    if cue:
        cues.append(cue)
    if len(cues) > MAX_CUES:
        raise _bad(path, start, _("more than {n} captions").format(n=MAX_CUES))


def _parse_srt(text: str, path: Path) -> list[SubtitleCue]:
    cues: list[SubtitleCue] = []
    for start, lines in _blocks(text):
        k = 0
        if lines[0].strip().isdigit() and len(lines) > 1:
            k = 1
        _add(cues, SRT_TIMING.match(lines[k].strip()), lines, k, start, path,
             _("{text!r} is not a timing line (00:00:01,000 --> 00:00:02,500)"))
    return cues


def _parse_vtt(text: str, path: Path) -> list[SubtitleCue]:
    head, _sep, rest = text.partition("\n")
    if not re.match(r"^WEBVTT(?:[ \t].*)?$", head.strip()):
        raise _bad(path, 1, _("a WebVTT file starts with the word WEBVTT"))
    cues: list[SubtitleCue] = []
    for start, lines in _blocks(rest, 2):
        if start == 2 and not any("-->" in x for x in lines):
            continue  # the header's own lines
        if re.match(r"^(NOTE|STYLE|REGION)(\s|$)", lines[0]):
            continue
        k = 0 if "-->" in lines[0] else 1
        if k >= len(lines):
            raise _bad(path, start, _("{text!r} is a cue name with no timing line after it").format(
                text=lines[0][:60]))
        _add(cues, VTT_TIMING.match(lines[k].strip()), lines, k, start, path,
             _("{text!r} is not a timing line (00:01.000 --> 00:02.500)"))
    return cues


def _trim_overlaps(cues: list[SubtitleCue], path: Path) -> list[SubtitleCue]:
    out: list[SubtitleCue] = []
    for c in sorted(cues, key=lambda c: c.start_s):
        if out and out[-1].end_s > c.start_s:
            prev = out[-1]
            if c.start_s - prev.start_s < 0.05:
                raise _bad(path, c.line, _("this caption starts with the one of line {line}").format(line=prev.line))
            out[-1] = SubtitleCue(prev.start_s, c.start_s, prev.text, prev.line)
        out.append(c)
    return out


def _stamp(seconds: float, sep: str = ",") -> str:
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def to_srt(cues: Sequence[tuple[float, float, str]]) -> str:
    """SubRip text of (start s, end s, text) cues."""
    blocks = [f"{i}\n{_stamp(a)} --> {_stamp(b)}\n{t}\n" for i, (a, b, t) in enumerate(cues, 1)]
    return "\n".join(blocks)


def to_vtt(cues: Sequence[tuple[float, float, str]]) -> str:
    """WebVTT text of (start s, end s, text) cues (a line that could end the cue is protected)."""
    blocks = [f"{_stamp(a, '.')} --> {_stamp(b, '.')}\n{_vtt_text(t)}\n" for a, b, t in cues]
    return "WEBVTT\n\n" + "\n".join(blocks)


def _vtt_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace("-->", "--&gt;")
