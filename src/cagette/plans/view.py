"""The virtual camera: what the device sees from its lens through the opening.

A ray is cast from the lens (a pinhole) through every pixel of the output
frame (the chosen ratio, after the stabilisation crop). Each part of the box
is the extrusion of its 2D outline (the same outlines the 3D model and the
cut sheets use): the ray's stretch inside the part's slab is a segment in the
part's plane, and shapely (GEOS) says, for all rays at once, whether that
segment meets the outline. Only the rays that can reach a part are tried on
it (those in the shadow cone of its box; none for a part the rays reach only
through an opening, as the shelf round the lens), and a segment wholly inside
one of its openings is known to miss it: the hits are those of trying every
ray on every part, at a fraction of the work. A ray that meets no part
before the paper sees the stage: the base's engraving (stage outline, safe
areas, markers), shaded by the predicted light (:mod:`cagette.plans.light`).
A ray stopped by a part is *hidden* and drawn in that part's colour, darkened.

numpy, shapely and Pillow; no cadquery. ``tests/plans`` cross-check it
against trimesh's ray caster on the kit's own STL.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cagette.fsutil import atomic_writer
from cagette.plans.panels import Panel, build_panels
from cagette.plans.params import BoxParams

DEFAULT_LONG_SIDE_PX = 960
TEXTURE_PX_PER_MM = 2.0
PAPER = (246, 244, 238)
WOOD = (196, 160, 112)
INK = (25, 25, 25)
LINE = (40, 60, 170)
EPS = 1e-6
CULL_MARGIN_MM = 1.0  # parts this close to the lens's height are tried against every ray


@dataclass(frozen=True)
class View:
    image: Any  # H × W × 3, uint8
    hidden: Any  # H × W, bool: the ray met a part of the box before the paper
    stage_xy: Any  # H × W × 2: where each ray meets the paper (mm)

    @property
    def hidden_share(self) -> float:
        return float(self.hidden.mean())

    @property
    def size(self) -> tuple[int, int]:
        return int(self.image.shape[1]), int(self.image.shape[0])


def image_size(p: BoxParams, long_side: int = DEFAULT_LONG_SIDE_PX) -> tuple[int, int]:
    f = p.framing
    w, h = f.visible_width_mm, f.visible_height_mm
    if w >= h:
        return long_side, max(1, round(long_side * h / w))
    return max(1, round(long_side * w / h)), long_side


def rays(p: BoxParams, size: tuple[int, int]) -> tuple[Any, Any]:
    """Origin (the lens) and one direction per pixel (row-major, z = -1), image up = +Y (the back)."""
    import numpy as np

    f = p.framing
    w, h = size
    tx = f.visible_width_mm / 2 / f.shelf_height_mm
    ty = f.visible_height_mm / 2 / f.shelf_height_mm
    u = ((np.arange(w) + 0.5) / w * 2 - 1) * tx
    v = (1 - (np.arange(h) + 0.5) / h * 2) * ty
    gu, gv = np.meshgrid(u, v)
    d = np.stack([gu.ravel(), gv.ravel(), -np.ones(gu.size)], axis=1)
    return np.array([0.0, 0.0, f.lens_z_mm]), d


def first_hits(panels: tuple[Panel, ...], origin: Any, d: Any, s_max: float) -> tuple[Any, Any]:
    """For each ray: the ray parameter of its first hit (inf: none) and the index of the part it hits."""
    import numpy as np

    n = len(d)
    best = np.full(n, np.inf)
    which = np.full(n, -1)
    fan = _Fan.of(d)
    for k, pn in enumerate(panels):
        rays_k = fan.rays_that_may_hit(pn, origin) if fan is not None else None
        if rays_k is not None and rays_k.size == 0:
            continue
        hit, s0 = _slab_hits(pn, origin, d if rays_k is None else d[rays_k], s_max,
                             best if rays_k is None else best[rays_k])
        idx = hit if rays_k is None else rays_k[hit]
        best[idx] = s0[hit]
        which[idx] = k
    return best, which


@dataclass(frozen=True)
class _Fan:
    """Rays from one origin, all going down, by their slopes (x and y gained per mm of descent): a part
    is tried only against the rays that can reach it (the others cannot meet it, so the answer is the
    same; only the work shrinks)."""

    sx: Any
    sy: Any
    reach: tuple[float, float, float, float]  # slopes' min x, max x, min y, max y

    @staticmethod
    def of(d: Any) -> _Fan | None:
        import numpy as np

        if len(d) == 0 or not bool(np.all(d[:, 2] < 0)):
            return None
        sx, sy = d[:, 0] / -d[:, 2], d[:, 1] / -d[:, 2]
        return _Fan(sx, sy, (float(sx.min()), float(sx.max()), float(sy.min()), float(sy.max())))

    def rays_that_may_hit(self, pn: Panel, origin: Any) -> Any:
        """Indices of the rays that may meet *pn*, or ``None``: try them all.

        A ray at depth t below the origin is within t·slope of the origin's vertical, so it meets the
        part's world box only below the depth where the box comes within reach; the box cut there is
        convex and below the origin, so its shadow lies within the slopes of its corners. A part the
        rays reach only in an opening (the lens hole under the lens) is met by none."""
        import numpy as np

        m = CULL_MARGIN_MM
        x0, y0, x1, y1 = pn.bbox
        corners = np.array([pn.placement.to_world(u, v, w) for u in (x0, x1) for v in (y0, y1)
                            for w in (0.0, pn.thickness_mm)]) - origin
        lo, hi = corners.min(axis=0), corners.max(axis=0)
        deepest = -lo[2]
        if deepest <= 0:
            return np.zeros(0, int)  # wholly above the origin
        lsx, hsx, lsy, hsy = self.reach
        t0 = max(0.0, -hi[2], _depth_to_reach(lo[0], hi[0], lsx, hsx), _depth_to_reach(lo[1], hi[1], lsy, hsy)) - m
        if t0 > deepest:
            return np.zeros(0, int)
        if t0 <= m:
            near = np.array([[max(lo[0], min(0.0, lsx * deepest)) - m, max(lo[1], min(0.0, lsy * deepest)) - m],
                             [min(hi[0], max(0.0, hsx * deepest)) + m, min(hi[1], max(0.0, hsy * deepest)) + m]])
            return np.zeros(0, int) if _in_an_opening(pn, origin, near, -hi[2], deepest) else None
        cut = np.array([(x, y, -t) for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for t in (t0, deepest)])
        px, py = cut[:, 0] / -cut[:, 2], cut[:, 1] / -cut[:, 2]
        pad = m / t0
        bx0, bx1, by0, by1 = px.min() - pad, px.max() + pad, py.min() - pad, py.max() + pad
        if bx0 > hsx or bx1 < lsx or by0 > hsy or by1 < lsy:
            return np.zeros(0, int)
        return np.nonzero((self.sx >= bx0) & (self.sx <= bx1) & (self.sy >= by0) & (self.sy <= by1))[0]


def _depth_to_reach(lo: float, hi: float, slope_lo: float, slope_hi: float) -> float:
    """The least depth at which a ray whose slope is in [slope_lo, slope_hi] can be in [lo, hi]."""
    if lo > 0:
        return lo / slope_hi if slope_hi > 0 else math.inf
    if hi < 0:
        return hi / slope_lo if slope_lo < 0 else math.inf
    return 0.0


def _in_an_opening(pn: Panel, origin: Any, near: Any, top: float, deepest: float) -> bool:
    """Whether the world box *near* (x, y, from depth *top* to *deepest* below *origin*) lies, in the part's
    own frame, strictly inside one of its openings."""
    import numpy as np

    pl = pn.placement
    axes = np.array([pl.ex, pl.ey], float)
    pts = np.array([(x, y, -t) for x in near[:, 0] for y in near[:, 1] for t in (top, deepest)]) + origin
    local = (pts - np.array(pl.origin, float)) @ axes.T
    (u0, v0), (u1, v1) = local.min(axis=0), local.max(axis=0)
    return any(rx0 < u0 and u1 < rx1 and ry0 < v0 and v1 < ry1 for rx0, ry0, rx1, ry1 in _clear_rects(pn))


def _slab_hits(pn: Panel, origin: Any, d: Any, s_max: float, best: Any) -> tuple[Any, Any]:
    """Which of the rays *d* meet the part before *best* (indices), and where they enter its slab."""
    import numpy as np
    import shapely

    pl = pn.placement
    axes = np.array([pl.ex, pl.ey, pl.ez], float)  # rows: local axes in world
    o = axes @ (origin - np.array(pl.origin, float))
    w0, dw = o[2], d @ axes[2]
    inside = 0 <= w0 <= pn.thickness_mm
    flat = np.abs(dw) <= EPS
    with np.errstate(divide="ignore", invalid="ignore"):
        sa = (0.0 - w0) / dw
        sb = (pn.thickness_mm - w0) / dw
    s0 = np.fmin(sa, sb)
    s1 = np.fmax(sa, sb)
    if flat.any():
        s0[flat] = 0.0 if inside else np.inf
        s1[flat] = s_max if inside else -1.0
    np.maximum(s0, EPS, out=s0)
    np.minimum(s1, s_max - EPS, out=s1)
    none = np.zeros(0, int)
    cand = np.nonzero((s0 < s1) & (s0 < best))[0]
    if cand.size == 0:
        return none, s0
    dl = d[cand] @ axes[:2].T
    ua = o[0] + s0[cand] * dl[:, 0]
    va = o[1] + s0[cand] * dl[:, 1]
    ub = o[0] + s1[cand] * dl[:, 0]
    vb = o[1] + s1[cand] * dl[:, 1]
    lo_u, hi_u = np.minimum(ua, ub), np.maximum(ua, ub)
    lo_v, hi_v = np.minimum(va, vb), np.maximum(va, vb)
    x0, y0, x1, y1 = pn.bbox
    keep = np.nonzero(~((hi_u < x0) | (lo_u > x1) | (hi_v < y0) | (lo_v > y1)))[0]
    for rx0, ry0, rx1, ry1 in _clear_rects(pn):  # a segment wholly inside an opening misses the part
        keep = keep[~((lo_u[keep] > rx0) & (hi_u[keep] < rx1) & (lo_v[keep] > ry0) & (hi_v[keep] < ry1))]
    cand, ua, va, ub, vb = cand[keep], ua[keep], va[keep], ub[keep], vb[keep]
    if cand.size == 0:
        return none, s0
    segs = shapely.linestrings(np.stack([np.stack([ua, va], 1), np.stack([ub, vb], 1)], axis=1))
    return cand[shapely.intersects(_polygon(pn), segs)], s0


@lru_cache(maxsize=256)
def _polygon(pn: Panel) -> Any:
    import shapely

    poly = shapely.Polygon(pn.outer, list(pn.holes))
    shapely.prepare(poly)
    return poly


@lru_cache(maxsize=256)
def _clear_rects(pn: Panel) -> tuple[tuple[float, float, float, float], ...]:
    """For each opening of the part: a rectangle strictly inside it (GEOS says so), as large as a
    uniform inset of the opening's bounding box allows. Nothing of the part lies in it."""
    import shapely

    out = []
    for hole in pn.holes:
        ring = shapely.Polygon(hole)
        hx0, hy0, hx1, hy1 = ring.bounds
        lo, hi = 0.0, min(hx1 - hx0, hy1 - hy0) / 2
        if hi <= 0 or not ring.is_valid:
            continue
        shapely.prepare(ring)
        for _ in range(30):  # the smallest inset whose rectangle the opening properly contains
            mid = (lo + hi) / 2
            if ring.contains_properly(shapely.box(hx0 + mid, hy0 + mid, hx1 - mid, hy1 - mid)):
                hi = mid
            else:
                lo = mid
        rect = (hx0 + hi, hy0 + hi, hx1 - hi, hy1 - hi)
        if rect[0] < rect[2] and rect[1] < rect[3] and ring.contains_properly(shapely.box(*rect)):
            out.append(rect)
    return tuple(out)


def stage_texture(p: BoxParams) -> tuple[Any, float, float]:
    """The base's top as a picture (paper, stage marks, markers), and its origin in mm."""
    import numpy as np
    from PIL import Image, ImageDraw

    base = next(pn for pn in build_panels(p) if pn.name == "base")
    x0, y0, x1, y1 = base.bbox
    k = TEXTURE_PX_PER_MM
    w, h = int((x1 - x0) * k) + 1, int((y1 - y0) * k) + 1
    img = Image.new("RGB", (w, h), WOOD)
    draw = ImageDraw.Draw(img)

    def px(q: tuple[float, float]) -> tuple[float, float]:
        return ((q[0] - x0) * k, (y1 - q[1]) * k)

    sx, sy = p.framing.stage_rect_mm
    draw.rectangle([px((-sx / 2, sy / 2)), px((sx / 2, -sy / 2))], fill=PAPER)
    for poly in base.engrave_fills:
        draw.polygon([px(q) for q in poly], fill=INK)
    for line in base.engrave_lines:
        pts = [px(q) for q in line]
        draw.line([*pts, pts[0]] if len(pts) > 2 else pts, fill=LINE, width=2)
    return np.asarray(img), x0, y1


def render(p: BoxParams, long_side: int = DEFAULT_LONG_SIDE_PX, panels: tuple[Panel, ...] | None = None) -> View:
    import numpy as np

    f = p.framing
    size = image_size(p, long_side)
    w, h = size
    origin, d = rays(p, size)
    parts = tuple(pn for pn in (panels if panels is not None else build_panels(p)) if pn.name != "base")
    s_paper = f.lens_z_mm - f.paper_z_mm
    best, which = first_hits(parts, origin, d, s_paper)
    hidden = np.isfinite(best)
    # the rays are a grid: where they meet the paper, x depends on the column only and y on the row only
    xs = d[:w, 0] * s_paper
    ys = d[::w, 1] * s_paper
    tex, tx0, ty1 = stage_texture(p)
    k = TEXTURE_PX_PER_MM
    col = np.clip(((xs - tx0) * k).astype(int), 0, tex.shape[1] - 1)
    row = np.clip(((ty1 - ys) * k).astype(int), 0, tex.shape[0] - 1)
    rgb = tex[row[:, None], col[None, :]].reshape(h * w, 3).astype(float) / 255.0
    rgb *= _shade(p, xs, ys).reshape(h * w)[:, None]
    for i, pn in enumerate(parts):
        mask = which == i
        if mask.any():
            rgb[mask] = np.array(pn.color) * 0.45 + np.array([0.35, 0.0, 0.0])
    image = (np.clip(rgb, 0, 1) ** (1 / 2.2) * 255 + 0.5).astype(np.uint8).reshape(h, w, 3)
    stage_xy = np.stack(np.broadcast_arrays(xs[None, :], ys[:, None]), axis=2)
    return View(image, hidden.reshape(h, w), stage_xy)


def _shade(p: BoxParams, xs: Any, ys: Any) -> Any:
    """Relative light (1 at the brightest point of the frame) over the grid of points (xs × ys), rows
    along ys, bilinear from a coarse grid."""
    import numpy as np

    from cagette.plans import light

    x0, y0, x1, y1 = light.frame_rect(p)
    nx, ny = 33, 19
    gx = np.linspace(x0, x1, nx)
    gy = np.linspace(y0, y1, ny)
    my, mx = np.meshgrid(gy, gx, indexing="ij")
    e = light.irradiance(p, mx, my)
    e = e / e.max()
    fx = np.clip((xs - x0) / (x1 - x0) * (nx - 1), 0, nx - 1 - 1e-9)
    fy = np.clip((ys - y0) / (y1 - y0) * (ny - 1), 0, ny - 1 - 1e-9)
    i, j = fy.astype(int), fx.astype(int)
    a, b = (fy - i)[:, None], (fx - j)[None, :]
    top = e[np.ix_(i, j)] * (1 - b) + e[np.ix_(i, j + 1)] * b
    bottom = e[np.ix_(i + 1, j)] * (1 - b) + e[np.ix_(i + 1, j + 1)] * b
    return np.clip(top * (1 - a) + bottom * a, 0, 1)


def stage_corners_px(p: BoxParams, size: tuple[int, int]) -> list[tuple[float, float]]:
    """Where the paper stage's corners fall in the picture (pixels)."""
    f = p.framing
    w, h = size
    sx, sy = f.stage_rect_mm
    out = []
    for x, y in ((-sx / 2, sy / 2), (sx / 2, sy / 2), (sx / 2, -sy / 2), (-sx / 2, -sy / 2)):
        out.append(((x / (f.visible_width_mm / 2) + 1) / 2 * w, (1 - y / (f.visible_height_mm / 2)) / 2 * h))
    return out


def write_png(view: View, path: Path) -> None:
    from PIL import Image

    with atomic_writer(Path(path)) as fh:
        Image.fromarray(view.image).save(fh, format="PNG", optimize=False)
