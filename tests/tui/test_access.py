"""Readable without colours: states in glyphs; key names and plurals in the person's language; French
typography. (Every control of every screen reached and seen at 80 × 24 and 120 × 40: test_keys.py.)"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult

from cagette import i18n
from cagette.i18n import LOCALE_DIR, parse_po
from cagette_tui.app import CagetteApp
from cagette_tui.widgets.keys import KeysBar, key_name, lines
from cagette_tui.widgets.marks import Check, Item, Radio
from tests.tui.helpers import wait_for

# Before : ; ! ? French puts a narrow no-break space (U+202F); a time (0:12) or a URL (http://) has none.
UNSPACED = re.compile(r"(?<![\u202f\d])[:;!?](?=\s|$|[»\"')\]])")


@pytest.mark.parametrize("area", ["tui", "flows"])
def test_french_puts_a_narrow_space_before_double_punctuation(area: str) -> None:
    entries = parse_po((LOCALE_DIR / "fr" / "LC_MESSAGES" / f"{area}.po").read_text(encoding="utf-8"))
    bad = [v for value in entries.values() for v in (value if isinstance(value, list) else [value])
           if UNSPACED.search(v) or " :" in v or " ;" in v or " ?" in v or " !" in v]
    assert not bad, bad[:5]


class Toggles(App[None]):
    def compose(self) -> ComposeResult:
        yield Radio("on", value=True, id="r-on")
        yield Radio("off", value=False, id="r-off")
        yield Check("on", value=True, id="c-on")
        yield Check("off", value=False, id="c-off")


def plain(app: Any, selector: str) -> str:
    return "".join(seg.text for seg in app.console.render(app.query_one(selector).render()))


async def test_on_and_off_differ_in_glyphs_not_only_in_colour() -> None:
    app = Toggles()
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        assert "●" in plain(app, "#r-on") and "●" not in plain(app, "#r-off")
        assert "✔" in plain(app, "#c-on") and "✔" not in plain(app, "#c-off")
        assert plain(app, "#r-on").replace("●", " ") == plain(app, "#r-off").replace("off", "on")


def test_the_highlighted_item_is_marked() -> None:
    item = Item("Welcome")
    assert item._line() == "  Welcome"
    item.highlighted = True
    assert item._line() == "▶ Welcome"


def test_key_names_are_translated_and_no_key_is_left_out() -> None:
    from cagette_tui.screens.capture import KEYS

    i18n.set_language("fr")
    try:
        assert key_name("Space") == "Espace" and key_name("Del") == "Suppr" and key_name("Esc") == "Échap"
        assert key_name("Ctrl+Space") == "Ctrl+Espace" and key_name("Shift+↑/↓") == "Maj+↑/↓"
        assert key_name("Home") == "Début" and key_name("Ctrl+Z") == "Ctrl+Z" and key_name("M") == "M"
        for width in (80, 120):
            text = "\n".join(line.plain for line in lines(KEYS, width))
            assert all(len(line) <= width for line in text.splitlines())
            for key, _label in KEYS:
                assert f" {key_name(key)} " in text, (width, key)  # every key, none cut off
    finally:
        i18n.set_language(None)
    assert key_name("Space") == "Space"
    assert KeysBar([("Esc", "back")], only=("Esc",)).keys[-1] == ("F1", "every key")


async def test_counts_agree_with_their_words(tmp_path: Path) -> None:
    from cagette.video.project import Project

    root = tmp_path / "one"
    project = Project.create(root, "One")
    project.add_scene("Only", "Hello.")
    project.add_shot(1, kind="title", title="Hi")
    for lang, words in (("fr", ("1 scène", "1 plan")), ("en", ("1 scene", "1 shot"))):
        app = CagetteApp(lang=lang)
        async with app.run_test(size=(120, 40)) as pilot:
            app.open_project(root)
            await wait_for(pilot, lambda app=app: app.screen.query("#scenes") and app.screen.query_one("#scenes").children)
            summary = str(app.screen.query_one("#summary").render())
            line = app.screen.query_one("#scenes").children[0].text
            assert words[0] in summary and words[1] in line, (summary, line)
            assert "1 scènes" not in summary and "1 plans" not in line and "1 scenes" not in summary
