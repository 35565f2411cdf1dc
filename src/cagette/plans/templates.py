"""``templates-a4.pdf``: every board panel at 1:1, tiled on A4 pages, for hand tools.

Each page holds one tile of one panel (nominal outline: saw on the line), the
overlap band shared with its neighbours, alignment crosses, and a 100 mm
check square to verify the printer kept the scale.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from cagette.i18n import _
from cagette.plans.panels import board_panels
from cagette.plans.params import BoxParams
from cagette.plans.sheets import MM_TO_PT, check_square, new_canvas, panel_items, pdf_draw

PAGE_W, PAGE_H = 210.0, 297.0
TILE_X0, TILE_Y0 = 10.0, 120.0
TILE_W, TILE_H = 190.0, 167.0
OVERLAP = 10.0


MARGIN = 3.0  # around the panel, so its outline is never on a page's edge


def tiles(size: tuple[float, float]) -> tuple[int, int]:
    w, h = size[0] + 2 * MARGIN, size[1] + 2 * MARGIN
    cols = max(1, math.ceil((w - OVERLAP) / (TILE_W - OVERLAP) - 1e-9))
    rows = max(1, math.ceil((h - OVERLAP) / (TILE_H - OVERLAP) - 1e-9))
    return cols, rows


def page_count(p: BoxParams) -> int:
    return sum(tiles(pn.size_mm)[0] * tiles(pn.size_mm)[1] for pn in board_panels(p))


def write(p: BoxParams, out: Path) -> list[str]:
    k = MM_TO_PT
    c = new_canvas(out / "templates-a4.pdf", PAGE_W, PAGE_H, f"{p.name} — templates A4")
    cv: Any = c
    for pn in board_panels(p):
        x0, y0, _x1, _y1 = pn.bbox
        x0, y0 = x0 - MARGIN, y0 - MARGIN
        cols, rows = tiles(pn.size_mm)
        items = panel_items(pn, 0.0, cut=False)
        n = 0
        for row in range(rows):
            for col in range(cols):
                n += 1
                tx = x0 + col * (TILE_W - OVERLAP)
                ty = y0 + row * (TILE_H - OVERLAP)
                cv.saveState()
                clip = cv.beginPath()
                clip.rect(TILE_X0 * k, TILE_Y0 * k, TILE_W * k, TILE_H * k)
                cv.clipPath(clip, stroke=0, fill=0)
                pdf_draw(c, items, TILE_X0 - tx, TILE_Y0 - ty)
                cv.restoreState()
                _frame(c, col, row, cols, rows)
                check_square(c, 10, 10, _("100 mm check square"))
                cv.setFillColorRGB(0, 0, 0)
                cv.setFont("Helvetica-Bold", 12)
                cv.drawString(118 * k, 100 * k, f"{_(pn.title)} ({pn.name})")
                cv.setFont("Helvetica", 9)
                lines = [
                    _("page {n} of {total}: column {col}, row {row}").format(
                        n=n, total=cols * rows, col=col + 1, row=row + 1),
                    _("size {w:.1f} × {h:.1f} mm, board {t:g} mm").format(
                        w=pn.size_mm[0], h=pn.size_mm[1], t=pn.thickness_mm),
                    _("Print at 100 % (no fit to page)."),
                    _("Check the square, then glue the pages"),
                    _("along the grey bands, crosses on crosses."),
                    _("Red: cut. Black: mark or engrave."),
                ]
                for i, line in enumerate(lines):
                    cv.drawString(118 * k, (90 - 6 * i) * k, line)
                cv.showPage()
    c.save()
    return ["templates-a4.pdf"]


def _frame(c: Any, col: int, row: int, cols: int, rows: int) -> None:
    """The tile's border, its overlap bands and alignment crosses."""
    k = MM_TO_PT
    cv: Any = c
    cv.saveState()
    cv.setStrokeColorRGB(0.6, 0.6, 0.6)
    cv.setLineWidth(0.3)
    cv.setDash(2, 2)
    x0, y0, x1, y1 = TILE_X0, TILE_Y0, TILE_X0 + TILE_W, TILE_Y0 + TILE_H
    if col > 0:
        cv.line((x0 + OVERLAP) * k, y0 * k, (x0 + OVERLAP) * k, y1 * k)
    if col < cols - 1:
        cv.line((x1 - OVERLAP) * k, y0 * k, (x1 - OVERLAP) * k, y1 * k)
    if row > 0:
        cv.line(x0 * k, (y0 + OVERLAP) * k, x1 * k, (y0 + OVERLAP) * k)
    if row < rows - 1:
        cv.line(x0 * k, (y1 - OVERLAP) * k, x1 * k, (y1 - OVERLAP) * k)
    cv.setDash()
    cv.rect(x0 * k, y0 * k, TILE_W * k, TILE_H * k)
    cv.setStrokeColorRGB(0, 0, 0)
    for cx in (x0 + OVERLAP / 2, x1 - OVERLAP / 2):
        for cy in (y0 + OVERLAP / 2, y1 - OVERLAP / 2):
            cv.line((cx - 3) * k, cy * k, (cx + 3) * k, cy * k)
            cv.line(cx * k, (cy - 3) * k, cx * k, (cy + 3) * k)
    cv.restoreState()
