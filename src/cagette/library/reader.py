"""Reading a library: its logs (segments), their merged state, the index and search.

:class:`LibraryReader` is the reading half of :class:`~cagette.library.library.Library`;
:mod:`cagette.library.writer` builds on it, and the library module adds opening,
accepting lines from elsewhere, exporting and checking.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cagette.errors import LibraryError
from cagette.fsutil import FileLock, atomic_write_bytes
from cagette.i18n import _
from cagette.library import index as idx
from cagette.library import segments as segmod
from cagette.library.keys import KeyStore
from cagette.library.log import STARTER_SITE, LogRead
from cagette.library.objects import ObjectStore
from cagette.library.resources import Resource, attribution_chain, check_meta_doc
from cagette.library.site import SiteFile
from cagette.library.state import State, merge

FORMAT_VERSION = 2
PINS_FILE = "origins.json"


class LibraryReader:
    """A library folder, read (see :class:`cagette.library.library.Library`)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path).absolute()
        self.objects = ObjectStore(self.path / "objects")
        self.log_dir = self.path / "log"
        self.local_dir = self.path / "local"
        self.index_path = self.local_dir / "index.json"
        self.search_path = self.local_dir / "search.bin"
        self.keys = KeyStore(self.local_dir)
        self._site_file = SiteFile(self.path, self.local_dir)
        self._lock = FileLock(self.local_dir / "lock", timeout=30.0, what=str(self.path))
        self._state: State | None = None
        self._state_marks: dict[str, int] | None = None
        self._search: idx.SearchIndex | None = None
        self._search_marks: dict[str, int] | None = None
        self._log_cache: dict[str, LogRead] = {}
        self._docs_cache: tuple[dict[str, int], list[dict[str, Any]]] | None = None
        self._meta_cache: dict[str, Mapping[str, Any] | None] = {}
        self._pins: dict[str, str] | None = None
        self.version = FORMAT_VERSION
        self.max_segment_bytes: int | None = None  # a copy from elsewhere (a stick) is read within this cap

    def site_name(self) -> str:
        s = self._site_file.read()
        return s.site_name if s else ""

    def moderators(self) -> tuple[str, ...]:
        """The moderators of this site's community (its founder first), from the synced policy."""
        s = self._site_file.read()
        if s is None:
            return ()
        st = self.state()
        cid = st.membership.get(s.site_id, "")
        comm = st.communities.get(cid)
        return (comm.id, *sorted(comm.moderators - {comm.id})) if comm else ()

    # logs and state -----------------------------------------------------------
    def site_log(self, site: str) -> segmod.SiteLog:
        if site == STARTER_SITE:
            return segmod.SiteLog(self.local_dir, STARTER_SITE, name="starter")
        from cagette.library.log import log_name

        log_name(site)  # checks the id
        return segmod.SiteLog(self.log_dir, site, max_bytes=self.max_segment_bytes)

    def log_sites(self) -> list[str]:
        """Sites with a log in ``log/`` (the starter's id, if a file claims it there, is not one)."""
        return [s for s in segmod.list_sites(self.log_dir) if s != STARTER_SITE]

    def log_marks(self) -> dict[str, int]:
        """Each log's number of lines held without a gap, from the segments' names (no reading)."""
        out = {s: segmod.high_water(self.site_log(s).segments()) for s in self.log_sites()}
        starter = segmod.high_water(self.site_log(STARTER_SITE).segments())
        if starter:
            out[STARTER_SITE] = starter
        return out

    log_sizes = log_marks  # the name sync and the index used in format 1

    def read_site(self, site: str) -> LogRead:
        """One site's log, validated, extended from what this process read before."""
        cached = self._log_cache.get(site)
        read = self.site_log(site).read(cached)
        self._log_cache[site] = read
        return read

    def read_logs(self) -> dict[str, LogRead]:
        """Every log, validated (a malformed line raises :class:`LogError` naming the file and line)."""
        out = {s: self.read_site(s) for s in self.log_sites()}
        starter = self.read_site(STARTER_SITE)
        if starter.events:
            out[STARTER_SITE] = starter
        return out

    def pins(self) -> dict[str, str]:
        """Origins seen when this library moved to signed logs (``local/origins.json``)."""
        if self._pins is None:
            try:
                data = json.loads((self.local_dir / PINS_FILE).read_text(encoding="utf-8"))
                self._pins = {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
            except (OSError, ValueError):
                self._pins = {}
        return self._pins

    def resolve_meta(self, digest: str, rid: str, keys: tuple[str, ...]) -> Mapping[str, Any] | None:
        """The descriptive fields an object holds (None if it is not here, or was purged)."""
        if digest in self._meta_cache:
            return self._meta_cache[digest]
        try:
            data = self.objects.path(digest).read_bytes()
            got: Mapping[str, Any] | None = check_meta_doc(data, rid, keys)
        except (OSError, LibraryError):
            got = None
        if got is not None:
            self._meta_cache[digest] = got
        return got

    def _fresh_state(self) -> State:
        marks = self.log_marks()
        if self._state is None or marks != self._state_marks:
            logs = self.read_logs()
            self._state = merge({s: r.events for s, r in logs.items()}, self.pins(), self.resolve_meta)
            self._state_marks = marks
        return self._state

    def state(self) -> State:
        """The merged state of every log (a pure function of the logs)."""
        return self._fresh_state()

    def _has_key_line(self, site: str) -> bool:
        _n, last, _size = self.site_log(site).tail()  # the last segment only: a signed last line says it
        if last is not None and last.endswith(b'"v":2}\n'):
            return True
        return any(e.signed for e in self.read_site(site).events)

    def _after_write(self, purge: bool = False) -> None:
        """After a write: the merged state is recomputed on demand, and the index is rebuilt
        lazily by the next read (in this process or another), so a write costs no index rewrite."""
        self._state = None
        if purge:
            self.apply_purges()

    def apply_purges(self) -> int:
        """Erase the objects of purged resources (as their retraction arrives). Returns how many."""
        st = self._fresh_state()
        n = 0
        for digest in st.purged_hashes:
            self._meta_cache.pop(digest, None)
            if self.objects.delete(digest):
                n += 1
        if n:
            self.reindex()  # the index kept a copy of the titles: it is rewritten without them now
        return n

    def _current(self, rid: str) -> Resource:
        r = self._fresh_state().get(rid)
        assert r is not None
        return r

    # index and search -----------------------------------------------------------
    def _doc(self, st: State, rid: str) -> dict[str, Any]:
        r = st.resources[rid]
        d = r.doc(self.resolve_meta)
        d["licence_flags"] = [[src, lic] for src, lic, _p in st.licence_flags(rid)]
        d["conflicts"] = len(self._lost(st, rid, d)) if r.conflicts() else 0
        return d

    def reindex(self) -> int:
        """Rebuild ``local/index.json`` from the logs; returns the number of resources."""
        marks = self.log_marks()
        st = self._fresh_state()
        docs = [self._doc(st, rid) for rid in st.resources]
        self._clean_stale_temp_files()
        try:
            idx.write_index(self.index_path, docs, {
                "log_marks": marks, "site_names": st.site_names, "purged": sorted(st.purged_hashes)})
        except OSError:
            pass  # a read-only library: the index lives in memory only, rebuilt by each process
        self._search = None
        self._docs_cache = (marks, docs)
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
        marks = self.log_marks()
        if self._docs_cache is not None and self._docs_cache[0] == marks:
            return self._docs_cache[1]
        got = idx.read_index(self.index_path)
        if got is None or got[1].get("log_marks") != marks:
            self.reindex()
            assert self._docs_cache is not None
            return self._docs_cache[1]
        self._docs_cache = (marks, got[0])
        return got[0]

    def search_index(self) -> idx.SearchIndex:
        """The search index of every resource: in memory, else ``local/search.bin``, else built (and saved)."""
        marks = self.log_marks()
        if self._search is not None and self._search_marks == marks:
            return self._search
        stamp = sorted(marks.items())
        found = None
        try:
            found = idx.SearchIndex.from_bytes(self.search_path.read_bytes(), stamp)
        except OSError:
            pass
        if found is None:
            found = idx.SearchIndex(self._docs())
            with contextlib.suppress(OSError):  # a read-only library: in memory only
                atomic_write_bytes(self.search_path, found.to_bytes(stamp))
        self._search, self._search_marks = found, marks
        return found

    def search(self, query: str = "", filters: idx.Filters | None = None,
               limit: int | None = None) -> list[Resource]:
        return [Resource.from_dict(d) for d in self.search_index().search(query, filters, limit)]

    def resources(self, filters: idx.Filters | None = None, include_retracted: bool = False) -> list[Resource]:
        return [Resource.from_dict(d) for d in self.resource_docs(filters, include_retracted)]

    def resource_docs(self, filters: idx.Filters | None = None, include_retracted: bool = False,
                      query: str = "", limit: int | None = None) -> list[Mapping[str, Any]]:
        """What :meth:`resources` (or :meth:`search` with *query*) gives, as the plain dicts
        :meth:`Resource.to_dict` makes."""
        return self.search_index().search(query, filters, limit, include_retracted=include_retracted)

    def resource_json(self, filters: idx.Filters | None = None, include_retracted: bool = False,
                      query: str = "", limit: int | None = None) -> list[str]:
        """The same, each as its JSON text (``list --json`` prints them as they are kept)."""
        return self.search_index().search_json(query, filters, limit, include_retracted=include_retracted)

    def _by_id(self) -> Mapping[str, Mapping[str, Any]]:
        return self.search_index().docs

    def find(self, rid: str) -> Resource | None:
        """A resource by exact id (retracted ones too), or None; read from the index."""
        d = self._by_id().get(rid)
        return Resource.from_dict(d) if d else None

    def get(self, rid: str) -> Resource:
        """A resource by id or unique id prefix (retracted ones too)."""
        docs = self._by_id()
        return Resource.from_dict(docs[resolve_id(rid, docs)])

    def chain(self, rid: str) -> list[Resource]:
        """The resource and everything it derives from (its attribution chain)."""
        return attribution_chain(self.get(rid).id, self.find)

    def conflicts(self, rid: str) -> list[dict[str, Any]]:
        """Values of *rid* that lost to a concurrent edit: field, value, site, time, line."""
        st = self._fresh_state()
        rid = resolve_id(rid, st.resources)
        return self._lost(st, rid, st.resources[rid].doc(self.resolve_meta))

    def _lost(self, st: State, rid: str, current: Mapping[str, Any]) -> list[dict[str, Any]]:
        from cagette.library.state import MetaRef

        r = st.resources[rid]
        out = []
        for name, ev, value in r.conflicts():
            if isinstance(value, MetaRef):
                got = None if r.purged else self.resolve_meta(value.hash, rid, value.keys)
                if got is None:
                    continue
                value = got.get(name)
            if value == current.get(name):
                continue  # restored since
            out.append({"field": name, "value": value, "site": ev.site,
                        "site_name": st.site_names.get(ev.site, ""), "at": ev.at, "line": ev.ref})
        return out

    def licence_flags(self, rid: str) -> list[dict[str, str]]:
        """Why *rid*'s licence conflicts with its sources' (an adaptation merged from elsewhere)."""
        st = self._fresh_state()
        rid = resolve_id(rid, st.resources)
        return [{"source": src, "source_licence": lic, "problem": problem}
                for src, lic, problem in st.licence_flags(rid)]


def resolve_id(rid: str, ids: Mapping[str, Any]) -> str:
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


