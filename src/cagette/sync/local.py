"""A library folder as a sync sees it: logs as bytes, objects as files.

This module reads and extends the on-disk format that :mod:`cagette.library`
defines (``log/<site>/<first>-<last>.jsonl``, ``objects/ab/cd…``, ``local/`` never
synced) only through that package's functions. Logs are addressed by line numbers
(high-water marks), never bytes: every incoming line is checked by
:mod:`cagette.library.verify` (canonical, signed by its site's pinned key, linked to
the line before, claiming no authority that no key backs) before anything is written,
and every object is published by :meth:`cagette.library.objects.ObjectStore.put_stream`
after its hash is checked. Lines of our own log are taken back only when they extend it,
signed by our own key (a library restored from a backup). A symlink anywhere under the
folder is refused.

Partial object transfers live in ``local/sync-partial/<hash>.part`` (``local/``
is this site's and never synced) and resume from their size.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from cagette.errors import CagetteError, SyncError
from cagette.i18n import _
from cagette.library.gc import PARTIAL_DIR, partials
from cagette.sync.plan import LogInfo, ObjectRef, SideState, check_hash, check_site_id


def _hostile_hint() -> str:
    return _("The other side is damaged or hostile; nothing was changed here.")


def complete_lines(data: bytes) -> bytes:
    """*data* up to its last newline (a torn last line is not offered)."""
    return data[: data.rfind(b"\n") + 1]


def objects_digest(names: Iterable[str]) -> str:
    """One hash for a whole set of object names: equal sets, equal digests."""
    h = hashlib.sha256()
    for name in sorted(names):
        h.update(name.encode("ascii") + b"\n")
    return h.hexdigest()


class LocalLibrary:
    """A library folder: ours, or another one reached as a folder remote."""

    def __init__(self, root: Path, *, ours: bool = True, create: bool = False) -> None:
        from cagette.sync import libadapt as api

        self.root = Path(root).absolute()
        self.ours = ours
        if not self.root.is_dir() and not create:
            raise SyncError(
                _("No library at {path}.").format(path=self.root),
                _("Check the path given to --library or CAGETTE_LIBRARY."),
            )
        try:
            self.handle = api.open_library(self.root, create=create, claim_site=ours)
        except CagetteError as exc:
            raise SyncError(exc.message, exc.hint) from exc
        self._site_id: str | None = api.site_id(self.handle, claim=ours)
        self.max_object_bytes: int | None = None
        self.prefetched = _Prefetched(self.root)  # descriptive objects fetched with the lines that use them

    @property
    def max_log_bytes(self) -> int | None:
        """A folder remote's log segments are read within this cap (a larger one is refused)."""
        return self.handle.max_segment_bytes

    @max_log_bytes.setter
    def max_log_bytes(self, value: int | None) -> None:
        self.handle.max_segment_bytes = value

    # identity ----------------------------------------------------------------
    @property
    def site_id(self) -> str | None:
        return self._site_id

    @property
    def name(self) -> str:
        return str(self.root)

    def lock(self) -> contextlib.AbstractContextManager[Any]:
        from cagette.sync import libadapt as api

        return api.lock(self.handle)

    # safety --------------------------------------------------------------------
    def _safe(self, path: Path) -> Path:
        """Refuse a path that leaves the folder or crosses a symlink."""
        rel = path.relative_to(self.root)
        cur = self.root
        for part in rel.parts:
            if part in ("", ".", ".."):
                raise SyncError(_("Refused the path {path}: it leaves the library.").format(path=path),
                                _hostile_hint())
            cur = cur / part
            if cur.is_symlink():
                raise SyncError(
                    _("Refused {path}: it is a symbolic link.").format(path=cur),
                    _("A library holds only plain files; remove the link, then sync again."),
                )
        return path

    # logs ----------------------------------------------------------------------
    @property
    def log_dir(self) -> Path:
        return self._safe(self.root / "log")

    @contextlib.contextmanager
    def _reading(self) -> Iterator[None]:
        """A library error while reading this side becomes a sync error naming it."""
        try:
            yield
        except SyncError:
            raise
        except CagetteError as exc:
            raise SyncError(_("{side}: {error}").format(side=self.name, error=exc.message),
                            exc.hint or _hostile_hint()) from exc

    def log_sites(self) -> list[str]:
        self._safe(self.log_dir)
        with self._reading():
            return list(self.handle.log_sites())

    def _lines(self, site: str) -> list[bytes]:
        """The lines of *site*'s log that can travel: up to its last signed (or key-covered) line."""
        check_site_id(site)
        with self._reading():
            read = self.handle.read_site(site)
        return read.lines if any(e.signed for e in read.events) else []

    def log_bytes(self, site: str) -> bytes:
        return b"".join(self._lines(site))

    def _tail(self, site: str) -> tuple[int, bytes | None, int]:
        """``(lines that can travel, the last of them, their bytes)``, from the last segment only when its
        last line is signed (the usual case); else the whole log is read: it travels if any line is signed
        (a receiver then refuses what no key covers, saying so)."""
        check_site_id(site)
        with self._reading():
            n, last, size = self.handle.site_log(site).tail()
        if last is None:
            return 0, None, 0
        if b'"v":2}' not in last[-8:]:
            lines = self._lines(site)
            return (len(lines), lines[-1], sum(map(len, lines))) if lines else (0, None, 0)
        return n, last, size

    def log_info(self, site: str, known: int | None = None) -> LogInfo:
        from cagette.library.log import line_hash

        n, last, size = self._tail(site)
        info = LogInfo(site, n, line_hash(last) if last else None, size)
        if known is not None and 0 <= known < n:
            lines = self._lines(site)  # the other side is behind: read that far
            info = LogInfo(site, n, info.sha256, size, known, line_hash(lines[known - 1]) if known else None,
                           sum(map(len, lines[:known])))
        return info

    def log_sizes(self) -> dict[str, int]:
        """Each log's high-water mark: how many of its lines can travel (what a remote answers against)."""
        return {site: self._tail(site)[0] for site in self.log_sites()}

    log_marks = log_sizes

    def state(self, known: Mapping[str, int] | None = None) -> SideState:
        known = known or {}
        logs = {}
        for site in self.log_sites():
            info = self.log_info(site, known.get(site))
            if info.lines:
                logs[site] = info
        return SideState(self.site_id, logs, objects_digest(self.object_names()))

    def read_log(self, site: str, start: int = 0, end: int | None = None) -> bytes:
        """Lines ``start + 1`` … ``end`` of *site*'s log (line numbers, not bytes)."""
        lines = self._lines(site)
        end = len(lines) if end is None else end
        if not 0 <= start <= end <= len(lines):
            raise SyncError(_("The log {site} has no lines {start}–{end}.").format(site=site, start=start + 1, end=end),
                            _("The log changed during the sync; run it again."))
        return b"".join(lines[start:end])

    def _held(self, site: str) -> int:
        return len(self.handle.read_site(site).lines)

    def check_batches(self, batches: Mapping[str, tuple[int, bytes]], remote: str) -> dict[str, list[Any]]:
        """Check incoming lines ``{site: (lines we hold, bytes)}`` together, before anything is written:
        valid, canonical, signed by each site's pinned key, and claiming no authority no key backs."""
        from cagette.library.verify import Incoming

        if not batches:
            return {}
        incoming = []
        for site, (start, data) in sorted(batches.items()):
            check_site_id(site)
            if data and not data.endswith(b"\n"):
                raise SyncError(_("{remote} sent an unfinished line for the log {site}: refused.").format(
                    remote=remote, site=site), _hostile_hint())
            incoming.append(Incoming(site, start, data))
        from cagette.library.verify import Refused

        try:
            return self.handle.check_incoming(incoming, remote)
        except Refused as exc:
            raise SyncError(exc.message, _hostile_hint()) from exc
        except CagetteError as exc:
            raise SyncError(
                _("{remote} sent a malformed line: refused ({error}).").format(remote=remote, error=exc.message),
                _hostile_hint(),
            ) from exc

    def check_lines(self, site: str, start_lines: int, data: bytes, remote: str) -> list[Any]:
        """Validate incoming lines *data* of *site*'s log (numbered from start_lines+1)."""
        return self.check_batches({site: (start_lines, data)}, remote).get(site, [])

    def append_log(self, site: str, start: int, data: bytes, remote: str = "the remote",
                   expect_sha256: str | None = None) -> None:
        """Extend our copy of a site's log with verified lines (*start*: the lines we hold of it)."""
        from cagette.library.log import line_hash
        from cagette.sync import libadapt as api

        check_site_id(site)
        if not data:
            return
        with self.lock():
            held = self._held(site)
            if len(self._lines(site)) != start and held != start:
                raise SyncError(
                    _("The log {site} here has {n} lines, not {start}: refused.").format(
                        site=site, n=len(self._lines(site)), start=start),
                    _("The library changed during the sync; run it again."),
                )
            if data and not data.endswith(b"\n"):
                raise SyncError(_("{remote} sent an unfinished line for the log {site}: refused.").format(
                    remote=remote, site=site), _hostile_hint())
            if expect_sha256 is not None and line_hash(data[data.rfind(b"\n", 0, len(data) - 1) + 1:]) \
                    != expect_sha256:
                raise SyncError(
                    _("The lines {remote} sent for the log {site} do not match the hash it announced: refused.")
                    .format(remote=remote, site=site),
                    _hostile_hint(),
                )
            self._publish_prefetched(remote)
            try:
                api.accept_log(self.handle, site, data, start + 1, remote)
            except CagetteError as exc:
                raise SyncError(
                    _("{remote}: the log {site} was refused: {error}").format(
                        remote=remote, site=site, error=exc.message),
                    exc.hint,
                ) from exc

    def _publish_prefetched(self, remote: str) -> None:
        for digest in sorted(self.prefetched):
            data = self.prefetched.pop(digest)
            if data is not None:
                self.publish_bytes(digest, len(data), data, remote)

    def fetch_logs(self, remote: Any, direction: Any, rstate: SideState | None = None) -> tuple[
            SideState, SideState, tuple[Any, ...], dict[str, bytes], dict[str, list[Any]]]:
        """States, log moves, and the pulled lines checked together (see :mod:`cagette.sync.logs`)."""
        from cagette.sync.logs import fetch_logs

        return fetch_logs(self, remote, direction, rstate)

    def events(self, extra: Mapping[str, Iterable[Any]] | None = None) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {s: list(r.events) for s, r in self.handle.read_logs().items()}
        for site, evs in (extra or {}).items():
            out.setdefault(site, []).extend(evs)
        return out

    def refs(self, extra: Mapping[str, Iterable[Any]] | None = None) -> list[ObjectRef]:
        """The objects the merged resources use (with the tags of their resources)."""
        from cagette.sync import libadapt as api

        return api.object_refs(self.handle, self.events(extra), self.prefetched)

    def objects_of_lines(self, site: str, start: int, end: int | None = None,
                         extra: Iterable[Any] = ()) -> set[str]:
        """Objects the lines ``start + 1`` … ``end`` of *site*'s log reference (files, descriptive objects)."""
        from cagette.sync import libadapt as api

        events = self.handle.read_site(site).events[start:end]
        return api.event_objects([*events, *extra])

    def objects_of_events(self, events: Iterable[Any]) -> set[str]:
        from cagette.sync import libadapt as api

        return api.event_objects(events)

    def recover_own_log(self, remote: Any, site: str, their_lines: int) -> str:
        """Our own log differs from *remote*'s copy: we were restored from an older backup and wrote
        since. Find the last line both hold (one line asked at a time), then take a new site id that
        succeeds this one and hands back what we wrote after it. Returns the new site id."""
        ours = self._lines(site)
        lo, hi = 0, min(len(ours), their_lines)  # lines 1..lo agree; lines after hi are not compared
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if remote.read_log(site, mid - 1, mid) == ours[mid - 1]:
                lo = mid
            else:
                hi = mid - 1
        try:
            new = str(self.handle.fork_site(site, lo))
        except CagetteError as exc:
            raise SyncError(exc.message, exc.hint) from exc
        self._site_id = new
        return new

    def purged_hashes(self) -> set[str]:
        """Objects of purged resources, to be erased wherever they are."""
        return set(self.handle.state().purged_hashes)

    def after_sync(self) -> None:
        """Reindex, and erase objects of purged resources."""
        from cagette.sync import libadapt as api

        api.after_sync(self.handle)

    # objects -------------------------------------------------------------------
    @property
    def store(self) -> Any:
        self._safe(self.root / "objects")
        return self.handle.objects

    def object_names(self) -> set[str]:
        """Every object present (one directory listing per fan-out folder, no stat per file)."""
        from cagette.library.objects import HASH_RE

        root = self.store.root
        names: set[str] = set()
        try:
            subs = list(os.scandir(root))
        except FileNotFoundError:
            return names
        for sub in subs:
            if len(sub.name) != 2 or not sub.is_dir(follow_symlinks=False):
                continue
            for entry in os.scandir(sub.path):
                name = sub.name + entry.name
                if entry.is_file(follow_symlinks=False) and HASH_RE.match(name):
                    names.add(name)
        return names

    def has_object(self, digest: str) -> bool:
        return bool(self.store.has(check_hash(digest)))

    def object_path(self, digest: str) -> Path | None:
        path = self.store.path(check_hash(digest))
        self._safe(path)
        return path if path.is_file() else None

    def find_object(self, prefix: str) -> Path | None:
        """The object whose hash starts with *prefix* (hex, at least 4 digits), if exactly one."""
        if len(prefix) < 4 or any(c not in "0123456789abcdef" for c in prefix):
            return None
        sub = self.store.root / prefix[:2]
        try:
            names = [n for n in os.listdir(sub) if n.startswith(prefix[2:])]
        except FileNotFoundError:
            return None
        if len(names) != 1:
            return None
        return self.object_path(prefix[:2] + names[0]) if len(prefix[:2] + names[0]) == 64 else None

    def publish_bytes(self, digest: str, size: int | None, data: bytes, remote: str = "the remote") -> None:
        import io

        self.publish_stream(digest, size, io.BytesIO(data), remote)

    def partial_names(self) -> set[str]:
        return set(partials(self.root))

    def partial_sizes(self) -> dict[str, int]:
        return partials(self.root)

    def partial_path(self, digest: str) -> Path:
        d = self.root.joinpath(*PARTIAL_DIR)
        d.mkdir(parents=True, exist_ok=True)
        return self._safe(d / f"{check_hash(digest)}.part")

    upload_part = partial_path

    def publish_stream(self, digest: str, size: int | None, stream: BinaryIO, remote: str = "the remote") -> None:
        """Store an object read from *stream* if its hash is *digest* (and its size *size*)."""
        from cagette.errors import IntegrityError

        limit = size if size else self.max_object_bytes
        try:
            self.store.put_stream(stream, expected=check_hash(digest), max_size=limit,
                                  expected_size=size if size else None)
        except IntegrityError as exc:
            raise SyncError(
                _("{remote} sent a bad copy of object {digest}: {error}").format(
                    remote=remote, digest=digest[:12], error=exc.message),
                _hostile_hint(),
            ) from exc

    def publish_part(self, digest: str, size: int | None, part: Path, remote: str = "the remote") -> None:
        try:
            with open(part, "rb") as fh:
                self.publish_stream(digest, size, fh, remote)
        finally:
            with contextlib.suppress(FileNotFoundError):
                part.unlink()

    def open_object(self, digest: str, offset: int = 0) -> Iterator[bytes]:
        path = self.object_path(digest)
        if path is None:
            from cagette.sync.base import ObjectMissing

            raise ObjectMissing(digest)
        return _read_file(path, offset)


class _Prefetched:
    """Descriptive objects fetched with a plan's lines, kept (in this process, bounded) until they are
    written, even by another :class:`LocalLibrary` of the same folder (the app plans, then applies)."""

    LIMIT = 64 * 1024 * 1024
    _store: dict[tuple[str, str], bytes] = {}  # noqa: RUF012 - shared on purpose
    _lock = threading.Lock()

    def __init__(self, root: Path) -> None:
        self.root = str(root)

    def __setitem__(self, digest: str, data: bytes) -> None:
        with self._lock:
            store = type(self)._store
            while store and sum(map(len, store.values())) + len(data) > self.LIMIT:
                store.pop(next(iter(store)))
            store[(self.root, digest)] = data

    def __contains__(self, digest: object) -> bool:
        return (self.root, digest) in self._store

    def __iter__(self) -> Iterator[str]:
        return iter([d for r, d in list(self._store) if r == self.root])

    def __getitem__(self, digest: str) -> bytes:
        return self._store[(self.root, digest)]

    def get(self, digest: str, default: bytes | None = None) -> bytes | None:
        return self._store.get((self.root, digest), default)

    def pop(self, digest: str) -> bytes | None:
        with self._lock:
            return self._store.pop((self.root, digest), None)


def _read_file(path: Path, offset: int, chunk: int = 256 * 1024) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        fh.seek(offset)
        while data := fh.read(chunk):
            yield data
