"""The reference renderer against the fast path, frame by frame, on a project that uses every effect."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from cagette.video import presets, reference, synth
from cagette.video.project import Project
from cagette.video.render import make_timeline, render_project
from tests.video.conftest import bt709_luma, luma_planes

SIZE = (320, 180)
FPS = 25
PRESET = presets.get("draft").scaled(*SIZE)


def luma_psnr(stored_y: np.ndarray, rgb: np.ndarray) -> float:
    """PSNR of the luma: the video's stored Y plane against the reference picture's BT.709 luma (the
    chroma of a 4:2:0 video is a quarter of its pixels and blurs sharp colour edges in any encoder)."""
    mse = float(((stored_y.astype("float64") - bt709_luma(rgb)) ** 2).mean())
    return 99.0 if mse < 1e-9 else 10 * float(np.log10(255**2 / mse))


@pytest.fixture(scope="module")
def everything(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    d = tmp_path_factory.mktemp("effects")
    p = Project.create(d / "p", "Tous les effets", organisation="Mairie de Villeneuve", authors=["Camille"])
    p.set_export(title_card_s=0.8, end_card_s=0.8, fade_s=0.3, crossfade_s=0.4, burn_captions=True)
    p.set_logo(synth.paper_shape(d / "logo.png", "circle", (64, 64), seed=1))
    p.add_scene("Accueil", "Bonjour et bienvenue à la mairie.", lower_third="Camille, accueil")
    p.add_shot(1, synth.clip(d / "c1.mp4", 2.0, SIZE, FPS, number=1), in_s=0.5, out_s=1.7, title="Trim")
    p.add_shot(1, synth.paper_shape(d / "kb.jpg", "square", (480, 270), seed=3), duration_s=1.0, ken_burns=True)
    p.add_shot(1, synth.frame_image(d / "tall.png", 4, (108, 192)), duration_s=0.8)  # portrait: blurred fill
    p.add_scene("Atelier", "Le papier bouge tout seul, image par image.")
    for k in range(8):  # stop-motion whose light flickers
        img = synth.paper_shape(d / f"f{k}.png", "triangle", SIZE, seed=k)
        from PIL import Image, ImageEnhance

        with Image.open(img) as im:
            ImageEnhance.Brightness(im).enhance(0.8 + 0.05 * (k % 3)).save(img)
    p.add_frames(2, sorted(d.glob("f*.png")), fps=8)
    p.add_shot(2, synth.clip(d / "c2.mp4", 1.6, SIZE, FPS, number=2), speed=2.0)
    rotated = synth.clip(d / "rot.mp4", 1.0, SIZE, FPS, number=5, rotation=90)
    p.add_shot(2, rotated)  # the phone's rotation metadata
    p.add_shot(2, rotated, rotation=180)  # and a shot that overrides it
    p.add_shot(2, kind="title", title="Étape 2 : l'atelier", duration_s=0.8)
    tl = make_timeline(p, PRESET)
    out = render_project(p, preset=PRESET).video
    return {"tl": tl, "out": out}


def _times(tl: Any) -> list[tuple[str, float]]:
    """Sampled moments: inside every piece (away from its cuts) and in the middle of every cross-fade."""
    out: list[tuple[str, float]] = []
    for gi, g in enumerate(tl.groups):
        start = g.start_s
        for v in g.visuals:
            for frac in (0.35, 0.75):
                t = start + v.duration_s * frac
                if v.kind == "frames":
                    t = start + (int(v.duration_s * frac * v.fps) + 0.5) / v.fps
                out.append((f"{g.slug}/{v.kind}" + ("+rot" if v.rotation else ""), t))
            start += v.duration_s
        if gi:
            out.append((f"cross-fade into {g.slug}", g.start_s + tl.crossfade_s / 2))
    return [(k, t) for k, t in out if 0.3 < t < tl.duration_s - 0.3]


@pytest.mark.slow
def test_the_reference_draws_what_the_fast_path_draws(everything: dict[str, Any]) -> None:
    tl = everything["tl"]
    stored = luma_planes(everything["out"])
    ref = reference.Reference(tl)
    results = []
    for what, t in _times(tl):
        n = round(t * FPS)
        results.append((what, round(t, 2), round(luma_psnr(stored[n], ref.frame(n / FPS)), 1)))
    assert any(v.kind == "frames" and v.deflicker for g in tl.groups for v in g.visuals)
    kinds = {w.split("/")[-1] for w, _t, _v in results}
    assert {"clip", "clip+rot", "still", "frames", "card"} <= kinds, kinds
    assert any(w.startswith("cross-fade") for w, _t, _v in results)
    assert all(v >= 30 for _w, _t, v in results), [r for r in results if r[2] < 30]


@pytest.mark.slow
def test_a_preview_of_one_piece_is_that_piece(everything: dict[str, Any]) -> None:
    tl = everything["tl"]
    g = tl.groups[2]  # the stop-motion scene, away from fades and cross-fades
    t = g.start_s + 0.5
    full = reference.preview_frame(tl, t, full=True)
    piece = reference.preview_frame(tl, t)
    assert full.shape == piece.shape == (SIZE[1], SIZE[0], 3)
    # the piece lacks only the logo and the burned caption: everywhere else it is the same picture
    logo = tl.logo_rect
    same = np.ones(full.shape[:2], bool)
    same[logo.y:logo.bottom, logo.x:logo.right] = False
    for c in tl.burned:
        if c.start_s <= t <= c.end_s:
            a = c.block.area
            same[a.y:a.bottom, a.x:a.right] = False
    assert np.array_equal(full[same], piece[same])
    assert not np.array_equal(full, piece)
