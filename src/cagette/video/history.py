"""Undo and redo: each edit of ``project.toml`` with the file moves it made.

An edit's :class:`Journal` records every move it makes (a copy brought in from
the staging area, a frame deleted to the trash, frames renumbered); the
:class:`History` keeps, in ``.cagette/history.json``, the last
:data:`HISTORY_LIMIT` steps: the file before and after, and those moves, so
undo and redo put the files back as well. Files deleted by an edit wait in
``.cagette/trash/`` while a recorded step can bring them back.

The caller (:class:`cagette.video.project.Project`) holds the project lock
around every method here that writes.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cagette.errors import ProjectError
from cagette.fsutil import atomic_write_text
from cagette.i18n import _

META_DIR = ".cagette"
HISTORY_LIMIT = 100


@dataclass
class Step:
    label: str
    before: str
    after: str
    moves: list[tuple[str, str]]  # relative (src, dst), in the order they were made
    group: str = ""  # edits of one group in a row make one step (the keystrokes of one field)


class Journal:
    """File moves made by one edit, relative to the project folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.moves: list[tuple[str, str]] = []

    def move(self, src: Path, dst: Path) -> None:
        dst.parent.mkdir(parents=True, exist_ok=True)
        if dst.exists():
            raise ProjectError(_("{file} already exists.").format(file=dst),
                               _("Run `cagette project check`; a previous edit may have been interrupted."))
        os.replace(src, dst)
        self.moves.append((str(src.relative_to(self.root)), str(dst.relative_to(self.root))))

    def undo(self) -> None:
        _replay(self.root, [(d, s) for s, d in reversed(self.moves)])
        self.moves.clear()


def _replay(root: Path, moves: list[tuple[str, str]]) -> None:
    for src, dst in moves:
        s, d = root / src, root / dst
        if s.exists():
            d.parent.mkdir(parents=True, exist_ok=True)
            os.replace(s, d)


class History:
    """The recorded steps of one project folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def file(self) -> Path:
        return self.root / META_DIR / "history.json"

    @property
    def trash(self) -> Path:
        return self.root / META_DIR / "trash"

    def load(self) -> dict[str, Any]:
        try:
            raw = json.loads(self.file.read_text(encoding="utf-8"))
            if isinstance(raw, dict) and isinstance(raw.get("steps"), list):
                return raw
        except (OSError, ValueError):
            pass
        return {"steps": [], "pos": 0}

    def save(self, hist: dict[str, Any]) -> None:
        atomic_write_text(self.file, json.dumps(hist, ensure_ascii=False))

    def push(self, step: Step) -> None:
        hist = self.load()
        steps = hist["steps"][: hist["pos"]]  # a new edit drops what could be redone
        last = steps[-1] if steps and hist["pos"] == len(hist["steps"]) else None
        if step.group and last is not None and last.get("group") == step.group:
            last["after"] = step.after
            last["moves"] = [*last["moves"], *step.moves]
            self.save({"steps": steps, "pos": len(steps)})
            return
        steps.append(dataclasses.asdict(step))
        if len(steps) > HISTORY_LIMIT:
            steps = steps[-HISTORY_LIMIT:]
        self.save({"steps": steps, "pos": len(steps)})

    def labels(self) -> tuple[list[str], int]:
        """Labels of the recorded edits, and how many of them are applied."""
        hist = self.load()
        return [s["label"] for s in hist["steps"]], int(hist["pos"])

    def undo(self, project_file: Path) -> str:
        """Revert the last step (its file moves too); returns its label."""
        hist = self.load()
        if hist["pos"] <= 0:
            raise ProjectError(_("Nothing to undo."), _("No edit of this project is recorded."))
        step = hist["steps"][hist["pos"] - 1]
        _replay(self.root, [(d, s) for s, d in reversed(step["moves"])])
        atomic_write_text(project_file, step["before"])
        hist["pos"] -= 1
        self.save(hist)
        return str(step["label"])

    def redo(self, project_file: Path) -> str:
        hist = self.load()
        if hist["pos"] >= len(hist["steps"]):
            raise ProjectError(_("Nothing to redo."), _("Redo only follows an undo."))
        step = hist["steps"][hist["pos"]]
        _replay(self.root, [(s, d) for s, d in step["moves"]])
        atomic_write_text(project_file, step["after"])
        hist["pos"] += 1
        self.save(hist)
        return str(step["label"])

    def tidy_trash(self) -> None:
        """Remove trash entries no recorded step can bring back (the history keeps the last edits).

        Called under the lock by the outermost edit only: the lock excludes every other thread and
        process, so no other edit has a file in the trash that it has not recorded yet (files being
        brought in wait in the staging area, which this leaves alone)."""
        if not self.trash.is_dir():
            return
        keep: set[str] = set()
        for step in self.load()["steps"]:
            for src, dst in step["moves"]:
                for rel in (src, dst):
                    parts = Path(rel).parts
                    if len(parts) >= 3 and parts[0] == META_DIR and parts[1] == "trash":
                        keep.add(parts[2])
        for d in self.trash.iterdir():
            if d.name not in keep:
                if d.is_dir():
                    shutil.rmtree(d, ignore_errors=True)
                else:
                    d.unlink(missing_ok=True)
