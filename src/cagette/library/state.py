"""Merging: the library's state as a PURE function of its logs.

:func:`merge` takes every site's events (and the library's local starter log) and returns
the same :class:`State` whatever order the logs arrived in, so any transport that copies
log lines converges. Authority comes from keys, never from what a line claims:

* Events are applied in the total order ``(clock, site, seq)``; per field, the last writer
  in that order wins. A value that lost to an edit whose writer had not seen it (``base``)
  is kept in :attr:`ResourceState.conflicts`.
* The first ``add`` of an id makes its site the resource's *origin*. An id made by
  :meth:`Library.add <cagette.library.library.Library.add>` is bound to its site's key
  (``nonce``): only that site, or a proven successor, can be its origin.
* ``edit`` and ``retract`` count from the origin, from a site that proved it succeeds the
  origin (``succeeds`` signed by the predecessor's key), and from a moderator of the
  origin's community. A community is founded by a signed ``policy`` line (version 1, by
  the founding site: the community's id is that site's id); each later version is signed
  by the founder or by a moderator the previous version names. A site belongs to the
  community its latest ``join`` names (with the founder's key fingerprint).
* Resources imported from the starter library come only from this library's own starter
  log (:data:`cagette.library.log.STARTER_SITE`): a peer's line claiming a starter
  resource, or editing one, is never applied.
* Unsigned (format-1) lines never carry succession, moderation, purge or starter
  authority: they add and edit their own site's resources, and retract without purging.
* ``retract`` is final; a signed purge may still follow an earlier retraction. With
  ``purge``, every object the resource ever referenced — files and the descriptive
  objects that hold its title, description, tags, authors and reason — that no live
  resource uses is in :attr:`State.purged_hashes`, for every site to erase.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cagette.library.log import STARTER_SITE, Event
from cagette.library.resources import DEFAULT_LICENCE, DESCRIPTIVE, Resource, licence_problem

STARTER_SOURCE = "cagette.starter"
Resolver = Callable[[str, str, tuple[str, ...]], Mapping[str, Any] | None]


@dataclass(frozen=True)
class MetaRef:
    """A descriptive field's value kept in the object *hash* (with the other *keys* it holds)."""

    hash: str
    keys: tuple[str, ...]


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
    reason: Any = ""
    history: list[Mapping[str, Any]] = field(default_factory=list)  # every field set applied, for purges
    setters: dict[str, list[tuple[Event, Any]]] = field(default_factory=dict)

    @property
    def hashes_ever(self) -> set[str]:
        out: set[str] = set()
        for fields in self.history:
            out |= _file_hashes(fields)
        return out

    def conflicts(self) -> list[tuple[str, Event, Any]]:
        """``(field, event, value)`` of values that lost to an edit whose writer had not seen them."""
        out = []
        for name, setters in self.setters.items():
            if len(setters) < 2:
                continue
            winner = setters[-1][0]
            if not winner.signed:
                continue
            by_ref = {ev.ref: ev for ev, _v in setters}
            seen: set[str] = {winner.ref}
            cur: Event | None = winner
            while cur is not None and cur.base.get(name) and cur.base[name] not in seen:
                seen.add(cur.base[name])
                cur = by_ref.get(cur.base[name])
            out += [(name, ev, value) for ev, value in setters[:-1] if ev.ref not in seen and ev.site != winner.site]
        return out

    def doc(self, resolve: Resolver | None = None) -> dict[str, Any]:
        """The resource as a plain dict (what the index stores); descriptive objects resolved."""
        f = dict(self.fields)
        gone = False
        for name in DESCRIPTIVE:
            value = f.get(name)
            if isinstance(value, MetaRef):
                got = resolve(value.hash, self.id, value.keys) if resolve and not self.purged else None
                if got is None:
                    gone = True
                    f.pop(name)
                else:
                    f[name] = got.get(name)
        return {
            "id": self.id, "kind": f.get("kind", "video"), "title": f.get("title", ""),
            "description": f.get("description", ""), "tags": list(f.get("tags", ())),
            "language": f.get("language", ""), "licence": f.get("licence", DEFAULT_LICENCE),
            "authors": list(f.get("authors", ())), "organisation": f.get("organisation", ""),
            "created": f.get("created") or self.added_at, "modified": self.modified_at,
            "files": [dict(x) for x in f.get("files", ())], "thumbnail": f.get("thumbnail", ""),
            "duration": f.get("duration"), "derived_from": list(f.get("derived_from", ())),
            "version": f.get("version", 0), "imported_from": f.get("imported_from", ""),
            "people": f.get("people", ""), "origin": self.origin, "retracted": self.retracted,
            "purged": self.purged,
            "missing_meta": gone and not self.purged,
        }

    def resource(self, resolve: Resolver | None = None) -> Resource:
        return Resource.from_dict(self.doc(resolve))


@dataclass
class Community:
    id: str  # the founding site's id
    name: str
    version: int
    moderators: set[str]
    ever: set[str] = field(default_factory=set)  # every site any valid version named


@dataclass
class State:
    resources: dict[str, ResourceState]
    site_names: dict[str, str]
    max_clock: int
    ignored: list[tuple[tuple[int, str, int], str]]
    purged_hashes: set[str]
    heirs: dict[str, set[str]] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    communities: dict[str, Community] = field(default_factory=dict)
    membership: dict[str, str] = field(default_factory=dict)
    resolve: Resolver | None = None

    def moderators_of(self, site: str) -> set[str]:
        """The moderators of *site*'s community (its founder included)."""
        comm = self.communities.get(self.membership.get(site, ""))
        return (comm.moderators | {comm.id}) if comm else set()

    def may_write(self, site: str, rid: str, moderators: Iterable[str] = ()) -> bool:
        """Whether an edit or retraction of *rid* by *site* would be applied now."""
        r = self.resources.get(rid)
        if r is None:
            return False
        if r.origin == STARTER_SITE:
            return site == STARTER_SITE
        return (site in r.owners or any(site in self.heirs.get(o, ()) for o in r.owners)
                or site in self.moderators_of(r.origin) or site in set(moderators))

    def live(self) -> list[Resource]:
        """Resources not retracted, in id order."""
        return [r.resource(self.resolve) for k, r in sorted(self.resources.items()) if not r.retracted]

    def get(self, rid: str) -> Resource | None:
        r = self.resources.get(rid)
        return r.resource(self.resolve) if r else None

    def referenced_hashes(self) -> set[str]:
        """Objects the non-purged resources use now, and every descriptive object of their history
        (a value lost to a concurrent edit is kept): what a site should hold."""
        out: set[str] = set()
        for r in self.resources.values():
            if not r.purged:
                out.update(_file_hashes(r.fields))
                for fields in r.history:
                    out.update(v.hash for v in fields.values() if isinstance(v, MetaRef))
        return out

    def licence_flags(self, rid: str) -> list[tuple[str, str, str]]:
        """``(source id, source licence, problem)`` for each source whose licence the resource breaks."""
        r = self.resources.get(rid)
        if r is None or r.retracted:
            return []
        out = []
        lic = str(r.fields.get("licence", DEFAULT_LICENCE))
        for src in r.fields.get("derived_from", ()):
            s = self.resources.get(src)
            if s is None:
                continue
            slic = str(s.fields.get("licence", DEFAULT_LICENCE))
            problem = licence_problem(lic, slic)
            if problem:
                out.append((src, slic, problem))
        return out

    def fingerprint(self) -> list[Any]:
        """A comparable value of everything visible: tests assert convergence with it."""
        return [(k, r.origin, sorted(r.owners), r.retracted, r.purged, sorted(r.fields.items(), key=str))
                for k, r in sorted(self.resources.items())] + [sorted(self.site_names.items())]


def _file_hashes(fields: Mapping[str, Any]) -> set[str]:
    out = {f["hash"] for f in fields.get("files", ())}
    if fields.get("thumbnail"):
        out.add(fields["thumbnail"])
    for value in fields.values():
        if isinstance(value, MetaRef):
            out.add(value.hash)
    return out


def _unpack(ev: Event) -> dict[str, Any]:
    """An event's fields with its descriptive reference spread over the fields it holds."""
    fields = dict(ev.fields)
    meta = fields.pop("meta", None)
    if isinstance(meta, Mapping):
        ref = MetaRef(str(meta["hash"]), tuple(meta["keys"]))
        for k in ref.keys:
            fields[k] = ref
    return fields


class _Merger:
    def __init__(self, events: list[Event], pins: Mapping[str, str]) -> None:
        from cagette.library import authority

        self.events = events
        self.pins = pins
        self.keys = authority.site_keys(events)
        self.heirs = authority.heirs(events, self.keys)
        self.bound = authority.bound_origins(events, self.keys, self.heirs)
        self.resources: dict[str, ResourceState] = {}
        self.names: dict[str, str] = {}
        self.ignored: list[tuple[tuple[int, str, int], str]] = []
        self.communities: dict[str, Community] = {}
        self.membership: dict[str, str] = {}

    def heir_of(self, site: str, old: str) -> bool:
        return site == old or site in self.heirs.get(old, ())

    def moderates(self, site: str, origin: str) -> bool:
        comm = self.communities.get(self.membership.get(origin, ""))
        return comm is not None and (site == comm.id or site in comm.moderators)

    def run(self) -> State:
        max_clock = 0
        for ev in self.events:
            max_clock = max(max_clock, ev.clock)
            if ev.op == "site":
                self.names[ev.site] = str(ev.fields.get("name", ""))
            elif ev.op == "policy":
                self._policy(ev)
            elif ev.op == "join":
                self._join(ev)
            else:
                self._resource_event(ev)
        return State(self.resources, self.names, max_clock, self.ignored, self._purged(), self.heirs, self.keys,
                     self.communities, self.membership)

    def _policy(self, ev: Event) -> None:
        cid, version = str(ev.fields["community"]), int(ev.fields["version"])
        cur = self.communities.get(cid)
        if version == 1 and cur is None and ev.site == cid:
            self.membership[cid] = cid
        elif not (cur is not None and version == cur.version + 1
                  and (self.heir_of(ev.site, cid) or ev.site in cur.moderators)):
            self.ignored.append((ev.key, "policy not signed by the founder or a moderator"))
            return
        mods = set(ev.fields["moderators"])
        self.communities[cid] = Community(cid, str(ev.fields["name"]), version, mods, (cur.ever if cur else set()) | mods)

    def _join(self, ev: Event) -> None:
        from cagette.library.keys import fingerprint

        cid = str(ev.fields["community"])
        key = self.keys.get(cid)
        if key is None or fingerprint(key) != ev.fields["key"]:
            self.ignored.append((ev.key, "join of a community whose founder key differs"))
            return
        self.membership[ev.site] = cid

    def _allowed(self, ev: Event, r: ResourceState) -> bool:
        if r.origin == STARTER_SITE:
            return ev.site == STARTER_SITE
        if ev.site in r.owners:
            return True
        if not ev.signed:
            return False  # no succession nor moderation from an unsigned line
        return any(self.heir_of(ev.site, o) for o in r.owners) or self.moderates(ev.site, r.origin)

    def _resource_event(self, ev: Event) -> None:
        fields = _unpack(ev)
        if ev.site != STARTER_SITE and (fields.get("imported_from") == STARTER_SOURCE):
            self.ignored.append((ev.key, "starter resources come from this library's own package"))
            return
        r = self.resources.get(ev.id)
        if r is None:
            if ev.op != "add":
                self.ignored.append((ev.key, "unknown resource"))
                return
            binder = self.bound.get(ev.id)
            pinned = self.pins.get(ev.id)
            if (binder is not None and not self.heir_of(ev.site, binder)) or (
                    binder is None and pinned is not None and not self.heir_of(ev.site, pinned)):
                self.ignored.append((ev.key, "an id that belongs to another site"))
                return
            # its own copy: the edits update r.fields, and history keeps each field set as it was applied
            self.resources[ev.id] = r = ResourceState(ev.id, ev.site, dict(fields), {ev.site}, ev.at, ev.at)
            r.history.append(fields)
            for k, v in fields.items():
                r.setters[k] = [(ev, v)]
            return
        if not self._allowed(ev, r):
            self.ignored.append((ev.key, "not origin, successor nor moderator"))
            return
        if r.retracted:
            if ev.op == "retract" and ev.purge and ev.signed and not r.purged:
                r.purged = True  # a signed purge of what an earlier line only retracted
                r.history.append(fields)
                return
            self.ignored.append((ev.key, "retracted"))
            return
        if ev.op == "retract":
            r.retracted = True
            r.purged = ev.purge and ev.signed
            r.reason = fields.get("reason", ev.reason)
            if isinstance(r.reason, MetaRef):
                r.fields["reason"] = r.reason
            r.history.append(fields)
            r.modified_at = ev.at
            return
        r.fields.update(fields)
        r.history.append(fields)
        for k, v in fields.items():
            r.setters.setdefault(k, []).append((ev, v))
        r.modified_at = ev.at

    def _purged(self) -> set[str]:
        purged: set[str] = set()
        if any(r.purged for r in self.resources.values()):
            keep: set[str] = set()
            for r in self.resources.values():
                if not r.purged:
                    keep |= _file_hashes(r.fields)
            for r in self.resources.values():
                if r.purged:
                    purged |= r.hashes_ever - keep
        return purged


def merge(logs: Mapping[str, Iterable[Event]] | Iterable[Event], pins: Mapping[str, str] | None = None,
          resolve: Resolver | None = None) -> State:
    """The state of a library from all its events (any order, any grouping).

    *pins* (``{resource id: origin site}``) are the origins a library had seen when it moved
    to signed logs: resources made before keys keep the origin seen first.
    """
    events = [e for evs in logs.values() for e in evs] if isinstance(logs, Mapping) else list(logs)
    events.sort(key=lambda e: e.key)
    st = _Merger(events, pins or {}).run()
    st.resolve = resolve
    return st
