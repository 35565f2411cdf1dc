"""The plan of a sync: a pure value computed before anything moves.

Inputs are what each side says it holds (:class:`SideState`: per-site logs
with their size, line count and hash, and when asked, the hash of a prefix),
the objects each side holds, and the objects the merged resources reference
(:class:`ObjectRef`, with their tags and whether their resource was purged).
The output (:class:`Plan`) says which log bytes go which way, which objects go
which way, and how many bytes in all. Nothing here does any input or output,
so every rule is tested on plain values:

* a per-site log is append-only: one side must hold a prefix of the other's;
  a log whose shared prefix differs is refused (the two copies diverged);
* our own site's log is written only by us: a remote offering lines for our
  site id is refused, and we never offer lines for the remote's own site;
* objects travel only when a live (not purged) resource references them,
  ``only`` restricts them to resources carrying one of those tags, and
  ``metadata_only`` moves no object at all (they follow on demand).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cagette.errors import SyncError
from cagette.i18n import _

SITE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
HASH_RE = re.compile(r"^[0-9a-f]{64}$")


class Direction(StrEnum):
    BOTH = "both"
    PULL = "pull"
    PUSH = "push"

    @property
    def pulls(self) -> bool:
        return self is not Direction.PUSH

    @property
    def pushes(self) -> bool:
        return self is not Direction.PULL


def check_site_id(site: str, where: str = "") -> str:
    """A site id as a file name: letters, digits, '-' and '_' only."""
    if not isinstance(site, str) or not SITE_RE.match(site):
        raise SyncError(
            _("Refused a log named {name!r}{where}: not a valid site id.").format(name=site, where=where),
            _("The other side is damaged or hostile; nothing was changed here."),
        )
    return site


def check_hash(value: str, where: str = "") -> str:
    """An object name: 64 lowercase hexadecimal digits (SHA-256)."""
    if not isinstance(value, str) or not HASH_RE.match(value):
        raise SyncError(
            _("Refused an object named {name!r}{where}: not a SHA-256 hash.").format(name=value, where=where),
            _("The other side is damaged or hostile; nothing was changed here."),
        )
    return value


@dataclass(frozen=True)
class LogInfo:
    """One per-site log as a side holds it (complete lines only)."""

    site: str
    size: int
    lines: int
    sha256: str
    prefix_size: int | None = None  # the other side's size, when ours is longer
    prefix_sha256: str | None = None  # hash of our first prefix_size bytes

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @classmethod
    def from_dict(cls, site: str, data: Any, where: str = "") -> LogInfo:
        check_site_id(site, where)
        try:
            size, lines, digest = int(data["size"]), int(data["lines"]), str(data["sha256"])
            psize = data.get("prefix_size")
            pdigest = data.get("prefix_sha256")
            psize = None if psize is None else int(psize)
            pdigest = None if pdigest is None else str(pdigest)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise SyncError(
                _("The state of the log {site}{where} is malformed.").format(site=site, where=where),
                _("The other side is damaged or speaks another version of cagette."),
            ) from exc
        if size < 0 or lines < 0 or lines > size or (psize is not None and psize < 0):
            raise SyncError(
                _("The state of the log {site}{where} is malformed.").format(site=site, where=where),
                _("The other side is damaged or speaks another version of cagette."),
            )
        return cls(site, size, lines, digest, psize, pdigest)


@dataclass(frozen=True)
class SideState:
    """What one side holds: its own site id (None for a bare bucket) and its logs."""

    site_id: str | None
    logs: Mapping[str, LogInfo] = field(default_factory=dict)
    objects_digest: str | None = None  # hash of its sorted object names, when known

    def sizes(self) -> dict[str, int]:
        return {site: info.size for site, info in self.logs.items()}


@dataclass(frozen=True)
class ObjectRef:
    """An object a resource of the merged library references."""

    hash: str
    size: int
    tags: frozenset[str] = frozenset()
    live: bool = True  # False when every resource referencing it was purged


@dataclass(frozen=True)
class LogMove:
    site: str
    direction: Direction  # PULL or PUSH
    start: int
    end: int
    lines: int

    @property
    def bytes(self) -> int:
        return self.end - self.start

    def to_dict(self) -> dict[str, Any]:
        return {"site": self.site, "direction": self.direction.value, "start": self.start,
                "end": self.end, "lines": self.lines, "bytes": self.bytes}


@dataclass(frozen=True)
class ObjectMove:
    hash: str
    size: int
    direction: Direction

    def to_dict(self) -> dict[str, Any]:
        return {"hash": self.hash, "size": self.size, "direction": self.direction.value}


@dataclass(frozen=True)
class Plan:
    logs: tuple[LogMove, ...] = ()
    objects: tuple[ObjectMove, ...] = ()
    deferred_objects: int = 0  # referenced, missing here, left for later (--metadata-only)

    def _bytes(self, direction: Direction) -> int:
        return (sum(m.bytes for m in self.logs if m.direction is direction)
                + sum(m.size for m in self.objects if m.direction is direction))

    @property
    def pull_bytes(self) -> int:
        return self._bytes(Direction.PULL)

    @property
    def push_bytes(self) -> int:
        return self._bytes(Direction.PUSH)

    @property
    def total_bytes(self) -> int:
        return self.pull_bytes + self.push_bytes

    @property
    def empty(self) -> bool:
        return not self.logs and not self.objects

    def log_moves(self, direction: Direction) -> list[LogMove]:
        return [m for m in self.logs if m.direction is direction]

    def object_moves(self, direction: Direction) -> list[ObjectMove]:
        return [m for m in self.objects if m.direction is direction]

    def to_dict(self) -> dict[str, Any]:
        def side(direction: Direction) -> dict[str, Any]:
            logs = self.log_moves(direction)
            objs = self.object_moves(direction)
            return {"log_lines": sum(m.lines for m in logs), "log_bytes": sum(m.bytes for m in logs),
                    "objects": len(objs), "object_bytes": sum(m.size for m in objs),
                    "bytes": self._bytes(direction)}
        return {
            "pull": side(Direction.PULL), "push": side(Direction.PUSH),
            "total_bytes": self.total_bytes, "deferred_objects": self.deferred_objects,
            "logs": [m.to_dict() for m in self.logs],
            "objects": [m.to_dict() for m in self.objects],
        }


def _diverged(site: str, remote: str) -> SyncError:
    return SyncError(
        _("The log of site {site} on {remote} differs from ours in lines both hold: refused.").format(
            site=site, remote=remote),
        _("One of the two copies was altered. Run 'cagette library fsck' here, and compare with the "
          "other site before syncing again."),
    )


def _own_site(site: str, remote: str) -> SyncError:
    return SyncError(
        _("{remote} offers lines for our own site's log ({site}): refused.").format(remote=remote, site=site),
        _("Only this library writes its own log. If this library was restored from an old copy, "
          "move it aside and sync a fresh one from {remote}.").format(remote=remote),
    )


def plan_logs(local: SideState, remote: SideState, direction: Direction = Direction.BOTH,
              remote_name: str = "the remote") -> tuple[LogMove, ...]:
    """Which log bytes go which way, or :class:`SyncError` if a log diverged."""
    moves: list[LogMove] = []
    for site in sorted(set(local.logs) | set(remote.logs)):
        check_site_id(site)
        mine, theirs = local.logs.get(site), remote.logs.get(site)
        if site == local.site_id and theirs is not None and theirs.size and (
                mine is None or theirs.size > mine.size
                or (theirs.size == mine.size and theirs.sha256 != mine.sha256)):
            raise _own_site(site, remote_name)
        if theirs is not None and mine is not None:
            if theirs.size == mine.size:
                if theirs.sha256 != mine.sha256:
                    raise _diverged(site, remote_name)
                continue
            if theirs.size > mine.size:
                if theirs.prefix_size != mine.size or theirs.prefix_sha256 != mine.sha256:
                    raise _diverged(site, remote_name)
                longer, shorter, way = theirs, mine, Direction.PULL
            else:
                if mine.prefix_size != theirs.size or mine.prefix_sha256 != theirs.sha256:
                    raise _diverged(site, remote_name)
                longer, shorter, way = mine, theirs, Direction.PUSH
            start, lines = shorter.size, longer.lines - shorter.lines
            if lines <= 0:
                raise _diverged(site, remote_name)
        elif theirs is not None:
            if theirs.size == 0:
                continue
            longer, start, lines, way = theirs, 0, theirs.lines, Direction.PULL
        else:
            assert mine is not None
            if mine.size == 0:
                continue
            longer, start, lines, way = mine, 0, mine.lines, Direction.PUSH
        if way is Direction.PUSH and remote.site_id is not None and site == remote.site_id:
            raise SyncError(
                _("We hold more of {remote}'s own log ({site}) than it does: refused.").format(
                    remote=remote_name, site=site),
                _("Only {remote} writes its own log; it may have been restored from an old copy.").format(
                    remote=remote_name),
            )
        if (way is Direction.PULL and direction.pulls) or (way is Direction.PUSH and direction.pushes):
            moves.append(LogMove(site, way, start, longer.size, lines))
    return tuple(moves)


def select_refs(refs: Iterable[ObjectRef], only: Iterable[str] = ()) -> dict[str, ObjectRef]:
    """The live references, restricted to resources carrying one of *only*'s tags."""
    wanted = {t.casefold() for t in only}
    out: dict[str, ObjectRef] = {}
    for ref in refs:
        if not ref.live:
            continue
        if wanted and not ({t.casefold() for t in ref.tags} & wanted):
            continue
        out[ref.hash] = ref
    return out


def plan_objects(refs: Iterable[ObjectRef], local_has: Iterable[str], remote_has: Iterable[str],
                 asked: Iterable[str] | None = None, direction: Direction = Direction.BOTH,
                 only: Iterable[str] = (), metadata_only: bool = False) -> tuple[tuple[ObjectMove, ...], int]:
    """Which objects go which way, and how many missing ones were deferred.

    ``remote_has`` lists what the remote holds among the hashes in ``asked``
    (``asked`` None: ``remote_has`` is its complete listing). A missing object
    not asked about is pulled on trust (the remote may not hold it, which is
    reported, not fatal); an object is pushed only when the remote said it
    lacks it.
    """
    selected = select_refs(refs, only)
    mine = set(local_has)
    theirs = set(remote_has)
    known = None if asked is None else set(asked)
    moves: list[ObjectMove] = []
    deferred = 0
    for digest in sorted(selected):
        ref = selected[digest]
        is_known = known is None or digest in known
        if digest not in mine:
            if is_known and digest not in theirs:
                continue  # neither side holds it
            if metadata_only or not direction.pulls:
                deferred += 1 if direction.pulls else 0
                continue
            moves.append(ObjectMove(digest, ref.size, Direction.PULL))
        elif is_known and digest not in theirs and direction.pushes and not metadata_only:
            moves.append(ObjectMove(digest, ref.size, Direction.PUSH))
    return tuple(moves), deferred


def make_plan(local: SideState, remote: SideState, refs: Iterable[ObjectRef], local_has: Iterable[str],
              remote_has: Iterable[str], asked: Iterable[str] | None = None,
              direction: Direction = Direction.BOTH, only: Iterable[str] = (), metadata_only: bool = False,
              remote_name: str = "the remote") -> Plan:
    logs = plan_logs(local, remote, direction, remote_name)
    objects, deferred = plan_objects(refs, local_has, remote_has, asked, direction, only, metadata_only)
    return Plan(logs, objects, deferred)
