"""Files written so that a crash or a cancel never leaves half of one.

* :func:`atomic_writer` / :func:`atomic_write_bytes` / :func:`atomic_write_text`:
  write a temporary file beside the target, flush, fsync, rename over it.
* :func:`staged_dir`: build a whole output folder beside its final place and
  move it there only when everything succeeded.
* :class:`FileLock`: an advisory lock file, so two cagette processes never
  write one project or library at once (``fcntl`` on POSIX, ``msvcrt`` on
  Windows).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from cagette.errors import CagetteError, UsageError
from cagette.i18n import _


def fsync_dir(path: Path) -> None:
    """Make a rename inside *path* durable (no-op where unsupported)."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_writer(path: Path, mode: str = "wb", **kwargs: Any) -> Iterator[IO[Any]]:
    """Yield a file whose content replaces *path* only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        os.chmod(tmp, _existing_mode(path))
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _existing_mode(path: Path, default: int = 0o666) -> int:
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        return default & ~_umask()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    with atomic_writer(path, "wb") as fh:
        fh.write(data)


def atomic_write_text(path: Path, text: str) -> None:
    with atomic_writer(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def check_output_dir(path: Path, force: bool) -> None:
    """Refuse a non-empty output folder unless *force* (exit status 2)."""
    if path.exists() and not path.is_dir():
        raise UsageError(
            _("{path} exists and is not a folder.").format(path=path),
            _("Choose another --out, or remove that file."),
        )
    if path.is_dir() and any(path.iterdir()) and not force:
        raise UsageError(
            _("The folder {path} is not empty.").format(path=path),
            _("Add --force to replace its content, or choose another --out."),
        )


@contextlib.contextmanager
def staged_dir(target: Path, force: bool = False) -> Iterator[Path]:
    """Yield a temporary folder that becomes *target* only on success.

    On any failure or interruption the temporary folder is removed and
    *target* is left as it was.
    """
    target = Path(target)
    check_output_dir(target, force)
    target.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent))
    try:
        yield stage
        os.chmod(stage, 0o777 & ~_umask())  # mkdtemp makes it private (0700)
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, old)
            os.replace(stage, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(stage, target)
        fsync_dir(target.parent)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


class LockedError(CagetteError):
    """Another process holds the lock."""


class FileLock:
    """An exclusive advisory lock on ``path`` (created if missing).

    ``timeout`` seconds are waited for a busy lock, then :class:`LockedError`
    says which file is busy and what to do.
    """

    def __init__(self, path: Path, timeout: float = 10.0, what: str | None = None) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self.what = what or str(self.path.parent)
        self._fh: IO[bytes] | None = None
        self._depth = 0

    def acquire(self) -> None:
        if self._fh is not None:
            self._depth += 1
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+b")  # noqa: SIM115 - kept open while locked
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                _lock(fh)
                break
            except OSError:
                if time.monotonic() >= deadline:
                    fh.close()
                    raise LockedError(
                        _("{what} is in use by another cagette process.").format(what=self.what),
                        _("Wait for the other command to finish, then try again."),
                    ) from None
                time.sleep(0.02)
        self._fh = fh
        self._depth = 1

    def release(self) -> None:
        if self._fh is None:
            return
        self._depth -= 1
        if self._depth:
            return
        try:
            _unlock(self._fh)
        finally:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(fh: IO[bytes]) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]

    def _unlock(fh: IO[bytes]) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]

else:
    import fcntl

    def _lock(fh: IO[bytes]) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fh: IO[bytes]) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
