"""Colour: the render is BT.709 (converted and tagged), whatever its sources; decoded as a BT.709 player
would (Debian's ffmpeg with an explicit matrix), colour patches come back as they were made."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from cagette.video import presets
from cagette.video.ffgraph import ffmpeg_exe
from cagette.video.project import Project
from cagette.video.render import render_project
from tests.video.conftest import DEBIAN_FFMPEG, ffprobe, rgb_frames, video_stream

PATCHES = [(192, 48, 32), (48, 160, 64), (40, 60, 200), (200, 170, 140)]  # red, green, blue, skin
TOLERANCE = 7  # levels of 255, for 8-bit 4:2:0 and x264 on flat patches


def _patches(path: Path, w: int, h: int) -> Path:
    from PIL import Image

    img = Image.new("RGB", (w, h))
    for i, rgb in enumerate(PATCHES):
        x, y = (i % 2) * w // 2, (i // 2) * h // 2
        img.paste(rgb, (x, y, x + w // 2, y + h // 2))
    img.save(path)
    return path


def _clip(png: Path, out: Path, *tags: str, matrix: str = "bt601") -> Path:
    subprocess.run([ffmpeg_exe(), "-nostdin", "-v", "error", "-y", "-loop", "1", "-t", "0.6", "-i", str(png),
                    "-vf", f"scale=out_color_matrix={matrix}:out_range=tv,format=yuv420p", "-c:v", "libx264",
                    "-preset", "ultrafast", "-crf", "12", *tags, str(out)], check=True)
    return out


def _sample(frame: np.ndarray, w: int, h: int) -> list[np.ndarray]:
    """The middle of each patch (the frame is filled edge to edge by each source)."""
    out = []
    for i in range(len(PATCHES)):
        cx, cy = (i % 2) * w // 2 + w // 4, (i // 2) * h // 2 + h // 4
        out.append(frame[cy - 8:cy + 8, cx - 12:cx + 12].reshape(-1, 3).mean(axis=0))
    return out


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("colour")
    sd = _clip(_patches(d / "sd.png", 320, 240), d / "sd-untagged.mp4")  # SD, no tags: BT.601 by convention
    hd = _clip(_patches(d / "hd.png", 320, 180), d / "tagged-709.mp4", "-colorspace", "bt709", "-color_primaries",
               "bt709", "-color_trc", "bt709", matrix="bt709")
    p = Project.create(d / "p", "Couleurs")
    p.set_export(title_card=False, end_card=False, fade_s=0.0, portrait_fill="bars")
    p.add_scene("SD")
    p.add_shot(1, sd)
    p.add_scene("HD")
    p.add_shot(2, hd)
    p.add_scene("PNG")
    p.add_shot(3, d / "hd.png", duration_s=0.6)
    return render_project(p, preset=presets.get("web-16x9").scaled(320, 180)).video


def test_output_is_tagged_bt709(rendered: Path) -> None:
    v = video_stream(ffprobe(rendered))
    assert (v["color_space"], v["color_transfer"], v["color_primaries"], v["color_range"]) == (
        "bt709", "bt709", "bt709", "tv")


@pytest.mark.parametrize("scene", [0, 1, 2], ids=["sd-bt601-untagged", "tagged-bt709", "png-rgb"])
def test_patches_come_back_as_made(rendered: Path, scene: int) -> None:
    frames = rgb_frames(rendered)
    frame = frames[round((scene * 0.6 + 0.3) * 25)]
    w = 240 if scene == 0 else 320  # the SD 4:3 source is pillarboxed: 240 px wide, centred
    x0 = (320 - w) // 2
    got = _sample(frame[:, x0:x0 + w], w, 180)
    for want, have in zip(PATCHES, got, strict=True):
        assert np.abs(have - want).max() <= TOLERANCE, (want, have.round())


def test_a_bt601_decoder_would_see_other_colours(rendered: Path) -> None:
    """The check above can fail: decoding the same frames with the BT.601 matrix shifts the patches."""
    raw = subprocess.run([DEBIAN_FFMPEG, "-v", "error", "-i", str(rendered), "-vf",
                          "scale=in_color_matrix=bt601:in_range=tv:out_range=pc,format=rgb24", "-frames:v", "12",
                          "-f", "rawvideo", "-"], capture_output=True, check=True).stdout
    frame = np.frombuffer(raw, "uint8").reshape(-1, 180, 320, 3)[7]
    got = _sample(frame[:, 40:280], 240, 180)
    assert max(np.abs(have - want).max() for want, have in zip(PATCHES, got, strict=True)) > 2 * TOLERANCE
