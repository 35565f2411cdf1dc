"""The community of this site: who founded it, its moderators, this site's id, name and key, and the
commands ``cagette library`` offers — found one (``init --community``), join one (``join CODE``), name or
remove a moderator (``moderators --add/--remove``) — each after a question.

Everything is read from the library at each drawing (the same calls the command line makes:
``stats``, ``moderators``, ``community_code``), so what is shown is what is on disk. A community's
moderators may change and retract the resources of every site of it: the questions say so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, DataTable, Input, Label, Static

from cagette.errors import CagetteError
from cagette.i18n import N_, _
from cagette_tui.appref import app_of
from cagette_tui.screens.base import CagetteScreen
from cagette_tui.screens.dialogs import ConfirmDialog
from cagette_tui.widgets.keys import KeysBar
from cagette_tui.widgets.titlebar import TitleBar

KEYS = [("Tab", N_("next control")), ("Enter", N_("press the button")), ("Esc", N_("back"))]


def role(site: str, founder: str, moderators: tuple[str, ...], ours: str) -> str:
    """A site's part in the community, in a glyph and words."""
    parts = []
    if site == founder:
        parts.append("✦ " + _("founder"))
    elif site in moderators:
        parts.append("★ " + _("moderator"))
    if site == ours:
        parts.append("● " + _("this site"))
    return ", ".join(parts) or "—"


class CommunityScreen(CagetteScreen):
    AUTO_FOCUS = "#sites"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", show=False)]

    DEFAULT_CSS = """
    CommunityScreen #community-body { padding: 0 2; }
    CommunityScreen #sites { height: auto; max-height: 10; }
    CommunityScreen .actions { height: auto; padding: 1 0 0 0; }
    CommunityScreen .actions Button { margin-right: 2; }
    CommunityScreen .actions Input { width: 1fr; }
    """

    def __init__(self, library: Any) -> None:
        super().__init__()
        self.library = library
        self.info: dict[str, Any] = {}
        self.site_rows: list[str] = []

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll(id="community-body", can_focus=False):
            yield Static(_("Community"), classes="title")
            yield Static("", id="site-text")
            yield Static("", id="community-text")
            yield Label(_("Sites this library knows:"))
            yield DataTable(id="sites", cursor_type="row")
            with Horizontal(classes="actions"):
                yield Button(_("Name the highlighted site a moderator"), id="add-moderator")
                yield Button(_("Remove it from the moderators"), id="remove-moderator")
            yield Label(_("Join a community: the code its founder gives (SITE:KEY)"))
            with Horizontal(classes="actions"):
                yield Input(id="join-code", placeholder="0a1b2c3d-…:0123456789abcdef")
                yield Button(_("Join"), id="join")
            yield Label(_("Found a community: its name"))
            with Horizontal(classes="actions"):
                yield Input(id="found-name")
                yield Button(_("Found"), id="found")
        yield KeysBar(KEYS)

    def on_mount(self) -> None:
        self.refill()

    def refill(self) -> None:
        table = self.query_one("#sites", DataTable)
        if not table.columns:
            table.add_columns(_("site"), _("name"), _("role"))
        self.show()

    # what is on disk -----------------------------------------------------------------
    def read(self) -> dict[str, Any]:
        lib = self.library
        st = lib.stats()
        community = st["community"]
        return {"site_id": st["site_id"], "site_name": st["site_name"], "key": st["key"], "sites": st["sites"],
                "community": community, "moderators": tuple(lib.moderators()),
                "code": lib.community_code() if community else ""}

    def show(self) -> None:
        try:
            self.info = info = self.read()
        except CagetteError as exc:
            app_of(self).show_error(exc)
            return
        names = {**info["sites"], info["site_id"]: info["site_name"]}
        self.query_one("#site-text", Static).update(
            _("This site: {name} — id {id} — key {key}").format(name=info["site_name"] or "—", id=info["site_id"],
                                                               key=info["key"] or "—"))
        community = info["community"]
        if community is None:
            said = _("This site belongs to no community: its resources are changed by it alone.")
        else:
            said = _("Community “{name}” (version {v}), founded by {founder}. Join code, for other sites: {code}").format(
                name=community["name"], v=community["version"],
                founder=names.get(community["id"]) or community["id"][:8], code=info["code"])
        self.query_one("#community-text", Static).update(said)
        founder = community["id"] if community else ""
        table = self.query_one("#sites", DataTable)
        row = table.cursor_row
        table.clear()
        self.site_rows = sorted(names, key=lambda s: (s != founder, s not in info["moderators"], names[s].casefold(), s))
        for site in self.site_rows:
            table.add_row(site, names[site] or "—", role(site, founder, info["moderators"], info["site_id"]), key=site)
        if self.site_rows:
            table.move_cursor(row=min(row, len(self.site_rows) - 1))

    # the commands ---------------------------------------------------------------------
    def on_button_pressed(self, event: Button.Pressed) -> None:
        action = {"add-moderator": self.ask_moderator, "remove-moderator": self.ask_remove, "join": self.ask_join,
                  "found": self.ask_found}.get(event.button.id or "")
        if action is not None:
            action()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "join-code":
            self.ask_join()
        elif event.input.id == "found-name":
            self.ask_found()

    def highlighted(self) -> str:
        row = self.query_one("#sites", DataTable).cursor_row
        return self.site_rows[row] if 0 <= row < len(self.site_rows) else ""

    def name_of(self, site: str) -> str:
        names = {**self.info.get("sites", {}), self.info.get("site_id", ""): self.info.get("site_name", "")}
        return names.get(site) or site[:8]

    def ask_moderator(self) -> None:
        site, community = self.highlighted(), self.info.get("community")
        if not site or community is None:
            self.app.notify(_("This site belongs to no community: found one or join one first."), severity="warning")
            return
        self.confirm(_("Name a moderator"), _(
            "Name {site} ({id}) a moderator of “{community}”? It will be able to change and retract the resources "
            "of every site of the community.").format(site=self.name_of(site), id=site, community=community["name"]),
            lambda: self.library.set_moderators([site], []))

    def ask_remove(self) -> None:
        site, community = self.highlighted(), self.info.get("community")
        if not site or community is None or site not in self.info.get("moderators", ()) or site == community["id"]:
            self.app.notify(_("Highlight a moderator first (★); the founder stays one."), severity="warning")
            return
        self.confirm(_("Remove a moderator"), _("Remove {site} ({id}) from the moderators of “{community}”?").format(
            site=self.name_of(site), id=site, community=community["name"]),
            lambda: self.library.set_moderators([], [site]))

    def ask_join(self) -> None:
        code = self.query_one("#join-code", Input).value.strip()
        if not code:
            self.app.notify(_("Type the community's code first."), severity="warning")
            return
        founder = code.partition(":")[0]
        self.confirm(_("Join a community"), _(
            "Join the community founded by {founder}? Its founder and moderators will be able to change and "
            "retract this site's resources.").format(founder=self.name_of(founder)),
            lambda: self.library.join_community(code))

    def ask_found(self) -> None:
        name = self.query_one("#found-name", Input).value.strip()
        if not name:
            self.app.notify(_("Type the community's name first."), severity="warning")
            return
        self.confirm(_("Found a community"), _(
            "Found the community “{name}”? This site becomes its founder and signs its list of moderators; other "
            "sites join it with the code shown then.").format(name=name),
            lambda: self.library.found_community(name))

    def confirm(self, title: str, text: str, change: Callable[[], object]) -> None:
        self.app.push_screen(ConfirmDialog(title, text, default_no=True),
                             lambda yes: self._apply(change) if yes else None)

    def _apply(self, change: Callable[[], object]) -> None:
        try:
            change()
        except CagetteError as exc:
            app_of(self).show_error(exc)
            return
        for field in ("#join-code", "#found-name"):
            self.query_one(field, Input).value = ""
        self.show()
        self.app.notify(_("Done: the community as this library now sees it."))
