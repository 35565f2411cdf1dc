"""Storyboard: the scenes of a project, their script, shots and captions.

Every edit is saved at once through :mod:`cagette.video.project`, at each keystroke (a kill loses
at most the key being typed); the keystrokes of one visit of a field make one undo step, so
Ctrl+Z undoes what was typed there and Ctrl+Y redoes it. The scene last open is the one that opens
next time (C shoots it, V records its voice-over with its script on screen). Scenes move with
Ctrl+↑/↓ (or Shift+↑/↓) or by dragging them in the list; the chosen shot of a
scene moves with Alt+↑/↓ (or Ctrl+↑/↓ while the shots list has focus) or by
dragging it in the shots list.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import DescendantFocus, MouseDown, MouseUp
from textual.widgets import Button, DataTable, Input, Label, ListItem, ListView, Static, TextArea

from cagette.errors import CagetteError
from cagette.i18n import N_, _, ngettext
from cagette.progress import format_duration
from cagette_tui import memory
from cagette_tui.adapters import MEDIA_EXTS, Problem, project_problems, script_seconds
from cagette_tui.appref import app_of, from_worker
from cagette_tui.screens.base import CagetteScreen
from cagette_tui.screens.dialogs import PathDialog, TextDialog
from cagette_tui.screens.storyboard_panels import StoryboardPanels
from cagette_tui.widgets import shot_inspector
from cagette_tui.widgets.fields import show_problem
from cagette_tui.widgets.keys import KeysBar
from cagette_tui.widgets.marks import MARK, NO_MARK, Item
from cagette_tui.widgets.scene_panel import LOWER_THIRD, ScenePanel
from cagette_tui.widgets.titlebar import TitleBar

if TYPE_CHECKING:
    from cagette.video.model import Shot
    from cagette.video.project import Project

KEYS = [
    ("A", N_("add a scene")), ("X", N_("remove the scene")), ("Ctrl+↑/↓", N_("move the scene")),
    ("Alt+↑/↓", N_("move the chosen shot")),
    ("I", N_("import a clip or photo")), ("T", N_("add a title card")), ("V", N_("voice-over")),
    ("P", N_("preview a frame")), ("O", N_("project: music, cards, details")),
    ("C", N_("shoot")), ("R", N_("render")), ("Tab", N_("next field")), ("Ctrl+Z", N_("undo")),
    ("Ctrl+Y", N_("redo")), ("Esc", N_("back")),
]

FIELDS = {"scene-title": "title", "scene-notes": "notes", "scene-script": "script", LOWER_THIRD.id: "lower_third"}


def scene_seconds(scene: Any, export: Any) -> float:
    """What the scene lasts: the longer of its voice (estimated from the script) and its known shots."""
    shots = 0.0
    for shot in scene.shots:
        if shot.kind in ("still", "title"):
            shots += shot.duration_s or export.still_s
        elif shot.kind == "clip" and shot.out_s is not None:
            shots += max(0.0, shot.out_s - shot.in_s) / (shot.speed or 1.0)
    return max(script_seconds(scene.script), shots)


def problem_text(problem: Problem) -> str:
    mark = _("✗ Error") if problem.severity == "error" else _("⚠ Warning")
    text = _("{mark}: {message}").format(mark=mark, message=problem.message)
    return text + (f" → {problem.hint}" if problem.hint else "")


class StoryboardScreen(StoryboardPanels, CagetteScreen):
    AUTO_FOCUS = "#scenes"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", show=False),
        Binding("a", "add_scene", show=False),
        Binding("x,delete", "remove_scene", show=False),
        Binding("ctrl+up,shift+up", "move(-1)", show=False),
        Binding("ctrl+down,shift+down", "move(1)", show=False),
        Binding("alt+up", "move_shot(-1)", show=False),
        Binding("alt+down", "move_shot(1)", show=False),
        Binding("i", "import_media", show=False),
        Binding("t", "title_card", show=False),
        Binding("v", "voiceover", show=False),
        Binding("c", "capture", show=False),
        Binding("r", "render", show=False),
        Binding("p", "preview", show=False),
        Binding("o", "project_panel", show=False),
        Binding("ctrl+z", "undo", show=False, priority=True),
        Binding("ctrl+y", "redo", show=False, priority=True),
    ]

    DEFAULT_CSS = """
    StoryboardScreen #board { height: 1fr; }
    StoryboardScreen #scenes-pane { width: 42%; min-width: 30; }
    StoryboardScreen #scenes { height: 1fr; }
    StoryboardScreen #scene-pane { width: 1fr; padding: 0 1; }
    StoryboardScreen #scene-script { height: 8; }
    StoryboardScreen #shots { height: auto; max-height: 8; }
    StoryboardScreen .field-label { padding: 1 0 0 0; color: $text-muted; }
    StoryboardScreen .problem { color: $warning; }
    """

    def __init__(self, project: Project, scene: str | None = None) -> None:
        super().__init__()
        self.project = project
        slugs = [s.slug for s in project.data.scenes]
        wanted = scene or memory.load().project(project.root).scene
        self.selected = wanted if wanted in slugs else (slugs[0] if slugs else "")
        self.problems: list[Problem] = []
        self._visit = 0  # each visit of a field is one undo step
        self._drag_from: str | None = None
        self._drag_shot: str | None = None
        self._keep_shot: str | None = None
        self._panels_init()

    # layout ---------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("", id="summary", classes="lead")
        with Horizontal(id="board"):
            with Vertical(id="scenes-pane"):
                yield Static(_("Scenes"), classes="title")
                yield ListView(id="scenes")
            with VerticalScroll(id="scene-pane", can_focus=False):
                yield Static("", id="scene-heading", classes="title")
                yield Label(_("Title"), classes="field-label")
                yield Input(id="scene-title", placeholder=_("what this scene is about"))
                yield Label(_("Script: what the voice says"), classes="field-label")
                yield TextArea(id="scene-script", soft_wrap=True)
                yield Static("", id="scene-estimate")
                yield Label(_("Notes: what to put on the stage"), classes="field-label")
                yield Input(id="scene-notes")
                yield ScenePanel()
                yield Label(_("Shots"), classes="field-label")
                yield DataTable(id="shots", cursor_type="row")
                yield shot_inspector.ShotInspector()
                yield Static("", id="scene-problems", classes="problem")
                yield Button(_("Project: music, cards, details (O)"), id="project-options")
        yield KeysBar(KEYS, only=("A", "I", "V", "P", "O", "C", "R", "Ctrl+Z"))

    def refill(self) -> None:
        table = self.query_one("#shots", DataTable)
        table.add_columns("", _("kind"), _("file or text"), _("duration"), _("caption"))
        self.refresh_all()
        self._show_frame()

    def on_mount(self) -> None:
        self.refill()

    # drawing --------------------------------------------------------------------
    @property
    def data(self) -> Any:
        return self.project.data

    def scene(self) -> Any | None:
        for scene in self.data.scenes:
            if scene.slug == self.selected:
                return scene
        return None

    def refresh_all(self) -> None:
        try:
            self.problems = project_problems(self.project)
        except CagetteError as exc:
            self.problems = [Problem("error", exc.message, exc.hint or "")]
        if self.selected not in {s.slug for s in self.data.scenes}:
            self.selected = self.data.scenes[0].slug if self.data.scenes else ""
        total = sum(scene_seconds(s, self.data.export) for s in self.data.scenes)
        general = [p for p in self.problems if not p.scene]
        count = len(self.data.scenes)
        summary = _("{title} — {scenes} — about {duration}").format(
            title=self.data.title or self.project.root.name,
            scenes=ngettext("{n} scene", "{n} scenes", count).format(n=count), duration=format_duration(total))
        if general:
            summary += "\n" + "\n".join(problem_text(p) for p in general)
        self.query_one("#summary", Static).update(summary)
        self._fill_list()
        self._fill_scene()

    def _scene_line(self, n: int, scene: Any) -> str:
        count = sum(1 for p in self.problems if p.scene == scene.slug)
        shots = len(scene.shots)
        line = _("{n}. {title} — {duration} — {shots}").format(
            n=n, title=scene.title or _("(untitled)"), duration=format_duration(scene_seconds(scene, self.data.export)),
            shots=ngettext("{n} shot", "{n} shots", shots).format(n=shots))
        if scene.voice:
            line += " — " + _("voice ✓")
        if count:
            line += " — " + ngettext("⚠ {n} problem", "⚠ {n} problems", count).format(n=count)
        return line

    def _fill_list(self) -> None:
        view = self.query_one("#scenes", ListView)
        view.clear()
        index = None
        for n, scene in enumerate(self.data.scenes, start=1):
            view.append(Item(self._scene_line(n, scene), name=scene.slug))
            if scene.slug == self.selected:
                index = n - 1
        if index is not None:
            self.call_after_refresh(self._select_index, index)

    def _select_index(self, index: int) -> None:
        view = self.query_one("#scenes", ListView)
        if index < len(view.children):
            view.index = index

    def _fill_scene(self) -> None:
        scene = self.scene()
        title = self.query_one("#scene-title", Input)
        script = self.query_one("#scene-script", TextArea)
        notes = self.query_one("#scene-notes", Input)
        table = self.query_one("#shots", DataTable)
        table.clear()
        self.query_one(ScenePanel).show(scene)
        if scene is None:
            self.query_one("#scene-heading", Static).update(_("No scene yet: press A to add one."))
            title.value = notes.value = ""
            script.load_text("")
            self.query_one("#scene-estimate", Static).update("")
            self.query_one("#scene-problems", Static).update("")
            self._show_shot()
            return
        n = self.data.scene_index(scene.slug) + 1
        self.query_one("#scene-heading", Static).update(
            _("Scene {n}: {title}").format(n=n, title=scene.title or _("(untitled)")))
        with self.prevent(Input.Changed, TextArea.Changed):
            if title.value != scene.title:
                title.value = scene.title
            if notes.value != scene.notes:
                notes.value = scene.notes
            if script.text != scene.script:
                script.load_text(scene.script)
            lower = self.query_one(f"#{LOWER_THIRD.id}", Input)
            if lower.value != scene.lower_third:
                lower.value = scene.lower_third
        self._show_estimate(script.text)
        for shot in scene.shots:
            table.add_row(NO_MARK, _(shot.kind), *self._shot_cells(shot), key=shot.id)
        keep, self._keep_shot = self._keep_shot, None
        ids = [shot.id for shot in scene.shots]
        if keep in ids:
            table.move_cursor(row=ids.index(keep))
        self._mark_shot()
        self._show_shot()
        problems = [p for p in self.problems if p.scene == scene.slug]
        self.query_one("#scene-problems", Static).update("\n".join(problem_text(p) for p in problems))
        self.follow_frame()

    def _show_estimate(self, text: str) -> None:
        words = len(text.split())
        self.query_one("#scene-estimate", Static).update(
            _("Spoken in about {duration} ({words} words).").format(
                duration=format_duration(script_seconds(text)), words=words))

    def _chosen_shot(self) -> Any | None:
        scene = self.scene()
        tables = self.query("#shots").results(DataTable)
        table = next(tables, None)
        if scene is None or not scene.shots or table is None or table.row_count == 0:  # none, or F2 redrawing
            return None
        row = min(max(table.cursor_row, 0), len(scene.shots) - 1)
        return scene.shots[row]

    def _shot_cells(self, shot: Shot) -> tuple[str, str, str]:
        """The file (or text), the length and the caption of a shot's row."""
        what = shot.title if shot.kind == "title" else Path(shot.source).name
        if shot.kind in ("still", "title"):
            length = format_duration(shot.duration_s or self.data.export.still_s)
        elif shot.out_s is not None:
            length = format_duration((shot.out_s - shot.in_s) / (shot.speed or 1.0))
        else:
            length = _("whole clip") if shot.kind == "clip" else "—"
        return what, length, shot.caption or "—"

    def _mark_shot(self) -> None:
        """The chosen shot's row starts with ▶ (the highlight is not told by colour alone)."""
        table = self.query_one("#shots", DataTable)
        if not table.ordered_columns:
            return
        column = table.ordered_columns[0].key
        for row, key in enumerate(table.rows):
            mark = MARK if row == table.cursor_row else NO_MARK
            if table.get_cell(key, column) != mark:
                table.update_cell(key, column, mark)

    # events -----------------------------------------------------------------------
    def on_list_view_highlighted(self, event: ListView.Highlighted) -> None:
        if event.list_view.id != "scenes" or event.item is None or not event.item.name:
            return
        if event.item.parent is None:  # an item of the list before it was redrawn: not a choice
            return
        if event.item.name != self.selected:
            self.selected = event.item.name
            root, slug = self.project.root, self.selected
            memory.remember(lambda s: s.with_scene(root, slug))
            self._fill_scene()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._mark_shot()
        self._show_shot()

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        self._visit += 1
        pane = self.query("#scene-pane").results(VerticalScroll)
        for scroll in pane:  # the focused field of the long scene pane in sight at once
            if scroll in event.widget.ancestors:
                scroll.scroll_to_widget(event.widget, animate=False, immediate=True)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id in FIELDS:
            self.save_field(event.input.id or "", event.value)
        elif event.input.id in shot_inspector.BY_ID:
            self.save_shot_field(event.input.id, event.value)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if event.text_area.id == "scene-script":
            self._show_estimate(event.text_area.text)
            self.save_field("scene-script", event.text_area.text)

    def save_field(self, widget_id: str, value: str) -> None:
        """Write one field at once (each keystroke), through the project API; one undo step per visit."""
        if self.relabeling:
            return
        scene = self.scene()
        if scene is None:
            return
        group = f"{scene.slug}:{widget_id}:{self._visit}"
        field = FIELDS[widget_id]
        if getattr(scene, field) == value:
            return
        try:
            self.project.update_scene(scene.slug, group=group, **{field: value})
        except CagetteError as exc:
            if not self.query(f"#{widget_id}-problem"):
                app_of(self).show_error(exc)
            show_problem(self, widget_id, exc.message)
            return
        show_problem(self, widget_id, "")
        self._after_edit(keep_fields=True)

    def save_now(self) -> None:
        """Every field is written as it is typed: nothing waits (kept for the callers that ask)."""

    def _after_edit(self, keep_fields: bool = False) -> None:
        if keep_fields:
            # Only the labels change: redrawing the fields would move the cursor while typing.
            view = self.query_one("#scenes", ListView)
            for n, (item, scene) in enumerate(zip(view.children, self.data.scenes, strict=False), start=1):
                if isinstance(item, Item):
                    item.set_text(self._scene_line(n, scene))
            table = self.query_one("#shots", DataTable)
            scene = self.scene()
            if scene is not None:
                heading = _("Scene {n}: {title}").format(n=self.data.scene_index(scene.slug) + 1,
                                                        title=scene.title or _("(untitled)"))
                self.query_one("#scene-heading", Static).update(heading)
                for shot in scene.shots:
                    for column, text in zip(table.ordered_columns[2:], self._shot_cells(shot), strict=False):
                        try:
                            table.update_cell(shot.id, column.key, text)
                        except KeyError:
                            pass
            self.follow_frame()
        else:
            self.refresh_all()

    # mouse: drag a scene onto another place ---------------------------------------------
    def _item_at(self, x: int, y: int) -> ListItem | None:
        try:
            widget, _region = self.app.get_widget_at(x, y)
        except Exception:  # noqa: BLE001 - outside every widget
            return None
        node: Any = widget
        while node is not None and not isinstance(node, ListItem):
            node = node.parent
        if node is not None and node.parent is not None and getattr(node.parent, "id", "") == "scenes":
            return node
        return None

    def _shot_row_at(self, x: int, y: int) -> int | None:
        """The row of the shots table under the mouse (the header and elsewhere: None)."""
        try:
            widget, _region = self.app.get_widget_at(x, y)
        except Exception:  # noqa: BLE001 - outside every widget
            return None
        scene = self.scene()
        if getattr(widget, "id", "") != "shots" or scene is None:
            return None
        row = self.get_style_at(x, y).meta.get("row")
        return row if isinstance(row, int) and 0 <= row < len(scene.shots) else None

    def on_mouse_down(self, event: MouseDown) -> None:
        item = self._item_at(event.screen_x, event.screen_y)
        self._drag_from = item.name if item is not None else None
        row = self._shot_row_at(event.screen_x, event.screen_y)
        scene = self.scene()
        self._drag_shot = scene.shots[row].id if row is not None and scene is not None else None

    def on_mouse_up(self, event: MouseUp) -> None:
        start, self._drag_from = self._drag_from, None
        item = self._item_at(event.screen_x, event.screen_y)
        if start and item is not None and item.name and item.name != start:
            target = self.data.scene_index(item.name) + 1
            self._edit(lambda: self.project.move_scene(start, target), start)
        shot, self._drag_shot = self._drag_shot, None
        row = self._shot_row_at(event.screen_x, event.screen_y)
        scene = self.scene()
        if shot and row is not None and scene is not None and scene.shots[row].id != shot:
            self._move_shot_to(shot, row + 1)

    # actions ------------------------------------------------------------------------
    def _edit(self, change: Any, select: str | None = None) -> None:
        self.save_now()
        try:
            change()
        except CagetteError as exc:
            app_of(self).show_error(exc)
            return
        if select is not None:
            self.selected = select
        self.refresh_all()

    def action_back(self) -> None:
        self.save_now()
        self.app.pop_screen()

    def action_add_scene(self) -> None:
        position = self.data.scene_index(self.selected) + 2 if self.selected else None
        made: list[Any] = []
        self._edit(lambda: made.append(self.project.add_scene(_("New scene"), position=position)))
        if made:
            self.selected = made[0].slug
            self.refresh_all()
            self.query_one("#scene-title", Input).focus()

    def action_remove_scene(self) -> None:
        scene = self.scene()
        if scene is None:
            return
        self._edit(lambda: self.project.remove_scene(scene.slug))
        self.app.notify(_("Scene removed: Ctrl+Z brings it back."))

    def action_move(self, step: int) -> None:
        if self.focused is not None and self.focused.id == "shots":
            self.action_move_shot(step)
            return
        scene = self.scene()
        if scene is None:
            return
        position = self.data.scene_index(scene.slug) + 1 + step
        if 1 <= position <= len(self.data.scenes):
            self._edit(lambda: self.project.move_scene(scene.slug, position), scene.slug)

    def action_move_shot(self, step: int) -> None:
        scene, shot = self.scene(), self._chosen_shot()
        if scene is None or shot is None:
            return
        position = [s.id for s in scene.shots].index(shot.id) + 1 + step
        if 1 <= position <= len(scene.shots):
            self._move_shot_to(shot.id, position)

    def _move_shot_to(self, shot_id: str, position: int) -> None:
        """Move a shot of the selected scene to 1-based *position*, keeping it chosen."""
        scene = self.scene()
        if scene is None:
            return
        self.save_now()
        self._keep_shot = shot_id
        self._edit(lambda: self.project.move_shot(shot_id, scene.slug, position), scene.slug)

    def action_undo(self) -> None:
        self._history("undo")

    def action_redo(self) -> None:
        self._history("redo")

    def _history(self, which: str) -> None:
        self.save_now()
        try:
            label = self.project.undo() if which == "undo" else self.project.redo()
        except CagetteError as exc:
            self.app.notify(exc.message, severity="warning")
            return
        self.refresh_all()
        self._visit += 1  # typing after an undo is a new step
        text = _("Undone: {what}") if which == "undo" else _("Redone: {what}")
        self.app.notify(text.format(what=label))

    def action_import_media(self) -> None:
        if self.scene() is None:
            self.app.notify(_("Add a scene first (A)."), severity="warning")
            return
        self.app.push_screen(PathDialog(_("Import a clip or a photo into this scene"),
                                        _("Path of the file (a video or a photo)"), start=self.project.root,
                                        purpose="media", exts=MEDIA_EXTS), self._import_chosen)

    def _import_chosen(self, path: Path | None) -> None:
        scene = self.scene()
        if path is None or scene is None:
            return
        self.save_now()
        self._import(scene.slug, path)

    @work(thread=True, exclusive=True, group="import")
    def _import(self, slug: str, path: Path) -> None:
        try:
            self.project.add_shot(slug, path)
        except CagetteError as exc:
            self.app.call_from_thread(app_of(self).show_error, exc)
            return
        from_worker(self, self.refresh_all)
        from_worker(self, self.app.notify, _("Imported {name}.").format(name=path.name))

    def action_title_card(self) -> None:
        if self.scene() is None:
            return
        self.app.push_screen(TextDialog(_("A title card"), _("Text shown on the card")), self._title_chosen)

    def _title_chosen(self, text: str | None) -> None:
        scene = self.scene()
        if text and scene is not None:
            self._edit(lambda: self.project.add_shot(scene.slug, kind="title", title=text), scene.slug)

    def action_voiceover(self) -> None:
        """Record the scene's voice-over with its script on screen (or import a sound file)."""
        scene = self.scene()
        if scene is None:
            return
        from cagette_tui.screens.voice import VoiceDialog

        self.app.push_screen(VoiceDialog(self.project, scene.slug), self._voice_done)

    def _voice_done(self, done: bool | None) -> None:
        if done:
            self.app.notify(_("Voice-over set: Ctrl+Z takes it out."))

    def action_capture(self) -> None:
        """Shoot the highlighted scene."""
        app_of(self).open_project(self.project.root, "capture", scene=self.selected or None)

    def action_project_panel(self) -> None:
        """The project's own choices: music, logo, cards, transitions, loudness, captions, details."""
        from cagette_tui.screens.project_panel import ProjectPanelScreen

        self.app.push_screen(ProjectPanelScreen(self.project))

    def action_render(self) -> None:
        self.save_now()
        app_of(self).open_project(self.project.root, "render")

    async def returned(self) -> None:
        # Another screen (capture, render, a dialog) may have changed the project.
        try:
            self.project.reload()
        except CagetteError as exc:
            app_of(self).show_error(exc)
            return
        if self.stale_language():
            await self.relabel()
        else:
            self.refresh_all()
