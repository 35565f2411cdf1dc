"""Computing a sync's plan from two sides, then applying it.

:func:`prepare` asks both sides what they hold, computes the log moves
(:func:`cagette.sync.plan.plan_logs`), fetches and checks the log lines to
pull (malformed, foreign, non-canonical or not matching the announced hash:
refused before anything is written), merges them with ours to know which
objects the resources use, and returns the :class:`~cagette.sync.plan.Plan`.

:func:`apply` then moves objects first (each verified by hash before it is
published; large ones through a resumable partial file), then log lines, so
a log never points at an object that a crash lost in flight, and reindexes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cagette.errors import SyncError
from cagette.i18n import _
from cagette.progress import Progress, silent
from cagette.sync.base import ObjectMissing, Remote
from cagette.sync.local import LocalLibrary
from cagette.sync.plan import Direction, ObjectMove, Plan, SideState, plan_logs, plan_objects, select_refs

RESUME_MIN = 1024 * 1024  # objects at least this big travel alone, resumably
PUBLISHERS = 8
IN_FLIGHT = 64
UNKNOWN_SIZE_CAP = 64 * 1024 * 1024


@dataclass
class Prepared:
    plan: Plan
    local_state: SideState
    remote_state: SideState
    tails: dict[str, bytes] = field(default_factory=dict)


@dataclass
class Outcome:
    plan: Plan
    unavailable: list[str] = field(default_factory=list)  # objects the remote did not hold
    bytes_received: int = 0
    bytes_sent: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"plan": self.plan.to_dict(), "unavailable": self.unavailable,
                "bytes_received": self.bytes_received, "bytes_sent": self.bytes_sent}


def prepare(local: LocalLibrary, remote: Remote, direction: Direction = Direction.BOTH,
            only: Iterable[str] = (), metadata_only: bool = False) -> Prepared:
    only = tuple(only)
    rstate = remote.state(local.log_sizes())
    lstate = local.state(rstate.sizes())
    moves = plan_logs(lstate, rstate, direction, remote.name)
    tails: dict[str, bytes] = {}
    extra: dict[str, list[Any]] = {}
    for move in moves:
        if move.direction is not Direction.PULL:
            continue
        data = remote.read_log(move.site, move.start, move.end)
        if len(data) != move.bytes:
            raise SyncError(
                _("{remote} sent {got} bytes of the log {site} instead of {want}: refused.").format(
                    remote=remote.name, got=len(data), want=move.bytes, site=move.site),
                _("The transfer was cut or the other side is hostile; run the sync again."),
            )
        before = lstate.logs[move.site].lines if move.site in lstate.logs else 0
        events = local.check_lines(move.site, before, data, remote.name)
        if len(events) != move.lines:
            raise SyncError(
                _("{remote} announced {want} lines for the log {site} but sent {got}: refused.").format(
                    remote=remote.name, want=move.lines, got=len(events), site=move.site),
                _("The other side is damaged or hostile; nothing was changed here."),
            )
        whole = local.log_bytes(move.site)[: move.start] + data
        if hashlib.sha256(whole).hexdigest() != rstate.logs[move.site].sha256:
            raise SyncError(
                _("The log {site} from {remote} does not match the hash it announced: refused.").format(
                    site=move.site, remote=remote.name),
                _("The other side is damaged or hostile; nothing was changed here."),
            )
        tails[move.site] = data
        extra[move.site] = events
    same_objects = lstate.objects_digest is not None and lstate.objects_digest == rstate.objects_digest
    if same_objects or (not direction.pulls and metadata_only):
        objects: tuple[ObjectMove, ...] = ()
        deferred = 0
    else:
        refs = local.refs(extra)
        local_has = local.object_names()
        candidates: list[str] = []
        if direction.pushes and not metadata_only:
            candidates = sorted(h for h in select_refs(refs, only) if h in local_has)
        remote_has = remote.has_objects(candidates) if candidates else set()
        objects, deferred = plan_objects(refs, local_has, remote_has, candidates, direction, only, metadata_only)
    return Prepared(Plan(moves, objects, deferred), lstate, rstate, tails)


def _pull_large(local: LocalLibrary, remote: Remote, move: ObjectMove, progress: Progress) -> bool:
    part = local.partial_path(move.hash)
    offset = part.stat().st_size if part.exists() else 0
    if offset > move.size:
        part.unlink()
        offset = 0
    progress.advance(offset)
    try:
        chunks = remote.read_object(move.hash, offset)
        with open(part, "ab") as out:
            written = offset
            for chunk in chunks:
                written += len(chunk)
                if written > move.size:
                    out.close()
                    part.unlink()
                    raise SyncError(
                        _("{remote} sent more than the {size} bytes of object {digest}: refused.").format(
                            remote=remote.name, size=move.size, digest=move.hash[:12]),
                        _("The other side is damaged or hostile; nothing was changed here."),
                    )
                out.write(chunk)
                progress.advance(len(chunk))
            out.flush()
            os.fsync(out.fileno())
    except ObjectMissing:
        return False
    if written < move.size:
        raise SyncError(
            _("{remote} sent only {got} of the {size} bytes of object {digest}.").format(
                remote=remote.name, got=written, size=move.size, digest=move.hash[:12]),
            _("What arrived is kept; run the sync again to resume."),
        )
    local.publish_part(move.hash, move.size, part, remote.name)
    return True


def _pull_small(local: LocalLibrary, remote: Remote, moves: list[ObjectMove], progress: Progress,
                outcome: Outcome) -> bool:
    """Small objects in batches, each verified then published by a pool of writers.

    Publishing fsyncs every object (the library's rule); doing it from several
    threads lets the file system group those flushes.
    """
    from concurrent.futures import Future, ThreadPoolExecutor

    by_hash = {m.hash: m for m in moves}
    published = False
    with ThreadPoolExecutor(PUBLISHERS) as pool:
        inflight: list[Future[None]] = []
        for digest, chunks in remote.read_objects([(m.hash, 0) for m in moves]):
            progress.check()
            move = by_hash[digest]
            if chunks is None:
                outcome.unavailable.append(digest)
                continue
            limit = move.size if move.size else UNKNOWN_SIZE_CAP
            buf = bytearray()
            for chunk in chunks:
                buf += chunk
                progress.advance(len(chunk))
                if len(buf) > limit:
                    break  # oversized: the store refuses it below, naming the object
            inflight.append(pool.submit(local.publish_bytes, digest, move.size or None, bytes(buf), remote.name))
            published = True
            while len(inflight) >= IN_FLIGHT:
                inflight.pop(0).result()
        for future in inflight:
            future.result()
    return published


def apply(local: LocalLibrary, remote: Remote, prepared: Prepared, progress: Progress | None = None) -> Outcome:
    progress = progress or silent()
    plan = prepared.plan
    outcome = Outcome(plan)
    progress.start(_("Syncing with {remote}").format(remote=remote.name), total=plan.total_bytes, unit="B")
    pulled_anything = False
    with local.lock():
        pulls = plan.object_moves(Direction.PULL)
        partials = local.partial_names()
        small = [m for m in pulls if m.size < RESUME_MIN and m.hash not in partials]
        small_set = {m.hash for m in small}
        large = [m for m in pulls if m.hash not in small_set]
        if small:
            pulled_anything |= _pull_small(local, remote, small, progress, outcome)
        for move in large:
            progress.check()
            if _pull_large(local, remote, move, progress):
                pulled_anything = True
            else:
                outcome.unavailable.append(move.hash)
        for move in plan.object_moves(Direction.PUSH):
            progress.check()
            path = local.object_path(move.hash)
            if path is None:
                continue
            remote.put_object(move.hash, path.stat().st_size, path)
            progress.advance(move.size)
        for lmove in plan.log_moves(Direction.PULL):
            progress.check()
            local.append_log(lmove.site, lmove.start, prepared.tails[lmove.site], remote.name,
                             expect_sha256=prepared.remote_state.logs[lmove.site].sha256)
            progress.advance(lmove.bytes)
            pulled_anything = True
        for lmove in plan.log_moves(Direction.PUSH):
            progress.check()
            remote.append_log(lmove.site, lmove.start, local.read_log(lmove.site, lmove.start, lmove.end))
            progress.advance(lmove.bytes)
        if pulled_anything:
            local.after_sync()
        if plan.log_moves(Direction.PUSH):
            purged = local.purged_hashes()
            if purged:
                remote.erase_objects(purged)
    progress.finish()
    outcome.bytes_received = remote.counters.received
    outcome.bytes_sent = remote.counters.sent
    return outcome


def open_remote(spec: str, endpoint: str | None = None, timeout_s: float | None = None) -> Remote:
    """A remote from what the user typed: a folder, ``http(s)://…`` or ``s3://bucket/prefix``."""
    from cagette import settings

    conf = settings.current().sync
    timeout = timeout_s if timeout_s is not None else conf.timeout_s
    if spec.startswith(("http://", "https://")):
        from cagette.sync.http import HttpRemote

        return HttpRemote(spec, timeout_s=timeout)
    if spec.startswith("s3://"):
        from cagette.sync.s3 import S3Remote

        return S3Remote(spec, endpoint=endpoint or conf.s3_endpoint or None, region=conf.s3_region,
                        timeout_s=timeout)
    if "://" in spec:
        raise SyncError(_("Unknown kind of remote: {spec}.").format(spec=spec),
                        _("Give a folder, http://host:port (cagette serve) or s3://bucket/prefix."))
    from pathlib import Path

    from cagette.sync.folder import FolderRemote

    return FolderRemote(Path(spec))


def sync(local: LocalLibrary, remote: Remote, direction: Direction = Direction.BOTH, only: Iterable[str] = (),
         metadata_only: bool = False, dry_run: bool = False, progress: Progress | None = None) -> Outcome:
    prepared = prepare(local, remote, direction, only, metadata_only)
    if dry_run:
        return Outcome(prepared.plan, bytes_received=remote.counters.received, bytes_sent=remote.counters.sent)
    with contextlib.ExitStack():
        return apply(local, remote, prepared, progress)
