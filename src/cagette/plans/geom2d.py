"""Plain-Python 2D geometry for panel outlines: polygons as tuples of points.

Conventions: an outer contour runs counter-clockwise, a hole clockwise, so
the material is always on the left of the direction of travel and the waste
on the right. Then one offset function ("to the right by d") grows a part
for the kerf, whether the contour is its outside or a hole, and one rule
("a 90° right turn is an inside corner") places the dog-bones.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

Pt = tuple[float, float]
Poly = tuple[Pt, ...]

EPS = 1e-9
ARC_STEP_DEG = 15.0


def area(poly: Sequence[Pt]) -> float:
    """Signed area (positive when counter-clockwise)."""
    s = 0.0
    n = len(poly)
    for i in range(n):
        x1, y1 = poly[i]
        x2, y2 = poly[(i + 1) % n]
        s += x1 * y2 - x2 * y1
    return s / 2


def oriented(poly: Sequence[Pt], ccw: bool) -> Poly:
    pts = tuple(poly)
    if (area(pts) > 0) != ccw:
        pts = tuple(reversed(pts))
    return pts


def rect(x0: float, y0: float, x1: float, y1: float, ccw: bool = True) -> Poly:
    return oriented(((x0, y0), (x1, y0), (x1, y1), (x0, y1)), ccw)


def circle(cx: float, cy: float, r: float, segments: int = 32, ccw: bool = False) -> Poly:
    pts = tuple((cx + r * math.cos(2 * math.pi * i / segments), cy + r * math.sin(2 * math.pi * i / segments))
                for i in range(segments))
    return oriented(pts, ccw)


def bbox(polys: Iterable[Sequence[Pt]]) -> tuple[float, float, float, float]:
    xs: list[float] = []
    ys: list[float] = []
    for poly in polys:
        for x, y in poly:
            xs.append(x)
            ys.append(y)
    return min(xs), min(ys), max(xs), max(ys)


def clean(poly: Sequence[Pt], tol: float = 1e-7) -> Poly:
    """Drop repeated and collinear points."""
    pts: list[Pt] = []
    for p in poly:
        if not pts or abs(p[0] - pts[-1][0]) > tol or abs(p[1] - pts[-1][1]) > tol:
            pts.append(p)
    while len(pts) > 1 and abs(pts[0][0] - pts[-1][0]) <= tol and abs(pts[0][1] - pts[-1][1]) <= tol:
        pts.pop()
    changed = True
    while changed and len(pts) > 3:
        changed = False
        for i in range(len(pts)):
            a, b, c = pts[i - 1], pts[i], pts[(i + 1) % len(pts)]
            cross = (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0])
            dot = (b[0] - a[0]) * (c[0] - b[0]) + (b[1] - a[1]) * (c[1] - b[1])
            if abs(cross) <= tol * max(1.0, math.dist(a, b) + math.dist(b, c)) and dot > 0:
                del pts[i]
                changed = True
                break
    return tuple(pts)


def _unit(ax: float, ay: float) -> Pt:
    n = math.hypot(ax, ay)
    return (ax / n, ay / n)


def dog_bones(poly: Sequence[Pt], radius: float) -> Poly:
    """Add a dog-bone (a half circle of *radius* through the corner) at every
    90° inside corner (a right turn), so a round cutter clears it."""
    if radius <= 0:
        return tuple(poly)
    n = len(poly)
    out: list[Pt] = []
    r2 = radius * math.sqrt(2)
    for i in range(n):
        a, v, b = poly[i - 1], poly[i], poly[(i + 1) % n]
        d1 = _unit(v[0] - a[0], v[1] - a[1])
        d2 = _unit(b[0] - v[0], b[1] - v[1])
        cross = d1[0] * d2[1] - d1[1] * d2[0]
        dot = d1[0] * d2[0] + d1[1] * d2[1]
        if cross < -0.999 and abs(dot) < 1e-6:
            u = _unit(-d1[0] + d2[0], -d1[1] + d2[1])
            cx, cy = v[0] + radius * u[0], v[1] + radius * u[1]
            p1 = (v[0] - r2 * d1[0], v[1] - r2 * d1[1])
            start = math.atan2(p1[1] - cy, p1[0] - cx)
            steps = 8
            for k in range(steps + 1):
                ang = start - math.pi * k / steps  # clockwise, through the corner
                out.append((cx + radius * math.cos(ang), cy + radius * math.sin(ang)))
        else:
            out.append(v)
    return tuple(out)


OFFSET_SCALE = 1e5  # pyclipper works on integers: 10 nm steps
ARC_TOLERANCE_MM = 0.002


def offset(poly: Sequence[Pt], d: float) -> Poly:
    """Offset a contour to the right of its direction of travel by *d*
    (outward for a counter-clockwise outline, into the hole for a clockwise hole
    — the material grows either way), through Clipper (pyclipper). Outside
    corners are rounded, so every point of the result lies at *d* from the
    contour (within 2 µm); inside corners are mitred."""
    if d <= 0:
        return tuple(poly)
    import pyclipper

    ccw = area(poly) > 0
    # Clipper grows paths of positive orientation: a hole (clockwise) grows its material by
    # shrinking its counter-clockwise reverse
    path = [tuple(q) for q in (poly if ccw else reversed(poly))]
    pco = pyclipper.PyclipperOffset(2.0, ARC_TOLERANCE_MM * OFFSET_SCALE)
    pco.AddPath(pyclipper.scale_to_clipper(path, OFFSET_SCALE), pyclipper.JT_ROUND, pyclipper.ET_CLOSEDPOLYGON)
    result = pco.Execute((d if ccw else -d) * OFFSET_SCALE)
    if not result:
        return tuple(poly)
    best = max(result, key=lambda path: abs(pyclipper.Area(path)))
    pts = tuple((x / OFFSET_SCALE, y / OFFSET_SCALE) for x, y in best)
    return oriented(pts, ccw)


def dist_to_contour(p: Pt, poly: Sequence[Pt]) -> float:
    """Distance from a point to a closed polyline."""
    best = math.inf
    n = len(poly)
    for i in range(n):
        ax, ay = poly[i]
        bx, by = poly[(i + 1) % n]
        dx, dy = bx - ax, by - ay
        ll = dx * dx + dy * dy
        tt = 0.0 if ll == 0 else max(0.0, min(1.0, ((p[0] - ax) * dx + (p[1] - ay) * dy) / ll))
        best = min(best, math.hypot(p[0] - ax - tt * dx, p[1] - ay - tt * dy))
    return best


def transform(poly: Sequence[Pt], dx: float, dy: float, rotate: bool = False) -> Poly:
    """Rotate by +90° about the origin (if asked), then translate."""
    if rotate:
        return tuple((-y + dx, x + dy) for x, y in poly)
    return tuple((x + dx, y + dy) for x, y in poly)


def point_in(p: Pt, poly: Sequence[Pt]) -> bool:
    inside = False
    n = len(poly)
    x, y = p
    for i in range(n):
        x1, y1 = poly[i]
        x2, y2 = poly[(i + 1) % n]
        if (y1 > y) != (y2 > y):
            xc = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if xc > x:
                inside = not inside
    return inside
