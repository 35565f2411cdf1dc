"""Home: where to start (or go on with the guided video left unfinished), the sections, the recent projects."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import ListView, Static

from cagette.i18n import N_, _
from cagette_tui import memory
from cagette_tui.appref import app_of
from cagette_tui.screens.base import CagetteScreen
from cagette_tui.sections import SECTIONS
from cagette_tui.widgets.keys import KeysBar
from cagette_tui.widgets.marks import Item
from cagette_tui.widgets.titlebar import TitleBar

KEYS = [("Enter", N_("open")), ("1-9", N_("open a section")), ("G", N_("go on with the guided video")),
        ("R", N_("recent projects")), ("F1", N_("help")), ("F2", N_("français / English")),
        ("F3", N_("high contrast")), ("Ctrl+Q", N_("quit"))]


class HomeScreen(CagetteScreen):
    AUTO_FOCUS = "#sections"
    BINDINGS: ClassVar[list[BindingType]] = [
        *[Binding(str(n), f"open({n})", show=False) for n in range(1, 10)],
        Binding("g", "resume", show=False),
        Binding("r", "focus_recent", show=False),
    ]
    DEFAULT_CSS = """
    HomeScreen #sections, HomeScreen #recent { height: auto; margin: 0 2; }
    HomeScreen .title { padding: 0 2; }
    HomeScreen #welcome { padding: 1 2 0 2; }
    """

    def compose(self) -> ComposeResult:
        from cagette.flows import guided

        state = memory.load()
        self.resume = guided.unfinished(state)
        yield TitleBar()
        with VerticalScroll(can_focus=False):
            yield Static(_("Welcome to the Vidéocagette studio"), classes="title", id="welcome")
            yield Static(_("Plan the box, shoot on the paper stage, assemble a short video and share it. "
                           "Choose where to start:"), classes="lead")
            items = []
            if self.resume is not None:
                n = guided.index_of(self.resume.step)
                items.append(Item(_("G. Go on with “{title}”: step {n} of {total}, {label}").format(
                    title=self.resume.title, n=n + 1, total=len(guided.STEPS), label=_(guided.STEPS[n].label)),
                    name="resume"))
            for n, section in enumerate(SECTIONS, start=1):
                items.append(Item(f"{n}. {_(section.label)} — {_(section.description)}", name=section.id))
            yield ListView(*items, id="sections")
            recent = state.recent_projects()
            yield Static(_("Recent projects"), classes="title")
            if recent:
                yield ListView(*[Item(f"{r.title} — {Path(r.path).name}", name=r.path) for r in recent], id="recent")
            else:
                yield Static(_("No project yet: start with a new video (1)."), classes="lead", id="no-recent")
        yield KeysBar(KEYS, only=("Enter", "1-9", "G", "F2", "Ctrl+Q"))

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        name = event.item.name or ""
        if event.list_view.id == "recent" and name:
            app_of(self).open_project(Path(name))
        elif event.list_view.id == "sections":
            if name == "resume":
                self.action_resume()
            elif name:
                app_of(self).open_section(name)

    def action_open(self, number: int) -> None:
        if 1 <= number <= len(SECTIONS):
            app_of(self).open_section(SECTIONS[number - 1].id)

    def action_resume(self) -> None:
        if self.resume is None:
            self.app.notify(_("No guided video to go on with: start a new one (1)."), severity="warning")
            return
        app_of(self).resume_guided(self.resume.root)

    def action_focus_recent(self) -> None:
        for view in self.query("#recent"):
            self.set_focus(view)  # at once (focus() waits for the next idle): R then Enter opens the project
            view.scroll_visible(animate=False)

    async def returned(self) -> None:
        # Back from a project or the guided flow: the recent list and the flow to resume may have changed.
        await self.rebuild()
