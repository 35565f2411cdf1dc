"""Render: choose a preset, assemble the video with progress and ETA, cancel, open the folder, publish."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Header, RadioButton, RadioSet, Static

from cagette.errors import CagetteError
from cagette.i18n import N_, _
from cagette_tui import adapters
from cagette_tui.widgets.job import JobPanel
from cagette_tui.widgets.keys import KeysBar

KEYS = [("G", N_("render")), ("Esc", N_("cancel the render, or back")), ("O", N_("open the output folder")),
        ("P", N_("publish to the library"))]


class RenderScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", show=False),
        Binding("g", "render", show=False),
        Binding("o", "open_folder", show=False),
        Binding("p", "publish", show=False),
    ]

    DEFAULT_CSS = """
    RenderScreen #render-body { padding: 0 2; }
    RenderScreen RadioSet { width: 100%; }
    RenderScreen #render-actions { height: auto; padding: 1 0; }
    RenderScreen #render-actions Button { margin-right: 2; }
    """

    def __init__(self, project: Any) -> None:
        super().__init__()
        self.project = project
        self.output: Path | None = adapters.last_render(project)
        self.published = ""

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="render-body"):
            yield Static(_("Render {title}").format(title=self.project.data.title), classes="title")
            yield Static(_("Choose how the video will be used, then press Render (G). A draft is quick; "
                           "check it before the final render."), classes="lead")
            chosen = self.project.data.export.preset or "draft"
            with RadioSet(id="presets"):
                for name, description in adapters.render_presets():
                    yield RadioButton(f"{name} — {description}", value=name == chosen, name=name)
            yield Checkbox(_("Burn the captions into the picture (else they are a separate file)"),
                           self.project.data.export.burn_captions, id="burn")
            with Horizontal(id="render-actions"):
                yield Button(_("Render (G)"), id="render", variant="primary")
                yield Button(_("Open the output folder (O)"), id="open-folder")
                yield Button(_("Publish to the library (P)"), id="publish")
            yield JobPanel(id="job")
            yield Static(self._output_text(), id="output")
        yield KeysBar(KEYS)

    def _output_text(self) -> str:
        if self.output is None:
            return _("Not rendered yet.")
        text = _("Last render: {file}").format(file=self.output.name)
        if self.output.exists():
            text += f" ({self.output.stat().st_size / 1e6:.1f} MB)"
        if self.published:
            text += "\n" + _("Published in the library as {id}.").format(id=self.published)
        return text

    def preset(self) -> str:
        pressed = self.query_one("#presets", RadioSet).pressed_button
        return pressed.name if pressed is not None and pressed.name else "draft"

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        if event.checkbox.id == "burn" and event.value != self.project.data.export.burn_captions:
            try:
                self.project.set_export(burn_captions=event.value)
            except CagetteError as exc:
                self.app.show_error(exc)  # type: ignore[attr-defined]

    def on_button_pressed(self, event: Button.Pressed) -> None:
        action = {"render": self.action_render, "open-folder": self.action_open_folder,
                  "publish": self.action_publish}.get(event.button.id or "")
        if action is not None:
            action()

    def action_render(self) -> None:
        job = self.query_one("#job", JobPanel)
        preset = self.preset()
        job.start(lambda progress: adapters.render_video(self.project, preset, progress), self._rendered,
                  _("Rendering with {preset}…").format(preset=preset))

    def _rendered(self, output: Path) -> None:
        self.output = Path(output)
        self.published = ""
        self.query_one("#output", Static).update(self._output_text())
        self.app.notify(_("The video is ready: {file}").format(file=self.output.name))

    def action_back(self) -> None:
        self.query_one("#job", JobPanel).cancel_or(self.app.pop_screen)

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
        if self.output is None or not self.output.exists():
            self.app.notify(_("Render the video first (G)."), severity="warning")
            return
        job = self.query_one("#job", JobPanel)
        output = self.output
        library = self.app.library_option  # type: ignore[attr-defined]
        job.start(lambda progress: adapters.publish_video(library, self.project, output, progress),
                  self._published, _("Publishing to the library…"))

    def _published(self, resource_id: str) -> None:
        self.published = str(resource_id)
        self.query_one("#output", Static).update(self._output_text())
        self.app.notify(_("Published in the library."))
