"""``cagette web``: the same app in a browser (textual-serve)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cagette.commands import command
from cagette.i18n import _

if TYPE_CHECKING:
    from cagette.cli import Context
    from cagette.commands import SubParsers
    from cagette.commands.args import WebArgs


def register(sub: SubParsers) -> None:
    parser = command(sub, "web", _("serve the app in a web browser (127.0.0.1 by default)"), run)
    parser.add_argument("--port", type=int, default=None, help=_("port to listen on (default 8472)"))
    parser.add_argument("--host", default="127.0.0.1", help=_("address to listen on (default 127.0.0.1)"))
    parser.add_argument("--open", action="store_true", help=_("open the browser once the server is ready"))


def run(ns: WebArgs, ctx: Context) -> int:
    from cagette.launcher import run_web

    port = ns.port or ctx.settings().web.port
    return run_web(ctx, ns.host, port, ns.open)
