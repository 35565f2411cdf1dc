"""Light like a copy stand: where the diffusers mirror in a glossy print, and how evenly they light.

Each diffuser's emitting face (the one towards the stage) is a Lambertian
source of uniform radiance. A glossy print mirrors it: seen from the lens,
its image crosses the paper where the line from the mirrored lens (below the
paper) to the diffuser does. The glare margin is the distance from that image
to the frame (negative: it is inside). The evenness is the spread, in EV
(stops), between the brightest and the darkest point of the frame.

The geometry is read from the diffuser panels themselves, so what is measured
is what is cut. Uses numpy and shapely; no cadquery.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cagette.plans.panels import Panel, build_panels, lamp_length
from cagette.plans.params import BoxParams

EVENNESS_TARGET_EV = 0.5
SAMPLES = (12, 24)  # across, along each diffuser
GRID = (41, 23)  # points over the frame
PATCH_POINTS_PER_CHUNK = 1 << 18  # (source patch, paper point) pairs computed at once


@dataclass(frozen=True)
class LightReport:
    glare_margin_mm: float  # > 0: every mirror image is outside the frame by at least this
    evenness_ev: float  # log2(brightest / darkest) over the frame
    centre_to_edge_ev: float  # log2(centre / darkest)

    @property
    def glare_in_frame(self) -> bool:
        return self.glare_margin_mm <= 0


def _face(p: BoxParams, pn: Panel) -> Any:
    """The emitting face's four corners (world), without the end tabs."""
    import numpy as np

    half_l = lamp_length(p) / 2
    w = p.framing.lamp.width_mm / 2
    pl = pn.placement
    return np.array([pl.to_world(u, v, pn.thickness_mm) for u, v in ((-half_l, -w), (half_l, -w), (half_l, w),
                                                                       (-half_l, w))])


def diffuser_faces(p: BoxParams) -> list[tuple[Any, Any]]:
    """(corners, unit normal towards the stage) of each diffuser's emitting face."""
    import numpy as np

    out = []
    for pn in build_panels(p):
        if pn.material == "diffuser":
            n = np.array(pn.placement.ez, float)
            out.append((_face(p, pn), n / np.linalg.norm(n)))
    return out


def frame_rect(p: BoxParams) -> tuple[float, float, float, float]:
    f = p.framing
    return (-f.visible_width_mm / 2, -f.visible_height_mm / 2, f.visible_width_mm / 2, f.visible_height_mm / 2)


Faces = list[tuple[Any, Any]]


def mirror_footprints(p: BoxParams, faces: Faces | None = None) -> list[list[tuple[float, float]]]:
    """Each diffuser's mirror image on the paper, as seen from the lens (a quadrilateral, mm)."""
    f = p.framing
    zp, zl = f.paper_z_mm, f.lens_z_mm
    mirrored = 2 * zp - zl
    out = []
    for corners, _n in (faces if faces is not None else diffuser_faces(p)):
        quad = []
        for x, y, z in corners:
            s = (zp - mirrored) / (z - mirrored)
            quad.append((float(x * s), float(y * s)))
        out.append(quad)
    return out


def glare_margin_mm(p: BoxParams, faces: Faces | None = None) -> float:
    """How far outside the frame the nearest mirror image of a diffuser lies (negative: inside)."""
    from shapely.geometry import Polygon, box

    frame = box(*frame_rect(p))
    worst = math.inf
    for quad in mirror_footprints(p, faces):
        foot = Polygon(quad)
        if foot.intersects(frame):
            inside = foot.intersection(frame)
            depth = max(frame.exterior.distance(_pt(c)) for c in inside.exterior.coords) if not inside.is_empty else 0
            worst = min(worst, -max(depth, 1e-3))
        else:
            worst = min(worst, foot.distance(frame))
    return float(worst)


def _pt(c: tuple[float, ...]) -> Any:
    from shapely.geometry import Point

    return Point(c[0], c[1])


def irradiance(p: BoxParams, xs: Any, ys: Any, faces: Faces | None = None) -> Any:
    """Irradiance of the paper at the points (xs, ys) from the diffusers, for a unit radiance: the sum over
    small patches of cos(emission)·cos(incidence)/r²·area (Lambertian sources)."""
    import numpy as np

    zp = p.framing.paper_z_mm
    pts = np.stack([np.ravel(xs), np.ravel(ys), np.full(np.size(xs), zp)], axis=1)
    total = np.zeros(len(pts))
    na, nl = SAMPLES
    chunk = max(1, PATCH_POINTS_PER_CHUNK // max(1, len(pts)))
    for corners, n in (faces if faces is not None else diffuser_faces(p)):
        c0, c1, _c2, c3 = corners
        along, across = (c1 - c0), (c3 - c0)
        area = np.linalg.norm(along) * np.linalg.norm(across) / (na * nl)
        us = (np.arange(nl) + 0.5) / nl
        vs = (np.arange(na) + 0.5) / na
        src = (c0 + us[:, None, None] * along + vs[None, :, None] * across).reshape(-1, 3)
        for i in range(0, len(src), chunk):  # many patches at once; their sum still taken patch by patch
            r = pts[None, :, :] - src[i:i + chunk, None, :]
            dist2 = np.einsum("spj,spj->sp", r, r)
            dist = np.sqrt(dist2)
            cos_e = np.clip(r @ n / dist, 0.0, None)
            cos_i = np.clip(-r[..., 2] / dist, 0.0, None)
            for row in cos_e * cos_i / dist2 * area:
                total += row
    return total.reshape(np.shape(xs))


@lru_cache(maxsize=16)
def report(p: BoxParams) -> LightReport:
    import numpy as np

    x0, y0, x1, y1 = frame_rect(p)
    gx, gy = np.meshgrid(np.linspace(x0, x1, GRID[0]), np.linspace(y0, y1, GRID[1]))
    e = irradiance(p, gx, gy)
    centre = float(irradiance(p, np.array([0.0]), np.array([0.0]))[0])
    lo, hi = float(e.min()), float(e.max())
    return LightReport(glare_margin_mm=round(glare_margin_mm(p), 2), evenness_ev=round(math.log2(hi / lo), 3),
                       centre_to_edge_ev=round(math.log2(centre / lo), 3))
