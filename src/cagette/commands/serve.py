"""``cagette serve``: offer the library to peers over HTTP (HTTPS on the LAN)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from cagette.commands import command
from cagette.i18n import _

if TYPE_CHECKING:
    from cagette.cli import Context
    from cagette.commands import SubParsers
    from cagette.commands.args import ServeArgs


def register(sub: SubParsers) -> None:
    parser = command(
        sub, "serve",
        _("offer the library to other sites over HTTP (read-only, 127.0.0.1 by default)"),
        run,
        description=_("Serve the library for 'cagette sync http://host:port'. Read-only and on 127.0.0.1 "
                      "unless told otherwise; --lan serves HTTPS on the network and needs a read token "
                      "(CAGETTE_TOKEN or --token); peers pin the certificate fingerprint it prints."),
    )
    parser.add_argument("--port", type=int, default=None, help=_("port to listen on (default 8470)"))
    parser.add_argument("--lan", action="store_true",
                        help=_("listen on every network interface, over HTTPS (a read token is then required)"))
    parser.add_argument("--tls", action="store_true",
                        help=_("serve HTTPS on 127.0.0.1 too (--lan always does)"))
    parser.add_argument("--token", default=None,
                        help=_("token peers must give to read (default: CAGETTE_TOKEN)"))
    parser.add_argument("--write-token", default=None,
                        help=_("token that also allows peers to push (without it: read-only)"))
    parser.add_argument("--advertise", action="store_true",
                        help=_("announce this peer and its fingerprint on the LAN (zeroconf) for "
                               "'cagette sync discover'"))
    limits = parser.add_argument_group(_("limits (default: the [serve] settings)"))
    limits.add_argument("--max-object-mb", type=int, default=None, metavar="MB",
                        help=_("largest file a peer may push"))
    limits.add_argument("--max-request-mb", type=int, default=None, metavar="MB",
                        help=_("largest other request (JSON, log lines)"))
    limits.add_argument("--max-connections", type=int, default=None, metavar="N",
                        help=_("connections at once; beyond, peers are asked to come back"))
    limits.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                        help=_("close a client silent this long, or that has not sent its request headers"))
    limits.add_argument("--min-rate", type=float, default=None, metavar="KB/S",
                        help=_("close a client slower than this while the server waits on it"))
    limits.add_argument("--allow-host", action="append", default=None, metavar="NAME",
                        help=_("a host name peers may use besides IP addresses and this machine's name "
                               "(repeatable; [serve] allowed_hosts)"))


def run(ns: ServeArgs, ctx: Context) -> int:
    from dataclasses import replace

    from cagette.commands.sync import open_local
    from cagette.errors import UsageError
    from cagette.sync.server import ServeConfig
    from cagette.sync.serving import serve_forever

    settings = ctx.settings()
    conf = settings.serve
    numbers = {"max-object-mb": ("max_object_mb", ns.max_object_mb),
               "max-request-mb": ("max_request_mb", ns.max_request_mb),
               "max-connections": ("max_connections", ns.max_connections),
               "timeout": ("timeout_s", ns.timeout), "min-rate": ("min_rate_kb_s", ns.min_rate)}
    for option, (_key, value) in numbers.items():
        if value is not None and value <= 0:
            raise UsageError(_("--{option} must be more than 0.").format(option=option), _("Give a positive number."))
    overrides: dict[str, Any] = {key: value for key, value in numbers.values() if value is not None}
    if ns.allow_host is not None:
        overrides["allowed_hosts"] = tuple(ns.allow_host)
    conf = replace(conf, **overrides)
    port = ns.port if ns.port is not None else conf.port
    token = ns.token or os.environ.get("CAGETTE_TOKEN") or None
    if ns.lan and not token:
        raise UsageError(_("--lan needs a read token, so that only your peers can read the library."),
                         _("Set CAGETTE_TOKEN=… or add --token … (the write token is another one)."))
    if ns.write_token and ns.write_token == token:
        raise UsageError(_("The write token must differ from the read token."),
                         _("Choose another --write-token."))
    host = "0.0.0.0" if ns.lan else "127.0.0.1"
    library = open_local(ctx)
    config = ServeConfig.from_settings(conf, settings.sync.keep_free_mb, read_token=token,
                                       write_token=ns.write_token)
    return serve_forever(library, config, host, port, ns.advertise, tls=ns.tls)
