"""``cagette serve``: offer the library to peers over HTTP."""

from __future__ import annotations

import os
from typing import Any

from cagette.commands import command
from cagette.i18n import _


def register(sub: Any) -> None:
    parser = command(
        sub, "serve",
        _("offer the library to other sites over HTTP (read-only, 127.0.0.1 by default)"),
        run,
        description=_("Serve the library for 'cagette sync http://host:port'. Read-only and on 127.0.0.1 "
                      "unless told otherwise; --lan needs a token (CAGETTE_TOKEN or --token)."),
    )
    parser.add_argument("--port", type=int, default=None, help=_("port to listen on (default 8470)"))
    parser.add_argument("--lan", action="store_true",
                        help=_("listen on every network interface (a token is then required)"))
    parser.add_argument("--token", default=None,
                        help=_("token peers must give to read (default: CAGETTE_TOKEN)"))
    parser.add_argument("--write-token", default=None,
                        help=_("token that also allows peers to push (without it: read-only)"))
    parser.add_argument("--advertise", action="store_true",
                        help=_("announce this peer on the LAN (zeroconf) for 'cagette sync discover'"))


def run(ns: Any, ctx: Any) -> int:
    from cagette.commands.sync import open_local
    from cagette.errors import UsageError
    from cagette.sync.server import ServeConfig, serve_forever

    settings = ctx.settings()
    port = ns.port if ns.port is not None else settings.serve.port
    token = ns.token or os.environ.get("CAGETTE_TOKEN") or None
    if ns.lan and not (token or ns.write_token):
        raise UsageError(_("--lan needs a token, so that only your peers can read the library."),
                         _("Set CAGETTE_TOKEN=… or add --token …"))
    if ns.write_token and ns.write_token == token:
        raise UsageError(_("The write token must differ from the read token."),
                         _("Choose another --write-token."))
    host = "0.0.0.0" if ns.lan else "127.0.0.1"
    library = open_local(ctx)
    config = ServeConfig(read_token=token, write_token=ns.write_token,
                         max_object_bytes=settings.serve.max_object_mb * 1024 * 1024)
    return serve_forever(library, config, host, port, ns.advertise)
