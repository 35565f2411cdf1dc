"""Burned text in real renders: a hostile corpus in every text element, and text boxes measured in the
frames (decoded by Debian's ffmpeg) against the title-safe area of each preset's shape."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from cagette.video import presets
from cagette.video.project import Project
from cagette.video.render import make_timeline, render_project
from tests.conftest import run_cli
from tests.video.conftest import rgb_frames

HOSTILE = ["Réduction de 50 % sur la cantine", "%{pts} %{n} %{localtime} %%", "l'été « d'ici » \"quoted\" ’",
           "a:b;c,d=e [f] {g} \\h\\ \\\\ \\n", "ligne 1\nligne 2\r\nligne 3\ttab", "émoji 😀🎉 👩‍👩‍👧 🇫🇷",
           "שלום עולם مرحبا بالعالم", "漢字 🦩", "$(rm -rf ~) `id` ${HOME} <b>&amp;</b>", "\x1b[31mrouge\x07 \u2028fin"]


def _png(path: Path, rgb: tuple[int, int, int], size: tuple[int, int]) -> Path:
    from PIL import Image

    Image.new("RGB", size, rgb).save(path)
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    d = tmp_path_factory.mktemp("hostile")
    still = _png(d / "fond.png", (40, 120, 200), (320, 180))
    p = Project.create(d / "p", HOSTILE[0] + " " + HOSTILE[1], organisation=HOSTILE[2], authors=[HOSTILE[3]])
    p.set_export(burn_captions=True, credits="\n".join(HOSTILE[4:8]), title_card_s=0.6, end_card_s=0.6, fade_s=0)
    p.set_logo(_png(d / "logo.png", (220, 30, 30), (64, 32)))
    for i, text in enumerate(HOSTILE):
        p.add_scene(f"S{i}", f"{text}. {HOSTILE[(i + 1) % len(HOSTILE)]}", lower_third=HOSTILE[(i + 2) % 10])
        p.add_shot(i + 1, still, duration_s=0.6, title=HOSTILE[(i + 3) % 10],
                   caption=HOSTILE[(i + 4) % 10] if i % 3 == 0 else "")
        p.add_shot(i + 1, kind="title", title=HOSTILE[(i + 5) % 10], duration_s=0.4)
    result = render_project(p, preset=presets.get("draft"))
    return {"project": p, "result": result}


@pytest.mark.slow
def test_a_hostile_corpus_renders_in_every_text_element(hostile: dict[str, Any]) -> None:
    r = hostile["result"]
    assert r.video.is_file() and r.duration_s == pytest.approx(0.6 + 10 * 1.0 + 0.6)
    srt = r.srt.read_text(encoding="utf-8")
    assert "50 %" in srt and "%{pts}" in srt and "שלום" in srt  # words kept as typed
    frames = rgb_frames(r.video)
    assert len(frames) == round(r.duration_s * 25)
    # scene S8 shows HOSTILE[1] ('%{pts}'...) over its still: those pixels do not follow the frame's time
    import numpy as np

    tl = make_timeline(hostile["project"], presets.get("draft"))
    group = next(g for g in tl.groups if g.slug == "s8")
    block = group.visuals[0].text_block
    assert block is not None and "%{pts}" in block.text
    a = block.area
    start = round(group.start_s * 25)
    first, last = (frames[start + k][a.y:a.bottom, a.x:a.right].astype(int) for k in (2, 12))
    assert (first.max(axis=2) > 200).any()  # white text is drawn there
    assert np.abs(first - last).mean() < 2 and np.percentile(np.abs(first - last), 99.9) < 48


@pytest.mark.slow
def test_check_names_the_characters_the_font_lacks(hostile: dict[str, Any]) -> None:
    r = run_cli("project", "check", str(hostile["project"].root), "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    messages = " ".join(x["message"] for x in json.loads(r.stdout)["problems"])
    assert "U+6F22" in messages and "U+1F9A9" in messages  # 漢 and 🦩
    assert "U+00E9" not in messages  # é is in the font


BOX_PROJECTS = {"web-16x9": (640, 360), "story-9x16": (360, 640), "square-1x1": (360, 360)}


def _bbox(mask: Any) -> tuple[int, int, int, int] | None:
    import numpy as np

    ys, xs = np.nonzero(mask)
    return (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1) if len(xs) else None


def _solid(mask: Any) -> Any:
    """Pixels whose 5×5 neighbourhood is all in *mask* (a box, not the fringe of a letter), grown back."""
    import numpy as np

    core = mask.copy()
    for dy, dx in itertools.product(range(-2, 3), repeat=2):
        core &= np.roll(np.roll(mask, dy, 0), dx, 1)
    grown = core.copy()
    for dy, dx in itertools.product(range(-2, 3), repeat=2):
        grown |= np.roll(np.roll(core, dy, 0), dx, 1)
    return grown


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.slow
@pytest.mark.parametrize("name", list(BOX_PROJECTS))
def test_text_boxes_stay_in_the_safe_area_and_apart(name: str, tmp_path: Path) -> None:
    """Each element is measured alone on a plain background; all of them must sit inside 90 % × 90 % of
    the frame and never overlap (the logo is red, present all along)."""
    import numpy as np

    w, h = BOX_PROJECTS[name]
    preset = presets.get(name).scaled(w, h)
    white = _png(tmp_path / "blanc.png", (255, 255, 255), (w, h))
    p = Project.create(tmp_path / "p", "Boîtes")
    p.set_export(title_card=False, end_card=False, fade_s=0.0, burn_captions=True)
    p.set_logo(_png(tmp_path / "logo.png", (230, 20, 20), (120, 60)))
    p.add_scene("Titre")
    p.add_shot(1, white, duration_s=0.6, title="Réduction de 50 % sur la cantine pour toutes les familles")
    p.add_scene("Bandeau", lower_third="Camille Martin, agente d'accueil de la mairie de Villeneuve")
    p.add_shot(2, white, duration_s=0.6)
    p.add_scene("Sous-titres", "Préparez un justificatif de domicile de moins de trois mois et votre pièce.")
    p.add_shot(3, white, duration_s=0.6)
    p.add_shot(3, kind="title", title="Étape 3 : envoyez le formulaire à la mairie", duration_s=0.6)
    out = render_project(p, preset=preset).video
    frames = rgb_frames(out)
    sx, sy = round(w * 0.05), round(h * 0.05)
    safe = (sx - 1, sy - 1, w - sx + 1, h - sy + 1)  # one pixel of chroma bleeding allowed

    def inked(frame: Any) -> Any:
        return (np.abs(frame.astype(int) - 255).max(axis=2) > 60)

    def red(frame: Any) -> Any:
        f = frame.astype(int)
        return (f[..., 0] > 170) & (f[..., 1] < 90) & (f[..., 2] < 90)

    at = {t: frames[round(t * preset.fps)] for t in (0.3, 0.9, 1.5, 2.1)}
    logo = _bbox(red(at[0.9]))
    boxes = {"logo": logo}
    for key, t in (("title", 0.3), ("lower third", 0.9), ("caption", 1.5)):
        mask = inked(at[t])
        if logo:
            mask[logo[1] - 2:logo[3] + 2, logo[0] - 2:logo[2] + 2] = False
        boxes[key] = _bbox(mask)
    card = at[2.1].astype(int)
    darker = card.sum(axis=2) < 0.6 * (31 + 42 + 68)  # the caption's box (black @ 0.6) over the dark blue card
    boxes["caption on card"] = _bbox(_solid(darker))
    bright = card.min(axis=2) > 150
    cap = boxes["caption on card"]
    if cap:
        bright[cap[1] - 2:cap[3] + 2, cap[0] - 2:cap[2] + 2] = False
    if logo:
        bright[logo[1] - 2:logo[3] + 2, logo[0] - 2:logo[2] + 2] = False
    boxes["card text"] = _bbox(bright)
    for key, box in boxes.items():
        assert box is not None, (key, boxes)
        assert safe[0] <= box[0] and safe[1] <= box[1] and box[2] <= safe[2] and box[3] <= safe[3], (key, box, safe)
    apart = [("logo", x) for x in boxes if x != "logo"] + [
        ("title", "lower third"), ("title", "caption"), ("lower third", "caption"), ("card text", "caption on card")]
    for a, b in apart:  # every pair that can be on screen together
        assert not _overlap(boxes[a], boxes[b]), (a, boxes[a], b, boxes[b])  # type: ignore[arg-type]
    title_h = boxes["title"][3] - boxes["title"][1]  # type: ignore[index]
    assert title_h >= 0.06 * min(w, h)  # a real title, not a line of tiny print
