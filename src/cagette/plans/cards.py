"""``framing-card.pdf`` and ``lens-card.pdf``: printable 1:1 cards.

The framing card shows the stage, the 16:9 and 9:16 safe areas, the camera's
visible area (dashed) and the four ArUco markers (DICT_4X4_50, ids 0–3) drawn
from OpenCV's own dictionary, at the centres written in ``params.toml``, so
capture finds the stage and corrects the perspective. It is printed at 1:1 on
A3 or A4 (``card_paper``), tiled when the stage needs it, with its 100 mm
check square outside the stage (on a page of its own when the paper has no
room). This is the only plans module that imports cv2.

The lens card is a graduated corner: lay the device on it, back up, top-left
corner in the corner, and read where the lens sits (lens_x_mm, lens_y_mm).
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from cagette.i18n import _
from cagette.plans.panels import frame_rects
from cagette.plans.params import BoxParams
from cagette.plans.sheets import MM_TO_PT, check_square, new_canvas
from cagette.plans.tiling import Tile


def marker_cells(marker_id: int) -> list[tuple[int, int]]:
    """(row, col) of the black cells of a 6×6 marker (border included), from OpenCV."""
    import cv2

    dictionary = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)
    img = cv2.aruco.generateImageMarker(dictionary, marker_id, 6, borderBits=1)
    return [(r, c) for r in range(6) for c in range(6) if img[r][c] == 0]


def write(p: BoxParams, out: Path) -> list[str]:
    _framing_card(p, out / "framing-card.pdf")
    _lens_card(p, out / "lens-card.pdf")
    return ["framing-card.pdf", "lens-card.pdf"]


def card_bbox(p: BoxParams) -> tuple[float, float, float, float]:
    """What the framing card must show (mm, stage centre at the origin): the stage and its markers."""
    f = p.framing
    sx, sy = f.stage_rect_mm
    half = p.marker_size_mm / 2
    xs = [sx / 2] + [abs(x) + half for _i, x, _y in f.markers_mm]
    ys = [sy / 2] + [abs(y) + half + 5 for _i, _x, y in f.markers_mm]
    return (-max(xs) - 4, -max(ys) - 4, max(xs) + 4, max(ys) + 4)


def _draw_card(c: Any, p: BoxParams, ox: float, oy: float) -> None:
    """The card's drawing with the stage centre at (ox, oy) mm on the page."""
    f = p.framing
    k = MM_TO_PT

    def at(x: float, y: float) -> tuple[float, float]:
        return ((ox + x) * k, (oy + y) * k)

    sx, sy = f.stage_rect_mm
    c.setLineWidth(0.4)
    c.setStrokeColorRGB(0.5, 0.5, 0.5)
    c.setDash(3, 3)
    c.rect(*at(-f.visible_width_mm / 2, -f.visible_height_mm / 2), f.visible_width_mm * k, f.visible_height_mm * k)
    c.setDash()
    c.setStrokeColorRGB(0, 0, 0)
    c.rect(*at(-sx / 2, -sy / 2), sx * k, sy * k)
    c.setFont("Helvetica", 8)
    for label, rect in frame_rects(sx, sy):
        x0, y0 = rect[0]
        x1, y1 = rect[2]
        c.setStrokeColorRGB(0.1, 0.5, 0.1) if label == "16:9" else c.setStrokeColorRGB(0.6, 0.1, 0.6)
        c.rect(*at(min(x0, x1), min(y0, y1)), abs(x1 - x0) * k, abs(y1 - y0) * k)
        c.setFillColorRGB(0.3, 0.3, 0.3)
        c.drawString(*at(min(x0, x1) + 2, max(y0, y1) - 5), _("{ratio} safe area").format(ratio=label))
    c.setStrokeColorRGB(0, 0, 0)
    c.line(*at(-10, 0), *at(10, 0))
    c.line(*at(0, -10), *at(0, 10))
    cell = p.marker_size_mm / 6
    for mid, mx, my in f.markers_mm:
        left, top = mx - p.marker_size_mm / 2, my + p.marker_size_mm / 2
        c.setFillColorRGB(0, 0, 0)
        for r, col in marker_cells(mid):
            c.rect(*at(left + col * cell, top - (r + 1) * cell), cell * k, cell * k, stroke=0, fill=1)
        c.setFont("Helvetica", 6)
        c.drawString(*at(left, top + 1.5), f"id {mid}")


def _square_spot(p: BoxParams, tile: Tile, tw: float, th: float) -> tuple[float, float] | None:
    """A place on this tile (mm in the drawing) for the 100 mm square, clear of the stage and its markers."""
    x0, y0, x1, y1 = card_bbox(p)
    need = 104.0
    for cx, cy in ((tile.x0 + 2, tile.y0 + 2), (tile.x0 + tw - need, tile.y0 + 2),
                   (tile.x0 + 2, tile.y0 + th - need), (tile.x0 + tw - need, tile.y0 + th - need)):
        if cx + need <= x0 or cx >= x1 or cy + need <= y0 or cy >= y1:
            return (cx + 2, cy + 2)
    return None


def _framing_card(p: BoxParams, path: Path) -> None:
    from cagette.plans.tiling import draw_tile, layout

    f = p.framing
    k = MM_TO_PT
    lay = layout(card_bbox(p), p.card_paper.value, None)
    c: Any = new_canvas(path, lay.page_w, lay.page_h, f"{p.name} — framing card")
    title = _("Framing card — {name}, stage {stage}, {ratio}").format(
        name=p.name, stage=p.stage.value.upper(), ratio=p.output_ratio.value)
    spot: tuple[Tile, tuple[float, float]] | None = None
    for tile in lay.tiles:
        where = _square_spot(p, tile, lay.tile_w, lay.tile_h)
        if where is not None:
            spot = (tile, where)
            break
    total = len(lay.tiles) + (0 if spot else 1)
    for n, tile in enumerate(lay.tiles, 1):
        def draw(ox: float, oy: float, tile: Tile = tile) -> None:
            _draw_card(c, p, ox, oy)
            if spot is not None and spot[0] == tile:
                check_square(c, ox + spot[1][0], oy + spot[1][1], _("100 mm check square"))

        label = title if total == 1 else _("{title} — page {n} of {total}, column {col}, row {row}").format(
            title=title, n=n, total=total, col=tile.col + 1, row=tile.row + 1)
        draw_tile(c, lay, tile, draw, label, _("100 mm"))
        c.showPage()
    if spot is None:  # the stage fills the paper: the square and the instructions on a page of their own
        check_square(c, 15, lay.page_h - 130, _("100 mm check square"))
        c.setFont("Helvetica-Bold", 11)
        c.drawString(15 * k, (lay.page_h - 14) * k, title)
    c.setFont("Helvetica", 8)
    lines = [_("Print every page at 100 % on {paper} (no fit to page) and check the square.").format(
        paper=p.card_paper.value.upper()),
        _("Join the pages along the grey bands, crosses on crosses, if there are several."),
        _("Lay the card on the stage: the camera, with the shelf at {shelf:.0f} mm, sees the dashed frame.").format(
            shelf=f.shelf_height_mm),
        _("Capture finds the four markers and straightens the stage (cagette capture frames --markers).")]
    if spot is None:
        for i, line in enumerate(lines):
            c.drawString(15 * k, (lay.page_h - 145 - 5 * i) * k, line)
        c.showPage()
    c.save()


def _lens_card(p: BoxParams, path: Path) -> None:
    k = MM_TO_PT
    pw, ph = 210.0, 297.0
    c: Any = new_canvas(path, pw, ph, "lens card")
    ox, oy = 20.0, ph - 30.0  # the corner: x grows to the right, y downwards
    width, height = 175.0, 150.0
    c.setLineWidth(0.15)
    for i in range(int(width) + 1):
        x = ox + i
        length = 6 if i % 10 == 0 else 4 if i % 5 == 0 else 2
        c.setStrokeColorRGB(0.8, 0.8, 0.8) if i % 10 else c.setStrokeColorRGB(0.6, 0.6, 0.6)
        if i % 10 == 0:
            c.line(x * k, oy * k, x * k, (oy - height) * k)
        c.setStrokeColorRGB(0, 0, 0)
        c.line(x * k, oy * k, x * k, (oy + length) * k)
        if i % 10 == 0:
            c.setFont("Helvetica", 6)
            c.drawCentredString(x * k, (oy + 7) * k, str(i))
    for j in range(int(height) + 1):
        y = oy - j
        length = 6 if j % 10 == 0 else 4 if j % 5 == 0 else 2
        if j % 10 == 0:
            c.setStrokeColorRGB(0.6, 0.6, 0.6)
            c.line(ox * k, y * k, (ox + width) * k, y * k)
            c.setFont("Helvetica", 6)
            c.setFillColorRGB(0, 0, 0)
            c.drawRightString((ox - 7) * k, (y - 1) * k, str(j))
        c.setStrokeColorRGB(0, 0, 0)
        c.line(ox * k, y * k, (ox - length) * k, y * k)
    c.setLineWidth(1.2)
    c.line(ox * k, oy * k, (ox + width) * k, oy * k)
    c.line(ox * k, oy * k, ox * k, (oy - height) * k)
    check_square(c, 100, 10, _("100 mm check square"))
    c.setFillColorRGB(0, 0, 0)
    c.setFont("Helvetica-Bold", 11)
    c.drawString(20 * k, (ph - 10) * k, _("Lens card: where is your camera lens?"))
    c.setFont("Helvetica", 8)
    lines = [
        _("1. Print at 100 %, check the square."),
        _("2. Lay the device back up, in portrait, its top-left corner in the thick corner."),
        _("3. Read the lens centre: across = lens_x_mm, down = lens_y_mm."),
        _("4. Build: cagette plans build --set lens_x_mm=… --set lens_y_mm=…"),
    ]
    row = 0
    c.setFont("Helvetica", 7.5)
    for line in lines:
        for part in textwrap.wrap(line, 40):
            c.drawString(20 * k, (104 - 4.5 * row) * k, part)
            row += 1
    c.showPage()
    c.save()
