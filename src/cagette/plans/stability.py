"""Stability: the box's centre of mass against its footprint, with the device on the shelf.

The tipping angle is how far the box can be tilted about the nearest edge of
its base before its centre of mass passes over that edge. Masses come from
the panels themselves (area × thickness × density) and from the device.
Pure Python with shapely for the centroids.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cagette.i18n import N_
from cagette.plans.panels import Panel, build_panels
from cagette.plans.params import BoxParams

DENSITY_G_MM3 = {"board": 0.6e-3, "diffuser": 1.19e-3, "device": 2.0e-3}  # plywood, acrylic, a phone
TIPPING_MIN_DEG = 15.0
EDGE_NAMES = {"front": N_("front side"), "back": N_("back side"), "left": N_("left side"), "right": N_("right side")}


@dataclass(frozen=True)
class Stability:
    mass_g: float
    centre_mm: tuple[float, float, float]
    tipping_deg: float  # the smallest, over the base's four edges
    towards: str  # the edge it tips over first: front, back, left or right


def centroid_world(pn: Panel) -> tuple[float, float, float]:
    from shapely.geometry import Polygon

    cx, cy = Polygon(pn.outer, list(pn.holes)).centroid.coords[0]
    return pn.placement.to_world(cx, cy, pn.thickness_mm / 2)


def panel_mass_g(p: BoxParams, pn: Panel) -> float:
    if pn.material == "device" and p.device_mass_g:
        return p.device_mass_g
    return pn.volume_mm3 * DENSITY_G_MM3[pn.material]


def compute(p: BoxParams, panels: tuple[Panel, ...] | None = None) -> Stability:
    parts = panels or build_panels(p)
    total = 0.0
    acc = [0.0, 0.0, 0.0]
    for pn in parts:
        m = panel_mass_g(p, pn)
        c = centroid_world(pn)
        total += m
        for i in range(3):
            acc[i] += m * c[i]
    com = (acc[0] / total, acc[1] / total, acc[2] / total)
    f = p.framing
    half_w, half_d = f.base_width_mm / 2, f.base_depth_mm / 2
    edges = {"right": half_w - com[0], "left": half_w + com[0], "back": half_d - com[1], "front": half_d + com[1]}
    towards = min(edges, key=lambda k: edges[k])
    angle = math.degrees(math.atan2(edges[towards], com[2]))
    return Stability(round(total, 1), (round(com[0], 2), round(com[1], 2), round(com[2], 2)),
                     round(angle, 2), towards)
