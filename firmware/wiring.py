# SPDX-License-Identifier: EUPL-1.2
"""The studio controller's wiring diagram, drawn with schemdraw, in English and in French.

    python firmware/wiring.py            # writes wiring.svg, wiring.png, wiring.fr.svg, wiring.fr.png

Every part drawn is in :data:`PARTS`, with the kit's bill-of-materials item it is bought as
(``cagette plans`` writes ``bom.csv``; its ``controller:*`` lines are these parts). The pins are
those of ``hw_pico.py``. This is a tool for people, not firmware: it is never copied to the board.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
LANGS = ("en", "fr")  # wiring.svg is English, wiring.fr.svg French

# (reference, BOM item, the text beside it in English, in French) — one line per part drawn
PARTS = (
    ("U1", "controller:pico", "Raspberry Pi Pico", "Raspberry Pi Pico"),
    ("R1", "controller:r220", "220 Ω", "220 Ω"),
    ("R2", "controller:r220", "220 Ω", "220 Ω"),
    ("R3", "controller:r10k", "10 kΩ", "10 kΩ"),
    ("R4", "controller:r10k", "10 kΩ", "10 kΩ"),
    ("Q1", "controller:mosfet", "AO3400A / IRLZ44N", "AO3400A / IRLZ44N"),
    ("Q2", "controller:mosfet", "AO3400A / IRLZ44N", "AO3400A / IRLZ44N"),
    ("SW1", "controller:button", "shutter / pedal", "déclencheur / pédale"),
    ("R5", "controller:r330", "330 Ω", "330 Ω"),
    ("D1", "controller:status_led", "status LED", "LED d'état"),
    ("PS1", "controller:psu", "12 V 2 A", "12 V 2 A"),
    ("U2", "controller:buck", "12 V → 5 V", "12 V → 5 V"),
    ("J1", "controller:usb", "USB to the computer", "USB vers l'ordinateur"),
    ("LS1", "led_strip", "key strip 12 V", "ruban principal 12 V"),
    ("LS2", "led_strip", "fill strip 12 V", "ruban d'appoint 12 V"),
)
NOTE = {"en": "optional: 5 V on VSYS from the buck\nconverter, when no USB cable\npowers the Pico",
        "fr": "facultatif : 5 V sur VSYS par le\nconvertisseur, quand aucun câble\nUSB n'alimente le Pico"}
NOT_DRAWN = {"controller:wires": "the lines of the diagram are the hook-up wires"}
PINS = {"GP16": "21", "GP17": "22", "GP15": "20", "GP14": "19", "GND": "18", "VSYS": "39"}


def label(ref: str, lang: str = "en") -> str:
    en, fr = next((en, fr) for r, _item, en, fr in PARTS if r == ref)
    return f"{ref}\n{fr if lang == 'fr' else en}"


RAIL_Y = 11.0  # the +12 V wire over the strips


def channel(d: Any, elm: Any, pin: Any, row_y: float, x: float, refs: tuple[str, str, str, str],
            lang: str) -> float:
    """Pico pin → gate resistor → MOSFET (pull-down to ground), the strip from +12 V to the drain;
    the strip's x."""
    gate_r, pull_r, fet, strip = refs
    d += elm.Line().at(pin).right(0.8)
    d += elm.Line().toy(row_y)
    d += elm.Line().tox(x)
    d += elm.Resistor().right().label(label(gate_r, lang), loc="top", fontsize=9)
    gate = d.here
    d += elm.Dot()
    d += elm.Resistor().down().length(2).label(label(pull_r, lang), loc="bottom", ofst=0.15, fontsize=9)
    d += elm.Ground()
    d += elm.Line().at(gate).right(0.6)
    q = elm.NFet(anchor="gate").reverse()  # gate on the left, drain up, source down
    d += q
    d += elm.Label().at((q.drain.x + 0.35, q.center.y)).label(label(fet, lang), halign="left", fontsize=9)
    d += elm.Ground().at(q.source)
    d += elm.LED().at(q.drain).up().toy(RAIL_Y).reverse().label(label(strip, lang), loc="bottom", ofst=0.15, fontsize=9)
    d += elm.Dot()
    return float(q.drain.x)


def build(backend: str, lang: str = "en") -> Any:
    import schemdraw
    import schemdraw.elements as elm

    schemdraw.use(backend)
    d = schemdraw.Drawing(show=False)
    d.config(fontsize=10, unit=2.5, margin=0.6)
    pins = [elm.IcPin(name="GP14", pin=PINS["GP14"], side="right"),
            elm.IcPin(name="GP15", pin=PINS["GP15"], side="right"),
            elm.IcPin(name="GP17", pin=PINS["GP17"], side="right"),
            elm.IcPin(name="GP16", pin=PINS["GP16"], side="right"),
            elm.IcPin(name="GND", pin=PINS["GND"], side="bottom"),
            elm.IcPin(name="VSYS", pin=PINS["VSYS"], side="top"),
            elm.IcPin(name="USB", side="left")]
    pico = elm.Ic(pins=pins, size=(4.6, 6), pinspacing=1.2, lblsize=10).label(
        label("U1", lang), loc="center", fontsize=11).at((0, 0))
    d += pico
    key_x = channel(d, elm, pico.GP16, 8.0, 7.0, ("R1", "R3", "Q1", "LS1"), lang)
    fill_x = channel(d, elm, pico.GP17, 4.0, 14.0, ("R2", "R4", "Q2", "LS2"), lang)
    # the +12 V rail over both strips, fed by the supply
    d += elm.Line().at((key_x, RAIL_Y)).tox(fill_x + 4.5)
    d += elm.Label().at((fill_x + 4.5, RAIL_Y + 0.45)).label("+12 V", fontsize=10)
    d += elm.SourceV().down().reverse().label(label("PS1", lang), loc="bottom", ofst=0.3, fontsize=9)
    d += elm.Ground()
    # the shutter and the status LED, below the light channels
    d += elm.Line().at(pico.GP15).right(4.5)
    d += elm.Line().down(1.6)
    d += elm.Button().down().label(label("SW1", lang), loc="bottom", ofst=0.2, fontsize=9)
    d += elm.Ground()
    d += elm.Line().at(pico.GP14).right(1.3)
    d += elm.Resistor().down().label(label("R5", lang), loc="bottom", ofst=0.15, fontsize=9)
    d += elm.LED().down().label(label("D1", lang), loc="bottom", ofst=0.15, fontsize=9)
    d += elm.Ground()
    d += elm.Line().at(pico.GND).down(0.8)
    d += elm.Ground()
    # power for the Pico: USB from the computer, or the buck converter on VSYS (one or the other)
    d += elm.Line().at(pico.USB).left(1.2)
    d += elm.Tag().left().label(label("J1", lang), loc="bottom", ofst=0.3, fontsize=9)
    d += elm.Line().at(pico.VSYS).toy(RAIL_Y - 3.2).linestyle("--")
    buck = elm.Ic(pins=[elm.IcPin(side="bottom", anchorname="out"), elm.IcPin(side="top", anchorname="in")],
                  size=(2.8, 1.3))
    d += buck.theta(0).anchor("out").label(label("U2", lang), loc="center", fontsize=9)
    d += elm.Line().at(buck.absanchors["in"]).toy(RAIL_Y).linestyle("--")
    d += elm.Line().tox(key_x).linestyle("--")
    d += elm.Label().at((pico.VSYS.x - 1.8, RAIL_Y - 2.4)).label(NOTE[lang], fontsize=8, halign="right")
    return d


def write(folder: Path = HERE) -> list[Path]:
    """Draw the diagram into *folder*, in each language: the SVG (vector, for print) and the PNG
    (for screens)."""
    import matplotlib.pyplot as plt

    out = []
    for lang in LANGS:
        stem = "wiring" if lang == "en" else f"wiring.{lang}"
        svg, png = folder / f"{stem}.svg", folder / f"{stem}.png"
        build("svg", lang).save(str(svg))
        build("matplotlib", lang).save(str(png), dpi=110)
        plt.close("all")
        strip_png_metadata(png)
        out += [svg, png]
    return out


def strip_png_metadata(path: Path) -> None:
    """The same drawing, the same bytes: no software version or date in the PNG."""
    from PIL import Image

    with Image.open(path) as img:
        img.load()
        clean = img.copy()
    clean.save(path, format="PNG", optimize=True)


if __name__ == "__main__":
    for out in write(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(out)
