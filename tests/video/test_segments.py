"""The incremental render: a cached segment per scene, joined without re-encoding, the sound mixed whole.

Frame counts and durations per Debian's ffprobe, pictures compared after decoding with Debian's ffmpeg; the
segments the render encodes are counted (never timed)."""

from __future__ import annotations

import os
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cagette.video import presets, synth
from cagette.video.ffgraph import Workdir, compile_window, frames_of
from cagette.video.ffrun import ffmpeg_exe
from cagette.video.project import Project
from cagette.video.render import make_timeline, render_cache, render_project
from cagette.video.rendercache import RenderCache
from cagette.video.segments import plan
from tests.video.conftest import SIZE, ffprobe, psnr, rgb_frames, video_stream

TINY = presets.get("draft").scaled(*SIZE)
WEB = presets.get("web-16x9").scaled(*SIZE)  # the web preset's x264 settings (veryfast, CRF 21), 30 fps, small


def video_psnr(a: Path, b: Path) -> tuple[float, list[float]]:
    """PSNR of two videos over all their frames (from the mean squared error), and frame by frame."""
    fa, fb = rgb_frames(a), rgb_frames(b)
    assert len(fa) == len(fb)
    errors = [float(((x.astype("float64") - y.astype("float64")) ** 2).mean()) for x, y in zip(fa, fb, strict=True)]
    mean = sum(errors) / len(errors)
    return (99.0 if mean < 1e-9 else 10 * float(np.log10(255 ** 2 / mean))), [psnr(x, y) for x, y in
                                                                               zip(fa, fb, strict=True)]


@pytest.fixture(scope="module")
def made(media: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A project using every effect, rendered with segments, as one graph, again, after edits, and anew."""
    tmp = tmp_path_factory.mktemp("segments")
    p = Project.create(tmp / "p", "Segments", organisation="Mairie")
    p.set_export(title_card_s=0.6, end_card_s=0.6, crossfade_s=0.2, fade_s=0.2, burn_captions=True)
    p.set_logo(synth.paper_shape(tmp / "logo.png", "circle", (32, 32), seed=1))
    p.add_scene("Accueil", "Bonjour et bienvenue à tous.", lower_third="Camille, accueil")
    p.add_shot(1, media["clip"], in_s=0.3, out_s=1.5)
    p.add_scene("Atelier", "Le papier bouge tout seul.")
    p.add_shot(2, media["still"], duration_s=0.8, ken_burns=True)
    p.add_frames(2, sorted(media["frames"].iterdir()), fps=6)
    p.set_voiceover(2, media["voice2"])
    p.add_scene("Fin", "Merci.")
    p.add_shot(3, media["clip2"], speed=2.0)
    p.set_music(media["music"])
    out: dict[str, Any] = {"project": p, "dir": tmp}
    out["first"] = render_project(p, preset=WEB, out=tmp / "first.mp4")
    out["single"] = render_project(p, preset=WEB, out=tmp / "single.mp4", engine="single")
    out["again"] = render_project(p, preset=WEB, out=tmp / "again.mp4")
    p.update_scene("atelier", script="Le papier se plie et bouge.")  # its captions: inside its own segment
    out["script"] = render_project(p, preset=WEB, out=tmp / "script.mp4")
    p.update_shot("1.1", title="Le guichet")  # drawn on the last piece of scene 1, so in the cross-fade after
    out["edited"] = render_project(p, preset=WEB, out=tmp / "edited.mp4")
    out["fresh"] = render_project(p, preset=WEB, out=tmp / "fresh.mp4", cache=False)
    out["timeline"] = make_timeline(p, WEB)
    return out


def test_a_segment_per_scene_cut_where_its_cross_fade_starts(made: dict[str, Any]) -> None:
    tl = made["timeline"]
    f = frames_of(tl)
    segments = plan(tl)
    assert [s.groups for s in segments] == [("title-card",), ("accueil",), ("atelier",), ("fin",), ("end-card",)]
    assert [s.start for s in segments[1:]] == list(f.starts[1:])  # each starts with the cross-fade into its scene
    assert sum(s.frames for s in segments) == f.total == tl.frame_count
    assert made["first"].segments_rendered == tuple(s.groups[0] for s in segments) and made["first"].sound_rendered


@pytest.mark.parametrize("name", ["first", "again", "script", "edited", "fresh"])
def test_every_render_has_the_timeline_frames_and_duration(name: str, made: dict[str, Any]) -> None:
    tl = made["timeline"] if name in ("edited", "fresh") else None
    info = ffprobe(made[name].video)
    v = video_stream(info)
    expected = round(made[name].duration_s * WEB.fps)
    assert int(v["nb_frames"]) == expected and (tl is None or expected == tl.frame_count)
    assert abs(float(info["format"]["duration"]) - made[name].duration_s) <= 1 / WEB.fps + 1e-3
    assert (v["codec_name"], v["pix_fmt"], v["color_space"], v["color_primaries"]) == ("h264", "yuv420p", "bt709",
                                                                                       "bt709")
    assert [s["codec_name"] for s in info["streams"] if s["codec_type"] == "audio"] == ["aac"]
    head = made[name].video.read_bytes()[:4096]
    assert head.find(b"moov") != -1 and (head.find(b"mdat") == -1 or head.find(b"moov") < head.find(b"mdat"))


def test_only_what_an_edit_changes_is_encoded_again(made: dict[str, Any]) -> None:
    assert made["again"].segments_rendered == () and not made["again"].sound_rendered
    assert made["script"].segments_rendered == ("atelier",)
    assert set(made["script"].segments_reused) == {"title-card", "accueil", "fin", "end-card"}
    # a text on scene 1's last piece shows in the cross-fade into scene 2, which lies in scene 2's segment
    assert made["edited"].segments_rendered == ("accueil", "atelier")
    assert not made["script"].sound_rendered and not made["edited"].sound_rendered
    assert made["fresh"].segments_rendered == ("title-card", "accueil", "atelier", "fin", "end-card")


def test_reused_segments_are_not_stale(made: dict[str, Any]) -> None:
    """The cached render after two edits against one rendering everything anew: the same pictures."""
    whole, _frames = video_psnr(made["edited"].video, made["fresh"].video)
    assert whole >= 45


def test_segments_match_the_single_graph(made: dict[str, Any]) -> None:
    """Against `render --engine single` (before the edits): the encodes differ, the pictures do not, the
    cross-fades across segment boundaries included."""
    whole, frames = video_psnr(made["first"].video, made["single"].video)
    assert whole >= 38
    tl = made["timeline"]
    f = frames_of(tl)
    fades = [n + k for n in f.starts[1:] for k in range(f.overlap)]
    assert min(frames[n] for n in fades) >= 30


def _raw(tl: Any, folder: Path, a: int, b: int) -> Any:
    folder.mkdir()
    inputs, graph = compile_window(tl, Workdir(folder), a, b)
    (folder / "graph.txt").write_text(graph, encoding="utf-8")
    data = subprocess.run([ffmpeg_exe(), "-nostdin", "-v", "error", *inputs, "-/filter_complex", "graph.txt",
                           "-map", "[vout]", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"], cwd=folder,
                          capture_output=True, check=True).stdout
    return np.frombuffer(data, "uint8").reshape(-1, SIZE[0] * SIZE[1] * 3 // 2)


def test_a_stretch_draws_the_very_frames_of_the_whole(made: dict[str, Any], tmp_path: Path) -> None:
    """Any stretch (mid-clip, mid-pan, mid-stop-motion, inside a cross-fade or a fade) gives, before encoding,
    byte for byte the frames the whole video's graph gives there."""
    tl = made["timeline"]
    f = frames_of(tl)
    whole = _raw(tl, tmp_path / "whole", 0, f.total)
    assert len(whole) == f.total
    s = f.starts
    stretches = [(2, 3), (s[1] + 2, s[1] + 3), (s[1] + 9, s[1] + 14), (s[2] + 13, s[2] + 14), (s[2] + 30, s[2] + 31),
                 (s[3] + 1, s[3] + 8), (f.total - 2, f.total)]
    for n, (a, b) in enumerate(stretches):
        part = _raw(tl, tmp_path / f"s{n}", a, b)
        assert len(part) == b - a and np.array_equal(part, whole[a:b]), (a, b)


def test_the_cache_is_bounded_oldest_out(made: dict[str, Any], tmp_path: Path) -> None:
    cache = render_cache(made["project"])
    assert cache.folder == made["project"].root / ".cagette" / "cache" / "render"
    kept = cache.entries()
    assert len(kept) >= 6 and all(p.suffix in (".mp4", ".m4a") for p in kept)
    small = RenderCache(tmp_path / "c", 3000)
    for n in range(4):
        (tmp_path / f"{n}.bin").write_bytes(bytes(1000))
        small.store(f"k{n}", ".mp4", tmp_path / f"{n}.bin")
        os.utime(small.path(f"k{n}", ".mp4"), (1000 + n, 1000 + n))
    assert small.fetch("k0", ".mp4", tmp_path / "used.bin")  # used now: no longer the oldest
    gone = small.trim()
    assert [p.name for p in gone] == ["k1.mp4"] and small.size() <= 3000
    assert not small.fetch("k1", ".mp4", tmp_path / "gone.bin")


def test_a_render_keeps_the_cache_within_its_size(media: dict[str, Path], tmp_path: Path) -> None:
    p = Project.create(tmp_path / "p", "Petit cache")
    p.set_export(title_card=False, end_card=False, fade_s=0.0)
    p.add_scene("A")
    p.add_shot(1, media["still"], duration_s=0.4)
    p.add_scene("B")
    p.add_shot(2, media["still"], duration_s=0.4, ken_burns=True)
    r = render_project(p, preset=TINY, cache_mb=0)
    assert r.segments_rendered == ("a", "b") and render_cache(p).entries() == []
    assert int(video_stream(ffprobe(r.video))["nb_frames"]) == 20
    again = render_project(p, preset=replace(TINY, crf=30), out=tmp_path / "x.mp4")  # other settings: other keys
    assert again.segments_rendered == ("a", "b") and len(render_cache(p).entries()) == 3
