"""Per-site append-only logs: ``log/<site-id>.jsonl``.

Each site writes only its own log; every other site's log is a read-only
copy that sync extends with the lines it is missing. A line is one JSON
object (UTF-8, compact, keys sorted, ``\\n``-terminated)::

    {"at": "2026-11-29T05:00:00Z", "clock": 7, "fields": {...}, "id": "r1",
     "op": "add", "seq": 3, "site": "<uuid>", "v": 1}

* ``v``: format version (:data:`FORMAT_VERSION`); a higher one is refused.
* ``site``: the writing site, equal to the file's name; ``seq``: the line's
  1-based number in that log (no gaps, so a prefix is identified by its length).
* ``clock``: the Lamport clock: greater than every clock the site had seen.
* ``op``: ``add`` (all the fields), ``edit`` (some fields), ``retract``
  (``purge``: erase the files everywhere; ``reason``), ``site`` (``fields.name``:
  the site's readable name, its organisation; ``fields.succeeds``: the site ids this
  copy of a library took over from, whose resources it may go on editing).

Appends are one ``write`` of whole lines on a file opened in append mode,
then ``fsync``. A crash can leave a torn last line (no final newline): readers
ignore it and :func:`repair` cuts it before the next append.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cagette.errors import LibraryError
from cagette.fsutil import fsync_dir
from cagette.i18n import _
from cagette.library.resources import check_fields, check_id

FORMAT_VERSION = 1
OPS = ("add", "edit", "retract", "site")
SITE_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
LOG_NAME_RE = re.compile(r"^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$")
MAX_LINE = 256 * 1024
ENVELOPE = {"v", "site", "seq", "clock", "at", "op", "id", "fields", "purge", "reason"}


class LogError(LibraryError):
    """A log line is malformed, out of place or from a newer format."""


def is_site_id(value: object) -> bool:
    return isinstance(value, str) and bool(SITE_RE.match(value))


def new_site_id() -> str:
    return str(uuid.uuid4())


def log_name(site: str) -> str:
    if not is_site_id(site):
        raise LogError(_("{value!r} is not a valid site id.").format(value=str(site)[:80]),
                       _("A site id is a lowercase UUID."))
    return f"{site}.jsonl"


def site_of_log(name: str) -> str | None:
    """The site id a log file name stands for, or None for any other name."""
    m = LOG_NAME_RE.match(name)
    return m.group(1) if m else None


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Event:
    """One log line, validated."""

    site: str
    seq: int
    clock: int
    op: str
    at: str = ""
    id: str = ""
    fields: Mapping[str, Any] = field(default_factory=dict)
    purge: bool = False
    reason: str = ""
    v: int = FORMAT_VERSION

    @property
    def key(self) -> tuple[int, str, int]:
        """The total order of events: Lamport clock, then site id, then seq."""
        return (self.clock, self.site, self.seq)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"v": self.v, "site": self.site, "seq": self.seq, "clock": self.clock,
                             "at": self.at, "op": self.op}
        if self.op != "site":
            d["id"] = self.id
        if self.op in ("add", "edit", "site"):
            d["fields"] = dict(self.fields)
        if self.op == "retract":
            d["purge"] = self.purge
            if self.reason:
                d["reason"] = self.reason
        return d

    def to_line(self) -> bytes:
        return (json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
                + "\n").encode("utf-8")


def _err(where: str, why: str) -> LogError:
    return LogError(_("{where}: {why}").format(where=where, why=why),
                    _("This log line was refused; the rest of the library is untouched. "
                      "`cagette library fsck` lists every problem."))


def parse_line(raw: bytes, site: str, seq: int, where: str = "") -> Event:
    """Validate one log line (without its newline) expected at *seq* in *site*'s log."""
    where = where or f"{site[:8]}#{seq}"
    if len(raw) > MAX_LINE:
        raise _err(where, _("line longer than {n} bytes").format(n=MAX_LINE))
    try:
        d = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _err(where, _("not valid JSON ({error})").format(error=exc)) from None
    if not isinstance(d, dict):
        raise _err(where, _("not a JSON object"))
    v = d.get("v")
    if not isinstance(v, int) or isinstance(v, bool) or v < 1:
        raise _err(where, _("no format version"))
    if v > FORMAT_VERSION:
        raise LogError(
            _("{where}: written by a newer cagette (log format {v}, this one reads {mine}).").format(
                where=where, v=v, mine=FORMAT_VERSION),
            _("Update cagette to read this library."))
    extra = set(d) - ENVELOPE
    if extra:
        raise _err(where, _("unknown keys {keys}").format(keys=", ".join(sorted(extra))))
    if d.get("site") != site:
        raise _err(where, _("a line of site {other} in the log of site {site}").format(
            other=str(d.get("site"))[:40], site=site))
    if d.get("seq") != seq:
        raise _err(where, _("line number {got} where {want} was expected").format(got=d.get("seq"), want=seq))
    clock = d.get("clock")
    if not isinstance(clock, int) or isinstance(clock, bool) or clock < 1 or clock > 2**53:
        raise _err(where, _("bad clock {clock!r}").format(clock=clock))
    op = d.get("op")
    if op not in OPS:
        raise _err(where, _("unknown operation {op!r}").format(op=str(op)[:40]))
    at = d.get("at", "")
    if not isinstance(at, str) or len(at) > 40:
        raise _err(where, _("bad time"))
    try:
        if op == "site":
            fields = d.get("fields")
            if not isinstance(fields, dict) or "name" not in fields or set(fields) - {"name", "succeeds"} \
                    or not isinstance(fields["name"], str) or len(fields["name"]) > 300:
                raise _err(where, _("a site line needs fields.name"))
            succeeds = fields.get("succeeds", [])
            if not isinstance(succeeds, list) or len(succeeds) > 50 or not all(is_site_id(x) for x in succeeds) \
                    or site in succeeds:
                raise _err(where, _("fields.succeeds must list other site ids"))
            return Event(site, seq, clock, op, at, fields=dict(fields))
        rid = check_id(d.get("id"))
        if op == "retract":
            purge, reason = d.get("purge", False), d.get("reason", "")
            if not isinstance(purge, bool) or not isinstance(reason, str) or len(reason) > 2000:
                raise _err(where, _("bad retraction"))
            return Event(site, seq, clock, op, at, rid, purge=purge, reason=reason)
        fields = check_fields(d.get("fields"), adding=(op == "add"))
    except LogError:
        raise
    except LibraryError as exc:
        raise _err(where, exc.message) from None
    return Event(site, seq, clock, op, at, rid, fields=fields)


@dataclass
class LogRead:
    """What reading a log found: its valid events, and the state of its tail."""

    site: str
    events: list[Event]
    valid_bytes: int  # length of the complete, valid lines
    torn_bytes: int = 0  # bytes of an unfinished last line (a crash), ignored


def read_log(path: Path, site: str | None = None) -> LogRead:
    """Read and validate a whole log; a torn last line is ignored, anything else bad raises."""
    path = Path(path)
    site = site or site_of_log(path.name)
    if site is None:
        raise LogError(_("{name} is not a log file name.").format(name=path.name),
                       _("Logs are named <site-id>.jsonl; remove or rename that file."))
    if path.is_symlink():
        raise LogError(_("{path} is a symbolic link.").format(path=path),
                       _("Logs must be plain files; replace the link by the file."))
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return LogRead(site, [], 0)
    return parse_log_bytes(data, site, str(path.name))


def parse_log_bytes(data: bytes, site: str, where: str = "", start_seq: int = 1) -> LogRead:
    """Validate log bytes (lines *start_seq*… of *site*'s log). Sync uses it before writing anything."""
    events: list[Event] = []
    end = data.rfind(b"\n") + 1  # everything after the last newline is a torn line
    torn = len(data) - end
    pos = 0
    seq = start_seq
    while pos < end:
        nl = data.index(b"\n", pos)
        events.append(parse_line(data[pos:nl], site, seq, f"{where or site[:8]}:{seq - start_seq + 1}"))
        pos = nl + 1
        seq += 1
    return LogRead(site, events, end, torn)


def repair(path: Path) -> int:
    """Cut a torn last line (call under the library lock). Returns the bytes removed."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return 0
    if size == 0:
        return 0
    with open(path, "rb+") as fh:
        fh.seek(max(0, size - MAX_LINE - 1))
        tail = fh.read()
        if tail.endswith(b"\n"):
            return 0
        cut = tail.rfind(b"\n")
        keep = size - len(tail) + cut + 1 if cut >= 0 else 0
        if cut < 0 and size > len(tail):
            raise LogError(_("{path} ends with a line longer than allowed.").format(path=path),
                           _("Run `cagette library fsck`."))
        fh.truncate(keep)
        fh.flush()
        os.fsync(fh.fileno())
        return size - keep


def append(path: Path, events: Iterable[Event]) -> int:
    """Append whole lines durably (call under the library lock, after :func:`repair`)."""
    return append_bytes(path, b"".join(e.to_line() for e in events))


def append_bytes(path: Path, data: bytes) -> int:
    """Append already validated, newline-terminated lines durably (under the library lock)."""
    if not data:
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    created = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        fsync_dir(path.parent)  # the new log's name must survive a crash too
    return len(data)


def make_event(site: str, seq: int, clock: int, op: str, rid: str = "", fields: Mapping[str, Any] | None = None,
               purge: bool = False, reason: str = "") -> Event:
    """A new event of this site, validated exactly as a line read from disk would be."""
    ev = Event(site, seq, clock, op, now_iso(), rid, dict(fields or {}), purge, reason)
    return parse_line(ev.to_line()[:-1], site, seq)
