"""Rendering, checked with independent tools: Debian's ffprobe, Debian's ffmpeg loudness scan, PyAV decoding."""

from __future__ import annotations

import itertools
import wave
from pathlib import Path

import pytest

from cagette.errors import MediaError, UsageError
from cagette.video import presets, reference, script
from cagette.video.project import Project
from cagette.video.render import make_timeline, render_project
from tests.video.conftest import FPS, SIZE, decode_frames, ffprobe, loudness, psnr, video_stream

TINY = presets.get("draft").scaled(*SIZE)
FRAME = 1 / FPS


def wav_s(path: Path) -> float:
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


def q(x: float) -> float:
    return max(1, round(x * FPS)) / FPS


@pytest.fixture(scope="module")
def rendered(media: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("render") / "proj"
    p = Project.create(root, "Changer d'adresse", organisation="Mairie de Villeneuve", authors=["Camille"])
    p.set_export(title_card_s=1.0, end_card_s=1.0, fade_s=0.2)
    p.add_scene("Accueil", "Bonjour et bienvenue. Voici comment déclarer un changement d'adresse.")
    p.add_shot(1, media["clip"], in_s=0.4)  # 1.6 s
    p.add_shot(1, media["still"], duration_s=1.0, ken_burns=True)
    p.set_voiceover(1, media["voice"])
    p.add_scene("Animation", "Le papier bouge tout seul.")
    p.add_frames(2, sorted(media["frames"].iterdir()), fps=6)  # 1.0 s
    p.add_shot(2, media["clip2"], out_s=1.0, speed=2.0)  # 0.5 s
    p.set_music(media["music"])
    out = root / "exports" / "draft" / "changer-d-adresse.mp4"
    result = render_project(p, preset=TINY)
    voice = wav_s(media["voice"])
    scene1 = max(q(1.6) + q(1.0), q(voice + 0.5))
    expected = 1.0 + scene1 + q(1.0) + q(0.5) + 1.0
    return {"project": p, "result": result, "out": out, "expected": expected, "scene1": scene1, "voice": voice}


def test_outputs_exist_with_the_default_name(rendered: dict) -> None:
    r = rendered["result"]
    assert r.video == rendered["out"] and r.video.is_file()
    for f in (r.srt, r.vtt, r.transcript, r.thumbnail):
        assert f.is_file() and f.stat().st_size > 0
    assert r.thumbnail.read_bytes()[:2] == b"\xff\xd8"
    assert not list(r.video.parent.glob(".*part*"))
    text = r.transcript.read_text()
    assert "Changer d'adresse" in text and "Le papier bouge tout seul." in text


def test_duration_size_and_format_per_ffprobe(rendered: dict) -> None:
    info = ffprobe(rendered["out"])
    v = video_stream(info)
    assert (v["width"], v["height"]) == SIZE
    assert v["pix_fmt"] == "yuv420p" and v["codec_name"] == "h264"
    assert any(s["codec_type"] == "audio" and s["codec_name"] == "aac" for s in info["streams"])
    assert abs(float(info["format"]["duration"]) - rendered["expected"]) <= FRAME + 1e-3
    assert abs(int(v["nb_frames"]) / FPS - rendered["expected"]) <= FRAME + 1e-3


def test_faststart_puts_moov_first(rendered: dict) -> None:
    head = rendered["out"].read_bytes()[:4096]
    assert head.find(b"moov") != -1 and (head.find(b"mdat") == -1 or head.find(b"moov") < head.find(b"mdat"))


def test_loudness_web_and_true_peak(rendered: dict) -> None:
    integrated, peak = loudness(rendered["out"])
    assert abs(integrated - -16.0) <= 1.0
    assert peak <= -1.0


def test_captions_parse_do_not_overlap_and_follow_the_voice(rendered: dict) -> None:
    r = rendered["result"]
    caps = script.parse_srt(r.srt.read_text())
    assert len(caps) >= 3
    for a, b in itertools.pairwise(caps):
        assert a.end_s <= b.start_s + 1e-6
    for c in caps:
        assert len(c.lines) <= 2 and all(len(x) <= 42 for x in c.lines)
        assert c.end_s - c.start_s >= 1.0 - 1e-6
        assert c.end_s <= rendered["expected"] + 1e-6
    vtt = r.vtt.read_text()
    assert vtt.startswith("WEBVTT") and vtt.count("-->") == len(caps)
    # the voice starts with the scene, after the 1 s title card: mid-speech a caption is on screen
    speech = script.speech_segments(rendered["project"].root / "audio" / "voice-accueil.wav")
    a, b = speech[0]
    t = 1.0 + (a + b) / 2
    assert any(c.start_s <= t < c.end_s for c in caps)


def test_card_colour_matches_the_reference(rendered: dict) -> None:
    tl = make_timeline(rendered["project"], TINY)
    frames = decode_frames(rendered["out"])
    mine = frames[round(0.5 * FPS)]
    ref = reference.preview_frame(tl, 0.5)
    # corners are background only
    assert psnr(mine[:10, :10], ref[:10, :10]) >= 30


def test_refuses_to_overwrite_without_force(rendered: dict) -> None:
    p = rendered["project"]
    before = rendered["out"].stat().st_mtime_ns
    with pytest.raises(UsageError, match="already exists"):
        render_project(p, preset=TINY)
    assert rendered["out"].stat().st_mtime_ns == before


@pytest.mark.slow
@pytest.mark.parametrize("name", ["web-16x9", "story-9x16", "square-1x1", "draft"])
def test_each_preset_gives_its_size(name: str, media: dict[str, Path], tmp_path: Path) -> None:
    p = Project.create(tmp_path / "p", "Format")
    p.set_export(title_card=False, end_card=False, fade_s=0.0)
    p.add_scene("Une")
    p.add_shot(1, media["still"], duration_s=0.4)
    preset = presets.get(name)
    out = render_project(p, preset=preset, out=tmp_path / "x.mp4").video
    v = video_stream(ffprobe(out))
    assert (v["width"], v["height"]) == (preset.width, preset.height)
    assert v["pix_fmt"] == "yuv420p"
    assert v["r_frame_rate"] == f"{preset.fps}/1"
    assert int(v["nb_frames"]) == round(0.4 * preset.fps)


def test_lobby_loudness_and_crossfade(media: dict[str, Path], tmp_path: Path) -> None:
    p = Project.create(tmp_path / "p", "Hall")
    p.set_export(title_card=False, end_card_s=1.0, crossfade_s=0.4, fade_s=0.0, loudness="lobby")
    p.add_scene("A")
    p.add_shot(1, media["clip"])
    p.add_scene("B")
    p.add_shot(2, media["still"], duration_s=0.6, ken_burns=True)  # several pieces, one a panned still
    p.add_shot(2, media["clip2"])
    p.set_voiceover(2, media["voice2"])
    out = render_project(p, preset=TINY).video
    integrated, peak = loudness(out)
    assert abs(integrated - -23.0) <= 1.0 and peak <= -1.0
    scene_b = max(q(0.6) + q(1.2), q(wav_s(media["voice2"]) + 0.5))
    expected = q(2.0) + scene_b + 1.0 - 2 * 0.4
    assert abs(float(ffprobe(out)["format"]["duration"]) - expected) <= FRAME + 1e-3


def test_awkward_phone_clips_render(media: dict[str, Path], tmp_path: Path) -> None:
    """Rotation metadata, portrait, variable frame rate, 44.1 kHz, no audio, a rotation override."""
    p = Project.create(tmp_path / "p", "Téléphone")
    p.set_export(title_card=False, end_card=False, fade_s=0.0, portrait_fill="bars")
    p.add_scene("Corpus")
    for key in ("rotated", "portrait", "vfr", "hz44", "noaudio"):
        p.add_shot(1, media[key])
    override = p.add_shot(1, media["rotated"], rotation=0)
    tl = make_timeline(p, TINY)
    out = render_project(p, preset=TINY).video
    info = ffprobe(out)
    assert abs(float(info["format"]["duration"]) - 6.0) <= FRAME + 1e-3
    assert any(s["codec_type"] == "audio" for s in info["streams"])
    frames = decode_frames(out)
    # the rotated clip plays upright, i.e. portrait: black bars on both sides
    rotated = frames[round(0.5 * FPS)]
    assert rotated[:, :20].mean() < 12 and rotated[:, -20:].mean() < 12 and rotated[:, 80:110].mean() > 40
    # the portrait clip too; the override (rotation 0) fills the landscape frame
    assert frames[round(1.5 * FPS)][:, :20].mean() < 12
    assert frames[round(5.5 * FPS)][:, :20].mean() > 40
    assert tl.groups[0].visuals[-1].rotation == 0 and override.rotation == 0
    assert [v.rotation for v in tl.groups[0].visuals[:2]] == [90, 0]


@pytest.mark.parametrize("key", ["truncated", "fake"])
def test_broken_media_is_refused_naming_the_file(key: str, media: dict[str, Path], tmp_path: Path) -> None:
    p = Project.create(tmp_path / "p", "Cassé")
    p.add_scene("A")
    with pytest.raises(MediaError) as err:  # refused when it is added...
        p.add_shot(1, media[key])
    assert media[key].name in err.value.message and not list(p.rushes_dir.iterdir())
    shot = p.add_shot(1, media["clip"])
    (p.root / shot.source).write_bytes(media[key].read_bytes())  # ...and when it was damaged after
    with pytest.raises(MediaError) as err:
        render_project(p, preset=TINY)
    assert Path(shot.source).name in err.value.message
    assert err.value.hint
    assert not list((p.root / "exports").rglob("*.mp4"))


def test_hdr_hevc_clip_is_tone_mapped(tmp_path: Path) -> None:
    from cagette.video import synth
    from cagette.video.probe import probe

    hdr = synth.clip(tmp_path / "iphone-hdr.mov", 0.6, SIZE, FPS, number=9, hdr=True)
    info = probe(hdr)
    assert info.hdr and info.codec == "hevc"
    p = Project.create(tmp_path / "p", "HDR")
    p.set_export(title_card=False, end_card=False, fade_s=0.0)
    p.add_scene("A")
    p.add_shot(1, hdr)
    out = render_project(p, preset=TINY).video
    v = video_stream(ffprobe(out))
    assert v["pix_fmt"] == "yuv420p" and v["codec_name"] == "h264"
    frame = decode_frames(out)[5]
    assert 20 < frame.mean() < 235  # neither washed out nor black


def test_cancel_from_the_progress_callback_leaves_nothing(media: dict[str, Path], tmp_path: Path) -> None:
    from cagette.errors import Cancelled
    from cagette.progress import Progress, ProgressEvent

    p = Project.create(tmp_path / "p", "Annulé")
    p.add_scene("A")
    p.add_shot(1, media["clip"], speed=0.2)  # 10 s of output
    seen: list[ProgressEvent] = []
    progress = Progress(min_interval_s=0)

    def on_event(ev: ProgressEvent) -> None:
        seen.append(ev)
        if ev.task == "Rendering" and ev.done > 0:
            progress.token.cancel()

    progress.callback = on_event
    with pytest.raises(Cancelled):
        render_project(p, preset=presets.get("draft"), progress=progress)
    assert any(ev.task == "Rendering" and ev.total for ev in seen)
    assert not [f for f in (p.root / "exports").rglob("*") if f.is_file()]
    assert not list((p.root / ".cagette" / "work").iterdir())




@pytest.mark.slow
def test_deflicker_evens_out_stop_motion_and_can_be_turned_off(tmp_path: Path) -> None:
    """Frames of one scene under a flickering light: with deflicker (the default) their brightness varies
    far less in the render; `cagette render --no-deflicker` keeps the flicker."""
    import numpy as np
    from PIL import Image

    from tests.conftest import run_cli
    from tests.video.conftest import luma_planes

    frames = []
    for k in range(12):
        level = 150 + (16 if k % 2 else -16)  # the light goes up and down every other frame
        img = Image.new("RGB", SIZE, (level, level, level))
        frames.append(tmp_path / f"{k:02d}.png")
        img.save(frames[-1])
    p = Project.create(tmp_path / "p", "Lumière")
    p.set_export(title_card=False, end_card=False, fade_s=0.0)
    p.add_scene("A")
    p.add_frames(1, frames, fps=12.5)
    on = render_project(p, preset=TINY, out=tmp_path / "on.mp4").video
    r = run_cli("render", str(p.root), "--preset", "draft", "--out", str(tmp_path / "off.mp4"), "--no-deflicker")
    assert r.returncode == 0, r.stderr

    def spread(path: Path) -> float:
        means = [float(y.mean()) for _n, y in sorted(luma_planes(path).items())]
        return float(np.std(means[2:-4]))  # away from the window's ends

    assert spread(tmp_path / "off.mp4") > 10
    assert spread(on) < spread(tmp_path / "off.mp4") / 4
