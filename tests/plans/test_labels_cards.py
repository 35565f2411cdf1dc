"""Labels in the kit's language, the wiring diagram taken as a file, the framing card tiled on A4."""

from __future__ import annotations

from pathlib import Path

import pytest

from cagette import i18n
from cagette.plans.panels import build_panels
from cagette.plans.params import load_preset
from tests.conftest import run_cli
from tests.plans.pdfcheck import page_count, page_sizes

PT = 72 / 25.4


def test_engraved_labels_are_in_the_kits_language() -> None:
    p = load_preset("phone-a4")
    with i18n.language("fr"):
        fr = {pn.name: [t.text for t in pn.texts] for pn in build_panels(p)}
    with i18n.language("en"):
        en = {pn.name: [t.text for t in pn.texts] for pn in build_panels(p)}
    assert fr["base"] == ["socle et scène"] and en["base"] == ["base and stage"]
    assert fr["leg_right"] != en["leg_right"]


def test_the_wiring_diagram_is_taken_as_a_file(tmp_path: Path) -> None:
    from cagette.plans.guide import GuideStep, guide_html, read_wiring
    from cagette.plans.guide_steps import STEPS
    from cagette.plans.params import load_preset

    p = load_preset("phone-a4")
    number = next(i for i, st in enumerate(STEPS, 1) if st.view == "wiring")
    wiring_step = [GuideStep(number, "Wiring", "", (), (), None)]  # the guide's wiring step alone (no OCCT view)
    firmware = tmp_path / "firmware"
    firmware.mkdir()
    (firmware / "README.md").write_text("# fw\n\n## Wiring\n\n```\nPico GP16 -- 220 R -- gate\n```\n\n## Next\n")
    notes = read_wiring(firmware)
    assert notes.svg is None and notes.notes and "GP16" in notes.notes
    assert "<pre>Pico GP16 -- 220 R -- gate" in guide_html(p, wiring_step, notes, None)
    (firmware / "wiring.svg").write_text('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
                                         '<script>alert(1)</script><text>GP17</text></svg>')
    diagram = read_wiring(firmware)
    assert diagram.svg is not None and diagram.svg.startswith("<svg")
    html = guide_html(p, wiring_step, diagram, None)
    assert "<text>GP17</text>" in html and "<script" not in html  # drawn as SVG, its script gone
    assert read_wiring(None).svg is None and read_wiring(tmp_path / "missing").notes is None


@pytest.mark.parametrize("preset", ["phone-a4", "phone-a3"])
def test_framing_card_on_a4_is_tiled(preset: str, tmp_path: Path) -> None:
    out = tmp_path / "k"
    r = run_cli("plans", "build", "--preset", preset, "--set", "card_paper=a4", "--only", "cards", "--out",
                str(out), "--quiet")
    assert r.returncode == 0, r.stderr
    card = out / "framing-card.pdf"
    assert page_count(card) > 2
    assert all(sorted(s) == pytest.approx((210 * PT, 297 * PT), abs=0.5) for s in page_sizes(card))


def _fine_contours(char: str, scale: float) -> list[list[tuple[float, float]]]:
    """The glyph's true outline in mm, sampled densely with fontTools' own Bézier maths."""
    from fontTools.misc.bezierTools import cubicPointAtT, quadraticPointAtT
    from fontTools.pens.recordingPen import DecomposingRecordingPen
    from fontTools.ttLib import TTFont

    from cagette.plans.glyphs import FONT

    font = TTFont(str(FONT))
    glyphs = font.getGlyphSet()
    pen = DecomposingRecordingPen(glyphs)
    glyphs[font.getBestCmap()[ord(char)]].draw(pen)
    contours: list[list[tuple[float, float]]] = []
    for op, args in pen.value:
        if op == "moveTo":
            contours.append([args[0]])
        elif op == "lineTo":
            contours[-1].append(args[0])
        elif op in ("qCurveTo", "curveTo"):
            start = contours[-1][-1]
            if op == "qCurveTo":  # TrueType: implied on-curve points between off-curve ones
                from fontTools.pens.basePen import decomposeQuadraticSegment

                for p1, p2 in decomposeQuadraticSegment(args):
                    contours[-1] += [quadraticPointAtT(start, p1, p2, i / 200) for i in range(1, 201)]
                    start = p2
            else:
                contours[-1] += [cubicPointAtT(start, *args, i / 200) for i in range(1, 201)]
    return [[(x * scale, y * scale) for x, y in c] for c in contours if len(c) >= 3]


@pytest.mark.parametrize("height", [2.5, 6.0, 30.0])
def test_engraved_text_follows_the_glyphs_curves(height: float) -> None:
    """Labels as outlines stay within 0.02 mm of the font's true curves at any size, with few points
    when small."""
    from shapely.geometry import LinearRing

    from cagette.plans.glyphs import TOLERANCE_MM, cap_units, text_glyphs

    scale = height / cap_units()
    points = 0
    for char in "aeoS8@":
        ours = text_glyphs(char, 0.0, 0.0, height)[0]
        fine = _fine_contours(char, scale)
        assert len(ours) == len(fine)
        for ring, true in zip(ours, fine, strict=True):
            gap = LinearRing(ring).hausdorff_distance(LinearRing(true))
            assert gap <= TOLERANCE_MM + 1e-3, (char, height, gap)
            points += len(ring)
    if height == 2.5:
        assert points < sum(len(r) for ch in "aeoS8@" for r in text_glyphs(ch, 0, 0, 30.0)[0]) * 0.7
