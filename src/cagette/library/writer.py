"""Writing a library: this site's signed lines, and the starter's local ones.

Every write takes the library lock, re-reads the logs, stores the objects (the files, and
the descriptive object holding title, description, tags and authors), then writes one new
segment of this site's log. The first signed line of a site declares its public key — and,
for a log begun before keys, covers the earlier lines by count and hash; for a copy that
took a new id, carries the predecessor's signature of the succession. Starter resources go
to ``local/starter/`` (never synced): every site makes them from its own installed package.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cagette.errors import LibraryError, UsageError
from cagette.i18n import _
from cagette.library.keys import SiteKey, bound_id, fingerprint, new_nonce, succession_statement
from cagette.library.log import STARTER_SITE, Event, is_site_id, line_hash, make_event
from cagette.library.reader import LibraryReader, resolve_id
from cagette.library.resources import (
    DEFAULT_LICENCE,
    DESCRIPTIVE,
    KINDS,
    ROLES,
    check_fields,
    check_id,
    check_licence,
    check_licence_compatible,
    guess_media_type,
    meta_doc,
)
from cagette.library.site import Site
from cagette.library.state import STARTER_SOURCE, State
from cagette.progress import Progress

if TYPE_CHECKING:
    from cagette.library.resources import Resource


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"added": self.added, "edited": self.edited, "unchanged": self.unchanged}


@dataclass(frozen=True)
class Op:
    """A line to write: operation, resource id, fields (descriptive ones already by reference)."""

    op: str
    rid: str = ""
    fields: Mapping[str, Any] = field(default_factory=dict)
    purge: bool = False
    nonce: str = ""
    base: Mapping[str, str] = field(default_factory=dict)


class Writer(LibraryReader):
    """The writing half of :class:`~cagette.library.library.Library`."""

    def site(self) -> Site:
        """This library's site here (a new id if the folder was copied), its key line written. Takes the lock."""
        with self._lock:
            site, _changed = self._site_file.ensure()
            if not self._has_key_line(site.site_id):
                self._append(site, [], self._fresh_state())
                self._after_write()
            return site

    def site_id(self) -> str:
        return self.site().site_id


    # keys and first lines -------------------------------------------------------
    def _own_key(self, site: Site) -> SiteKey:
        key = self.keys.load(site.site_id)
        if key is not None:
            return key
        if self._has_key_line(site.site_id):
            raise LibraryError(
                _("The private key of this site ({site}) is missing from local/keys/.").format(site=site.site_id[:8]),
                _("Restore local/keys/ from a backup; or delete local/site.json so that this library takes "
                  "a new site id (its resources then stay with the old one)."))
        return self.keys.create(site.site_id)

    def _first_ops(self, site: Site, key: SiteKey, mine: Any, st: State) -> list[Op]:
        """The key line (with covers or succeeds), then the purges this site made before keys."""
        first: dict[str, Any] = {"name": site.site_name, "key": key.public_hex}
        if mine.lines:
            first["covers"] = {"lines": len(mine.lines), "sha256": hashlib.sha256(b"".join(mine.lines)).hexdigest()}
        elif site.previous_site_ids:
            old = site.previous_site_ids[-1]
            old_key = self.keys.load(old)
            if old_key is not None and st.keys.get(old) == old_key.public_hex:
                first["succeeds"] = [{"site": old, "sig": old_key.sign(
                    succession_statement(old, site.site_id, key.public_hex))}]
        ops = [Op("site", fields=first)]
        for ev in mine.events:  # a purge written before keys carries no authority: sign it again
            if ev.op == "retract" and ev.purge and not ev.signed:
                r = st.resources.get(ev.id)
                if r is not None and r.origin == site.site_id and not r.purged:
                    ops.append(Op("retract", ev.id, purge=True))
        return ops

    def _append(self, site: Site, ops: Sequence[Op], st: State) -> list[Event]:
        """Write *ops* as signed lines of this site's log, in one new segment. Call under the lock."""
        log = self.site_log(site.site_id)
        log.clean_tmp()
        mine = self.read_site(site.site_id)
        key = self._own_key(site)
        ops = list(ops)
        if not any(e.signed for e in mine.events):
            first = self._first_ops(site, key, mine, st)
            if ops and ops[0].op == "site":  # a rename on the first line: the name goes in the key line
                first[0] = Op("site", fields={**first[0].fields, "name": ops.pop(0).fields["name"]})
            ops = first + ops
        seq, clock = len(mine.events), st.max_clock
        prev = line_hash(mine.lines[-1]) if mine.lines else ""
        events = []
        for op in ops:
            seq += 1
            clock += 1
            ev = make_event(site.site_id, seq, clock, op.op, op.rid, op.fields, op.purge, key=key, prev=prev,
                            nonce=op.nonce, base=op.base)
            prev = line_hash(ev.to_line())
            events.append(ev)
        if events:
            log.write(len(mine.events) + 1, b"".join(e.to_line() for e in events))
            if site.previous_site_ids and events[0].fields.get("succeeds"):
                self.keys.forget(site.previous_site_ids[-1])  # the copy keeps only its own key
            log.compact(self.read_site(site.site_id))
        return events

    def _append_starter(self, ops: Sequence[Op], st: State) -> None:
        """Write starter resources to ``local/starter/`` (unsigned, never synced). Under the lock."""
        log = self.site_log(STARTER_SITE)
        mine = self.read_site(STARTER_SITE)
        seq, clock = len(mine.events), st.max_clock
        events = []
        for op in ops:
            seq += 1
            clock += 1
            events.append(make_event(STARTER_SITE, seq, clock, op.op, op.rid, op.fields, op.purge))
        if events:
            log.write(len(mine.events) + 1, b"".join(e.to_line() for e in events))
            log.compact(self.read_site(STARTER_SITE))

    def fork_site(self, old: str, keep: int) -> str:
        """This library was restored from a backup and wrote lines its peers never saw, while they
        hold others under the same numbers: keep lines 1…*keep* of the old log (what the peers hold
        too), take a new site id that succeeds the old one (signed by its key), and write again under
        the new id what had been written after *keep*. The lines set aside are kept in ``local/diverged/``."""
        from cagette.fsutil import atomic_write_bytes
        from cagette.library.log import now_iso

        with self._lock:
            site = self._site_file.read()
            if site is None or site.site_id != old:
                raise LibraryError(_("{site} is not this library's site.").format(site=old[:8]), None)
            read = self.read_site(old)
            lost = [e for e in read.events[keep:] if e.signed]
            stamp = now_iso().replace(":", "")
            atomic_write_bytes(self.local_dir / "diverged" / f"{old}-{stamp}.jsonl", b"".join(read.lines[keep:]))
            self.site_log(old).cut(keep, read)
            self._log_cache.pop(old, None)
            self._state = None
            new = self._site_file.fork()
            st = self._fresh_state()
            ops: list[Op] = []
            for ev in lost:
                if ev.op == "site":
                    if "key" not in ev.fields:
                        ops.append(Op("site", fields={"name": ev.fields["name"]}))
                elif ev.op in ("policy", "join"):
                    ops.append(Op(ev.op, fields=dict(ev.fields)))
                else:
                    ops.append(Op(ev.op, ev.id, dict(ev.fields), ev.purge, ev.nonce, dict(ev.base)))
            self._append(new, ops, st)
            self._after_write(purge=True)
            return new.site_id

    # site name and community ---------------------------------------------------------
    def set_site_name(self, name: str) -> None:
        with self._lock:
            site, _changed = self._site_file.ensure()
            site = self._site_file.update(site_name=name)
            st = self._fresh_state()
            if st.site_names.get(site.site_id) != name or not self._has_key_line(site.site_id):
                self._append(site, [Op("site", fields={"name": name})], st)
                self._after_write()

    def community_code(self) -> str:
        """What another site gives `cagette library join` to join this site's community."""
        st = self.state()
        site = self.site()
        cid = st.membership.get(site.site_id, "")
        if not cid or cid not in st.keys:
            raise UsageError(_("This site belongs to no community."),
                             _("Found one with `cagette library init --community NAME`, or join one."))
        return f"{cid}:{fingerprint(st.keys[cid])}"

    def found_community(self, name: str) -> str:
        """Make this site the founder of a community named *name*; returns its join code."""
        name = name.strip()
        if not name or len(name) > 100:
            raise UsageError(_("A community needs a name of 1 to 100 characters."), _("Give one with --community."))
        with self._lock:
            site, _changed = self._site_file.ensure()
            st = self._fresh_state()
            if site.site_id in st.communities:
                raise UsageError(_("This site already founded the community {name}.").format(
                    name=st.communities[site.site_id].name), _("Manage its moderators with `cagette library moderators`."))
            self._append(site, [Op("policy", fields={"community": site.site_id, "name": name, "version": 1,
                                                     "moderators": []})], st)
            self._after_write()
        return self.community_code()

    def join_community(self, code: str) -> None:
        """Join the community whose founder's code (``SITE:FINGERPRINT``) is *code*."""
        cid, _sep, fp = code.strip().partition(":")
        if not is_site_id(cid) or len(fp) != 16 or any(c not in "0123456789abcdef" for c in fp):
            raise UsageError(_("{code!r} is not a community code.").format(code=code[:80]),
                             _("Ask the founding site for it: `cagette library moderators` prints it there."))
        with self._lock:
            site, _changed = self._site_file.ensure()
            if cid == site.site_id:
                raise UsageError(_("This site founded that community."), None)
            st = self._fresh_state()
            if cid in st.keys and fingerprint(st.keys[cid]) != fp:
                raise UsageError(_("The founder of that community has another key here ({fp})").format(
                    fp=fingerprint(st.keys[cid])), _("Check the code with the founding site."))
            self._append(site, [Op("join", fields={"community": cid, "key": fp})], st)
            self._after_write()

    def set_moderators(self, add: Iterable[str] = (), remove: Iterable[str] = ()) -> list[str]:
        """A new version of this site's community policy (by its founder or a moderator)."""
        add, remove = list(add), list(remove)
        for m in (*add, *remove):
            if not is_site_id(m):
                raise UsageError(_("{value!r} is not a valid site id.").format(value=m),
                                 _("`cagette library stats` lists the sites this library knows."))
        with self._lock:
            site, _changed = self._site_file.ensure()
            st = self._fresh_state()
            cid = st.membership.get(site.site_id, "")
            comm = st.communities.get(cid)
            if comm is None:
                raise UsageError(_("This site belongs to no community."),
                                 _("Found one with `cagette library init --community NAME`, or join one."))
            if site.site_id != comm.id and site.site_id not in comm.moderators:
                raise UsageError(_("Only the founder or a moderator of {name} changes its moderators.").format(
                    name=comm.name), _("Ask one of them: `cagette library moderators` lists them."))
            mods = sorted((comm.moderators | set(add)) - set(remove) - {comm.id})
            if mods != sorted(comm.moderators):
                self._append(site, [Op("policy", fields={"community": comm.id, "name": comm.name,
                                                         "version": comm.version + 1, "moderators": mods})], st)
                self._after_write()
            return mods

    # resources ----------------------------------------------------------------------
    def _check_sources(self, st: State, licence: str, derived_from: Sequence[str]) -> None:
        sources = []
        for src in derived_from:
            r = st.get(src)
            if r is None:
                raise UsageError(_("The source {rid} is not in the library.").format(rid=src),
                                 _("Add or sync the source first, or drop it from --derived-from."))
            sources.append((r.id, r.licence))
        check_licence_compatible(licence, sources)

    def store_files(self, files: Sequence[tuple[str, Path]],
                    progress: Progress | None = None) -> list[dict[str, Any]]:
        """Copy files into the object store (verified, atomic); reports bytes, can be cancelled."""
        out = []
        for _role, p in files:
            if not Path(p).is_file():
                raise UsageError(_("{path} is not a file.").format(path=p), _("Check the path."))
        on_bytes = None
        if progress is not None:
            progress.start(_("Copying into the library"), sum(Path(p).stat().st_size for _r, p in files), "B")
            on_bytes = progress.advance
        for role, p in files:
            p = Path(p)
            if role not in ROLES:
                role = "attachment"
            digest, size = self.objects.put_file(p, on_bytes=on_bytes)
            out.append({"role": role, "hash": digest, "size": size,
                        "media_type": guess_media_type(p.name), "name": p.name[:200]})
        if progress is not None:
            progress.finish()
        return out

    def _by_reference(self, rid: str, fields: Mapping[str, Any], reason: str = "") -> dict[str, Any]:
        """*fields* with the descriptive ones moved into an object (stored now) named by ``meta``."""
        out = {k: v for k, v in fields.items() if k not in DESCRIPTIVE}
        desc = {k: fields[k] for k in DESCRIPTIVE if k in fields}
        if reason:
            desc["reason"] = reason
        if desc:
            digest, _size = self.objects.put_bytes(meta_doc(rid, desc))
            out["meta"] = {"hash": digest, "keys": sorted(desc)}
        return out

    def _new_id(self, key: SiteKey, st: State) -> tuple[str, str]:
        while True:
            nonce = new_nonce()
            rid = bound_id(key.public_hex, nonce)
            if rid not in st.resources:
                return rid, nonce

    def add(self, files: Sequence[tuple[str, Path]], *, rid: str | None = None,
            progress: Progress | None = None, **meta: Any) -> Resource:
        """Add a resource from files ``(role, path)`` and metadata fields.

        Without *rid*, the id is bound to this site's key (no other site can claim it).
        """
        fields = self._prepare_fields(meta, adding=True)
        with self._lock:
            site, _changed = self._site_file.ensure()
            self.objects.clean_tmp()
            st = self._fresh_state()
            nonce = ""
            if rid:
                rid = check_id(rid)
            else:
                rid, nonce = self._new_id(self._own_key(site), st)
            if rid in st.resources:
                raise UsageError(_("The id {rid} is already in the library.").format(rid=rid),
                                 _("Use `cagette library edit` to change it."))
            self._check_sources(st, fields["licence"], fields.get("derived_from", ()))
            fields["files"] = self.store_files(files, progress)
            thumb = next((f for f in fields["files"] if f["role"] == "thumbnail"), None)
            if thumb and "thumbnail" not in fields:
                fields["thumbnail"] = thumb["hash"]
            fields = check_fields(fields, adding=True)
            fields = {k: v for k, v in fields.items() if v not in ("", [], None) or k in ("title", "files")}
            self._append(site, [Op("add", rid, self._by_reference(rid, fields), nonce=nonce)], st)
            self._after_write()
        return self._current(rid)

    def add_path(self, path: Path, defaults: Mapping[str, Any] | None = None,
                 progress: Progress | None = None, **meta: Any) -> Resource:
        """Add a file or a folder of files (a project folder is published by :mod:`cagette.flows.publish`).

        Fields given in *meta* win over what the folder says, which wins over *defaults*.
        """
        from cagette.library.ingest import collect

        files, guessed = collect(Path(path))
        for source in (guessed, defaults or {}):
            for k, v in source.items():
                if meta.get(k) in (None, "", [], ()):
                    meta[k] = v
        return self.add(files, progress=progress, **meta)

    def _prepare_fields(self, meta: Mapping[str, Any], adding: bool) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        for k, v in meta.items():
            if v is None:
                continue
            if k in ("tags", "authors", "derived_from"):
                v = [str(x) for x in v if str(x).strip()]
            fields[k] = v
        if adding:
            fields.setdefault("licence", DEFAULT_LICENCE)
            fields.setdefault("title", "")
            if not fields["title"]:
                raise UsageError(_("A resource needs a title."), _("Give one with --title."))
            if fields.get("kind") not in KINDS:
                raise UsageError(_("Unknown kind {kind!r}.").format(kind=fields.get("kind")),
                                 _("Use one of: {kinds}.").format(kinds=", ".join(KINDS)))
        if "licence" in fields:
            fields["licence"] = check_licence(fields["licence"])
        if "kind" in fields and fields["kind"] not in KINDS:
            raise UsageError(_("Unknown kind {kind!r}.").format(kind=fields["kind"]),
                             _("Use one of: {kinds}.").format(kinds=", ".join(KINDS)))
        return fields

    def _can_write(self, site: Site, st: State, rid: str) -> bool:
        """Whether this site's edit of *rid* will be applied (by every site's merge)."""
        if st.may_write(site.site_id, rid):
            return True
        # a copy that has not signed yet: its first line will prove whom it succeeds
        pending = site.previous_site_ids[-1:] if not self._has_key_line(site.site_id) else ()
        return any(st.may_write(p, rid) and self.keys.load(p) is not None for p in pending)

    def _may_write(self, site: Site, st: State, rid: str) -> None:
        r = st.resources[rid]
        if r.origin == STARTER_SITE:
            raise UsageError(_("{rid} comes from the starter library installed with cagette.").format(rid=rid),
                             _("Derive your own version with --derived-from."))
        if not self._can_write(site, st, rid):
            name = st.site_names.get(r.origin, r.origin[:8])
            raise UsageError(_("{rid} belongs to the site {site}; only it or a moderator can change it.").format(
                rid=rid, site=name), _("Ask that site, or derive your own version with --derived-from."))

    def _bases(self, st: State, rid: str, names: Iterable[str]) -> dict[str, str]:
        r = st.resources[rid]
        return {n: r.setters[n][-1][0].ref for n in names if r.setters.get(n)}

    def edit(self, rid: str, **meta: Any) -> Resource:
        fields = self._prepare_fields(meta, adding=False)
        if not fields:
            raise UsageError(_("Nothing to change."), _("Give at least one field, such as --title."))
        with self._lock:
            site, _changed = self._site_file.ensure()
            st = self._fresh_state()
            rid = resolve_id(rid, st.resources)
            if st.resources[rid].retracted:
                raise UsageError(_("{rid} was retracted.").format(rid=rid), _("Add it again under a new id."))
            self._may_write(site, st, rid)
            cur = st.resources[rid].resource(self.resolve_meta).to_dict()
            self._check_sources(st, fields.get("licence", cur.get("licence", DEFAULT_LICENCE)),
                                fields.get("derived_from", cur.get("derived_from", ())))
            fields = {k: v for k, v in check_fields(fields, adding=False).items() if cur.get(k) != v}
            if fields:
                self._append(site, [Op("edit", rid, self._by_reference(rid, fields),
                                       base=self._bases(st, rid, fields))], st)
                self._after_write()
        return self._current(rid)

    def retract(self, rid: str, purge: bool = False, reason: str = "") -> Resource:
        with self._lock:
            site, _changed = self._site_file.ensure()
            st = self._fresh_state()
            rid = resolve_id(rid, st.resources)
            if st.resources[rid].retracted and (st.resources[rid].purged or not purge):
                return self.get(rid)
            self._may_write(site, st, rid)
            fields = self._by_reference(rid, {}, reason[:2000])
            self._append(site, [Op("retract", rid, fields, purge=purge)], st)
            self._after_write(purge=purge)
        return self._current(rid)

    def import_entries(self, entries: Iterable[Any], source: str) -> ImportReport:
        """Import entries with STABLE ids (the starter library): new ids are added; an entry
        whose ``version`` is newer than the library's arrives as an edit of the changed fields.
        The starter's go to this library's local starter log; other sources to its signed log."""
        report = ImportReport()
        starter = source == STARTER_SOURCE
        with self._lock:
            site, _changed = self._site_file.ensure()
            self.objects.clean_tmp()
            st = self._fresh_state()
            ops: list[Op] = []
            for e in entries:
                op = self._import_one(e, source, st, site, ops, starter)
                if op is None:
                    report.unchanged.append(str(e.id))
                    continue
                ops.append(op)
                (report.added if op.op == "add" else report.edited).append(op.rid)
            if ops:
                if starter:
                    self._append_starter(ops, st)
                else:
                    self._append(site, [Op(o.op, o.rid, self._by_reference(o.rid, o.fields)) for o in ops], st)
                self._after_write()
        return report

    def _import_one(self, e: Any, source: str, st: State, site: Site, ops: Sequence[Op],
                    starter: bool) -> Op | None:
        rid = check_id(str(e.id))
        meta = {"kind": e.kind, "title": e.title, "description": getattr(e, "description", "") or "",
                "language": getattr(e, "language", "") or "",
                "licence": getattr(e, "licence", "") or DEFAULT_LICENCE,
                "tags": list(getattr(e, "tags", ()) or ()), "authors": list(getattr(e, "authors", ()) or ()),
                "organisation": getattr(e, "organisation", "") or "",
                "derived_from": [str(x) for x in getattr(e, "derived_from", ()) or ()],
                "version": int(getattr(e, "version", 1) or 1), "imported_from": source}
        if getattr(e, "people", ""):
            meta["people"] = e.people
        fields = self._prepare_fields(meta, adding=True)
        cur = st.resources.get(rid)
        if cur is not None and (cur.retracted or int(cur.fields.get("version", 0)) >= fields["version"]):
            return None
        owner = STARTER_SITE if starter else site.site_id
        if cur is not None and cur.origin != owner:
            raise UsageError(_("The id {rid} belongs to another site.").format(rid=rid),
                             _("Import it under another id."))
        fields["files"] = self.store_files([(role, Path(p)) for role, p in e.files])
        thumb = next((f for f in fields["files"] if f["role"] == "thumbnail"), None)
        fields["thumbnail"] = thumb["hash"] if thumb else ""
        fields = check_fields(fields, adding=True)
        known = {r: (st.resources[r].fields.get("licence", "")) for r in st.resources}
        new_srcs = {o.rid: o.fields.get("licence", "") for o in ops}
        check_licence_compatible(fields["licence"], [
            (s, known.get(s) or new_srcs.get(s, "")) for s in fields.get("derived_from", ())
            if known.get(s) or new_srcs.get(s)])
        if cur is None:
            return Op("add", rid, fields)
        doc = cur.resource(self.resolve_meta).to_dict()
        return Op("edit", rid, {k: v for k, v in fields.items() if doc.get(k, cur.fields.get(k)) != v})
