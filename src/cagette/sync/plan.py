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


def _check_sha(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not HASH_RE.match(value):
        raise ValueError(value)
    return value


@dataclass(frozen=True)
class LogInfo:
    """One site's log as a side holds it: how many lines, counted from line 1 without a gap.

    ``sha256`` is the hash of the last line held (every signed line names the hash of the
    one before, so it stands for the whole prefix); None when the side does not say (a
    bucket, which would have to be read). When the other side said how many lines it holds
    (``known_lines``, fewer than ours), ``known_sha256`` is the hash of our line of that
    number and ``known_size`` the bytes of our lines up to it.
    """

    site: str
    lines: int
    sha256: str | None = None
    size: int = 0
    known_lines: int | None = None
    known_sha256: str | None = None
    known_size: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None and k != "site"}

    @classmethod
    def from_dict(cls, site: str, data: Any, where: str = "") -> LogInfo:
        check_site_id(site, where)
        try:
            lines, size = int(data["lines"]), int(data.get("size", 0))
            known = data.get("known_lines")
            known = None if known is None else int(known)
            ksize = data.get("known_size")
            ksize = None if ksize is None else int(ksize)
            info = cls(site, lines, _check_sha(data.get("sha256")), size, known,
                       _check_sha(data.get("known_sha256")), ksize)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise SyncError(
                _("The state of the log {site}{where} is malformed.").format(site=site, where=where),
                _("The other side is damaged or speaks another version of cagette."),
            ) from exc
        if lines < 0 or size < 0 or (known is not None and not 0 <= known < lines) or (
                ksize is not None and not 0 <= ksize <= size):
            raise SyncError(
                _("The state of the log {site}{where} is malformed.").format(site=site, where=where),
                _("The other side is damaged or speaks another version of cagette."),
            )
        return info


@dataclass(frozen=True)
class SideState:
    """What one side holds: its own site id (None for a bare bucket or a stick) and its logs."""

    site_id: str | None
    logs: Mapping[str, LogInfo] = field(default_factory=dict)
    objects_digest: str | None = None  # hash of its sorted object names, when known

    def sizes(self) -> dict[str, int]:
        """Each log's line count: the high-water marks the other side answers against."""
        return {site: info.lines for site, info in self.logs.items()}

    marks = sizes


@dataclass(frozen=True)
class ObjectRef:
    """An object a resource of the merged library references."""

    hash: str
    size: int
    tags: frozenset[str] = frozenset()
    live: bool = True  # False when every resource referencing it was purged
    meta: bool = False  # a descriptive object: travels even with --only and --metadata-only


@dataclass(frozen=True)
class LogMove:
    """Lines ``start + 1`` … ``end`` of a site's log, one way (``start``: what the receiver holds)."""

    site: str
    direction: Direction  # PULL or PUSH
    start: int
    end: int
    lines: int
    size: int = 0  # their bytes, when the sending side said

    @property
    def bytes(self) -> int:
        return self.size

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


class OwnLogDiverged(SyncError):
    """The other side holds lines of our own log that differ from ours (we were restored from a backup)."""

    def __init__(self, site: str, remote: str) -> None:
        super().__init__(
            _("{remote} holds lines of our own log ({site}) that differ from ours.").format(remote=remote, site=site),
            _("This library was restored from an older copy and wrote since; it takes a new site id that "
              "succeeds the old one, and hands back what it wrote under that id."))
        self.site = site


def _diverged(site: str, remote: str) -> SyncError:
    return SyncError(
        _("The log of site {site} on {remote} differs from ours in lines both hold: refused.").format(
            site=site, remote=remote),
        _("One of the two copies was altered. Run 'cagette library fsck' here, and compare with the "
          "other site before syncing again."),
    )


def _differ(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a != b


def plan_logs(local: SideState, remote: SideState, direction: Direction = Direction.BOTH,
              remote_name: str = "the remote") -> tuple[LogMove, ...]:
    """Which lines go which way (by high-water marks), or :class:`SyncError` if a log diverged.

    A side holding more of our own log than we do gives it back to us (a library restored from
    a backup); one holding different lines of it raises :class:`OwnLogDiverged`.
    """
    moves: list[LogMove] = []
    for site in sorted(set(local.logs) | set(remote.logs)):
        check_site_id(site)
        mine, theirs = local.logs.get(site), remote.logs.get(site)
        m, t = (mine.lines if mine else 0), (theirs.lines if theirs else 0)
        own = site == local.site_id
        if m == t:
            if m and mine is not None and theirs is not None and _differ(mine.sha256, theirs.sha256):
                raise OwnLogDiverged(site, remote_name) if own else _diverged(site, remote_name)
            continue
        if t > m:
            assert theirs is not None
            if m and mine is not None and theirs.known_lines == m and _differ(theirs.known_sha256, mine.sha256):
                raise OwnLogDiverged(site, remote_name) if own else _diverged(site, remote_name)
            way, longer, start, end = Direction.PULL, theirs, m, t
        else:
            assert mine is not None
            if t and theirs is not None and mine.known_lines == t and _differ(mine.known_sha256, theirs.sha256):
                raise OwnLogDiverged(site, remote_name) if own else _diverged(site, remote_name)
            way, longer, start, end = Direction.PUSH, mine, t, m
        size = longer.size - (longer.known_size or 0) if longer.known_lines == start or start == 0 else 0
        if (way is Direction.PULL and direction.pulls) or (way is Direction.PUSH and direction.pushes):
            moves.append(LogMove(site, way, start, end, end - start, max(0, size)))
    return tuple(moves)


def select_refs(refs: Iterable[ObjectRef], only: Iterable[str] = ()) -> dict[str, ObjectRef]:
    """The live references, restricted to resources carrying one of *only*'s tags
    (descriptive objects always: a resource's tags are in one)."""
    wanted = {t.casefold() for t in only}
    out: dict[str, ObjectRef] = {}
    for ref in refs:
        if not ref.live:
            continue
        if wanted and not ref.meta and not ({t.casefold() for t in ref.tags} & wanted):
            continue
        out[ref.hash] = ref
    return out


def plan_objects(refs: Iterable[ObjectRef], local_has: Iterable[str], remote_has: Iterable[str] = (),
                 asked: Iterable[str] | None = None, direction: Direction = Direction.BOTH,
                 only: Iterable[str] = (), metadata_only: bool = False,
                 push_candidates: Iterable[str] | None = None) -> tuple[tuple[ObjectMove, ...], int]:
    """Which objects go which way, and how many missing ones were deferred.

    With *push_candidates* (the objects the lines we push reference and the lines the
    remote holds do not: see :func:`push_candidates`), nothing is asked of the remote:
    those are pushed (the remote skips what it has), what we lack is pulled on trust.
    Otherwise ``remote_has`` lists what the remote holds among the hashes in ``asked``
    (``asked`` None: ``remote_has`` is its complete listing). A missing object not asked
    about is pulled on trust (the remote may not hold it, which is reported, not fatal).
    ``metadata_only`` moves descriptive objects only.
    """
    selected = select_refs(refs, only)
    mine = set(local_has)
    theirs = set(remote_has)
    candidates = None if push_candidates is None else set(push_candidates)
    known = None if asked is None else set(asked)
    moves: list[ObjectMove] = []
    deferred = 0
    for digest in sorted(selected):
        ref = selected[digest]
        deferrable = metadata_only and not ref.meta
        if candidates is not None:
            is_known, remote_lacks = digest in candidates, digest in candidates
        else:
            is_known = known is None or digest in known
            remote_lacks = is_known and digest not in theirs
        if digest not in mine:
            if candidates is None and is_known and digest not in theirs:
                continue  # neither side holds it
            if deferrable or not direction.pulls:
                deferred += 1 if direction.pulls else 0
                continue
            moves.append(ObjectMove(digest, ref.size, Direction.PULL))
        elif remote_lacks and direction.pushes and not deferrable:
            moves.append(ObjectMove(digest, ref.size, Direction.PUSH))
    return tuple(moves), deferred


def push_candidates(pushed: Iterable[str], held_by_remote: Iterable[str]) -> set[str]:
    """Objects referenced by the lines we push, less those referenced by lines the remote holds
    (a side holds the objects of its lines: that is what a sync leaves behind)."""
    return set(pushed) - set(held_by_remote)


def make_plan(local: SideState, remote: SideState, refs: Iterable[ObjectRef], local_has: Iterable[str],
              remote_has: Iterable[str], asked: Iterable[str] | None = None,
              direction: Direction = Direction.BOTH, only: Iterable[str] = (), metadata_only: bool = False,
              remote_name: str = "the remote") -> Plan:
    logs = plan_logs(local, remote, direction, remote_name)
    objects, deferred = plan_objects(refs, local_has, remote_has, asked, direction, only, metadata_only)
    return Plan(logs, objects, deferred)
