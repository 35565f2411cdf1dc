"""The app's screens and keys, made by ``scripts/app_screens.py`` for the guide and the trainer's kit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PIL import Image

from tests.conftest import ROOT

TOOL = ROOT / "scripts" / "app_screens.py"
SHIPPED = ROOT / "library" / "screens"
SCREENS = ("home", "guided", "guided-scripts", "storyboard", "capture", "render", "library")


def test_the_key_list_is_the_apps_own(tmp_path: Path) -> None:
    made = subprocess.run([sys.executable, str(TOOL), "memo", "--out", str(tmp_path)], capture_output=True,
                          text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    fresh = (tmp_path / "keys.json").read_text(encoding="utf-8")
    assert fresh == (SHIPPED / "keys.json").read_text(encoding="utf-8"), (
        "the app's keys changed: run `python scripts/app_screens.py keys` and commit library/screens/keys.json")
    table = json.loads(fresh)
    from cagette_tui.screens.guided import KEYS

    guided_keys = {k for k, _ in KEYS}
    for lang in ("fr", "en"):
        sections = table[lang]
        assert len(sections) >= 8 and all(s["title"] and s["keys"] for s in sections)
        assert any({k for k, _ in s["keys"]} == guided_keys for s in sections)
    assert table["fr"][0]["keys"][0][1] != table["en"][0]["keys"][0][1]  # labels are translated
    # the tool's memo is the one the starter's builder puts in the trainer's kit (drawn from keys.json)

    # built as the starter's builder builds it, in a process of its own (a long-lived test process that drew
    # other PDFs first gave another glyph subset numbering once: see the closing note)
    code = ("import sys; from pathlib import Path; from cagette.starter.build import build_key_memo; "
            "print(build_key_memo(sys.argv[1], Path(sys.argv[2])))")
    for lang in ("fr", "en"):
        shipped = Path(subprocess.run([sys.executable, "-c", code, lang, str(tmp_path / "built")], check=True,
                                      capture_output=True, text=True).stdout.strip())
        assert (tmp_path / f"keys-memo-{lang}.pdf").read_bytes() == shipped.read_bytes()


def test_the_tool_draws_a_screen_the_app_shows(tmp_path: Path) -> None:
    made = subprocess.run([sys.executable, str(TOOL), "screens", "--out", str(tmp_path), "--lang", "en",
                           "--only", "home"], capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    img = Image.open(tmp_path / "home-en.png").convert("RGB")
    assert img.width >= 300 and img.height >= 200
    # the title of the home screen, in the theme's accent colour, and the key bar's reverse cells
    colours = {c for _n, c in img.getcolors(maxcolors=1 << 16) or []}
    assert len(colours) >= 8
    width, height = img.size
    top = img.crop((0, height // 20, width, height // 8))
    assert len(top.getcolors(maxcolors=1 << 16) or []) > 2  # text drawn, not an empty band
    # what it drew is what the app shows: the cells the child read from the app's compositor
    child = subprocess.run([sys.executable, str(TOOL), "--child", "home", "en"], capture_output=True, text=True,
                           timeout=300, env={**os.environ, "CAGETTE_HOME": str(tmp_path / "home")})
    rows = json.loads(child.stdout)
    text = "\n".join("".join(cell[0] or " " for cell in row) for row in rows)
    assert "Welcome to the Vidéocagette studio" in text and "New video" in text
    assert len(rows) * 19 == height and max(len(r) for r in rows) == 100


def test_every_screen_the_guide_shows_is_shipped() -> None:
    for screen in SCREENS:
        for lang in ("fr", "en"):
            img = Image.open(SHIPPED / f"{screen}-{lang}.png")
            assert img.width >= 300 and img.height >= 200, screen
