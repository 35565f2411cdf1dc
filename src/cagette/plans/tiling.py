"""Printing something larger than a page at 1:1: cut it into overlapping tiles, one per page.

Each page shows its tile (clipped), the overlap bands shared with its
neighbours, alignment crosses in the corners, and a 100 mm scale bar with the
page's place in the grid. Empty tiles are not printed. Used by the framing
card and the A4 templates.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cagette.plans.sheets import MM_TO_PT

MARGIN_MM = 5.0  # what most printers cannot print, around the tile
BAND_MM = 7.0  # under the tile: the page's label and its 100 mm scale bar
OVERLAP_MM = 10.0
PAPER_MM = {"a4": (210.0, 297.0), "a3": (297.0, 420.0)}


@dataclass(frozen=True)
class Tile:
    col: int
    row: int
    x0: float  # the tile's lower-left corner in the drawing (mm)
    y0: float


@dataclass(frozen=True)
class Layout:
    page_w: float
    page_h: float
    cols: int
    rows: int
    tiles: tuple[Tile, ...]

    @property
    def tile_w(self) -> float:
        return self.page_w - 2 * MARGIN_MM

    @property
    def tile_h(self) -> float:
        return self.page_h - 2 * MARGIN_MM - BAND_MM


def layout(bbox: tuple[float, float, float, float], paper: str, used: Callable[[Tile, float, float], bool] | None,
           landscape: bool | None = None) -> Layout:
    """The fewest pages of *paper* (portrait or landscape) that cover *bbox*; *used* says whether a tile has
    something on it (``None``: every tile does)."""
    best: Layout | None = None
    w, h = PAPER_MM[paper]
    for pw, ph in ((w, h), (h, w)):
        if landscape is not None and landscape != (pw > ph):
            continue
        tw, th = pw - 2 * MARGIN_MM, ph - 2 * MARGIN_MM - BAND_MM
        x0, y0, x1, y1 = bbox
        cols = max(1, math.ceil((x1 - x0 - OVERLAP_MM) / (tw - OVERLAP_MM) - 1e-9))
        rows = max(1, math.ceil((y1 - y0 - OVERLAP_MM) / (th - OVERLAP_MM) - 1e-9))
        # centre the drawing on the grid
        gx = x0 - (cols * (tw - OVERLAP_MM) + OVERLAP_MM - (x1 - x0)) / 2
        gy = y0 - (rows * (th - OVERLAP_MM) + OVERLAP_MM - (y1 - y0)) / 2
        tiles = []
        for row in range(rows):
            for col in range(cols):
                tile = Tile(col, row, gx + col * (tw - OVERLAP_MM), gy + (rows - 1 - row) * (th - OVERLAP_MM))
                if used is None or used(tile, tw, th):
                    tiles.append(tile)
        got = Layout(pw, ph, cols, rows, tuple(tiles))
        if best is None or len(got.tiles) < len(best.tiles):
            best = got
    assert best is not None
    return best


def draw_tile(c: Any, lay: Layout, tile: Tile, draw: Callable[[float, float], None], label: str,
              bar_label: str) -> None:
    """One page: the drawing clipped to *tile* (``draw(ox, oy)`` draws with its origin at (ox, oy) mm),
    the overlap bands, the crosses, *label* and the 100 mm scale bar."""
    k = MM_TO_PT
    x0, y0 = MARGIN_MM, MARGIN_MM + BAND_MM
    tw, th = lay.tile_w, lay.tile_h
    c.saveState()
    clip = c.beginPath()
    clip.rect(x0 * k, y0 * k, tw * k, th * k)
    c.clipPath(clip, stroke=0, fill=0)
    draw(x0 - tile.x0, y0 - tile.y0)
    c.restoreState()
    c.saveState()
    c.setStrokeColorRGB(0.6, 0.6, 0.6)
    c.setLineWidth(0.3)
    c.setDash(2, 2)
    x1, y1 = x0 + tw, y0 + th
    if tile.col > 0:
        c.line((x0 + OVERLAP_MM) * k, y0 * k, (x0 + OVERLAP_MM) * k, y1 * k)
    if tile.col < lay.cols - 1:
        c.line((x1 - OVERLAP_MM) * k, y0 * k, (x1 - OVERLAP_MM) * k, y1 * k)
    if tile.row < lay.rows - 1:
        c.line(x0 * k, (y0 + OVERLAP_MM) * k, x1 * k, (y0 + OVERLAP_MM) * k)
    if tile.row > 0:
        c.line(x0 * k, (y1 - OVERLAP_MM) * k, x1 * k, (y1 - OVERLAP_MM) * k)
    c.setDash()
    c.rect(x0 * k, y0 * k, tw * k, th * k)
    c.setStrokeColorRGB(0, 0, 0)
    for cx in (x0 + OVERLAP_MM / 2, x1 - OVERLAP_MM / 2):
        for cy in (y0 + OVERLAP_MM / 2, y1 - OVERLAP_MM / 2):
            c.line((cx - 3) * k, cy * k, (cx + 3) * k, cy * k)
            c.line(cx * k, (cy - 3) * k, cx * k, (cy + 3) * k)
    scale_bar(c, MARGIN_MM, MARGIN_MM + 2, bar_label)
    c.setFillColorRGB(0, 0, 0)
    c.setFont("Helvetica", 7)
    c.drawString((MARGIN_MM + 104) * k, (MARGIN_MM + 2) * k, label)
    c.restoreState()


def scale_bar(c: Any, x: float, y: float, label: str) -> None:
    """A 100 mm bar with ticks every 10 mm, to check the print's scale on any page."""
    k = MM_TO_PT
    c.saveState()
    c.setStrokeColorRGB(0, 0.3, 0.8)
    c.setLineWidth(0.5)
    c.line(x * k, y * k, (x + 100) * k, y * k)
    for i in range(11):
        c.line((x + 10 * i) * k, y * k, (x + 10 * i) * k, (y + (2.5 if i % 5 else 4)) * k)
    c.setFillColorRGB(0, 0.3, 0.8)
    c.setFont("Helvetica", 5)
    c.drawString((x + 1) * k, (y + 4.2) * k, label)
    c.restoreState()
