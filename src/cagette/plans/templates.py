"""``templates-a4.pdf``: every board panel at 1:1 on A4 pages, for hand tools.

The panels are nested on one large virtual poster (rectpack), which is cut
into overlapping A4 tiles; empty tiles are left out. The first page is the
map of the poster (which page goes where, which part is where) with the
100 mm check square; every page has a 100 mm scale bar and alignment
crosses. Outlines are nominal (saw on the line).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cagette.i18n import _
from cagette.plans import geom2d as g
from cagette.plans.panels import Panel, board_panels
from cagette.plans.params import BoxParams
from cagette.plans.sheets import MM_TO_PT, Item, PdfNumbers, check_square, new_canvas, panel_items, pdf_draw
from cagette.plans.tiling import OVERLAP_MM, Layout, Tile, draw_tile, layout

GAP_MM = 6.0
SCALE = 100


def poster(p: BoxParams) -> tuple[list[tuple[Panel, float, float, bool]], Layout]:
    """Panels placed on the poster (panel, dx, dy, rotated) and its A4 pages: the layout with fewest pages."""
    import rectpack

    panels = board_panels(p)
    best: tuple[list[tuple[Panel, float, float, bool]], Layout] | None = None
    for landscape in (False, True):
        probe = layout((0, 0, 1, 1), "a4", None, landscape)
        step_w, step_h = probe.tile_w - OVERLAP_MM, probe.tile_h - OVERLAP_MM
        for cols in (2, 3, 4):
            width = cols * step_w + OVERLAP_MM
            packer = rectpack.newPacker(rotation=True, pack_algo=rectpack.MaxRectsBssf, sort_algo=rectpack.SORT_AREA)
            for i, pn in enumerate(panels):
                w, h = pn.size_mm
                packer.add_rect(int((w + GAP_MM) * SCALE) + 1, int((h + GAP_MM) * SCALE) + 1, rid=i)
            packer.add_bin(int(width * SCALE), int(20 * step_h * SCALE))
            packer.pack()
            if len(packer.rect_list()) != len(panels):
                continue
            placed = []
            for _b, x, y, w, h, rid in sorted(packer.rect_list(), key=lambda r: r[5]):
                pn = panels[rid]
                px0, py0, _px1, py1 = pn.bbox
                rotated = (w, h) != (int((pn.size_mm[0] + GAP_MM) * SCALE) + 1,
                                     int((pn.size_mm[1] + GAP_MM) * SCALE) + 1)
                ox, oy = x / SCALE + GAP_MM / 2, y / SCALE + GAP_MM / 2
                dx, dy = (ox + py1, oy - px0) if rotated else (ox - px0, oy - py0)
                placed.append((pn, dx, dy, rotated))
            outlines = [g.transform(pn.outer, dx, dy, rot) for pn, dx, dy, rot in placed]
            bbox = g.bbox(outlines)

            def used(tile: Tile, tw: float, th: float, outlines: list[g.Poly] = outlines) -> bool:
                return any(_overlaps(g.bbox([o]), (tile.x0, tile.y0, tile.x0 + tw, tile.y0 + th)) for o in outlines)

            lay = layout(bbox, "a4", used, landscape)
            if best is None or len(lay.tiles) < len(best[1].tiles):
                best = (placed, lay)
    assert best is not None
    return best


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _reach(it: Item) -> tuple[float, float, float, float]:
    """The box an item's ink may cover: its rings with the stroke's width, or around a text's anchor
    as far as the text may run in any direction."""
    x0, y0, x1, y1 = g.bbox(it.rings())
    pad = 1.0 + (len(it.text) * it.height * 1.4 if it.kind == "text" else 0.0)
    return x0 - pad, y0 - pad, x1 + pad, y1 + pad


def page_count(p: BoxParams) -> int:
    return 1 + len(poster(p)[1].tiles)


def write(p: BoxParams, out: Path) -> list[str]:
    placed, lay = poster(p)
    items: list[Item] = []
    for pn, dx, dy, rot in placed:
        items += panel_items(pn, 0.0, dx, dy, rot, cut=False)
    c: Any = new_canvas(out / "templates-a4.pdf", lay.page_w, lay.page_h, f"{p.name} — templates A4")
    _map_page(c, p, placed, lay)
    total = len(lay.tiles) + 1
    numbers = PdfNumbers()
    boxes = [_reach(it) for it in items]
    for n, tile in enumerate(lay.tiles, 2):
        # a page carries only what shows through its window (the clip would hide the rest, but the
        # printer's driver would still be sent every part of the whole poster on every page)
        window = (tile.x0, tile.y0, tile.x0 + lay.tile_w, tile.y0 + lay.tile_h)
        seen = [it for it, box in zip(items, boxes, strict=True) if _overlaps(box, window)]

        def draw(ox: float, oy: float, seen: list[Item] = seen) -> None:
            pdf_draw(c, seen, ox, oy, numbers)

        draw_tile(c, lay, tile, draw,
                  _("page {n} of {total}: column {col}, row {row}").format(
                      n=n, total=total, col=tile.col + 1, row=tile.row + 1), _("100 mm"))
        c.showPage()
    c.save()
    return ["templates-a4.pdf"]


def _map_page(c: Any, p: BoxParams, placed: list[tuple[Panel, float, float, bool]], lay: Layout) -> None:
    """Page 1: the check square, how to print and glue, and the poster's map."""
    k = MM_TO_PT
    check_square(c, 10, 10, _("100 mm check square"))
    c.setFont("Helvetica-Bold", 12)
    c.drawString(10 * k, (lay.page_h - 14) * k, _("Templates at 1:1 — {name}").format(name=p.name))
    c.setFont("Helvetica", 8)
    lines = [_("Print at 100 % (no fit to page), then check the square above."),
             _("Glue the pages edge to edge along the grey bands, crosses on crosses,"),
             _("as the map shows; cut the parts out and stick them on the board."),
             _("Red: saw the outline. Magenta: holes and slots. Blue and black: marks. Board {t:g} mm.").format(
                 t=p.board_thickness_mm)]
    for i, line in enumerate(lines):
        c.drawString(10 * k, (lay.page_h - 22 - 4.5 * i) * k, line)
    # the map
    x0, y0 = lay.tiles[0].x0, min(t.y0 for t in lay.tiles)
    x1 = max(t.x0 for t in lay.tiles) + lay.tile_w
    y1 = max(t.y0 for t in lay.tiles) + lay.tile_h
    box_w, box_h = lay.page_w - 20, lay.page_h - 50 - 120
    s = min(box_w / (x1 - x0), box_h / (y1 - y0))
    ox, oy = 10, 120

    def tr(x: float, y: float) -> tuple[float, float]:
        return ((ox + (x - x0) * s) * k, (oy + (y - y0) * s) * k)

    c.setLineWidth(0.3)
    c.setFont("Helvetica", 6)
    for n, tile in enumerate(lay.tiles, 2):
        c.setStrokeColorRGB(0.5, 0.5, 0.5)
        c.rect(*tr(tile.x0, tile.y0), lay.tile_w * s * k, lay.tile_h * s * k)
        c.setFillColorRGB(0.4, 0.4, 0.4)
        c.drawString(*tr(tile.x0 + 4, tile.y0 + 4), str(n))
    c.setFillColorRGB(0, 0, 0)
    for pn, dx, dy, rot in placed:
        poly = g.transform(pn.outer, dx, dy, rot)
        c.setStrokeColorRGB(0.8, 0, 0)
        path = c.beginPath()
        path.moveTo(*tr(*poly[0]))
        for q in poly[1:]:
            path.lineTo(*tr(*q))
        path.close()
        c.drawPath(path, stroke=1, fill=0)
        bx0, by0, bx1, by1 = g.bbox([poly])
        c.drawCentredString(*tr((bx0 + bx1) / 2, (by0 + by1) / 2), _(pn.title))
    c.showPage()
