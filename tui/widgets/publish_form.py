"""The publish form: title, description, licence (each explained), authors, organisation, which render
(the best one chosen), who appears in it; then a confirmation, then the library.

The project's own fields (title, description, licence, authors, organisation) are saved into the
project at each keystroke, through the video API, like every other edit (undoable); who appears is
a field of the library's resource, passed on when it is published.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label, RadioSet, Static, TextArea

from cagette.errors import CagetteError
from cagette.i18n import _
from cagette_tui import publishing
from cagette_tui.appref import app_of
from cagette_tui.widgets.job import JobPanel
from cagette_tui.widgets.marks import Radio

if TYPE_CHECKING:
    from cagette.video.project import Project


class PublishForm(Vertical):
    DEFAULT_CSS = """
    PublishForm { height: auto; }
    PublishForm Label { padding: 1 0 0 0; color: $text-muted; }
    PublishForm #pub-description { height: 5; }
    PublishForm RadioSet { width: 100%; height: auto; }
    PublishForm RadioSet > RadioButton { width: 100%; }
    PublishForm #pub-go { margin: 1 0 0 0; }
    """

    class Published(Message):
        def __init__(self, form: PublishForm, done: Any) -> None:
            super().__init__()
            self.form = form
            self.done = done

    def __init__(self, project: Project, library_option: str | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.project = project
        self.library_option = library_option
        self.published = ""
        self._group = 0

    def compose(self) -> ComposeResult:
        first = self._defaults()
        exports = publishing.export_choices(self.project)
        self.exports = exports
        yield Label(_("Title"))
        yield Input(first["title"], id="pub-title")
        yield Label(_("Description (what the video explains, for whom)"))
        yield TextArea(first["description"], id="pub-description", soft_wrap=True)
        yield Label(_("Licence: what others may do with the video"))
        known = [code for code, _text in publishing.LICENCES]
        offered = known if first["licence"] in known else [first["licence"], *known]
        explained = dict(publishing.LICENCES)
        with RadioSet(id="pub-licence"):
            for code in offered:
                text = _(explained[code]) if code in explained else _("the project's licence")
                yield Radio(f"{code} — {text}", value=code == first["licence"], name=code)
        yield Label(_("Authors (separated by commas)"))
        yield Input(", ".join(first["authors"]), id="pub-authors")
        yield Label(_("Organisation"))
        yield Input(first["organisation"], id="pub-organisation")
        yield Label(_("Which render"))
        if exports:
            with RadioSet(id="pub-export"):
                for n, export in enumerate(exports):
                    yield Radio(export.label(), value=n == 0, name=str(n))
        else:
            yield Static(_("Not rendered yet: render the video first."), id="pub-no-export", classes="problem")
        yield Label(_("People in the video"))
        with RadioSet(id="pub-people"):
            for code, text in publishing.PEOPLE:
                yield Radio(_(text), value=code == "", name=code or "unsaid")
        yield Button(_("Publish… (Ctrl+P)"), id="pub-go", variant="primary")
        yield JobPanel(id="pub-job")
        yield Static("", id="pub-result")

    def _defaults(self) -> dict[str, Any]:
        library = None
        try:
            from cagette import locations
            from cagette.flows.seeding import open_existing

            library = open_existing(locations.library_dir(self.library_option))
        except CagetteError:
            library = None
        return publishing.defaults(library, self.project)

    # saved as typed -----------------------------------------------------------------
    def on_descendant_focus(self) -> None:
        self._group += 1  # a new undo step for each visit of a field

    def on_input_changed(self, event: Input.Changed) -> None:
        field = {"pub-title": "title", "pub-authors": "authors", "pub-organisation": "organisation"}.get(
            event.input.id or "")
        if field is None or getattr(self.screen, "relabeling", False):
            return
        event.stop()
        value: Any = event.value
        if field == "authors":
            value = [a.strip() for a in event.value.split(",") if a.strip()]
        self._save(field, value)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if event.text_area.id == "pub-description" and not getattr(self.screen, "relabeling", False):
            event.stop()
            self._save("description", event.text_area.text)

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        if event.radio_set.id == "pub-licence" and event.pressed.name:
            event.stop()
            self._save("licence", event.pressed.name)

    def _save(self, field: str, value: Any) -> None:
        data = self.project.data
        current = list(data.authors) if field == "authors" else getattr(data, field)
        if value == current:
            return
        try:
            self.project.set_info(group=f"publish-{field}-{self._group}", **{field: value})
        except CagetteError as exc:
            app_of(self).show_error(exc)

    # publishing ---------------------------------------------------------------------
    def chosen(self, radio_id: str) -> str:
        for radios in self.query(f"#{radio_id}").results(RadioSet):
            pressed = radios.pressed_button
            return pressed.name if pressed is not None and pressed.name else ""
        return ""

    def meta(self) -> dict[str, Any]:
        people = self.chosen("pub-people")
        return {
            "title": self.query_one("#pub-title", Input).value.strip(),
            "description": self.query_one("#pub-description", TextArea).text.strip(),
            "licence": self.chosen("pub-licence"),
            "authors": [a.strip() for a in self.query_one("#pub-authors", Input).value.split(",") if a.strip()],
            "organisation": self.query_one("#pub-organisation", Input).value.strip(),
            "people": "" if people == "unsaid" else people,
        }

    def export(self) -> publishing.ExportChoice | None:
        chosen = self.chosen("pub-export")
        return self.exports[int(chosen)] if chosen.isdigit() and int(chosen) < len(self.exports) else None

    def summary(self, meta: dict[str, Any], export: publishing.ExportChoice) -> str:
        people = dict(publishing.PEOPLE).get(meta["people"], "")
        lines = [
            _("Title: {title}").format(title=meta["title"]),
            _("Video: {video}").format(video=export.label()),
            _("Licence: {licence}").format(licence=meta["licence"]),
            _("Authors: {authors}").format(authors=", ".join(meta["authors"]) or "—"),
            _("Organisation: {organisation}").format(organisation=meta["organisation"] or "—"),
            _("People: {people}").format(people=_(people)),
        ]
        if meta["people"] == "no-consent":
            lines += ["", _("⚠ People appear and their consent is not on file: get their signed consent "
                            "before sharing (the starter library has a form).")]
        return "\n".join(lines)

    def ask(self) -> None:
        """Check the form, then ask before publishing."""
        from cagette_tui.screens.dialogs import ConfirmDialog

        meta, export = self.meta(), self.export()
        if export is None:
            self.app.notify(_("Render the video first: there is nothing to publish yet."), severity="warning")
            return
        if not meta["title"]:
            self.app.notify(_("Give the video a title."), severity="warning")
            self.query_one("#pub-title", Input).focus()
            return
        self.app.push_screen(ConfirmDialog(_("Publish to the library?"), self.summary(meta, export),
                                           yes=_("Publish (Y)"), no=_("Not now (N)"),
                                           default_no=meta["people"] == "no-consent"),
                             lambda yes: self._go(meta, export) if yes else None)

    def _go(self, meta: dict[str, Any], export: publishing.ExportChoice) -> None:
        project, library = self.project, self.library_option
        self.query_one("#pub-job", JobPanel).start(
            lambda progress: publishing.publish(library, project, export.video, meta, progress), self._published,
            _("Publishing to the library…"))

    def _published(self, done: Any) -> None:
        self.published = str(done.resource.id)
        said = _("Published in the library as {id}.").format(id=self.published)
        result = self.query_one("#pub-result", Static)
        result.update(said)
        result.scroll_visible(animate=False)  # the outcome in sight, at the foot of a long form
        self.app.notify(said)
        for notice in done.notices:
            self.app.notify(notice, severity="warning", timeout=20)
        self.post_message(self.Published(self, done))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "pub-go":
            event.stop()
            self.ask()
