"""The 2D outputs of a kit, each a function ``(params, folder) -> written files``.

No cadquery here: the 2D-only kit stays fast.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cagette.fsutil import atomic_write_text
from cagette.i18n import _
from cagette.plans import sheets as sh
from cagette.plans.nesting import Sheet, nest, nest_diffusers
from cagette.plans.params import BoxParams


def all_sheets(p: BoxParams) -> tuple[Sheet, ...]:
    """The board sheets, then the diffusers' own sheet(s) (acrylic)."""
    return nest(p) + nest_diffusers(p)


def write_dxf(p: BoxParams, out: Path) -> list[str]:
    names = []
    for sheet in all_sheets(p):
        name = f"sheets/{sheet.name}.dxf"
        atomic_write_text(out / name, sh.dxf_text(sh.sheet_items(sheet, p.kerf_mm)))
        names.append(name)
    return names


def write_svg(p: BoxParams, out: Path) -> list[str]:
    names = []
    for sheet in all_sheets(p):
        name = f"sheets/{sheet.name}.svg"
        svg = sh.svg_text(sh.sheet_items(sheet, p.kerf_mm), sheet.width_mm, sheet.height_mm,
                          f"{p.name} {sheet.name}")
        atomic_write_text(out / name, svg)
        names.append(name)
    return names


def write_pdf(p: BoxParams, out: Path) -> list[str]:
    sh.sheets_pdf(all_sheets(p), p, out / "sheets.pdf", _("100 mm check square"))
    return ["sheets.pdf"]


def write_coupon(p: BoxParams, out: Path) -> list[str]:
    items, w, h = sh.coupon_items(p)
    atomic_write_text(out / "kerf-coupon.dxf", sh.dxf_text(items))
    atomic_write_text(out / "kerf-coupon.svg", sh.svg_text(items, w, h, "kerf coupon"))
    return ["kerf-coupon.dxf", "kerf-coupon.svg"]


def write_templates(p: BoxParams, out: Path) -> list[str]:
    from cagette.plans import templates

    return templates.write(p, out)


def write_cards(p: BoxParams, out: Path) -> list[str]:
    from cagette.plans import cards

    return cards.write(p, out)


def write_bom(p: BoxParams, out: Path) -> list[str]:
    from cagette.plans import bom

    return bom.write(p, out)


def write_view(p: BoxParams, out: Path) -> list[str]:
    from cagette.plans import view

    view.write_png(view.render(p), out / "view-from-lens.png")
    return ["view-from-lens.png"]


def write_okh(p: BoxParams, out: Path) -> list[str]:
    from cagette.plans import okh

    return okh.write(p, out)


STEPS: dict[str, Callable[[BoxParams, Path], list[str]]] = {
    "dxf": write_dxf, "svg": write_svg, "pdf": write_pdf, "coupon": write_coupon,
    "templates": write_templates, "cards": write_cards, "bom": write_bom, "okh": write_okh,
    "view": write_view,
}
