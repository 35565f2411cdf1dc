"""What every edit of a project stands on: the folder, the lock, the edit primitive, undo and redo,
and incoming files adopted under the lock.

:class:`ProjectCore` is the base of :class:`cagette.video.project.Project` (and of its frame and shot
edits): :meth:`ProjectCore.edit` takes the project lock, re-reads ``project.toml`` from disk, applies a pure
change, writes the file atomically and records an undo step with the file moves it journaled
(:mod:`cagette.video.history`). Files brought in are staged outside the lock
(:mod:`cagette.video.staging`) and only renamed into place by the edit.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

from cagette.errors import UsageError
from cagette.fsutil import FileLock, LockedError, atomic_write_text
from cagette.i18n import _
from cagette.video import history, staging
from cagette.video.history import META_DIR, Journal, Step
from cagette.video.model import ProjectData, clean_text, new_id, scene_problem
from cagette.video.projectfile import PROJECT_FILE, dumps, read
from cagette.video.staging import Staged


def invalid(problem: str) -> None:
    """Refuse an edit whose value is wrong, in one line naming the field and what it allows (exit status 2)."""
    if problem:
        raise UsageError(problem, _("Choose a value in that range, or one of the values named."))


def unknown(what: str, given: Sequence[str], allowed: Sequence[str]) -> None:
    bad = sorted(set(given) - set(allowed))
    if bad:
        raise UsageError(_("Unknown {what} field(s): {names}.").format(what=what, names=", ".join(bad)),
                         _("Known: {names}.").format(names=", ".join(allowed)))


def texts(values: dict[str, Any]) -> dict[str, Any]:
    return {k: clean_text(v) if isinstance(v, str) else v for k, v in values.items()}


class Turns:
    """First come, first served among the threads of this process that edit one project folder.

    The file lock alone lets a thread that edits in a loop (an autosave) take it again and again before a
    thread polling for it (an import) ever gets it; here each waits for its turn, in order. Re-entrant in
    the thread whose turn it is. A thread waits at most *timeout* seconds, then is told the project is in
    use (its place in the queue is passed over)."""

    _all: ClassVar[dict[Path, Turns]] = {}
    _guard: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._next = self._serving = 0
        self._abandoned: set[int] = set()
        self._owner: int | None = None
        self._depth = 0

    @classmethod
    def of(cls, root: Path) -> Turns:
        with cls._guard:
            return cls._all.setdefault(root, cls())

    def _advance(self) -> None:
        while self._serving in self._abandoned:
            self._abandoned.discard(self._serving)
            self._serving += 1

    @contextlib.contextmanager
    def turn(self, timeout: float, what: str) -> Iterator[None]:
        me = threading.get_ident()
        with self._cond:
            if self._owner == me:
                self._depth += 1
            else:
                ticket = self._next
                self._next += 1
                if not self._cond.wait_for(lambda: self._serving == ticket, max(timeout, 0.0)):
                    self._abandoned.add(ticket)
                    self._advance()
                    raise LockedError(_("{what} is in use by another cagette process.").format(what=what),
                                      _("Wait for the other command to finish, then try again."))
                self._owner, self._depth = me, 1
        try:
            yield
        finally:
            with self._cond:
                self._depth -= 1
                if not self._depth:
                    self._owner = None
                    self._serving += 1
                    self._advance()
                    self._cond.notify_all()


class ProjectCore:
    """An open project folder: its places, its lock and the one way to change it."""

    def __init__(self, root: Path, data: ProjectData) -> None:
        self.root = Path(root).absolute()
        self._data = data
        self.lock = FileLock(self.root / META_DIR / "lock", what=str(self.root))
        self._history = history.History(self.root)

    # folders -------------------------------------------------------------------
    @property
    def data(self) -> ProjectData:
        return self._data

    @property
    def file(self) -> Path:
        return self.root / PROJECT_FILE

    @property
    def rushes_dir(self) -> Path:
        return self.root / "rushes"

    @property
    def audio_dir(self) -> Path:
        return self.root / "audio"

    @property
    def exports_dir(self) -> Path:
        return self.root / "exports"

    @property
    def meta_dir(self) -> Path:
        return self.root / META_DIR

    def frames_dir(self, scene: str | int) -> Path:
        return self.root / "frames" / self._data.scene(scene).slug

    def path(self, rel: str) -> Path:
        """The absolute path of a path stored in project.toml."""
        return self.root / rel

    def reload(self) -> ProjectData:
        self._data = read(self.root)
        return self._data

    # the edit primitive ----------------------------------------------------------
    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """This thread's turn among this process's threads, then the project's file lock (other processes)."""
        with Turns.of(self.root).turn(self.lock.timeout, str(self.root)), self.lock:
            yield

    def edit(self, label: str, change: Callable[[ProjectData, Journal], ProjectData], *,
             group: str = "") -> ProjectData:
        """Apply *change* under the lock to the data on disk, save, record an undo step.

        An edit with a *group* right after an edit of the same group (nothing undone between them)
        joins its step: a text saved at each keystroke is undone in one go, not a letter at a time."""
        with self.locked():
            current = read(self.root)
            before = self.file.read_text(encoding="utf-8")
            journal = Journal(self.root)
            try:
                new = change(current, journal)
                after = dumps(new)
                atomic_write_text(self.file, after)
            except BaseException:
                journal.undo()
                raise
            self._data = new
            self._history.push(Step(label, before, after, journal.moves, group))
            if self.lock.depth == 1:  # an edit nested in another's change: the outer one tidies
                self._history.tidy_trash()
                staging.tidy_incoming(self.root)
            return new

    @contextlib.contextmanager
    def _incoming(self) -> Iterator[list[Staged]]:
        """Files staged for an edit (outside the lock); whatever the edit did not adopt is removed."""
        made: list[Staged] = []
        try:
            yield made
        finally:
            for s in made:
                if s.path.exists():
                    s.discard()

    def _bring(self, staged: Staged, j: Journal, dst: Path) -> None:
        """Under the lock: move a staged file to *dst* (journaled)."""
        j.move(staging.adopt(self.root, staged), dst)

    def _trash_path(self, name: str) -> Path:
        return self.root / META_DIR / "trash" / new_id() / name

    def _to_trash(self, rel: str, j: Journal) -> None:
        if rel and (self.root / rel).exists():
            j.move(self.root / rel, self._trash_path(Path(rel).name))

    # history --------------------------------------------------------------------
    def history(self) -> tuple[list[str], int]:
        """Labels of the recorded edits, and how many of them are applied."""
        return self._history.labels()

    def can_undo(self) -> bool:
        return self.history()[1] > 0

    def can_redo(self) -> bool:
        labels, pos = self.history()
        return pos < len(labels)

    def undo(self) -> str:
        """Revert the last edit (its file moves too); returns its label."""
        with self.locked():
            label = self._history.undo(self.file)
            self._data = read(self.root)
            return label

    def redo(self) -> str:
        with self.locked():
            label = self._history.redo(self.file)
            self._data = read(self.root)
            return label

    def _replace_scene(self, d: ProjectData, ref: str | int, **changes: Any) -> ProjectData:
        i = d.scene_index(ref)
        scenes = list(d.scenes)
        scenes[i] = replace(scenes[i], **changes)
        invalid(scene_problem(scenes[i]))
        return replace(d, scenes=tuple(scenes))

    def _rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


