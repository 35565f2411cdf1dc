"""The guided first video: seven steps from a template to a published video.

template → scripts (estimated duration live) → shoot → voice-over →
captions check → render → publish. Each step says what to do next and can
be skipped (Ctrl+N next, Ctrl+B back); the project is created at the end of
the first step and every change is written to it at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, Header, Input, Label, ListItem, ListView, Static, TextArea

from cagette.errors import CagetteError
from cagette.i18n import N_, _
from cagette.progress import format_duration
from cagette_tui.adapters import caption_lines, script_seconds, template_folders
from cagette_tui.screens.dialogs import PathDialog
from cagette_tui.widgets.job import JobPanel
from cagette_tui.widgets.keys import KeysBar

STEPS = [
    ("template", N_("Template"), N_("Choose a storyboard template and name your video, then press Create.")),
    ("scripts", N_("Scripts"), N_("Write what the voice says in each scene; the estimated duration updates as you type.")),
    ("shoot", N_("Shoot"), N_("Lay the paper elements of each scene on the stage, then shoot it (C opens the camera).")),
    ("voice", N_("Voice-over"), N_("Import the recorded voice of each scene (Enter on a scene), or skip to keep "
                                   "the video silent.")),
    ("captions", N_("Captions"), N_("Check the captions made from the scripts; edit a script to change them.")),
    ("render", N_("Render"), N_("Assemble the video: R opens the render screen (a draft is quick).")),
    ("publish", N_("Publish"), N_("Share the video in the library, from the render screen once it is made.")),
]

KEYS = [("Ctrl+N", N_("next step")), ("Ctrl+B", N_("previous step")), ("Ctrl+S", N_("skip this step")),
        ("C", N_("shoot")), ("M", N_("record the voice")), ("R", N_("render")), ("Esc", N_("back home"))]


class GuidedScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "next", show=False, priority=True),
        Binding("ctrl+s", "next", show=False, priority=True),
        Binding("ctrl+b", "back", show=False, priority=True),
        Binding("escape", "leave", show=False),
        Binding("c", "capture", show=False),
        Binding("r", "render", show=False),
        Binding("m", "record_voice", show=False),
    ]

    DEFAULT_CSS = """
    GuidedScreen #step-body { height: 1fr; padding: 0 2; }
    GuidedScreen #nav { height: auto; padding: 0 2; }
    GuidedScreen #nav Button { margin-right: 2; }
    GuidedScreen #script { height: 10; }
    GuidedScreen .step-list { height: auto; max-height: 14; }
    GuidedScreen .next { color: $accent; text-style: bold; padding: 1 0; }
    """

    def __init__(self, folders: list[Path] | None = None, projects_dir: Path | None = None) -> None:
        super().__init__()
        self.step = 0
        self.folders = folders
        self.projects_dir = projects_dir
        self.project: Any = None
        self.templates: list[Any] = []
        self.scene_slug = ""
        self._save_timer: Timer | None = None
        self._away = False
        self._voice_stop: Any = None

    # layout -------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        key, label, todo = STEPS[self.step]
        yield Header()
        yield Static(_("Step {n} of {total}: {label}").format(n=self.step + 1, total=len(STEPS), label=_(label)),
                     classes="title", id="step-title")
        yield Static(self._trail(), classes="lead", id="trail")
        with VerticalScroll(id="step-body"):
            yield Static(_("What to do: {todo}").format(todo=_(todo)), classes="next", id="todo")
            yield from getattr(self, f"_compose_{key}")()
        with Horizontal(id="nav"):
            yield Button(_("Back"), id="back", disabled=self.step == 0)
            yield Button(_("Skip"), id="skip", disabled=self.project is None or self.step == len(STEPS) - 1)
            yield Button(_("Next"), id="next", variant="primary",
                         disabled=self.project is None or self.step == len(STEPS) - 1)
        yield KeysBar(KEYS)

    def _trail(self) -> str:
        parts = []
        for n, (_key, label, _todo) in enumerate(STEPS):
            mark = "●" if n == self.step else ("✓" if n < self.step else "○")
            parts.append(f"{mark} {_(label)}")
        return "  ".join(parts)

    def _compose_template(self) -> ComposeResult:
        if self.project is not None:
            yield Static(_("The project {title} is created in {folder}.").format(
                title=self.project.data.title, folder=self.project.root.name))
            return
        from cagette.video.project import find_templates

        self.templates = find_templates(self.folders if self.folders is not None else template_folders(),
                                        self.app.lang)  # type: ignore[attr-defined]
        items = [ListItem(Label(_("Blank project — start from one empty scene")), name="")]
        for t in self.templates:
            minutes = format_duration(t.target_duration_s) if t.target_duration_s else "—"
            items.append(ListItem(Label(f"{t.title} — {t.description} ({minutes})"), name=t.slug))
        yield Label(_("Templates"))
        yield ListView(*items, id="templates", classes="step-list")
        yield Label(_("Title of the video"))
        yield Input(id="title", placeholder=_("for example: Renewing an identity card"))
        yield Static("", id="title-error", classes="problem")
        yield Button(_("Create"), id="create", variant="primary")

    def _scene_items(self, detail: Any) -> list[ListItem]:
        items = []
        for n, scene in enumerate(self.project.data.scenes, start=1):
            items.append(ListItem(Label(f"{n}. {scene.title or _('(untitled)')} — {detail(scene)}"), name=scene.slug))
        return items

    def _compose_scripts(self) -> ComposeResult:
        data = self.project.data
        if not data.scenes:
            yield Static(_("This project has no scene: add some in the storyboard."))
            return
        if self.scene_slug not in {s.slug for s in data.scenes}:
            self.scene_slug = data.scenes[0].slug
        yield Static(self._total_line(), id="total")
        yield ListView(*self._scene_items(lambda s: format_duration(script_seconds(s.script))),
                       id="scenes", classes="step-list")
        scene = data.scene(self.scene_slug)
        yield Label(_("Script of {title}").format(title=scene.title or scene.slug), id="script-label")
        yield TextArea(scene.script, id="script", soft_wrap=True)
        yield Static(self._estimate(scene.script), id="estimate")

    def _total_line(self) -> str:
        data = self.project.data
        total = sum(script_seconds(s.script) for s in data.scenes)
        return _("The whole video: about {duration} of speech.").format(duration=format_duration(total))

    def _estimate(self, text: str) -> str:
        return _("Spoken in about {duration} ({words} words).").format(
            duration=format_duration(script_seconds(text)), words=len(text.split()))

    def _compose_shoot(self) -> ComposeResult:
        def shots(scene: Any) -> str:
            frames = len(self.project.frames(scene.slug)) if any(s.kind == "frames" for s in scene.shots) else 0
            text = _("{n} shots").format(n=len(scene.shots))
            if frames:
                text += ", " + _("{n} frames").format(n=frames)
            return text + (" ✓" if scene.shots else " — " + _("not shot yet"))

        yield ListView(*self._scene_items(shots), id="scenes", classes="step-list")
        yield Button(_("Open the camera (C)"), id="open-capture")

    def _compose_voice(self) -> ComposeResult:
        def voice(scene: Any) -> str:
            return _("voice: {file}").format(file=Path(scene.voice).name) + " ✓" if scene.voice else _("no voice yet")

        yield ListView(*self._scene_items(voice), id="voices", classes="step-list")
        yield Button(_("Record the voice of the chosen scene (M: start, M again: stop)"), id="record-voice")
        yield Static("", id="voice-level")
        yield JobPanel(id="voice-job")

    def _compose_captions(self) -> ComposeResult:
        lines = []
        for n, scene in enumerate(self.project.data.scenes, start=1):
            lines.append(f"[b]{n}. {scene.title or scene.slug}[/b]")
            for start, end, text in caption_lines(self.project, scene):
                lines.append(f"  {format_duration(start)}–{format_duration(end)}  {text}")
        yield Static("\n".join(lines) or _("No caption: the scripts are empty."), id="captions", markup=True)
        yield Button(_("Edit the scripts in the storyboard"), id="open-storyboard")

    def _compose_render(self) -> ComposeResult:
        yield Button(_("Open the render screen (R)"), id="open-render", variant="primary")

    def _compose_publish(self) -> ComposeResult:
        yield Static(_("When the render is done, press P on the render screen to publish the video to the library."))
        yield Button(_("Open the render screen (R)"), id="open-render")
        yield Button(_("Finish: open the storyboard"), id="open-storyboard")

    # navigation ---------------------------------------------------------------------------
    def go(self, step: int) -> None:
        self.save_now()
        if self.project is None and step > 0:
            self.app.notify(_("Create the project first (Create)."), severity="warning")
            return
        self.step = max(0, min(len(STEPS) - 1, step))
        if self.project is not None:
            try:
                self.project.reload()
            except CagetteError as exc:
                self.app.show_error(exc)  # type: ignore[attr-defined]
        self.refresh(recompose=True)

    def action_next(self) -> None:
        self.go(self.step + 1)

    def action_back(self) -> None:
        self.go(self.step - 1)

    def action_leave(self) -> None:
        self.save_now()
        self.app.pop_screen()

    def action_capture(self) -> None:
        if self.project is not None:
            self.save_now()
            self.app.open_project(self.project.root, "capture")  # type: ignore[attr-defined]

    def action_render(self) -> None:
        if self.project is not None:
            self.save_now()
            self.app.open_project(self.project.root, "render")  # type: ignore[attr-defined]

    def on_screen_suspend(self) -> None:
        self._away = True

    def on_screen_resume(self) -> None:
        # Back from the camera, the render or a dialog: show what changed (not on the first showing).
        if self._away and self.project is not None:
            self._away = False
            self.go(self.step)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        actions = {"back": self.action_back, "skip": self.action_next, "next": self.action_next,
                   "create": self.create, "open-capture": self.action_capture, "open-render": self.action_render,
                   "open-storyboard": self._storyboard, "record-voice": self.action_record_voice}
        action = actions.get(event.button.id or "")
        if action is not None:
            action()

    def _storyboard(self) -> None:
        if self.project is not None:
            self.save_now()
            self.app.open_project(self.project.root)  # type: ignore[attr-defined]

    # step 1: create --------------------------------------------------------------------
    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "title":
            self.create()

    def create(self) -> None:
        from cagette import locations
        from cagette.video.project import Project, slugify, unique_slug

        title = self.query_one("#title", Input).value.strip()
        view = self.query_one("#templates", ListView)
        chosen = view.highlighted_child.name if view.highlighted_child is not None else ""
        template = next((t for t in self.templates if t.slug == chosen), None)
        if not title:
            title = template.title if template is not None else ""
        if not title:
            self.query_one("#title-error", Static).update(_("Give the video a title (it names its folder)."))
            self.query_one("#title", Input).focus()
            return
        base = self.projects_dir or locations.projects_dir()
        taken = [p.name for p in base.iterdir()] if base.is_dir() else []
        root = base / unique_slug(slugify(title, "video"), taken)
        try:
            base.mkdir(parents=True, exist_ok=True)
            self.project = Project.create(root, title, template=template.path if template else None,
                                          language=self.app.lang)  # type: ignore[attr-defined]
            if not self.project.data.scenes:
                self.project.add_scene(_("Scene 1"))
        except CagetteError as exc:
            self.app.show_error(exc)  # type: ignore[attr-defined]
            return
        from cagette_tui.recent import remember

        remember(self.project.root, self.project.data.title)
        self.app.notify(_("Project created: {folder}").format(folder=root))
        self.go(1)

    # step 2: scripts, saved as you type ---------------------------------------------------
    def on_list_view_highlighted(self, event: ListView.Highlighted) -> None:
        if event.list_view.id != "scenes" or self.step != 1 or event.item is None or not event.item.name:
            return
        if event.item.name != self.scene_slug:
            self.save_now()
            self.scene_slug = event.item.name
            scene = self.project.data.scene(self.scene_slug)
            self.query_one("#script-label", Label).update(
                _("Script of {title}").format(title=scene.title or scene.slug))
            self.query_one("#script", TextArea).load_text(scene.script)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self.query_one("#estimate", Static).update(self._estimate(event.text_area.text))
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(0.5, self.save_now)

    def save_now(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None
        if self.project is None or self.step != 1 or not self.scene_slug:
            return
        areas = self.query("#script")
        if not areas:
            return
        text = areas.first(TextArea).text
        try:
            scene = self.project.data.scene(self.scene_slug)
            if text != scene.script:
                self.project.update_scene(self.scene_slug, script=text)
        except CagetteError as exc:
            self.app.show_error(exc)  # type: ignore[attr-defined]
            return
        for total in self.query("#total"):
            total.update(self._total_line())  # type: ignore[attr-defined]
        view = self.query("#scenes")
        if view:
            for item in view.first(ListView).children:
                if isinstance(item, ListItem) and item.name == self.scene_slug:
                    s = self.project.data.scene(self.scene_slug)
                    item.query_one(Label).update(
                        f"{self.project.data.scene_index(s.slug) + 1}. {s.title or _('(untitled)')} — "
                        f"{format_duration(script_seconds(s.script))}")

    # step 4: voice-over -----------------------------------------------------------------
    def on_list_view_selected(self, event: ListView.Selected) -> None:
        if event.list_view.id == "voices" and event.item.name:
            slug = event.item.name
            self.app.push_screen(PathDialog(_("Voice-over of this scene"),
                                            _("Path of a sound file (WAV, MP3, M4A…)")),
                                 lambda path: self._set_voice(slug, path))

    def action_record_voice(self) -> None:
        """Record the microphone for the highlighted scene (3-second count-in); M again stops."""
        if self.step != 3 or self.project is None:
            return
        if self._voice_stop is not None:
            self._voice_stop.set()
            return
        view = self.query_one("#voices", ListView)
        item = view.highlighted_child
        if item is None or not item.name:
            self.app.notify(_("Choose a scene first."), severity="warning")
            return
        import tempfile
        import threading

        slug = item.name
        stop = threading.Event()
        self._voice_stop = stop
        work_dir = Path(tempfile.mkdtemp(prefix="voice-", dir=self.project.root / ".cagette"))
        target = work_dir / f"{slug}.wav"

        def record(progress: Any) -> Path:
            from cagette.capture.voice import record_voice

            try:
                record_voice(target, stop=stop, progress=progress,
                             on_count=lambda n: self.app.call_from_thread(self._voice_level, _(
                                 "Speak in {n}…").format(n=n)),
                             on_level=lambda peak, rms: self.app.call_from_thread(self._voice_level, _(
                                 "Level: {bar} {db:.0f} dB").format(bar="█" * max(0, int((peak + 60) / 3)),
                                                                    db=peak)))
                self.project.set_voiceover(slug, target)
            finally:
                import shutil

                shutil.rmtree(work_dir, ignore_errors=True)
            return target

        self.query_one("#voice-job", JobPanel).start(record, lambda _r: self._voice_recorded(),
                                                     _("Recording the voice… M stops."))

    def _voice_level(self, text: str) -> None:
        for level in self.query("#voice-level"):
            level.update(text)  # type: ignore[attr-defined]

    def _voice_recorded(self) -> None:
        self.app.notify(_("Voice-over set."))
        self.go(self.step)

    def on_job_panel_finished(self, event: JobPanel.Finished) -> None:
        self._voice_stop = None

    def _set_voice(self, slug: str, path: Path | None) -> None:
        if path is None:
            return
        try:
            self.project.set_voiceover(slug, path)
        except CagetteError as exc:
            self.app.show_error(exc)  # type: ignore[attr-defined]
            return
        self.app.notify(_("Voice-over set."))
        self.go(self.step)


def make(app: Any) -> GuidedScreen:
    return GuidedScreen()
