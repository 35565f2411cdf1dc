"""The content-addressed object store: ``objects/ab/cdef…`` (SHA-256).

An object is named by the SHA-256 of its bytes (64 lowercase hex digits),
stored as ``objects/<first two digits>/<the other 62>``. Objects are
immutable: written once to a temporary file in ``objects/.tmp/``, hashed
while written, fsync'd, then renamed to their final name, so a crash never
leaves a half object under a final name. A reader can always re-verify an
object by hashing it (:meth:`ObjectStore.verify`).

This module is the one place that knows the layout; sync goes through
:meth:`ObjectStore.put_stream` (verified before it is published) and
:meth:`ObjectStore.path`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from cagette.errors import IntegrityError, LibraryError
from cagette.fsutil import fsync_dir
from cagette.i18n import _

HASH_RE = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 1024 * 1024
TMP_DIR = ".tmp"


def is_hash(value: object) -> bool:
    """True for a well-formed object name (64 lowercase hex digits)."""
    return isinstance(value, str) and bool(HASH_RE.match(value))


def check_hash(value: object) -> str:
    if not is_hash(value):
        raise IntegrityError(
            _("{value!r} is not a valid object hash.").format(value=str(value)[:80]),
            _("An object hash is 64 lowercase hexadecimal digits (SHA-256)."),
        )
    return str(value)


def hash_file(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a file, read in chunks."""
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def hash_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ObjectStore:
    """The ``objects/`` folder of a library."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # naming -----------------------------------------------------------------
    def path(self, digest: str) -> Path:
        """Where the object *digest* lives (whether or not it is there)."""
        digest = check_hash(digest)
        return self.root / digest[:2] / digest[2:]

    @staticmethod
    def relpath(digest: str) -> str:
        """``ab/cdef…``: the object's path relative to ``objects/`` (POSIX)."""
        digest = check_hash(digest)
        return f"{digest[:2]}/{digest[2:]}"

    def has(self, digest: str) -> bool:
        return self.path(digest).is_file()

    def size(self, digest: str) -> int:
        return self.path(digest).stat().st_size

    def __iter__(self) -> Iterator[str]:
        """Every object name present, in no particular order."""
        if not self.root.is_dir():
            return
        for sub in self.root.iterdir():
            if len(sub.name) != 2 or not sub.is_dir():
                continue
            for f in sub.iterdir():
                name = sub.name + f.name
                if HASH_RE.match(name) and f.is_file():
                    yield name

    # writing ----------------------------------------------------------------
    def _tmp(self) -> tuple[int, Path]:
        tmp_dir = self.root / TMP_DIR
        tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix="obj-", suffix=".part", dir=tmp_dir)
        return fd, Path(name)

    def put_stream(self, stream: BinaryIO, expected: str | None = None,
                   max_size: int | None = None, expected_size: int | None = None,
                   on_bytes: Callable[[int], None] | None = None) -> tuple[str, int]:
        """Store the bytes read from *stream*; return ``(hash, size)``.

        With *expected*, the bytes must hash to it or nothing is published
        (:class:`IntegrityError`). *max_size* caps what is read (an oversized
        stream is refused); *expected_size* must match exactly when given. *on_bytes* is
        called with each chunk's length (progress; it may raise to cancel: nothing is kept).
        """
        if expected is not None:
            check_hash(expected)
            if self.has(expected):
                # Already there: still drain nothing, the caller may skip the transfer.
                return expected, self.size(expected)
        fd, tmp = self._tmp()
        h = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if max_size is not None and size > max_size:
                        raise IntegrityError(
                            _("An object is larger than the {limit} bytes allowed.").format(limit=max_size),
                            _("The source may be hostile or corrupt; nothing was stored."),
                        )
                    h.update(chunk)
                    out.write(chunk)
                    if on_bytes is not None:
                        on_bytes(len(chunk))
                out.flush()
                os.fsync(out.fileno())
            digest = h.hexdigest()
            if expected is not None and digest != expected:
                raise IntegrityError(
                    _("An object announced as {expected} has the hash {actual}.").format(
                        expected=expected[:12], actual=digest[:12]),
                    _("The copy is corrupt or the source is hostile; nothing was stored."),
                )
            if expected_size is not None and size != expected_size:
                raise IntegrityError(
                    _("An object of {size} bytes was expected to have {expected} bytes.").format(
                        size=size, expected=expected_size),
                    _("The copy is truncated or corrupt; nothing was stored."),
                )
            self.adopt(tmp, digest)
            return digest, size
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()

    def adopt(self, path: Path, digest: str) -> None:
        """Publish *path*, a fsync'd file in this library whose bytes the caller just hashed to *digest*."""
        self.adopt_all([(path, digest)])

    def adopt_all(self, files: Iterable[tuple[Path, str]]) -> None:
        """Publish fsync'd files of this library whose bytes the caller just hashed, by renaming them.

        No second copy; a file whose object is already there is left for the caller to remove. Each
        folder touched is fsync'd once. Sync publishes what it received this way, once all is verified.
        """
        touched: set[Path] = set()
        new_dir = False
        for path, digest in files:
            final = self.path(digest)
            if final.is_file():
                continue
            if not final.parent.is_dir():
                new_dir = True
                final.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(path, 0o444)
            os.replace(path, final)
            touched.add(final.parent)
        for folder in sorted(touched):
            fsync_dir(folder)
        if new_dir:
            fsync_dir(self.root)  # the new fan-out folders must survive a crash too

    def put_file(self, path: Path, expected: str | None = None,
                 on_bytes: Callable[[int], None] | None = None) -> tuple[str, int]:
        """Store a copy of the file *path*; return ``(hash, size)``."""
        try:
            with open(path, "rb") as fh:
                return self.put_stream(fh, expected=expected, on_bytes=on_bytes)
        except OSError as exc:
            raise LibraryError(
                _("Cannot read {path}: {error}").format(path=path, error=exc.strerror or exc),
                _("Check the file exists and is readable."),
            ) from exc

    def put_bytes(self, data: bytes) -> tuple[str, int]:
        import io

        return self.put_stream(io.BytesIO(data))

    def clean_tmp(self) -> int:
        """Remove temporary files left by a crash (call under the library lock)."""
        tmp_dir = self.root / TMP_DIR
        n = 0
        if tmp_dir.is_dir():
            for f in tmp_dir.iterdir():
                with contextlib.suppress(OSError):
                    f.unlink()
                    n += 1
        return n

    def delete(self, digest: str) -> bool:
        """Erase an object (a purge). True if it was there."""
        p = self.path(digest)
        try:
            p.unlink()
        except FileNotFoundError:
            return False
        with contextlib.suppress(OSError):
            p.parent.rmdir()  # only when empty
        return True

    # reading ----------------------------------------------------------------
    def open(self, digest: str) -> BinaryIO:
        try:
            return open(self.path(digest), "rb")
        except FileNotFoundError:
            raise LibraryError(
                _("The object {digest} is missing from the library.").format(digest=digest[:12]),
                _("Sync with a site that has it, or run `cagette library fsck`."),
            ) from None

    def verify(self, digest: str) -> bool:
        """True when the object is there and its bytes hash to its name."""
        p = self.path(digest)
        if not p.is_file() or p.is_symlink():
            return False
        actual, _size = hash_file(p)
        return actual == digest
