"""The app's shell, driven headless: home, help, language switch."""

from __future__ import annotations

from textual.widgets import Static

from cagette.i18n import current_language
from cagette_tui.app import CagetteApp
from cagette_tui.screens.help import HelpScreen
from cagette_tui.screens.home import HomeScreen


async def test_home_help_and_language_switch() -> None:
    app = CagetteApp(lang="fr")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        welcome = app.screen.query_one("#welcome", Static)
        assert "Bienvenue" in str(welcome.render())
        await pilot.press("f2")
        await pilot.pause()
        assert current_language() == "en"
        welcome = app.screen.query_one("#welcome", Static)
        assert "Welcome" in str(welcome.render())
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("f3")
        assert app.theme == "cagette-contrast"


async def test_home_sections_open_with_enter_a_click_or_their_number() -> None:
    from textual.widgets import ListView

    app = CagetteApp(lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        sections = app.screen.query_one("#sections", ListView)
        assert app.screen.focused is sections  # the focus starts on the main control
        assert [item.name for item in sections.children] == ["new", "projects", "library", "plans", "help"]
        assert sections.children[0].text.startswith("1. New video")  # type: ignore[attr-defined]
        await pilot.press("down", "down", "down", "down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.pause()
        await pilot.click(app.screen.query_one("#sections", ListView).children[4])
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_first_start_seeds_the_default_library_only(isolated_home, tmp_path, monkeypatch) -> None:
    from cagette.library.library import Library, is_library

    app = CagetteApp(lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        made = app.seed_on_first_start()
        assert made == str(isolated_home / "library")
        lib = Library.open(isolated_home / "library")
        kinds = {r.kind for r in lib.resources()}
        assert {"guide", "template"} <= kinds
        assert app.seed_on_first_start() is None  # second start: nothing to do
    named = tmp_path / "named"
    app = CagetteApp(lang="en", library=str(named))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.seed_on_first_start() is None
        assert not is_library(named) and not named.exists()
