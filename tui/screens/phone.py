"""The phone upload page: its address and QR code drawn in the terminal, served while the dialog is open."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Button, Static

from cagette.errors import CagetteError
from cagette.i18n import _
from cagette_tui.appref import app_of, from_worker
from cagette_tui.screens.base import CagetteDialog

if TYPE_CHECKING:
    from cagette.video.project import Project


class PhoneDialog(CagetteDialog):
    AUTO_FOCUS = "#close"
    """Starts :class:`cagette.capture.phone.PhoneServer` for the project; Esc stops it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", show=False)]
    DEFAULT_CSS = """
    PhoneDialog { align: center middle; }
    PhoneDialog > VerticalScroll { width: auto; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 2; }
    PhoneDialog #qr { width: auto; background: black; color: white; }
    """

    def __init__(self, project: Project, host: str = "0.0.0.0", port: int | None = None) -> None:
        super().__init__()
        self.project = project
        self.host = host
        self.port = port
        self.server: Any = None
        self.url = ""
        self.shown: tuple[list[str], str] | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(can_focus=False):  # the code is taller than a small terminal
            yield Static(_("Phone upload page"), classes="title")
            yield Button(_("Close (Esc): the page stops"), id="close")  # first: on screen whatever the code's size
            yield Static(_("Starting the page…"), id="phone-text")
            yield Static("", id="qr", markup=False)

    def on_mount(self) -> None:
        self._start()

    @work(thread=True)
    def _start(self) -> None:
        from cagette import settings
        from cagette.capture.phone import PhoneServer, qr_text
        from cagette.capture.sources import local_addresses

        try:
            conf = settings.current().capture
            port = self.port or conf.phone_port
            server = PhoneServer(self.project, host=self.host, port=port,
                                 max_bytes=conf.upload_max_mb * 1024 * 1024).start()
        except CagetteError as exc:
            self.app.call_from_thread(app_of(self).show_error, exc)
            from_worker(self, self.dismiss, None)
            return
        self.server = server
        hosts = ["127.0.0.1"] if self.host == "127.0.0.1" else (local_addresses() or ["127.0.0.1"])
        self.url = server.url(hosts[0])
        others = [server.url(h) for h in hosts[1:]]
        from_worker(self, self._show, others, qr_text(self.url))

    def _show(self, others: list[str], qr: str) -> None:
        self.shown = (others, qr)
        text = _("On the phone, on the same Wi-Fi, open this address or scan the code:") + f"\n{self.url}"
        if others:
            text += "\n" + _("or:") + "\n" + "\n".join(others)
        text += "\n" + _("Uploaded clips and photos become shots of the chosen scene; sounds become its voice-over.")
        self.query_one("#phone-text", Static).update(text)
        self.query_one("#qr", Static).update(qr.rstrip("\n"))

    def refill(self) -> None:
        if self.shown is not None:  # F2: the address and the code stay (the page keeps running)
            self._show(*self.shown)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_close()

    def action_close(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
        self.dismiss(None)

    def on_unmount(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
