"""What every remote offers a sync: the transport interface.

A *side* is a library seen from a sync: another folder, a ``cagette serve``
peer over HTTP, or a prefix in an S3 bucket. Each says what it holds
(:meth:`Remote.state`), gives log bytes and objects, and, when writable,
takes them. Everything a remote says is checked by the caller before it
touches the local library (see :mod:`cagette.sync.apply`), within the
sync's :class:`~cagette.sync.limits.Limits`. A remote that refuses writes
says so (:attr:`Remote.writable`, known once :meth:`Remote.state` answered):
a two-way sync then only pulls.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cagette.errors import SyncError
from cagette.sync.limits import Limits
from cagette.sync.plan import SideState

CHUNK = 256 * 1024


@dataclass
class Counters:
    """Bytes that crossed the transport (payload bodies, both ways)."""

    received: int = 0
    sent: int = 0
    requests: int = 0


class WriteRefused(SyncError):
    """The remote does not take writes (a read-only peer, a token that may only read, a locked stick)."""


class ObjectMissing(Exception):
    """The remote does not hold an object it was asked for (not fatal)."""


class Remote(abc.ABC):
    """A library on the other side of a sync."""

    name: str = "remote"
    writable: bool = True  # False: it refuses writes (a read-only peer, a locked stick)

    def __init__(self, limits: Limits | None = None) -> None:
        self.counters = Counters()
        self.limits = limits or Limits()

    @abc.abstractmethod
    def state(self, known: Mapping[str, int]) -> SideState:
        """Its logs' high-water marks; for each log longer than ``known[site]`` lines, the hash of that line."""

    @abc.abstractmethod
    def read_log(self, site: str, start: int, end: int) -> bytes:
        """Lines ``start + 1`` … ``end`` of the log of *site* (line numbers, never bytes)."""

    @abc.abstractmethod
    def append_log(self, site: str, start: int, data: bytes) -> None:
        """Append *data* (complete lines) to its copy of *site*'s log, which must hold *start* lines."""

    @abc.abstractmethod
    def has_objects(self, hashes: Sequence[str] | None) -> set[str]:
        """Which of *hashes* it holds (``None``: every object it holds)."""

    @abc.abstractmethod
    def read_object(self, digest: str, offset: int = 0) -> Iterator[bytes]:
        """The bytes of an object from *offset*; raises :class:`ObjectMissing`."""

    def read_objects(self, wants: Sequence[tuple[str, int, int]]) -> Iterator[tuple[str, Iterator[bytes] | None]]:
        """Several objects ``(hash, offset, planned size or 0)``; ``None`` for one it does not hold.

        Each yielded iterator must be consumed before the next is asked for.
        """
        for digest, offset, _size in wants:
            try:
                chunks = self.read_object(digest, offset)
            except ObjectMissing:
                yield digest, None
                continue
            yield digest, chunks

    @abc.abstractmethod
    def put_object(self, digest: str, size: int, path: Path) -> None:
        """Send the local file *path* as object *digest* (the remote verifies it)."""

    def put_objects(self, items: Sequence[tuple[str, int, Path]], done: Callable[[str], None] | None = None) -> None:
        """Send several local files ``(hash, size, path)`` as objects; *done* is told each hash once sent.

        One by one here; a remote that can take many small objects in one request does so."""
        for digest, size, path in items:
            self.put_object(digest, size, path)
            if done is not None:
                done(digest)

    def free_bytes(self) -> int | None:
        """Free space where pushed objects land, when the remote can tell (a folder); None otherwise."""
        return None

    def erase_objects(self, hashes: set[str]) -> int:
        """Erase purged objects a passive store holds (a bucket); a library erases its own."""
        return 0

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""

    def __enter__(self) -> Remote:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
