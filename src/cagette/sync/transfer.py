"""Moving the objects of a plan, each held to the size its plan gives.

Pulled objects are staged, each in its partial file under
``local/sync-partial/`` (written once, fsync'd, its hash checked), and are
published into ``objects/`` together only once every one of them arrived
(:func:`publish`): a sync refused halfway leaves the library as it was, and
the next one resumes from what is staged, re-reading nothing that is
complete. Small objects (under :data:`RESUME_MIN`) come in batches, held in
memory a bounded amount at a time and written by a pool (the file system
groups their fsyncs); large ones, and any object already partly here, come
one by one through an :class:`~cagette.sync.sink.ObjectSink`: hashed as they
arrive, resumable. A remote never gets to write more than the plan's size
for an object (or ``max_object_mb`` when the plan does not know it).
"""

from __future__ import annotations

import collections
import contextlib
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from cagette.errors import SyncError
from cagette.i18n import _
from cagette.progress import Progress
from cagette.sync.base import ObjectMissing, Remote
from cagette.sync.local import LocalLibrary
from cagette.sync.plan import ObjectMove
from cagette.sync.sink import ObjectSink, stage_bytes

RESUME_MIN = 1024 * 1024  # objects at least this big travel alone, resumably
WRITERS = 8
IN_FLIGHT_BYTES = 16 * 1024 * 1024  # small objects received and not yet written, at most


def _sink(local: LocalLibrary, remote: Remote, move: ObjectMove) -> ObjectSink:
    return ObjectSink(local.store, move.hash, move.size, remote.limits.max_object_bytes,
                      local.partial_path(move.hash), remote.name)


def _short(remote: Remote, sink: ObjectSink) -> SyncError:
    return SyncError(
        _("{remote} sent only {got} of the {size} bytes of object {digest}.").format(
            remote=remote.name, got=sink.offset, size=sink.size, digest=sink.digest[:12]),
        _("What arrived is kept; run the sync again to resume."),
    )


def pull_large(local: LocalLibrary, remote: Remote, move: ObjectMove, progress: Progress) -> bool:
    """One object into its partial file, resumably; False when the remote does not hold it."""
    sink = _sink(local, remote, move)
    if move.size and sink.offset == move.size:  # complete already, from a sync that was cut: nothing to read
        with contextlib.suppress(SyncError):  # (a damaged one is deleted by verify: fetched again below)
            if sink.verify():
                progress.advance(move.size)
                return True
        sink = _sink(local, remote, move)
    with sink:
        progress.advance(sink.offset)
        try:
            for chunk in remote.read_object(move.hash, sink.offset):
                sink.write(chunk)
                progress.advance(len(chunk))
        except ObjectMissing:
            sink.abort(delete=sink.offset == 0)
            return False
        if not sink.verify():
            raise _short(remote, sink)
    return True


def _pull_streamed(sink: ObjectSink, first: bytes, chunks: Any, remote: Remote, progress: Progress) -> None:
    """The rest of a batch object that turned out large: into its partial file rather than memory."""
    with sink:
        sink.write(first)
        for chunk in chunks:
            sink.write(chunk)
            progress.advance(len(chunk))
        if not sink.verify():
            raise _short(remote, sink)


def _too_long(remote: Remote, size: int, digest: str) -> SyncError:
    return SyncError(
        _("{remote} sent more than the {size} bytes of object {digest}: refused.").format(
            remote=remote.name, size=size, digest=digest[:12]),
        _("The other side is damaged or hostile; nothing was changed here."),
    )


def pull_small(local: LocalLibrary, remote: Remote, moves: list[ObjectMove], progress: Progress,
               unavailable: list[str]) -> list[str]:
    """Small objects in batches, each checked then written by a pool; the hashes staged."""
    by_hash = {m.hash: m for m in moves}
    staged: list[str] = []
    with ThreadPoolExecutor(WRITERS) as pool:
        inflight: collections.deque[tuple[Future[None], int]] = collections.deque()
        held = 0
        for digest, chunks in remote.read_objects([(m.hash, 0, m.size) for m in moves]):
            progress.check()
            move = by_hash[digest]
            if chunks is None:
                unavailable.append(digest)
                continue
            limit = move.size or remote.limits.max_object_bytes
            buf = bytearray()
            for chunk in chunks:
                progress.advance(len(chunk))
                if len(buf) + len(chunk) > limit:
                    raise _too_long(remote, limit, digest)
                buf += chunk
                if len(buf) >= RESUME_MIN:  # a size the plan did not know, and large: stream it
                    _pull_streamed(_sink(local, remote, move), bytes(buf), chunks, remote, progress)
                    break
            else:
                if move.size and len(buf) != move.size:
                    raise SyncError(
                        _("{remote} sent a bad copy of object {digest}: {got} bytes, not the {size} of its plan.")
                        .format(remote=remote.name, got=len(buf), size=move.size, digest=digest[:12]),
                        _("The transfer was cut or the other side is hostile; run the sync again."),
                    )
                inflight.append((pool.submit(stage_bytes, local.partial_path(digest), digest, bytes(buf),
                                             remote.name), len(buf)))
                held += len(buf)
            staged.append(digest)
            while inflight and (held >= IN_FLIGHT_BYTES or len(inflight) >= 4 * WRITERS):
                future, size = inflight.popleft()
                future.result()
                held -= size
        for future, _size in inflight:
            future.result()
    return staged


def pull_objects(local: LocalLibrary, remote: Remote, moves: list[ObjectMove], progress: Progress,
                 unavailable: list[str]) -> list[str]:
    """Every pulled object of a plan, staged (checked, not yet published); their hashes."""
    partials = local.partial_names()
    small = [m for m in moves if m.size < RESUME_MIN and m.hash not in partials]
    small_set = {m.hash for m in small}
    staged = pull_small(local, remote, small, progress, unavailable) if small else []
    for move in moves:
        if move.hash in small_set:
            continue
        progress.check()
        if pull_large(local, remote, move, progress):
            staged.append(move.hash)
        else:
            unavailable.append(move.hash)
    return staged


def publish(local: LocalLibrary, staged: list[str]) -> None:
    """Move the staged objects into the store, together (each folder fsync'd once).

    Partial files of objects that are here now (another sync brought them) go too.
    """
    local.store.adopt_all([(local.partial_path(digest), digest) for digest in staged])
    for digest in local.partial_names():
        if local.has_object(digest):
            with contextlib.suppress(FileNotFoundError):
                local.partial_path(digest).unlink()


def push_objects(local: LocalLibrary, remote: Remote, moves: list[ObjectMove], progress: Progress) -> None:
    """The pushed objects of a plan (a remote may take the small ones many to a request)."""
    planned = {m.hash: m.size for m in moves}
    items = []
    for move in moves:
        path = local.object_path(move.hash)
        if path is not None:
            items.append((move.hash, path.stat().st_size, path))

    def done(digest: str) -> None:
        progress.advance(planned[digest])
        progress.check()
    progress.check()
    remote.put_objects(items, done)
