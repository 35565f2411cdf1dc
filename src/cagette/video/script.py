"""Script tools: spoken-duration estimates, caption lines, speech detection, SRT/WebVTT/transcript.

Captions follow common subtitling rules (and RGAA's need for synchronised
captions): at most 2 lines of at most 42 characters, each shown at least 1 s,
never overlapping. They are timed on the voice-over's speech segments
(energy-based voice activity detection) when there is one, else spread over
the scene's shots.
"""

from __future__ import annotations

import re
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def wrap(text: str, width: int = MAX_CHARS) -> list[str]:
    """Greedy word wrap; a word longer than *width* is cut."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > width:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:width])
            word = word[width:]
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def _balance(lines: list[str]) -> list[tuple[str, ...]]:
    """Group wrapped lines by two; a two-line group is re-balanced so both lines are similar."""
    groups = []
    for i in range(0, len(lines), MAX_LINES):
        chunk = lines[i:i + MAX_LINES]
        if len(chunk) == 2:
            words = (chunk[0] + " " + chunk[1]).split()
            best = chunk
            best_diff = abs(len(chunk[0]) - len(chunk[1]))
            for k in range(1, len(words)):
                a, b = " ".join(words[:k]), " ".join(words[k:])
                if len(a) <= MAX_CHARS and len(b) <= MAX_CHARS and abs(len(a) - len(b)) < best_diff:
                    best, best_diff = [a, b], abs(len(a) - len(b))
            chunk = best
        groups.append(tuple(chunk))
    return groups


def caption_chunks(text: str) -> list[tuple[str, ...]]:
    """The script cut into captions of ≤ 2 lines of ≤ 42 characters, sentence by sentence."""
    out: list[tuple[str, ...]] = []
    for sentence in sentences(text):
        out.extend(_balance(wrap(sentence)))
    return out


# --- voice activity -------------------------------------------------------------


def read_wav_mono(path: Path) -> tuple[int, Any]:
    """Samples of a 16-bit WAV as a float numpy array in [-1, 1] (mono), and its rate."""
    import numpy as np

    with wave.open(str(path), "rb") as wf:
        rate, ch, width = wf.getframerate(), wf.getnchannels(), wf.getsampwidth()
        raw = wf.readframes(wf.getnframes())
    if width == 2:
        data = np.frombuffer(raw, "<i2").astype("float32") / 32768
    elif width == 4:
        data = np.frombuffer(raw, "<i4").astype("float32") / 2**31
    elif width == 1:
        data = (np.frombuffer(raw, "u1").astype("float32") - 128) / 128
    else:
        data = np.zeros(0, "float32")
    if ch > 1:
        data = data.reshape(-1, ch).mean(axis=1)
    return rate, data


def speech_segments(path: Path, frame_s: float = 0.02, min_gap_s: float = 0.35,
                    min_speech_s: float = 0.15) -> list[tuple[float, float]]:
    """Where the voice speaks in a WAV file: energy above a threshold set from the loud and quiet parts."""
    import numpy as np

    rate, data = read_wav_mono(path)
    samples = np.asarray(data)
    hop = max(1, int(rate * frame_s))
    n = len(samples) // hop
    if n == 0:
        return []
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
    return [(round(s, 3), round(e, 3)) for s, e in merged if e - s >= min_speech_s]


# --- timing ------------------------------------------------------------------------


def _spread(chunks: Sequence[tuple[str, ...]], spans: Sequence[tuple[float, float]],
            limit: tuple[float, float]) -> list[Caption]:
    """Lay *chunks* over *spans* (in order) in proportion to their length, ≥ 1 s each, inside *limit*."""
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
    return fix_timing(caps, limit)


def fix_timing(caps: Sequence[Caption], limit: tuple[float, float]) -> list[Caption]:
    """Make every caption last ≥ 1 s when room allows, in order, without overlaps, inside *limit*."""
    lo, hi = limit
    out: list[Caption] = []
    for i, c in enumerate(caps):
        start = max(c.start_s, lo, out[-1].end_s if out else lo)
        nxt = caps[i + 1].start_s if i + 1 < len(caps) else hi
        end = max(c.end_s, start + MIN_CAPTION_S)
        end = min(end, hi) if i + 1 == len(caps) else min(end, max(nxt, start + MIN_CAPTION_S), hi)
        if end - start < 0.05:
            continue
        # whole milliseconds, never past the limit (rounding up could push the last one out)
        out.append(Caption(round(start, 3), min(round(end, 3), hi), c.lines))
    # a caption pushed later than the next one's start: shift the following ones
    for i in range(1, len(out)):
        if out[i].start_s < out[i - 1].end_s:
            out[i] = Caption(out[i - 1].end_s, max(out[i].end_s, out[i - 1].end_s + 0.05), out[i].lines)
    return [c for c in out if c.end_s <= hi + 1e-6 and c.end_s > c.start_s]


def scene_captions(text: str, start_s: float, end_s: float,
                   speech: Sequence[tuple[float, float]] | None = None) -> list[Caption]:
    """Captions of one scene between *start_s* and *end_s* (timeline seconds).

    *speech* are the voice's segments already in timeline seconds; without it,
    the captions are spread evenly over the scene."""
    chunks = caption_chunks(text)
    if not chunks:
        return []
    spans = [(max(s, start_s), min(e, end_s)) for s, e in speech or () if min(e, end_s) > max(s, start_s)]
    if not spans:
        spans = [(start_s, end_s)]
    return _spread(chunks, spans, (start_s, end_s))


# --- files ------------------------------------------------------------------------------


def _ts(seconds: float, sep: str) -> str:
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def to_srt(caps: Sequence[Caption]) -> str:
    blocks = [f"{i}\n{_ts(c.start_s, ',')} --> {_ts(c.end_s, ',')}\n{c.text}\n" for i, c in enumerate(caps, 1)]
    return "\n".join(blocks)


def to_vtt(caps: Sequence[Caption]) -> str:
    blocks = [f"{_ts(c.start_s, '.')} --> {_ts(c.end_s, '.')}\n{c.text}\n" for c in caps]
    return "WEBVTT\n\n" + "\n".join(blocks)


def parse_srt(text: str) -> list[Caption]:
    """Read an SRT file back (used by tests and by `project check`)."""
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


def transcript(title: str, scenes: Sequence[tuple[str, str]], footer: str = "") -> str:
    """A plain-text transcript: the title, then each scene's title and spoken text."""
    out = [title, "=" * max(3, len(title)), ""]
    for name, text in scenes:
        if name:
            out.append(name)
            out.append("-" * max(3, len(name)))
        if text.strip():
            out.append(re.sub(r"\s+", " ", text).strip())
        out.append("")
    if footer:
        out.append(footer)
    return "\n".join(out).rstrip() + "\n"
