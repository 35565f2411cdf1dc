"""``cagette sync REMOTE``: exchange log lines and objects with another library.

``cagette sync discover`` lists the ``cagette serve`` peers announced on the LAN.
"""

from __future__ import annotations

import sys
from typing import Any

from cagette.commands import command
from cagette.commands._output import add_json
from cagette.i18n import _


def register(sub: Any) -> None:
    parser = command(
        sub, "sync",
        _("sync the library with a folder, a 'cagette serve' peer or an S3 bucket (both ways by default)"),
        run,
        description=_("Sync the library with REMOTE: a library folder (a USB stick), http://host:port "
                      "(cagette serve; token in CAGETTE_TOKEN or ?token=), or s3://bucket/prefix. "
                      "The plan is shown, then applied. 'cagette sync discover' lists the peers on the LAN."),
    )
    parser.add_argument("remote", metavar="REMOTE",
                        help=_("a library folder, http://host:port, s3://bucket/prefix, or 'discover'"))
    way = parser.add_mutually_exclusive_group()
    way.add_argument("--pull", action="store_true", help=_("only take what the remote has"))
    way.add_argument("--push", action="store_true", help=_("only give what the remote lacks"))
    parser.add_argument("--only", action="append", default=[], metavar="TAG",
                        help=_("move only the files of resources with this tag (repeatable)"))
    parser.add_argument("--metadata-only", action="store_true",
                        help=_("move the logs only; files follow at a later sync"))
    parser.add_argument("--dry-run", action="store_true", help=_("show the plan and change nothing"))
    parser.add_argument("--endpoint", metavar="URL", help=_("S3 endpoint (default: [sync] s3_endpoint)"))
    parser.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                        help=_("give up on a peer silent this long (default: [sync] timeout_s)"))
    parser.add_argument("--wait", type=float, default=2.0, metavar="SECONDS",
                        help=_("with 'discover': how long to listen for peers"))
    add_json(parser)


def open_local(ctx: Any) -> Any:
    """This site's library, chosen and (for the default one only) created as every command does."""
    from cagette.library.library import open_choice
    from cagette.sync.local import LocalLibrary

    lib = open_choice(ctx.library(), ctx.settings())
    return LocalLibrary(lib.path, ours=True)


def _size(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


def show_plan(plan: Any, remote: str, stream: Any) -> None:
    d = plan.to_dict()
    lines = [_("Plan for {remote}:").format(remote=remote)]
    for key, label in (("pull", _("receive")), ("push", _("send"))):
        s = d[key]
        lines.append(_("  {label}: {lines} log lines, {objects} files, {size}").format(
            label=label, lines=s["log_lines"], objects=s["objects"], size=_size(s["bytes"])))
    if d["deferred_objects"]:
        lines.append(_("  {n} files left for a later sync (--metadata-only)").format(n=d["deferred_objects"]))
    if plan.empty:
        lines.append(_("  nothing to do: both sides are in sync"))
    stream.write("\n".join(lines) + "\n")
    stream.flush()


def run(ns: Any, ctx: Any) -> int:
    if ns.remote == "discover":
        return run_discover(ns, ctx)
    from cagette.commands._output import cli_progress, emit_json
    from cagette.sync.apply import apply, open_remote, prepare
    from cagette.sync.plan import Direction

    direction = Direction.PULL if ns.pull else Direction.PUSH if ns.push else Direction.BOTH
    local = open_local(ctx)
    with open_remote(ns.remote, endpoint=ns.endpoint, timeout_s=ns.timeout) as remote:
        prepared = prepare(local, remote, direction, ns.only, ns.metadata_only)
        show_plan(prepared.plan, remote.name, sys.stderr if ns.json else sys.stdout)
        if ns.dry_run:
            if ns.json:
                emit_json({"dry_run": True, "plan": prepared.plan.to_dict()})
            return 0
        with cli_progress(quiet=ns.json or prepared.plan.empty) as progress:
            outcome = apply(local, remote, prepared, progress)
    if ns.json:
        emit_json({"dry_run": False, **outcome.to_dict()})
    else:
        if outcome.unavailable:
            print(_("{n} files were not on the remote; they will come from another site.").format(
                n=len(outcome.unavailable)))
        print(_("Done: {received} received, {sent} sent.").format(
            received=_size(outcome.bytes_received), sent=_size(outcome.bytes_sent)))
    return 0


def run_discover(ns: Any, ctx: Any) -> int:
    from cagette.commands._output import emit_json, table
    from cagette.sync.discover import browse

    peers = browse(ns.wait)
    if ns.json:
        emit_json([p.to_dict() for p in peers])
        return 0
    if not peers:
        print(_("No cagette peer answered within {n:g} s.").format(n=ns.wait))
        return 0
    table([(p.name, p.url, p.site_name, _("yes") if p.token_required else _("no")) for p in peers],
          headers=[_("Name"), _("Address"), _("Site"), _("Token")])
    return 0
