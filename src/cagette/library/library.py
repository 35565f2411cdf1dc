"""The :class:`Library`: one folder, read and written only through here.

::

    LIBRARY/
      library.json                  {"format": "cagette-library", "version": 2}
      objects/ab/cdef…              content-addressed files (see objects.py)
      log/<site-id>/<a>-<b>.jsonl   each site's signed log, as immutable segments (see segments.py)
      local/                        never synced: site.json, keys/, starter/, origins.json, index.json, lock

Every write takes ``local/lock`` (a :class:`~cagette.fsutil.FileLock`), re-reads the logs,
stores the objects, writes one new segment of this site's log (fsync'd), and the index
follows lazily. An add is reported only after its segment is durable, so a crash at any
moment loses nothing reported. Writing lives in :mod:`cagette.library.writer`, exporting in
:mod:`cagette.library.export`, checking what comes from elsewhere in :mod:`cagette.library.verify`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cagette.errors import LibraryError, UsageError
from cagette.fsutil import FileLock, atomic_write_text
from cagette.i18n import _
from cagette.library.export import attribution_text, export_resource, verify_object_file
from cagette.library.log import LogError
from cagette.library.reader import FORMAT_VERSION, PINS_FILE, resolve_id
from cagette.library.state import merge
from cagette.library.writer import ImportReport, Writer
from cagette.progress import Progress

if TYPE_CHECKING:
    from cagette.library.fsck import FsckReport

__all__ = ["FORMAT_VERSION", "PINS_FILE", "ImportReport", "Library", "attribution_text", "is_library",
           "resolve_id", "verify_object_file"]

FORMAT_NAME = "cagette-library"
LIBRARY_FILE = "library.json"


def is_library(path: Path) -> bool:
    return (Path(path) / LIBRARY_FILE).is_file()


class Library(Writer):
    """A library folder. Open it with :meth:`open` or :meth:`create`."""

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
        lib.version = int(meta["version"])
        try:
            lib.local_dir.mkdir(exist_ok=True)
            lib.log_dir.mkdir(exist_ok=True)
        except OSError:
            pass  # a read-only copy (a locked USB stick): it can still be read
        if lib.version < FORMAT_VERSION:
            from cagette.library.migrate import migrate

            migrate(lib)
        return lib

    def lock(self) -> FileLock:
        return self._lock

    # site -------------------------------------------------------------------
    # what comes from elsewhere -----------------------------------------------------
    def check_incoming(self, batches: Sequence[Any], where: str, claims: bool = True) -> dict[str, list[Any]]:
        """Check lines from elsewhere (:class:`cagette.library.verify.Incoming`) against the logs
        held here, then (*claims*) what they claim over the merged result; nothing is written.

        Claims are judged over every batch of a sync together (a successor's log may arrive before
        its predecessor's): a sync checks them all in its plan, then writes one log at a time."""
        from cagette.library import verify

        ours = self.read_logs()
        events = verify.check_all(ours, batches, where)
        if claims:
            merged = {s: r.events for s, r in ours.items()}
            for s, evs in events.items():
                merged[s] = [*merged.get(s, []), *evs]
            st = merge(merged, self.pins())
            verify.check_claims(st, [e for evs in events.values() for e in evs], where)
        return events

    def accept_log(self, site: str, data: bytes, start_seq: int, where: str = "", claims: bool = True) -> int:
        """Write lines of a site's log received by sync, after checking every one.

        *data* holds whole lines numbered from *start_seq*. Lines this library holds already
        must be byte-identical; the new ones must pass :mod:`cagette.library.verify` (signed by
        the site's pinned key, linked, covered; with *claims*, claiming no authority no key backs —
        a sync checked those for all its logs at once before writing any, and passes False). Lines of this library's own log are taken only
        when they extend it, signed by its own key (a library restored from a backup fetching
        back what it had written). Returns the number of new lines written.
        """
        from cagette.library.log import is_site_id, parse_log_bytes
        from cagette.library.verify import Incoming

        if not is_site_id(site):
            raise LogError(_("{value!r} is not a valid site id.").format(value=str(site)[:80]),
                           _("The remote is malformed or hostile; nothing was written."))
        incoming = parse_log_bytes(data, site, where or site[:8], start_seq)
        with self._lock:
            have = self.read_site(site)
            if start_seq < 1 or start_seq > len(have.events) + 1:
                raise LogError(_("Lines from {seq} of site {site} leave a gap after our {n} lines.").format(
                    seq=start_seq, site=site[:8], n=len(have.events)), _("Sync from the start of that log."))
            known = len(have.events) - (start_seq - 1)
            for i, line in enumerate(incoming.lines[:known]):
                if have.lines[start_seq - 1 + i] != line:
                    raise LogError(_("The log of site {site} differs from ours at line {n}.").format(
                        site=site[:8], n=start_seq + i), _("One of the copies was altered; nothing was written."))
            new = incoming.lines[max(0, known):]
            if not new:
                return 0
            events = self.check_incoming([Incoming(site, len(have.events), b"".join(new))], where or site[:8],
                                         claims)
            self.site_log(site).write(len(have.events) + 1, b"".join(new))
            self._state = None  # the index follows lazily (rebuilt when the logs' marks differ)
            if any(e.op == "retract" and e.purge for e in events[site]):
                self.apply_purges()
            return len(new)

    # export, fsck, stats ---------------------------------------------------------
    def export(self, rid: str, out: Path, force: bool = False) -> Path:
        """Copy a resource's files and its attribution (ATTRIBUTION.md, resource.json) into *out*."""
        return export_resource(self, rid, out, force)

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
        from cagette.library.gc import partials

        kept = partials(self.path)
        cid = st.membership.get(site.site_id, "") if site else ""
        comm = st.communities.get(cid)
        return {
            "path": str(self.path), "site_id": site.site_id if site else "",
            "site_name": site.site_name if site else "",
            "key": self._fingerprint(site.site_id) if site else "",
            "resources": len(live), "retracted": len(st.resources) - len(live),
            "by_kind": dict(sorted(by_kind.items())), "by_licence": dict(sorted(by_licence.items())),
            "objects": len(objs), "bytes": sum(self.objects.size(o) for o in objs),
            "sites": {s: st.site_names.get(s, "") for s in self.log_sites()},
            "community": {"id": comm.id, "name": comm.name, "version": comm.version} if comm else None,
            "moderators": list(self.moderators()), "clock": st.max_clock,
            "partials": len(kept), "partial_bytes": sum(kept.values()),
        }

    def _fingerprint(self, site: str) -> str:
        from cagette.library.keys import fingerprint

        key = self._fresh_state().keys.get(site)
        return fingerprint(key) if key else ""

