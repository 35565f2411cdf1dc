"""The app's shell, driven headless: home, help, language switch."""

from __future__ import annotations

from textual.widgets import Button, Static

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


async def test_home_buttons_open_sections() -> None:
    app = CagetteApp(lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        buttons = list(app.screen.query(Button))
        assert any(b.id == "section-help" for b in buttons)
        await pilot.click("#section-help")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
