"""Media as it comes from phones and sound editors, checked with Debian's ffprobe as the independent probe."""

from __future__ import annotations

import json
import subprocess
import wave
from pathlib import Path
from typing import Any

import pytest

from cagette.video import presets, synth
from cagette.video.check import check_project
from cagette.video.ffgraph import ffmpeg_exe
from cagette.video.probe import probe
from cagette.video.project import Project
from cagette.video.render import make_timeline, render_project
from tests.conftest import run_cli
from tests.video.conftest import FPS, SIZE, ffprobe, rgb_frames, video_stream

TINY = presets.get("draft").scaled(*SIZE)

# (file name, codec, rate, channels): every way a voice-over arrives
AUDIO = [("s24.wav", "pcm_s24le", 44100, 2), ("s32.wav", "pcm_s32le", 96000, 1), ("f32.wav", "pcm_f32le", 48000, 2),
         ("f64.wav", "pcm_f64le", 16000, 1), ("s16.wav", "pcm_s16le", 8000, 1), ("voice.mp3", "libmp3lame", 44100, 2),
         ("voice.m4a", "aac", 48000, 1), ("voice.opus", "libopus", 48000, 2), ("voice.ogg", "libvorbis", 22050, 1)]


def _convert(src: Path, dst: Path, codec: str, rate: int, channels: int) -> Path:
    subprocess.run([ffmpeg_exe(), "-nostdin", "-v", "error", "-y", "-i", str(src), "-c:a", codec, "-ar", str(rate),
                    "-ac", str(channels), str(dst)], check=True)
    return dst


def _audio(info: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in info["streams"] if s["codec_type"] == "audio")


@pytest.fixture(scope="module")
def voices(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("voices")
    speech = synth.speech_wav(d / "speech.wav", "Bonjour à tous.", pad_s=0.4)
    made = {name: _convert(speech, d / name, codec, rate, ch) for name, codec, rate, ch in AUDIO}
    return {**made, "speech": speech}


@pytest.mark.slow
def test_any_audio_is_a_voice_over(voices: dict[str, Path], media: dict[str, Path], tmp_path: Path) -> None:
    p = Project.create(tmp_path / "p", "Sons")
    p.set_export(title_card=False, end_card=False, fade_s=0.0)
    for n, (name, *_rest) in enumerate(AUDIO, 1):
        p.add_scene(name, "Bonjour à tous.")
        p.add_shot(n, media["still"], duration_s=0.4)
        p.set_voiceover(n, voices[name])
    # one more, put in audio/ by hand: a float WAV that was never converted
    raw = tmp_path / "p" / "audio" / "by-hand.wav"
    raw.write_bytes(voices["f32.wav"].read_bytes())
    p.add_scene("hand", "Bonjour à tous.")
    p.add_shot(len(AUDIO) + 1, media["still"], duration_s=0.4)
    text = p.file.read_text(encoding="utf-8").replace('slug = "hand"', 'slug = "hand"\nvoice = "audio/by-hand.wav"')
    p.file.write_text(text, encoding="utf-8")
    p = Project.open(p.root)
    speech = synth.wav_duration(voices["speech"])
    for sc in p.data.scenes[:-1]:  # converted once, as the voice format (read with the standard library)
        with wave.open(str(p.path(sc.voice))) as wf:
            assert (wf.getsampwidth(), wf.getframerate(), wf.getnchannels()) == (2, 48000, 1), sc.slug
            assert abs(wf.getnframes() / 48000 - speech) < 0.08, sc.slug
    a = _audio(ffprobe(p.path(p.data.scenes[0].voice)))  # and one by Debian's ffprobe
    assert (a["codec_name"], a["sample_rate"], a["channels"]) == ("pcm_s16le", "48000", 1)
    problems = check_project(p, preset=TINY)
    assert not [x for x in problems if x.level == "error"], problems
    tl = make_timeline(p, TINY)
    # the speech was found in every file, whatever its format: each scene's first caption waits for it
    for g in tl.groups:
        first = min((c for c in tl.captions if g.start_s <= c.start_s < g.start_s + g.duration_s),
                    key=lambda c: c.start_s)
        assert first.start_s >= g.start_s + 0.25, g.slug
    # and the render reads them: the ones the render used to refuse (24-bit, float by hand) and a compressed one
    for sc in p.data.scenes:
        if sc.slug not in ("s24-wav", "voice-opus", "hand"):
            p.remove_scene(sc.slug)
    tl = make_timeline(p, TINY)
    assert [g.slug for g in tl.groups] == ["s24-wav", "voice-opus", "hand"]
    info = ffprobe(render_project(p, preset=TINY).video)
    assert abs(float(info["format"]["duration"]) - tl.duration_s) < 0.1
    assert any(s["codec_type"] == "audio" for s in info["streams"])


@pytest.mark.slow
def test_import_a_sound_as_voice_over_or_music(voices: dict[str, Path], media: dict[str, Path],
                                               tmp_path: Path) -> None:
    proj = tmp_path / "p"
    Project.create(proj, "Import")
    r = run_cli("project", "import", str(proj), str(media["still"]), str(voices["voice.m4a"]), "--scene", "1")
    assert r.returncode == 0, r.stderr
    assert "voice-over" in r.stdout
    r = run_cli("project", "import", str(proj), str(voices["voice.mp3"]), "--music", "--json")
    assert r.returncode == 0, r.stderr
    d = Project.open(proj).data
    assert d.scene(1).voice == "audio/voice-scene-1.wav" and json.loads(r.stdout)["music"] == d.music.source
    assert _audio(ffprobe(proj / d.music.source))["codec_name"] == "mp3"  # the music is kept as it came
    r = run_cli("project", "import", str(proj), str(voices["voice.mp3"]), str(voices["voice.ogg"]))
    assert r.returncode == 2 and "voice-over" in r.stderr


def test_the_same_clip_imported_twice_is_stored_once(media: dict[str, Path], tmp_path: Path) -> None:
    proj = tmp_path / "p"
    Project.create(proj, "Deux fois")
    assert run_cli("project", "import", str(proj), str(media["clip"])).returncode == 0
    copy = tmp_path / "renamed-on-the-phone.mp4"
    copy.write_bytes(media["clip"].read_bytes())
    r = run_cli("project", "import", str(proj), str(copy))
    assert r.returncode == 0, r.stderr
    assert "already in the project" in r.stdout and "rushes/clip.mp4" in r.stdout
    assert [f.name for f in (proj / "rushes").iterdir()] == ["clip.mp4"]
    shots = Project.open(proj).data.scene(1).shots
    assert [s.source for s in shots] == ["rushes/clip.mp4", "rushes/clip.mp4"]


@pytest.mark.slow
def test_heic_photos_are_stills(tmp_path: Path) -> None:
    import pillow_heif
    from PIL import Image

    img = Image.new("RGB", (320, 240), (200, 40, 40))
    img.paste((40, 60, 200), (160, 0, 320, 240))
    heif = pillow_heif.from_pillow(img)
    heif.save(str(tmp_path / "IMG_0001.HEIC"), quality=95)
    head = (tmp_path / "IMG_0001.HEIC").read_bytes()[:12]
    assert head[4:12] == b"ftypheic"  # a real HEIC, as an iPhone writes
    info = probe(tmp_path / "IMG_0001.HEIC")
    assert (info.kind, info.width, info.height) == ("image", 320, 240)
    proj = tmp_path / "p"
    Project.create(proj, "Photo")
    assert run_cli("project", "import", str(proj), str(tmp_path / "IMG_0001.HEIC")).returncode == 0
    p = Project.open(proj)
    p.set_export(title_card=False, end_card=False, fade_s=0.0, portrait_fill="bars")
    assert p.data.scene(1).shots[0].kind == "still"
    out = render_project(p, preset=presets.get("draft").scaled(320, 240)).video
    frame = rgb_frames(out)[3].astype(int)
    left, right = frame[100:140, 40:120].mean(axis=(0, 1)), frame[100:140, 200:280].mean(axis=(0, 1))
    assert max(abs(left - (200, 40, 40))) < 12 and max(abs(right - (40, 60, 200))) < 12


def _decodable_frames(path: Path) -> int:
    """Frames Debian's ffprobe can decode (it reads the data, not the index)."""
    out = subprocess.run(["ffprobe", "-v", "quiet", "-select_streams", "v:0", "-count_frames", "-show_entries",
                          "stream=nb_read_frames", "-of", "json", str(path)], capture_output=True, text=True)
    return int(json.loads(out.stdout)["streams"][0]["nb_read_frames"])


@pytest.mark.slow
def test_a_truncated_faststart_clip_is_used_up_to_where_it_plays(tmp_path: Path) -> None:
    import numpy as np

    whole = synth.clip(tmp_path / "whole.mp4", 3.0, SIZE, FPS, extra=["-movflags", "+faststart", "-g", "10"])
    data = whole.read_bytes()
    assert data.find(b"moov") < data.find(b"mdat")  # the index comes first
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.55)])
    frames = _decodable_frames(cut)
    assert 10 < frames < 3.0 * FPS - 10
    info = probe(cut)
    assert info.truncated and info.announced_s == pytest.approx(3.0, abs=0.05)
    assert abs(info.duration_s - frames / FPS) <= 2 / FPS
    proj = tmp_path / "p"
    Project.create(proj, "Coupé")
    r = run_cli("project", "import", str(proj), str(cut))
    assert r.returncode == 0 and "truncated" in r.stdout, r.stdout + r.stderr
    r = run_cli("project", "check", str(proj), "--json")
    assert any("truncated" in x["message"] and x["level"] == "warning" for x in json.loads(r.stdout)["problems"])
    p = Project.open(proj)
    p.set_export(title_card=False, end_card=False, fade_s=0.0)
    out = render_project(p, preset=TINY).video
    assert abs(float(ffprobe(out)["format"]["duration"]) - info.duration_s) <= 2 / FPS
    decoded = rgb_frames(out)
    assert len(decoded) == int(video_stream(ffprobe(out))["nb_frames"])
    tail = [np.abs(decoded[k].astype(int) - decoded[k - 2].astype(int)).mean() for k in range(len(decoded) - 6,
                                                                                          len(decoded))]
    assert min(tail) > 0.5  # the picture still moves to the end: nothing frozen
