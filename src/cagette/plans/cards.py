"""``framing-card.pdf`` and ``lens-card.pdf``: printable 1:1 cards.

The framing card shows the camera's visible area around the stage, the 16:9
and 9:16 safe areas and the four ArUco markers (DICT_4X4_50, ids 0–3) drawn
from OpenCV's own dictionary, at the centres written in ``params.toml``, so
capture finds the stage and corrects the perspective. This is the only plans
module that imports cv2.

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

ISO_A = [(1189.0, 841.0), (841.0, 594.0), (594.0, 420.0), (420.0, 297.0), (297.0, 210.0)]  # A0..A4, landscape


def card_page(width: float, height: float) -> tuple[float, float, str]:
    """The smallest A-size page (landscape) that holds width × height plus 10 mm margins."""
    best = None
    for i, (w, h) in enumerate(ISO_A):
        if w >= width + 20 and h >= height + 20:
            best = (w, h, f"A{i}")
    return best or (width + 20, height + 20, "custom")


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


def _framing_card(p: BoxParams, path: Path) -> None:
    f = p.framing
    k = MM_TO_PT
    pw, ph, size_name = card_page(f.visible_width_mm, f.visible_height_mm)
    c: Any = new_canvas(path, pw, ph, f"{p.name} — framing card")
    cx, cy = pw / 2, ph / 2  # the stage centre

    def at(x: float, y: float) -> tuple[float, float]:
        return ((cx + x) * k, (cy + y) * k)

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
        c.drawString(*at(min(x0, x1) + 2, max(y0, y1) - 5), _("{ratio} safe area").format(ratio=label))
    c.setStrokeColorRGB(0, 0, 0)
    c.line(*at(-10, 0), *at(10, 0))
    c.line(*at(0, -10), *at(0, 10))
    cell = p.marker_size_mm / 6
    c.setFillColorRGB(0, 0, 0)
    for mid, mx, my in f.markers_mm:
        left, top = mx - p.marker_size_mm / 2, my + p.marker_size_mm / 2
        for r, col in marker_cells(mid):
            c.rect(*at(left + col * cell, top - (r + 1) * cell), cell * k, cell * k, stroke=0, fill=1)
        c.setFont("Helvetica", 7)
        c.drawString(*at(left, top + 1.5), f"id {mid} ({mx:g}, {my:g})")
    check_square(c, cx - sx / 2 + 5, cy - sy / 2 + 5, _("100 mm check square"))
    c.setFillColorRGB(0, 0, 0)
    c.setFont("Helvetica-Bold", 11)
    c.drawString(12 * k, (ph - 8) * k, _("Framing card — {name}, stage {stage}, {ratio}").format(
        name=p.name, stage=p.stage.value.upper(), ratio=p.output_ratio.value))
    c.setFont("Helvetica", 8)
    c.drawString(12 * k, 4 * k, _("Print at 100 % on {size} ({w:g} × {h:g} mm). Dashed: what the camera sees "
                                   "with the shelf at {shelf:.0f} mm.").format(size=size_name, w=pw, h=ph,
                                                                              shelf=f.shelf_height_mm))
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
