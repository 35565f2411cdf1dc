"""Hand-made sites for the format tests: signed lines written the way a site writes them.

A :class:`Writer` holds a real Ed25519 key and appends lines with the library's own
:func:`~cagette.library.log.make_event` (linked by ``prev``, signed); descriptive fields go
into descriptive objects kept in :attr:`Writer.objects`, so a test can resolve them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from cagette.library.keys import SiteKey, bound_id, new_nonce, succession_statement
from cagette.library.log import Event, line_hash, make_event
from cagette.library.resources import DESCRIPTIVE, check_meta_doc, meta_doc

H = "a" * 64
FILES = [{"role": "main", "hash": H, "size": 3, "media_type": "video/mp4", "name": "x.mp4"}]
OBJECTS: dict[str, bytes] = {}  # every descriptive object any writer made


def sid(n: int) -> str:
    return f"{n:08x}-0000-4000-8000-000000000000"


def resolve(digest: str, rid: str, keys: tuple[str, ...]) -> Mapping[str, Any] | None:
    data = OBJECTS.get(digest)
    return check_meta_doc(data, rid, keys) if data is not None else None


def by_reference(rid: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in fields.items() if k not in (*DESCRIPTIVE, "reason")}
    desc = {k: v for k, v in fields.items() if k in (*DESCRIPTIVE, "reason")}
    if desc:
        data = meta_doc(rid, desc)
        digest = hashlib.sha256(data).hexdigest()
        OBJECTS[digest] = data
        out["meta"] = {"hash": digest, "keys": sorted(desc)}
    return out


class Writer:
    """One site writing its own signed log."""

    def __init__(self, n: int, name: str = "", key: SiteKey | None = None) -> None:
        self.id = sid(n)
        self.key = key or SiteKey.generate()
        self.name = name or f"Site {n}"
        self.events: list[Event] = []
        self.lines: list[bytes] = []
        self.clock = 0

    @property
    def data(self) -> bytes:
        return b"".join(self.lines)

    def _write(self, op: str, rid: str = "", fields: Mapping[str, Any] | None = None, purge: bool = False,
               clock: int | None = None, nonce: str = "", base: Mapping[str, str] | None = None) -> Event:
        self.clock = clock if clock is not None else self.clock + 1
        seq = len(self.lines) + 1
        ev = make_event(self.id, seq, self.clock, op, rid, fields or {}, purge, key=self.key,
                        prev=line_hash(self.lines[-1]) if self.lines else "", nonce=nonce, base=base)
        self.events.append(ev)
        self.lines.append(ev.to_line())
        return ev

    def start(self, succeeds: Writer | None = None, covers: list[bytes] | None = None,
              clock: int | None = None) -> Event:
        """The key line (first signed line): a successor's carries its predecessor's signature."""
        fields: dict[str, Any] = {"name": self.name, "key": self.key.public_hex}
        if succeeds is not None:
            fields["succeeds"] = [{"site": succeeds.id, "sig": succeeds.key.sign(
                succession_statement(succeeds.id, self.id, self.key.public_hex))}]
        if covers:
            self.lines = list(covers)
            self.events = []  # the legacy lines are not events of this writer
            fields["covers"] = {"lines": len(covers), "sha256": hashlib.sha256(b"".join(covers)).hexdigest()}
        return self._write("site", fields=fields, clock=clock)

    def _ensure(self) -> None:
        if not self.lines:
            self.start()

    def add(self, rid: str | None = None, clock: int | None = None, **fields: Any) -> Event:
        self._ensure()
        base = {"kind": "video", "title": "T", "licence": "CC-BY-SA-4.0", "files": FILES}
        base.update(fields)
        nonce = ""
        if rid is None:
            nonce = new_nonce()
            rid = bound_id(self.key.public_hex, nonce)
        return self._write("add", rid, by_reference(rid, base), clock=clock, nonce=nonce)

    def edit(self, rid: str, clock: int | None = None, base: Mapping[str, str] | None = None,
             **fields: Any) -> Event:
        self._ensure()
        return self._write("edit", rid, by_reference(rid, fields), clock=clock, base=base)

    def retract(self, rid: str, purge: bool = False, reason: str = "", clock: int | None = None) -> Event:
        self._ensure()
        return self._write("retract", rid, by_reference(rid, {"reason": reason}) if reason else {}, purge,
                           clock=clock)

    def policy(self, community: str, version: int, moderators: list[str], name: str = "Commune",
               clock: int | None = None) -> Event:
        self._ensure()
        return self._write("policy", fields={"community": community, "name": name, "version": version,
                                             "moderators": sorted(moderators)}, clock=clock)

    def join(self, founder: Writer, clock: int | None = None) -> Event:
        from cagette.library.keys import fingerprint

        self._ensure()
        return self._write("join", fields={"community": founder.id, "key": fingerprint(founder.key.public_hex)},
                           clock=clock)


def legacy(site: str, seq: int, clock: int, op: str, rid: str = "", **fields: Any) -> bytes:
    """An unsigned format-1 line, as cagette wrote them before keys."""
    purge = bool(fields.pop("purge", False))
    reason = str(fields.pop("reason", ""))
    if op == "add":
        fields = {"kind": "video", "title": "T", "licence": "CC-BY-SA-4.0", "files": FILES, **fields}
    ev = make_event(site, seq, clock, op, rid, fields, purge, reason)
    return Event(**{**ev.__dict__, "at": "2025-06-01T12:00:00Z"}).to_line()  # the same bytes wherever made
