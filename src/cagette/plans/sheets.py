"""Cut sheets: DXF (mm), SVG (sized in mm) and a 1:1 PDF, plus the kerf coupon.

Every cut contour is the nominal outline offset by half the kerf (parts grow,
holes shrink), so the laser or router, following the line, leaves the nominal
part. One layer and one colour per operation, in the order a laser should run
them: ``ENGRAVE_FILL`` (black: marker cells and the labels, as closed outlines,
no font needed), ``ENGRAVE_LINE`` (blue: stage outline, safe areas, marks),
``CUT_INNER`` (magenta: holes and slots, cut before the part is freed) and
``CUT_OUTER`` (red). Output is deterministic.
"""

from __future__ import annotations

import io
import itertools
import os
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from cagette.plans import geom2d as g
from cagette.plans.nesting import Sheet
from cagette.plans.params import BoxParams

MM_TO_PT = 72 / 25.4
FIXED_EPOCH = 946684800  # 2000-01-01, the date written when SOURCE_DATE_EPOCH is unset
# layer: (AutoCAD colour index, RGB) in the order the operations run
LAYERS = {
    "ENGRAVE_FILL": (7, (0, 0, 0)),
    "ENGRAVE_LINE": (5, (0, 0, 255)),
    "CUT_INNER": (6, (255, 0, 255)),
    "CUT_OUTER": (1, (255, 0, 0)),
}
KIND_LAYER = {"fill": "ENGRAVE_FILL", "engrave": "ENGRAVE_LINE", "inner": "CUT_INNER", "outer": "CUT_OUTER"}
LAYER_ORDER = tuple(LAYERS)


def hex_colour(layer: str) -> str:
    r, g_, b = LAYERS[layer][1]
    return f"#{r:02x}{g_:02x}{b:02x}"


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
    more: tuple[g.Poly, ...] = ()  # further rings of the same fill (a glyph's counters), filled even-odd

    def rings(self) -> tuple[g.Poly, ...]:
        return (self.points, *self.more)


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
        items += text_items(t.text, t.x, t.y, t.height, dx, dy, rotated)
    return items


def text_items(text: str, x: float, y: float, height: float, dx: float = 0.0, dy: float = 0.0,
               rotated: bool = False, angle: float = 0.0) -> tuple[Item, ...]:
    """A label as engraved fills: one item per character, its counters as further rings."""
    return _text_items(text, x, y, height, dx, dy, rotated, angle)


@lru_cache(maxsize=1024)
def _text_items(text: str, x: float, y: float, height: float, dx: float, dy: float, rotated: bool,
                angle: float) -> tuple[Item, ...]:
    from cagette.plans.glyphs import text_glyphs

    out = []
    for rings in text_glyphs(text, x, y, height, angle):
        placed = [g.transform(r, dx, dy, rotated) for r in rings]
        out.append(Item("fill", placed[0], more=tuple(placed[1:])))
    return tuple(out)


def laser_order(items: Iterable[Item]) -> list[Item]:
    """Engraving first, then inner cuts, then outer cuts (a part is freed last)."""
    return sorted(items, key=lambda it: LAYER_ORDER.index(KIND_LAYER[it.kind]) if it.kind in KIND_LAYER else -1)


def sheet_items(sheet: Sheet, kerf: float) -> list[Item]:
    """The drawing of a sheet, in laser order (made once: the DXF, the SVG and the PDF draw it)."""
    return list(_sheet_items(sheet, kerf))


@lru_cache(maxsize=32)
def _sheet_items(sheet: Sheet, kerf: float) -> tuple[Item, ...]:
    items: list[Item] = []
    for placed in sheet.parts:
        items += panel_items(placed.panel, kerf, placed.dx, placed.dy, placed.rotated)
    return tuple(laser_order(items))


# -- DXF -------------------------------------------------------------------------

def dxf_text(items: Iterable[Item]) -> str:
    from ezdxf._options import options as ezdxf_options
    from ezdxf.enums import TextEntityAlignment
    from ezdxf.filemanagement import new as ezdxf_new

    old = ezdxf_options.write_fixed_meta_data_for_testing
    ezdxf_options.write_fixed_meta_data_for_testing = True
    try:
        doc = ezdxf_new("R2010", setup=False)
        # ezdxf gathers its CLASSES from sets: sort them just before they are written, so the order is stable
        classes = doc.classes
        export_classes = classes.export_dxf

        def sorted_export(tagwriter: Any) -> None:
            classes.classes = OrderedDict(sorted(classes.classes.items()))
            export_classes(tagwriter)

        classes.export_dxf = sorted_export  # type: ignore[method-assign]  # ezdxf offers no hook for the order
        doc.units = 4  # millimetres ($INSUNITS)
        doc.header["$MEASUREMENT"] = 1
        for name, (aci, rgb) in LAYERS.items():
            layer = doc.layers.add(name, color=aci)
            layer.rgb = rgb
        msp = doc.modelspace()
        for it in laser_order(items):
            if it.kind == "text":
                x, y = it.points[0]
                msp.add_text(it.text, height=it.height, rotation=it.angle,
                             dxfattribs={"layer": "ENGRAVE_LINE"}).set_placement((x, y), align=TextEntityAlignment.LEFT)
                continue
            for ring in it.rings():
                pts = [(round(x, 4), round(y, 4)) for x, y in ring]
                closed = it.kind != "engrave" or len(pts) > 2
                msp.add_lwpolyline(pts, close=closed, dxfattribs={"layer": KIND_LAYER[it.kind]})
        stream = io.StringIO()
        doc.write(stream)
    finally:
        ezdxf_options.write_fixed_meta_data_for_testing = old
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
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
        f'width="{_n(width)}mm" height="{_n(height)}mm" '
        f'viewBox="0 0 {_n(width)} {_n(height)}">',
    ]
    if title:
        out.append(f"<title>{_esc(title)}</title>")
    groups: dict[str, list[str]] = {name: [] for name in LAYER_ORDER}
    for it in laser_order(items):
        if it.kind == "text":
            x, y = it.points[0]
            rot = f' transform="rotate({_n(-it.angle)} {_n(x)} {_n(height - y)})"' if it.angle else ""
            groups["ENGRAVE_LINE"].append(
                f'<text x="{_n(x)}" y="{_n(height - y)}" font-size="{_n(it.height * 1.4)}" '
                f'font-family="sans-serif" fill="{hex_colour("ENGRAVE_LINE")}" stroke="none"{rot}>{_esc(it.text)}</text>')
            continue
        closed = it.kind != "engrave" or len(it.points) > 2
        d = " ".join("M" + " L".join(f"{_n(x)} {_n(height - y)}" for x, y in ring) + (" Z" if closed else "")
                     for ring in it.rings())
        groups[KIND_LAYER[it.kind]].append(f'<path d="{d}"/>')
    for name, body in groups.items():
        colour = hex_colour(name)
        style = (f'fill="{colour}" fill-rule="evenodd" stroke="none"' if name == "ENGRAVE_FILL"
                 else f'fill="none" stroke="{colour}" stroke-width="0.01"')
        out.append(f'<g id="{name}" inkscape:groupmode="layer" inkscape:label="{name}" {style}>')
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


def pdf_draw(c: Any, items: Iterable[Item], ox_mm: float = 0.0, oy_mm: float = 0.0,
             numbers: PdfNumbers | None = None) -> None:
    """Draw *items* at 1:1, their origin at (ox, oy) mm from the page's lower left (*numbers*: one
    document's number formatting, to share between its pages)."""
    k = MM_TO_PT
    cv: Any = c
    num = numbers or PdfNumbers()
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
        r, g_, b = (v / 255 for v in LAYERS[KIND_LAYER[it.kind]][1])
        if it.kind == "fill":
            cv.setFillColorRGB(r, g_, b)
            cv.addLiteral(path_code(it.rings(), ox_mm, oy_mm, num))
            cv.addLiteral("f*")  # even-odd: a glyph's counters stay open
        else:
            cv.setStrokeColorRGB(r, g_, b)
            cv.setLineWidth(0.3 if it.kind in ("outer", "inner") else 0.2)
            cv.addLiteral(path_code(it.rings(), ox_mm, oy_mm, num))
            cv.addLiteral("S")


class PdfNumbers:
    """reportlab's own number formatting (pure Python when its C accelerator is missing), remembered for
    one document: the tiles of a poster draw the same rings page after page, at the same x offset down a
    column of pages and the same y offset along a row."""

    def __init__(self) -> None:
        from reportlab.lib.rl_accel import fp_str

        self._format: Callable[[float], str] = fp_str
        self._known: dict[float, str] = {}
        self._axes: dict[tuple[g.Poly, float, int], list[str]] = {}

    def __call__(self, value: float) -> str:
        text = self._known.get(value)
        if text is None:
            text = self._known[value] = self._format(value)
        return text

    def axis(self, ring: g.Poly, offset_mm: float, axis: int) -> list[str]:
        """The ring's x (*axis* 0) or y (1) coordinates moved by *offset_mm*, in points, as PDF numbers."""
        key = (ring, offset_mm, axis)
        texts = self._axes.get(key)
        if texts is None:
            k = MM_TO_PT
            texts = self._axes[key] = [self((q[axis] + offset_mm) * k) for q in ring]
        return texts


def path_code(rings: Iterable[g.Poly], ox_mm: float, oy_mm: float, num: PdfNumbers) -> str:
    """The PDF path of closed *rings* (mm, moved by (ox, oy)), exactly as reportlab's path object writes
    it: ``n``, then ``x y m``, ``x y l``... and ``h`` for each ring."""
    out = ["n"]
    for ring in rings:
        xs, ys = num.axis(ring, ox_mm, 0), num.axis(ring, oy_mm, 1)
        out.append(f"{xs[0]} {ys[0]} m")
        out += [f"{x} {y} l" for x, y in itertools.islice(zip(xs, ys, strict=True), 1, None)]
        out.append("h")
    return " ".join(out)


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
        items += text_items(f"{k:.2f}", x, 4.0, 3.0)
    # the tab: a strip one finger wide, to be pushed into the slots
    ty = height + 6
    items.append(Item("outer", g.offset(g.rect(6, ty, 6 + max(fw, 12.0), ty + 40), p.kerf_mm / 2)))
    items += text_items("tab", 6 + 5.0, ty + 4, 3.0, angle=90.0)
    return items, width + 2, ty + 42
