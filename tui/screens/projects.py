"""Projects: the recent ones, those in the projects folder, or any folder typed or picked."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Input, Label, ListView, Static

from cagette import locations
from cagette.i18n import N_, _
from cagette_tui.appref import app_of
from cagette_tui.memory import recent_projects
from cagette_tui.screens.base import CagetteScreen
from cagette_tui.widgets.keys import KeysBar
from cagette_tui.widgets.marks import Item
from cagette_tui.widgets.titlebar import TitleBar

KEYS = [("Enter", N_("open the project")), ("N", N_("new video")), ("Esc", N_("back"))]


def known_projects(folder: Path | None = None) -> list[tuple[Path, str]]:
    """Recent projects first, then the other folders of the projects folder holding a project.toml."""
    seen: dict[Path, str] = {}
    for recent in recent_projects():
        seen.setdefault(Path(recent.path), recent.title)
    base = folder or locations.projects_dir()
    if base.is_dir():
        for child in sorted(base.iterdir()):
            if (child / "project.toml").is_file():
                seen.setdefault(child.absolute(), child.name)
    return list(seen.items())


class ProjectsScreen(CagetteScreen):
    AUTO_FOCUS = "#projects, #folder"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", show=False),
        Binding("n", "new", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll(can_focus=False):
            yield Static(_("Projects"), classes="title")
            projects = known_projects()
            if projects:
                yield ListView(*[Item(f"{title} — {path.name}", name=str(path)) for path, title in projects],
                               id="projects")
            else:
                yield Static(_("No project yet: press N to start a new video."), classes="lead")
            yield Label(_("Or open another project folder:"))
            yield Input(id="folder", placeholder=_("path of a project folder, then Enter"))
        yield KeysBar(KEYS)

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        if event.item.name:
            app_of(self).open_project(Path(event.item.name))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            app_of(self).open_project(Path(event.value.strip()).expanduser())

    def action_new(self) -> None:
        app_of(self).open_section("new")


def make(app: Any) -> ProjectsScreen:
    return ProjectsScreen()
