"""The nominal 2D outline of every panel: the single truth of the box.

Each :class:`Panel` is a flat part: an outer contour (counter-clockwise), its
holes (clockwise), what is engraved on it, its thickness, and where it sits in
the assembly (a local frame whose third axis is the extrusion). The 3D model
extrudes these outlines exactly; the cut sheets offset them by half the kerf.
Slots (the holes that take a tab or a tenon) are ``joint_play_mm`` larger than
what goes in them. Pure Python: nothing here imports cadquery.

The parts: the base (with the stage engraved on it), two legs with a light
window, the shelf and the device's cradle on it, a back apron that keeps the
legs square, and per side a wing, two cheeks, a lamp board and a diffuser.
``device`` is the stand-in of the phone or tablet (not cut, not in the BOM).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from cagette.i18n import N_, _, current_language
from cagette.plans import geom2d as g
from cagette.plans.framing import CHEEK_RIM_MM, LED_DEPTH_MM, LENS_RADIUS_MM, Lamp, lamp_section
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
SHOULDER_MM = 8.0  # the lamp board's and diffuser's end tabs are this much narrower on each side

WOOD = (0.87, 0.72, 0.53)
DARK = (0.7, 0.55, 0.38)


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
        x, y, z = (o[i] + u * a[i] + v * b[i] + w * c[i] for i in range(3))
        return (x, y, z)


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
    material: str = "board"  # "board", "diffuser" or "device" (the stand-in, not cut)
    color: tuple[float, float, float] = WOOD
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

    @property
    def is_cut(self) -> bool:
        return self.material != "device"

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


def slot(x0: float, y0: float, x1: float, y1: float, play: float) -> Poly:
    """A hole that takes a tab of (x0, y0)-(x1, y1), *play* larger overall (clockwise)."""
    h = play / 2
    return g.rect(x0 - h, y0 - h, x1 + h, y1 + h, ccw=False)


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


def build_panels(p: BoxParams) -> tuple[Panel, ...]:
    """Every part of the box, labels in the current language."""
    return _build(p, current_language())


@lru_cache(maxsize=32)
def _build(p: BoxParams, language: str) -> tuple[Panel, ...]:
    parts = [_base(p), *_legs(p), *_shelf_and_cradle(p), _apron(p)]
    for sx in (1, -1):
        parts += _wing(p, sx)
    parts.append(_device(p))
    return tuple(parts)


def _label(title: str, x: float, y: float, height: float = TEXT_MM) -> Text:
    return Text(x, y, height, _(title))


def _base(p: BoxParams) -> Panel:
    f = p.framing
    t, xi, depth, s = p.board_thickness_mm, f.leg_inner_x_mm, f.base_depth_mm, f.stile_mm
    bw = f.base_width_mm
    holes: list[Poly] = []
    for sx in (1, -1):
        x0, x1 = sorted((sx * xi, sx * (xi + t)))
        for a, b in leg_tabs(p):
            holes.append(slot(x0, a, x1, b, p.joint_play_mm))
    sx_, sy_ = f.stage_rect_mm
    lines: list[tuple[Pt, ...]] = [g.rect(-sx_ / 2, -sy_ / 2, sx_ / 2, sy_ / 2)]
    lines += [r for _label_, r in frame_rects(sx_, sy_)]
    lines += [((-10.0, 0.0), (10.0, 0.0)), ((0.0, -10.0), (0.0, 10.0))]
    fills: list[Poly] = []
    for mid, mx, my in f.markers_mm:
        fills += _marker_cells(mid, mx, my, p.marker_size_mm)
    outer, holes_c = _finish(p, list(g.rect(-bw / 2, -depth / 2, bw / 2, depth / 2)), holes)
    del s
    title = N_("base and stage")
    return Panel("base", title, outer, holes_c, t, Placement((0, 0, 0), (1, 0, 0), (0, 1, 0)),
                 engrave_lines=tuple(lines), engrave_fills=tuple(fills),
                 texts=(_label(title, -xi + 10, -depth / 2 + 3),))


def leg_tabs(p: BoxParams) -> list[tuple[float, float]]:
    """The legs' tabs into the base, along Y: one set under each post."""
    f = p.framing
    d, s = f.base_depth_mm, f.stile_mm
    return tabs(s, p.finger_mm, -d / 2 + s / 2) + tabs(s, p.finger_mm, d / 2 - s / 2)


def tenon_width(p: BoxParams) -> float:
    return max(p.finger_mm, p.pin_diameter_mm + 2 * p.board_thickness_mm)


def apron_y(p: BoxParams) -> float:
    """Back face of the apron, in the middle of the legs' back posts."""
    f = p.framing
    return f.base_depth_mm / 2 - f.stile_mm / 2 + p.board_thickness_mm / 2


def apron_z(p: BoxParams) -> tuple[float, float]:
    """The apron's z range: right under the lowest shelf slot, no taller than it needs."""
    a0, a1 = p.framing.apron_mm
    return max(a0, a1 - max(60.0, tenon_width(p) + 2 * p.board_thickness_mm + 10)), a1


def _apron_tenon(p: BoxParams) -> tuple[float, float]:
    a0, a1 = apron_z(p)
    h = min(a1 - a0 - 2 * p.board_thickness_mm, max(tenon_width(p), 30.0))
    mid = (a0 + a1) / 2
    return mid - h / 2, mid + h / 2


def _legs(p: BoxParams) -> list[Panel]:
    f = p.framing
    t, xi, depth, s = p.board_thickness_mm, f.leg_inner_x_mm, f.base_depth_mm, f.stile_mm
    play = p.joint_play_mm
    tw = tenon_width(p)
    outer: list[Pt] = [(-depth / 2, t)]
    lt = leg_tabs(p)
    for a, b in lt[: len(lt) // 2]:
        outer += [(a, t), (a, 0.0), (b, 0.0), (b, t)]
    outer += [(-depth / 2 + s, t), (-depth / 2 + s, f.window_top_mm), (depth / 2 - s, f.window_top_mm),
              (depth / 2 - s, t)]
    for a, b in lt[len(lt) // 2:]:
        outer += [(a, t), (a, 0.0), (b, 0.0), (b, t)]
    outer += [(depth / 2, t), (depth / 2, f.leg_height_mm), (-depth / 2, f.leg_height_mm)]
    holes: list[Poly] = []
    for top in f.shelf_tops_mm:
        for a, b in _tenons(shelf_depth(p), tw):
            holes.append(slot(a, top - t, b, top, play))
    for a, b in _tenons(f.wing_depth_mm, tw):
        holes.append(slot(a, f.wing_top_mm - t, b, f.wing_top_mm, play))
    ay = apron_y(p)
    z0, z1 = _apron_tenon(p)
    holes.append(slot(ay - t, z0, ay, z1, play))
    holes.append(g.circle(0.0, (f.window_top_mm + f.wing_top_mm - t) / 2, CABLE_HOLE_MM / 2, 16))
    out = []
    for side, sx in (("right", 1), ("left", -1)):
        leg_holes = list(holes)
        lines: list[tuple[Pt, ...]] = []
        title = N_("leg, right") if sx > 0 else N_("leg, left")
        texts = [_label(title, -depth / 2 + 4, f.shelf_tops_mm[-1] + 5)]
        if side == "right":  # the controller on the front post, outside; the button above it
            u0, v0 = -depth / 2 + s / 2, t + 20 + PICO_SIZE_MM[0] / 2
            hx, hy = PICO_HOLES_MM[1] / 2, PICO_HOLES_MM[0] / 2
            for ux in (-hx, hx):
                for vy in (-hy, hy):
                    leg_holes.append(g.circle(u0 + ux, v0 + vy, 1.1, 8))
            lines.append(g.rect(u0 - PICO_SIZE_MM[1] / 2, v0 - PICO_SIZE_MM[0] / 2,
                                u0 + PICO_SIZE_MM[1] / 2, v0 + PICO_SIZE_MM[0] / 2))
            leg_holes.append(g.circle(u0, v0 + PICO_SIZE_MM[0] / 2 + 20, BUTTON_HOLE_MM / 2, 24))
        outer_c, holes_c = _finish(p, outer, leg_holes)
        x0 = xi if sx > 0 else -xi - t
        out.append(Panel(f"leg_{side}", title, outer_c, holes_c, t, Placement((x0, 0, 0), (0, 1, 0), (0, 0, 1)),
                         color=DARK, engrave_lines=tuple(lines), texts=tuple(texts)))
    return out


def _through_tenons(x_from: float, x_end: float, spans: list[tuple[float, float]]) -> list[Pt]:
    """The right end of a part (at *x_from*) with tenons reaching *x_end*, going up (+v)."""
    pts: list[Pt] = []
    for a, b in spans:
        pts += [(x_from, a), (x_end, a), (x_end, b), (x_from, b)]
    return pts


def _mirrored_tenons(x_from: float, x_end: float, spans: list[tuple[float, float]]) -> list[Pt]:
    """The left end (going down, -v)."""
    pts: list[Pt] = []
    for a, b in reversed(spans):
        pts += [(-x_from, b), (-x_end, b), (-x_end, a), (-x_from, a)]
    return pts


def shelf_depth(p: BoxParams) -> float:
    """The shelf is as deep as the device's pocket needs (symmetric about the lens), at most the base's depth."""
    f = p.framing
    cy = f.device_center_mm[1]
    need = 2 * (abs(cy) + f.device_size_mm[1] / 2 + 1.0 + CRADLE_RIM_MM + p.pin_diameter_mm + 6)
    return min(f.base_depth_mm, max(need, 4 * tenon_width(p)))


CRADLE_RIM_MM = 10.0


def _shelf_and_cradle(p: BoxParams) -> list[Panel]:
    f = p.framing
    t, xi = p.board_thickness_mm, f.leg_inner_x_mm
    depth = shelf_depth(p)
    tw = tenon_width(p)
    x_end = xi + t + p.pin_diameter_mm + t
    ten = _tenons(depth, tw)
    so: list[Pt] = [(-xi, -depth / 2), (xi, -depth / 2), *_through_tenons(xi, x_end, ten), (xi, depth / 2),
                    (-xi, depth / 2), *_mirrored_tenons(xi, x_end, ten)]
    pin_r = p.pin_diameter_mm / 2
    holes: list[Poly] = [g.rect(-f.opening_w_mm / 2, -f.opening_h_mm / 2, f.opening_w_mm / 2,
                                f.opening_h_mm / 2, ccw=False)]
    for a, b in ten:
        for sx in (1, -1):
            holes.append(g.circle(sx * (xi + t + pin_r), (a + b) / 2, pin_r, 20))
    # the cradle: the device's pocket with a rim and a pin in each corner
    cx, cy = f.device_center_mm
    hx = f.device_size_mm[0] / 2 + 1.0
    hy = f.device_size_mm[1] / 2 + 1.0
    margin = CRADLE_RIM_MM + p.pin_diameter_mm + 6
    c0x, c1x = max(-xi + 1, cx - hx - margin), min(xi - 1, cx + hx + margin)
    c0y, c1y = max(-depth / 2, cy - hy - margin), min(depth / 2, cy + hy + margin)
    inset = 3 + pin_r
    cradle_pins = [g.circle(x, y, pin_r, 20) for x in (c0x + inset, c1x - inset) for y in (c0y + inset, c1y - inset)]
    holes += cradle_pins
    outer, holes_c = _finish(p, so, holes)
    label_x = -xi + 2 * p.pin_diameter_mm + 10
    shelf = Panel("shelf", N_("shelf"), outer, holes_c, t, Placement((0, 0, f.shelf_top_mm - t), (1, 0, 0), (0, 1, 0)),
                  texts=(_label(N_("shelf"), label_x, -depth / 2 + 3),))
    c_outer, c_holes = _finish(p, list(g.rect(c0x, c0y, c1x, c1y)),
                               [g.rect(cx - hx, cy - hy, cx + hx, cy + hy, ccw=False), *cradle_pins])
    # an arrow engraved where the device's top edge (the lens end) must point
    if f.device_top_edge == "left":
        ax, ay = (c0x + cx - hx) / 2 + 3, cy
        arrow = ((ax - 4, ay), (ax + 2, ay + 3), (ax + 2, ay - 3))
    else:
        ax, ay = cx, (c1y + cy + hy) / 2 - 3
        arrow = ((ax, ay + 4), (ax - 3, ay - 2), (ax + 3, ay - 2))
    cradle = Panel("cradle", N_("device cradle"), c_outer, c_holes, t,
                   Placement((0, 0, f.shelf_top_mm), (1, 0, 0), (0, 1, 0)), color=(0.55, 0.6, 0.7),
                   engrave_fills=(g.oriented(arrow, True),),
                   texts=(_label(N_("cradle"), c0x + 4, c0y + 2, 3.5),))
    return [shelf, cradle]


def _apron(p: BoxParams) -> Panel:
    f = p.framing
    t, xi = p.board_thickness_mm, f.leg_inner_x_mm
    a0, a1 = apron_z(p)
    z0, z1 = _apron_tenon(p)
    x_end = xi + t + p.pin_diameter_mm + t
    outer: list[Pt] = [(-xi, a0), (xi, a0), *_through_tenons(xi, x_end, [(z0, z1)]), (xi, a1), (-xi, a1),
                       *_mirrored_tenons(xi, x_end, [(z0, z1)])]
    pin_r = p.pin_diameter_mm / 2
    holes = [g.circle(sx * (xi + t + pin_r), (z0 + z1) / 2, pin_r, 20) for sx in (1, -1)]
    outer_c, holes_c = _finish(p, outer, holes)
    title = N_("back apron")
    # local (u, v) = world (x, z), extruded towards the front (-Y)
    return Panel("apron", title, outer_c, holes_c, t, Placement((0, apron_y(p), 0), (1, 0, 0), (0, 0, 1)),
                 color=DARK, texts=(_label(title, -xi + 10, a0 + 4),))


def lamp_length(p: BoxParams) -> float:
    """Length of the diffusers (and LED strips) between the cheeks."""
    return p.framing.wing_depth_mm - 4 * p.board_thickness_mm


def _cheek_outline(p: BoxParams, lamp: Lamp) -> tuple[list[Pt], list[Poly]]:
    """The right cheeks' outline (local u = world x, v = world z) with its two slots."""
    import shapely
    from shapely.geometry import Polygon, box

    f = p.framing
    t, d, play = p.board_thickness_mm, p.diffuser_thickness_mm, p.joint_play_mm
    arm_bottom = f.wing_top_mm - t
    section = Polygon(lamp_section(lamp, t, d)).buffer(CHEEK_RIM_MM, join_style="mitre")
    cx = lamp.centre[0]
    arm_end = f.leg_inner_x_mm + t + f.wing_width_mm
    x_lo, x_hi = cx - 30, min(cx + 30, arm_end - 4)
    hull = shapely.union(section, box(x_lo, arm_bottom - 1, x_hi, arm_bottom)).convex_hull
    hull = shapely.clip_by_rect(hull, -1e6, -1e6, 1e6, arm_bottom)
    ring = [(round(x, 6), round(y, 6)) for x, y in hull.exterior.coords[:-1]]
    ring = list(g.oriented(g.clean(ring), True))
    # the top edge runs right to left at v = arm_bottom: put the tabs on it
    top = [i for i, (_x, y) in enumerate(ring) if abs(y - arm_bottom) < 1e-6]
    i = next(k for k in top if (k + 1) % len(ring) in top and ring[k][0] > ring[(k + 1) % len(ring)][0])
    x_a, x_b = ring[(i + 1) % len(ring)][0], ring[i][0]
    bumps: list[Pt] = []
    for a, b in reversed(cheek_tabs(p, x_a, x_b)):
        bumps += [(b, arm_bottom), (b, arm_bottom + t), (a, arm_bottom + t), (a, arm_bottom)]
    outline = ring[: i + 1] + bumps + ring[i + 1:]
    w_tab = lamp.width_mm / 2 - SHOULDER_MM
    holes = []
    # a router's dog-bones need a slot wider than the cutter: the thin diffuser then sits with room behind
    least = 2 * math.sqrt(2) * p.dog_bone_radius_mm + 0.2 if p.dog_bones else 0.0
    for back0, back1 in ((0.0, d), (d + LED_DEPTH_MM, d + LED_DEPTH_MM + t)):
        u0, u1, b0, b1 = -w_tab - play / 2, w_tab + play / 2, back0 - play / 2, back1 + play / 2
        b1 = max(b1, b0 + least)
        holes.append(g.oriented((lamp.point(u0, b0), lamp.point(u1, b0), lamp.point(u1, b1), lamp.point(u0, b1)),
                                False))
    return outline, holes


def cheek_tabs(p: BoxParams, x_a: float, x_b: float) -> list[tuple[float, float]]:
    width = min(p.finger_mm, (x_b - x_a) / 3)
    return tabs(x_b - x_a, width, (x_a + x_b) / 2)


def _wing(p: BoxParams, sx: int) -> list[Panel]:
    f = p.framing
    t, xi, d, play = p.board_thickness_mm, f.leg_inner_x_mm, p.diffuser_thickness_mm, p.joint_play_mm
    side = "right" if sx > 0 else "left"
    lamp = f.lamp
    wd = f.wing_depth_mm
    length = lamp_length(p)
    tw = tenon_width(p)
    pin_r = p.pin_diameter_mm / 2
    # the wing: from the leg's outer face outwards, tenons inwards through the leg, pinned inside
    x0, x1 = xi + t, xi + t + f.wing_width_mm
    x_in_end = xi - p.pin_diameter_mm - t
    ten = _tenons(wd, tw)
    wo: list[Pt] = [(x_in_end, ten[0][0]), (xi + t, ten[0][0]), (xi + t, -wd / 2), (x1, -wd / 2), (x1, wd / 2),
                    (xi + t, wd / 2), (xi + t, ten[1][1]), (x_in_end, ten[1][1]), (x_in_end, ten[1][0]),
                    (xi + t, ten[1][0]), (xi + t, ten[0][1]), (x_in_end, ten[0][1])]
    cheek, cheek_holes = _cheek_outline(p, lamp)
    arm_bottom = f.wing_top_mm - t
    top_pts = [x for x, v in cheek if abs(v - arm_bottom - t) < 1e-6]
    wing_holes: list[Poly] = [g.circle(xi - pin_r, (a + b) / 2, pin_r, 20) for a, b in ten]
    ys = ((length / 2, length / 2 + t), (-length / 2 - t, -length / 2))
    for a, b in zip(top_pts[1::2], top_pts[0::2], strict=True):
        lo, hi = sorted((a, b))
        for y0, y1 in ys:
            wing_holes.append(slot(lo, y0, hi, y1, play))
    mir = (lambda q: q) if sx > 0 else _mirror_u
    w_outer, w_holes = _finish(p, wo, wing_holes)
    title_w = N_("wing, right") if sx > 0 else N_("wing, left")
    text_x = x0 + 8 if sx > 0 else -x1 + 8
    parts = [Panel(f"wing_{side}", title_w, mir(w_outer), tuple(mir(h) for h in w_holes), t,
                   Placement((0, 0, f.wing_top_mm - t), (1, 0, 0), (0, 1, 0)), color=DARK,
                   texts=(_label(title_w, text_x, -length / 2 + 6, 4.0),))]
    c_outer, c_holes = _finish(p, cheek, cheek_holes)
    for end, y_origin in (("back", length / 2 + t), ("front", -length / 2)):
        parts.append(Panel(f"cheek_{side}_{end}",
                           {("right", "back"): N_("lamp cheek, right back"),
                            ("right", "front"): N_("lamp cheek, right front"),
                            ("left", "back"): N_("lamp cheek, left back"),
                            ("left", "front"): N_("lamp cheek, left front")}[(side, end)],
                           mir(c_outer), tuple(mir(h) for h in c_holes), t,
                           Placement((0, y_origin, 0), (1, 0, 0), (0, 0, 1)), color=WOOD))
    # lamp board and diffuser: local u = world y, v across the lamp, extruded towards the stage
    w_tab = lamp.width_mm / 2 - SHOULDER_MM
    w = lamp.width_mm / 2
    board: list[Pt] = [(-length / 2, -w), (length / 2, -w), (length / 2, -w_tab), (length / 2 + t, -w_tab),
                       (length / 2 + t, w_tab), (length / 2, w_tab), (length / 2, w), (-length / 2, w),
                       (-length / 2, w_tab), (-length / 2 - t, w_tab), (-length / 2 - t, -w_tab),
                       (-length / 2, -w_tab)]
    ax, az = lamp.across
    ey = (ax, 0.0, az) if sx > 0 else (ax, 0.0, -az)
    ey = (sx * ax, 0.0, az) if sx > 0 else (ax, 0.0, -az)
    for name, title, thick, back, material, color in (
            ("lamp", N_("lamp board, right") if sx > 0 else N_("lamp board, left"), t,
             d + LED_DEPTH_MM + t, "board", WOOD),
            ("diffuser", N_("diffuser, right") if sx > 0 else N_("diffuser, left"), d, d, "diffuser",
             (0.95, 0.95, 0.97))):
        px, pz = lamp.point(0.0, back)
        outer_c, _none = _finish(p, board, [])
        texts = (_label(title, -length / 2 + 6, -w + 3, 3.5),) if material == "board" else ()
        parts.append(Panel(f"{name}_{side}", title, outer_c, (), thick,
                           Placement((sx * px, 0.0, pz), (0.0, 1.0, 0.0), ey), material=material, color=color,
                           texts=texts))
    return parts


def _device(p: BoxParams) -> Panel:
    f = p.framing
    cx, cy = f.device_center_mm
    w, h = f.device_size_mm
    lens = g.circle(0.0, 0.0, LENS_RADIUS_MM, 32)
    return Panel("device", N_("device (stand-in)"), g.rect(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2),
                 (lens,), p.device_thickness_mm, Placement((0, 0, f.shelf_top_mm), (1, 0, 0), (0, 1, 0)),
                 material="device", color=(0.15, 0.15, 0.18))


def cut_panels(p: BoxParams) -> tuple[Panel, ...]:
    """Every part that is cut (boards and diffusers), not the device's stand-in."""
    return tuple(pn for pn in build_panels(p) if pn.is_cut)


def board_panels(p: BoxParams) -> tuple[Panel, ...]:
    return tuple(pn for pn in build_panels(p) if pn.material == "board")


def diffuser_panels(p: BoxParams) -> tuple[Panel, ...]:
    return tuple(pn for pn in build_panels(p) if pn.material == "diffuser")


def led_strip_length_mm(p: BoxParams) -> float:
    """Both lamps' strips, the length of the diffusers between the cheeks."""
    return 2 * lamp_length(p)


def joint_count(p: BoxParams) -> dict[str, int]:
    return {"leg_tabs": 2 * len(leg_tabs(p)), "pins": pin_count(p)}


def pin_count(p: BoxParams) -> int:
    """Shelf 4, cradle 4, wings 4, apron 2."""
    return 14


def angle_deg(a: Pt, b: Pt) -> float:
    return math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))
