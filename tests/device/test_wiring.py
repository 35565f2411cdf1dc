"""The wiring diagram (``firmware/wiring.svg`` and ``.png``, drawn by ``firmware/wiring.py`` with
schemdraw): regenerated, it is the committed one; its parts are the kit's bill of materials for the
controller, read from the plans' own output files (``hardware/plans/*/bom.csv``)."""

from __future__ import annotations

import csv
import importlib.util
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from tests.device.sim import FIRMWARE

ROOT = Path(__file__).resolve().parents[2]
BOMS = sorted((ROOT / "hardware" / "plans").glob("*/bom.csv"))


def wiring() -> ModuleType:
    spec = importlib.util.spec_from_file_location("wiring", FIRMWARE / "wiring.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def svg_texts(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    return [part.strip() for text in root.iter("{http://www.w3.org/2000/svg}text") for part in text.itertext()
            if part.strip()]


@pytest.mark.slow
def test_the_committed_diagram_is_what_the_generator_draws(tmp_path: Path) -> None:
    from PIL import Image, ImageChops

    made = wiring().write(tmp_path)
    assert [p.name for p in made] == ["wiring.svg", "wiring.png", "wiring.fr.svg", "wiring.fr.png"]
    for new in made:
        old = FIRMWARE / new.name
        stale = f"firmware/{new.name} is stale: run python firmware/wiring.py"
        if new.suffix == ".svg":
            assert new.read_text(encoding="utf-8") == old.read_text(encoding="utf-8"), stale
            continue
        with Image.open(new) as a, Image.open(old) as b:
            assert a.size == b.size and ImageChops.difference(a.convert("RGB"), b.convert("RGB")).getbbox() is None, \
                stale


@pytest.mark.parametrize("bom", BOMS, ids=[b.parent.name for b in BOMS])
def test_the_diagram_draws_the_kits_controller_parts(bom: Path) -> None:
    with bom.open(encoding="utf-8", newline="") as fh:
        lines = {row["item"]: float(row["quantity"]) for row in csv.DictReader(fh)}
    bought = {item: qty for item, qty in lines.items() if item.startswith("controller:")}
    assert len(bought) >= 10
    module = wiring()
    drawn = Counter(item for _ref, item, *_texts in module.PARTS)
    for item, qty in bought.items():
        if item in module.NOT_DRAWN:
            continue
        assert drawn[item] == qty, f"{item}: {qty:g} in {bom.relative_to(ROOT)}, {drawn[item]} on the diagram"
    assert {i for i in drawn if i.startswith("controller:")} == set(bought) - set(module.NOT_DRAWN)
    assert set(module.NOT_DRAWN) <= set(bought)
    assert "led_strip" in lines and drawn["led_strip"] == 2  # one strip bought, cut in two


@pytest.mark.parametrize(("name", "lang"), [("wiring.svg", 0), ("wiring.fr.svg", 1)])
def test_every_part_and_pin_is_labelled_on_the_committed_diagram(name: str, lang: int) -> None:
    module = wiring()
    texts = svg_texts(FIRMWARE / name)
    for ref, _item, *words in module.PARTS:
        assert ref in texts and words[lang] in texts, (ref, words[lang])
    refs = [ref for ref, *_rest in module.PARTS]
    assert len(refs) == len(set(refs))
    hw = (FIRMWARE / "hw_pico.py").read_text(encoding="utf-8")
    for pin_name, pin in module.PINS.items():  # the GPIOs of hw_pico.py, on their physical pins
        assert pin_name in texts and pin in texts, pin_name
        if pin_name.startswith("GP"):
            assert f"_PIN = {pin_name[2:]}" in hw, pin_name


def test_both_readmes_show_their_diagram() -> None:
    assert "](wiring.svg)" in (FIRMWARE / "README.md").read_text(encoding="utf-8")
    assert "](wiring.fr.svg)" in (FIRMWARE / "README.fr.md").read_text(encoding="utf-8")
