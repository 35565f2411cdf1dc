"""The 2D truth: outlines, kerf offset, dog-bones, nesting, DXF and SVG read back."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path

import ezdxf
import pytest

from cagette.plans import geom2d as g
from cagette.plans.nesting import nest, nest_diffusers, utilisation
from cagette.plans.panels import ARUCO_4X4_BITS, build_panels, leg_tabs
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


def _slot_keys(panel: object, play: float) -> set[tuple[float, ...]]:
    """The slots of a panel, shrunk back by the joint play: what goes into them."""
    return {tuple(round(v, 6) for v in (b[0] + play / 2, b[1] + play / 2, b[2] - play / 2, b[3] - play / 2))
            for b in (g.bbox([h]) for h in panel.holes)}  # type: ignore[attr-defined]


def test_tabs_fit_their_slots_with_the_joint_play() -> None:
    """Each leg tab, placed in the world, equals a slot of the base grown by joint_play_mm."""
    for name in PRESETS:
        p = load_preset(name).replace(dog_bones=False, joint_play_mm=0.2)
        t = p.board_thickness_mm
        panels = {pn.name: pn for pn in build_panels(p)}
        base_slots = _slot_keys(panels["base"], p.joint_play_mm)
        for leg in ("leg_right", "leg_left"):
            x0 = panels[leg].placement.origin[0]
            for a, b in leg_tabs(p):
                assert tuple(round(v, 6) for v in (x0, a, x0 + t, b)) in base_slots
        assert len(base_slots) == 2 * len(leg_tabs(p))


@pytest.mark.parametrize("ratio", ["16:9", "4:3", "9:16", "1:1"])
@pytest.mark.parametrize("name", PRESETS)
def test_lens_lies_over_the_opening(name: str, ratio: str) -> None:
    """The lens, measured on the device's back, lands inside the shelf's opening with 2 mm to spare."""
    p = load_preset(name).replace(output_ratio=ratio)
    panels = {pn.name: pn for pn in build_panels(p)}
    device, shelf = panels["device"], panels["shelf"]
    lens = device.holes[0]
    lx0, ly0, lx1, ly1 = g.bbox([lens])
    lens_xyz = device.placement.to_world((lx0 + lx1) / 2, (ly0 + ly1) / 2)
    assert abs(lens_xyz[0]) < 1e-9 and abs(lens_xyz[1]) < 1e-9  # over the stage centre
    ox0, oy0, ox1, oy1 = g.bbox([shelf.holes[0]])
    r = (lx1 - lx0) / 2
    assert min(-r - ox0, ox1 - r, -r - oy0, oy1 - r) >= 2.0
    # and the lens sits where the lens card says on the device's back: its footprint's corner at the top edge
    f = p.framing
    cx, cy = f.device_center_mm
    w, h = f.device_size_mm
    if f.device_top_edge == "left":  # turned: the top edge at -X, the back view's left edge at +Y... mirrored
        assert 0 - (cx - w / 2) == pytest.approx(p.lens_y_mm)
        assert (cy + h / 2) - 0 == pytest.approx(p.lens_x_mm)
    else:
        assert (cy + h / 2) - 0 == pytest.approx(p.lens_y_mm)
        assert (cx + w / 2) - 0 == pytest.approx(p.lens_x_mm)
    cradle = panels["cradle"]
    cut = g.bbox([cradle.holes[0]])
    assert cut[0] < cx - w / 2 and cx + w / 2 < cut[2] and cut[1] < cy - h / 2 and cy + h / 2 < cut[3]


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
        assert not doc.modelspace().query("TEXT MTEXT")  # labels are outlines: no font on the laser's computer
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
        assert any(e.dxf.layer in ("ENGRAVE_FILL", "ENGRAVE_LINE") for e in doc.modelspace())


def test_parts_fit_their_sheets_without_overlap() -> None:
    for name in PRESETS:
        p = load_preset(name)
        sheets = nest(p)
        placed_names = sorted(pp.panel.name for s in sheets for pp in s.parts)
        assert placed_names == sorted(pn.name for pn in build_panels(p) if pn.material == "board")
        assert 0.3 < utilisation(sheets) <= 1.0
        for s in sheets:
            boxes = [g.bbox([pp.place(g.offset(pp.panel.outer, p.kerf_mm / 2))]) for pp in s.parts]
            for b in boxes:
                assert b[0] >= 0 and b[1] >= 0 and b[2] <= s.width_mm and b[3] <= s.height_mm
            for i in range(len(boxes)):
                for j in range(i + 1, len(boxes)):
                    a, b = boxes[i], boxes[j]
                    assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


def test_svg_is_sized_in_mm_one_layer_and_colour_per_operation() -> None:
    p = load_preset("phone-a4")
    sheet = nest(p)[0]
    root = ET.fromstring(svg_text(sheet_items(sheet, p.kerf_mm), sheet.width_mm, sheet.height_mm, "t"))
    assert root.get("width") == "600mm" and root.get("height") == "400mm"
    groups = [el for el in root if el.tag.endswith("g")]
    # engrave first, inner cuts before outer ones
    assert [el.get("id") for el in groups] == ["ENGRAVE_FILL", "ENGRAVE_LINE", "CUT_INNER", "CUT_OUTER"]
    colours = [el.get("fill") if el.get("id") == "ENGRAVE_FILL" else el.get("stroke") for el in groups]
    assert len(set(colours)) == 4
    by_id = {el.get("id"): el for el in groups}
    assert float(by_id["CUT_INNER"].get("stroke-width")) <= 0.01
    assert len(list(by_id["CUT_OUTER"])) == len(sheet.parts)
    for path in by_id["ENGRAVE_FILL"]:  # every fill is made of closed shapes
        d = path.get("d") or ""
        assert d.count("M") == d.count("Z") > 0
    assert not root.findall(".//{http://www.w3.org/2000/svg}text")


def test_dxf_layers_colours_and_order(tmp_path: Path) -> None:
    p = load_preset("tablet-a3")
    sheet = nest(p)[0]
    path = tmp_path / "s.dxf"
    path.write_text(dxf_text(sheet_items(sheet, p.kerf_mm)))
    doc = ezdxf.readfile(path)
    layers = {name: doc.layers.get(name) for name in ("ENGRAVE_FILL", "ENGRAVE_LINE", "CUT_INNER", "CUT_OUTER")}
    assert len({layer.dxf.color for layer in layers.values()}) == 4
    order = [e.dxf.layer for e in doc.modelspace()]
    assert max(i for i, la in enumerate(order) if la == "CUT_INNER") < min(
        i for i, la in enumerate(order) if la == "CUT_OUTER")
    assert all(e.closed for e in doc.modelspace().query("LWPOLYLINE") if e.dxf.layer == "ENGRAVE_FILL")


def test_diffusers_have_their_own_cut_file() -> None:
    p = load_preset("phone-a4")
    sheets = nest_diffusers(p)
    assert [pp.panel.material for s in sheets for pp in s.parts] == ["diffuser", "diffuser"]
    assert all(s.name.startswith("diffusers-") for s in sheets)
    assert not any(pp.panel.material == "diffuser" for s in nest(p) for pp in s.parts)


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
