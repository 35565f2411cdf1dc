"""The incremental renderer: a segment per scene, cached; joined without re-encoding; the sound mixed whole.

:func:`plan` cuts the timeline where a scene (or a card) starts, that is where
the cross-fade into it starts: a segment holds its scene from the first frame
of that cross-fade to the first frame of the next one, the end of the previous
scene's picture included, so every cross-fade lies inside one segment. A cut
is never placed inside the fade from or to black (those scenes are joined into
one segment). Each segment's picture is the timeline's stretch
(:func:`cagette.video.ffgraph.compile_window`), encoded with the preset's
settings into the :class:`~cagette.video.rendercache.RenderCache` under a key
of everything that shows in it; an unchanged segment is reused as it is. The
sound of the whole video is mixed and brought to its loudness target once
(:func:`cagette.video.ffaudio.render_audio`), encoded to AAC and cached the same
way. The segments are then joined by ffmpeg's concat demuxer with the sound,
stream copy only (``-c copy``), into the MP4 with ``+faststart``.

After an edit of one scene, only its segment is encoded again (and the next
one when the edit reaches into the cross-fade after it); the sound only when it
changed.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from dataclasses import dataclass
from pathlib import Path

from cagette.i18n import _
from cagette.progress import Progress
from cagette.video import ffaudio
from cagette.video.ffgraph import Workdir, audio_args, compile_window, frames_of, quote, video_args, widen
from cagette.video.ffrun import ffmpeg_exe, run
from cagette.video.presets import Preset
from cagette.video.rendercache import RenderCache, key_of
from cagette.video.staging import Digests
from cagette.video.timeline import Timeline


@dataclass(frozen=True)
class Segment:
    start: int  # first frame (of the timeline)
    end: int  # one past the last
    groups: tuple[str, ...]  # the scenes and cards that start in it (their slugs)

    @property
    def frames(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Counts:
    """What a segmented render did: segments encoded and reused, and whether the sound was."""

    rendered: tuple[str, ...] = ()  # each encoded segment, named by its groups
    reused: tuple[str, ...] = ()
    sound_rendered: bool = True


def plan(tl: Timeline) -> list[Segment]:
    """The segments of *tl*: cut where each scene's cross-fade starts, never inside a fade."""
    f = frames_of(tl)
    cuts = [s for s in f.starts[1:] if 0 < s < f.total and widen(tl, s, s) == (s, s)]
    bounds = sorted({0, *cuts, f.total})
    out = []
    for a, b in itertools.pairwise(bounds):
        names = tuple(g.slug for g, s in zip(tl.groups, f.starts, strict=True) if a <= s < b)
        out.append(Segment(a, b, names))
    return out


def _name(seg: Segment) -> str:
    return "+".join(seg.groups)


def render(tl: Timeline, out: Path, preset: Preset, workdir: Path, progress: Progress, cache: RenderCache | None,
           digests: Digests) -> Counts:
    """Render *tl* to *out* (MP4) segment by segment (see the module's doc); *cache* None renders every
    segment and the sound anew and keeps nothing."""
    out = Path(out).absolute()
    work = Path(workdir)
    exe = ffmpeg_exe()
    progress.start(_("Preparing the sound"), None)
    sound, sound_rendered = _sound(tl, preset, work, progress, cache, digests, exe)
    jobs = []  # (segment, its folder, inputs, key)
    reused, rendered = [], []
    for n, seg in enumerate(plan(tl)):
        folder = work / f"seg{n:03d}"
        folder.mkdir()
        inputs, graph = compile_window(tl, Workdir(folder), seg.start, seg.end)
        (folder / "graph.txt").write_text(graph, encoding="utf-8")
        key = key_of("video", exe, [*video_args(preset), str(tl.fps)], inputs, graph, folder, digests,
                     [seg.frames, tl.width, tl.height])
        if cache is not None and cache.fetch(key, ".mp4", folder / "segment.mp4"):
            reused.append(_name(seg))
        else:
            jobs.append((seg, folder, inputs, key))
    digests.save()
    total_s = sum(seg.frames for seg, *_rest in jobs) / tl.fps
    progress.start(_("Rendering"), total_s, "s")
    done_s = 0.0
    for seg, folder, inputs, key in jobs:
        _encode(tl, preset, folder, inputs, seg, progress, done_s, exe)
        done_s += seg.frames / tl.fps
        if cache is not None:
            cache.store(key, ".mp4", folder / "segment.mp4")
        rendered.append(_name(seg))
    progress.start(_("Joining the scenes"), None)
    _join(tl, out, work, sound, progress, exe)
    progress.finish()
    if cache is not None:
        cache.trim()
    return Counts(tuple(rendered), tuple(reused), sound_rendered)


def _encode(tl: Timeline, preset: Preset, folder: Path, inputs: list[str], seg: Segment, progress: Progress,
            done_s: float, exe: str) -> None:
    part = folder / "segment.part.mp4"
    cmd = [exe, "-nostdin", "-y", "-hide_banner", "-v", "error", "-nostats", "-progress", "pipe:1", *inputs,
           "-/filter_complex", "graph.txt", "-map", "[vout]", *video_args(preset), "-an", "-r", str(tl.fps),
           "-frames:v", str(seg.frames), "-f", "mp4", str(part)]
    limit = seg.frames / tl.fps
    try:
        run(cmd, progress, lambda s: progress.update(done_s + min(s, limit)), cwd=folder)
        os.replace(part, folder / "segment.mp4")
    finally:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()


def _sound(tl: Timeline, preset: Preset, work: Path, progress: Progress, cache: RenderCache | None,
           digests: Digests, exe: str) -> tuple[Path, bool]:
    """The whole video's sound, mixed, at its loudness target, in AAC (cached like a segment)."""
    folder = work / "sound"
    folder.mkdir()
    inputs, graph = ffaudio.compile_audio(tl)
    key = key_of("sound", exe, audio_args(preset), inputs, graph, folder, digests,
                 [tl.loudness_lufs, tl.true_peak_db, ffaudio.LIMIT_DB, tl.duration_s])
    aac = folder / "sound.m4a"
    if cache is not None and cache.fetch(key, ".m4a", aac):
        return aac, False
    wav = ffaudio.render_audio(tl, folder, progress)
    part = folder / "sound.part.m4a"
    run([exe, "-nostdin", "-y", "-hide_banner", "-v", "error", "-i", str(wav), *audio_args(preset),
         "-f", "mp4", str(part)], progress)
    os.replace(part, aac)
    if cache is not None:
        cache.store(key, ".m4a", aac)
    return aac, True


def _join(tl: Timeline, out: Path, work: Path, sound: Path, progress: Progress, exe: str) -> None:
    listing = work / "segments.txt"
    names = sorted(p for p in work.glob("seg*/segment.mp4"))
    listing.write_text("ffconcat version 1.0\n" + "".join(f"file {quote(p.relative_to(work).as_posix())}\n"
                                                          for p in names), encoding="utf-8")
    part = out.with_name(f".{out.stem}.part{out.suffix}")
    cmd = [exe, "-nostdin", "-y", "-hide_banner", "-v", "error", "-f", "concat", "-safe", "0", "-i", listing.name,
           "-i", str(sound), "-map", "0:v", "-map", "1:a", "-c", "copy", "-movflags", "+faststart",
           "-t", ffaudio.num(tl.duration_s), "-f", "mp4", str(part)]
    try:
        run(cmd, progress, cwd=work)
        os.replace(part, out)
    finally:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()
