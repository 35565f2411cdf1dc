"""The :class:`Library`: one folder, read and written only through here.

::

    LIBRARY/
      library.json          {"format": "cagette-library", "version": 1}
      objects/ab/cdef…      content-addressed files (see objects.py)
      log/<site-id>.jsonl   one append-only log per site (see log.py)
      local/                never synced: site.json, index.json, lock, tmp

Every write takes ``local/lock`` (a :class:`~cagette.fsutil.FileLock`),
re-reads the logs, stores the objects, appends one or more lines to this
site's log (fsync'd), then rebuilds the index. An add is reported only after
its line is durable, so a crash at any moment loses nothing reported.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cagette.errors import IntegrityError, LibraryError, UsageError
from cagette.fsutil import FileLock, atomic_write_text, staged_dir
from cagette.i18n import _
from cagette.library import index as idx
from cagette.library import log as logmod
from cagette.library.log import Event, LogError, LogRead, make_event
from cagette.library.objects import ObjectStore
from cagette.library.resources import (
    DEFAULT_LICENCE,
    KINDS,
    ROLES,
    Resource,
    attribution_chain,
    check_fields,
    check_id,
    check_licence,
    check_licence_compatible,
    guess_media_type,
)
from cagette.library.site import Site, SiteFile
from cagette.library.state import State, merge
from cagette.progress import Progress

if TYPE_CHECKING:
    from cagette.library.fsck import FsckReport

FORMAT_NAME = "cagette-library"
FORMAT_VERSION = 1
LIBRARY_FILE = "library.json"


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"added": self.added, "edited": self.edited, "unchanged": self.unchanged}


@dataclass
class _CachedLog:
    read: LogRead
    head: bytes  # the log's first bytes when read: a log rewritten (not appended) is read again whole

    @property
    def valid_bytes(self) -> int:
        return self.read.valid_bytes


def is_library(path: Path) -> bool:
    return (Path(path) / LIBRARY_FILE).is_file()


class Library:
    """A library folder. Open it with :meth:`open` or :meth:`create`."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path).absolute()
        self.objects = ObjectStore(self.path / "objects")
        self.log_dir = self.path / "log"
        self.local_dir = self.path / "local"
        self.index_path = self.local_dir / "index.json"
        self._site_file = SiteFile(self.path, self.local_dir)
        self._lock = FileLock(self.local_dir / "lock", timeout=30.0, what=str(self.path))
        self._state: State | None = None
        self._state_sizes: dict[str, int] | None = None
        self._search: idx.SearchIndex | None = None
        self._search_sizes: dict[str, int] | None = None
        self._by_id_cache: tuple[dict[str, int], dict[str, dict[str, Any]]] | None = None
        self._log_cache: dict[str, _CachedLog] = {}
        self._docs_cache: tuple[dict[str, int], list[str], list[dict[str, Any]]] | None = None

    # opening ----------------------------------------------------------------
    @classmethod
    def create(cls, path: Path, site_name: str = "") -> Library:
        """Make a new empty library at *path* (or open the one already there)."""
        path = Path(path)
        if path.exists() and not path.is_dir():
            raise UsageError(_("{path} exists and is not a folder.").format(path=path),
                             _("Choose another library path."))
        if not is_library(path):
            if path.is_dir() and any(p for p in path.iterdir() if p.name not in ("log", "objects", "local")):
                raise UsageError(_("{path} is a non-empty folder, not a library.").format(path=path),
                                 _("Choose an empty or new folder for the library."))
            (path / "objects").mkdir(parents=True, exist_ok=True)
            (path / "log").mkdir(exist_ok=True)
            (path / "local").mkdir(exist_ok=True)
            atomic_write_text(path / LIBRARY_FILE,
                              json.dumps({"format": FORMAT_NAME, "version": FORMAT_VERSION}) + "\n")
        lib = cls.open(path)
        if site_name:
            lib.set_site_name(site_name)
        return lib

    @classmethod
    def open(cls, path: Path, create: bool = False) -> Library:
        path = Path(path)
        if not is_library(path):
            if create:
                return cls.create(path)
            raise LibraryError(_("No library at {path}.").format(path=path),
                               _("Run `cagette library init` or choose another one with --library."))
        try:
            meta = json.loads((path / LIBRARY_FILE).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise LibraryError(_("{path} is unreadable: {error}").format(path=path / LIBRARY_FILE, error=exc),
                               _("Restore it from a copy of the library.")) from None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
            raise LibraryError(_("{path} is not a cagette library file.").format(path=path / LIBRARY_FILE),
                               _("Choose another library with --library."))
        if not isinstance(meta.get("version"), int) or meta["version"] > FORMAT_VERSION:
            raise LibraryError(_("This library uses format {v}; this cagette reads up to {mine}.").format(
                v=meta.get("version"), mine=FORMAT_VERSION), _("Update cagette."))
        lib = cls(path)
        try:
            lib.local_dir.mkdir(exist_ok=True)
            lib.log_dir.mkdir(exist_ok=True)
        except OSError:
            pass  # a read-only copy (a locked USB stick): it can still be read
        return lib

    def lock(self) -> FileLock:
        return self._lock

    # site -------------------------------------------------------------------
    def site(self) -> Site:
        """This library's site here (a new id if the folder was copied). Takes the lock."""
        with self._lock:
            site, _changed = self._site_file.ensure()
            return site

    def site_id(self) -> str:
        return self.site().site_id

    def set_site_name(self, name: str) -> None:
        with self._lock:
            site, _changed = self._site_file.ensure()
            self._site_file.update(site_name=name)
            st = self._fresh_state()
            if st.site_names.get(site.site_id) != name:
                fields: dict[str, Any] = {"name": name}
                if site.previous_site_ids and not self.log_path(site.site_id).exists():
                    fields["succeeds"] = list(site.previous_site_ids[-50:])
                self._append(site.site_id, [("site", "", fields, False, "")], st)
                self._after_write()

    def site_name(self) -> str:
        s = self._site_file.read()
        return s.site_name if s else ""

    def moderators(self) -> tuple[str, ...]:
        s = self._site_file.read()
        return s.moderators if s else ()

    def set_moderators(self, sites: Iterable[str]) -> None:
        mods = tuple(dict.fromkeys(sites))
        for m in mods:
            if not logmod.is_site_id(m):
                raise UsageError(_("{value!r} is not a valid site id.").format(value=m),
                                 _("`cagette library stats` lists the sites this library knows."))
        with self._lock:
            self._site_file.ensure()
            self._site_file.update(moderators=mods)
            self._after_write(purge=True)

    # logs and state -----------------------------------------------------------
    def log_path(self, site: str) -> Path:
        return self.log_dir / logmod.log_name(site)

    def log_sizes(self) -> dict[str, int]:
        out: dict[str, int] = {}
        if self.log_dir.is_dir():
            for p in self.log_dir.iterdir():
                sid = logmod.site_of_log(p.name)
                if sid:
                    out[sid] = p.stat().st_size
        return out

    def read_logs(self) -> dict[str, LogRead]:
        """Every log, validated (a malformed line raises :class:`LogError` naming the file and line).

        Logs only grow: a log read before is extended by parsing just its new bytes.
        """
        out: dict[str, LogRead] = {}
        if self.log_dir.is_dir():
            for p in sorted(self.log_dir.iterdir()):
                sid = logmod.site_of_log(p.name)
                if sid:
                    out[sid] = self._read_log_incremental(p, sid)
        return out

    def _read_log_incremental(self, path: Path, site: str) -> LogRead:
        cached = self._log_cache.get(site)
        if cached is not None and not path.is_symlink():
            try:
                with open(path, "rb") as fh:
                    size = os.fstat(fh.fileno()).st_size
                    head = fh.read(len(cached.head))
                    fh.seek(cached.valid_bytes)
                    tail = fh.read()
            except FileNotFoundError:
                size, tail, head = 0, b"", b""
            if head == cached.head and size >= cached.valid_bytes:
                more = logmod.parse_log_bytes(tail, site, path.name, len(cached.read.events) + 1)
                read = LogRead(site, cached.read.events + more.events, cached.valid_bytes + more.valid_bytes,
                               more.torn_bytes)
                self._log_cache[site] = _CachedLog(read, cached.head)
                return read
        read = logmod.read_log(path, site)
        if read.valid_bytes:
            with open(path, "rb") as fh:
                head = fh.read(min(read.valid_bytes, 4096))
            self._log_cache[site] = _CachedLog(read, head)
        return read

    def _fresh_state(self) -> State:
        sizes = self.log_sizes()
        if self._state is None or sizes != self._state_sizes:
            logs = self.read_logs()
            self._state = merge({s: r.events for s, r in logs.items()}, self.moderators())
            self._state_sizes = sizes
        return self._state

    def state(self) -> State:
        """The merged state of every log (pure function of the logs and the moderators)."""
        return self._fresh_state()

    def _append(self, site: str, items: Sequence[tuple[str, str, Mapping[str, Any], bool, str]],
                st: State) -> list[Event]:
        """Append events (op, id, fields, purge, reason) to this site's log. Call under the lock."""
        path = self.log_path(site)
        logmod.repair(path)
        mine = self._read_log_incremental(path, site)
        seq = len(mine.events)
        clock = st.max_clock
        events = []
        if seq == 0 and not any(op == "site" for op, *_rest in items):
            site_rec = self._site_file.read()
            if site_rec is not None and (site_rec.site_name or site_rec.previous_site_ids):
                # a new site id names itself first, and says which site(s) this copy took over from
                first: dict[str, Any] = {"name": site_rec.site_name}
                if site_rec.previous_site_ids:
                    first["succeeds"] = list(site_rec.previous_site_ids[-50:])
                items = [("site", "", first, False, ""), *items]
        for op, rid, fields, purge, reason in items:
            seq += 1
            clock += 1
            events.append(make_event(site, seq, clock, op, rid, fields, purge, reason))
        logmod.append(path, events)
        return events

    def _after_write(self, purge: bool = False) -> None:
        """After an append: the merged state is recomputed on demand, and the index is rebuilt
        lazily by the next read (in this process or another), so a write costs no index rewrite."""
        self._state = None
        if purge:
            self.apply_purges()

    def _current(self, rid: str) -> Resource:
        r = self._fresh_state().get(rid)
        assert r is not None
        return r

    # index and search -----------------------------------------------------------
    def reindex(self) -> int:
        """Rebuild ``local/index.json`` from the logs; returns the number of resources."""
        sizes = self.log_sizes()
        st = self._fresh_state()
        docs = [r.doc() for r in st.resources.values()]
        mods = list(self.moderators())
        self._clean_stale_temp_files()
        try:
            idx.write_index(self.index_path, docs, {
                "log_sizes": sizes, "site_names": st.site_names, "purged": sorted(st.purged_hashes),
                "moderators": mods})
        except OSError:
            pass  # a read-only library: the index lives in memory only, rebuilt by each process

        self._search = None
        self._docs_cache = (sizes, mods, docs)
        return len(docs)

    def _clean_stale_temp_files(self, age_s: float = 600.0) -> None:
        """Remove index temporary files left by a killed process (old ones only: a live one may be in use)."""
        import time

        now = time.time()
        for p in self.local_dir.glob(".index.json.*.tmp"):
            try:
                if now - p.stat().st_mtime > age_s:
                    p.unlink()
            except OSError:
                continue

    def _docs(self) -> list[dict[str, Any]]:
        sizes = self.log_sizes()
        mods = list(self.moderators())
        if self._docs_cache is not None and self._docs_cache[:2] == (sizes, mods):
            return self._docs_cache[2]
        got = idx.read_index(self.index_path)
        if got is None or got[1].get("log_sizes") != sizes or got[1].get("moderators") != mods:
            self.reindex()
            assert self._docs_cache is not None
            return self._docs_cache[2]
        self._docs_cache = (sizes, mods, got[0])
        return got[0]

    def search_index(self) -> idx.SearchIndex:
        sizes = self.log_sizes()
        if self._search is None or self._search_sizes != sizes:
            self._search = idx.SearchIndex(self._docs())
            self._search_sizes = sizes
        return self._search

    def search(self, query: str = "", filters: idx.Filters | None = None,
               limit: int | None = None) -> list[Resource]:
        return [Resource.from_dict(d) for d in self.search_index().search(query, filters, limit)]

    def resources(self, filters: idx.Filters | None = None, include_retracted: bool = False) -> list[Resource]:
        if include_retracted:
            everything = idx.SearchIndex(self._docs(), include_retracted=True)
            return [Resource.from_dict(d) for d in everything.search("", filters)]
        return self.search("", filters)

    def _by_id(self) -> dict[str, dict[str, Any]]:
        sizes = self.log_sizes()
        if self._by_id_cache is None or self._by_id_cache[0] != sizes:
            self._by_id_cache = (sizes, {d["id"]: d for d in self._docs()})
        return self._by_id_cache[1]

    def find(self, rid: str) -> Resource | None:
        """A resource by exact id (retracted ones too), or None; read from the index."""
        d = self._by_id().get(rid)
        return Resource.from_dict(d) if d else None

    def get(self, rid: str) -> Resource:
        """A resource by id or unique id prefix (retracted ones too)."""
        docs = self._by_id()
        return Resource.from_dict(docs[_resolve(rid, docs)])

    def chain(self, rid: str) -> list[Resource]:
        """The resource and everything it derives from (its attribution chain)."""
        return attribution_chain(self.get(rid).id, self.find)

    # writing ------------------------------------------------------------------
    def _check_sources(self, st: State, licence: str, derived_from: Sequence[str]) -> None:
        sources = []
        for src in derived_from:
            r = st.get(src)
            if r is None:
                raise UsageError(_("The source {rid} is not in the library.").format(rid=src),
                                 _("Add or sync the source first, or drop it from --derived-from."))
            sources.append((r.id, r.licence))
        check_licence_compatible(licence, sources)

    def store_files(self, files: Sequence[tuple[str, Path]], progress: Progress | None = None) -> list[dict[str, Any]]:
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

    def add(self, files: Sequence[tuple[str, Path]], *, rid: str | None = None,
            progress: Progress | None = None, **meta: Any) -> Resource:
        """Add a resource from files ``(role, path)`` and metadata fields."""
        fields = self._prepare_fields(meta, adding=True)
        with self._lock:
            site, _changed = self._site_file.ensure()
            self.objects.clean_tmp()
            st = self._fresh_state()
            rid = check_id(rid) if rid else uuid.uuid4().hex[:16]
            if rid in st.resources:
                raise UsageError(_("The id {rid} is already in the library.").format(rid=rid),
                                 _("Use `cagette library edit` to change it."))
            self._check_sources(st, fields["licence"], fields.get("derived_from", ()))
            fields["files"] = self.store_files(files, progress)
            thumb = next((f for f in fields["files"] if f["role"] == "thumbnail"), None)
            if thumb and "thumbnail" not in fields:
                fields["thumbnail"] = thumb["hash"]
            self._append(site.site_id, [("add", rid, check_fields(fields, adding=True), False, "")], st)
            self._after_write()
        return self._current(rid)

    def add_path(self, path: Path, defaults: Mapping[str, Any] | None = None,
                 progress: Progress | None = None, **meta: Any) -> Resource:
        """Add a file or a folder (a project folder: its latest export and storyboard).

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
        if st.may_write(site.site_id, rid, site.moderators):
            return True
        # a copy that has not written yet: its first line will declare whom it succeeds
        pending = site.previous_site_ids if not self.log_path(site.site_id).exists() else ()
        return any(st.may_write(p, rid, site.moderators) for p in pending)

    def _may_write(self, site: Site, st: State, rid: str) -> None:
        r = st.resources[rid]
        if not self._can_write(site, st, rid):
            name = st.site_names.get(r.origin, r.origin[:8])
            raise UsageError(_("{rid} belongs to the site {site}; only it or a moderator can change it.").format(
                rid=rid, site=name), _("Ask that site, or derive your own version with --derived-from."))

    def edit(self, rid: str, **meta: Any) -> Resource:
        fields = self._prepare_fields(meta, adding=False)
        if not fields:
            raise UsageError(_("Nothing to change."), _("Give at least one field, such as --title."))
        with self._lock:
            site, _changed = self._site_file.ensure()
            st = self._fresh_state()
            rid = _resolve(rid, st.resources)
            if st.resources[rid].retracted:
                raise UsageError(_("{rid} was retracted.").format(rid=rid), _("Add it again under a new id."))
            self._may_write(site, st, rid)
            cur = st.resources[rid].fields
            self._check_sources(st, fields.get("licence", cur.get("licence", DEFAULT_LICENCE)),
                                fields.get("derived_from", cur.get("derived_from", ())))
            # a resource that others derive from must keep a licence its adaptations remain compatible with
            fields = {k: v for k, v in check_fields(fields, adding=False).items() if cur.get(k) != v}
            if fields:
                self._append(site.site_id, [("edit", rid, fields, False, "")], st)
                self._after_write()
        return self._current(rid)

    def retract(self, rid: str, purge: bool = False, reason: str = "") -> Resource:
        with self._lock:
            site, _changed = self._site_file.ensure()
            st = self._fresh_state()
            rid = _resolve(rid, st.resources)
            if st.resources[rid].retracted and (st.resources[rid].purged or not purge):
                return self.get(rid)
            self._may_write(site, st, rid)
            if st.resources[rid].retracted:  # retracted earlier without purge: ask the origin again
                raise UsageError(_("{rid} is already retracted; it can no longer be purged from here.").format(
                    rid=rid), _("Delete its files by hand on each site."))
            self._append(site.site_id, [("retract", rid, {}, purge, reason[:2000])], st)
            self._after_write(purge=purge)
        return self._current(rid)

    def apply_purges(self) -> int:
        """Erase the objects of purged resources (as their retraction arrives). Returns how many."""
        st = self._fresh_state()
        n = 0
        for digest in st.purged_hashes:
            if self.objects.delete(digest):
                n += 1
        return n

    def import_entries(self, entries: Iterable[Any], source: str) -> ImportReport:
        """Import entries with STABLE ids (the starter library): new ids are added; an entry
        whose ``version`` is newer than the library's arrives as an edit of the changed fields."""
        report = ImportReport()
        with self._lock:
            site, _changed = self._site_file.ensure()
            self.objects.clean_tmp()
            st = self._fresh_state()
            items: list[tuple[str, str, Mapping[str, Any], bool, str]] = []
            for e in entries:
                rid = check_id(str(e.id))
                meta = {"kind": e.kind, "title": e.title, "description": getattr(e, "description", "") or "",
                        "language": getattr(e, "language", "") or "",
                        "licence": getattr(e, "licence", "") or DEFAULT_LICENCE,
                        "tags": list(getattr(e, "tags", ()) or ()), "authors": list(getattr(e, "authors", ()) or ()),
                        "organisation": getattr(e, "organisation", "") or "",
                        "derived_from": [str(x) for x in getattr(e, "derived_from", ()) or ()],
                        "version": int(getattr(e, "version", 1) or 1), "imported_from": source}
                fields = self._prepare_fields(meta, adding=True)
                cur = st.resources.get(rid)
                if cur is not None and (cur.retracted or int(cur.fields.get("version", 0)) >= fields["version"]):
                    report.unchanged.append(rid)
                    continue
                fields["files"] = self.store_files([(role, Path(p)) for role, p in e.files])
                thumb = next((f for f in fields["files"] if f["role"] == "thumbnail"), None)
                fields["thumbnail"] = thumb["hash"] if thumb else ""
                fields = check_fields(fields, adding=True)
                known = {r: (st.resources[r].fields.get("licence", "")) for r in st.resources}
                new_srcs = {i[1]: i[2].get("licence", "") for i in items}
                check_licence_compatible(fields["licence"], [
                    (s, known.get(s) or new_srcs.get(s, "")) for s in fields.get("derived_from", ())
                    if known.get(s) or new_srcs.get(s)])
                if cur is None:
                    items.append(("add", rid, fields, False, ""))
                    report.added.append(rid)
                elif self._can_write(site, st, rid):
                    changed = {k: v for k, v in fields.items() if cur.fields.get(k) != v}
                    items.append(("edit", rid, changed, False, ""))
                    report.edited.append(rid)
                else:  # imported by another site first: claim it as a co-origin with the same source
                    items.append(("add", rid, fields, False, ""))
                    report.edited.append(rid)
            if items:
                self._append(site.site_id, items, st)
                self._after_write()
        return report

    def accept_log(self, site: str, data: bytes, start_seq: int) -> int:
        """Append lines of another site's log received by sync, after checking every one.

        *data* holds whole lines numbered from *start_seq*. Lines this library already has
        must be byte-identical (a log whose known prefix differs is refused); lines for this
        library's own site id are refused. Returns the number of new lines written.
        """
        if not logmod.is_site_id(site):
            raise LogError(_("{value!r} is not a valid site id.").format(value=str(site)[:80]),
                           _("The remote is malformed or hostile; nothing was written."))
        incoming = logmod.parse_log_bytes(data, site, f"{site[:8]}", start_seq)
        with self._lock:
            own = self._site_file.read()
            if own is not None and site == own.site_id:
                raise LogError(_("A remote offered lines for this library's own site id {site}.").format(
                    site=site[:8]), _("Only this site writes its log; the remote was refused."))
            path = self.log_path(site)
            logmod.repair(path)
            raw = path.read_bytes() if path.exists() else b""
            have = logmod.parse_log_bytes(raw, site, path.name)
            lines = _lines(data[: incoming.valid_bytes])
            if start_seq < 1 or start_seq > len(have.events) + 1:
                raise LogError(_("Lines from {seq} of site {site} leave a gap after our {n} lines.").format(
                    seq=start_seq, site=site[:8], n=len(have.events)), _("Sync from the start of that log."))
            ours = _lines(raw[: have.valid_bytes])
            new = []
            for i, line in enumerate(lines):
                n = start_seq - 1 + i
                if n < len(ours):
                    if ours[n] != line:
                        raise LogError(_("The log of site {site} differs from ours at line {n}.").format(
                            site=site[:8], n=n + 1), _("One of the copies was altered; nothing was written."))
                else:
                    new.append(line)
            if new:
                logmod.append_bytes(path, b"".join(new))
                self._state = None  # the index follows lazily (rebuilt when log sizes differ)
                first_new = start_seq - 1 + len(lines) - len(new)
                if any(e.op == "retract" and e.purge for e in incoming.events if e.seq > first_new):
                    self.apply_purges()
            return len(new)

    # export, fsck, stats ---------------------------------------------------------
    def export(self, rid: str, out: Path, force: bool = False) -> Path:
        """Copy a resource's files and its attribution (ATTRIBUTION.md, resource.json) into *out*."""
        r = self.get(rid)
        if r.purged:
            raise LibraryError(_("{rid} was purged: its files are gone.").format(rid=r.id), None)
        chain = self.chain(r.id)
        with staged_dir(Path(out), force) as stage:
            used: set[str] = set()
            for f in r.files:
                name = f.name or f"{f.role}-{f.hash[:8]}"
                base, dot, ext = name.rpartition(".")
                n = 2
                while name in used:
                    name = f"{base or ext}-{n}{dot}{ext if base else ''}"
                    n += 1
                used.add(name)
                src = self.objects.path(f.hash)
                if not src.is_file():
                    raise LibraryError(_("The file {name} of {rid} is not in this library yet.").format(
                        name=name, rid=r.id), _("Sync with a site that has it, then export again."))
                shutil.copyfile(src, stage / name)
                os.chmod(stage / name, 0o644)
            (stage / "ATTRIBUTION.md").write_text(attribution_text(chain), encoding="utf-8")
            (stage / "resource.json").write_text(json.dumps(
                {"resource": r.to_dict(), "derived_from": [c.to_dict() for c in chain[1:]]},
                ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return Path(out)

    def fsck(self, progress: Progress | None = None) -> FsckReport:
        """Verify every log line and every object's hash (see :mod:`cagette.library.fsck`)."""
        from cagette.library.fsck import check_library

        return check_library(self, progress)

    def stats(self) -> dict[str, Any]:
        st = self._fresh_state()
        live = [r for r in st.resources.values() if not r.retracted]
        by_kind: dict[str, int] = {}
        by_licence: dict[str, int] = {}
        for r in live:
            by_kind[r.fields.get("kind", "")] = by_kind.get(r.fields.get("kind", ""), 0) + 1
            by_licence[r.fields.get("licence", "")] = by_licence.get(r.fields.get("licence", ""), 0) + 1
        site = self._site_file.read()
        objs = list(self.objects)
        return {
            "path": str(self.path), "site_id": site.site_id if site else "",
            "site_name": site.site_name if site else "",
            "resources": len(live), "retracted": len(st.resources) - len(live),
            "by_kind": dict(sorted(by_kind.items())), "by_licence": dict(sorted(by_licence.items())),
            "objects": len(objs), "bytes": sum(self.objects.size(o) for o in objs),
            "sites": {s: st.site_names.get(s, "") for s in sorted(self.log_sizes())},
            "moderators": list(site.moderators) if site else [], "clock": st.max_clock,
        }


def _resolve(rid: str, ids: Mapping[str, Any]) -> str:
    """The id *rid* stands for: itself, or the one id it starts (4 characters at least)."""
    if rid in ids:
        return rid
    found = [k for k in ids if k.startswith(rid)] if len(rid) >= 4 else []
    if len(found) == 1:
        return found[0]
    raise LibraryError(
        _("No resource {rid} in the library.").format(rid=rid) if not found
        else _("{rid} matches {n} resources.").format(rid=rid, n=len(found)),
        _("`cagette library list` shows the ids."))


def _lines(data: bytes) -> list[bytes]:
    """Newline-terminated lines (only ``\\n`` ends a log line)."""
    return [line + b"\n" for line in data.split(b"\n")[:-1]]


def attribution_text(chain: Sequence[Resource]) -> str:
    """A Markdown credit for a resource and what it derives from."""
    if not chain:
        return ""
    from cagette.library.resources import LICENCES

    r = chain[0]
    lines = [f"# {r.title}", "", _("Licence: {licence} ({name})").format(
        licence=r.licence, name=LICENCES.get(r.licence, "")), ""]
    if r.authors:
        lines.append(_("Authors: {authors}").format(authors=", ".join(r.authors)))
    if r.organisation:
        lines.append(_("Organisation: {org}").format(org=r.organisation))
    if len(chain) > 1:
        lines += ["", _("Adapted from:"), ""]
        lines += [f"- {c.credit()}" for c in chain[1:]]
    lines.append("")
    return "\n".join(lines)


def verify_object_file(path: Path, digest: str) -> None:
    """Raise :class:`IntegrityError` unless the file at *path* hashes to *digest*."""
    from cagette.library.objects import hash_file

    actual, _size = hash_file(path)
    if actual != digest:
        raise IntegrityError(_("{path} does not match its hash.").format(path=path),
                             _("Run `cagette library fsck`."))



def __getattr__(name: str) -> Any:
    """``open_choice``, ``seed_starter``, ``StarterUnavailable`` live in :mod:`cagette.library.seeding`."""
    if name == "FsckReport":
        from cagette.library.fsck import FsckReport

        return FsckReport
    if name in ("open_choice", "seed_starter", "StarterUnavailable", "STARTER_SOURCE"):
        from cagette.library import seeding

        return getattr(seeding, name)
    raise AttributeError(name)
