"""Computing a sync's plan from two sides, then applying it.

:func:`prepare` asks both sides what they hold, computes the log moves
(:func:`cagette.sync.plan.plan_logs`), fetches and checks the log lines to
pull (malformed, foreign, non-canonical or not matching the announced hash:
refused before anything is written), merges them with ours to know which
objects the resources use, and returns the :class:`~cagette.sync.plan.Plan`.

:func:`apply` checks the plan against the limits (object sizes, free space,
with the numbers), then pulls objects (each verified by hash, staged, and
published together once all arrived: :mod:`cagette.sync.transfer`), then log
lines, so a log never points at an object that a crash lost in flight, and
reindexes; then it pushes. A remote that takes no writes is only pulled from
(the outcome says why nothing was sent).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cagette.errors import SyncError
from cagette.i18n import _
from cagette.progress import Progress, silent
from cagette.sync.base import Remote, WriteRefused
from cagette.sync.limits import Limits, check_free_space, check_object_sizes, free_bytes
from cagette.sync.local import LocalLibrary
from cagette.sync.logs import plan_object_moves
from cagette.sync.plan import Direction, ObjectMove, Plan, SideState
from cagette.sync.transfer import publish, pull_objects, push_objects


@dataclass
class Prepared:
    plan: Plan
    local_state: SideState
    remote_state: SideState
    tails: dict[str, bytes] = field(default_factory=dict)
    direction: Direction = Direction.BOTH  # what was asked
    push_refused: str | None = None  # why nothing is pushed although both ways were asked


@dataclass
class Outcome:
    plan: Plan
    unavailable: list[str] = field(default_factory=list)  # objects the remote did not hold
    bytes_received: int = 0
    bytes_sent: int = 0
    push_refused: str | None = None  # the remote took no write: why (the pull was done)

    def to_dict(self) -> dict[str, Any]:
        return {"plan": self.plan.to_dict(), "unavailable": self.unavailable,
                "bytes_received": self.bytes_received, "bytes_sent": self.bytes_sent,
                "push_refused": self.push_refused}


def _read_only(remote: Remote) -> str:
    return _("{remote} takes no writes from here (read-only): nothing was sent.").format(remote=remote.name)


def prepare(local: LocalLibrary, remote: Remote, direction: Direction = Direction.BOTH,
            only: Iterable[str] = (), metadata_only: bool = False) -> Prepared:
    only = tuple(only)
    asked = direction
    rstate = remote.state(local.log_sizes())
    push_refused = None
    if not remote.writable:
        if direction is Direction.PUSH:
            raise WriteRefused(_read_only(remote), _("Pull from it; to push, ask that peer for its write token "
                                                     "(or unlock the stick)."))
        if direction is Direction.BOTH:
            direction, push_refused = Direction.PULL, _read_only(remote)
    # the logs by high-water marks, the pulled lines checked together (cagette.sync.logs)
    lstate, rstate, moves, tails, extra = local.fetch_logs(remote, direction, rstate)
    same_objects = lstate.objects_digest is not None and lstate.objects_digest == rstate.objects_digest
    if same_objects or (not direction.pulls and metadata_only):
        objects: tuple[ObjectMove, ...] = ()
        deferred = 0
    else:
        objects, deferred = plan_object_moves(local, remote, moves, extra, direction, only, metadata_only)
    return Prepared(Plan(moves, objects, deferred), lstate, rstate, tails, asked, push_refused)


def _check_room(local: LocalLibrary, remote: Remote, plan: Plan) -> None:
    """Sizes within the caps and the disks able to hold them, checked before anything is written."""
    limits = remote.limits
    pulls = plan.object_moves(Direction.PULL)
    check_object_sizes({m.hash: m.size for m in pulls}, limits, remote.name)
    partials = local.partial_sizes()
    need = sum(max(0, m.size - partials.get(m.hash, 0)) for m in pulls)
    need += sum(m.bytes for m in plan.log_moves(Direction.PULL))
    check_free_space(free_bytes(local.root), need, limits.keep_free_bytes, str(local.root))
    remote_free = remote.free_bytes()
    if remote_free is not None:
        check_free_space(remote_free, plan.push_bytes, limits.keep_free_bytes, remote.name)


def apply(local: LocalLibrary, remote: Remote, prepared: Prepared, progress: Progress | None = None) -> Outcome:
    """Pull (objects, then log lines, then reindex), then push (objects, then log lines), under the lock.

    Objects are published only once all of them arrived and checked, so a refused sync changes
    nothing here (what arrived stays staged, for the next sync to resume). Pulling first means a
    peer that refuses writes still leaves this library complete.
    """
    progress = progress or silent()
    plan = prepared.plan
    outcome = Outcome(plan, push_refused=prepared.push_refused)
    _check_room(local, remote, plan)
    progress.start(_("Syncing with {remote}").format(remote=remote.name), total=plan.total_bytes, unit="B")
    with local.lock():
        staged = pull_objects(local, remote, plan.object_moves(Direction.PULL), progress, outcome.unavailable)
        publish(local, staged)  # every object arrived and checked: into the store, before the lines naming them
        pulled = bool(staged)
        for lmove in plan.log_moves(Direction.PULL):
            progress.check()
            local.append_log(lmove.site, lmove.start, prepared.tails[lmove.site], remote.name,
                             expect_sha256=prepared.remote_state.logs[lmove.site].sha256)
            progress.advance(lmove.bytes)
            pulled = True
        if pulled:
            local.after_sync()
        try:
            push_objects(local, remote, plan.object_moves(Direction.PUSH), progress)
            for lmove in plan.log_moves(Direction.PUSH):
                progress.check()
                remote.append_log(lmove.site, lmove.start, local.read_log(lmove.site, lmove.start, lmove.end))
                progress.advance(lmove.bytes)
            if plan.log_moves(Direction.PUSH):
                purged = local.purged_hashes()
                if purged:
                    remote.erase_objects(purged)
        except WriteRefused as exc:
            if prepared.direction is not Direction.BOTH:
                raise
            outcome.push_refused = exc.message
    progress.finish()
    outcome.bytes_received = remote.counters.received
    outcome.bytes_sent = remote.counters.sent
    return outcome


def open_remote(spec: str, endpoint: str | None = None, timeout_s: float | None = None,
                limits: Limits | None = None) -> Remote:
    """A remote from what the user typed: a folder, ``http(s)://…`` or ``s3://bucket/prefix``.

    *limits* default to the ``[sync]`` settings; *timeout_s* overrides their ``timeout_s``.
    """
    from dataclasses import replace

    from cagette import settings

    conf = settings.current().sync
    limits = limits or Limits.from_settings(conf)
    if timeout_s is not None:
        limits = replace(limits, timeout_s=timeout_s)
    remote: Remote
    if spec.startswith(("http://", "https://")):
        from cagette.sync.http import HttpRemote

        return HttpRemote(spec, limits=limits)
    if spec.startswith("s3://"):
        from cagette.sync.s3 import S3Remote

        remote = S3Remote(spec, endpoint=endpoint or conf.s3_endpoint or None, region=conf.s3_region,
                          timeout_s=limits.timeout_s)
        remote.limits = limits
        return remote
    if "://" in spec:
        raise SyncError(_("Unknown kind of remote: {spec}.").format(spec=spec),
                        _("Give a folder, http://host:port (cagette serve) or s3://bucket/prefix."))
    from pathlib import Path

    from cagette.sync.folder import FolderRemote

    return FolderRemote(Path(spec), limits=limits)


def sync(local: LocalLibrary, remote: Remote, direction: Direction = Direction.BOTH, only: Iterable[str] = (),
         metadata_only: bool = False, dry_run: bool = False, progress: Progress | None = None) -> Outcome:
    prepared = prepare(local, remote, direction, only, metadata_only)
    if dry_run:
        return Outcome(prepared.plan, bytes_received=remote.counters.received, bytes_sent=remote.counters.sent)
    with contextlib.ExitStack():
        return apply(local, remote, prepared, progress)
