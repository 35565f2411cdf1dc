"""Nesting: the board panels laid out on sheets (shelf packing, 90° turns allowed).

Pure Python. Parts are placed by their cut outline's bounding box (the
nominal outline grown by half the kerf) with ``part_gap_mm`` between them and
a margin along the sheet's edges.
"""

from __future__ import annotations

from dataclasses import dataclass

from cagette.errors import ParameterError
from cagette.i18n import _
from cagette.plans import geom2d as g
from cagette.plans.panels import Panel, board_panels
from cagette.plans.params import BoxParams

EDGE_MM = 5.0


@dataclass(frozen=True)
class Placed:
    panel: Panel
    dx: float
    dy: float
    rotated: bool

    def place(self, poly: g.Poly) -> g.Poly:
        return g.transform(poly, self.dx, self.dy, self.rotated)


@dataclass(frozen=True)
class Sheet:
    index: int
    width_mm: float
    height_mm: float
    parts: tuple[Placed, ...]

    @property
    def name(self) -> str:
        return f"sheet-{self.index + 1:02d}"


def nest(p: BoxParams) -> tuple[Sheet, ...]:
    sw, sh = p.sheet_width_mm, p.sheet_height_mm
    grow = p.kerf_mm / 2
    usable_w, usable_h = sw - 2 * EDGE_MM, sh - 2 * EDGE_MM
    items = []
    for pn in board_panels(p):
        w, h = pn.size_mm
        w, h = w + 2 * grow, h + 2 * grow
        fits = w <= usable_w and h <= usable_h
        fits_r = h <= usable_w and w <= usable_h
        if not (fits or fits_r):
            raise ParameterError(
                _("The part {part} ({w:.0f} × {h:.0f} mm) does not fit on a {sw:g} × {sh:g} mm sheet.").format(
                    part=pn.name, w=w, h=h, sw=sw, sh=sh),
                _("Raise sheet_width_mm and sheet_height_mm to at least {a:.0f} × {b:.0f}, or use a smaller stage.").format(
                    a=max(w, h) + 2 * EDGE_MM, b=min(w, h) + 2 * EDGE_MM),
            )
        items.append((pn, w, h, fits, fits_r))
    # a few orderings and orientation preferences; keep the one that uses the fewest sheets
    best: tuple[Sheet, ...] | None = None
    orders = (lambda it: (-max(it[1], it[2]), -(it[1] * it[2]), it[0].name),
              lambda it: (-(it[1] * it[2]), it[0].name))
    for order in orders:
        for upright in (False, True):
            got = _pack(sorted(items, key=order), p, upright)
            if best is None or len(got) < len(best):
                best = got
    assert best is not None
    return best


def _pack(items: list[tuple[Panel, float, float, bool, bool]], p: BoxParams, upright: bool) -> tuple[Sheet, ...]:
    sw, sh = p.sheet_width_mm, p.sheet_height_mm
    grow = p.kerf_mm / 2
    usable_w, usable_h = sw - 2 * EDGE_MM, sh - 2 * EDGE_MM
    gap = p.part_gap_mm
    sheets: list[_Open] = []
    for pn, w, h, fits, fits_r in items:
        options = [(w, h, False)] if fits else []
        if fits_r:
            options.append((h, w, True))
        options.sort(key=lambda o: o[1], reverse=upright)  # flat first, or upright first
        spot = None
        for sheet in sheets:
            spot = sheet.find(options, gap)
            if spot:
                break
        if spot is None:
            sheet = _Open(usable_w, usable_h)
            sheets.append(sheet)
            spot = sheet.find(options, gap)
            assert spot is not None
        x, y, rotated = spot
        x, y = x + EDGE_MM, y + EDGE_MM
        x0, y0, _x1, y1 = pn.bbox
        if rotated:
            dx, dy = x + grow + y1, y + grow - x0
        else:
            dx, dy = x + grow - x0, y + grow - y0
        sheet.parts.append(Placed(pn, dx, dy, rotated))
    return tuple(Sheet(i, sw, sh, tuple(s.parts)) for i, s in enumerate(sheets))


class _Open:
    """A sheet being filled: shelves of (y, height, x reached)."""

    def __init__(self, width: float, height: float) -> None:
        self.width, self.height = width, height
        self.shelves: list[list[float]] = []
        self.parts: list[Placed] = []

    def find(self, options: list[tuple[float, float, bool]], gap: float) -> tuple[float, float, bool] | None:
        eps = 1e-9
        for i, shelf in enumerate(self.shelves):
            y, sh, x = shelf
            last = i == len(self.shelves) - 1
            for w, h, rot in options:
                room_h = (self.height - y) if last else sh
                if x + w <= self.width + eps and h <= room_h + eps:
                    shelf[2] = x + w + gap
                    shelf[1] = max(sh, h)
                    return (x, y, rot)
        y = (self.shelves[-1][0] + self.shelves[-1][1] + gap) if self.shelves else 0.0
        for w, h, rot in options:
            if y + h <= self.height + eps and w <= self.width + eps:
                self.shelves.append([y, h, w + gap])
                return (0.0, y, rot)
        return None
