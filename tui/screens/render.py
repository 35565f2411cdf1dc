"""Render: `project check`'s problems first, a preset, progress with an ETA, cancel; then publish (a form)."""

from __future__ import annotations

import shutil
import subprocess
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Static

from cagette.i18n import N_, _
from cagette_tui.appref import app_of
from cagette_tui.screens.base import ProjectScreen
from cagette_tui.widgets.job import JobPanel
from cagette_tui.widgets.keys import KeysBar
from cagette_tui.widgets.render_panel import RenderPanel
from cagette_tui.widgets.titlebar import TitleBar

if TYPE_CHECKING:
    from cagette.video.project import Project

KEYS = [("G", N_("render")), ("P", N_("publish…")), ("O", N_("open the output folder")),
        ("Ctrl+Z", N_("undo")), ("Esc", N_("cancel the render, or back"))]


class RenderScreen(ProjectScreen):
    AUTO_FOCUS = "#presets"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", show=False),
        Binding("g", "render", show=False),
        Binding("o", "open_folder", show=False),
        Binding("p", "publish", show=False),
    ]

    DEFAULT_CSS = """
    RenderScreen #render-body { padding: 0 2; }
    RenderScreen #render-more { height: auto; padding: 1 0; }
    RenderScreen #render-more Button { margin-right: 2; }
    """

    def __init__(self, project: Project) -> None:
        super().__init__()
        self.project = project

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll(id="render-body", can_focus=False):
            yield Static(_("Render {title}").format(title=self.project.data.title), classes="title")
            yield Static(_("Choose how the video will be used, then press Render (G). A draft is quick; "
                           "check it before the final render."), classes="lead")
            yield RenderPanel(self.project, id="panel")
            with Horizontal(id="render-more"):
                yield Button(_("Publish… (P)"), id="publish")
                yield Button(_("Open the output folder (O)"), id="open-folder")
        yield KeysBar(KEYS)

    @property
    def panel(self) -> RenderPanel:
        return self.query_one("#panel", RenderPanel)

    @property
    def output(self) -> Any:
        return self.panel.output

    def on_button_pressed(self, event: Button.Pressed) -> None:
        action = {"open-folder": self.action_open_folder, "publish": self.action_publish}.get(event.button.id or "")
        if action is not None:
            action()

    def action_render(self) -> None:
        self.panel.ask()

    def action_back(self) -> None:
        self.panel.query_one("#job", JobPanel).cancel_or(self.app.pop_screen)

    def action_open_folder(self) -> None:
        folder = self.output.parent if self.output is not None else self.project.exports_dir
        opener = shutil.which("xdg-open") or shutil.which("open")
        if opener is None:
            self.app.notify(_("The videos are in {folder}").format(folder=folder))
            return
        try:
            subprocess.Popen([opener, str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError as exc:
            self.app.notify(_("Cannot open {folder}: {error}").format(folder=folder, error=exc.strerror),
                            severity="warning")
            return
        self.app.notify(_("Opened {folder}").format(folder=folder))

    def action_publish(self) -> None:
        from cagette_tui.screens.publish import PublishScreen

        self.app.push_screen(PublishScreen(self.project))

    async def returned(self) -> None:
        from cagette.errors import CagetteError

        try:
            self.project.reload()
        except CagetteError as exc:
            app_of(self).show_error(exc)
            return
        if self.stale_language():
            await self.relabel()
        self.panel.check()  # another screen may have changed the project

