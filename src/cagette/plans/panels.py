"""The nominal 2D outline of every panel: the single truth of the box.

Each :class:`Panel` is a flat part: an outer contour (counter-clockwise), its
holes (clockwise), what is engraved on it, its thickness, and where it sits in
the assembly (a local frame whose third axis is the extrusion). The 3D model
extrudes these outlines exactly; the cut sheets offset them by half the kerf.
Pure Python: nothing here imports cadquery.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from cagette.i18n import N_
from cagette.plans import geom2d as g
from cagette.plans.geom2d import Poly, Pt
from cagette.plans.params import BoxParams

Vec = tuple[float, float, float]

# ArUco DICT_4X4_50, ids 0-3: the inner 4×4 bits (1 = white), row 0 at the top.
# tests/plans check them against OpenCV's dictionary.
ARUCO_4X4_BITS = (
    ((1, 0, 1, 1), (0, 1, 0, 1), (0, 0, 1, 1), (0, 0, 1, 0)),
    ((0, 0, 0, 0), (1, 1, 1, 1), (1, 0, 0, 1), (1, 0, 1, 0)),
    ((0, 0, 1, 1), (0, 0, 1, 1), (0, 0, 1, 0), (1, 1, 0, 1)),
    ((1, 0, 0, 1), (1, 0, 0, 1), (0, 1, 0, 0), (0, 1, 1, 0)),
)

PICO_HOLES_MM = (47.0, 11.4)  # Raspberry Pi Pico mounting holes (centre distances)
PICO_SIZE_MM = (51.0, 21.0)
BUTTON_HOLE_MM = 12.0
CABLE_HOLE_MM = 8.0
TEXT_MM = 5.0


@dataclass(frozen=True)
class Placement:
    """Local (u, v, w) → world: origin + u·ex + v·ey + w·(ex × ey)."""

    origin: Vec
    ex: Vec
    ey: Vec

    @property
    def ez(self) -> Vec:
        a, b = self.ex, self.ey
        return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])

    def to_world(self, u: float, v: float, w: float = 0.0) -> Vec:
        o, a, b, c = self.origin, self.ex, self.ey, self.ez
        return tuple(o[i] + u * a[i] + v * b[i] + w * c[i] for i in range(3))  # type: ignore[return-value]


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    height: float
    text: str


@dataclass(frozen=True)
class Panel:
    name: str
    title: str  # marked with N_, translated when shown
    outer: Poly
    holes: tuple[Poly, ...]
    thickness_mm: float
    placement: Placement
    material: str = "board"  # "board" or "diffuser"
    color: tuple[float, float, float] = (0.85, 0.7, 0.5)
    engrave_lines: tuple[tuple[Pt, ...], ...] = ()  # closed polylines
    engrave_fills: tuple[Poly, ...] = ()  # filled areas (marker cells)
    texts: tuple[Text, ...] = ()

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return g.bbox([self.outer])

    @property
    def size_mm(self) -> tuple[float, float]:
        x0, y0, x1, y1 = self.bbox
        return (x1 - x0, y1 - y0)

    @property
    def area_mm2(self) -> float:
        return g.area(self.outer) + sum(g.area(h) for h in self.holes)

    @property
    def volume_mm3(self) -> float:
        return self.area_mm2 * self.thickness_mm

    def contours(self) -> tuple[Poly, ...]:
        return (self.outer, *self.holes)


def tabs(length: float, width: float, center: float = 0.0) -> list[tuple[float, float]]:
    """Intervals of *width* spread evenly along an edge of *length*, gaps at least *width*."""
    n = max(1, int((length - width) // (2 * width)))
    gap = (length - n * width) / (n + 1)
    start = center - length / 2
    return [(start + gap + i * (width + gap), start + gap + i * (width + gap) + width) for i in range(n)]


def _tenons(length: float, width: float) -> list[tuple[float, float]]:
    return [(c - width / 2, c + width / 2) for c in (-length / 4, length / 4)]


def _mirror_u(poly: Poly) -> Poly:
    return tuple(reversed([(-x, y) for x, y in poly]))


def _finish(p: BoxParams, outer: list[Pt], holes: list[Poly]) -> tuple[Poly, tuple[Poly, ...]]:
    r = p.dog_bone_radius_mm
    outer_c = g.dog_bones(g.oriented(g.clean(outer), True), r)
    holes_c = tuple(g.dog_bones(g.oriented(g.clean(h), False), r) for h in holes)
    return outer_c, holes_c


def _marker_cells(marker_id: int, cx: float, cy: float, size: float) -> list[Poly]:
    """The black cells of a marker (border and the zero bits), as squares."""
    cell = size / 6
    x0, y0 = cx - size / 2, cy + size / 2
    cells = []
    bits = ARUCO_4X4_BITS[marker_id]
    for row in range(6):
        for col in range(6):
            inner = 1 <= row <= 4 and 1 <= col <= 4
            if inner and bits[row - 1][col - 1]:
                continue
            cells.append(g.rect(x0 + col * cell, y0 - (row + 1) * cell, x0 + (col + 1) * cell, y0 - row * cell))
    return cells


def frame_rects(stage_x: float, stage_y: float, safe: float = 0.9) -> list[tuple[str, Poly]]:
    """The 16:9 and 9:16 safe areas: the largest such frames on the paper, at 90 %."""
    out = []
    for label, ratio in (("16:9", 16 / 9), ("9:16", 9 / 16)):
        w = min(stage_x, stage_y * ratio)
        h = w / ratio
        w, h = w * safe, h * safe
        out.append((label, g.rect(-w / 2, -h / 2, w / 2, h / 2)))
    return out


@lru_cache(maxsize=32)
def build_panels(p: BoxParams) -> tuple[Panel, ...]:
    f = p.framing
    t = p.board_thickness_mm
    fw = p.finger_mm
    xi = f.leg_inner_x_mm
    depth = f.base_depth_mm
    tw = max(fw, p.pin_diameter_mm + 2 * t)  # tenons carry a pin hole
    tusk = t + p.pin_diameter_mm + t  # tenon length: through the leg, pin hole, material
    wing_d = depth - 2 * t
    lip_x0 = xi - f.wing_width_mm + t
    diff_len = wing_d - 2 * max(fw, 20.0)
    d = p.diffuser_thickness_mm
    # the diffuser rests on the bottom of its slots; a router needs them taller than its cutter
    slot_d = d if not p.dog_bones else max(d, 2 * math.sqrt(2) * p.dog_bone_radius_mm + 0.2)
    leg_tabs = tabs(depth, fw)
    lip_tabs = tabs(wing_d, fw)
    panels: list[Panel] = []
    wood = (0.87, 0.72, 0.53)
    dark = (0.7, 0.55, 0.38)

    # -- base ---------------------------------------------------------------
    bw = f.base_width_mm
    base_outer = list(g.rect(-bw / 2, -depth / 2, bw / 2, depth / 2))
    base_holes: list[Poly] = []
    for sx in (1, -1):
        x0, x1 = sorted((sx * xi, sx * (xi + t)))
        for a, b in leg_tabs:
            base_holes.append(g.rect(x0, a, x1, b, ccw=False))
    sx_, sy_ = f.stage_rect_mm
    lines: list[tuple[Pt, ...]] = [g.rect(-sx_ / 2, -sy_ / 2, sx_ / 2, sy_ / 2)]
    lines += [r for _label, r in frame_rects(sx_, sy_)]
    lines += [((-10.0, 0.0), (10.0, 0.0)), ((0.0, -10.0), (0.0, 10.0))]
    fills: list[Poly] = []
    for mid, mx, my in f.markers_mm:
        fills += _marker_cells(mid, mx, my, p.marker_size_mm)
    outer, holes = _finish(p, base_outer, base_holes)
    panels.append(Panel("base", N_("base and stage"), outer, holes, t, Placement((0, 0, 0), (1, 0, 0), (0, 1, 0)),
                        color=wood, engrave_lines=tuple(lines), engrave_fills=tuple(fills),
                        texts=(Text(-bw / 2 + 2 * t, -depth / 2 + 4, TEXT_MM, "base"),)))

    # -- legs ---------------------------------------------------------------
    for side, sx in (("right", 1), ("left", -1)):
        leg_outer: list[Pt] = [(-depth / 2, t)]
        for a, b in leg_tabs:
            leg_outer += [(a, t), (a, 0.0), (b, 0.0), (b, t)]
        leg_outer += [(depth / 2, t), (depth / 2, f.leg_height_mm), (-depth / 2, f.leg_height_mm)]
        leg_holes: list[Poly] = []
        for top in f.shelf_tops_mm:
            for a, b in _tenons(depth, tw):
                leg_holes.append(g.rect(a, top - t, b, top, ccw=False))
        for a, b in _tenons(wing_d, tw):
            leg_holes.append(g.rect(a, f.wing_top_mm - t, b, f.wing_top_mm, ccw=False))
        leg_holes.append(g.rect(-diff_len / 2, f.diffuser_z_mm, diff_len / 2, f.diffuser_z_mm + slot_d, ccw=False))
        cable_v = (f.diffuser_z_mm + slot_d + f.wing_top_mm - t) / 2
        leg_holes.append(g.circle(0.0, cable_v, CABLE_HOLE_MM / 2, 16))
        leg_lines: list[tuple[Pt, ...]] = []
        leg_texts = [Text(-depth / 2 + 2 * t, f.leg_height_mm - 2 * t - TEXT_MM, TEXT_MM, f"leg {side}")]
        if side == "right":
            u0, v0 = -depth / 4, t + 16
            hx, hy = PICO_HOLES_MM[0] / 2, PICO_HOLES_MM[1] / 2
            for ux in (-hx, hx):
                for vy in (-hy, hy):
                    leg_holes.append(g.circle(u0 + ux, v0 + vy, 1.1, 8))
            leg_lines.append(g.rect(u0 - PICO_SIZE_MM[0] / 2, v0 - PICO_SIZE_MM[1] / 2,
                                    u0 + PICO_SIZE_MM[0] / 2, v0 + PICO_SIZE_MM[1] / 2))
            leg_holes.append(g.circle(depth / 2 - 25, t + 16, BUTTON_HOLE_MM / 2, 24))
            leg_texts.append(Text(u0 - 8, v0 + PICO_SIZE_MM[1] / 2 + 2, 3.5, "Pico"))
        outer, holes = _finish(p, leg_outer, leg_holes)
        x0 = xi if sx > 0 else -xi - t
        panels.append(Panel(f"leg_{side}", N_("leg, right") if sx > 0 else N_("leg, left"), outer, holes, t,
                            Placement((x0, 0, 0), (0, 1, 0), (0, 0, 1)), color=dark,
                            engrave_lines=tuple(leg_lines), texts=tuple(leg_texts)))

    # -- shelf --------------------------------------------------------------
    x_end = xi + tusk
    shelf_ten = _tenons(depth, tw)
    so: list[Pt] = [(-xi, -depth / 2), (xi, -depth / 2)]
    for a, b in shelf_ten:
        so += [(xi, a), (x_end, a), (x_end, b), (xi, b)]
    so += [(xi, depth / 2), (-xi, depth / 2)]
    for a, b in reversed(shelf_ten):
        so += [(-xi, b), (-x_end, b), (-x_end, a), (-xi, a)]
    pin_r = p.pin_diameter_mm / 2
    shelf_holes: list[Poly] = [g.rect(-f.opening_w_mm / 2, -f.opening_h_mm / 2, f.opening_w_mm / 2,
                                      f.opening_h_mm / 2, ccw=False)]
    for a, b in shelf_ten:
        for sx in (1, -1):
            shelf_holes.append(g.circle(sx * (xi + t + pin_r), (a + b) / 2, pin_r, 20))
    px, py = xi - 1 - 4 - pin_r, depth / 2 - 4 - pin_r
    cradle_pins = [g.circle(sx * px, sy * py, pin_r, 20) for sx in (1, -1) for sy in (1, -1)]
    shelf_holes += cradle_pins
    outer, holes = _finish(p, so, shelf_holes)
    z_shelf = f.shelf_top_mm - t
    panels.append(Panel("shelf", N_("shelf"), outer, holes, t, Placement((0, 0, z_shelf), (1, 0, 0), (0, 1, 0)),
                        color=wood, texts=(Text(-xi + 2 * t, -depth / 2 + 4, TEXT_MM, "shelf"),)))

    # -- cradle ---------------------------------------------------------------
    cx, cy = f.device_center_mm
    hx = f.device_size_mm[0] / 2 + 1.0
    hy = f.device_size_mm[1] / 2 + 1.0
    cradle_outer = list(g.rect(-xi + 1, -depth / 2, xi - 1, depth / 2))
    cradle_holes = [g.rect(cx - hx, cy - hy, cx + hx, cy + hy, ccw=False), *cradle_pins]
    outer, holes = _finish(p, cradle_outer, cradle_holes)
    panels.append(Panel("cradle", N_("device cradle"), outer, holes, t,
                        Placement((0, 0, f.shelf_top_mm), (1, 0, 0), (0, 1, 0)), color=(0.55, 0.6, 0.7),
                        texts=(Text(-xi + 2 * t, -depth / 2 + 4, TEXT_MM, "cradle"),)))

    # -- wings, lips, diffusers (built on the right, mirrored to the left) -----
    wing_ten = _tenons(wing_d, tw)
    wo: list[Pt] = [(xi - f.wing_width_mm, -wing_d / 2), (xi, -wing_d / 2)]
    for a, b in wing_ten:
        wo += [(xi, a), (x_end, a), (x_end, b), (xi, b)]
    wo += [(xi, wing_d / 2), (xi - f.wing_width_mm, wing_d / 2)]
    wing_holes: list[Poly] = [g.rect(lip_x0, a, lip_x0 + t, b, ccw=False) for a, b in lip_tabs]
    wing_holes += [g.circle(xi + t + pin_r, (a + b) / 2, pin_r, 20) for a, b in wing_ten]
    lip_top = f.wing_top_mm - t
    lo: list[Pt] = [(-wing_d / 2, f.lip_bottom_mm), (wing_d / 2, f.lip_bottom_mm), (wing_d / 2, lip_top)]
    for a, b in reversed(lip_tabs):
        lo += [(b, lip_top), (b, f.wing_top_mm), (a, f.wing_top_mm), (a, lip_top)]
    lo += [(-wing_d / 2, lip_top)]
    lip_holes = [g.rect(-diff_len / 2, f.diffuser_z_mm, diff_len / 2, f.diffuser_z_mm + slot_d, ccw=False)]
    diff = g.rect(lip_x0, -diff_len / 2, xi + t, diff_len / 2)
    w_outer, w_holes = _finish(p, wo, wing_holes)
    l_outer, l_holes = _finish(p, lo, lip_holes)
    for side, sx in (("right", 1), ("left", -1)):
        mir = (lambda q: q) if sx > 0 else _mirror_u
        title_w = N_("wing, right") if sx > 0 else N_("wing, left")
        title_l = N_("light lip, right") if sx > 0 else N_("light lip, left")
        title_d = N_("diffuser, right") if sx > 0 else N_("diffuser, left")
        wing_text = Text(sx * (xi - f.wing_width_mm / 2) - 6, -wing_d / 2 + 2 * t, 4.0, f"wing {side}")
        panels.append(Panel(f"wing_{side}", title_w, mir(w_outer), tuple(mir(h) for h in w_holes), t,
                            Placement((0, 0, f.wing_top_mm - t), (1, 0, 0), (0, 1, 0)), color=dark,
                            texts=(wing_text,)))
        lip_x = lip_x0 if sx > 0 else -lip_x0 - t
        panels.append(Panel(f"lip_{side}", title_l, l_outer, l_holes, t,
                            Placement((lip_x, 0, 0), (0, 1, 0), (0, 0, 1)), color=wood,
                            texts=(Text(-wing_d / 2 + 2 * t, f.lip_bottom_mm + 2, 3.5, f"lip {side}"),)))
        panels.append(Panel(f"diffuser_{side}", title_d, mir(diff), (), d,
                            Placement((0, 0, f.diffuser_z_mm), (1, 0, 0), (0, 1, 0)), material="diffuser",
                            color=(0.95, 0.95, 0.97)))
    return tuple(panels)


def board_panels(p: BoxParams) -> tuple[Panel, ...]:
    return tuple(pn for pn in build_panels(p) if pn.material == "board")


def led_strip_length_mm(p: BoxParams) -> float:
    """Both wings' strips, the length of the diffusers."""
    d = next(pn for pn in build_panels(p) if pn.name == "diffuser_right")
    return 2 * d.size_mm[1]


def joint_count(p: BoxParams) -> dict[str, int]:
    f = p.framing
    fw = p.finger_mm
    return {
        "leg_tabs": 2 * len(tabs(f.base_depth_mm, fw)),
        "lip_tabs": 2 * len(tabs(f.base_depth_mm - 2 * p.board_thickness_mm, fw)),
        "pins": 12,
    }


def angle_deg(a: Pt, b: Pt) -> float:
    return math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))
