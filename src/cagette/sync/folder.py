"""Another library folder as a remote: a USB stick, a network share.

The folder is a library of its own (made on the first sync when the folder
is new or empty). It is opened without claiming a site id: a stick carried
between sites is a courier, it never writes a log of its own. Every line and
object taken from it is checked exactly as from a network peer: a symlink,
a bad hash, a malformed or foreign line is refused.

Before anything on it is opened, the folder is looked over
(:func:`_inspect`): a FIFO, device or socket where a library keeps its files
is refused at once (opening a FIFO would wait for ever), and so is a log
larger than ``max_response_mb``. A stick mounted read-only takes no push: a
two-way sync then only pulls, and says so.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from cagette.errors import SyncError
from cagette.i18n import _
from cagette.sync.base import CHUNK, ObjectMissing, Remote
from cagette.sync.limits import Limits, free_bytes, human_size
from cagette.sync.local import LocalLibrary
from cagette.sync.plan import SideState
from cagette.sync.sink import ObjectSink


def _special(path: str) -> SyncError:
    return SyncError(
        _("Refused {path}: it is a special file (a FIFO, a device or a socket), not a plain file.").format(path=path),
        _("A library holds only plain files and folders; remove it, then sync again."),
    )


def _inspect(root: Path, limits: Limits) -> None:
    """Refuse special files where the library keeps its files, and logs beyond the cap (never opening them)."""
    for name in ("library.json", os.path.join("local", "site.json")):
        path = root / name
        if os.path.lexists(path) and not path.is_symlink() and not path.is_file():
            raise _special(str(path))
    stack = [root / "log"]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if entry.is_symlink():
                raise SyncError(
                    _("Refused {path}: it is a symbolic link.").format(path=entry.path),
                    _("A library holds only plain files; remove the link, then sync again."),
                )
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
            elif not entry.is_file(follow_symlinks=False):
                raise _special(entry.path)
            elif entry.stat(follow_symlinks=False).st_size > limits.max_response_bytes:
                raise SyncError(
                    _("Refused {path}: {size}, more than the {cap} a log may have here.").format(
                        path=entry.path, size=human_size(entry.stat(follow_symlinks=False).st_size),
                        cap=human_size(limits.max_response_bytes)),
                    _("The copy is damaged or hostile; if it is a very large library, raise "
                      "[sync] max_response_mb (--max-response-mb)."),
                )


class FolderRemote(Remote):
    lists_cheaply = True  # its objects are a directory listing away: no need to plan by marks

    def __init__(self, path: Path, create: bool = True, limits: Limits | None = None) -> None:
        super().__init__(limits)
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
        if not fresh:
            _inspect(path, self.limits)
        self.lib = LocalLibrary(path, ours=False, create=fresh and create)
        self.lib.max_log_bytes = self.limits.max_response_bytes
        self.name = str(path)
        self.writable = os.access(path, os.W_OK) and os.access(path / "objects", os.W_OK)
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

    def free_bytes(self) -> int | None:
        return free_bytes(self.lib.root)

    def put_object(self, digest: str, size: int, path: Path) -> None:
        if self.lib.has_object(digest):
            return
        with ObjectSink(self.lib.store, digest, size, self.limits.max_object_bytes, self.lib.partial_path(digest),
                        _("this library")) as sink, open(path, "rb") as src:
            src.seek(sink.offset)
            while data := src.read(CHUNK):
                sink.write(data)
                self.counters.sent += len(data)
            if not sink.finish():
                raise SyncError(_("{path} changed during the sync.").format(path=path), _("Run the sync again."))

    def close(self) -> None:
        if self.pushed_logs:
            self.lib.after_sync()
            self.pushed_logs = False
