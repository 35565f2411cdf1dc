"""Another library folder as a remote: a USB stick, a network share.

The folder is a library of its own (made on the first sync when the folder
is new or empty). It is opened without claiming a site id: a stick carried
between sites is a courier, it never writes a log of its own. Every line and
object taken from it is checked exactly as from a network peer: a symlink,
a bad hash, a malformed or foreign line is refused.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from cagette.errors import SyncError
from cagette.i18n import _
from cagette.sync.base import CHUNK, ObjectMissing, Remote
from cagette.sync.local import LocalLibrary
from cagette.sync.plan import SideState


class FolderRemote(Remote):
    def __init__(self, path: Path, create: bool = True) -> None:
        super().__init__()
        path = Path(path).absolute()
        if path.exists() and not path.is_dir():
            raise SyncError(_("{path} is not a folder.").format(path=path),
                            _("Give the folder of a library, or an empty folder to make one there."))
        fresh = not path.exists() or not any(path.iterdir())
        if not fresh and not (path / "log").is_dir() and not (path / "objects").is_dir():
            raise SyncError(
                _("{path} is neither a library nor an empty folder.").format(path=path),
                _("Give the folder of a library, or an empty folder to make one there."),
            )
        self.lib = LocalLibrary(path, ours=False, create=fresh and create)
        self.name = str(path)
        self.pushed_logs = False

    def state(self, known: Mapping[str, int]) -> SideState:
        return self.lib.state(known)

    def read_log(self, site: str, start: int, end: int) -> bytes:
        data = self.lib.read_log(site, start, end)
        self.counters.received += len(data)
        return data

    def append_log(self, site: str, start: int, data: bytes) -> None:
        self.lib.append_log(site, start, data, remote=_("this library"))
        self.counters.sent += len(data)
        self.pushed_logs = True

    def has_objects(self, hashes: Sequence[str] | None) -> set[str]:
        names = self.lib.object_names()
        return names if hashes is None else names & set(hashes)

    def read_object(self, digest: str, offset: int = 0) -> Iterator[bytes]:
        path = self.lib.object_path(digest)
        if path is None:
            raise ObjectMissing(digest)
        return self._count(path, offset)

    def _count(self, path: Path, offset: int) -> Iterator[bytes]:
        with open(path, "rb") as fh:
            fh.seek(offset)
            while data := fh.read(CHUNK):
                self.counters.received += len(data)
                yield data

    def put_object(self, digest: str, size: int, path: Path) -> None:
        if self.lib.has_object(digest):
            return
        part = self.lib.partial_path(digest)
        offset = part.stat().st_size if part.exists() else 0
        if offset > size:
            part.unlink()
            offset = 0
        with open(path, "rb") as src, open(part, "ab") as out:
            src.seek(offset)
            while data := src.read(CHUNK):
                out.write(data)
                self.counters.sent += len(data)
            out.flush()
            os.fsync(out.fileno())
        self.lib.publish_part(digest, size, part, remote=_("this library"))

    def close(self) -> None:
        if self.pushed_logs:
            self.lib.after_sync()
            self.pushed_logs = False
