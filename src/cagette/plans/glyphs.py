"""Text as outlines: engraved labels become closed polygons, so the laser's computer needs no font.

The glyphs are read from the DejaVu Sans shipped with cagette by fontTools
and their curves flattened into chords that stay within :data:`TOLERANCE_MM` of the true curve
(Wang's bound on a Bézier's second differences): a small label gets few points, a large one stays
smooth. Pure Python.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import Any

from cagette.plans.geom2d import Poly, Pt

FONT = Path(__file__).resolve().parents[1] / "fonts" / "DejaVuSans.ttf"
TOLERANCE_MM = 0.02  # a tenth of a laser's engraving spot
MAX_STEPS = 16


def _steps(second_difference: float, degree: int, tolerance: float) -> int:
    """Chords for a Bézier of *degree* whose control points' largest second difference is
    *second_difference*, to stay within *tolerance* of it (both in font units)."""
    bound = degree * (degree - 1) / 8 * second_difference / tolerance
    return max(1, min(MAX_STEPS, math.ceil(math.sqrt(bound))))


class _FlatPen:
    """A fontTools pen that records contours as flattened polylines (font units)."""

    def __init__(self, glyph_set: Any, tolerance: float) -> None:
        from fontTools.pens.basePen import BasePen

        outer = self

        class Pen(BasePen):  # type: ignore[misc]  # fontTools ships no types: BasePen is Any
            def _moveTo(self, pt: Pt) -> None:
                outer.contours.append([pt])

            def _lineTo(self, pt: Pt) -> None:
                outer.contours[-1].append(pt)

            def _curveToOne(self, p1: Pt, p2: Pt, p3: Pt) -> None:
                p0 = outer.contours[-1][-1]
                n = _steps(max(math.dist((p0[0] - p1[0], p0[1] - p1[1]), (p1[0] - p2[0], p1[1] - p2[1])),
                               math.dist((p1[0] - p2[0], p1[1] - p2[1]), (p2[0] - p3[0], p2[1] - p3[1]))),
                           3, tolerance)
                for i in range(1, n + 1):
                    t = i / n
                    a, b, c, d = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t ** 3
                    outer.contours[-1].append((a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
                                               a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]))

            def _qCurveToOne(self, p1: Pt, p2: Pt) -> None:
                p0 = outer.contours[-1][-1]
                n = _steps(math.dist((p0[0] - p1[0], p0[1] - p1[1]), (p1[0] - p2[0], p1[1] - p2[1])), 2, tolerance)
                for i in range(1, n + 1):
                    t = i / n
                    a, b, c = (1 - t) ** 2, 2 * t * (1 - t), t * t
                    outer.contours[-1].append((a * p0[0] + b * p1[0] + c * p2[0],
                                               a * p0[1] + b * p1[1] + c * p2[1]))

            def _closePath(self) -> None:
                pass

        self.contours: list[list[Pt]] = []
        self.pen = Pen(glyph_set)


@lru_cache(maxsize=1)
def _font() -> Any:
    from fontTools.ttLib import TTFont

    return TTFont(str(FONT), lazy=True)


@lru_cache(maxsize=2048)
def _glyph(char: str, tolerance: float) -> tuple[tuple[Poly, ...], float]:
    """The contours of *char* flattened within *tolerance* font units, and its advance."""
    font = _font()
    cmap = font.getBestCmap()
    name = cmap.get(ord(char)) or cmap.get(ord("?"))
    glyph_set = font.getGlyphSet()
    pen = _FlatPen(glyph_set, tolerance)
    glyph_set[name].draw(pen.pen)
    advance = font["hmtx"][name][0]
    return tuple(tuple(c) for c in pen.contours if len(c) >= 3), float(advance)


def cap_units() -> float:
    font = _font()
    os2 = font["OS/2"]
    return float(getattr(os2, "sCapHeight", 0) or 0.73 * font["head"].unitsPerEm)


def text_glyphs(text: str, x: float, y: float, height: float, angle_deg: float = 0.0) -> list[tuple[Poly, ...]]:
    """The outlines of *text*, one tuple of closed contours per visible character (fill them even-odd),
    its baseline starting at (x, y), capitals *height* mm tall, turned by *angle_deg*."""
    scale = height / cap_units()
    # the tolerance in font units, rounded down to a power of √2 so that nearby sizes share a cache entry
    tolerance = 2 ** (math.floor(math.log2(TOLERANCE_MM / scale) * 2) / 2)
    ca, sa = math.cos(math.radians(angle_deg)), math.sin(math.radians(angle_deg))
    out: list[tuple[Poly, ...]] = []
    pen_x = 0.0
    for ch in text:
        contours, advance = _glyph(ch, tolerance)
        rings = []
        for contour in contours:
            pts = []
            for gx, gy in contour:
                lx, ly = (pen_x + gx) * scale, gy * scale
                pts.append((round(x + lx * ca - ly * sa, 4), round(y + lx * sa + ly * ca, 4)))
            rings.append(tuple(pts))
        if rings:
            out.append(tuple(rings))
        pen_x += advance
    return out


def text_width(text: str, height: float) -> float:
    return sum(_advance(ch) for ch in text) * height / cap_units()


@lru_cache(maxsize=512)
def _advance(char: str) -> float:
    font = _font()
    cmap = font.getBestCmap()
    name = cmap.get(ord(char)) or cmap.get(ord("?"))
    return float(font["hmtx"][name][0])
