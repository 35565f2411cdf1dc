"""A library folder as a sync sees it: logs as bytes, objects as files.

This module reads and extends the on-disk format that :mod:`cagette.library`
defines (``log/<site>.jsonl``, ``objects/ab/cd…``, ``local/`` never synced)
only through that package's functions: every incoming log line is validated
by :func:`cagette.library.log.parse_log_bytes` and must be byte-identical to
its canonical form (so every copy of a log hashes the same), every object is
published by :meth:`cagette.library.objects.ObjectStore.put_stream` after its
hash is checked. Lines for our own site id are refused; a symlink anywhere
under the folder is refused.

Partial object transfers live in ``local/sync-partial/<hash>.part`` (``local/``
is this site's and never synced) and resume from their size.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from cagette.errors import CagetteError, SyncError
from cagette.i18n import _
from cagette.sync.plan import LogInfo, ObjectRef, SideState, check_hash, check_site_id

PARTIAL_DIR = ("local", "sync-partial")


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

    def log_path(self, site: str) -> Path:
        from cagette.library.log import log_name

        check_site_id(site)
        return self._safe(self.log_dir / log_name(site))

    def log_sites(self) -> list[str]:
        from cagette.library.log import site_of_log

        d = self.log_dir
        if not d.is_dir():
            return []
        out = []
        for entry in os.scandir(d):
            site = site_of_log(entry.name)
            if site is None:
                continue
            if entry.is_symlink():
                raise SyncError(
                    _("Refused {path}: it is a symbolic link.").format(path=entry.path),
                    _("A library holds only plain files; remove the link, then sync again."),
                )
            out.append(site)
        return sorted(out)

    def log_bytes(self, site: str) -> bytes:
        try:
            return complete_lines(self.log_path(site).read_bytes())
        except FileNotFoundError:
            return b""

    def log_info(self, site: str, prefix_at: int | None = None) -> LogInfo:
        data = self.log_bytes(site)
        prefix_size = prefix_sha = None
        if prefix_at is not None and len(data) > prefix_at:
            prefix_size, prefix_sha = prefix_at, hashlib.sha256(data[:prefix_at]).hexdigest()
        return LogInfo(site, len(data), data.count(b"\n"), hashlib.sha256(data).hexdigest(),
                       prefix_size, prefix_sha)

    def log_sizes(self) -> dict[str, int]:
        """Each log's size in complete lines (what a remote needs to say which prefixes to hash)."""
        return {site: len(self.log_bytes(site)) for site in self.log_sites()}

    def state(self, known: Mapping[str, int] | None = None) -> SideState:
        known = known or {}
        logs = {site: self.log_info(site, known.get(site)) for site in self.log_sites()}
        return SideState(self.site_id, logs, objects_digest(self.object_names()))

    def read_log(self, site: str, start: int = 0, end: int | None = None) -> bytes:
        data = self.log_bytes(site)
        end = len(data) if end is None else end
        if not 0 <= start <= end <= len(data):
            raise SyncError(_("The log {site} has no bytes {start}–{end}.").format(site=site, start=start, end=end),
                            _("The log changed during the sync; run it again."))
        return data[start:end]

    def check_lines(self, site: str, start_lines: int, data: bytes, remote: str) -> list[Any]:
        """Validate incoming lines *data* of *site*'s log (canonical, numbered from start_lines+1)."""
        from cagette.library.log import parse_log_bytes

        check_site_id(site)
        if data and not data.endswith(b"\n"):
            raise SyncError(_("{remote} sent an unfinished line for the log {site}: refused.").format(
                remote=remote, site=site), _hostile_hint())
        try:
            read = parse_log_bytes(data, site, f"{remote}:{site[:8]}", start_seq=start_lines + 1)
        except CagetteError as exc:
            raise SyncError(
                _("{remote} sent a malformed line for the log {site}: refused ({error}).").format(
                    remote=remote, site=site, error=exc.message),
                _hostile_hint(),
            ) from exc
        canonical = b"".join(ev.to_line() for ev in read.events)
        if canonical != data:
            raise SyncError(
                _("{remote} sent lines for the log {site} that are not in canonical form: refused.").format(
                    remote=remote, site=site),
                _hostile_hint(),
            )
        return list(read.events)

    def append_log(self, site: str, start: int, data: bytes, remote: str = "the remote",
                   expect_sha256: str | None = None) -> None:
        """Extend our copy of another site's log with verified lines (under the lock)."""
        from cagette.sync import libadapt as api

        check_site_id(site)
        if site == self.site_id:
            raise SyncError(
                _("{remote} offered lines for this library's own log ({site}): refused.").format(
                    remote=remote, site=site),
                _("Only this library writes its own log."),
            )
        if not data:
            return
        with self.lock():
            current = self.log_bytes(site)
            if len(current) != start:
                raise SyncError(
                    _("The log {site} here has {size} bytes, not {start}: refused.").format(
                        site=site, size=len(current), start=start),
                    _("The library changed during the sync; run it again."),
                )
            lines_before = current.count(b"\n")
            self.check_lines(site, lines_before, data, remote)
            if expect_sha256 is not None and hashlib.sha256(current + data).hexdigest() != expect_sha256:
                raise SyncError(
                    _("The lines {remote} sent for the log {site} do not match the hash it announced: refused.")
                    .format(remote=remote, site=site),
                    _hostile_hint(),
                )
            try:
                api.accept_log(self.handle, site, data, lines_before + 1)
            except CagetteError as exc:
                raise SyncError(
                    _("{remote}: the log {site} was refused: {error}").format(
                        remote=remote, site=site, error=exc.message),
                    exc.hint,
                ) from exc

    def events(self, extra: Mapping[str, Iterable[Any]] | None = None) -> dict[str, list[Any]]:
        from cagette.library.log import parse_log_bytes

        out: dict[str, list[Any]] = {}
        for site in self.log_sites():
            out[site] = list(parse_log_bytes(self.log_bytes(site), site, site[:8]).events)
        for site, evs in (extra or {}).items():
            out.setdefault(site, []).extend(evs)
        return out

    def refs(self, extra: Mapping[str, Iterable[Any]] | None = None) -> list[ObjectRef]:
        """The objects the merged resources use (with the tags of their resources)."""
        from cagette.sync import libadapt as api

        return api.object_refs(self.handle, self.events(extra))

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
        d = self.root.joinpath(*PARTIAL_DIR)
        try:
            return {n.removesuffix(".part") for n in os.listdir(d) if n.endswith(".part")}
        except FileNotFoundError:
            return set()

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


def _read_file(path: Path, offset: int, chunk: int = 256 * 1024) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        fh.seek(offset)
        while data := fh.read(chunk):
            yield data
