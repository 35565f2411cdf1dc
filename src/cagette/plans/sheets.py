"""Cut sheets: DXF (mm), SVG (sized in mm) and a 1:1 PDF, plus the kerf coupon.

Every cut contour is the nominal outline offset by half the kerf (parts grow,
holes shrink), so the laser or router, following the line, leaves the nominal
part. Layers: ``CUT_OUTER`` and ``CUT_INNER`` (red hairlines), ``ENGRAVE``
(black: registration marks, safe areas, labels). Output is deterministic.
"""

from __future__ import annotations

import io
import os
import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cagette.plans import geom2d as g
from cagette.plans.nesting import Sheet
from cagette.plans.params import BoxParams

MM_TO_PT = 72 / 25.4
FIXED_EPOCH = 946684800  # 2000-01-01, the date written when SOURCE_DATE_EPOCH is unset
LAYERS = {"CUT_OUTER": 1, "CUT_INNER": 1, "ENGRAVE": 7}


def source_epoch() -> int:
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(value) if value.isdigit() else FIXED_EPOCH


def source_datetime() -> datetime:
    return datetime.fromtimestamp(source_epoch(), UTC)


@dataclass(frozen=True)
class Item:
    """One thing to draw, in mm: a closed contour or a text."""

    kind: str  # "outer", "inner", "engrave", "fill", "text"
    points: g.Poly = ()
    text: str = ""
    height: float = 0.0
    angle: float = 0.0


def panel_items(panel: object, kerf: float, dx: float = 0.0, dy: float = 0.0, rotated: bool = False,
                cut: bool = True) -> list[Item]:
    """The drawing of one panel placed at (dx, dy), turned 90° if *rotated*.

    With *cut*, contours are offset by half *kerf*; otherwise (templates) nominal."""
    from cagette.plans.panels import Panel

    assert isinstance(panel, Panel)
    half = kerf / 2 if cut else 0.0
    items = [Item("outer", g.transform(g.offset(panel.outer, half), dx, dy, rotated))]
    items += [Item("inner", g.transform(g.offset(h, half), dx, dy, rotated)) for h in panel.holes]
    items += [Item("engrave", g.transform(line, dx, dy, rotated)) for line in panel.engrave_lines]
    items += [Item("fill", g.transform(poly, dx, dy, rotated)) for poly in panel.engrave_fills]
    for t in panel.texts:
        (x, y), = g.transform(((t.x, t.y),), dx, dy, rotated)
        items.append(Item("text", ((x, y),), t.text, t.height, 90.0 if rotated else 0.0))
    return items


def sheet_items(sheet: Sheet, kerf: float) -> list[Item]:
    items: list[Item] = []
    for placed in sheet.parts:
        items += panel_items(placed.panel, kerf, placed.dx, placed.dy, placed.rotated)
    return items


# -- DXF -------------------------------------------------------------------------

def dxf_text(items: Iterable[Item]) -> str:
    import ezdxf
    from ezdxf.enums import TextEntityAlignment

    old = ezdxf.options.write_fixed_meta_data_for_testing
    ezdxf.options.write_fixed_meta_data_for_testing = True
    try:
        doc = ezdxf.new("R2010", setup=False)
        # ezdxf gathers its CLASSES from sets: sort them just before they are written, so the order is stable
        classes = doc.classes
        export_classes = classes.export_dxf

        def sorted_export(tagwriter: Any) -> None:
            classes.classes = OrderedDict(sorted(classes.classes.items()))
            export_classes(tagwriter)

        classes.export_dxf = sorted_export  # type: ignore[method-assign]
        doc.units = 4  # millimetres ($INSUNITS)
        doc.header["$MEASUREMENT"] = 1
        for name, color in LAYERS.items():
            doc.layers.add(name, color=color)
        msp = doc.modelspace()
        for it in items:
            if it.kind == "text":
                x, y = it.points[0]
                msp.add_text(it.text, height=it.height, rotation=it.angle,
                             dxfattribs={"layer": "ENGRAVE"}).set_placement((x, y), align=TextEntityAlignment.LEFT)
            else:
                layer = {"outer": "CUT_OUTER", "inner": "CUT_INNER"}.get(it.kind, "ENGRAVE")
                pts = [(round(x, 4), round(y, 4)) for x, y in it.points]
                closed = it.kind != "engrave" or len(pts) > 2
                msp.add_lwpolyline(pts, close=closed, dxfattribs={"layer": layer})
        stream = io.StringIO()
        doc.write(stream)
    finally:
        ezdxf.options.write_fixed_meta_data_for_testing = old
    text = stream.getvalue()
    # ezdxf's fixed date is 2000-01-01; write SOURCE_DATE_EPOCH's instead
    julian = 2440587.5 + source_epoch() / 86400
    return re.sub(r"(\$TD(?:U?CREATE|U?UPDATE)\r?\n 40\r?\n)[0-9.]+", lambda m: m.group(1) + f"{julian:.6f}", text)


# -- SVG -------------------------------------------------------------------------

def _n(v: float) -> str:
    text = f"{v:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def svg_text(items: Iterable[Item], width: float, height: float, title: str = "") -> str:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(width)}mm" height="{_n(height)}mm" '
        f'viewBox="0 0 {_n(width)} {_n(height)}">',
    ]
    if title:
        out.append(f"<title>{_esc(title)}</title>")
    groups: dict[str, list[str]] = {"CUT_OUTER": [], "CUT_INNER": [], "ENGRAVE": []}
    for it in items:
        if it.kind == "text":
            x, y = it.points[0]
            rot = f' transform="rotate({_n(-it.angle)} {_n(x)} {_n(height - y)})"' if it.angle else ""
            groups["ENGRAVE"].append(
                f'<text x="{_n(x)}" y="{_n(height - y)}" font-size="{_n(it.height * 1.4)}" '
                f'font-family="sans-serif" fill="#000000" stroke="none"{rot}>{_esc(it.text)}</text>')
            continue
        d = "M" + " L".join(f"{_n(x)} {_n(height - y)}" for x, y in it.points) + " Z"
        if it.kind == "fill":
            groups["ENGRAVE"].append(f'<path d="{d}" fill="#000000" stroke="none"/>')
        else:
            layer = {"outer": "CUT_OUTER", "inner": "CUT_INNER"}.get(it.kind, "ENGRAVE")
            groups[layer].append(f'<path d="{d}"/>')
    styles = {
        "CUT_OUTER": 'fill="none" stroke="#ff0000" stroke-width="0.01"',
        "CUT_INNER": 'fill="none" stroke="#ff0000" stroke-width="0.01"',
        "ENGRAVE": 'fill="none" stroke="#000000" stroke-width="0.01"',
    }
    for name, body in groups.items():
        out.append(f'<g id="{name}" {styles[name]}>')
        out.extend(body)
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- PDF (reportlab) --------------------------------------------------------------

def new_canvas(target: io.BytesIO | Path, width_mm: float, height_mm: float, title: str) -> Any:
    from reportlab import rl_config
    from reportlab.pdfgen import canvas

    rl_config.useA85 = 0  # binary Flate streams: smaller, and no slow pure-Python ASCII85 step
    c = canvas.Canvas(target if isinstance(target, io.BytesIO) else str(target),
                      pagesize=(width_mm * MM_TO_PT, height_mm * MM_TO_PT), invariant=1, pageCompression=1)
    c.setTitle(title)
    c.setAuthor("cagette")
    c.setCreator("cagette")
    c.setProducer("cagette")
    return c


def pdf_draw(c: Any, items: Iterable[Item], ox_mm: float = 0.0, oy_mm: float = 0.0) -> None:
    """Draw *items* at 1:1, their origin at (ox, oy) mm from the page's lower left."""
    k = MM_TO_PT
    cv: Any = c
    for it in items:
        if it.kind == "text":
            x, y = it.points[0]
            cv.saveState()
            cv.setFillColorRGB(0, 0, 0)
            cv.translate((x + ox_mm) * k, (y + oy_mm) * k)
            cv.rotate(it.angle)
            cv.setFont("Helvetica", it.height * k * 1.4)
            cv.drawString(0, 0, it.text)
            cv.restoreState()
            continue
        path = cv.beginPath()
        pts = it.points
        path.moveTo((pts[0][0] + ox_mm) * k, (pts[0][1] + oy_mm) * k)
        for x, y in pts[1:]:
            path.lineTo((x + ox_mm) * k, (y + oy_mm) * k)
        path.close()
        if it.kind == "fill":
            cv.setFillColorRGB(0, 0, 0)
            cv.drawPath(path, stroke=0, fill=1)
        else:
            red = it.kind in ("outer", "inner")
            cv.setStrokeColorRGB(1 if red else 0, 0, 0)
            cv.setLineWidth(0.3 if red else 0.2)
            cv.drawPath(path, stroke=1, fill=0)


def check_square(c: Any, x_mm: float, y_mm: float, label: str) -> None:
    """A 100 mm square (283.46 pt) to check the print scale."""
    k = MM_TO_PT
    cv: Any = c
    cv.saveState()
    cv.setStrokeColorRGB(0, 0.3, 0.8)
    cv.setLineWidth(0.5)
    cv.rect(x_mm * k, y_mm * k, 100 * k, 100 * k, stroke=1, fill=0)
    cv.setFillColorRGB(0, 0.3, 0.8)
    cv.setFont("Helvetica", 8)
    cv.drawString((x_mm + 3) * k, (y_mm + 3) * k, label)
    cv.restoreState()


def sheets_pdf(sheets: Iterable[Sheet], p: BoxParams, path: Path, check_label: str) -> None:
    band = 120.0
    sheets = list(sheets)
    w = p.sheet_width_mm + band
    h = max(p.sheet_height_mm, 130.0)
    c = new_canvas(path, w, h, f"{p.name} — sheets")
    k = MM_TO_PT
    for sheet in sheets:
        cv: Any = c
        cv.setStrokeColorRGB(0.6, 0.6, 0.6)
        cv.setLineWidth(0.3)
        cv.rect(0, 0, p.sheet_width_mm * k, p.sheet_height_mm * k)
        pdf_draw(c, sheet_items(sheet, p.kerf_mm))
        check_square(c, p.sheet_width_mm + 10, 10, check_label)
        cv.setFont("Helvetica", 10)
        cv.setFillColorRGB(0, 0, 0)
        cv.drawString((p.sheet_width_mm + 10) * k, (h - 15) * k, f"{p.name} {sheet.name}")
        cv.showPage()
    c.save()


# -- kerf coupon ---------------------------------------------------------------

COUPON_KERFS_MM = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35)


def coupon_items(p: BoxParams) -> tuple[list[Item], float, float]:
    """A comb of slots, each compensated for another kerf, and a tab to try in them.

    The slot that holds the tab snugly names the machine's kerf."""
    t = p.board_thickness_mm
    fw = p.finger_mm
    pitch = max(fw, 12.0) + 6
    n = len(COUPON_KERFS_MM)
    width = n * pitch + 6
    height = 2 * t + 24
    items: list[Item] = [Item("outer", g.offset(g.rect(0, 0, width, height), p.kerf_mm / 2))]
    for i, k in enumerate(COUPON_KERFS_MM):
        x = 6 + i * pitch
        slot = g.rect(x, 12, x + max(fw, 12.0), 12 + t, ccw=False)
        items.append(Item("inner", g.offset(slot, k / 2)))
        items.append(Item("text", ((x, 4.0),), f"{k:.2f}", 3.0))
    # the tab: a strip one finger wide, to be pushed into the slots
    ty = height + 6
    items.append(Item("outer", g.offset(g.rect(6, ty, 6 + max(fw, 12.0), ty + 40), p.kerf_mm / 2)))
    items.append(Item("text", ((6 + 1.0, ty + 4),), "tab", 3.0, 90.0))
    return items, width + 2, ty + 42
