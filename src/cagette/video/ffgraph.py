"""The fast renderer: a timeline (or any stretch of it) compiled into ONE ffmpeg filter graph.

:func:`compile_window` draws timeline frames ``[a, b)``: the pieces shown then
(:mod:`cagette.video.ffpieces`, each from the frame the stretch needs), the
cross-fades between scenes, the burned captions, the logo and the fades from
and to black, with every time counted from the stretch's start. The whole
video is the stretch ``[0, N)`` (:func:`compile_graph`, ``render --engine
single``); the segmented renderer (:mod:`cagette.video.segments`) draws a
stretch per scene, and the preview (:mod:`cagette.video.preview`) a stretch of
one frame. A stretch that would start or end inside a cross-fade or a fade is
widened to take it whole, then trimmed back, so a frame is the same whichever
stretch draws it.

The ffmpeg binary is the one imageio-ffmpeg ships (``get_ffmpeg_exe()``). The
sound is prepared first (:mod:`cagette.video.ffaudio`); then one ffmpeg run
decodes every source, builds the picture in a single filter graph, and writes
H.264 (yuv420p, tagged BT.709) + AAC in MP4 with ``+faststart``. Progress is
read from ``-progress pipe:1``; a cancel kills ffmpeg and the partial file is
removed.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from cagette.i18n import _
from cagette.progress import Progress, silent
from cagette.video.ffaudio import measure_loudness, num, render_audio
from cagette.video.ffpieces import OUT_MATRIX, TAGS, Workdir, draw_block, piece_chain
from cagette.video.ffrun import ffmpeg_exe, run
from cagette.video.presets import Preset
from cagette.video.timeline import Timeline

__all__ = ["Workdir", "compile_graph", "compile_window", "draw_block", "encode_args", "ffmpeg_exe", "measure_loudness",
           "quote", "render", "render_audio"]


def quote(value: str | Path) -> str:
    """Quote a value once for ffmpeg's own parsers (an ffconcat line): single quotes, a quote inside
    closed, escaped and reopened."""
    return "'" + str(value).replace("'", r"'\''") + "'"


@dataclass(frozen=True)
class Frames:
    """Where things fall, in frames of the timeline."""

    starts: tuple[int, ...]  # first frame of each group
    lengths: tuple[int, ...]  # frames of each group
    overlap: int  # frames of each cross-fade (0: cuts)
    total: int
    fade_in_end: int  # frames before this are faded from black
    fade_out_start: int  # frames after this are faded to black

    def overlaps(self) -> list[tuple[int, int]]:
        return [(s, s + self.overlap) for s in self.starts[1:]] if self.overlap else []


def frames_of(tl: Timeline) -> Frames:
    import math

    fps = tl.fps
    starts = tuple(round(g.start_s * fps) for g in tl.groups)
    lengths = tuple(round(g.duration_s * fps) for g in tl.groups)
    overlap = round(tl.crossfade_s * fps) if len(tl.groups) > 1 else 0
    total = tl.frame_count
    fade_in = math.ceil(tl.fade_s * fps - 1e-9) if tl.fade_s > 0 else 0
    fade_out = math.floor((tl.duration_s - tl.fade_s) * fps + 1e-9) if tl.fade_s > 0 else total
    return Frames(starts, lengths, overlap, total, fade_in, fade_out)


def widen(tl: Timeline, a: int, b: int) -> tuple[int, int]:
    """The stretch [a, b) widened so that it neither starts nor ends inside a cross-fade or a fade."""
    f = frames_of(tl)
    for _round in range(len(tl.groups) + 3):
        before = (a, b)
        for s, e in f.overlaps():
            if s < a < e:
                a = s
            if s < b < e:
                b = e
        if 0 < a < f.fade_in_end:
            a = 0
        if f.fade_out_start < a < f.total:
            a = f.fade_out_start
        if (a, b) == before:
            break
    return a, min(b, f.total)


def _pieces(tl: Timeline, gi: int, la: int, lb: int) -> list[tuple[int, int, int]]:
    """(piece, first, end) frames of group *gi* within its own frames [la, lb)."""
    out = []
    at = 0
    for vi, v in enumerate(tl.groups[gi].visuals):
        n = max(1, round(v.duration_s * tl.fps))
        lo, hi = max(la, at), min(lb, at + n)
        if lo < hi:
            out.append((vi, lo - at, hi - at))
        at += n
    return out


def compile_window(tl: Timeline, workdir: Path | Workdir, a: int = 0, b: int | None = None) -> tuple[list[str], str]:
    """The input arguments and the filter graph drawing timeline frames [a, b) into ``[vout]``."""
    work = workdir if isinstance(workdir, Workdir) else Workdir(workdir)
    f = frames_of(tl)
    b = f.total if b is None else b
    wa, wb = widen(tl, a, b)
    fps = tl.fps
    inputs: list[str] = []
    chains: list[str] = []
    groups: list[tuple[int, list[str]]] = []  # (group, labels of its pieces)
    for gi, (start, length) in enumerate(zip(f.starts, f.lengths, strict=True)):
        la, lb = max(0, wa - start), min(length, wb - start)
        if la >= lb:
            continue
        labels: list[str] = []
        for vi, pa, pb in _pieces(tl, gi, la, lb):
            tag = f"g{len(groups)}v{len(labels)}"  # numbered within the stretch: its graph does not change
            more, chain = piece_chain(tl.groups[gi].visuals[vi], sum(1 for x in inputs if x == "-i"), tag, tl, work,
                                      pa, pb)
            inputs += more
            chains.append(chain)
            labels.append(f"[{tag}]")
        groups.append((lb - la, labels))
    base = _join(tl, f.overlap, groups, chains)
    post = "format=yuv420p"
    t0 = wa / fps
    for c in tl.burned:
        if c.end_s - 0.001 > t0 and c.start_s < wb / fps:
            post += draw_block(c.block, work, f"between(t,{num(c.start_s - t0)},{num(c.end_s - 0.001 - t0)})")
    if tl.logo is not None and tl.logo_rect is not None:
        r = tl.logo_rect
        k = sum(1 for x in inputs if x == "-i")
        inputs += ["-i", str(work.still(tl.logo))]
        chains.append(f"[{k}:v]scale={r.w}:{r.h}:flags=bicubic:out_color_matrix={OUT_MATRIX}:out_range=tv,"
                      f"format=yuva420p[logo]")
        chains.append(f"{base}[logo]overlay={r.x}:{r.y}:format=yuv420[withlogo]")
        base = "[withlogo]"
    if tl.fade_s > 0 and wa < f.fade_in_end:
        post += f",fade=t=in:st=0:d={num(tl.fade_s)}"
    if tl.fade_s > 0 and wb > f.fade_out_start:
        post += f",fade=t=out:st={num(tl.duration_s - tl.fade_s - t0)}:d={num(tl.fade_s)}"
    if (wa, wb) != (a, b):
        post += f",trim=start_frame={a - wa}:end_frame={b - wa},setpts=PTS-STARTPTS"
    chains.append(f"{base}{post},format=yuv420p,{TAGS}[vout]")
    return inputs, ";\n".join(chains)


def _join(tl: Timeline, x: int, groups: list[tuple[int, list[str]]], chains: list[str]) -> str:
    """Chains joining the pieces: back to back; with cross-fades of *x* frames, each group's last frames
    blended with the next one's first (the next group drawn over it, its opacity rising frame by frame).
    Only the frames of a cross-fade go through the blend, so a frame elsewhere is the same whichever
    stretch draws it. *groups* holds each group's frame count in the stretch and its pieces' labels."""
    fps = tl.fps
    if not x:
        labels = [lab for _n, group in groups for lab in group]
        chains.append(f"{labels[0]}null[base]" if len(labels) == 1 else
                      f"{''.join(labels)}concat=n={len(labels)}:v=1:a=0[base]")
        return "[base]"
    parts: list[str] = []
    tail = ""
    for n, (length, labels) in enumerate(groups):
        head = x if n > 0 else 0
        keep = x if n < len(groups) - 1 else 0
        body = length - head - keep
        cuts = [(f"h{n}", f"trim=end_frame={x}")] if head else []
        if body > 0:
            cuts.append((f"b{n}", f"trim=start_frame={head}:end_frame={head + body},setpts=PTS-STARTPTS"))
        if keep:
            cuts.append((f"t{n}", f"trim=start_frame={length - x},setpts=PTS-STARTPTS"))
        joined = f"concat=n={len(labels)}:v=1:a=0," if len(labels) > 1 else ""
        split = f",split={len(cuts)}" if len(cuts) > 1 else ""
        chains.append(f"{''.join(labels)}{joined}settb=1/{fps},setpts=N{split}" + "".join(f"[{c}in]" for c, _f in cuts))
        for c, filters in cuts:
            chains.append(f"[{c}in]{filters}[{c}]")
        if head:
            chains.append(f"[h{n}]format=yuva420p,fade=t=in:st=0:d={num(x / fps)}:alpha=1[h{n}a]")
            chains.append(f"{tail}[h{n}a]overlay=0:0:format=yuv420:eof_action=pass,format=yuv420p[x{n}]")
            parts.append(f"[x{n}]")
        if body > 0:
            parts.append(f"[b{n}]")
        tail = f"[t{n}]"
    chains.append(f"{''.join(parts)}concat=n={len(parts)}:v=1:a=0,settb=1/{fps},setpts=N[base]" if len(parts) > 1
                  else f"{parts[0]}null[base]")
    return "[base]"


def compile_graph(tl: Timeline, workdir: Path | Workdir) -> tuple[list[str], str]:
    """The input arguments and the filter graph drawing the whole of *tl*'s picture into ``[vout]``."""
    return compile_window(tl, workdir)


def video_args(preset: Preset) -> list[str]:
    """H.264 with exactly the preset's x264 preset and CRF, yuv420p, tagged BT.709 (limited range)."""
    return ["-c:v", "libx264", "-preset", preset.x264_preset, "-crf", str(preset.crf), "-pix_fmt", "yuv420p",
            "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv"]


def audio_args(preset: Preset) -> list[str]:
    return ["-c:a", "aac", "-b:a", f"{preset.audio_bitrate_k}k", "-ar", "48000"]


def encode_args(preset: Preset) -> list[str]:
    return [*video_args(preset), *audio_args(preset), "-movflags", "+faststart"]


def render(tl: Timeline, out: Path, preset: Preset, workdir: Path, progress: Progress | None = None) -> Path:
    """Render *tl* to *out* (MP4) with one graph for the whole video. The file appears under its name only
    once complete."""
    progress = progress or silent()
    out = Path(out).absolute()
    work = Workdir(workdir)
    progress.start(_("Preparing the sound"), None)
    wav = render_audio(tl, work.path, progress)
    inputs, graph = compile_graph(tl, work)
    audio_index = sum(1 for a in inputs if a == "-i")
    (work.path / "graph.txt").write_text(graph, encoding="utf-8")
    part = out.with_name(f".{out.stem}.part{out.suffix}")
    cmd = [ffmpeg_exe(), "-nostdin", "-y", "-hide_banner", "-v", "error", "-nostats", "-progress", "pipe:1",
           *inputs, "-i", str(wav), "-/filter_complex", "graph.txt", "-map", "[vout]", "-map", f"{audio_index}:a",
           *encode_args(preset), "-r", str(tl.fps), "-t", num(tl.duration_s), "-f", "mp4", str(part)]
    progress.start(_("Rendering"), tl.duration_s, "s")
    try:
        run(cmd, progress, lambda s: progress.update(min(s, tl.duration_s)), cwd=work.path)
        os.replace(part, out)
    finally:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()
    progress.finish()
    return out
