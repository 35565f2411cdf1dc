"""Files written so that a crash or a cancel never leaves half of one.

* :func:`atomic_writer` / :func:`atomic_write_bytes` / :func:`atomic_write_text`:
  write a temporary file beside the target, flush, fsync, rename over it.
* :func:`staged_dir`: build a whole output folder beside its final place and
  move it there only when everything succeeded.
* :func:`scratch_dir`: a working folder removed whatever happens.
* :func:`read_regular`: read a file that must be a plain one (a FIFO or a
  device is refused at once, never waited on), within a size cap.
* :class:`FileLock`: an advisory lock file, so two cagette processes, or two
  threads of one, never write one project or library at once (the ``filelock``
  package: ``flock`` on POSIX, ``msvcrt`` on Windows).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from cagette.errors import CagetteError, UsageError
from cagette.i18n import _
from cagette.progress import interrupts_deferred


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
    tmp: Path | None = None
    fh: IO[Any] | None = None
    try:
        with interrupts_deferred():  # a Ctrl-C as the file is made finds its name known, below
            fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            tmp = Path(tmp_name)
            fh = os.fdopen(fd, mode, **kwargs)
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        os.chmod(tmp, _existing_mode(path))
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException:
        if fh is not None:
            with contextlib.suppress(OSError):
                fh.close()
        if tmp is not None:
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


class SpecialFileError(CagetteError):
    """A path that should be a plain file is a FIFO, a device, a socket or a link."""


def special_file_error(path: Path, what: str = "") -> SpecialFileError:
    return SpecialFileError(
        _("Refused {path}: it is {what}, not a plain file.").format(path=path, what=what or _("a special file")),
        _("A library holds only plain files and folders; remove it, then try again."),
    )


def read_regular(path: Path, limit: int | None = None) -> bytes:
    """The bytes of the plain file *path*, refusing without blocking a FIFO, device, socket or symlink.

    With *limit*, a file larger than that is refused too (:class:`SpecialFileError` names both sizes).
    """
    import stat

    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if Path(path).is_symlink():
            raise special_file_error(path, _("a symbolic link")) from exc
        raise
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise special_file_error(path)
        if limit is not None and st.st_size > limit:
            raise SpecialFileError(
                _("Refused {path}: {size} bytes, more than the {limit} allowed.").format(
                    path=path, size=st.st_size, limit=limit),
                _("The copy is damaged or hostile; remove that file, or raise the limit if it is expected."),
            )
        return fh.read() if limit is None else fh.read(limit + 1)[:limit]


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
    stage: Path | None = None
    try:
        with interrupts_deferred():  # a Ctrl-C as the folder is made finds its name known, below
            stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent))
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
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)
        raise


@contextlib.contextmanager
def scratch_dir(prefix: str, parent: Path | None = None) -> Iterator[Path]:
    """A private working folder in *parent*, removed with all it holds when the block ends, however it
    ends: a Ctrl-C or SIGTERM arriving the moment it is made included."""
    work: Path | None = None
    try:
        with interrupts_deferred():
            work = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
        yield work
    finally:
        if work is not None:
            with interrupts_deferred():  # a second Ctrl-C waits for the cleanup
                shutil.rmtree(work, ignore_errors=True)


class LockedError(CagetteError):
    """Another process (or another thread of this one) holds the lock."""


class FileLock:
    """An exclusive lock on ``path`` (created if missing), across processes AND threads.

    Backed by the ``filelock`` package (``flock`` on POSIX, ``msvcrt`` on Windows). A lock
    held by one thread blocks every other thread, of this process or another, and is
    re-entrant only within the thread that holds it. ``timeout`` seconds are waited for a
    busy lock (settable before each acquire), then :class:`LockedError` says which file is
    busy and what to do.
    """

    def __init__(self, path: Path, timeout: float = 10.0, what: str | None = None) -> None:
        import filelock  # imported here: `cagette --help` never needs it

        self.path = Path(path)
        self.timeout = timeout
        self.what = what or str(self.path.parent)
        self._lock = filelock.FileLock(str(self.path), thread_local=True)
        self._timeout_error = filelock.Timeout

    @property
    def depth(self) -> int:
        """How many times the calling thread holds the lock (0: it does not)."""
        return int(self._lock.lock_counter)

    def acquire(self) -> None:
        if self.depth == 0:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire(timeout=max(self.timeout, 0.0), poll_interval=0.02)
        except self._timeout_error:
            raise LockedError(
                _("{what} is in use by another cagette process.").format(what=self.what),
                _("Wait for the other command to finish, then try again."),
            ) from None

    def release(self) -> None:
        if self.depth:
            self._lock.release()

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
