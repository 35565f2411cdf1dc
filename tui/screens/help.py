"""Help: every key of the app, screen by screen."""

from __future__ import annotations

import importlib
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from cagette.i18n import N_, _
from cagette_tui.screens.base import CagetteScreen
from cagette_tui.widgets.keys import KeysBar, key_name
from cagette_tui.widgets.titlebar import TitleBar

# Modules whose KEYS list is shown, with the title of their section.
KEY_SOURCES: list[tuple[str, str]] = [
    ("cagette_tui.app:GLOBAL_KEYS", N_("Everywhere")),
    ("cagette_tui.screens.home:KEYS", N_("Home")),
    ("cagette_tui.screens.guided:KEYS", N_("New video")),
    ("cagette_tui.screens.projects:KEYS", N_("Projects")),
    ("cagette_tui.screens.storyboard:KEYS", N_("Storyboard")),
    ("cagette_tui.screens.capture:KEYS", N_("Capture")),
    ("cagette_tui.screens.render:KEYS", N_("Render")),
    ("cagette_tui.screens.library:KEYS", N_("Library")),
    ("cagette_tui.screens.community:KEYS", N_("Community")),
    ("cagette_tui.screens.sync:KEYS", N_("Sync")),
    ("cagette_tui.screens.plans:KEYS", N_("Box plans")),
]


def register_keys(source: str, title: str) -> None:
    if (source, title) not in KEY_SOURCES:
        KEY_SOURCES.append((source, title))


def _load(source: str) -> list[tuple[str, str]]:
    module, _sep, name = source.partition(":")
    return list(getattr(importlib.import_module(module), name))


class HelpScreen(CagetteScreen):
    AUTO_FOCUS = "#help-body"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "back", show=False)]

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll(id="help-body"):
            yield Static(_("Help"), classes="title")
            yield Static(
                _("Every action has a key; the mouse works too. Start with a new video from the home screen: "
                  "each step says what to do next."),
                classes="lead",
            )
            for source, title in KEY_SOURCES:
                yield Static(_(title), classes="title")
                table: DataTable[str] = DataTable(classes="help-table", show_cursor=False)
                table.can_focus = False  # read, not chosen from: the page scrolls as a whole
                table.add_columns(_("key"), _("action"))
                for key, label in _load(source):
                    table.add_row(key_name(key), _(label))
                yield table
        yield KeysBar([("Esc", N_("back")), ("F2", N_("français / English"))])


def make(app: Any) -> HelpScreen:
    return HelpScreen()
