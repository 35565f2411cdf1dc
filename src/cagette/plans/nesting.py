"""Nesting: the cut panels laid out on sheets by rectpack (maximal rectangles, 90° turns allowed).

Parts are placed by their cut outline's bounding box (the nominal outline
grown by half the kerf) with ``part_gap_mm`` between them and a margin along
the sheet's edges. Boards and diffusers are nested on separate sheets. A few
of rectpack's heuristics are tried; the one with the fewest sheets (then the
fullest first sheet) wins. Deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from cagette.errors import ParameterError
from cagette.i18n import _, current_language
from cagette.plans import geom2d as g
from cagette.plans.panels import Panel, board_panels, diffuser_panels
from cagette.plans.params import BoxParams

EDGE_MM = 5.0
SCALE = 100  # rectpack is exact on integers: sizes in hundredths of a millimetre


@dataclass(frozen=True)
class Placed:
    panel: Panel
    dx: float
    dy: float
    rotated: bool

    def place(self, poly: g.Poly) -> g.Poly:
        return g.transform(poly, self.dx, self.dy, self.rotated)

    @property
    def corner_mm(self) -> tuple[float, float]:
        """Lower-left corner of the part's nominal outline on the sheet."""
        x0, y0, _x1, _y1 = g.bbox([self.place(self.panel.outer)])
        return (x0, y0)


@dataclass(frozen=True)
class Sheet:
    index: int
    width_mm: float
    height_mm: float
    parts: tuple[Placed, ...]
    material: str = "board"

    @property
    def name(self) -> str:
        prefix = "sheet" if self.material == "board" else "diffusers"
        return f"{prefix}-{self.index + 1:02d}"

    @property
    def utilisation(self) -> float:
        return sum(pp.panel.area_mm2 for pp in self.parts) / (self.width_mm * self.height_mm)


def utilisation(sheets: tuple[Sheet, ...]) -> float:
    """Share of the sheets' area that ends up in parts."""
    if not sheets:
        return 0.0
    used = sum(pp.panel.area_mm2 for s in sheets for pp in s.parts)
    return used / sum(s.width_mm * s.height_mm for s in sheets)


def nest(p: BoxParams) -> tuple[Sheet, ...]:
    """The board sheets."""
    return _nested(p, current_language(), "board")


def nest_diffusers(p: BoxParams) -> tuple[Sheet, ...]:
    return _nested(p, current_language(), "diffuser")


@lru_cache(maxsize=32)
def _nested(p: BoxParams, language: str, material: str) -> tuple[Sheet, ...]:
    """Nested once per parameters (and language: the engraved labels are in it): a kit asks for its sheets
    for the DXF, the SVG, the PDF, the BOM and okh.toml."""
    return _nest(p, board_panels(p) if material == "board" else diffuser_panels(p), material)


def _nest(p: BoxParams, panels: tuple[Panel, ...], material: str) -> tuple[Sheet, ...]:
    import rectpack

    sw, sh = p.sheet_width_mm, p.sheet_height_mm
    grow = p.kerf_mm / 2
    gap = p.part_gap_mm
    usable_w, usable_h = sw - 2 * EDGE_MM, sh - 2 * EDGE_MM
    sizes = []
    for pn in panels:
        w, h = pn.size_mm
        w, h = w + 2 * grow, h + 2 * grow
        if not ((w <= usable_w and h <= usable_h) or (h <= usable_w and w <= usable_h)):
            raise ParameterError(
                _("The part {part} ({w:.0f} × {h:.0f} mm) does not fit on a {sw:g} × {sh:g} mm sheet.").format(
                    part=pn.name, w=w, h=h, sw=sw, sh=sh),
                _("Raise sheet_width_mm and sheet_height_mm to at least {a:.0f} × {b:.0f}, or use a smaller stage.").format(
                    a=max(w, h) + 2 * EDGE_MM, b=min(w, h) + 2 * EDGE_MM),
            )
        sizes.append((_units(w + gap), _units(h + gap)))
    bin_w, bin_h = _units(usable_w + gap) - 1, _units(usable_h + gap) - 1
    best: list[list[tuple[int, int, int, bool]]] | None = None
    for algo in (rectpack.MaxRectsBssf, rectpack.MaxRectsBaf, rectpack.MaxRectsBl, rectpack.GuillotineBssfSas):
        for sort in (rectpack.SORT_AREA, rectpack.SORT_LSIDE, rectpack.SORT_PERI):
            packer = rectpack.newPacker(mode=rectpack.PackingMode.Offline, bin_algo=rectpack.PackingBin.BFF,
                                        pack_algo=algo, sort_algo=sort, rotation=True)
            for i, (w, h) in enumerate(sizes):
                packer.add_rect(w, h, rid=i)
            packer.add_bin(bin_w, bin_h, count=float("inf"))
            packer.pack()
            bins: list[list[tuple[int, int, int, bool]]] = [[] for _b in range(len(packer))]
            for b, x, y, w, h, rid in packer.rect_list():
                bins[b].append((rid, x, y, (w, h) != sizes[rid]))
            if sum(len(b) for b in bins) != len(sizes):
                continue
            if best is None or _score(bins, sizes) < _score(best, sizes):
                best = bins
    if best is None:
        raise ParameterError(_("The parts could not be nested on {sw:g} × {sh:g} mm sheets.").format(sw=sw, sh=sh),
                             _("Use larger sheets (sheet_width_mm, sheet_height_mm)."))
    sheets = []
    for index, content in enumerate(best):
        placed = []
        for rid, x, y, rotated in sorted(content):
            pn = panels[rid]
            x0, y0, _x1, y1 = pn.bbox
            ox, oy = EDGE_MM + x / SCALE, EDGE_MM + y / SCALE
            if rotated:
                dx, dy = ox + grow + y1, oy + grow - x0
            else:
                dx, dy = ox + grow - x0, oy + grow - y0
            placed.append(Placed(pn, round(dx, 4), round(dy, 4), rotated))
        sheets.append(Sheet(index, sw, sh, tuple(placed), material))
    return tuple(sheets)


def _units(mm: float) -> int:
    return int(-(-round(mm * SCALE, 6) // 1))  # round up


def _score(bins: list[list[tuple[int, int, int, bool]]], sizes: list[tuple[int, int]]) -> tuple[int, float]:
    first = sum(sizes[rid][0] * sizes[rid][1] for rid, *_rest in bins[0]) if bins else 0
    return (len(bins), -first)
