"""Render speed: cagette against a hand-written ffmpeg command and a naive moviepy script.

Builds the reference project (cagette.video.sample at 1920×1080: 10 shots of clips, Ken Burns stills and
stop-motion, a title shot, title and end cards, lower third, logo, burned captions, five espeak-ng
voice-overs, ducked music, cross-fades; 59.6 s at 30 fps), then renders it:

1. with cagette (``render_project``, preset web-16x9, by segments with an empty cache; then with one graph);
2. with ``bench/render_handwritten.sh``, the same video typed by hand as one ffmpeg command, given exactly the
   preset's x264 preset, CRF and audio settings (read from the preset here, passed as arguments);
3. with a naive moviepy script (same settings), on the first ``--moviepy-seconds`` seconds only
   (moviepy is several times slower); its full time is extrapolated and marked so.

Then it edits one scene's script (its burned captions change) and renders again, and draws single frames
with the preview at moments of every kind (the timeline already built, as the app has it).

Targets: the full render (segments, nothing cached) ≤ 1.05× the hand-written command's CPU time, and faster
than real time; the re-render after the one-scene edit ≤ 0.25× the full render's CPU time; a preview of one
frame under 1 s. ``render --engine single`` is measured too.
Usage: ``python bench/render.py [--moviepy-seconds 10] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def cpu_s() -> float:
    """CPU seconds used so far by this process and its finished children (robust on a shared machine)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def naive_moviepy(project: Any, out: Path, seconds: float) -> float:
    """What a moviepy user would write for this project (no cagette code); returns the time taken."""
    from moviepy import (
        AudioFileClip,
        ColorClip,
        CompositeAudioClip,
        CompositeVideoClip,
        ImageClip,
        ImageSequenceClip,
        TextClip,
        VideoFileClip,
        concatenate_videoclips,
        vfx,
    )

    from cagette import locations
    from cagette.video.script import parse_srt

    start = time.perf_counter()
    root = project.root
    font = str(locations.font_path(bold=True))
    size = (1920, 1080)
    pieces = [CompositeVideoClip([ColorClip(size, (31, 42, 68)).with_duration(3),
                                  TextClip(font=font, text=project.data.title, font_size=98, color="white")
                                  .with_duration(3).with_position("center")])]
    for sc in project.data.scenes:
        for sh in sc.shots:
            if sh.kind == "clip":
                clip = VideoFileClip(str(root / sh.source)).subclipped(0.5, 6.0).resized(size)
            elif sh.kind == "still":
                clip = ImageClip(str(root / sh.source)).with_duration(5.5).resized(size)
            elif sh.kind == "frames":
                files = sorted(str(f) for f in (root / sh.source).iterdir())
                clip = ImageSequenceClip(files, fps=8).resized(size)
            else:
                clip = CompositeVideoClip([ColorClip(size, (31, 42, 68)).with_duration(5.5),
                                           TextClip(font=font, text=sh.title, font_size=98, color="white")
                                           .with_duration(5.5).with_position("center")])
            pieces.append(clip.with_duration(5.5))
    pieces.append(ColorClip(size, (31, 42, 68)).with_duration(4))
    video = concatenate_videoclips([p.with_effects([vfx.CrossFadeIn(0.4)]) for p in pieces], method="compose",
                                   padding=-0.4)
    caps = parse_srt((out.parent / "captions.srt").read_text())
    subs = [TextClip(font=font, text=c.text, font_size=60, color="white", bg_color=(0, 0, 0))
            .with_start(c.start_s).with_duration(c.end_s - c.start_s).with_position(("center", 900)) for c in caps]
    logo = ImageClip(str(root / project.data.export.logo)).resized(height=108).with_duration(video.duration)
    video = CompositeVideoClip([video, *subs, logo.with_position((1920 - 144, 36))])
    voices = [AudioFileClip(str(root / sc.voice)).with_start(2.6 + i * 10.6) for i, sc in enumerate(project.data.scenes)]
    music = AudioFileClip(str(root / project.data.music.source)).with_volume_scaled(0.16)
    video = video.with_audio(CompositeAudioClip([*voices, music]))
    video = video.subclipped(0, seconds)
    video.write_videofile(str(out), fps=30, codec="libx264", preset="veryfast", audio_codec="aac",
                          audio_bitrate="160k", ffmpeg_params=["-crf", "21", "-pix_fmt", "yuv420p"], logger=None)
    return time.perf_counter() - start


def timed(fn: Any) -> tuple[Any, float, float]:
    """fn()'s result, wall-clock seconds and CPU seconds (this process and its children)."""
    t0, c0 = time.perf_counter(), cpu_s()
    result = fn()
    return result, time.perf_counter() - t0, cpu_s() - c0


def preview_figures(project: Any, preset: Any, work: Path) -> list[tuple[float, float, float]]:
    """(time, wall s, CPU s) of a preview of one frame at moments of every kind, the timeline already built
    (as the app has it)."""
    from cagette.video.preview import preview_frame
    from cagette.video.render import make_timeline

    tl = make_timeline(project, preset)
    moments = [0.5] + [g.start_s + g.duration_s / 2 for g in tl.groups] + [g.start_s + 0.2 for g in tl.groups[1:]]
    out = []
    for at in moments:
        _r, wall, cpu = timed(lambda at=at: preview_frame(tl, at, work / "preview.png"))
        out.append((at, wall, cpu))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--moviepy-seconds", type=float, default=10.0)
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it")
    ns = ap.parse_args()

    from cagette import locations
    from cagette.video import presets, script
    from cagette.video.ffgraph import ffmpeg_exe
    from cagette.video.render import make_timeline, render_cache, render_project
    from cagette.video.sample import build_sample

    work = ns.keep or Path(tempfile.mkdtemp(prefix="bench-render-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        if ns.keep and (work / "project" / "project.toml").is_file():
            from cagette.video.project import Project

            project = Project.open(work / "project")  # reuse the media of a kept run
        else:
            project = build_sample(work / "project", size=(1920, 1080), seconds_per_shot=5.5)
        print(f"built the reference project in {time.perf_counter() - t0:.1f} s")
        preset = presets.get("web-16x9")
        tl = make_timeline(project, preset)  # probes and speech found once, as in the app
        (work / "captions.srt").write_text(script.to_srt(tl.captions), encoding="utf-8")
        print(f"timeline: {tl.duration_s:.1f} s, {sum(len(g.visuals) for g in tl.groups)} pieces, "
              f"{len(tl.groups)} scenes and cards, {len(tl.captions)} captions, {preset.width}x{preset.height}"
              f"@{preset.fps}")
        shutil.rmtree(render_cache(project).folder, ignore_errors=True)  # a first render: nothing cached

        full, t_full, c_full = timed(lambda: render_project(project, preset=preset, out=work / "cagette.mp4",
                                                            force=True))
        _s, t_single, c_single = timed(lambda: render_project(project, preset=preset, out=work / "single.mp4",
                                                              force=True, engine="single"))
        _h, t_hand, c_hand = timed(lambda: subprocess.run(
            ["bash", str(HERE / "render_handwritten.sh"), ffmpeg_exe(), str(project.root), str(work / "captions.srt"),
             str(work / "handwritten.mp4"), str(locations.font_path(True)), preset.x264_preset, str(preset.crf),
             f"{preset.audio_bitrate_k}k"], check=True))
        project.update_scene(3, script=project.data.scene(3).script + " Gardez une copie de chaque pièce.")
        edit, t_edit, c_edit = timed(lambda: render_project(project, preset=preset, out=work / "edited.mp4",
                                                            force=True))
        previews = preview_figures(project, preset, work)

        seconds = min(ns.moviepy_seconds, tl.duration_s)
        c0 = cpu_s()
        t_movie = naive_moviepy(project, work / "moviepy.mp4", seconds)
        t_movie_full = t_movie * tl.duration_s / seconds
        c_movie_full = (cpu_s() - c0) * tl.duration_s / seconds
        report(tl.duration_s, preset, (t_full, c_full, len(full.segments_rendered)), (t_single, c_single),
               (t_hand, c_hand), (t_edit, c_edit, edit.segments_rendered, len(edit.segments_reused)), previews,
               (t_movie, t_movie_full, c_movie_full, seconds))
    finally:
        if ns.keep is None:
            shutil.rmtree(work, ignore_errors=True)


def report(d: float, preset: Any, full: tuple[float, float, int], single: tuple[float, float],
           hand: tuple[float, float], edit: tuple[float, float, tuple[str, ...], int],
           previews: list[tuple[float, float, float]], movie: tuple[float, float, float, float]) -> None:
    (t_full, c_full, n_segments), (t_single, c_single), (t_hand, c_hand) = full, single, hand
    t_edit, c_edit, rendered, reused = edit
    t_movie, t_movie_full, c_movie_full, seconds = movie

    def ok(good: bool) -> str:
        return "ok" if good else "MISSED"

    print(f"settings (all): x264 {preset.x264_preset} CRF {preset.crf}, AAC {preset.audio_bitrate_k} kb/s 48 kHz, "
          f"{preset.width}x{preset.height}@{preset.fps}")
    print(f"hand-written ffmpeg      {t_hand:7.1f} s wall {c_hand:7.1f} s CPU  reference")
    print(f"cagette, {n_segments} segments     {t_full:7.1f} s wall {c_full:7.1f} s CPU  ({d / t_full:4.2f}x real time; "
          f"faster than real time: {ok(t_full < d)})")
    print(f"cagette --engine single  {t_single:7.1f} s wall {c_single:7.1f} s CPU")
    print(f"naive moviepy            {t_movie_full:7.1f} s wall {c_movie_full:7.1f} s CPU  (extrapolated from "
          f"{seconds:.0f} s rendered in {t_movie:.1f} s)")
    ratio = c_full / c_hand
    print(f"full render / hand-written = {ratio:4.2f}x CPU  target <= 1.05x: {ok(ratio <= 1.05)}  "
          f"(single graph: {c_single / c_hand:4.2f}x; moviepy: {c_movie_full / c_hand:4.2f}x)")
    again = c_edit / c_full
    print(f"re-render after a one-scene edit / full render = {again:4.2f}x CPU ({t_edit / t_full:4.2f}x wall; "
          f"encoded {', '.join(rendered)}, {reused} segment(s) reused)  target <= 0.25: {ok(again <= 0.25)}")
    walls = [w for _at, w, _c in previews]
    print(f"preview of one frame at 1080p: {sum(walls) / len(walls):.2f} s mean, {max(walls):.2f} s worst wall "
          f"({sum(c for *_r, c in previews) / len(previews):.2f} s CPU) over {len(walls)} moments  target < 1 s: "
          f"{ok(max(walls) < 1)}")
    print("note: the machine is shared; wall-clock figures are indicative, CPU time is steadier.")


if __name__ == "__main__":
    sys.exit(main())
