"""The guided first video: seven steps from a template to a published video.

template → scripts (estimated duration live) → shoot (camera or a clip imported) → voice-over
(recorded with the script on screen, or a file) → captions check → render (`project check`
first) → publish (a form, then a confirmation). Each step says what to do next and can be
skipped (Ctrl+N next, Ctrl+B back); the project is created at the end of the first step and
every change is written to it at once. The step reached is remembered (:mod:`cagette.flows.guided`):
the home screen offers to go on from there.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, ListView, Static, TextArea

from cagette.errors import CagetteError
from cagette.flows.guided import STEPS
from cagette.i18n import N_, _, ngettext
from cagette.progress import format_duration
from cagette_tui import memory
from cagette_tui.adapters import MEDIA_EXTS, caption_lines, create_project, find_templates, script_seconds
from cagette_tui.appref import app_of, from_worker
from cagette_tui.screens.base import CagetteScreen
from cagette_tui.screens.dialogs import PathDialog
from cagette_tui.widgets.keys import KeysBar
from cagette_tui.widgets.marks import Item
from cagette_tui.widgets.publish_form import PublishForm
from cagette_tui.widgets.render_panel import RenderPanel
from cagette_tui.widgets.titlebar import TitleBar

if TYPE_CHECKING:
    from cagette.video.project import Project

KEYS = [("Ctrl+N", N_("next step")), ("Ctrl+B", N_("previous step")), ("C", N_("shoot")),
        ("I", N_("import a clip or photo")), ("M", N_("record the voice")), ("G", N_("render")),
        ("Ctrl+P", N_("publish…")), ("Tab", N_("next control")), ("Esc", N_("back home"))]

# The control each step starts on.
MAIN = {"template": "#title", "scripts": "#script", "shoot": "#scenes", "voice": "#voices", "captions": "#next",
        "render": "#presets", "publish": "#pub-title"}


class GuidedScreen(CagetteScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "next", show=False, priority=True),
        Binding("ctrl+s", "next", show=False, priority=True),
        Binding("ctrl+b", "back", show=False, priority=True),
        Binding("ctrl+p", "publish", show=False, priority=True),
        Binding("ctrl+z", "undo", show=False, priority=True),
        Binding("ctrl+y", "redo", show=False, priority=True),
        Binding("escape", "leave", show=False),
        Binding("c", "capture", show=False),
        Binding("i", "import_media", show=False),
        Binding("m", "record_voice", show=False),
        Binding("g", "render", show=False),
    ]

    DEFAULT_CSS = """
    GuidedScreen #step-head { height: auto; padding: 0 2; }
    GuidedScreen #step-title { width: 1fr; text-style: bold; color: $accent; }
    GuidedScreen #trail { width: auto; color: $text-muted; }
    GuidedScreen.-tall #step-head { padding: 1 2 0 2; }
    GuidedScreen #step-body { height: 1fr; padding: 0 2; }
    GuidedScreen #nav { height: auto; padding: 0 2; }
    GuidedScreen.-tall #nav { padding: 1 2 0 2; }
    GuidedScreen #nav Button { margin-right: 2; }
    GuidedScreen #script { height: 6; }
    GuidedScreen.-tall #script { height: 10; }
    GuidedScreen .step-list { height: auto; max-height: 6; }
    GuidedScreen.-tall .step-list { max-height: 12; }
    GuidedScreen .next { color: $accent; text-style: bold; }
    GuidedScreen .row { height: auto; }
    GuidedScreen .row Button { margin-right: 2; }
    """

    def __init__(self, folders: list[Path] | None = None, projects_dir: Path | None = None,
                 project: Project | None = None, step: int | str = 0) -> None:
        """*folders* replaces the packaged starter's templates (the library's come first either way)."""
        super().__init__()
        self.step = step if isinstance(step, int) else next((n for n, s in enumerate(STEPS) if s.id == step), 0)
        self.folders = folders
        self.projects_dir = projects_dir
        self.project: Any = project  # None until the template step has made it
        self.templates: list[Any] = []
        self.template_problems: list[Any] = []
        self.scene_slug = ""
        self.published = ""
        self._visit = 0

    @property
    def key(self) -> str:
        return STEPS[self.step].id

    # layout -------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        step = STEPS[self.step]
        yield TitleBar()
        with Horizontal(id="step-head"):
            yield Static(_("Step {n} of {total}: {label}").format(n=self.step + 1, total=len(STEPS),
                                                                 label=_(step.label)), id="step-title")
            yield Static(self._trail(), id="trail")
        with VerticalScroll(id="step-body", can_focus=False):
            yield Static(_("What to do: {todo}").format(todo=_(step.todo)), classes="next", id="todo")
            yield from getattr(self, f"_compose_{step.id}")()
        with Horizontal(id="nav"):
            yield Button(_("Back (Ctrl+B)"), id="back", disabled=self.step == 0)
            last = self.step == len(STEPS) - 1
            yield Button(_("Next (Ctrl+N)"), id="next", variant="primary", disabled=self.project is None or last)
        yield KeysBar(KEYS, only=("Ctrl+N", "Ctrl+B", "Ctrl+Z", "Esc"))

    def _trail(self) -> str:
        """Where the step is among the seven: ✓ done, ● here, ○ to come (numbers, not colours)."""
        return " ".join(("●" if n == self.step else "✓" if n < self.step else "○") + str(n + 1)
                        for n in range(len(STEPS)))

    def _compose_template(self) -> ComposeResult:
        if self.project is not None:
            yield Static(_("The project {title} is created in {folder}.").format(
                title=self.project.data.title, folder=self.project.root.name))
            return
        self._load_templates()
        yield Label(_("Title of the video"))
        yield Input(id="title", placeholder=_("for example: Renewing an identity card"))
        yield Static("", id="title-error", classes="problem")
        yield Button(_("Create (Enter)"), id="create", variant="primary")
        items = [Item(_("Blank project — start from one empty scene"), name="")]
        for t in self.templates:
            minutes = format_duration(t.target_duration_s) if t.target_duration_s else "—"
            items.append(Item(f"{t.title} — {t.description} ({minutes})", name=t.slug))
        yield Label(_("Template (↑/↓ in the list, then Create)"))
        yield ListView(*items, id="templates", classes="step-list")
        if self.template_problems:
            yield Static(_("These templates cannot be used:") + "\n" + "\n".join(
                f"• {p.text()} — {p.hint}" for p in self.template_problems), id="template-problems",
                classes="problem", markup=False)

    def _load_templates(self) -> None:
        """The library's templates, then the starter's; the broken ones are listed, never hidden."""
        if self.templates or self.template_problems:
            return
        try:
            found = find_templates(app_of(self).library_option, app_of(self).lang, self.folders)
        except CagetteError as exc:  # an unreadable library: said, and the blank project still works
            app_of(self).show_error(exc)
            return
        self.templates, self.template_problems = found.templates, found.problems
        if self.template_problems:
            count = len(self.template_problems)
            self.app.notify(ngettext("{n} template cannot be used: {names}", "{n} templates cannot be used: {names}",
                                     count).format(n=count, names=", ".join(p.title for p in self.template_problems)),
                            severity="warning", timeout=15)

    def _scene_items(self, detail: Any) -> list[Item]:
        untitled = _("(untitled)")
        return [Item(f"{n}. {scene.title or untitled} — {detail(scene)}", name=scene.slug)
                for n, scene in enumerate(self.project.data.scenes, start=1)]

    def _chosen_scene(self) -> str:
        slugs = [s.slug for s in self.project.data.scenes]
        if self.scene_slug not in slugs:
            remembered = memory.load().project(self.project.root).scene
            self.scene_slug = remembered if remembered in slugs else (slugs[0] if slugs else "")
        return self.scene_slug

    def _compose_scripts(self) -> ComposeResult:
        data = self.project.data
        if not data.scenes:
            yield Static(_("This project has no scene: add some in the storyboard."))
            return
        scene = data.scene(self._chosen_scene())
        yield Static(self._total_line(), id="total")
        yield ListView(*self._scene_items(lambda s: format_duration(script_seconds(s.script))),
                       id="scenes", classes="step-list", initial_index=data.scene_index(scene.slug))
        yield Label(_("Script of {title}").format(title=scene.title or scene.slug), id="script-label")
        yield TextArea(scene.script, id="script", soft_wrap=True)
        yield Static(self._estimate(scene.script), id="estimate")

    def _total_line(self) -> str:
        total = sum(script_seconds(s.script) for s in self.project.data.scenes)
        return _("The whole video: about {duration} of speech.").format(duration=format_duration(total))

    def _estimate(self, text: str) -> str:
        words = len(text.split())
        return _("Spoken in about {duration} ({words}).").format(
            duration=format_duration(script_seconds(text)),
            words=ngettext("{n} word", "{n} words", words).format(n=words))

    def _compose_shoot(self) -> ComposeResult:
        def shots(scene: Any) -> str:
            count = len(scene.shots)
            text = ngettext("{n} shot", "{n} shots", count).format(n=count)
            if any(s.kind == "frames" for s in scene.shots):
                frames = len(self.project.frames(scene.slug))
                text += ", " + ngettext("{n} frame", "{n} frames", frames).format(n=frames)
            return text + (" ✓" if scene.shots else " — " + _("not shot yet"))

        slugs = [s.slug for s in self.project.data.scenes]
        chosen = self._chosen_scene()
        yield ListView(*self._scene_items(shots), id="scenes", classes="step-list",
                       initial_index=slugs.index(chosen) if chosen in slugs else 0)
        with Horizontal(classes="row"):
            yield Button(_("Open the camera (C)"), id="open-capture")
            yield Button(_("Import a clip or photo (I)"), id="import")

    def _compose_voice(self) -> ComposeResult:
        def voice(scene: Any) -> str:
            return _("voice: {file}").format(file=Path(scene.voice).name) + " ✓" if scene.voice else _("no voice yet")

        slugs = [s.slug for s in self.project.data.scenes]
        chosen = self._chosen_scene()
        yield ListView(*self._scene_items(voice), id="voices", classes="step-list",
                       initial_index=slugs.index(chosen) if chosen in slugs else 0)
        yield Button(_("Record the voice of the chosen scene, its script on screen (M)"), id="record-voice")

    def _compose_captions(self) -> ComposeResult:
        from rich.markup import escape

        lines = []
        for n, scene in enumerate(self.project.data.scenes, start=1):
            lines.append(f"[b]{n}. {escape(scene.title or scene.slug)}[/b]")
            for start, end, text in caption_lines(self.project, scene):
                lines.append(f"  {format_duration(start)}–{format_duration(end)}  {escape(text)}")
        yield Static("\n".join(lines) or _("No caption: the scripts are empty."), id="captions", markup=True)
        yield Button(_("Edit the scripts in the storyboard"), id="open-storyboard")

    def _compose_render(self) -> ComposeResult:
        yield RenderPanel(self.project, id="panel")

    def _compose_publish(self) -> ComposeResult:
        if self.published:
            yield Static(_("✓ Published in the library as {id}. Well done!").format(id=self.published), id="done")
            with Horizontal(classes="row"):
                yield Button(_("Open the storyboard"), id="open-storyboard", variant="primary")
                yield Button(_("Back home"), id="home")
            return
        yield PublishForm(self.project, app_of(self).library_option, id="form")

    # navigation ---------------------------------------------------------------------------
    async def go(self, step: int) -> None:
        if self.project is None and step > 0:
            self.app.notify(_("Create the project first (Create)."), severity="warning")
            return
        self.step = max(0, min(len(STEPS) - 1, step))
        if self.project is not None:
            try:
                self.project.reload()
            except CagetteError as exc:
                app_of(self).show_error(exc)
            root, key = self.project.root, self.key
            if not self.published:
                memory.remember(lambda s: s.with_guided(root, key))
        await self.rebuild()
        self.focus_main()

    def focus_main(self) -> None:
        if not self._focus(MAIN.get(self.key, "#next")):
            # a panel composes its controls after the step is drawn: Next until then, the main control after
            self._focus("#next")
            self.call_after_refresh(self._focus, MAIN.get(self.key, "#next"))

    def _focus(self, selector: str) -> bool:
        for widget in self.query(selector):
            if widget.focusable:
                self.set_focus(widget)  # at once: the keys typed next reach it
                widget.scroll_visible(animate=False)
                return True
        return False

    def on_mount(self) -> None:
        # at once, not after the first paint: keys typed as soon as the screen shows (a fast typist, a paste,
        # a busy machine) reach the main control instead of being lost
        self.focus_main()

    async def action_next(self) -> None:
        await self.go(self.step + 1)

    async def action_back(self) -> None:
        await self.go(self.step - 1)

    def action_leave(self) -> None:
        self.app.pop_screen()

    def action_capture(self) -> None:
        if self.project is not None and self.key == "shoot":
            app_of(self).open_project(self.project.root, "capture", scene=self._highlighted("#scenes"))

    def action_render(self) -> None:
        if self.key == "render":
            self.query_one("#panel", RenderPanel).ask()

    def action_publish(self) -> None:
        for form in self.query("#form").results(PublishForm):
            form.ask()

    def _highlighted(self, list_id: str) -> str | None:
        for view in self.query(list_id).results(ListView):
            item = view.highlighted_child
            if item is not None and item.name:
                return str(item.name)
        return self.scene_slug or None

    async def returned(self) -> None:
        # Back from the camera, a dialog or the storyboard: show what changed (in the language now spoken).
        if self.project is not None:
            await self.go(self.step)
        elif self.stale_language():
            await self.relabel()

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button.id or ""
        if button in ("back", "next"):
            await (self.action_back() if button == "back" else self.action_next())
            return
        actions = {"create": self.create, "open-capture": self.action_capture, "import": self.action_import_media,
                   "open-storyboard": self._storyboard, "record-voice": self.action_record_voice,
                   "home": self.action_leave}
        action = actions.get(button)
        if action is not None:
            action()

    def _storyboard(self) -> None:
        if self.project is not None:
            app_of(self).open_project(self.project.root)

    # step 1: create --------------------------------------------------------------------
    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "title":
            self.create()

    def create(self) -> None:
        from cagette import locations
        from cagette.video.project import slugify, unique_slug

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
            made = create_project(root, template, app_of(self).library_option, title,
                                  app_of(self).lang)
            self.project = made.project
            for notice in made.notices:
                self.app.notify(notice, severity="warning", timeout=15)
            if not self.project.data.scenes:
                self.project.add_scene(_("Scene 1"))
        except CagetteError as exc:
            app_of(self).show_error(exc)
            return
        memory.remember_project(self.project.root, self.project.data.title)
        self.app.notify(_("Project created: {folder}").format(folder=root))
        self.call_later(self.go, 1)

    # step 2: scripts, saved at each keystroke --------------------------------------------------
    def on_list_view_highlighted(self, event: ListView.Highlighted) -> None:
        if self.relabeling or event.list_view.id not in ("scenes", "voices") or event.item is None:
            return
        if not event.item.name or event.item.name == self.scene_slug:
            return
        self.scene_slug = event.item.name
        root, slug = self.project.root, self.scene_slug
        memory.remember(lambda s: s.with_scene(root, slug))
        if self.key == "scripts":
            scene = self.project.data.scene(self.scene_slug)
            self.query_one("#script-label", Label).update(
                _("Script of {title}").format(title=scene.title or scene.slug))
            with self.prevent(TextArea.Changed):
                self.query_one("#script", TextArea).load_text(scene.script)
            self.query_one("#estimate", Static).update(self._estimate(scene.script))

    def on_descendant_focus(self) -> None:
        self._visit += 1

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if event.text_area.id != "script" or self.relabeling or self.project is None or not self.scene_slug:
            return
        text = event.text_area.text
        self.query_one("#estimate", Static).update(self._estimate(text))
        try:
            if text != self.project.data.scene(self.scene_slug).script:
                self.project.update_scene(self.scene_slug, group=f"guided:{self.scene_slug}:{self._visit}", script=text)
        except CagetteError as exc:
            app_of(self).show_error(exc)
            return
        for total in self.query("#total").results(Static):
            total.update(self._total_line())
        for item in self.query("#scenes Item"):
            if isinstance(item, Item) and item.name == self.scene_slug:
                s = self.project.data.scene(self.scene_slug)
                title = s.title or _("(untitled)")
                item.set_text(f"{self.project.data.scene_index(s.slug) + 1}. {title} — "
                              f"{format_duration(script_seconds(s.script))}")

    def save_now(self) -> None:
        """Every keystroke is written as it is typed: nothing waits (kept for the callers that ask)."""

    # step 3: a clip or a photo imported ----------------------------------------------------------
    def action_import_media(self) -> None:
        if self.project is None or self.key != "shoot":
            return
        slug = self._highlighted("#scenes")
        if not slug:
            return
        self.app.push_screen(PathDialog(_("Import a clip or a photo into this scene"),
                                        _("Path of the file (a video or a photo)"), start=self.project.root,
                                        purpose="media", exts=MEDIA_EXTS),
                             lambda path: self._import(slug, path) if path is not None else None)

    @work(thread=True, exclusive=True, group="import")
    def _import(self, slug: str, path: Path) -> None:
        try:
            self.project.add_shot(slug, path)
        except CagetteError as exc:
            self.app.call_from_thread(app_of(self).show_error, exc)
            return
        from_worker(self, self.app.notify, _("Imported {name}.").format(name=path.name))
        from_worker(self, self.call_later, self.go, self.step)

    # step 4: voice-over -----------------------------------------------------------------
    def on_list_view_selected(self, event: ListView.Selected) -> None:
        if event.list_view.id == "voices" and event.item.name:
            self._voice(event.item.name)

    def action_record_voice(self) -> None:
        if self.key != "voice" or self.project is None:
            return
        slug = self._highlighted("#voices")
        if slug:
            self._voice(slug)

    def _voice(self, slug: str) -> None:
        from cagette_tui.screens.voice import VoiceDialog

        self.app.push_screen(VoiceDialog(self.project, slug),
                             lambda done: self.app.notify(_("Voice-over set.")) if done else None)

    # the render and publish steps ------------------------------------------------------------
    def on_render_panel_rendered(self, event: RenderPanel.Rendered) -> None:
        self.app.notify(_("Next: publish it (Ctrl+N)."))

    async def on_publish_form_published(self, event: PublishForm.Published) -> None:
        self.published = str(event.done.resource.id)
        root = self.project.root
        memory.remember(lambda s: s.with_guided(root, ""))  # finished: nothing to resume
        await self.rebuild()
        self.focus_main()

    def action_undo(self) -> None:
        self._history("undo")

    def action_redo(self) -> None:
        self._history("redo")

    def _history(self, which: str) -> None:
        from cagette_tui.screens.base import history

        if self.project is not None and history(self, which):
            self.call_later(self.go, self.step)


def make(app: Any) -> GuidedScreen:
    return GuidedScreen()


def resume(app: Any, root: Path) -> GuidedScreen:
    """The guided flow of the project at *root*, at the step where it was left."""
    from cagette.flows.guided import resume_step
    from cagette.video.project import open_project

    project = open_project(root)
    memory.remember_project(project.root, project.data.title)
    return GuidedScreen(project=project, step=resume_step(project, memory.load()))
