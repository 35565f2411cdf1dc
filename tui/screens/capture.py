"""Capture: choose a camera, watch it live, record clips or take stop-motion frames.

The camera runs in :mod:`cagette.capture` threads (a frame hub and a preview
that shrinks frames at up to 20 per second); a worker of this screen turns
the newest small image into half-block characters and only swaps the
picture on the UI thread, so typing never waits for the camera. The shutter
(Space, or the studio's button through the app's shared trigger) takes a
frame in stop-motion mode and starts or stops the recording in video mode.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Label, ListItem, ListView, Select, Static

from cagette.errors import CagetteError
from cagette.i18n import N_, _
from cagette_tui.widgets.job import JobPanel
from cagette_tui.widgets.keys import KeysBar
from cagette_tui.widgets.picture import Picture, renderable_from_bgr
from cagette_tui.widgets.slider import Slider

KEYS = [
    ("Space", N_("shutter")), ("M", N_("video / stop-motion")), ("O", N_("onion skin")),
    ("←/→", N_("choose a frame")), ("Del", N_("delete the frame")), ("T", N_("retake the frame")),
    ("Ctrl+←/→", N_("move the frame")), ("U", N_("phone upload page")), ("Esc", N_("back")),
]

PREVIEW_FPS = 20.0  # the preview thread's pace; the drawing loop polls twice as often
PREVIEW_CELLS = (64, 18)


class CaptureScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", show=False),
        Binding("space", "shutter", show=False),
        Binding("m", "toggle_mode", show=False),
        Binding("o", "toggle_onion", show=False),
        Binding("left", "select_frame(-1)", show=False),
        Binding("right", "select_frame(1)", show=False),
        Binding("delete,x", "delete_frame", show=False),
        Binding("t", "retake", show=False),
        Binding("ctrl+left", "move_frame(-1)", show=False),
        Binding("ctrl+right", "move_frame(1)", show=False),
        Binding("u", "phone", show=False),
    ]

    DEFAULT_CSS = """
    CaptureScreen #capture { height: 1fr; }
    CaptureScreen #capture-side { width: 38; padding: 0 1; }
    CaptureScreen #capture-main { width: 1fr; padding: 0 1; }
    CaptureScreen #sources { height: auto; max-height: 8; }
    CaptureScreen #preview { height: 19; min-width: 40; border: round $primary; }
    CaptureScreen #strip { height: auto; padding: 1 0 0 0; }
    CaptureScreen #capture-status { padding: 1 0 0 0; }
    CaptureScreen #capture-side Button { width: 100%; }
    CaptureScreen .light { display: none; }
    CaptureScreen.-lights .light { display: block; }
    """

    def __init__(self, project: Any, source: str | None = None, devices: list[Any] | None = None,
                 controller: bool = True) -> None:
        super().__init__()
        self.devices = devices  # None: list this computer's cameras
        self.use_controller = controller
        self.project = project
        self.scene_slug = project.data.scenes[0].slug if project.data.scenes else ""
        self.location = source or ""
        self.mode = "stopmotion"
        self.onion = True
        self.frame_index = -1  # chosen frame in the strip, -1: the last one
        self.hub: Any = None
        self.preview: Any = None
        self.recorder: Any = None
        self.frames_shown = 0  # pictures drawn since the camera started (for the fps figure and tests)
        self.started_at = 0.0
        self._generation = 0  # the workers of an older camera stop when it changes
        self._onion_images: list[Any] = []
        self._lock = threading.Lock()
        self.controller: Any = None
        self.levels_read = False  # the sliders show the board's levels

    # layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="capture"):
            with Vertical(id="capture-side"):
                yield Label(_("Scene"))
                options = [(f"{n}. {s.title or s.slug}", s.slug) for n, s in enumerate(self.project.data.scenes, 1)]
                yield Select(options, value=self.scene_slug or Select.BLANK, allow_blank=not options, id="scene")
                yield Label(_("Camera"))
                yield ListView(*self._source_items(), id="sources")
                yield Input(self.location if "://" in self.location else "", id="url",
                            placeholder="http://192.168.1.20:8080/video")
                yield Button(_("Phone upload page (U)"), id="phone")
                yield Static("", id="capture-status")
                yield Static(_("Lights: no studio controller connected."), id="lights-state")
                yield Slider(_("Key "), id="light-key", classes="light")
                yield Slider(_("Fill"), id="light-fill", classes="light")
            with Vertical(id="capture-main"):
                yield Static(self._mode_text(), id="mode", classes="title")
                yield Picture(_("No camera yet: choose one on the left, or type a phone's URL and press Enter."),
                              id="preview", focusable=True)
                yield Static("", id="strip")
                yield JobPanel(id="job")
        yield KeysBar(KEYS)

    def _source_items(self) -> list[ListItem]:
        items = []
        try:
            from cagette.capture.sources import list_devices

            for dev in list_devices() if self.devices is None else self.devices:
                items.append(ListItem(Label(f"{dev.path} — {dev.name or _('camera')}"), name=dev.path))
        except CagetteError as exc:
            self.app.show_error(exc)  # type: ignore[attr-defined]
        if not items:
            items.append(ListItem(Label(_("No camera on this computer: use a phone (URL below).")), name=""))
        return items

    def on_mount(self) -> None:
        self.refresh_strip()
        self.query_one("#preview", Picture).focus()
        if self.location:
            self.start_camera(self.location)
        if self.use_controller:
            self._start_controller()
            self.set_interval(1.0, self._check_lights)

    def on_unmount(self) -> None:
        self.stop_camera()
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    # the studio's controller: lights and the shutter button -----------------------------
    def _start_controller(self) -> None:
        """Look for the studio's board in the background; its button feeds the app's shutter."""
        try:
            from cagette import settings
            from cagette.device.controller import Controller
            from cagette.device.finder import port_lister

            port = settings.current().device.port or None
            self.controller = Controller(port_lister(port), trigger=self.app.shutter).start()  # type: ignore[attr-defined]
        except (CagetteError, ImportError) as exc:
            self.controller = None
            self.query_one("#lights-state", Static).update(
                _("Lights: the controller cannot be used ({error}).").format(error=getattr(exc, "message", exc)))

    def _check_lights(self) -> None:
        connected = self.controller is not None and self.controller.connected
        if connected == self.has_class("-lights"):
            return
        self.set_class(connected, "-lights")
        self.query_one("#lights-state", Static).update(
            _("Lights of the studio (←/→ on a slider):") if connected
            else _("Lights: no studio controller connected."))
        if connected:
            self._read_levels()

    @work(thread=True, group="lights")
    def _read_levels(self) -> None:
        try:
            levels = self.controller.levels()
        except CagetteError as exc:
            self.app.call_from_thread(self.app.show_error, exc)  # type: ignore[attr-defined]
            return
        self.app.call_from_thread(self._show_levels, levels)

    def _show_levels(self, levels: dict[str, Any]) -> None:
        self.levels_read = True
        for channel in ("key", "fill"):
            value = levels.get(channel, levels.get("levels", {}).get(channel) if isinstance(
                levels.get("levels"), dict) else None)
            if isinstance(value, (int, float)):
                self.query_one(f"#light-{channel}", Slider).set_reactive(Slider.value, float(value))
                self.query_one(f"#light-{channel}", Slider).refresh()

    def on_slider_changed(self, event: Slider.Changed) -> None:
        channel = (event.slider.id or "").removeprefix("light-")
        if channel in ("key", "fill"):
            self._set_light(channel, event.value)

    @work(thread=True, exclusive=True, group="set-lights")
    def _set_light(self, channel: str, value: float) -> None:
        if self.controller is None:
            return
        try:
            self.controller.set_lights(**{channel: value, "ramp_ms": 150})
        except CagetteError as exc:
            self.app.call_from_thread(self.app.show_error, exc)  # type: ignore[attr-defined]

    # camera -------------------------------------------------------------------------
    def _mode_text(self) -> str:
        if self.mode == "video":
            state = _("recording") if self.recorder is not None else _("ready")
            return _("Video mode ({state}): Space starts or stops a recording.").format(state=state)
        onion = _("onion skin on") if self.onion else _("onion skin off")
        return _("Stop-motion mode ({onion}): Space takes a frame.").format(onion=onion)

    def _reopen(self, location: str) -> Any:
        """Stop the live view and open *location* afresh (None, with a notification, if it fails)."""
        from cagette.capture.sources import open_source

        self.stop_camera()
        try:
            return open_source(location)
        except CagetteError as exc:
            self.app.show_error(exc)  # type: ignore[attr-defined]
            return None

    def start_camera(self, location: str) -> None:
        from cagette.capture.recorder import FrameHub

        source = self._reopen(location)
        if source is None:
            return
        self.location = location
        self.hub = FrameHub(source).start()
        self._attach_preview(self.hub)

    def _attach_preview(self, hub: Any) -> None:
        from cagette.capture.preview import Preview

        with self._lock:
            if self.preview is not None:
                self.preview.stop()
            self.preview = Preview(hub, width=2 * PREVIEW_CELLS[0], fps=PREVIEW_FPS, transform=self._transform).start()
            self.frames_shown = 0
            self.started_at = time.monotonic()
        self._generation += 1
        self._preview_loop(self._generation)
        self._shutter_loop(self._generation)

    def stop_camera(self) -> None:
        self._generation += 1
        with self._lock:
            if self.preview is not None:
                self.preview.stop()
                self.preview = None
        if self.hub is not None:
            self.hub.stop()
            self.hub = None

    def _transform(self, img: Any) -> Any:
        if self.mode != "stopmotion" or not self.onion or not self._onion_images:
            return img
        from cagette.capture.stopmotion import onion_skin

        return onion_skin(img, self._onion_images)

    @work(thread=True, group="preview")
    def _preview_loop(self, generation: int) -> None:
        """Turn each new small image into characters (up to 20 a second)."""
        last = -1
        period = 0.5 / PREVIEW_FPS
        reported = False
        while self._generation == generation:
            tick = time.monotonic()
            with self._lock:
                preview = self.preview
            hub = self.hub or (self.recorder.hub if self.recorder is not None else None)
            if preview is not None:
                index, img = preview.image()
                if img is not None and index != last:
                    last = index
                    picture = renderable_from_bgr(img, *PREVIEW_CELLS)
                    self.app.call_from_thread(self._show_picture, picture)
            if hub is not None and hub.finished.is_set() and hub.error is not None and not reported:
                reported = True
                error = hub.error
                if not isinstance(error, CagetteError):
                    error = CagetteError(str(error), _("Check the camera, then choose it again."))
                self.app.call_from_thread(self.app.show_error, error)  # type: ignore[attr-defined]
            time.sleep(max(0.0, period - (time.monotonic() - tick)))

    def _show_picture(self, picture: Any) -> None:
        if not self.is_attached or self.app.screen is not self:
            return  # the screen was left while this picture was on its way
        self.query_one("#preview", Picture).update(picture)
        self.frames_shown += 1
        elapsed = time.monotonic() - self.started_at
        if elapsed > 1:
            self.query_one("#capture-status", Static).update(
                _("Live view: {fps:.0f} pictures a second.").format(fps=self.frames_shown / elapsed))

    @work(thread=True, group="shutter")
    def _shutter_loop(self, generation: int) -> None:
        """Shutter events (keys and the studio's button) in order, one at a time."""
        trigger = self.app.shutter  # type: ignore[attr-defined]
        while self._generation == generation:
            event = trigger.get(timeout=0.2)
            if event is None:
                continue
            if self.mode == "video":
                self.app.call_from_thread(self.toggle_recording)
                continue
            try:
                from cagette.capture.stopmotion import StopMotion

                taken = StopMotion(self.project, self.scene_slug, self.hub).handle(event)
            except CagetteError as exc:
                self.app.call_from_thread(self.app.show_error, exc)  # type: ignore[attr-defined]
                continue
            self.app.call_from_thread(self._taken, taken.action)

    def _taken(self, action: str) -> None:
        if not self.is_attached:
            return
        self.frame_index = -1
        self.refresh_strip()
        if action == "remove":
            self.app.notify(_("Last frame removed."))

    # stop-motion frames ------------------------------------------------------------------
    def frames(self) -> list[Path]:
        if not self.scene_slug:
            return []
        return list(self.project.frames(self.scene_slug))

    def refresh_strip(self) -> None:
        frames = self.frames()
        if self.mode != "stopmotion":
            self.query_one("#strip", Static).update("")
            return
        if not frames:
            self.query_one("#strip", Static).update(_("No frame yet in this scene."))
            self._onion_images = []
            return
        chosen = self.frame_index if 0 <= self.frame_index < len(frames) else len(frames) - 1
        cells = []
        first = max(0, min(chosen - 8, len(frames) - 17))
        for n in range(first, min(len(frames), first + 17)):
            cells.append(f"▶{n + 1}◀" if n == chosen else f" {n + 1} ")
        text = _("Frames ({count}), chosen: {n}").format(count=len(frames), n=chosen + 1) + "\n" + "│".join(cells)
        self.query_one("#strip", Static).update(text)
        self._load_onion(frames)

    def _load_onion(self, frames: list[Path]) -> None:
        if not self.onion:
            self._onion_images = []
            return
        from cagette.capture.stopmotion import read_image

        images = []
        for path in frames[-2:]:
            try:
                images.append(read_image(path))
            except CagetteError:
                continue
        self._onion_images = images

    def _chosen_number(self) -> int | None:
        frames = self.frames()
        if not frames:
            return None
        return (self.frame_index if 0 <= self.frame_index < len(frames) else len(frames) - 1) + 1

    def _stopmotion(self) -> Any:
        from cagette.capture.stopmotion import StopMotion

        return StopMotion(self.project, self.scene_slug, self.hub)

    def action_select_frame(self, step: int) -> None:
        number = self._chosen_number()
        if number is None:
            return
        self.frame_index = max(0, min(len(self.frames()) - 1, number - 1 + step))
        self.refresh_strip()

    def action_delete_frame(self) -> None:
        number = self._chosen_number()
        if number is None:
            return
        try:
            self._stopmotion().delete([number])
        except CagetteError as exc:
            self.app.show_error(exc)  # type: ignore[attr-defined]
            return
        self.frame_index = max(0, number - 2) if self.frame_index >= 0 else -1
        self.refresh_strip()
        self.app.notify(_("Frame {n} deleted.").format(n=number))

    def action_retake(self) -> None:
        number = self._chosen_number()
        if number is None:
            return
        try:
            self._stopmotion().retake(number)
        except CagetteError as exc:
            self.app.show_error(exc)  # type: ignore[attr-defined]
            return
        self.refresh_strip()
        self.app.notify(_("Frame {n} retaken.").format(n=number))

    def action_move_frame(self, step: int) -> None:
        number = self._chosen_number()
        count = len(self.frames())
        if number is None or not 1 <= number + step <= count:
            return
        order = list(range(1, count + 1))
        order[number - 1], order[number - 1 + step] = order[number - 1 + step], order[number - 1]
        try:
            self._stopmotion().reorder(order)
        except CagetteError as exc:
            self.app.show_error(exc)  # type: ignore[attr-defined]
            return
        self.frame_index = number - 1 + step
        self.refresh_strip()

    # keys and buttons ------------------------------------------------------------------
    def action_shutter(self) -> None:
        if self.hub is None and self.recorder is None:
            self.app.notify(_("Choose a camera first."), severity="warning")
            return
        from cagette.capture.trigger import Press

        self.app.shutter.push(Press.SHORT, source="key")  # type: ignore[attr-defined]

    def action_toggle_mode(self) -> None:
        if self.recorder is not None:
            self.app.notify(_("Stop the recording first (Space)."), severity="warning")
            return
        self.mode = "video" if self.mode == "stopmotion" else "stopmotion"
        self.query_one("#mode", Static).update(self._mode_text())
        self.refresh_strip()

    def action_toggle_onion(self) -> None:
        self.onion = not self.onion
        self.query_one("#mode", Static).update(self._mode_text())
        self.refresh_strip()

    def action_back(self) -> None:
        if self.recorder is not None:
            self.recorder.stop()
            return
        self.stop_camera()
        self.app.pop_screen()

    def action_phone(self) -> None:
        from cagette_tui.screens.phone import PhoneDialog

        self.app.push_screen(PhoneDialog(self.project), lambda _result: self.refresh_strip())

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "scene" and isinstance(event.value, str):
            self.scene_slug = event.value
            self.frame_index = -1
            self.refresh_strip()

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        if event.list_view.id == "sources" and event.item.name:
            self.start_camera(event.item.name)
            self.query_one("#preview").focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "url" and event.value.strip():
            self.start_camera(event.value.strip())
            self.query_one("#preview").focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "phone":
            self.action_phone()

    # video recording ---------------------------------------------------------------------
    def toggle_recording(self) -> None:
        if self.recorder is not None:
            self.recorder.stop()
            return
        if not self.location or not self.scene_slug:
            self.app.notify(_("Choose a camera and a scene first."), severity="warning")
            return
        from cagette.capture.recorder import Recorder

        location = self.location
        source = self._reopen(location)
        if source is None:
            return
        work_dir = Path(tempfile.mkdtemp(prefix="recording-", dir=self.project.root / ".cagette"))
        self.recorder = Recorder(source, work_dir / "segments")
        self.location = location
        recorder, scene = self.recorder, self.scene_slug
        self.query_one("#mode", Static).update(self._mode_text())

        def record(progress: Any) -> Any:
            try:
                result = recorder.run(work_dir / "take.mkv", progress=progress, on_hub=self._on_record_hub)
                if not result.path.exists() or result.frames == 0:
                    raise CagetteError(_("The recording is empty: the camera sent no picture."),
                                       _("Check the camera, then try again."))
                return self.project.add_shot(scene, result.path)
            finally:
                shutil.rmtree(work_dir, ignore_errors=True)

        self.query_one("#job", JobPanel).start(record, None, _("Recording… Space stops."))

    def _on_record_hub(self, hub: Any) -> None:
        self.app.call_from_thread(self._attach_preview, hub)

    def on_job_panel_finished(self, event: JobPanel.Finished) -> None:
        if self.recorder is None:
            return
        self.recorder = None
        self.stop_camera()
        self.query_one("#mode", Static).update(self._mode_text())
        if event.outcome == "done":
            self.app.notify(_("The clip is added to the scene."))
        if self.location and self.is_attached:
            self.start_camera(self.location)
