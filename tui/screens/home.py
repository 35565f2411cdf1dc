"""Home: where to start, the recent projects, the sections, language and help."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Header, Label, ListItem, ListView, Static

from cagette.i18n import N_, _
from cagette_tui.recent import recent_projects
from cagette_tui.sections import SECTIONS
from cagette_tui.widgets.keys import KeysBar

KEYS = [("1-9", N_("open a section")), ("R", N_("recent projects")), ("F1", N_("help")),
        ("F2", N_("français / English")), ("F3", N_("high contrast")), ("Ctrl+Q", N_("quit"))]


class HomeScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        *[Binding(str(n), f"open({n})", show=False) for n in range(1, 10)],
        Binding("r", "focus_recent", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static(_("Welcome to the Vidéocagette studio"), classes="title", id="welcome")
            yield Static(
                _("Plan the box, shoot on the paper stage, assemble a short video and share it. "
                  "Choose where to start:"),
                classes="lead",
            )
            with Vertical(id="sections"):
                for n, section in enumerate(SECTIONS, start=1):
                    yield Button(f"{n}. {_(section.label)} — {_(section.description)}",
                                 id=f"section-{section.id}")
            recent = recent_projects()
            yield Static(_("Recent projects"), classes="title")
            if recent:
                items = [ListItem(Label(f"{p.title} — {p.path.name}"), name=str(p.path)) for p in recent]
                yield ListView(*items, id="recent")
            else:
                yield Static(_("No project yet: start with a new video (1)."), classes="lead", id="no-recent")
        yield KeysBar(KEYS)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id and event.button.id.startswith("section-"):
            self.app.open_section(event.button.id.removeprefix("section-"))  # type: ignore[attr-defined]

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        if event.list_view.id == "recent" and event.item.name:
            from pathlib import Path

            self.app.open_project(Path(event.item.name))  # type: ignore[attr-defined]

    def action_open(self, number: int) -> None:
        if 1 <= number <= len(SECTIONS):
            self.app.open_section(SECTIONS[number - 1].id)  # type: ignore[attr-defined]

    def action_focus_recent(self) -> None:
        for view in self.query("#recent"):
            view.focus()
