"""Capture: choose a camera, watch it live, record clips or take stop-motion frames.

The camera runs in :mod:`cagette.capture` threads (a frame hub and a preview that shrinks frames at
up to 20 per second); a worker of this screen turns the newest small image into half-block
characters and only swaps the picture on the UI thread, so typing never waits for the camera. The
shutter (Space, or the studio's button through the app's shared trigger) takes a frame in
stop-motion mode and starts or stops the recording in video mode.

Like a stop-motion tool: the onion skin's opacity and number of frames are chosen (and
remembered), the strip shows pictures of the frames, P plays the last frames at the scene's rate,
L switches between the live view and the chosen frame, and every frame edit is undoable. The
cameras used are remembered for the project and for this computer (the last one opens first). A
recording shows a badge with its time and the frames the camera dropped; the light levels of the
studio's controller are always on screen when it is connected.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, ListView, Select, Static

from cagette.errors import CagetteError
from cagette.i18n import N_, _, ngettext
from cagette.progress import format_duration
from cagette_tui import memory
from cagette_tui.appref import app_of, from_worker
from cagette_tui.screens.base import CagetteScreen
from cagette_tui.screens.capture_frames import FramesMixin
from cagette_tui.widgets.job import JobPanel
from cagette_tui.widgets.keys import KeysBar
from cagette_tui.widgets.marks import Item
from cagette_tui.widgets.picture import Picture, renderable_from_bgr
from cagette_tui.widgets.slider import Slider
from cagette_tui.widgets.strip import FrameStrip
from cagette_tui.widgets.titlebar import TitleBar

if TYPE_CHECKING:
    from cagette.video.project import Project

KEYS = [
    ("Space", N_("shutter")), ("M", N_("video / stop-motion")), ("O", N_("onion skin")), ("L", N_("live / last frame")),
    ("P", N_("play the last frames")), ("←/→", N_("choose a frame")), ("Del", N_("delete the frame")),
    ("T", N_("retake the frame")), ("Ctrl+←/→", N_("move the frame")), ("Ctrl+Z", N_("undo")),
    ("U", N_("phone upload page")), ("Tab", N_("next control")), ("Esc", N_("back")),
]

PREVIEW_FPS = 20.0  # the preview thread's pace; the drawing loop polls twice as often
PREVIEW_WIDTH_PX = 192  # the preview thread's small image; fitted to the cells when drawn
ANOTHER = "+another"  # the item of the camera list that leads to the address field


class CaptureScreen(FramesMixin, CagetteScreen):
    AUTO_FOCUS = "#preview"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", show=False),
        Binding("space", "shutter", show=False),
        Binding("m", "toggle_mode", show=False),
        Binding("o", "toggle_onion", show=False),
        Binding("l", "live_or_last", show=False),
        Binding("p", "play", show=False),
        Binding("left", "select_frame(-1)", show=False),
        Binding("right", "select_frame(1)", show=False),
        Binding("delete,x", "delete_frame", show=False),
        Binding("t", "retake", show=False),
        Binding("ctrl+left", "move_frame(-1)", show=False),
        Binding("ctrl+right", "move_frame(1)", show=False),
        Binding("u", "phone", show=False),
        Binding("ctrl+z", "undo", show=False, priority=True),
        Binding("ctrl+y", "redo", show=False, priority=True),
    ]

    DEFAULT_CSS = """
    CaptureScreen #capture { height: 1fr; }
    CaptureScreen #capture-side { width: 34; padding: 0 1 0 0; }
    CaptureScreen.-narrow #capture-side { width: 26; }
    CaptureScreen #capture-main { width: 1fr; }
    CaptureScreen #sources { height: auto; max-height: 7; }
    CaptureScreen.-short #sources { max-height: 5; }
    CaptureScreen.-short .side-label { padding: 0; }
    CaptureScreen #preview { height: 1fr; min-height: 5; }
    CaptureScreen #mode, CaptureScreen #badge, CaptureScreen #lights { height: auto; }
    CaptureScreen #badge, CaptureScreen #mode { text-style: bold; }
    CaptureScreen #mode { color: $accent; }
    CaptureScreen #capture-side Button { width: 100%; }
    CaptureScreen .side-label { padding: 1 0 0 0; color: $text-muted; }
    CaptureScreen .light { display: none; }
    CaptureScreen.-lights .light { display: block; }
    """

    def __init__(self, project: Project, source: str | None = None, devices: list[Any] | None = None,
                 controller: bool = True, scene: str | None = None) -> None:
        super().__init__()
        self.devices = devices  # None: list this computer's cameras
        self.use_controller = controller
        self.project = project
        state = memory.load()
        slugs = [s.slug for s in project.data.scenes]
        wanted = scene or state.project(project.root).scene
        self.scene_slug = wanted if wanted in slugs else (slugs[0] if slugs else "")
        self.remembered = state.cameras_for(project.root)
        self.location = source if source is not None else (self.remembered[0] if self.remembered else "")
        self.mode = "stopmotion"
        self.onion_opacity = state.capture.onion_opacity
        self.onion_frames = state.capture.onion_frames
        self._onion_kept = self.onion_frames or 2  # what O brings back
        self.playback_frames = state.capture.playback_frames
        self.view = "live"
        self.frame_index = -1  # chosen frame in the strip, -1: the last one
        self.hub: Any = None
        self.preview: Any = None
        self.recorder: Any = None
        self.recording_since = 0.0
        self.frames_shown = 0  # pictures drawn since the camera started (for tests)
        self._generation = 0  # the workers of an older camera stop when it changes
        self._onion_images: list[Any] = []
        self._thumbs: dict[tuple[str, int], Any] = {}
        self._playback_stop: threading.Event | None = None
        self._lock = threading.Lock()
        self._cells = (64, 18)
        self.controller: Any = None
        self.levels: dict[str, float] = {}
        self.levels_read = False  # the sliders show the board's levels

    # layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Horizontal(id="capture"):
            with VerticalScroll(id="capture-side", can_focus=False):
                yield Label(_("Scene"), classes="side-label")
                options = [(f"{n}. {s.title or s.slug}", s.slug) for n, s in enumerate(self.project.data.scenes, 1)]
                yield Select(options, value=self.scene_slug or Select.BLANK, allow_blank=not options, id="scene")
                yield Label(_("Camera (last used first)"), classes="side-label")
                yield ListView(*self._source_items(), id="sources")
                yield Input(self.location if "://" in self.location else "", id="url",
                            placeholder="http://192.168.1.20:8080/video")
                yield Label(_("Onion skin"), classes="side-label")
                yield Slider(_("opacity"), self.onion_opacity, step=5, id="onion-opacity")
                yield Slider(_("frames"), self.onion_frames, step=1, maximum=5, unit="", id="onion-frames")
                yield Label(_("Lights of the studio"), classes="side-label light")
                yield Slider(_("key light"), id="light-key", classes="light")
                yield Slider(_("fill light"), id="light-fill", classes="light")
                yield Button(_("Phone upload page (U)"), id="phone")
            with Vertical(id="capture-main"):
                yield Static(self._mode_text(), id="mode")
                yield Picture(_("No camera yet: choose one on the left, or type a phone's URL and press Enter."),
                              id="preview", focusable=True)
                yield FrameStrip(id="strip")
                yield Static("", id="badge")
                yield Static(_("Lights: no studio controller connected."), id="lights")
                yield JobPanel(id="job")
        yield KeysBar(KEYS, only=("Space", "M", "O", "P", "Del", "Ctrl+Z", "Esc"))

    def _source_items(self) -> list[Item]:
        items = [Item(source, name=source) for source in self.remembered]
        try:
            from cagette.capture.sources import list_devices

            for dev in list_devices() if self.devices is None else self.devices:
                if dev.path not in self.remembered:
                    label = dev.name or _("camera")
                    items.append(Item(f"{dev.path} — {label}", name=dev.path))
        except CagetteError as exc:
            app_of(self).show_error(exc)
        items.append(Item(_("Another camera: type its address below"), name=ANOTHER))
        return items

    def refill(self) -> None:
        self.refresh_strip()
        self.refresh_status()
        self._show_lights()

    def on_mount(self) -> None:
        self.refill()
        if self.location:
            self.start_camera(self.location)
        else:
            self.query_one("#sources", ListView).focus()
        if self.use_controller:
            self._start_controller()
            self.set_interval(1.0, self._check_lights)
        self.set_interval(0.5, self.refresh_status)

    def on_resize(self) -> None:
        self._measure()

    def _measure(self) -> None:
        for preview in self.query("#preview"):
            size = preview.content_size
            if size.width > 4 and size.height > 2:
                self._cells = (size.width, size.height)

    def preview_cells(self) -> tuple[int, int]:
        return self._cells

    def on_unmount(self) -> None:
        self.stop_playback()
        self.stop_camera()
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    # what is going on, in words ---------------------------------------------------------
    def _mode_text(self) -> str:
        scene = next((s for s in self.project.data.scenes if s.slug == self.scene_slug), None)
        where = _("scene {n}: {title}").format(n=self.project.data.scene_index(scene.slug) + 1,
                                               title=scene.title or scene.slug) if scene else _("no scene")
        if self.mode == "video":
            return _("Video · {where} (Space: record / stop)").format(where=where)
        return _("Stop-motion · {where} (Space: take a frame)").format(where=where)

    def refresh_status(self) -> None:
        if not self.is_attached or not self.query("#badge"):
            return
        self.query_one("#mode", Static).update(self._mode_text())
        self.query_one("#badge", Static).update(self.badge_text())

    def badge_text(self) -> str:
        if self.recorder is not None:
            elapsed = time.monotonic() - self.recording_since
            stats = getattr(self.recorder.source, "stats", None)
            dropped = int(getattr(stats, "dropped", 0) or 0)
            return _("● REC {time} · {frames} · {dropped}").format(
                time=format_duration(elapsed),
                frames=ngettext("{n} frame", "{n} frames", self.recorder.frames).format(n=self.recorder.frames),
                dropped=ngettext("{n} dropped", "{n} dropped", dropped).format(n=dropped))
        if self.mode == "video":
            return _("○ Ready to record") if self.hub is not None else _("○ No camera")
        view = {"live": _("live view"), "last": _("showing the chosen frame (L: live)"),
                "playback": _("playing the last frames (P: stop)")}[self.view]
        return f"{self.frames_summary()} · {view}"

    # the studio's controller: lights and the shutter button -----------------------------
    def _start_controller(self) -> None:
        """Look for the studio's board in the background; its button feeds the app's shutter."""
        try:
            from cagette.device.controller import Controller
            from cagette.device.finder import configured_port, port_lister

            # the CLI's order: CAGETTE_DEVICE_PORT, then [device] port in the settings, then USB ids
            self.controller = Controller(port_lister(configured_port()), trigger=app_of(self).shutter).start()
        except (CagetteError, ImportError) as exc:
            self.controller = None
            self.query_one("#lights", Static).update(
                _("Lights: the controller cannot be used ({error}).").format(error=getattr(exc, "message", exc)))

    def _check_lights(self) -> None:
        connected = self.controller is not None and self.controller.connected
        if connected == self.has_class("-lights"):
            return
        self.set_class(connected, "-lights")
        if connected:
            self._read_levels()
        else:
            self.levels_read = False
        self._show_lights()

    def _show_lights(self) -> None:
        for line in self.query("#lights").results(Static):
            if not self.has_class("-lights"):
                line.update(_("Lights: no studio controller connected."))
            elif not self.levels_read:
                line.update(_("Lights: reading the levels…"))
            else:
                # the words `cagette device lights` prints
                line.update(_("Lights: key {key} %, fill {fill} %.").format(
                    key=f"{self.levels.get('key', 0):.0f}", fill=f"{self.levels.get('fill', 0):.0f}"))

    @work(thread=True, group="lights")
    def _read_levels(self) -> None:
        try:
            levels = self.controller.levels()
        except CagetteError as exc:
            self.app.call_from_thread(app_of(self).show_error, exc)
            return
        from_worker(self, self._got_levels, levels)

    def _got_levels(self, levels: dict[str, Any]) -> None:
        got = levels.get("levels")
        nested: dict[str, Any] = got if isinstance(got, dict) else {}
        for channel in ("key", "fill"):
            value = levels.get(channel, nested.get(channel))
            if isinstance(value, (int, float)):
                self.levels[channel] = float(value)
                slider = self.query_one(f"#light-{channel}", Slider)
                slider.set_reactive(Slider.value, float(value))
                slider.refresh()
        self.levels_read = True
        self._show_lights()

    def on_slider_changed(self, event: Slider.Changed) -> None:
        if self.relabeling:
            return
        name = event.slider.id or ""
        if name in ("light-key", "light-fill"):
            channel = name.removeprefix("light-")
            self.levels[channel] = event.value
            self._show_lights()
            self._set_light(channel, event.value)
        elif name == "onion-opacity":
            self.onion_opacity = int(event.value)
            self._keep_prefs()
        elif name == "onion-frames":
            self.onion_frames = int(event.value)
            if self.onion_frames:
                self._onion_kept = self.onion_frames
            self._keep_prefs()
            self.refresh_strip()

    def _keep_prefs(self) -> None:
        opacity, frames = self.onion_opacity, self.onion_frames
        memory.remember(lambda s: s.with_capture(onion_opacity=opacity, onion_frames=frames))
        self.refresh_status()

    @work(thread=True, exclusive=True, group="set-lights")
    def _set_light(self, channel: str, value: float) -> None:
        if self.controller is None:
            return
        try:
            self.controller.set_lights(**{channel: value, "ramp_ms": 150})
        except CagetteError as exc:
            self.app.call_from_thread(app_of(self).show_error, exc)

    # camera -------------------------------------------------------------------------
    def _reopen(self, location: str) -> Any:
        """Stop the live view and open *location* afresh (None, with a notification, if it fails)."""
        from cagette.capture.sources import open_source

        self.stop_camera()
        try:
            return open_source(location)
        except CagetteError as exc:
            app_of(self).show_error(exc)
            return None

    def start_camera(self, location: str) -> None:
        from cagette.capture.recorder import FrameHub

        source = self._reopen(location)
        if source is None:
            return
        self.location = location
        root = self.project.root
        memory.remember(lambda s: s.with_camera(root, location))
        self.hub = FrameHub(source).start()
        self._attach_preview(self.hub)

    def _attach_preview(self, hub: Any) -> None:
        from cagette.capture.preview import Preview

        with self._lock:
            if self.preview is not None:
                self.preview.stop()
            self.preview = Preview(hub, width=PREVIEW_WIDTH_PX, fps=PREVIEW_FPS, transform=self.transform).start()
            self.frames_shown = 0
        self._generation += 1
        self._measure()
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
            if preview is not None and self.view == "live":
                index, img = preview.image()
                if img is not None and index != last:
                    last = index
                    picture = renderable_from_bgr(img, *self._cells)
                    from_worker(self, self._show_picture, picture)
            if hub is not None and hub.finished.is_set() and hub.error is not None and not reported:
                reported = True
                error = hub.error
                if not isinstance(error, CagetteError):
                    error = CagetteError(str(error), _("Check the camera, then choose it again."))
                self.app.call_from_thread(app_of(self).show_error, error)
            time.sleep(max(0.0, period - (time.monotonic() - tick)))

    def _show_picture(self, picture: Any) -> None:
        if not self.is_attached or self.app.screen is not self or self.view != "live":
            return  # the screen was left (or shows a frame) while this picture was on its way
        self.query_one("#preview", Picture).update(picture)
        self.frames_shown += 1

    @work(thread=True, group="shutter")
    def _shutter_loop(self, generation: int) -> None:
        """Shutter events (keys and the studio's button) in order, one at a time."""
        trigger = app_of(self).shutter
        while self._generation == generation:
            event = trigger.get(timeout=0.2)
            if event is None:
                continue
            if self.mode == "video":
                from_worker(self, self.toggle_recording)
                continue
            try:
                taken = self._stopmotion().handle(event)
            except CagetteError as exc:
                self.app.call_from_thread(app_of(self).show_error, exc)
                continue
            from_worker(self, self._taken, taken.action)

    def _taken(self, action: str) -> None:
        if not self.is_attached:
            return
        self.frame_index = -1
        if self.view != "live":
            self.stop_playback()
            self.view = "live"
        self.refresh_strip()
        if action == "remove":
            self.app.notify(_("Last frame removed: Ctrl+Z brings it back."))

    # keys and controls ------------------------------------------------------------------
    def action_shutter(self) -> None:
        if self.hub is None and self.recorder is None:
            self.app.notify(_("Choose a camera first."), severity="warning")
            return
        from cagette.capture.trigger import Press

        app_of(self).shutter.push(Press.SHORT, source="key")

    def action_toggle_mode(self) -> None:
        if self.recorder is not None:
            self.app.notify(_("Stop the recording first (Space)."), severity="warning")
            return
        self.stop_playback()
        self.view = "live"
        self.mode = "video" if self.mode == "stopmotion" else "stopmotion"
        self.refresh_strip()

    def action_toggle_onion(self) -> None:
        slider = self.query_one("#onion-frames", Slider)
        slider.action_set(0 if self.onion_frames else self._onion_kept)

    def action_back(self) -> None:
        if self.recorder is not None:
            self.recorder.stop()
            return
        self.stop_playback()
        self.stop_camera()
        self.app.pop_screen()

    def action_phone(self) -> None:
        from cagette_tui.screens.phone import PhoneDialog

        self.app.push_screen(PhoneDialog(self.project), lambda _result: self.refresh_strip())

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "scene" and isinstance(event.value, str) and not self.relabeling:
            self.scene_slug = event.value
            self.frame_index = -1
            self.stop_playback()
            self.view = "live"
            root, slug = self.project.root, event.value
            memory.remember(lambda s: s.with_scene(root, slug))
            self.refresh_strip()

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        if event.list_view.id != "sources" or not event.item.name:
            return
        if event.item.name == ANOTHER:
            self.query_one("#url", Input).focus()
            return
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
        work_dir = Path(tempfile.mkdtemp(prefix="recording-", dir=self.project.meta_dir))
        self.recorder = Recorder(source, work_dir / "segments")
        self.recording_since = time.monotonic()
        self.location = location
        recorder, scene = self.recorder, self.scene_slug
        self.refresh_status()

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
        from_worker(self, self._attach_preview, hub)

    def on_job_panel_finished(self, event: JobPanel.Finished) -> None:
        if self.recorder is None:
            return
        self.recorder = None
        self.stop_camera()
        self.refresh_status()
        if event.outcome == "done":
            self.app.notify(_("The clip is added to the scene: Ctrl+Z takes it out."))
        if self.location and self.is_attached:
            self.start_camera(self.location)
