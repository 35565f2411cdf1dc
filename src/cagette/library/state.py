"""Merging: the library's state as a PURE function of its logs.

:func:`merge` takes every site's events and the set of moderator sites and
returns the same :class:`State` whatever order the logs arrived in, so any
transport that copies log lines converges. Rules:

* Events are applied in the total order ``(clock, site, seq)``; per field, the
  last writer in that order wins.
* The first ``add`` of an id makes its site the resource's *origin*. Later
  ``edit``, ``add`` and ``retract`` events on that id are applied only when
  they come from the origin, from a moderator site, or — for a resource
  imported with stable ids (``imported_from`` set, e.g. the starter library
  that every site imports) — from another site that added it from the same
  source (a co-origin).
* ``retract`` is final: later events on that id are ignored. With ``purge``,
  every object the resource ever referenced (and that no live resource uses)
  is listed in :attr:`State.purged_hashes`, for each site to erase.
* ``site`` events give each site its readable name; one that lists ``succeeds``
  (a copy of a library that took a new site id) may edit what those sites could.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cagette.library.log import Event
from cagette.library.resources import DEFAULT_LICENCE, Resource


@dataclass
class ResourceState:
    id: str
    origin: str
    fields: dict[str, Any]
    owners: set[str]
    added_at: str
    modified_at: str
    retracted: bool = False
    purged: bool = False
    reason: str = ""
    history: list[Mapping[str, Any]] = field(default_factory=list)  # every field set applied, for purges

    @property
    def hashes_ever(self) -> set[str]:
        out: set[str] = set()
        for fields in self.history:
            out |= _file_hashes(fields)
        return out

    def doc(self) -> dict[str, Any]:
        """The resource as a plain dict (what the index stores)."""
        f = self.fields
        return {
            "id": self.id, "kind": f.get("kind", "video"), "title": f.get("title", ""),
            "description": f.get("description", ""), "tags": list(f.get("tags", ())),
            "language": f.get("language", ""), "licence": f.get("licence", DEFAULT_LICENCE),
            "authors": list(f.get("authors", ())), "organisation": f.get("organisation", ""),
            "created": f.get("created") or self.added_at, "modified": self.modified_at,
            "files": [dict(x) for x in f.get("files", ())], "thumbnail": f.get("thumbnail", ""),
            "duration": f.get("duration"), "derived_from": list(f.get("derived_from", ())),
            "version": f.get("version", 0), "imported_from": f.get("imported_from", ""),
            "origin": self.origin, "retracted": self.retracted, "purged": self.purged,
        }

    def resource(self) -> Resource:
        return Resource.from_dict(self.doc())


@dataclass
class State:
    resources: dict[str, ResourceState]
    site_names: dict[str, str]
    max_clock: int
    ignored: list[tuple[tuple[int, str, int], str]]
    purged_hashes: set[str]
    heirs: dict[str, set[str]] = field(default_factory=dict)

    def may_write(self, site: str, rid: str, moderators: Iterable[str] = ()) -> bool:
        """Whether an edit or retraction of *rid* by *site* would be applied."""
        r = self.resources.get(rid)
        if r is None:
            return False
        return site in r.owners or site in set(moderators) or any(site in self.heirs.get(o, ()) for o in r.owners)

    def live(self) -> list[Resource]:
        """Resources not retracted, in id order."""
        return [r.resource() for k, r in sorted(self.resources.items()) if not r.retracted]

    def get(self, rid: str) -> Resource | None:
        r = self.resources.get(rid)
        return r.resource() if r else None

    def referenced_hashes(self) -> set[str]:
        """Objects the non-purged resources use now (what a site should hold)."""
        out: set[str] = set()
        for r in self.resources.values():
            if not r.purged:
                out.update(_file_hashes(r.fields))
        return out

    def fingerprint(self) -> list[Any]:
        """A comparable value of everything visible: tests assert convergence with it."""
        return [(k, r.origin, sorted(r.owners), r.retracted, r.purged, sorted(r.fields.items(), key=str))
                for k, r in sorted(self.resources.items())] + [sorted(self.site_names.items())]


def _file_hashes(fields: Mapping[str, Any]) -> set[str]:
    out = {f["hash"] for f in fields.get("files", ())}
    if fields.get("thumbnail"):
        out.add(fields["thumbnail"])
    return out


def merge(logs: Mapping[str, Iterable[Event]] | Iterable[Event], moderators: Iterable[str] = ()) -> State:
    """The state of a library from all its events (any order, any grouping)."""
    events = [e for evs in logs.values() for e in evs] if isinstance(logs, Mapping) else list(logs)
    events.sort(key=lambda e: e.key)
    mods = set(moderators)
    heirs = _heirs(events)
    resources: dict[str, ResourceState] = {}
    names: dict[str, str] = {}
    ignored: list[tuple[tuple[int, str, int], str]] = []
    max_clock = 0
    for ev in events:
        max_clock = max(max_clock, ev.clock)
        if ev.op == "site":
            names[ev.site] = str(ev.fields.get("name", ""))
            continue
        r = resources.get(ev.id)
        if r is None:
            if ev.op != "add":
                ignored.append((ev.key, "unknown resource"))
                continue
            resources[ev.id] = r = ResourceState(ev.id, ev.site, dict(ev.fields), {ev.site}, ev.at, ev.at)
            r.history.append(ev.fields)
            continue
        if r.retracted:
            ignored.append((ev.key, "retracted"))
            continue
        allowed = ev.site in r.owners or ev.site in mods or any(ev.site in heirs.get(o, ()) for o in r.owners)
        if not allowed and ev.op == "add":
            source = r.fields.get("imported_from") or ""
            if source and ev.fields.get("imported_from") == source:
                r.owners.add(ev.site)
                allowed = True
        if not allowed:
            ignored.append((ev.key, "not origin nor moderator"))
            continue
        if ev.op == "retract":
            r.retracted = True
            r.purged = ev.purge
            r.reason = ev.reason
            r.modified_at = ev.at
            continue
        r.fields.update(ev.fields)
        r.history.append(ev.fields)
        r.modified_at = ev.at
    purged: set[str] = set()
    if any(r.purged for r in resources.values()):
        keep: set[str] = set()
        for r in resources.values():
            if not r.purged:
                keep |= _file_hashes(r.fields)
        for r in resources.values():
            if r.purged:
                purged |= r.hashes_ever - keep
    return State(resources, names, max_clock, ignored, purged, heirs)


def _heirs(events: Iterable[Event]) -> dict[str, set[str]]:
    """For each site, the sites that declared they took over from it (transitively)."""
    direct: dict[str, set[str]] = {}
    for ev in events:
        if ev.op == "site":
            for old in ev.fields.get("succeeds", ()):
                direct.setdefault(old, set()).add(ev.site)
    out: dict[str, set[str]] = {}
    for old in direct:
        seen: set[str] = set()
        stack = list(direct[old])
        while stack:
            s = stack.pop()
            if s not in seen:
                seen.add(s)
                stack.extend(direct.get(s, ()))
        out[old] = seen
    return out
