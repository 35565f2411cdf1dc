"""`cagette project preview`: one frame, drawn as the render draws it.

The render is made lossless (x264 at CRF 0) so that the frame Debian's ffmpeg decodes from it is the frame
the render drew; the preview of each moment must be that frame."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cagette.video import presets, synth
from cagette.video.preview import frame_at, preview_frame
from cagette.video.project import Project
from cagette.video.render import make_timeline, render_project
from tests.conftest import run_cli
from tests.video.conftest import DEBIAN_FFMPEG, SIZE, psnr

LOSSLESS = replace(presets.get("draft").scaled(*SIZE), crf=0)


def decoded(video: Path, n: int) -> np.ndarray:
    """Frame *n* of *video*, decoded by Debian's ffmpeg as a BT.709 player shows it."""
    w, h = SIZE
    raw = subprocess.run([DEBIAN_FFMPEG, "-v", "error", "-nostdin", "-i", str(video), "-vf",
                          f"select=eq(n\\,{n}),scale=in_color_matrix=bt709:in_range=tv:out_range=pc,format=rgb24",
                          "-frames:v", "1", "-f", "rawvideo", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, "uint8").reshape(h, w, 3)


@pytest.fixture(scope="module")
def rendered(media: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("preview")
    p = Project.create(tmp / "p", "Aperçu")
    p.set_export(title_card_s=0.8, end_card_s=0.6, crossfade_s=0.4, fade_s=0.3, burn_captions=True)
    p.set_logo(synth.paper_shape(tmp / "logo.png", "circle", (32, 32), seed=2))
    p.add_scene("Accueil", "Bonjour et bienvenue à la mairie.", lower_third="Camille, accueil")
    p.add_shot(1, media["clip"], in_s=0.37)
    p.add_shot(1, media["still"], duration_s=1.0, ken_burns=True)
    p.add_scene("Animation", "Le papier bouge.")
    p.add_frames(2, sorted(media["frames"].iterdir()), fps=5)
    p.add_shot(2, media["rotated"], speed=1.5)
    video = render_project(p, preset=LOSSLESS, out=tmp / "lossless.mp4", engine="single").video
    return {"project": p, "video": video, "timeline": make_timeline(p, LOSSLESS), "dir": tmp}


def test_a_preview_is_the_rendered_frame(rendered: dict, tmp_path: Path) -> None:
    """The fade-in over the title card, the cross-fade into scene 1, its clip under a lower third and a
    caption, the Ken Burns pan, the cross-fade into the stop-motion, the sped-up rotated clip, the fade-out."""
    tl = rendered["timeline"]
    _title, one, two, _end = tl.groups
    moments = [0.1, one.start_s + 0.1, one.start_s + 0.8, one.start_s + 2.0, two.start_s + 0.1,
               two.start_s + 0.7, two.start_s + two.duration_s - 0.5, tl.duration_s - 0.1]
    for at in moments:
        shot = preview_frame(tl, at, tmp_path / "frame.png")
        assert shot.frame == frame_at(tl, at) == int(at * tl.fps + 1e-9)
        image = np.asarray(Image.open(tmp_path / "frame.png"))
        assert image.shape == (SIZE[1], SIZE[0], 3)
        assert psnr(image, decoded(rendered["video"], shot.frame)) >= 50, at


def test_the_command_writes_a_png_and_refuses_what_is_outside(rendered: dict, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    from cagette.cli import main

    root = str(rendered["project"].root)
    out = tmp_path / "x.png"
    r = run_cli("project", "preview", root, "--at", "2.1", "--preset", "draft", "--out", str(out), "--json")
    assert r.returncode == 0, r.stderr
    shown = json.loads(r.stdout)
    assert shown["shows"] == "accueil" and shown["width"] == 640 and Image.open(out).size == (640, 360)
    assert main(["project", "preview", root, "--at", "99", "--out", str(tmp_path / "y.png")]) == 2
    err = capsys.readouterr().err
    assert "--at must be between 0 and" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "y.png").exists()
    assert main(["project", "preview", root, "--at", "1", "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
