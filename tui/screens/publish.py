"""Publish: the form (title, description, licence explained, authors, organisation, which render, who
appears), then a confirmation, then the library."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from cagette.i18n import N_, _
from cagette_tui.appref import app_of
from cagette_tui.screens.base import ProjectScreen
from cagette_tui.widgets.keys import KeysBar
from cagette_tui.widgets.publish_form import PublishForm
from cagette_tui.widgets.titlebar import TitleBar

if TYPE_CHECKING:
    from cagette.video.project import Project

KEYS = [("Tab", N_("next field")), ("Ctrl+P", N_("publish…")), ("Ctrl+Z", N_("undo")), ("Esc", N_("back"))]


class PublishScreen(ProjectScreen):
    AUTO_FOCUS = "#pub-title"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", show=False),
        Binding("ctrl+p", "publish", show=False, priority=True),
    ]
    DEFAULT_CSS = "PublishScreen #publish-body { padding: 0 2; }"

    def __init__(self, project: Project) -> None:
        super().__init__()
        self.project = project

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll(id="publish-body", can_focus=False):
            yield Static(_("Publish {title} to the library").format(title=self.project.data.title), classes="title")
            yield Static(_("Check what the library will say of the video; each change is kept in the project."),
                         classes="lead")
            yield PublishForm(self.project, app_of(self).library_option, id="form")
        yield KeysBar(KEYS)

    def on_mount(self) -> None:
        # the title field is near the top: show the page's own title above it too
        self.call_after_refresh(lambda: self.query_one("#publish-body").scroll_home(animate=False))

    @property
    def form(self) -> PublishForm:
        return self.query_one("#form", PublishForm)

    published = ""  # the id the library gave the video

    def on_publish_form_published(self, event: PublishForm.Published) -> None:
        self.published = str(event.done.resource.id)

    def action_publish(self) -> None:
        self.form.ask()

    def action_back(self) -> None:
        self.app.pop_screen()
