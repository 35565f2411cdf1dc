"""The 2D truth: outlines, kerf offset, dog-bones, nesting, DXF and SVG read back."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path

import ezdxf
import pytest

from cagette.plans import geom2d as g
from cagette.plans.nesting import nest
from cagette.plans.panels import ARUCO_4X4_BITS, build_panels, tabs
from cagette.plans.params import load_preset, preset_names
from cagette.plans.sheets import coupon_items, dxf_text, sheet_items, svg_text

PRESETS = preset_names()


def test_aruco_bits_match_opencv() -> None:
    import cv2

    d = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)
    for i in range(4):
        img = cv2.aruco.generateImageMarker(d, i, 6, borderBits=1)
        bits = tuple(tuple(int(img[r][c] > 0) for c in range(1, 5)) for r in range(1, 5))
        assert bits == ARUCO_4X4_BITS[i]


@pytest.mark.parametrize("kerf", [0.1, 0.3])
def test_offset_lies_at_half_kerf(kerf: float) -> None:
    p = load_preset("tablet-a3")  # dog-bones on
    for pn in build_panels(p):
        for contour in pn.contours():
            off = g.offset(contour, kerf / 2)
            for i, pt in enumerate(off):
                assert abs(g.dist_to_contour(pt, contour) - kerf / 2) < 0.01
                nxt = off[(i + 1) % len(off)]
                mid = ((pt[0] + nxt[0]) / 2, (pt[1] + nxt[1]) / 2)
                assert abs(g.dist_to_contour(mid, contour) - kerf / 2) < 0.01
            # parts grow, holes shrink
            assert abs(g.area(off)) > abs(g.area(contour)) if g.area(contour) > 0 else abs(g.area(off)) < abs(
                g.area(contour))


def test_dog_bones_clear_inside_corners() -> None:
    p = load_preset("tablet-a3")
    r = p.tool_diameter_mm / 2
    base = next(pn for pn in build_panels(p) if pn.name == "base")
    plain = next(pn for pn in build_panels(p.replace(dog_bones=False)) if pn.name == "base")
    assert all(len(h) == 4 for h in plain.holes)
    for slot, rect_ in zip(base.holes, plain.holes, strict=True):
        assert len(slot) > 4
        x0, y0, x1, y1 = g.bbox([rect_])
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        for vx, vy in rect_:
            assert g.dist_to_contour((vx, vy), slot) < 1e-6  # the corner itself is cut
            sx, sy = math.copysign(1, vx - cx), math.copysign(1, vy - cy)
            ox, oy = vx - r * sx / math.sqrt(2), vy - r * sy / math.sqrt(2)  # the cutter, centred inside
            for k in range(16):
                a = 2 * math.pi * k / 16
                assert g.point_in((ox + 0.97 * r * math.cos(a), oy + 0.97 * r * math.sin(a)), slot)


def test_tabs_touch_their_slots() -> None:
    """Each leg tab, placed in the world, equals a slot of the base (and the lips' tabs the wings' slots)."""
    for name in PRESETS:
        p = load_preset(name)
        f = p.framing
        t = p.board_thickness_mm
        panels = {pn.name: pn for pn in build_panels(p.replace(dog_bones=False))}
        base_slots = {tuple(round(v, 6) for v in g.bbox([h])) for h in panels["base"].holes}
        for leg in ("leg_right", "leg_left"):
            pl = panels[leg].placement
            for a, b in tabs(f.base_depth_mm, p.finger_mm):
                x0 = pl.origin[0]
                key = tuple(round(v, 6) for v in (x0, a, x0 + t, b))
                assert key in base_slots
        wing = panels["wing_right"]
        wing_slots = {tuple(round(v, 6) for v in g.bbox([h])) for h in wing.holes if len(h) == 4}
        lip = panels["lip_right"]
        for a, b in tabs(f.base_depth_mm - 2 * t, p.finger_mm):
            x0 = lip.placement.origin[0]
            assert tuple(round(v, 6) for v in (x0, a, x0 + t, b)) in wing_slots


def test_lens_opening_above_stage_centre() -> None:
    for name in PRESETS:
        p = load_preset(name)
        shelf = next(pn for pn in build_panels(p) if pn.name == "shelf")
        opening = shelf.holes[0]
        x0, y0, x1, y1 = g.bbox([opening])
        cx, cy, _ = shelf.placement.to_world((x0 + x1) / 2, (y0 + y1) / 2)
        assert abs(cx) < 1e-9 and abs(cy) < 1e-9  # the stage centre is the world origin
        # the opening lies under the device footprint, inside the cradle's cut-out
        cradle = next(pn for pn in build_panels(p) if pn.name == "cradle")
        cut = g.bbox([cradle.holes[0]])
        assert cut[0] < x0 and cut[1] < y0 and x1 < cut[2] and y1 < cut[3]


@pytest.mark.parametrize("name", PRESETS)
def test_dxf_read_back_equals_nominal_offset(name: str, tmp_path: Path) -> None:
    p = load_preset(name).replace(kerf_mm=0.2)
    half = p.kerf_mm / 2
    for sheet in nest(p):
        path = tmp_path / f"{sheet.name}.dxf"
        path.write_text(dxf_text(sheet_items(sheet, p.kerf_mm)))
        doc = ezdxf.readfile(path)
        assert doc.header["$INSUNITS"] == 4
        cuts = [e for e in doc.modelspace().query("LWPOLYLINE") if e.dxf.layer in ("CUT_OUTER", "CUT_INNER")]
        nominal = [placed.place(c) for placed in sheet.parts for c in placed.panel.contours()]
        assert len(cuts) == len(nominal)
        for e in cuts:
            assert e.closed
            pts = [(x, y) for x, y, *_ in e.get_points()]
            # which nominal contour is it? the nearest one
            ref = min(nominal, key=lambda c: g.dist_to_contour(pts[0], c))
            for q in pts:
                assert abs(g.dist_to_contour(q, ref) - half) < 0.01
                assert 0 <= q[0] <= p.sheet_width_mm and 0 <= q[1] <= p.sheet_height_mm
        assert any(e.dxf.layer == "ENGRAVE" for e in doc.modelspace())


def test_parts_fit_their_sheets_without_overlap() -> None:
    for name in PRESETS:
        p = load_preset(name)
        sheets = nest(p)
        placed_names = sorted(pp.panel.name for s in sheets for pp in s.parts)
        assert placed_names == sorted(pn.name for pn in build_panels(p) if pn.material == "board")
        for s in sheets:
            boxes = [g.bbox([pp.place(g.offset(pp.panel.outer, p.kerf_mm / 2))]) for pp in s.parts]
            for b in boxes:
                assert b[0] >= 0 and b[1] >= 0 and b[2] <= s.width_mm and b[3] <= s.height_mm
            for i in range(len(boxes)):
                for j in range(i + 1, len(boxes)):
                    a, b = boxes[i], boxes[j]
                    assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


def test_svg_is_sized_in_mm_with_hairlines() -> None:
    p = load_preset("phone-a4")
    sheet = nest(p)[0]
    root = ET.fromstring(svg_text(sheet_items(sheet, p.kerf_mm), sheet.width_mm, sheet.height_mm, "t"))
    assert root.get("width") == "600mm" and root.get("height") == "400mm"
    groups = {el.get("id"): el for el in root if el.tag.endswith("g")}
    assert groups["CUT_OUTER"].get("stroke") == "#ff0000"
    assert groups["ENGRAVE"].get("stroke") == "#000000"
    assert float(groups["CUT_INNER"].get("stroke-width")) <= 0.01
    assert len(list(groups["CUT_OUTER"])) == len(sheet.parts)


def test_kerf_coupon_has_a_range_of_slots() -> None:
    items, w, h = coupon_items(load_preset("phone-a4"))
    inner = [it for it in items if it.kind == "inner"]
    widths = sorted(g.bbox([it.points])[2] - g.bbox([it.points])[0] for it in inner)
    assert len(widths) >= 6 and widths[0] < widths[-1]  # each slot compensated for another kerf
    assert all(-1 <= x <= w and -1 <= y <= h for it in items for x, y in it.points)


def test_dxf_is_deterministic(monkeypatch: pytest.MonkeyPatch) -> None:
    p = load_preset("phone-a4")
    items = sheet_items(nest(p)[0], p.kerf_mm)
    a = dxf_text(items)
    assert a == dxf_text(items)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    b = dxf_text(items)
    assert a != b and "2460263.425926" in b  # the Julian date of SOURCE_DATE_EPOCH
