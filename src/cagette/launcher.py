"""Opens the Textual app, importing it only now (front-end floor).

``cagette`` with no arguments runs :func:`run_app`; ``cagette web`` runs
:func:`run_web`, which serves the same app in a browser with textual-serve.
"""

from __future__ import annotations

import shlex
import sys
from typing import TYPE_CHECKING

from cagette.errors import UsageError
from cagette.i18n import _, current_language

if TYPE_CHECKING:
    from cagette.cli import Context


def run_app(ctx: Context) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(
            _("The app needs a terminal, and this command has none."),
            _("Run 'cagette --help' to see the commands, or 'cagette web' to open it in a browser."),
        )
    from cagette_tui.app import CagetteApp
    from cagette_tui.widgets.picture import prepare_graphics

    prepare_graphics()  # asks the terminal (only one that may draw pictures) before the app takes it
    app = CagetteApp(lang=current_language(), library=ctx.library_option)
    app.run()
    return int(app.return_code or 0)


def app_command(lang: str, library: str | None) -> str:
    """The shell command textual-serve runs for each browser session."""
    parts = [sys.executable, "-m", "cagette_tui", "--lang", lang]
    if library:
        parts += ["--library", library]
    return shlex.join(parts)


def run_web(ctx: Context, host: str, port: int, open_browser: bool) -> int:
    from textual_serve.server import Server

    from cagette_tui.serve import check_port_free

    check_port_free(host, port)

    url = f"http://{host}:{port}/"
    server = Server(app_command(current_language(), ctx.library_option), host=host, port=port,
                    title="cagette", public_url=url[:-1])
    print(_("The app is served at {url} (Ctrl-C to stop).").format(url=url), flush=True)
    if open_browser:
        import threading
        import webbrowser

        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    server.serve()
    return 0
