"""Render speed: cagette against a hand-written ffmpeg command and a naive moviepy script.

Builds the reference project (cagette.video.sample at 1920×1080: 10 shots of clips, Ken Burns stills and
stop-motion, a title shot, title and end cards, lower third, logo, burned captions, five espeak-ng
voice-overs, ducked music, cross-fades; 59.6 s at 30 fps), then renders it:

1. with cagette (``render_project``, preset web-16x9: x264 veryfast CRF 21, AAC 160k);
2. with ``bench/render_handwritten.sh``, the same video typed by hand as one ffmpeg command, same settings;
3. with a naive moviepy script (same settings), on the first ``--moviepy-seconds`` seconds only
   (moviepy is several times slower); its full time is extrapolated and marked so.

Targets: cagette ≤ 1.25× the hand-written command, and faster than real time.
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--moviepy-seconds", type=float, default=10.0)
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it")
    ns = ap.parse_args()

    from cagette import locations
    from cagette.video import presets, script
    from cagette.video.ffgraph import ffmpeg_exe
    from cagette.video.render import make_timeline, render_project
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
        tl = make_timeline(project, preset)
        (work / "captions.srt").write_text(script.to_srt(tl.captions), encoding="utf-8")
        print(f"timeline: {tl.duration_s:.1f} s, {sum(len(g.visuals) for g in tl.groups)} pieces, "
              f"{len(tl.captions)} captions, {preset.width}x{preset.height}@{preset.fps}")

        t0, c0 = time.perf_counter(), cpu_s()
        render_project(project, preset=preset, out=work / "cagette.mp4", force=True)
        t_cagette, c_cagette = time.perf_counter() - t0, cpu_s() - c0

        t0, c0 = time.perf_counter(), cpu_s()
        subprocess.run(["bash", str(HERE / "render_handwritten.sh"), ffmpeg_exe(), str(project.root),
                        str(work / "captions.srt"), str(work / "handwritten.mp4"), str(locations.font_path(True))],
                       check=True)
        t_hand, c_hand = time.perf_counter() - t0, cpu_s() - c0

        seconds = min(ns.moviepy_seconds, tl.duration_s)
        c0 = cpu_s()
        t_movie = naive_moviepy(project, work / "moviepy.mp4", seconds)
        t_movie_full = t_movie * tl.duration_s / seconds
        c_movie_full = (cpu_s() - c0) * tl.duration_s / seconds

        d = tl.duration_s
        print(f"hand-written ffmpeg  {t_hand:7.1f} s  ({d / t_hand:4.2f}x real time)  reference")
        print(f"cagette              {t_cagette:7.1f} s  ({d / t_cagette:4.2f}x real time)  "
              f"ratio {t_cagette / t_hand:4.2f}x  target <= 1.25x: {'ok' if t_cagette <= 1.25 * t_hand else 'MISSED'}; "
              f"faster than real time: {'ok' if t_cagette < d else 'MISSED'}")
        print(f"naive moviepy        {t_movie_full:7.1f} s  ({d / t_movie_full:4.2f}x real time)  "
              f"ratio {t_movie_full / t_hand:4.2f}x  (extrapolated from {seconds:.0f} s rendered in {t_movie:.1f} s)")
        print(f"CPU time (user+system, all processes): hand-written {c_hand:.1f} s, cagette {c_cagette:.1f} s "
              f"(ratio {c_cagette / c_hand:4.2f}x), moviepy {c_movie_full:.1f} s extrapolated "
              f"(ratio {c_movie_full / c_hand:4.2f}x)")
        print("note: the machine is shared; wall-clock figures are indicative, CPU time is steadier.")
    finally:
        if ns.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
