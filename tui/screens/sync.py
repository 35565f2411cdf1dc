"""Sync the library with a folder (a USB stick), a LAN peer or a bucket: the plan first, then its progress.

Nothing moves before the person has read the plan (what comes in, what goes
out, how many bytes) and pressed Apply; the transfer runs in a worker with a
progress bar and can be cancelled.

A discovered HTTPS peer shows its certificate's fingerprint. At first contact the person is
asked to compare it with the one that peer's screen shows and to trust it; it is then kept in the
library's ``local/peer-pins.json`` (:mod:`cagette.sync.pins`) and the sync address pins it
(``https://host:port?fp=…``, as on the command line). A peer that later announces another
fingerprint is refused before anything is sent, with the way out (F forgets it, after a question).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlencode

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, ListView, Static

from cagette.errors import CagetteError
from cagette.i18n import N_, _, ngettext
from cagette_tui.appref import app_of, from_worker
from cagette_tui.screens.base import CagetteScreen
from cagette_tui.screens.dialogs import ConfirmDialog
from cagette_tui.screens.library import human_size
from cagette_tui.widgets.job import JobPanel
from cagette_tui.widgets.keys import KeysBar
from cagette_tui.widgets.marks import Item
from cagette_tui.widgets.titlebar import TitleBar

KEYS = [("Enter", N_("show the plan")), ("D", N_("discover LAN peers")), ("Y", N_("apply the plan")),
        ("F", N_("forget a peer's fingerprint")), ("Esc", N_("back"))]


def plan_text(plan: Any, remote: str) -> str:
    """The plan in words: what comes in, what goes out."""
    from cagette.sync.plan import Direction

    if plan.empty:
        return _("Nothing to exchange with {remote}: both libraries are up to date.").format(remote=remote)
    lines = [_("Plan of the exchange with {remote}:").format(remote=remote)]
    for direction, label in ((Direction.PULL, _("Comes in")), (Direction.PUSH, _("Goes out"))):
        logs = plan.log_moves(direction)
        objects = plan.object_moves(direction)
        lines.append(_("{label}: {lines} log lines from {sites} sites, {files} files, {size} in all.").format(
            label=label, lines=sum(m.lines for m in logs), sites=len(logs), files=len(objects),
            size=human_size(sum(m.bytes for m in logs) + sum(m.size for m in objects))))
    if plan.deferred_objects:
        lines.append(_("{n} files are left for later.").format(n=plan.deferred_objects))
    lines.append(_("Press Apply (Y) to exchange, or Esc to leave everything as it is."))
    return "\n".join(lines)


def peer_name(peer: Any) -> str:
    return peer.site_name or peer.name


def peer_line(peer: Any, pins: dict[str, Any]) -> str:
    """A discovered peer in the list: its name, address and whether its certificate is trusted (a glyph and
    words, never a colour alone)."""
    from urllib.parse import urlsplit

    from cagette.sync import pins as pinning

    where = urlsplit(peer.url).netloc
    if not peer.fingerprint:
        state = "⚠ " + _("plain HTTP")
    else:
        state = {pinning.SAME: "🔒 " + _("fingerprint trusted"), pinning.NEW: "? " + _("first contact"),
                 pinning.CHANGED: "✘ " + _("fingerprint changed")}[
            pinning.check(pins, pinning.peer_key(peer.url, peer.site_id), peer.fingerprint)]
    return f"{peer_name(peer)} — {where} — {state}"


def peer_text(kind: str, peer: Any, trusted: str = "") -> str:
    """What is said of the chosen peer: trusted, plain HTTP, not trusted, refused, or forgotten."""
    if kind == "trusted":
        return "🔒 " + _("Certificate fingerprint trusted: {fp}").format(fp=peer.fingerprint)
    if kind == "http":
        return "⚠ " + _("{peer} serves plain HTTP: no certificate to check.").format(peer=peer_name(peer))
    if kind == "distrusted":
        return "✘ " + _("{peer} is not trusted: nothing was sent to it.").format(peer=peer_name(peer))
    if kind == "changed":
        return "✘ " + _("{peer} now shows the certificate {seen}, not the one trusted here ({trusted}): refused, "
                        "nothing was sent.").format(peer=peer_name(peer), seen=peer.fingerprint, trusted=trusted) + \
            "\n" + _("Someone may stand between you and that peer. If its library was reinstalled or copied, "
                     "compare the fingerprint its screen shows, forget the old one (F), and choose it again.")
    return _("Fingerprint forgotten.")


def first_contact_text(peer: Any) -> str:
    return _("{peer} (site {site}) shows this certificate fingerprint:\n\n{fp}\n\nCompare it with the one "
             "that computer shows ('cagette serve' prints it). If they are the same, trust it: this library "
             "remembers it and refuses any other certificate from {peer}.").format(
        peer=peer_name(peer), site=peer.site_id[:8] or "—", fp=peer.fingerprint)


class SyncScreen(CagetteScreen):
    AUTO_FOCUS = "#remote"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", show=False),
        Binding("d", "discover", show=False),
        Binding("y", "apply", show=False),
        Binding("f", "forget", show=False),
    ]

    DEFAULT_CSS = """
    SyncScreen #sync-body { padding: 0 2; }
    SyncScreen #sync-actions { height: auto; padding: 1 0; }
    SyncScreen #sync-actions Button { margin-right: 2; }
    SyncScreen #peers { height: auto; max-height: 6; }
    """

    def __init__(self, library_path: Path, browse: Callable[[float], list[Any]] | None = None) -> None:
        super().__init__()
        self.library_path = Path(library_path)
        self.browse = browse  # the LAN discovery (None: zeroconf, cagette.sync.discover.browse)
        self.chosen: Any = None  # the discovered peer chosen last
        self.peer_said: tuple[str, Any, str] | None = None
        self.prepared: Any = None
        self.remote_spec = ""
        self.outcome: Any = None
        self.peers: list[Any] = []

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll(id="sync-body", can_focus=False):
            yield Static(_("Sync the library"), classes="title")
            yield Static(_("Exchange resources with another library: a folder (a USB stick, a shared drive), "
                           "another cagette on the network (http://…), or a bucket (s3://bucket/prefix). "
                           "You see the plan before anything moves."), classes="lead")
            yield Label(_("Other library"))
            yield Input(id="remote", placeholder="/media/usb/cagette-library · http://192.168.1.30:8470 · s3://bucket")
            yield Label(_("Token (if the other library asks for one)"))
            yield Input(id="token", password=True)
            yield Static("", id="peers-label")
            yield ListView(id="peers")
            yield Static("", id="peer-text")
            with Horizontal(id="sync-actions"):
                yield Button(_("Show the plan (Enter)"), id="plan", variant="primary")
                yield Button(_("Discover on the network (D)"), id="discover")
                yield Button(_("Apply (Y)"), id="apply", disabled=True)
            yield Static("", id="plan-text")
            yield JobPanel(id="job")
        yield KeysBar(KEYS)

    # the plan ----------------------------------------------------------------------
    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.show_plan()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        action = {"plan": self.show_plan, "discover": self.action_discover, "apply": self.action_apply}.get(
            event.button.id or "")
        if action is not None:
            action()

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        if event.list_view.id == "peers" and event.item.name:
            peer = next((p for p in self.peers if p.url == event.item.name), None)
            if peer is not None:
                self.choose_peer(peer)

    def show_plan(self) -> None:
        spec = self.query_one("#remote", Input).value.strip()
        if not spec:
            self.app.notify(_("Type where the other library is, or discover one (D)."), severity="warning")
            return
        token = self.query_one("#token", Input).value.strip()
        if token and spec.startswith(("http://", "https://")):
            spec += ("&" if "?" in spec else "?") + urlencode({"token": token})
        self.remote_spec = spec
        self.prepared = None
        self.query_one("#apply", Button).disabled = True
        library = self.library_path

        def prepare(progress: Any) -> Any:
            from cagette.sync.apply import open_remote, prepare
            from cagette.sync.local import LocalLibrary

            progress.start(_("Comparing the two libraries"), None)
            local = LocalLibrary(library, ours=True, create=True)
            with open_remote(spec) as remote:
                return prepare(local, remote), remote.name

        self.query_one("#job", JobPanel).start(prepare, self._planned, _("Comparing the two libraries…"))

    def refill(self) -> None:
        """After F2: the peers found, the plan shown or the outcome, in the new language."""
        if self.peers:
            self._show_peers(self.peers)
        if self.peer_said is not None:
            self._say(*self.peer_said)
        if self.outcome is not None:
            self._applied(self.outcome, quiet=True)
        elif self.prepared is not None:
            self._planned((self.prepared, self.remote_name), focus=False)

    remote_name = ""

    def _planned(self, result: tuple[Any, str], focus: bool = True) -> None:
        prepared, name = result
        self.prepared, self.remote_name = prepared, name
        text = plan_text(prepared.plan, name)
        if prepared.push_refused:  # a read-only peer: only pulled from
            text += "\n" + prepared.push_refused
        self.query_one("#plan-text", Static).update(text)
        apply = self.query_one("#apply", Button)
        apply.disabled = prepared.plan.empty
        if not apply.disabled and focus:
            apply.focus()

    def action_apply(self) -> None:
        if self.prepared is None or self.prepared.plan.empty:
            self.app.notify(_("Show the plan first (Enter)."), severity="warning")
            return
        prepared, spec, library = self.prepared, self.remote_spec, self.library_path
        self.prepared = None
        self.query_one("#apply", Button).disabled = True

        def apply(progress: Any) -> Any:
            from cagette.sync.apply import apply, open_remote
            from cagette.sync.local import LocalLibrary

            local = LocalLibrary(library, ours=True, create=True)
            with open_remote(spec) as remote:
                return apply(local, remote, prepared, progress)

        self.query_one("#job", JobPanel).start(apply, self._applied, _("Syncing…"))

    def _applied(self, outcome: Any, quiet: bool = False) -> None:
        self.outcome = outcome
        text = _("Done: {received} received, {sent} sent.").format(
            received=human_size(outcome.bytes_received), sent=human_size(outcome.bytes_sent))
        if outcome.unavailable:
            text += "\n" + _("{n} files were not available on the other side; sync again later.").format(
                n=len(outcome.unavailable))
        if outcome.push_refused:  # a read-only peer: the pull was applied, nothing was sent
            text += "\n" + outcome.push_refused
        self.query_one("#plan-text", Static).update(text)
        if not quiet:
            self.app.notify(_("Sync finished."))

    # discovery ---------------------------------------------------------------------------
    def action_discover(self) -> None:
        self.query_one("#peers-label", Static).update(_("Looking for other cagette libraries on the network…"))
        self._discover()

    @work(thread=True, exclusive=True, group="discover")
    def _discover(self) -> None:
        try:
            from cagette.sync.discover import browse

            peers = (self.browse or browse)(2.0)
        except CagetteError as exc:
            self.app.call_from_thread(app_of(self).show_error, exc)
            return
        except OSError as exc:
            error = CagetteError(
                _("Cannot look for other libraries on the network: {error}").format(error=exc.strerror or exc),
                _("Type the address of the other library instead."))
            self.app.call_from_thread(app_of(self).show_error, error)
            return
        from_worker(self, self._show_peers, peers)

    def _show_peers(self, peers: list[Any]) -> None:
        self.peers = peers
        view = self.query_one("#peers", ListView)
        view.clear()
        pins = self._pins()
        for peer in peers:
            view.append(Item(peer_line(peer, pins), name=peer.url))
        self.query_one("#peers-label", Static).update(
            ngettext("{n} library found on the network: choose it.", "{n} libraries found on the network: choose one.",
                     len(peers)).format(n=len(peers)) if peers
            else _("No other library answered on the network."))

    # certificate fingerprints ----------------------------------------------------------
    def _pins(self) -> dict[str, Any]:
        from cagette.sync import pins

        try:
            return pins.load(self.library_path)
        except CagetteError as exc:
            app_of(self).show_error(exc)
            return {}

    def choose_peer(self, peer: Any) -> None:
        """A discovered peer chosen: an HTTP one is used as it is; an HTTPS one only with its fingerprint
        trusted (asked at first contact) and the same as the one trusted."""
        from cagette.sync import pins

        self.chosen = peer
        if not peer.fingerprint:
            self._use(peer)
            return
        key = pins.peer_key(peer.url, peer.site_id)
        known = self._pins()
        state = pins.check(known, key, peer.fingerprint)
        if state == pins.SAME:
            self._use(peer)
        elif state == pins.NEW:
            self.app.push_screen(ConfirmDialog(
                _("First contact with {peer}").format(peer=peer_name(peer)), first_contact_text(peer),
                yes=_("Trust it and remember (Y)"), no=_("Do not trust (N)"), default_no=True),
                lambda yes: self._trusted(peer, key) if yes else self._distrusted(peer))
        else:
            self._refuse(peer, known[key].fingerprint)

    def _trusted(self, peer: Any, key: str) -> None:
        from cagette.sync import pins

        try:
            pins.trust(self.library_path, key, peer.fingerprint, peer_name(peer), pins.address(peer.url))
        except CagetteError as exc:
            app_of(self).show_error(exc)
            return
        self._show_peers(self.peers)
        self._use(peer)

    def _say(self, kind: str, peer: Any = None, trusted: str = "") -> None:
        """What the screen says of the chosen peer (kept as data: F2 says it again in the other language)."""
        self.peer_said = (kind, peer, trusted)
        self.query_one("#peer-text", Static).update(peer_text(kind, peer, trusted))

    def _distrusted(self, peer: Any) -> None:
        self._say("distrusted", peer)

    def _use(self, peer: Any) -> None:
        self._say("trusted" if peer.fingerprint else "http", peer)
        self.query_one("#remote", Input).value = peer.url
        if peer.token_required and not self.query_one("#token", Input).value.strip():
            self.app.notify(_("{peer} asks for a token: type it, then press Enter.").format(peer=peer_name(peer)),
                            severity="warning")
            self.query_one("#token", Input).focus()
            return
        self.show_plan()

    def _refuse(self, peer: Any, trusted: str) -> None:
        self._say("changed", peer, trusted)
        self.query_one("#remote", Input).value = ""
        self.prepared = None
        self.query_one("#apply", Button).disabled = True
        self.app.notify(peer_text("changed", peer, trusted).split("\n")[0], severity="error", timeout=20)

    def action_forget(self) -> None:
        from cagette.sync import pins

        peer = self.chosen
        key = pins.peer_key(peer.url, peer.site_id) if peer is not None else ""
        if peer is None or key not in self._pins():
            self.app.notify(_("Choose a trusted peer first (D to discover them)."), severity="warning")
            return
        self.app.push_screen(ConfirmDialog(
            _("Forget the fingerprint of {peer}?").format(peer=peer_name(peer)),
            _("Its certificate will be asked about again at the next contact."), default_no=True),
            lambda yes: self._forget(key) if yes else None)

    def _forget(self, key: str) -> None:
        from cagette.sync import pins

        try:
            pins.forget(self.library_path, key)
        except CagetteError as exc:
            app_of(self).show_error(exc)
            return
        self._say("forgotten")
        self._show_peers(self.peers)

    def action_back(self) -> None:
        self.query_one("#job", JobPanel).cancel_or(lambda: self.dismiss(None))
