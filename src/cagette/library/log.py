"""Log lines: one JSON object each, validated the same way wherever it comes from.

A site's log is the sequence of its lines, numbered from 1 (``seq``), stored as immutable
segments (:mod:`cagette.library.segments`). A line is canonical JSON (UTF-8, compact,
keys sorted) ending with ``\\n``::

    {"at":"2026-11-29T05:00:00Z","clock":7,"fields":{...},"id":"r1","op":"edit",
     "prev":"<sha256 of line 6>","seq":7,"sig":"<Ed25519>","site":"<uuid>","v":2}

* ``v``: 2 for signed lines; 1 for the unsigned lines of libraries made before keys
  (*legacy* lines: read, never written, and carrying no succession, moderation, purge or
  starter authority, see :mod:`cagette.library.state`).
* ``site``: the writing site, equal to the log's name; ``seq``: its number in that log.
* ``clock``: the Lamport clock (strictly increasing along a site's signed lines).
* ``prev`` (signed, seq > 1): the SHA-256 of the previous line's bytes, newline included.
* ``sig`` (signed): the site key's signature of :data:`cagette.library.keys.LINE_DOMAIN`
  followed by the line's canonical JSON without ``sig`` (:func:`signing_bytes`).
* ``op``: ``add`` / ``edit`` (``fields``; descriptive fields by reference, ``fields.meta``),
  ``retract`` (``purge``; its reason by reference), ``site`` (``fields.name``; on the first
  signed line ``fields.key``, and ``covers``/``succeeds``), ``policy`` and ``join``
  (a community's moderators, see :mod:`cagette.library.state`).
* ``nonce`` (``add``): proves an id bound to the site's key (:func:`cagette.library.keys.bound_id`).
* ``base`` (``edit``): for each field changed, the line (``site:seq``) whose value it replaced,
  so a value lost to a concurrent edit can be shown.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cagette.errors import LibraryError
from cagette.i18n import _
from cagette.library.keys import is_hex
from cagette.library.resources import check_fields, check_id, check_signed_fields

FORMAT_VERSION = 2
LEGACY_VERSION = 1
OPS = ("add", "edit", "retract", "site", "policy", "join")
LEGACY_OPS = ("add", "edit", "retract", "site")
SITE_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
LOG_NAME_RE = re.compile(r"^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$")
MAX_LINE = 256 * 1024
ENVELOPE_V1 = {"v", "site", "seq", "clock", "at", "op", "id", "fields", "purge", "reason"}
ENVELOPE_V2 = {"v", "site", "seq", "clock", "at", "op", "id", "fields", "purge", "prev", "nonce", "base", "sig"}
# the site that stands for the starter library: its lines live in local/ only, never in log/
STARTER_SITE = "00000000-0000-0000-0000-000000000000"


class LogError(LibraryError):
    """A log line is malformed, out of place, unsigned where it must be, or from a newer format."""


def is_site_id(value: object) -> bool:
    return isinstance(value, str) and bool(SITE_RE.match(value))


def new_site_id() -> str:
    return str(uuid.uuid4())


def log_name(site: str) -> str:
    """``<site>.jsonl``: the name of a legacy (format 1) log file; also checks the id."""
    if not is_site_id(site):
        raise LogError(_("{value!r} is not a valid site id.").format(value=str(site)[:80]),
                       _("A site id is a lowercase UUID."))
    return f"{site}.jsonl"


def site_of_log(name: str) -> str | None:
    """The site id a legacy log file name stands for, or None for any other name."""
    m = LOG_NAME_RE.match(name)
    return m.group(1) if m else None


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def canonical(d: Mapping[str, Any]) -> bytes:
    return json.dumps(d, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def line_hash(line: bytes) -> str:
    """SHA-256 of a line's bytes, newline included (what ``prev`` names)."""
    return hashlib.sha256(line).hexdigest()


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
    prev: str = ""
    nonce: str = ""
    base: Mapping[str, str] = field(default_factory=dict)
    sig: str = ""

    @property
    def key(self) -> tuple[int, str, int]:
        """The total order of events: Lamport clock, then site id, then seq."""
        return (self.clock, self.site, self.seq)

    @property
    def signed(self) -> bool:
        return self.v >= 2

    @property
    def ref(self) -> str:
        """``site:seq``, how a later edit names this line in its ``base``."""
        return f"{self.site}:{self.seq}"

    def to_dict(self, with_sig: bool = True) -> dict[str, Any]:
        d: dict[str, Any] = {"v": self.v, "site": self.site, "seq": self.seq, "clock": self.clock,
                             "at": self.at, "op": self.op}
        if self.op in ("add", "edit", "retract"):
            d["id"] = self.id
        if self.op != "retract" or self.fields:
            d["fields"] = dict(self.fields)
        if self.op == "retract":
            d["purge"] = self.purge
            if self.reason:
                d["reason"] = self.reason
        if self.v >= 2:
            if self.prev:
                d["prev"] = self.prev
            if self.nonce:
                d["nonce"] = self.nonce
            if self.base:
                d["base"] = dict(self.base)
            if with_sig:
                d["sig"] = self.sig
        return d

    def to_line(self) -> bytes:
        return canonical(self.to_dict()) + b"\n"

    def signing_bytes(self) -> bytes:
        return signing_bytes(self.to_dict(with_sig=False))


def signing_bytes(unsigned: Mapping[str, Any]) -> bytes:
    """What a line's ``sig`` signs: the domain, then the canonical line without ``sig``."""
    from cagette.library.keys import LINE_DOMAIN

    return LINE_DOMAIN + canonical(unsigned)


def _err(where: str, why: str) -> LogError:
    return LogError(_("{where}: {why}").format(where=where, why=why),
                    _("This log line was refused; the rest of the library is untouched. "
                      "`cagette library fsck` lists every problem."))


def _int(d: Mapping[str, Any], key: str) -> int | None:
    value = d.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    return value


def parse_line(raw: bytes, site: str, seq: int, where: str = "") -> Event:
    """Validate one line (without its newline) expected at *seq* in *site*'s log.

    Only the line itself is checked here (its shape, its place); signatures and the
    ``prev`` chain need the rest of the log (:mod:`cagette.library.verify`).
    """
    where = where or f"{site[:8]}#{seq}"
    if len(raw) > MAX_LINE:
        raise _err(where, _("line longer than {n} bytes").format(n=MAX_LINE))
    try:
        d = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _err(where, _("not valid JSON ({error})").format(error=exc)) from None
    if not isinstance(d, dict):
        raise _err(where, _("not a JSON object"))
    v = _int(d, "v")
    if v is None or v < 1:
        raise _err(where, _("no format version"))
    if v > FORMAT_VERSION:
        raise LogError(
            _("{where}: written by a newer cagette (log format {v}, this one reads {mine}).").format(
                where=where, v=v, mine=FORMAT_VERSION),
            _("Update cagette to read this library."))
    extra = set(d) - (ENVELOPE_V2 if v >= 2 else ENVELOPE_V1)
    if extra:
        raise _err(where, _("unknown keys {keys}").format(keys=", ".join(sorted(extra))))
    if d.get("site") != site:
        raise _err(where, _("a line of site {other} in the log of site {site}").format(
            other=str(d.get("site"))[:40], site=site))
    if d.get("seq") != seq:
        raise _err(where, _("line number {got} where {want} was expected").format(got=d.get("seq"), want=seq))
    clock = _int(d, "clock")
    if clock is None or clock < 1 or clock > 2**53:
        raise _err(where, _("bad clock {clock!r}").format(clock=d.get("clock")))
    op = d.get("op")
    if op not in (OPS if v >= 2 else LEGACY_OPS):
        raise _err(where, _("unknown operation {op!r}").format(op=str(op)[:40]))
    at = d.get("at", "")
    if not isinstance(at, str) or len(at) > 40:
        raise _err(where, _("bad time"))
    try:
        if v >= 2:
            return _parse_signed(d, site, seq, clock, str(op), at, where)
        return _parse_legacy(d, site, seq, clock, str(op), at, where)
    except LogError:
        raise
    except LibraryError as exc:
        raise _err(where, exc.message) from None


def _parse_legacy(d: Mapping[str, Any], site: str, seq: int, clock: int, op: str, at: str, where: str) -> Event:
    if op == "site":
        fields = d.get("fields")
        if not isinstance(fields, dict) or "name" not in fields or set(fields) - {"name", "succeeds"} \
                or not isinstance(fields["name"], str) or len(fields["name"]) > 300:
            raise _err(where, _("a site line needs fields.name"))
        succeeds = fields.get("succeeds", [])
        if not isinstance(succeeds, list) or len(succeeds) > 50 or not all(is_site_id(x) for x in succeeds) \
                or site in succeeds:
            raise _err(where, _("fields.succeeds must list other site ids"))
        return Event(site, seq, clock, op, at, fields=dict(fields), v=1)
    rid = check_id(d.get("id"))
    if op == "retract":
        purge, reason = d.get("purge", False), d.get("reason", "")
        if not isinstance(purge, bool) or not isinstance(reason, str) or len(reason) > 2000 or "fields" in d:
            raise _err(where, _("bad retraction"))
        return Event(site, seq, clock, op, at, rid, purge=purge, reason=reason, v=1)
    fields = check_fields(d.get("fields"), adding=(op == "add"))
    return Event(site, seq, clock, op, at, rid, fields=fields, v=1)


def _parse_signed(d: Mapping[str, Any], site: str, seq: int, clock: int, op: str, at: str, where: str) -> Event:
    sig = d.get("sig")
    if not is_hex(sig, 128):
        raise _err(where, _("no valid signature"))
    prev = d.get("prev", "")
    if (seq > 1) != bool(prev) or (prev and not is_hex(prev, 64)):
        raise _err(where, _("bad link to the previous line"))
    nonce, base = d.get("nonce", ""), d.get("base", {})
    if nonce and (op != "add" or not is_hex(nonce, 16)):
        raise _err(where, _("bad nonce"))
    if base and (op != "edit" or not _good_base(base)):
        raise _err(where, _("bad base"))
    rid = ""
    if op in ("add", "edit", "retract"):
        rid = check_id(d.get("id"))
    elif "id" in d:
        raise _err(where, _("a {op} line has no id").format(op=op))
    purge = d.get("purge", False)
    if op == "retract":
        if not isinstance(purge, bool):
            raise _err(where, _("bad retraction"))
    elif "purge" in d:
        raise _err(where, _("only a retraction purges"))
    fields = check_signed_fields(d.get("fields", {} if op == "retract" else None), op, site)
    return Event(site, seq, clock, op, at, rid, fields, purge, "", 2, str(prev), str(nonce), dict(base), str(sig))


def _good_base(base: object) -> bool:
    if not isinstance(base, dict) or len(base) > 40:
        return False
    for k, ref in base.items():
        if not isinstance(k, str) or len(k) > 40 or not isinstance(ref, str):
            return False
        s, _sep, n = ref.rpartition(":")
        if not is_site_id(s) or not n.isdigit() or len(n) > 16:
            return False
    return True


@dataclass
class LogRead:
    """What reading a log found: its valid events and their lines, and any torn tail."""

    site: str
    events: list[Event]
    valid_bytes: int  # length of the complete, valid lines
    torn_bytes: int = 0  # bytes of an unfinished last line (a crash in a legacy log), ignored
    lines: list[bytes] = field(default_factory=list)  # each event's bytes, newline included


def parse_log_bytes(data: bytes, site: str, where: str = "", start_seq: int = 1) -> LogRead:
    """Validate log bytes (lines *start_seq*… of *site*'s log). Sync uses it before writing anything."""
    events: list[Event] = []
    lines: list[bytes] = []
    end = data.rfind(b"\n") + 1  # everything after the last newline is a torn line
    torn = len(data) - end
    pos = 0
    seq = start_seq
    while pos < end:
        nl = data.index(b"\n", pos)
        events.append(parse_line(data[pos:nl], site, seq, f"{where or site[:8]}:{seq - start_seq + 1}"))
        lines.append(data[pos:nl + 1])
        pos = nl + 1
        seq += 1
    return LogRead(site, events, end, torn, lines)


def read_log(path: Path, site: str | None = None) -> LogRead:
    """Read and validate a whole legacy log file (``<site>.jsonl``); a torn last line is ignored."""
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


def make_event(site: str, seq: int, clock: int, op: str, rid: str = "", fields: Mapping[str, Any] | None = None,
               purge: bool = False, reason: str = "", *, key: Any = None, prev: str = "", nonce: str = "",
               base: Mapping[str, str] | None = None) -> Event:
    """A new event of this site, validated exactly as a line read from disk would be.

    With *key* (a :class:`cagette.library.keys.SiteKey`) the line is signed (format 2);
    without, it is an unsigned legacy line (only the starter's local log, and tests, write those).
    """
    if key is None:
        ev = Event(site, seq, clock, op, now_iso(), rid, dict(fields or {}), purge, reason, v=LEGACY_VERSION)
        return parse_line(ev.to_line()[:-1], site, seq)
    ev = Event(site, seq, clock, op, now_iso(), rid, dict(fields or {}), purge, "", FORMAT_VERSION, prev,
               nonce, dict(base or {}), "")
    signed = Event(**{**ev.__dict__, "sig": key.sign(ev.signing_bytes())})
    return parse_line(signed.to_line()[:-1], site, seq)
