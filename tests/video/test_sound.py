"""The mix, measured in the rendered files by Debian's ffmpeg (band levels): ducking depth, fades, clip
volumes, voice clean-up."""

from __future__ import annotations

import math
import wave
from pathlib import Path

import numpy as np
import pytest

from cagette.video import presets, synth
from cagette.video.ffaudio import render_audio
from cagette.video.project import Project
from cagette.video.render import make_timeline, render_project
from tests.video.conftest import SIZE, band_level_db

TINY = presets.get("draft").scaled(*SIZE)
RATE = 48000


def _wav(path: Path, samples: np.ndarray) -> Path:
    with wave.open(str(path), "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(RATE)
        wf.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def _tone(freq: float, seconds: float, amplitude: float) -> np.ndarray:
    t = np.arange(round(seconds * RATE)) / RATE
    return amplitude * np.sin(2 * math.pi * freq * t)


def _still(tmp_path: Path, seconds: float) -> Project:
    p = Project.create(tmp_path / "p", "Son")
    p.set_export(title_card=False, end_card=False, fade_s=0.0)
    p.add_scene("A")
    p.add_shot(1, synth.frame_image(tmp_path / "s.png", 1, SIZE), duration_s=seconds)
    return p


@pytest.mark.slow
@pytest.mark.parametrize("depth", [14.0, 8.0])
def test_music_is_ducked_by_the_configured_depth(depth: float, tmp_path: Path) -> None:
    """Music level while the voice speaks against its level without voice, both inside one render."""
    voice = np.concatenate([np.zeros(RATE), _tone(1000, 2.5, 0.3), np.zeros(RATE // 2)])
    p = _still(tmp_path, 6.0)
    p.set_voiceover(1, _wav(tmp_path / "voice.wav", voice))
    p.set_music(_wav(tmp_path / "music.wav", _tone(200, 6.0, 0.1)), volume_db=0.0, duck_db=-depth, fade_in_s=0,
                fade_out_s=0)
    out = render_project(p, preset=TINY).video
    under = band_level_db(out, 200, 1.6, 3.2)  # well inside the speech
    free = band_level_db(out, 200, 4.6, 5.8)  # well after it (and its release)
    assert abs((free - under) - depth) <= 2.0, (free, under)


@pytest.mark.slow
def test_music_fades_in_and_out(tmp_path: Path) -> None:
    p = _still(tmp_path, 5.0)
    p.set_music(_wav(tmp_path / "music.wav", _tone(200, 5.0, 0.2)), volume_db=0.0, fade_in_s=1.5, fade_out_s=1.5)
    out = render_project(p, preset=TINY).video
    middle = band_level_db(out, 200, 2.0, 3.0)
    assert band_level_db(out, 200, 0.0, 0.3) < middle - 10
    assert band_level_db(out, 200, 4.7, 5.0) < middle - 10
    assert band_level_db(out, 200, 0.5, 1.0) < middle - 2  # still rising


@pytest.mark.slow
def test_each_clip_has_its_volume(tmp_path: Path) -> None:
    clip = synth.clip(tmp_path / "c.mp4", 1.5, SIZE, 25, freq=440.0)
    p = Project.create(tmp_path / "p", "Volumes")
    p.set_export(title_card=False, end_card=False, fade_s=0.0)
    p.add_scene("A")
    p.add_shot(1, clip)
    p.add_shot(1, clip, volume_db=-12.0)
    out = render_project(p, preset=TINY).video
    loud, soft = band_level_db(out, 440, 0.3, 1.2), band_level_db(out, 440, 1.8, 2.7)
    assert abs((loud - soft) - 12.0) <= 1.5, (loud, soft)


@pytest.mark.slow
def test_voice_clean_up_removes_hum_and_hiss_and_keeps_the_voice(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    n = 4 * RATE
    words = (np.arange(n) // (RATE // 2)) % 2 == 0  # half a second of voice, half a second of pause
    voice = _tone(1000, 4, 0.25) * words + _tone(50, 4, 0.15) + rng.normal(0, 0.01, n)
    p = _still(tmp_path, 4.0)
    p.set_voiceover(1, _wav(tmp_path / "voice.wav", voice))
    levels = {}
    for clean in (True, False):
        work = tmp_path / f"work-{clean}"
        work.mkdir()
        tl = make_timeline(p, TINY, voice_cleanup=clean)
        mix = render_audio(tl, work)
        levels[clean] = {f: band_level_db(mix, f, 1.0, 3.5) for f in (50, 1000, 6000)}
        levels[clean]["pause"] = band_level_db(mix, 6000, 1.55, 1.95)
    on, off = levels[True], levels[False]
    assert (on[50] - on[1000]) <= (off[50] - off[1000]) - 12  # the hum, relative to the voice, 12 dB lower
    assert (on[6000] - on[1000]) <= (off[6000] - off[1000]) - 5  # the hiss too
    assert on["pause"] <= off["pause"] - 5 + (on[1000] - off[1000])  # in the pauses as well
    assert abs(off[1000] - -16) < 6  # (loudness normalised: levels are compared relative to the voice)
