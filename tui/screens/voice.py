"""Recording a scene's voice-over, with the scene's script on screen to read from.

M (or Space, or the button) starts: a count-in (3, 2, 1), then the microphone is recorded, with a
level meter and the time spoken; M again stops and the recording becomes the scene's voice-over
(through the project API: undoable). Esc cancels (nothing is kept). I imports a sound file instead.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Static

from cagette.errors import CagetteError
from cagette.i18n import _
from cagette.progress import format_duration
from cagette_tui.adapters import AUDIO_EXTS, script_seconds
from cagette_tui.appref import app_of, from_worker
from cagette_tui.screens.base import CagetteDialog
from cagette_tui.screens.dialogs import DIALOG_CSS, PathDialog
from cagette_tui.widgets.job import JobPanel

if TYPE_CHECKING:
    from cagette.video.project import Project

COUNT_IN = 3


class VoiceDialog(CagetteDialog):
    """Record (or import) the voice-over of one scene; dismissed with True when one is set."""

    DEFAULT_CSS = DIALOG_CSS.format(name="VoiceDialog") + """
    VoiceDialog #voice-script { height: auto; max-height: 12; border: round $panel-lighten-2; padding: 0 1; }
    VoiceDialog #voice-state { text-style: bold; padding: 1 0 0 0; }
    """
    AUTO_FOCUS = "#voice-start"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", show=False),
        Binding("m,space", "toggle", show=False),
        Binding("i", "import_file", show=False),
    ]

    def __init__(self, project: Project, scene: str, count_in: int = COUNT_IN) -> None:
        super().__init__()
        self.project = project
        self.slug = project.data.scene(scene).slug
        self.count_in = count_in
        self.stop: threading.Event | None = None
        self.recording = False

    def compose(self) -> ComposeResult:
        scene = self.project.data.scene(self.slug)
        n = self.project.data.scene_index(self.slug) + 1
        with Vertical():
            yield Static(_("Voice-over of scene {n}: {title}").format(n=n, title=scene.title or scene.slug),
                         classes="dialog-title")
            yield Static(_("Read this text (about {duration}):").format(
                duration=format_duration(script_seconds(scene.script))))
            with VerticalScroll(id="voice-script", can_focus=False):
                yield Static(scene.script or _("(this scene has no script yet)"), id="voice-text", markup=False)
            yield Static(_("Press M to start: a count-in of {n} seconds, then speak.").format(n=self.count_in),
                         id="voice-state")
            yield Static("", id="voice-level")
            yield JobPanel(id="voice-job")
            with Horizontal():
                yield Button(_("Record (M)"), id="voice-start", variant="primary")
                yield Button(_("Import a sound file (I)"), id="voice-import")
                yield Button(_("Cancel (Esc)"), id="voice-cancel")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        action = {"voice-start": self.action_toggle, "voice-import": self.action_import_file,
                  "voice-cancel": self.action_cancel}.get(event.button.id or "")
        if action is not None:
            event.stop()
            action()

    def action_toggle(self) -> None:
        if self.stop is not None:
            self.stop.set()  # the recording ends and is kept
            return
        self._record()

    def _record(self) -> None:
        from cagette.capture.voice import meter, record_voice

        stop = threading.Event()
        self.stop = stop
        work_dir = Path(tempfile.mkdtemp(prefix="voice-", dir=self.project.meta_dir))
        target = work_dir / f"{self.slug}.wav"
        project, slug, count_in = self.project, self.slug, self.count_in

        def say(fn: Any, *args: Any) -> None:
            from_worker(self, fn, *args)

        def record(progress: Any) -> Path:
            try:
                result = record_voice(
                    target, stop=stop, progress=progress, count_in=count_in,
                    on_count=lambda n: say(self._state, _("Speak in {n}…").format(n=n)),
                    on_level=lambda peak, rms: say(self._level, peak, meter(peak, 24)))
                if result.duration_s <= 0:
                    raise CagetteError(_("Nothing was recorded."), _("Check the microphone, then try again."))
                project.set_voiceover(slug, target)
            finally:
                shutil.rmtree(work_dir, ignore_errors=True)
            return target

        self.query_one("#voice-start", Button).label = _("Stop and keep (M)")
        self.query_one("#voice-job", JobPanel).start(record, lambda _path: self.dismiss(True),
                                                     _("Recording the voice… M stops and keeps it, Esc cancels."))

    def _state(self, text: str) -> None:
        if self.is_attached:
            self.recording = text == ""
            self.query_one("#voice-state", Static).update(text)

    def _level(self, peak: float, bar: str) -> None:
        if not self.is_attached:
            return
        self.recording = True
        job = self.query_one("#voice-job", JobPanel)
        spoken = job.last_event.done if job.last_event is not None else 0.0
        self.query_one("#voice-state", Static).update(
            _("● Recording — {time} — M stops").format(time=format_duration(spoken)))
        self.query_one("#voice-level", Static).update(_("Level: {bar} {db:.0f} dB").format(bar=bar, db=peak))

    def on_job_panel_finished(self, event: JobPanel.Finished) -> None:
        self.stop = None
        self.recording = False
        if event.outcome != "done" and self.is_attached:
            self.query_one("#voice-start", Button).label = _("Record (M)")
            self.query_one("#voice-state", Static).update(_("Press M to start again."))

    def action_import_file(self) -> None:
        if self.stop is not None:
            return
        self.app.push_screen(PathDialog(_("Voice-over of this scene"), _("Path of a sound file (WAV, MP3, M4A…)"),
                                        start=self.project.root, purpose="voice", exts=AUDIO_EXTS), self._imported)

    def _imported(self, path: Path | None) -> None:
        if path is None:
            return
        try:
            self.project.set_voiceover(self.slug, path)
        except CagetteError as exc:
            app_of(self).show_error(exc)
            return
        self.dismiss(True)

    def action_cancel(self) -> None:
        job = self.query_one("#voice-job", JobPanel)
        if job.running:
            job.cancel()  # nothing is kept
            return
        self.dismiss(False)
