"""Sync the library with a folder (a USB stick), a LAN peer or a bucket: the plan first, then its progress.

Nothing moves before the person has read the plan (what comes in, what goes
out, how many bytes) and pressed Apply; the transfer runs in a worker with a
progress bar and can be cancelled.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Label, ListItem, ListView, Static

from cagette.errors import CagetteError
from cagette.i18n import N_, _
from cagette_tui.screens.library import human_size
from cagette_tui.widgets.job import JobPanel
from cagette_tui.widgets.keys import KeysBar

KEYS = [("Enter", N_("show the plan")), ("D", N_("discover LAN peers")), ("Y", N_("apply the plan")),
        ("Esc", N_("back"))]


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


class SyncScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", show=False),
        Binding("d", "discover", show=False),
        Binding("y", "apply", show=False),
    ]

    DEFAULT_CSS = """
    SyncScreen #sync-body { padding: 0 2; }
    SyncScreen #sync-actions { height: auto; padding: 1 0; }
    SyncScreen #sync-actions Button { margin-right: 2; }
    SyncScreen #peers { height: auto; max-height: 6; }
    """

    def __init__(self, library_path: Path) -> None:
        super().__init__()
        self.library_path = Path(library_path)
        self.prepared: Any = None
        self.remote_spec = ""
        self.outcome: Any = None
        self.peers: list[Any] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="sync-body"):
            yield Static(_("Sync the library"), classes="title")
            yield Static(_("Exchange resources with another library: a folder (a USB stick, a shared drive), "
                           "another cagette on the network (http://…), or a bucket (s3://bucket/prefix). "
                           "You see the plan before anything moves."), classes="lead")
            yield Label(_("Other library"))
            yield Input(id="remote", placeholder="/media/usb/cagette-library · http://192.168.1.30:8470 · s3://bucket")
            yield Static("", id="peers-label")
            yield ListView(id="peers")
            with Horizontal(id="sync-actions"):
                yield Button(_("Show the plan (Enter)"), id="plan", variant="primary")
                yield Button(_("Discover on the network (D)"), id="discover")
                yield Button(_("Apply (Y)"), id="apply", disabled=True)
            yield Static("", id="plan-text")
            yield JobPanel(id="job")
        yield KeysBar(KEYS)

    def on_mount(self) -> None:
        self.query_one("#remote", Input).focus()

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
            self.query_one("#remote", Input).value = event.item.name
            self.show_plan()

    def show_plan(self) -> None:
        spec = self.query_one("#remote", Input).value.strip()
        if not spec:
            self.app.notify(_("Type where the other library is, or discover one (D)."), severity="warning")
            return
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

    def _planned(self, result: tuple[Any, str]) -> None:
        prepared, name = result
        self.prepared = prepared
        self.query_one("#plan-text", Static).update(plan_text(prepared.plan, name))
        apply = self.query_one("#apply", Button)
        apply.disabled = prepared.plan.empty
        if not apply.disabled:
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

    def _applied(self, outcome: Any) -> None:
        self.outcome = outcome
        text = _("Done: {received} received, {sent} sent.").format(
            received=human_size(outcome.bytes_received), sent=human_size(outcome.bytes_sent))
        if outcome.unavailable:
            text += "\n" + _("{n} files were not available on the other side; sync again later.").format(
                n=len(outcome.unavailable))
        self.query_one("#plan-text", Static).update(text)
        self.app.notify(_("Sync finished."))

    # discovery ---------------------------------------------------------------------------
    def action_discover(self) -> None:
        self.query_one("#peers-label", Static).update(_("Looking for other cagette libraries on the network…"))
        self._discover()

    @work(thread=True, exclusive=True, group="discover")
    def _discover(self) -> None:
        try:
            from cagette.sync.discover import browse

            peers = browse(2.0)
        except CagetteError as exc:
            self.app.call_from_thread(self.app.show_error, exc)  # type: ignore[attr-defined]
            return
        except OSError as exc:
            error = CagetteError(
                _("Cannot look for other libraries on the network: {error}").format(error=exc.strerror or exc),
                _("Type the address of the other library instead."))
            self.app.call_from_thread(self.app.show_error, error)  # type: ignore[attr-defined]
            return
        self.app.call_from_thread(self._show_peers, peers)

    def _show_peers(self, peers: list[Any]) -> None:
        self.peers = peers
        view = self.query_one("#peers", ListView)
        view.clear()
        for peer in peers:
            view.append(ListItem(Label(f"{peer.site_name or peer.name} — {peer.url}"), name=peer.url))
        self.query_one("#peers-label", Static).update(
            _("{n} libraries found on the network: choose one.").format(n=len(peers)) if peers
            else _("No other library answered on the network."))

    def action_back(self) -> None:
        self.query_one("#job", JobPanel).cancel_or(lambda: self.dismiss(None))
