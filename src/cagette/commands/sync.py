"""``cagette sync REMOTE``: exchange log lines and objects with another library.

``cagette sync discover`` lists the ``cagette serve`` peers announced on the LAN.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from cagette.commands import command
from cagette.commands._output import add_json
from cagette.i18n import _

if TYPE_CHECKING:
    from cagette.cli import Context
    from cagette.commands import SubParsers
    from cagette.commands.args import SyncArgs


def register(sub: SubParsers) -> None:
    parser = command(
        sub, "sync",
        _("sync the library with a folder, a 'cagette serve' peer or an S3 bucket (both ways by default)"),
        run,
        description=_("Sync the library with REMOTE: a library folder (a USB stick), http://host:port "
                      "(cagette serve; token in CAGETTE_TOKEN or ?token=; https://host:port?fp=… pins the "
                      "certificate 'cagette serve --lan' printed), or s3://bucket/prefix. The plan is shown, "
                      "then applied. A peer that takes no writes is only pulled from. 'cagette sync discover' "
                      "lists the peers on the LAN. A fingerprint given once (or trusted in the app) is remembered "
                      "for that address; 'cagette sync trusted' lists them, --forget PEER forgets one."),
    )
    parser.add_argument("remote", metavar="REMOTE",
                        help=_("a library folder, http://host:port, https://host:port?fp=…, s3://bucket/prefix, "
                               "'discover' or 'trusted'"))
    way = parser.add_mutually_exclusive_group()
    way.add_argument("--pull", action="store_true", help=_("only take what the remote has"))
    way.add_argument("--push", action="store_true", help=_("only give what the remote lacks"))
    parser.add_argument("--only", action="append", default=[], metavar="TAG",
                        help=_("move only the files of resources with this tag (repeatable)"))
    parser.add_argument("--metadata-only", action="store_true",
                        help=_("move the logs only; files follow at a later sync"))
    parser.add_argument("--dry-run", action="store_true", help=_("show the plan and change nothing"))
    parser.add_argument("--endpoint", metavar="URL", help=_("S3 endpoint (default: [sync] s3_endpoint)"))
    limits = parser.add_argument_group(_("limits (default: the [sync] settings)"))
    limits.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                        help=_("give up on a peer silent this long (default: [sync] timeout_s)"))
    limits.add_argument("--deadline", type=float, default=None, metavar="SECONDS",
                        help=_("give up on a sync that lasts longer than this"))
    limits.add_argument("--min-rate", type=float, default=None, metavar="KB/S",
                        help=_("give up on a peer slower than this while waiting on it (0: no minimum)"))
    limits.add_argument("--max-object-mb", type=float, default=None, metavar="MB",
                        help=_("refuse a file larger than this"))
    limits.add_argument("--max-response-mb", type=float, default=None, metavar="MB",
                        help=_("refuse an answer (state, log lines, lists) larger than this once decompressed"))
    limits.add_argument("--keep-free-mb", type=float, default=None, metavar="MB",
                        help=_("refuse a sync that would leave less free disk space than this"))
    parser.add_argument("--wait", type=float, default=2.0, metavar="SECONDS",
                        help=_("with 'discover': how long to listen for peers"))
    parser.add_argument("--forget", metavar="PEER",
                        help=_("with 'trusted': forget the fingerprint trusted for PEER (its site id or host:port)"))
    add_json(parser)


def open_local(ctx: Context) -> Any:
    """This site's library, chosen and (for the default one only) created as every command does."""
    from cagette.flows.seeding import open_choice
    from cagette.sync.local import LocalLibrary

    lib = open_choice(ctx.library(), ctx.settings())
    return LocalLibrary(lib.path, ours=True)


def _size(n: float) -> str:
    from cagette.sync.limits import human_size

    return human_size(n)


def limits_of(ns: SyncArgs) -> Any:
    """The sync's limits: the [sync] settings, overridden by the options given."""
    from cagette.sync.limits import Limits

    return Limits.from_settings(timeout_s=ns.timeout, deadline_s=ns.deadline, min_rate_kb_s=ns.min_rate,
                                max_object_mb=ns.max_object_mb, max_response_mb=ns.max_response_mb,
                                keep_free_mb=ns.keep_free_mb)


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


def with_trusted_fingerprint(spec: str, library_root: Any) -> tuple[str, str | None]:
    """*spec*, and the fingerprint to remember once the sync succeeded (one typed with ?fp= and not yet
    trusted for its address). An ``https://`` address without ``?fp=`` gets the fingerprint trusted for
    its host and port, in the app or at an earlier sync."""
    if not spec.startswith("https://"):
        return spec, None
    from cagette.sync import pins
    from cagette.sync.http import split_url

    _base, _token, given = split_url(spec)
    known = pins.for_address(pins.load(library_root), spec)
    if given is None:
        if known is None:
            return spec, None
        print(_("Using the certificate fingerprint trusted for {peer}.").format(peer=known.name or known.peer),
              file=sys.stderr)
        return spec + ("&" if "?" in spec else "?") + "fp=" + known.fingerprint, None
    return spec, None if known is not None and known.fingerprint == given else given


def run(ns: SyncArgs, ctx: Context) -> int:
    if ns.remote == "discover":
        return run_discover(ns, ctx)
    if ns.remote == "trusted":
        return run_trusted(ns, ctx)
    from cagette.commands._output import cli_progress, emit_json
    from cagette.sync.apply import apply, open_remote, prepare
    from cagette.sync.plan import Direction

    direction = Direction.PULL if ns.pull else Direction.PUSH if ns.push else Direction.BOTH
    local = open_local(ctx)
    spec, to_trust = with_trusted_fingerprint(ns.remote, local.root)
    with open_remote(spec, endpoint=ns.endpoint, limits=limits_of(ns)) as remote:
        prepared = prepare(local, remote, direction, ns.only, ns.metadata_only)
        show_plan(prepared.plan, remote.name, sys.stderr if ns.json else sys.stdout)
        if ns.dry_run:
            if prepared.push_refused:
                print(prepared.push_refused, file=sys.stderr if ns.json else sys.stdout)
            if ns.json:
                emit_json({"dry_run": True, "plan": prepared.plan.to_dict()})
            return 0
        with cli_progress(quiet=ns.json or prepared.plan.empty) as progress:
            outcome = apply(local, remote, prepared, progress)
    if to_trust is not None:  # the peer showed the certificate typed: next time, the address alone will do
        from cagette.sync import pins

        pins.trust(local.root, pins.address(spec), to_trust, remote.name, pins.address(spec))
        print(_("Certificate fingerprint remembered for {peer}: 'cagette sync https://{peer}' will do next time.")
              .format(peer=pins.address(spec)), file=sys.stderr)
    if ns.json:
        emit_json({"dry_run": False, **outcome.to_dict()})
    else:
        if outcome.unavailable:
            print(_("{n} files were not on the remote; they will come from another site.").format(
                n=len(outcome.unavailable)))
        if outcome.push_refused:
            print(outcome.push_refused)
        print(_("Done: {received} received, {sent} sent.").format(
            received=_size(outcome.bytes_received), sent=_size(outcome.bytes_sent)))
    return 0


def run_trusted(ns: SyncArgs, ctx: Context) -> int:
    """The certificate fingerprints this library trusts (the app's and the command line's), or forget one."""
    from cagette.commands._output import emit_json, table
    from cagette.errors import UsageError
    from cagette.sync import pins

    root = open_local(ctx).root
    if ns.forget is not None:
        if not pins.forget(root, ns.forget):
            raise UsageError(_("No fingerprint is trusted for {peer}.").format(peer=ns.forget),
                             _("'cagette sync trusted' lists the peers trusted, by site id or host:port."))
        print(_("Forgotten: {peer} will be asked about again at its next contact.").format(peer=ns.forget))
        return 0
    known = sorted(pins.load(root).values(), key=lambda p: p.peer)
    if ns.json:
        emit_json([{"peer": p.peer, **p.to_dict()} for p in known])
        return 0
    if not known:
        print(_("No peer's certificate is trusted yet."))
        return 0
    table([(p.peer, p.name or "-", p.address or "-", p.fingerprint) for p in known],
          headers=[_("Peer"), _("Name"), _("Address"), _("Fingerprint")])
    return 0


def run_discover(ns: SyncArgs, ctx: Context) -> int:
    from cagette.commands._output import emit_json, table
    from cagette.sync.discover import browse

    peers = browse(ns.wait)
    if ns.json:
        emit_json([p.to_dict() for p in peers])
        return 0
    if not peers:
        print(_("No cagette peer answered within {n:g} s.").format(n=ns.wait))
        return 0
    table([(p.name, p.url, p.site_name, _("yes") if p.token_required else _("no"), p.fingerprint or "-")
           for p in peers], headers=[_("Name"), _("Address"), _("Site"), _("Token"), _("Fingerprint")])
    return 0
