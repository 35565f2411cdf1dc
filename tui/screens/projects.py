"""Projects: the recent ones, those in the projects folder, or any folder typed or picked."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Input, Label, ListItem, ListView, Static

from cagette import locations
from cagette.i18n import N_, _
from cagette_tui.recent import recent_projects
from cagette_tui.widgets.keys import KeysBar

KEYS = [("Enter", N_("open the project")), ("N", N_("new video")), ("Esc", N_("back"))]


def known_projects(folder: Path | None = None) -> list[tuple[Path, str]]:
    """Recent projects first, then the other folders of the projects folder holding a project.toml."""
    seen: dict[Path, str] = {}
    for recent in recent_projects():
        seen.setdefault(recent.path, recent.title)
    base = folder or locations.projects_dir()
    if base.is_dir():
        for child in sorted(base.iterdir()):
            if (child / "project.toml").is_file():
                seen.setdefault(child.absolute(), child.name)
    return list(seen.items())


class ProjectsScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", show=False),
        Binding("n", "new", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static(_("Projects"), classes="title")
            projects = known_projects()
            if projects:
                yield ListView(*[ListItem(Label(f"{title} — {path.name}"), name=str(path)) for path, title in projects],
                               id="projects")
            else:
                yield Static(_("No project yet: press N to start a new video."), classes="lead")
            yield Label(_("Or open another project folder:"))
            yield Input(id="folder", placeholder=_("path of a project folder, then Enter"))
        yield KeysBar(KEYS)

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        if event.item.name:
            self.app.open_project(Path(event.item.name))  # type: ignore[attr-defined]

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.app.open_project(Path(event.value.strip()).expanduser())  # type: ignore[attr-defined]

    def action_new(self) -> None:
        self.app.open_section("new")  # type: ignore[attr-defined]


def make(app: Any) -> ProjectsScreen:
    return ProjectsScreen()
