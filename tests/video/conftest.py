"""Media made by the tests themselves, and independent probes (Debian's ffprobe, Debian's ffmpeg loudness scan)."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cagette.video import synth

SIZE = (192, 108)
FPS = 25


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("media")
    m: dict[str, Path] = {}
    m["clip"] = synth.clip(d / "clip.mp4", 2.0, SIZE, FPS, number=1)
    m["clip2"] = synth.clip(d / "clip2.mp4", 1.2, SIZE, FPS, number=2, freq=660)
    m["still"] = synth.frame_image(d / "still.jpg", 3, (384, 216))
    m["frames"] = d / "frames"
    for i in range(6):
        synth.frame_image(d / "frames" / f"img{i}.png", i, SIZE)
    m["voice"] = synth.speech_wav(d / "voice.wav", "Bonjour et bienvenue. Voici comment déclarer un changement "
                                  "d'adresse.", pad_s=0.3)
    m["voice2"] = synth.speech_wav(d / "voice2.wav", "Le papier bouge tout seul.")
    m["music"] = synth.music_wav(d / "music.wav", 3.0)
    m["portrait"] = synth.clip(d / "portrait.mp4", 1.0, (108, 192), FPS, number=4)
    m["rotated"] = synth.clip(d / "rotated.mp4", 1.0, SIZE, FPS, number=5, rotation=90)
    m["vfr"] = synth.clip(d / "vfr.mp4", 1.0, SIZE, 30, number=6, vfr=True)
    m["hz44"] = synth.clip(d / "hz44.mp4", 1.0, SIZE, FPS, number=7, audio_rate=44100)
    m["noaudio"] = synth.clip(d / "noaudio.mov", 1.0, SIZE, FPS, number=8, audio_rate=None)
    data = m["clip"].read_bytes()
    (d / "truncated.mp4").write_bytes(data[: len(data) // 3])
    m["truncated"] = d / "truncated.mp4"
    (d / "notavideo.mp4").write_text("this is a shopping list, not a video\n")
    m["fake"] = d / "notavideo.mp4"
    return m


def ffprobe(path: Path) -> dict[str, Any]:
    out = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
                          str(path)], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def video_stream(info: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in info["streams"] if s["codec_type"] == "video")


def loudness(path: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) of a file's sound, measured independently of
    cagette: Debian's ffmpeg (another build) with loudnorm's scan (libebur128), where cagette meters
    with the bundled ffmpeg's ebur128 filter."""
    import json

    res = subprocess.run(["/usr/bin/ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-i", str(path), "-map", "0:a",
                          "-af", "loudnorm=print_format=json", "-f", "null", "-"], capture_output=True, text=True)
    data = json.loads(re.search(r"\{[^{}]*\"input_i\"[^{}]*\}", res.stderr).group(0))  # type: ignore[union-attr]
    return float(data["input_i"]), float(data["input_tp"])


def _by_number(path: Path, picture: Callable[[Any], Any]) -> dict[int, Any]:
    """``picture(frame)`` of every frame of a video, by frame number (decoded with PyAV)."""
    import av

    out = {}
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        rate = float(stream.average_rate)
        for f in c.decode(stream):
            out[round(f.time * rate)] = picture(f)
    return out


def decode_frames(path: Path) -> dict[int, Any]:
    """Every frame of a video by frame number (RGB arrays), decoded with PyAV."""
    return _by_number(path, lambda f: f.to_ndarray(format="rgb24"))


def psnr(a: Any, b: Any) -> float:
    import numpy as np

    mse = float(((a.astype("float64") - b.astype("float64")) ** 2).mean())
    return 99.0 if mse < 1e-9 else 10 * float(np.log10(255 ** 2 / mse))


DEBIAN_FFMPEG = "/usr/bin/ffmpeg"


def rgb_frames(path: Path) -> list[Any]:
    """Every frame as RGB, decoded by Debian's ffmpeg as a BT.709 player does (explicit matrix, video range)."""
    import numpy as np

    v = video_stream(ffprobe(path))
    w, h = int(v["width"]), int(v["height"])
    raw = subprocess.run([DEBIAN_FFMPEG, "-v", "error", "-nostdin", "-i", str(path), "-vf",
                          "scale=in_color_matrix=bt709:in_range=tv:out_range=pc,format=rgb24", "-f", "rawvideo",
                          "-"], capture_output=True, check=True).stdout
    data = np.frombuffer(raw, "uint8")
    return list(data.reshape(-1, h, w, 3))


def luma_planes(path: Path) -> dict[int, Any]:
    """The stored luma (Y) plane of every frame, by frame number (PyAV, no colour conversion)."""
    import numpy as np

    def luma(f: Any) -> Any:
        plane = f.planes[0]
        return np.frombuffer(plane, "uint8").reshape(-1, plane.line_size)[: f.height, : f.width].copy()

    return _by_number(path, luma)


def bt709_luma(rgb: Any) -> Any:
    """Video-range BT.709 luma of RGB pixels (what an encoder stores as Y)."""
    f = rgb.astype("float64")
    return 16 + 219 * (0.2126 * f[..., 0] + 0.7152 * f[..., 1] + 0.0722 * f[..., 2]) / 255


def band_level_db(path: Path, freq: float, start_s: float, end_s: float) -> float:
    """RMS level (dBFS) of the sound of *path* around *freq* Hz between two times, by Debian's ffmpeg."""
    res = subprocess.run([DEBIAN_FFMPEG, "-v", "info", "-nostdin", "-i", str(path), "-map", "0:a", "-af",
                          f"atrim={start_s}:{end_s},pan=mono|c0=c0,bandpass=f={freq}:width_type=q:w=8,"
                          f"bandpass=f={freq}:width_type=q:w=8,astats=measure_perchannel=none",
                          "-f", "null", "-"], capture_output=True, text=True)
    levels = re.findall(r"RMS level dB:\s*(-?inf|-?[0-9.]+)", res.stderr)
    assert levels, res.stderr[-500:]
    return float(levels[-1])
