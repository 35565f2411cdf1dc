"""The timeline is a pure value: built from project data and media facts, no file read."""

from __future__ import annotations

from pathlib import Path

import pytest

from cagette.errors import ProjectError
from cagette.video import presets
from cagette.video.probe import MediaInfo
from cagette.video.project import ExportChoices, ProjectData, Scene, Shot
from cagette.video.timeline import Sources, build

ROOT = Path("/nonexistent/project")  # nothing is read: a missing folder proves it
PRESET = presets.get("draft")  # 25 fps


CLIP = MediaInfo(ROOT / "rushes/a.mp4", "video", 4.0, 1920, 1080, 0, 30.0, False, True, 48000, 2, "h264")
TALL = MediaInfo(ROOT / "rushes/b.mp4", "video", 2.0, 1920, 1080, 90, 30.0, False, False, 0, 0, "h264")
VOICE = MediaInfo(ROOT / "audio/voice-a.wav", "audio", 5.0, has_audio=True, audio_rate=22050)
PHOTO = MediaInfo(ROOT / "rushes/p.jpg", "image", 0.0, 4000, 3000, 0, codec="mjpeg")
FRAME = MediaInfo(ROOT / "frames/b/0001.png", "image", 0.0, 640, 360, 0, codec="png")


def sources(speech: dict[str, tuple[tuple[float, float], ...]] | None = None) -> Sources:
    return Sources({m.path: m for m in (CLIP, TALL, VOICE, PHOTO, FRAME)},
                   {"frames/b": tuple(ROOT / f"frames/b/{i:04d}.png" for i in range(1, 13))},
                   speech or {})


def data(export: ExportChoices | None = None) -> ProjectData:
    a = Scene("a", "A", "Bonjour à tous. Voici la première scène.", (
        Shot("s1", "clip", "rushes/a.mp4", in_s=1.0, out_s=3.0),  # 2 s
        Shot("s2", "still", "rushes/p.jpg", duration_s=1.0, ken_burns=True),
    ), voice="audio/voice-a.wav", lower_third="Camille")
    b = Scene("b", "B", "Deuxième scène.", (
        Shot("s3", "frames", "frames/b", fps=6.0),  # 12 frames → 2 s
        Shot("s4", "clip", "rushes/b.mp4", speed=2.0),  # 1 s
        Shot("s5", "title", title="Fin", caption="Merci !"),  # 2 s
    ))
    return ProjectData(title="T", organisation="Mairie", scenes=(a, b),
                       export=export or ExportChoices(title_card_s=2.0, end_card_s=3.0))


def test_durations_voice_extension_and_frames() -> None:
    tl = build(ROOT, data(), sources(), PRESET)
    slugs = [g.slug for g in tl.groups]
    assert slugs == ["title-card", "a", "b", "end-card"]
    a, b = tl.groups[1], tl.groups[2]
    # voice 5 s + 0.5 s beats 2 + 1 s of shots; the hold is rounded up to whole frames (62.5 → 63 at 25 fps)
    assert a.duration_s == pytest.approx(3.0 + 63 / 25)
    assert a.visuals[-1].hold_s == pytest.approx(63 / 25) and a.visuals[0].lower_third == "Camille"
    assert b.duration_s == pytest.approx(2.0 + 1.0 + 2.0)
    assert tl.duration_s == pytest.approx(2.0 + 5.52 + 5.0 + 3.0)
    assert tl.frame_count == round(tl.duration_s * 25)
    assert b.visuals[1].rotation == 90 and b.visuals[1].size == (1080, 1920) and b.visuals[1].fill == "blur"


def test_crossfades_overlap_groups() -> None:
    tl = build(ROOT, data(ExportChoices(title_card_s=2.0, end_card_s=3.0, crossfade_s=0.4)), sources(), PRESET)
    starts = [g.start_s for g in tl.groups]
    assert starts == pytest.approx([0.0, 1.6, 6.72, 11.32])
    assert tl.duration_s == pytest.approx(2.0 + 5.52 + 5.0 + 3.0 - 3 * 0.4)


def test_audio_plan_and_captions() -> None:
    tl = build(ROOT, data(), sources({"a": ((0.5, 2.0), (2.5, 4.5))}), PRESET)
    roles = sorted((a.role, a.gain_db) for a in tl.audio)
    assert roles == [("sound", -12.0), ("voice", 0.0)]  # clip sound ducked under the voice; tall clip is silent
    voice = next(a for a in tl.audio if a.role == "voice")
    assert voice.start_s == pytest.approx(2.0)
    assert tl.captions[0].start_s >= 2.5  # the first words come 0.5 s into the voice
    assert any(c.text == "Merci !" for c in tl.captions)
    assert tl.loudness_lufs == -16.0


def test_nothing_to_show_is_an_error() -> None:
    empty = ProjectData(export=ExportChoices(title_card=False, end_card=False))
    with pytest.raises(ProjectError):
        build(ROOT, empty, Sources({}, {}, {}), PRESET)


def test_scene_without_shots_shows_its_title_for_the_script() -> None:
    d = ProjectData(scenes=(Scene("x", "Storyboard", " ".join(["mot"] * 26)),),
                    export=ExportChoices(title_card=False, end_card=False))
    tl = build(ROOT, d, Sources({}, {}, {}), PRESET, words_per_minute=130)
    assert tl.groups[0].visuals[0].kind == "card" and tl.duration_s == pytest.approx(12.0)


def test_only_a_flickering_sequence_is_deflickered() -> None:
    from cagette.video.timeline import flickers

    assert flickers([150, 160, 145, 158, 149, 162, 151])  # the light wavers
    assert not flickers([150.0] * 8)  # nothing to even out
    assert not flickers([150, 151, 149, 60, 61, 60, 59])  # the picture changed: keep it as it is
    assert not flickers([29, 76, 150])  # three different pictures (blue, red, green)
