"""The log half of a sync's plan: high-water marks, the lines to pull checked, the objects to move.

:func:`fetch_logs` asks the remote for its marks (one line count per site, answered against
ours), plans the moves (:func:`cagette.sync.plan.plan_logs`), fetches the lines to pull and
checks them all together (:meth:`cagette.sync.local.LocalLibrary.check_batches`) before
anything is written. A remote holding more of our own log gives it back (a library restored
from a backup); one holding *different* lines of it makes this library take a new site id
that succeeds the old one (:meth:`cagette.library.library.Library.fork_site`), and the plan
is made again. The descriptive objects the pulled lines reference are fetched with them
(they carry the tags ``--only`` selects by), and published when the lines are.

:func:`plan_object_moves` then lists the objects to move without sending any list of
hashes: we push the objects our pushed lines reference that the lines the remote holds do
not, and pull on trust what the merged resources use that we lack.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from cagette.errors import SyncError
from cagette.i18n import _
from cagette.sync.plan import Direction, LogMove, ObjectMove, OwnLogDiverged, SideState, plan_logs, plan_objects

if TYPE_CHECKING:
    from cagette.sync.local import LocalLibrary

MAX_META = 256 * 1024


def _hostile() -> str:
    return _("The other side is damaged or hostile; nothing was changed here.")


def fetch_logs(local: LocalLibrary, remote: Any, direction: Direction, rstate: SideState | None = None) -> tuple[
        SideState, SideState, tuple[LogMove, ...], dict[str, bytes], dict[str, list[Any]]]:
    """``(our state, the remote's, the log moves, the pulled lines, their events)``. *rstate*: the
    remote's answer to ``remote.state(local.log_sizes())`` when the caller asked already."""
    for _attempt in range(2):
        if rstate is None:
            rstate = remote.state(local.log_sizes())
        lstate = local.state(rstate.sizes())
        try:
            moves = plan_logs(lstate, rstate, direction, remote.name)
        except OwnLogDiverged as exc:
            local.recover_own_log(remote, exc.site, rstate.logs[exc.site].lines)
            rstate = None  # our site id changed: ask again
            continue
        tails: dict[str, bytes] = {}
        starts: dict[str, int] = {}
        for move in moves:
            if move.direction is not Direction.PULL:
                continue
            data = remote.read_log(move.site, move.start, move.end)
            if data.count(b"\n") != move.lines or (data and not data.endswith(b"\n")):
                raise SyncError(
                    _("{remote} sent {got} lines of the log {site} instead of {want}: refused.").format(
                        remote=remote.name, got=data.count(b"\n"), want=move.lines, site=move.site),
                    _("The transfer was cut or the other side is hostile; run the sync again."))
            tails[move.site] = data
            starts[move.site] = move.start
        events = local.check_batches({s: (starts[s], d) for s, d in tails.items()}, remote.name)
        for site, evs in events.items():
            head = rstate.logs[site].sha256
            from cagette.library.log import line_hash

            if head is not None and evs and line_hash(evs[-1].to_line()) != head:
                raise SyncError(
                    _("The log {site} from {remote} does not match the hash it announced: refused.").format(
                        site=site, remote=remote.name), _hostile())
        _prefetch_meta(local, remote, events)
        return lstate, rstate, moves, tails, events
    raise SyncError(_("Our own log still differs from {remote}'s copy.").format(remote=remote.name),
                    _("Run `cagette library fsck` here and on the other site."))


def _prefetch_meta(local: LocalLibrary, remote: Any, events: dict[str, list[Any]]) -> None:
    """The descriptive objects the pulled lines reference, verified, kept until the lines are written."""
    import hashlib

    wanted = sorted({str(ev.fields["meta"]["hash"]) for evs in events.values() for ev in evs
                     if isinstance(ev.fields.get("meta"), dict)} - local.object_names())
    if not wanted:
        return
    for digest, chunks in remote.read_objects([(h, 0, 0) for h in wanted]):
        if chunks is None:
            continue
        buf = bytearray()
        for chunk in chunks:
            buf += chunk
            if len(buf) > MAX_META:
                raise SyncError(_("{remote} sent a descriptive object larger than {n} bytes: refused.").format(
                    remote=remote.name, n=MAX_META), _hostile())
        if hashlib.sha256(buf).hexdigest() != digest:
            raise SyncError(_("{remote} sent a bad copy of object {digest}: refused.").format(
                remote=remote.name, digest=digest[:12]), _hostile())
        local.prefetched[digest] = bytes(buf)


def plan_object_moves(local: LocalLibrary, remote: Any, moves: Iterable[LogMove], extra: dict[str, list[Any]],
                      direction: Direction, only: Iterable[str], metadata_only: bool) -> tuple[
                          tuple[ObjectMove, ...], int]:
    """Objects each way, from the lines each side holds (no hash list crosses the wire)."""
    refs = local.refs(extra)
    local_has = local.object_names() | set(local.prefetched)
    if getattr(remote, "lists_cheaply", False):  # a folder: its listing is a directory read
        # what it lacks of ours is pushed; what we lack is pulled on trust (and checked as it comes)
        return plan_objects(refs, local_has, remote.has_objects(None), local_has, direction, only, metadata_only)
    pushed: set[str] = set()
    held: set[str] = set()
    for move in moves:
        if move.direction is Direction.PUSH:
            pushed |= local.objects_of_lines(move.site, move.start, move.end)
            held |= local.objects_of_lines(move.site, 0, move.start)
    for site in set(local.log_sites()) - {m.site for m in moves if m.direction is Direction.PUSH}:
        held |= local.objects_of_lines(site, 0)
    for evs in extra.values():
        held |= local.objects_of_events(evs)
    return plan_objects(refs, local_has, (), None, direction, only, metadata_only,
                        push_candidates=pushed - held)
