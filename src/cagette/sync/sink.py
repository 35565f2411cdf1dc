"""An object arriving in pieces: hashed on the way, written once, published by a rename.

:class:`ObjectSink` writes what a remote sends into the object's partial file
(``local/sync-partial/<hash>.part``), hashing each chunk as it is written,
never taking a byte beyond the size the plan gives (or, size unknown, the
cap). :meth:`ObjectSink.verify` checks size and hash; the store then adopts
the file by renaming it into ``objects/`` (no second copy) — a sync does so
for all its objects at once, when every one of them arrived and checked. A
transfer cut short keeps its partial file, fsync'd, and the next sync
resumes from its size (re-hashing that prefix once); a wrong copy is
deleted and refused.

The hashing and the writing run on a thread of their own while the caller
receives the next chunk (both release the GIL), and a third thread makes
what was written durable (``fdatasync`` every :data:`FLUSH_EVERY` bytes)
while the writer goes on, so a fast link is slowed neither by the hash nor
by the disk: the final ``fsync`` finds little left to write.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import queue
import threading
from pathlib import Path
from typing import Any

from cagette.errors import SyncError
from cagette.i18n import _
from cagette.sync.limits import human_size

QUEUE_CHUNKS = 8  # chunks waiting for the writer thread (each up to 1 MiB)
FLUSH_EVERY = 64 * 1024 * 1024  # the flusher syncs each time this much more was written: the final fsync is short


_datasync = getattr(os, "fdatasync", os.fsync)


def _hostile() -> str:
    return _("The other side is damaged or hostile; nothing was changed here.")


def bad_copy(remote: str, digest: str, actual: str) -> SyncError:
    return SyncError(
        _("{remote} sent a bad copy of object {digest}: its bytes hash to {actual}.").format(
            remote=remote, digest=digest[:12], actual=actual[:12]),
        _hostile(),
    )


def stage_bytes(part: Path, digest: str, data: bytes, remote: str) -> None:
    """A small object received whole: checked, then written once to its partial file (fsync'd)."""
    actual = hashlib.sha256(data).hexdigest()
    if actual != digest:
        raise bad_copy(remote, digest, actual)
    with open(part, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


class ObjectSink:
    """Receive object *digest* from *remote* into *part*, at most *size* bytes (or *cap* when size is 0)."""

    def __init__(self, store: Any, digest: str, size: int, cap: int, part: Path, remote: str) -> None:
        self.store, self.digest, self.size, self.part, self.remote = store, digest, size, part, remote
        self.limit = size if size else cap
        self.hash = hashlib.sha256()
        self.offset = 0
        if part.is_file() and not part.is_symlink():
            if part.stat().st_size <= self.limit:
                self._rehash()  # resume: the prefix already here is hashed once
            else:
                part.unlink()
        self.fh = open(part, "ab")  # noqa: SIM115 - closed by finish() or abort()
        self.written = self.offset
        self.error: BaseException | None = None
        self.queue: queue.Queue[bytes | None] = queue.Queue(QUEUE_CHUNKS)
        self.flush_wanted = threading.Event()
        self.flushing = True
        self.flusher = threading.Thread(target=self._flush_loop, name="cagette-sink-flush", daemon=True)
        self.flusher.start()
        self.thread = threading.Thread(target=self._write_loop, name="cagette-sink", daemon=True)
        self.thread.start()

    def _rehash(self) -> None:
        with open(self.part, "rb") as fh:
            while data := fh.read(1024 * 1024):
                self.hash.update(data)
                self.offset += len(data)

    def _write_loop(self) -> None:
        unflushed = 0
        try:
            while (chunk := self.queue.get()) is not None:
                self.hash.update(chunk)
                self.fh.write(chunk)
                unflushed += len(chunk)
                if unflushed >= FLUSH_EVERY:
                    self.fh.flush()
                    self.flush_wanted.set()  # the flusher syncs it while this thread writes on
                    unflushed = 0
        except Exception as exc:  # noqa: BLE001 - handed to the caller's thread by _raise_if_failed
            self.error = exc
            while self.queue.get() is not None:  # let the caller finish putting, then stop
                pass

    def _flush_loop(self) -> None:
        """Make the written bytes durable whenever the writer asks, until :meth:`_close` stops it."""
        while True:
            self.flush_wanted.wait()
            self.flush_wanted.clear()
            if not self.flushing:
                return
            try:
                _datasync(self.fh.fileno())
            except (OSError, ValueError):  # reported by the final fsync, which the caller sees
                return

    def _raise_if_failed(self) -> None:
        if self.error is not None:
            raise SyncError(
                _("Cannot write {path}: {error}.").format(path=self.part, error=self.error),
                _("Check the free space and the permissions of the library folder."),
            ) from self.error

    def write(self, chunk: bytes) -> None:
        """Take one more chunk; refuses (and forgets what came) when it goes beyond the limit."""
        if self.offset + len(chunk) > self.limit:
            self.abort(delete=True)
            raise SyncError(
                _("{remote} sent more than the {size} of object {digest}: refused.").format(
                    remote=self.remote, size=human_size(self.limit) if not self.size else f"{self.size} bytes",
                    digest=self.digest[:12]),
                _hostile(),
            )
        self._raise_if_failed()
        self.offset += len(chunk)
        self.queue.put(chunk)

    def _close(self) -> None:
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()
        if self.flusher.is_alive():
            self.flushing = False
            self.flush_wanted.set()
            self.flusher.join()
        if not self.fh.closed:
            with contextlib.suppress(OSError):
                self.fh.flush()
                os.fsync(self.fh.fileno())
            self.fh.close()

    def abort(self, delete: bool = False) -> None:
        """Stop; keep the partial file to resume (fsync'd), or delete it."""
        self._close()
        if delete:
            with contextlib.suppress(FileNotFoundError):
                self.part.unlink()

    def verify(self) -> bool:
        """Close and check: True when complete with the right hash (the partial file then awaits publishing).

        False (partial kept) when fewer bytes came than the plan's size; a wrong copy is deleted and refused.
        """
        self._close()
        self._raise_if_failed()
        if self.size and self.offset < self.size:
            return False
        actual = self.hash.hexdigest()
        if actual != self.digest:
            with contextlib.suppress(FileNotFoundError):
                self.part.unlink()
            raise bad_copy(self.remote, self.digest, actual)
        return True

    def finish(self) -> bool:
        """:meth:`verify`, then publish at once."""
        if not self.verify():
            return False
        self.store.adopt(self.part, self.digest)
        with contextlib.suppress(FileNotFoundError):
            self.part.unlink()  # still there only if the object already was
        return True

    def __enter__(self) -> ObjectSink:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is not None:
            self.abort()
