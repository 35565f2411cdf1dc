"""Library: search with filters, a resource's details (licence, credits, derived-from chain, files, what a
merge brought: licence conflicts and values lost to concurrent edits, one of which R restores), publish a
file or a project, export, the community (:mod:`cagette_tui.screens.community`) and sync
(:mod:`cagette_tui.screens.sync`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Input, Select, Static

from cagette.errors import CagetteError
from cagette.i18n import N_, _
from cagette_tui import adapters
from cagette_tui.appref import app_of
from cagette_tui.screens.base import CagetteScreen
from cagette_tui.screens.dialogs import ConfirmDialog, PathDialog
from cagette_tui.screens.library_panels import RestoreDialog, merge_lines, restore_question
from cagette_tui.widgets.job import JobPanel
from cagette_tui.widgets.keys import KeysBar
from cagette_tui.widgets.titlebar import TitleBar

KEYS = [("/", N_("search")), ("Enter", N_("details")), ("A", N_("publish a file or project")),
        ("E", N_("export")), ("R", N_("restore a lost value")), ("M", N_("community")), ("S", N_("sync")),
        ("Esc", N_("back"))]

KIND_LABELS = {"video": N_("video"), "storyboard": N_("storyboard"), "template": N_("template"),
               "guide": N_("guide"), "plan": N_("plan"), "frames": N_("frames"), "audio": N_("audio")}


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.0f} B"


class LibraryScreen(CagetteScreen):
    AUTO_FOCUS = "#table"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", show=False),
        Binding("slash", "focus_search", show=False),
        Binding("a", "publish", show=False),
        Binding("e", "export", show=False),
        Binding("s", "sync", show=False),
        Binding("r", "restore", show=False),
        Binding("m", "community", show=False),
    ]

    DEFAULT_CSS = """
    LibraryScreen #filters { height: auto; padding: 0 1; }
    LibraryScreen #query { width: 1fr; }
    LibraryScreen #facets { height: auto; padding: 0 1; }
    LibraryScreen #facets Select { width: 3fr; }
    LibraryScreen #facets #organisation { width: 4fr; }
    LibraryScreen #lib-body { height: 1fr; }
    LibraryScreen #results { width: 55%; }
    LibraryScreen #details { width: 1fr; padding: 0 1; }
    """

    def __init__(self, library: Any) -> None:
        super().__init__()
        self.library = library
        self.results: list[Any] = []
        self.current: Any = None
        self.last_export: Path | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(_("Library: {path}").format(path=self.library.path.name), classes="title", id="lib-title")
        with Horizontal(id="filters"):
            yield Input(id="query", placeholder=_("search words (title, description, tags, authors)"))
        with Horizontal(id="facets"):
            yield Select([(_(label), kind) for kind, label in KIND_LABELS.items()], prompt=_("every kind"),
                         id="kind")
            yield Select([("français", "fr"), ("English", "en")], prompt=_("every language"), id="language")
            licences, organisations = self.facet_options()
            yield Select(licences, prompt=_("every licence"), id="licence")
            yield Select(organisations, prompt=_("every organisation"), id="organisation")
        with Horizontal(id="lib-body"):
            with Vertical(id="results"):
                yield DataTable(id="table", cursor_type="row")
            with VerticalScroll(id="details"):
                yield Static(_("Choose a resource to see its details."), id="detail-text")
        yield JobPanel(id="job")
        yield KeysBar(KEYS)

    def refill(self) -> None:
        table = self.query_one("#table", DataTable)
        table.add_columns(_("title"), _("kind"), _("language"), _("licence"))
        self.search()

    def on_mount(self) -> None:
        self.refill()

    # search ----------------------------------------------------------------------------
    def facet_options(self) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """The distinct licences and organisations of the library's current resources."""
        try:
            resources = self.library.resources()
        except CagetteError:
            resources = []
        licences = sorted({r.licence for r in resources if r.licence})
        organisations = sorted({r.organisation for r in resources if r.organisation}, key=str.casefold)
        return [(v, v) for v in licences], [(v, v) for v in organisations]

    def refresh_facets(self) -> None:
        """New options after a publish or a sync, keeping a choice that still exists."""
        for select, options in zip((self.query_one("#licence", Select), self.query_one("#organisation", Select)),
                                   self.facet_options(), strict=True):
            value = select.value
            with select.prevent(Select.Changed):
                select.set_options(options)
                if isinstance(value, str) and value in {v for _label, v in options}:
                    select.value = value

    def filters(self) -> Any:
        from cagette.library.index import Filters

        def chosen(name: str) -> list[str] | None:
            value = self.query_one(f"#{name}", Select).value
            return [value] if isinstance(value, str) else None

        return Filters.of(kinds=chosen("kind"), languages=chosen("language"), licences=chosen("licence"),
                          organisations=chosen("organisation"))

    def search(self) -> None:
        query = self.query_one("#query", Input).value
        try:
            self.results = self.library.search(query, self.filters())
        except CagetteError as exc:
            app_of(self).show_error(exc)
            return
        table = self.query_one("#table", DataTable)
        table.clear()
        for r in self.results:
            table.add_row(shown_title(r), _(KIND_LABELS.get(r.kind, r.kind)), r.language or "—", r.licence, key=r.id)
        self.query_one("#lib-title", Static).update(
            _("Library: {path} — {n} resources found").format(path=self.library.path.name, n=len(self.results)))
        if self.results:
            self.show(self.results[0])
        else:
            self.current = None
            self.query_one("#detail-text", Static).update(_("Nothing found: try fewer words or other filters."))

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "query":
            self.search()

    def on_select_changed(self, event: Select.Changed) -> None:
        self.search()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if 0 <= event.cursor_row < len(self.results):
            self.show(self.results[event.cursor_row])

    def action_focus_search(self) -> None:
        self.query_one("#query", Input).focus()

    # details -----------------------------------------------------------------------------
    def show(self, resource: Any) -> None:
        self.current = resource
        self.query_one("#detail-text", Static).update(self.details(resource))

    def details(self, r: Any) -> str:
        from cagette.library.resources import LICENCES

        lines = [f"[b]{_escape(r.title)}[/b]", ""]
        lines.append(_("Kind: {kind}").format(kind=_(KIND_LABELS.get(r.kind, r.kind))))
        lines.append(_("Licence: {licence} — {name}").format(licence=r.licence, name=LICENCES.get(r.licence, "")))
        credits = ", ".join([*r.authors, *([r.organisation] if r.organisation else [])])
        lines.append(_("Credits: {who}").format(who=_escape(credits) or "—"))
        if r.language:
            lines.append(_("Language: {lang}").format(lang=r.language))
        if r.description:
            lines += ["", _escape(r.description)]
        try:
            chain = self.library.chain(r.id)[1:]
        except CagetteError:
            chain = []
        if chain:
            lines += ["", _("Derived from:")]
            for n, c in enumerate(chain, start=1):
                lines.append(f"  {'↳' * n} {_escape(c.shown_title)} ({c.licence}, "
                             f"{_escape(', '.join(c.authors) or c.organisation or '—')})")
        try:
            lines += [_escape(line) for line in merge_lines(self.library, r.id)]
        except CagetteError:
            pass
        lines += ["", _("Files:")]
        for f in r.files:
            lines.append(f"  • {_escape(f.name)} — {_(f.role)} — {human_size(f.size)}")
        lines += ["", _("Id: {id}").format(id=r.id)]
        return "\n".join(lines)

    # actions ------------------------------------------------------------------------------
    def action_publish(self) -> None:
        self.app.push_screen(PathDialog(_("Publish to the library"),
                                        _("A file, a folder of files, or a project folder (its latest render)"),
                                        purpose="publish"), self._publish_path)

    def _publish_path(self, path: Path | None) -> None:
        if path is None:
            return
        library = self.library

        def publish(progress: Any) -> Any:
            return adapters.publish_path(library, path, progress)

        self.query_one("#job", JobPanel).start(publish, self._published, _("Publishing {name}…").format(name=path.name))

    def _published(self, done: Any) -> None:
        self.app.notify(_("Published: {title}").format(title=done.resource.title))
        for notice in done.notices:
            self.app.notify(notice, severity="warning", timeout=20)
        self.refresh_facets()
        self.search()

    def action_export(self) -> None:
        if self.current is None:
            self.app.notify(_("Choose a resource first."), severity="warning")
            return
        self.app.push_screen(PathDialog(_("Export {title}").format(title=self.current.title),
                                        _("An existing folder; the export is made in a new folder inside it"),
                                        folder=True, purpose="export"), self._export_to)

    def _export_to(self, folder: Path | None) -> None:
        if folder is None or self.current is None:
            return
        from cagette.video.project import slugify

        rid, library = self.current.id, self.library
        target = folder / slugify(self.current.title, rid[:8])

        def export(progress: Any) -> Path:
            progress.start(_("Exporting"), None)
            return Path(library.export(rid, target))

        self.query_one("#job", JobPanel).start(export, self._exported, _("Exporting…"))

    def _exported(self, path: Path) -> None:
        self.last_export = path
        self.app.notify(_("Exported to {path}").format(path=path))

    def action_restore(self) -> None:
        if self.current is None:
            self.app.notify(_("Choose a resource first."), severity="warning")
            return
        try:
            lost = self.library.conflicts(self.current.id)
        except CagetteError as exc:
            app_of(self).show_error(exc)
            return
        if not lost:
            self.app.notify(_("No value of this resource was lost to a concurrent edit."))
            return
        resource = self.current
        self.app.push_screen(RestoreDialog(resource.title, lost), lambda c: self._ask_restore(resource, c))

    def _ask_restore(self, resource: Any, lost: dict[str, Any] | None) -> None:
        if lost is None:
            return
        self.app.push_screen(ConfirmDialog(_("Restore a lost value"), restore_question(resource, lost),
                                           default_no=True),
                             lambda yes: self._restore(resource, lost) if yes else None)

    def _restore(self, resource: Any, lost: dict[str, Any]) -> None:
        try:
            self.library.edit(resource.id, **{lost["field"]: lost["value"]})
        except CagetteError as exc:
            app_of(self).show_error(exc)
            return
        self.app.notify(_("{field} restored.").format(field=lost["field"]))
        self.refresh_facets()
        self.search()
        self.select(resource.id)

    def select(self, rid: str) -> None:
        """Highlight (and show) the resource *rid* if the search found it."""
        for n, r in enumerate(self.results):
            if r.id == rid:
                self.query_one("#table", DataTable).move_cursor(row=n)
                self.show(r)

    def action_community(self) -> None:
        from cagette_tui.screens.community import CommunityScreen

        self.app.push_screen(CommunityScreen(self.library))

    def action_sync(self) -> None:
        from cagette_tui.screens.sync import SyncScreen

        self.app.push_screen(SyncScreen(self.library.path), self._synced)

    def _synced(self, _result: Any) -> None:
        self.refresh_facets()
        self.search()


def shown_title(r: Any) -> str:
    """The title as the list shows it, marked as `cagette library list` marks it: ⚠ a licence conflict,
    ⇄ values lost to a concurrent edit."""
    title = r.title or _("(its description has not arrived yet)")
    if r.licence_flags:
        title += " ⚠"
    if r.conflicts:
        title += " ⇄"
    return title


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def make(app: Any) -> LibraryScreen:
    return LibraryScreen(adapters.open_library(app.library_option))
