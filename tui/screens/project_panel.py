"""The project panel (O on the storyboard): the choices that are the whole video's, not a scene's.

Music (a file chosen in the app's file dialog, its levels, or none), the logo, the title and end
cards with their durations and the credits, the transitions (cross-fade, fades), the loudness
target, burned captions, how a portrait picture fills the frame, the captions (import a .srt or
.vtt, export them, back to the scripts'), and the project's details (title, authors, organisation,
language, licence, description). Every change is saved at once through the project API, typed
ones as one undo step per visit of a field; Ctrl+Z and Ctrl+Y undo and redo here too.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.events import DescendantFocus
from textual.widgets import Button, Checkbox, Input, Label, RadioSet, Static, TextArea

from cagette.errors import CagetteError
from cagette.i18n import N_, _
from cagette_tui import publishing
from cagette_tui.appref import app_of
from cagette_tui.screens.base import CagetteScreen
from cagette_tui.screens.dialogs import PathDialog
from cagette_tui.widgets import project_fields as pf
from cagette_tui.widgets.fields import FieldRow, problem_line, show_problem, shown
from cagette_tui.widgets.keys import KeysBar
from cagette_tui.widgets.marks import Check, Radio
from cagette_tui.widgets.titlebar import TitleBar

if TYPE_CHECKING:
    from cagette.video.project import Project

KEYS = [("Tab", N_("next field")), ("Ctrl+Z", N_("undo")), ("Ctrl+Y", N_("redo")), ("Esc", N_("back"))]
SECTIONS: list[tuple[str, tuple[str, ...]]] = [
    (N_("Music"), ("music-volume", "music-duck", "music-fade-in", "music-fade-out")),
    (N_("Cards and credits"), ("export-title-card", "export-title-card-s", "export-end-card", "export-end-card-s",
                               "export-credits")),
    (N_("Transitions"), ("export-crossfade", "export-fade")),
    (N_("Sound and captions"), ("export-loudness", "export-voice-cleanup", "export-burn", "export-cps")),
    (N_("Pictures"), ("export-preset", "export-fill", "export-still", "export-fps", "export-deflicker")),
    (N_("Details of the project"), ("info-title", "info-authors", "info-organisation", "info-language",
                                    "info-licence", "info-description")),
]
LABELS = {"export-credits": N_("Credits: extra lines on the end card"),
          "export-loudness": N_("Loudness target"), "export-fill": N_("A portrait picture in a landscape video"),
          "export-preset": N_("Render size (preset)"), "info-language": N_("Language of the video"), "info-licence": N_("Licence"),
          "info-description": N_("Description")}
EXTS = {"music": (".wav", ".mp3", ".m4a", ".aac", ".ogg", ".opus", ".flac"),
        "logo": (".png", ".jpg", ".jpeg", ".webp"), "captions": (".srt", ".vtt")}


class ProjectPanelScreen(CagetteScreen):
    AUTO_FOCUS = "#music-choose"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", show=False),
        Binding("ctrl+z", "undo", show=False, priority=True),
        Binding("ctrl+y", "redo", show=False, priority=True),
    ]
    DEFAULT_CSS = """
    ProjectPanelScreen #panel { height: 1fr; padding: 0 1; }
    ProjectPanelScreen Horizontal.buttons { height: auto; }
    ProjectPanelScreen Horizontal.buttons Button { margin: 0 1 0 0; }
    ProjectPanelScreen TextArea { height: 5; }
    ProjectPanelScreen RadioSet { width: 100%; height: auto; }
    ProjectPanelScreen .field-label { padding: 1 0 0 0; color: $text-muted; }
    ProjectPanelScreen .problem { color: $error; }
    """

    def __init__(self, project: Project) -> None:
        super().__init__()
        self.project = project
        self._visit = 0

    # layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        data = self.project.data
        yield TitleBar()
        yield Static(_("{title}: the whole video's choices").format(title=data.title or self.project.root.name),
                     classes="lead")
        with VerticalScroll(id="panel", can_focus=False):
            for title, ids in SECTIONS:
                yield Static(_(title), classes="title")
                if ids[0] == "music-volume":
                    yield from self._files("music", data.music.source, _("Choose a music file…"),
                                           _("Remove the music"))
                for widget_id in ids:
                    yield from self._field(widget_id, data)
                if "export-fill" in ids:
                    yield from self._files("logo", data.export.logo, _("Choose a logo…"), _("Remove the logo"))
                if ids[0] == "export-loudness":
                    yield from self._captions(data)
        yield KeysBar(KEYS)

    def _files(self, which: str, held: str, choose: str, remove: str) -> ComposeResult:
        text = _("✓ {file}").format(file=held) if held else (_("✗ No music.") if which == "music" else _("✗ No logo."))
        yield Static(text, id=f"{which}-state")
        with Horizontal(classes="buttons"):
            yield Button(choose, id=f"{which}-choose")
            yield Button(remove, id=f"{which}-clear", disabled=not held)

    def _captions(self, data: Any) -> ComposeResult:
        held = data.captions
        text = _("✓ Imported from {file} ({n} lines).").format(file=held.file or "?", n=len(held.cues)) \
            if held.cues else _("Made from the scripts.")
        yield Label(_("Captions"), classes="field-label")
        yield Static(text, id="captions-state")
        with Horizontal(classes="buttons"):
            yield Button(_("Import a .srt or .vtt…"), id="captions-import")
            yield Button(_("Export to a folder…"), id="captions-export")
            yield Button(_("Back to the scripts'"), id="captions-clear", disabled=not held.cues)

    def _field(self, widget_id: str, data: Any) -> ComposeResult:
        if widget_id in pf.TYPED:
            target, spec = pf.TYPED[widget_id]
            # the levels of no music are not kept: they wait for a music file
            yield FieldRow(spec, shown(pf.current(data, target, spec.field)),
                           off=target == pf.MUSIC and not data.music.source)
            return
        elif widget_id in pf.SWITCHES:
            field, label = pf.SWITCHES[widget_id]
            yield Check(_(label), value=bool(getattr(data.export, field)), id=widget_id)
        elif widget_id in pf.TEXTS:
            target, field = pf.TEXTS[widget_id]
            yield Label(_(LABELS[widget_id]), classes="field-label")
            yield TextArea(pf.current(data, target, field), id=widget_id, soft_wrap=True)
        else:
            yield Label(_(LABELS[widget_id]), classes="field-label")
            yield from self._choice(widget_id, data)
        yield problem_line(widget_id)

    def _choice(self, widget_id: str, data: Any) -> ComposeResult:
        if widget_id == "info-licence":
            known = [code for code, _text in publishing.LICENCES]
            offered = known if data.licence in known else [data.licence, *known]
            explained = dict(publishing.LICENCES)
            with RadioSet(id=widget_id):
                for code in offered:
                    text = _(explained[code]) if code in explained else _("the project's licence")
                    yield Radio(f"{code} — {text}", value=code == data.licence, name=code)
            return
        target, field, options = pf.CHOICES[widget_id] if widget_id in pf.CHOICES else (
            pf.EXPORT, "preset", pf.preset_choices())
        held = pf.current(data, target, field)
        with RadioSet(id=widget_id):
            for value, text in options:
                label = f"{value} — {_(text)}" if widget_id == "export-preset" and value else _(text)
                yield Radio(label, value=value == held, name=value or "-")

    # saving -------------------------------------------------------------------------------
    def on_descendant_focus(self, event: DescendantFocus) -> None:
        self._visit += 1
        # the focused control in sight at once (a long panel at 80 × 24)
        self.query_one("#panel", VerticalScroll).scroll_to_widget(event.widget, animate=False, immediate=True)

    def _saved(self, widget_id: str, problem: str) -> None:
        show_problem(self, widget_id, problem)

    def on_input_changed(self, event: Input.Changed) -> None:
        widget_id = event.input.id or ""
        if widget_id in pf.TYPED and not self.relabeling:
            self._saved(widget_id, pf.write_typed(self.project, widget_id, event.value, f"{widget_id}:{self._visit}"))

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        widget_id = event.text_area.id or ""
        if widget_id in pf.TEXTS and not self.relabeling:
            target, field = pf.TEXTS[widget_id]
            group = f"{widget_id}:{self._visit}"
            self._saved(widget_id, pf.write(self.project, target, field, event.text_area.text, group))

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        widget_id = event.checkbox.id or ""
        if widget_id in pf.SWITCHES and not self.relabeling:
            self._saved(widget_id, pf.write(self.project, pf.EXPORT, pf.SWITCHES[widget_id][0], event.value))

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        widget_id = event.radio_set.id or ""
        if self.relabeling or event.pressed is None or not event.pressed.name:
            return
        if widget_id == "info-licence":
            self._saved(widget_id, pf.write(self.project, pf.INFO, "licence", event.pressed.name))
        elif widget_id == "export-preset":
            preset = "" if event.pressed.name == "-" else event.pressed.name
            self._saved(widget_id, pf.write(self.project, pf.EXPORT, "preset", preset))
        elif widget_id in pf.CHOICES:
            target, field, _options = pf.CHOICES[widget_id]
            self._saved(widget_id, pf.write(self.project, target, field, event.pressed.name))

    # files --------------------------------------------------------------------------------
    async def on_button_pressed(self, event: Button.Pressed) -> None:
        which = event.button.id or ""
        titles = {"music-choose": (_("Choose the music"), "music", False),
                  "logo-choose": (_("Choose the logo (an image)"), "logo", False),
                  "captions-import": (_("Import captions (.srt or .vtt)"), "captions", False),
                  "captions-export": (_("Export the captions into a folder"), "captions", True)}
        if which in titles:
            title, kind, folder = titles[which]
            self.app.push_screen(PathDialog(title, _("Path"), start=self.project.root, folder=folder, purpose=kind,
                                            exts=None if folder else EXTS[kind]),
                                 lambda path, which=which: self._chosen(which, path))
        elif which == "music-clear":
            await self._change(self.project.clear_music)
        elif which == "logo-clear":
            await self._change(lambda: self.project.set_logo(None))
        elif which == "captions-clear":
            await self._change(self.project.clear_captions)

    async def _chosen(self, which: str, path: Path | None) -> None:
        if path is None:
            return
        if which == "music-choose":
            await self._change(lambda: self.project.set_music(path))
        elif which == "logo-choose":
            await self._change(lambda: self.project.set_logo(path))
        elif which == "captions-import":
            from cagette.video.captions import import_file

            await self._change(lambda: import_file(self.project, path))
        else:
            self._export_captions(path)

    def _export_captions(self, folder: Path) -> None:
        from cagette.video import captions, presets

        try:
            preset = presets.get(self.project.data.export.preset or "web-16x9")
            made = captions.export_file(captions.current(self.project, preset)[0],
                                        folder / f"{self.project.data.slug}.srt")
        except CagetteError as exc:
            app_of(self).show_error(exc)
            return
        self.app.notify(_("Captions written to {file}.").format(file=made))

    async def _change(self, change: Any) -> None:
        try:
            change()
        except CagetteError as exc:
            app_of(self).show_error(exc)
            return
        await self.rebuild()

    # undo, back ---------------------------------------------------------------------------
    async def action_undo(self) -> None:
        await self._history("undo")

    async def action_redo(self) -> None:
        await self._history("redo")

    async def _history(self, which: str) -> None:
        try:
            label = self.project.undo() if which == "undo" else self.project.redo()
        except CagetteError as exc:
            self.app.notify(exc.message, severity="warning")
            return
        self._visit += 1  # typing after an undo is a new step
        await self.rebuild()
        text = _("Undone: {what}") if which == "undo" else _("Redone: {what}")
        self.app.notify(text.format(what=label))

    def action_back(self) -> None:
        self.app.pop_screen()
