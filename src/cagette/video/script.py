"""Script tools: spoken-duration estimates, caption lines, speech detection, SRT/WebVTT/transcript.

Captions follow common subtitling rules (and RGAA's need for synchronised
captions): at most 2 lines of at most 42 characters, each shown at least 1 s,
never overlapping. They are timed on the voice-over's speech segments
(energy-based voice activity detection) when there is one, else spread over
the scene's shots.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cagette.video import phrases

MAX_CHARS = 42
MAX_LINES = 2
MIN_CAPTION_S = 1.0


@dataclass(frozen=True)
class Caption:
    start_s: float
    end_s: float
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


# --- durations -------------------------------------------------------------


def count_words(text: str) -> int:
    return len(re.findall(r"\w+(?:['’-]\w+)*", text))


def estimate_s(text: str, words_per_minute: int = 130) -> float:
    """Spoken duration of *text* at *words_per_minute*."""
    words = count_words(text)
    return 60.0 * words / max(1, words_per_minute)


# --- splitting ---------------------------------------------------------------


def sentences(text: str) -> list[str]:
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return []
    parts = re.split(r"(?<=[.!?…;:])\s+", text)
    return [p.strip() for p in parts if p.strip()]


def _fit_tokens(text: str, width: int) -> list[str]:
    """Tokens of *text*, a token longer than *width* characters cut into pieces."""
    out: list[str] = []
    for tok in phrases.tokens(text):
        while len(tok) > width:
            out.append(tok[:width])
            tok = tok[width:]
        if tok:
            out.append(tok)
    return out


def caption_chunks(text: str, max_chars: int = MAX_CHARS, max_lines: int = MAX_LINES) -> list[tuple[str, ...]]:
    """The script cut into captions of ≤ 2 lines of ≤ 42 characters, at phrase boundaries.

    No caption holds a single word unless the whole text is one word."""
    toks = _fit_tokens(text, max_chars)
    return [tuple(c) for c in phrases.chunks(toks, max_chars, max_lines, single_ok=len(toks) <= 1)]


# --- voice activity -------------------------------------------------------------


def read_wav_mono(path: Path, rate: int = 16000) -> tuple[int, Any]:
    """Samples of any audio file (a WAV of any sample format, MP3, AAC, Opus...) as mono float32 in
    [-1, 1] at *rate* Hz, and the rate."""
    from cagette.video.audio import decode_mono

    return decode_mono(path, rate)


def speech_segments(path: Path, frame_s: float = 0.02, min_gap_s: float = 0.35,
                    min_speech_s: float = 0.15) -> list[tuple[float, float]]:
    """Where the voice speaks in an audio file: energy above a threshold set from the loud and quiet parts."""
    return voice_facts(path, frame_s, min_gap_s, min_speech_s)[0]


def voice_facts(path: Path, frame_s: float = 0.02, min_gap_s: float = 0.35,
                min_speech_s: float = 0.15) -> tuple[list[tuple[float, float]], float | None]:
    """The speech segments of a voice-over, and its noise floor (dBFS of its quietest 20 ms frames:
    what the voice clean-up's denoise removes); ``None`` for a file without sound."""
    import numpy as np

    rate, data = read_wav_mono(path, 48000)
    samples = np.asarray(data)
    hop = max(1, int(rate * frame_s))
    n = len(samples) // hop
    if n == 0:
        return [], None
    frames = samples[: n * hop].reshape(n, hop)
    energy = 10 * np.log10(np.mean(frames.astype("float64") ** 2, axis=1) + 1e-10)
    loud = np.percentile(energy, 95)
    quiet = np.percentile(energy, 10)
    threshold = max(quiet + 0.3 * (loud - quiet), loud - 35, -60)
    active = energy > threshold
    segs: list[tuple[float, float]] = []
    start = None
    for i, on in enumerate(active):
        if on and start is None:
            start = i
        elif not on and start is not None:
            segs.append((start * frame_s, i * frame_s))
            start = None
    if start is not None:
        segs.append((start * frame_s, n * frame_s))
    merged: list[tuple[float, float]] = []
    for s, e in segs:
        if merged and s - merged[-1][1] < min_gap_s:
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return [(round(s, 3), round(e, 3)) for s, e in merged if e - s >= min_speech_s], float(quiet)


# --- timing ------------------------------------------------------------------------


def _spread(chunks: Sequence[tuple[str, ...]], spans: Sequence[tuple[float, float]],
            limit: tuple[float, float], cps: float | None = None) -> list[Caption]:
    """Lay *chunks* over *spans* (in order) in proportion to their length, inside *limit*."""
    if not chunks or not spans:
        return []
    total_speech = sum(e - s for s, e in spans)
    weights = [max(1, sum(len(line) for line in c)) for c in chunks]
    total_w = sum(weights)

    def at(offset: float) -> float:
        """Map a position on the speech-only axis to real time."""
        for s, e in spans:
            if offset <= e - s:
                return s + offset
            offset -= e - s
        return spans[-1][1]

    caps: list[Caption] = []
    acc = 0.0
    for c, w in zip(chunks, weights, strict=True):
        a = at(acc * total_speech / total_w)
        acc += w
        b = at(acc * total_speech / total_w)
        caps.append(Caption(a, b, c))
    return fix_timing(caps, limit, cps)


def reading_time(c: Caption, cps: float | None) -> float:
    """How long *c* must stay on screen: at least 1 s, and its characters at *cps* characters a second."""
    chars = sum(len(x) for x in c.lines)
    return max(MIN_CAPTION_S, chars / cps) if cps else MIN_CAPTION_S


def fix_timing(caps: Sequence[Caption], limit: tuple[float, float], cps: float | None = None) -> list[Caption]:
    """Captions in order, without overlaps, inside *limit*, each on screen its reading time when room allows.

    A caption that needs more time than its speech pushes the next ones later; near the end they are
    pulled back so the last one ends by the limit. When the whole window is too short for every
    reading time, each caption gets a share of it in proportion to its need."""
    lo, hi = limit
    if not caps or hi - lo < 0.05:
        return []
    need = [reading_time(c, cps) for c in caps]
    room = hi - lo
    if sum(need) > room:
        need = [n * room / sum(need) for n in need]
    starts: list[float] = []
    ends: list[float] = []
    prev = lo
    for c, n in zip(caps, need, strict=True):
        start = min(max(c.start_s, lo, prev), hi)
        starts.append(start)
        ends.append(max(c.end_s, start + n))
        prev = ends[-1]
    nxt = hi
    for i in reversed(range(len(caps))):
        ends[i] = min(ends[i], nxt)
        starts[i] = max(lo, min(starts[i], ends[i] - need[i]))
        nxt = starts[i]
    out: list[Caption] = []
    for c, a, b in zip(caps, starts, ends, strict=True):
        a = max(round(a, 3), out[-1].end_s if out else lo)
        b = min(round(b, 3), hi)  # whole milliseconds, never past the limit
        if b - a >= 0.05:
            out.append(Caption(a, b, c.lines))
    return out


def too_fast(caps: Sequence[Caption], cps: float) -> list[Caption]:
    """Captions shown for less than their reading time at *cps* (1 % slack for the millisecond rounding)."""
    return [c for c in caps if c.end_s - c.start_s < reading_time(c, cps) * 0.99]


def scene_captions(text: str, start_s: float, end_s: float,
                   speech: Sequence[tuple[float, float]] | None = None, cps: float | None = None) -> list[Caption]:
    """Captions of one scene between *start_s* and *end_s* (timeline seconds).

    *speech* are the voice's segments already in timeline seconds; without it,
    the captions are spread evenly over the scene. *cps* is the reading-speed limit."""
    chunks = caption_chunks(text)
    if not chunks:
        return []
    spans = [(max(s, start_s), min(e, end_s)) for s, e in speech or () if min(e, end_s) > max(s, start_s)]
    if not spans:
        spans = [(start_s, end_s)]
    return _spread(chunks, spans, (start_s, end_s), cps)


# --- files ------------------------------------------------------------------------------


def _cues(caps: Sequence[Caption]) -> list[tuple[float, float, str]]:
    return [(c.start_s, c.end_s, c.text) for c in caps]


def to_srt(caps: Sequence[Caption]) -> str:
    from cagette.video import subtitles

    return subtitles.to_srt(_cues(caps))


def to_vtt(caps: Sequence[Caption]) -> str:
    from cagette.video import subtitles

    return subtitles.to_vtt(_cues(caps))


def parse_srt(text: str) -> list[Caption]:
    """Read SRT text back (tests, the benchmark); a malformed block raises ``ValueError``."""
    caps = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.strip().splitlines()
        if len(lines) < 2:
            continue
        m = re.match(r"(\d+):(\d\d):(\d\d)[,.](\d{3}) --> (\d+):(\d\d):(\d\d)[,.](\d{3})", lines[1])
        if not m:
            raise ValueError(f"bad SRT timing line: {lines[1]!r}")
        g = [int(x) for x in m.groups()]
        a = g[0] * 3600 + g[1] * 60 + g[2] + g[3] / 1000
        b = g[4] * 3600 + g[5] * 60 + g[6] + g[7] / 1000
        caps.append(Caption(a, b, tuple(lines[2:])))
    return caps


def transcript(title: str, scenes: Sequence[Sequence[Any]], footer: str = "", on_screen: str = "[On screen: {text}]",
               opening: Sequence[str] = (), closing: Sequence[str] = ()) -> str:
    """A plain-text transcript: the title, then each scene's title, what is written on screen, what is said.

    *scenes* are ``(title, spoken text)`` or ``(title, spoken text, on-screen texts)``; *opening* and
    *closing* are the texts of the title and end cards; *on_screen* formats written text (translated by
    the caller, in the video's language)."""
    def written(texts: Sequence[str]) -> list[str]:
        out = []
        for t in texts:
            lines = [" ".join(line.split()) for line in t.splitlines() if line.strip()]
            if lines:
                out.append(on_screen.format(text=" / ".join(lines)))
        return out

    out = [title, "=" * max(3, len(title)), ""]
    if opening:
        out += [*written(opening), ""]
    for scene in scenes:
        name, text = scene[0], scene[1]
        shown = scene[2] if len(scene) > 2 else ()
        if name:
            out.append(name)
            out.append("-" * max(3, len(name)))
        out.extend(written(shown))
        if text.strip():
            out.append(re.sub(r"\s+", " ", text).strip())
        out.append("")
    if closing:
        out += [*written(closing), ""]
    if footer:
        out.append(footer)
    return "\n".join(out).rstrip() + "\n"
