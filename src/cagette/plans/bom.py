"""Bill of materials (``bom.csv``, ``bom.md``) and cut list (``cut-list.csv``).

The studio controller's parts are exactly those the firmware drives: a
Raspberry Pi Pico, two logic-level MOSFETs switching the two 12 V LED strips,
a shutter button (or a foot-pedal jack) and a status LED.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from cagette.fsutil import atomic_write_text
from cagette.i18n import N_, _
from cagette.plans.nesting import nest, nest_diffusers, utilisation
from cagette.plans.panels import board_panels, cut_panels, led_strip_length_mm, pin_count
from cagette.plans.params import BoxParams


@dataclass(frozen=True)
class Line:
    item: str
    description: str
    quantity: float
    unit: str
    size: str = ""
    area_m2: float = 0.0
    unit_price_eur: float = 0.0

    @property
    def total_eur(self) -> float:
        return round(self.quantity * self.unit_price_eur, 2)


# (item, description, quantity, unit price €): the controller of the studio
CONTROLLER = (
    ("pico", N_("Raspberry Pi Pico (RP2040) board"), 1, 5.0),
    ("mosfet", N_("logic-level N-MOSFET, AO3400A or IRLZ44N (one per LED strip)"), 2, 0.5),
    ("r220", N_("220 Ω resistor, MOSFET gate"), 2, 0.05),
    ("r10k", N_("10 kΩ resistor, gate pull-down"), 2, 0.05),
    ("button", N_("momentary push button, 12 mm panel mount (or a 6.35 mm jack for a foot pedal)"), 1, 1.0),
    ("status_led", N_("status LED, 3 or 5 mm"), 1, 0.1),
    ("r330", N_("330 Ω resistor, status LED"), 1, 0.05),
    ("psu", N_("power supply 12 V 2 A, 5.5 × 2.1 mm barrel plug"), 1, 8.0),
    ("buck", N_("buck converter 12 V → 5 V for the Pico (or power the Pico from USB)"), 1, 2.0),
    ("usb", N_("USB cable (micro-USB to the computer or phone)"), 1, 3.0),
    ("wires", N_("hook-up wire and Dupont jumpers, about 2 m"), 1, 2.0),
)


def lines(p: BoxParams) -> list[Line]:
    out: list[Line] = []
    for pn in cut_panels(p):
        w, h = pn.size_mm
        area = pn.area_mm2 / 1e6
        price = p.board_price_eur_per_m2 if pn.material == "board" else p.diffuser_price_eur_per_m2
        material = (_("plywood {t:g} mm") if pn.material == "board" else _("opal acrylic {t:g} mm")).format(
            t=pn.thickness_mm)
        out.append(Line(f"panel:{pn.name}", f"{_(pn.title)} — {material}", 1, _("piece"),
                        f"{w:.1f} × {h:.1f} mm", round(area, 4), round(area * price, 2)))
    pin_len = 3 * p.board_thickness_mm + p.pin_diameter_mm
    out.append(Line("pins", _("wooden dowel pins Ø {d:g} × {l:.0f} mm (shelf, cradle, wings, apron)").format(
        d=p.pin_diameter_mm, l=pin_len), pin_count(p), _("piece"), unit_price_eur=0.1))
    led_m = led_strip_length_mm(p) / 1000
    out.append(Line("led_strip", _("12 V LED strip, {w:g} mm wide, neutral white, high CRI, cut in two").format(
        w=p.led_strip_width_mm), round(led_m, 3), "m", unit_price_eur=p.led_strip_price_eur_per_m))
    out.append(Line("adhesive", _("double-sided tape for the LED strips"), round(led_m, 3), "m", unit_price_eur=0.5))
    for item, text, qty, price in CONTROLLER:
        out.append(Line(f"controller:{item}", _(text), qty, _("piece"), unit_price_eur=price))
    return out


def totals(p: BoxParams) -> dict[str, float]:
    sheets = nest(p)
    board_area = sum(pn.area_mm2 for pn in board_panels(p)) / 1e6
    sheet_area = len(sheets) * p.sheet_width_mm * p.sheet_height_mm / 1e6
    all_lines = lines(p)
    boards = {f"panel:{pn.name}" for pn in board_panels(p)}
    return {
        "sheets": len(sheets),
        "utilisation_pct": round(100 * utilisation(sheets), 1),
        "board_area_m2": round(board_area, 4),
        "sheet_area_m2": round(sheet_area, 4),
        "board_cost_eur": round(sheet_area * p.board_price_eur_per_m2, 2),
        "total_eur": round(sum(li.total_eur for li in all_lines if li.item not in boards)
                           + sheet_area * p.board_price_eur_per_m2, 2),
    }


def _csv(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerows(rows)
    return buf.getvalue()


def write(p: BoxParams, out: Path) -> list[str]:
    all_lines = lines(p)
    tot = totals(p)
    rows = [["item", "description", "quantity", "unit", "size", "area_m2", "unit_price_eur", "total_eur"]]
    rows += [[li.item, li.description, f"{li.quantity:g}", li.unit, li.size, f"{li.area_m2:g}",
              f"{li.unit_price_eur:.2f}", f"{li.total_eur:.2f}"] for li in all_lines]
    atomic_write_text(out / "bom.csv", _csv(rows))
    heading = _("Bill of materials")
    md = [f"# {heading} — {p.name}", "",
          "| " + " | ".join([_("item"), _("description"), _("qty"), _("size"), _("€")]) + " |",
          "|---|---|---:|---|---:|"]
    md += [f"| {li.item} | {li.description} | {li.quantity:g} {li.unit} | {li.size} | {li.total_eur:.2f} |"
           for li in all_lines]
    md += ["", _("Board: {n} sheet(s) of {w:g} × {h:g} mm ({a:.2f} m², parts {b:.2f} m², {u:.0f} % used), "
                 "about {c:.2f} €.").format(
        n=tot["sheets"], w=p.sheet_width_mm, h=p.sheet_height_mm, a=tot["sheet_area_m2"], b=tot["board_area_m2"],
        u=tot["utilisation_pct"], c=tot["board_cost_eur"]),
        _("Estimated total: {t:.2f} € (prices are the parameters' estimates).").format(t=tot["total_eur"]), ""]
    atomic_write_text(out / "bom.md", "\n".join(md))
    cut = [["panel", "material", "thickness_mm", "width_mm", "height_mm", "sheet", "x_mm", "y_mm", "rotation_deg"]]
    for sheet in nest(p) + nest_diffusers(p):
        for pp in sheet.parts:
            w, h = pp.panel.size_mm
            x, y = pp.corner_mm
            cut.append([pp.panel.name, pp.panel.material, f"{pp.panel.thickness_mm:g}", f"{w:.2f}", f"{h:.2f}",
                        sheet.name, f"{x:.2f}", f"{y:.2f}", "90" if pp.rotated else "0"])
    atomic_write_text(out / "cut-list.csv", _csv(cut))
    return ["bom.csv", "bom.md", "cut-list.csv"]
