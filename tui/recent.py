"""The projects opened lately, shown on the home screen.

Kept in ``<data folder>/recent-projects.json`` (a list, newest first), written
atomically; a missing or unreadable file is an empty list, and folders that
no longer exist are left out when listed.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from cagette import locations
from cagette.fsutil import atomic_write_text

MAX_RECENT = 12


@dataclass(frozen=True)
class RecentProject:
    path: Path
    title: str
    opened: float  # seconds since the epoch


def recent_file() -> Path:
    return locations.data_dir() / "recent-projects.json"


def _read() -> list[RecentProject]:
    try:
        raw = json.loads(recent_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    items = []
    if isinstance(raw, list):
        for entry in raw:
            if isinstance(entry, dict) and isinstance(entry.get("path"), str):
                items.append(RecentProject(Path(entry["path"]), str(entry.get("title") or ""),
                                           float(entry.get("opened") or 0)))
    return items


def recent_projects() -> list[RecentProject]:
    """Recent projects whose folder still exists, newest first."""
    return [p for p in _read() if (p.path / "project.toml").is_file()]


def remember(path: Path, title: str = "") -> None:
    """Put *path* at the top of the list (a failure to write is not an error worth a dialog)."""
    path = Path(path).absolute()
    items = [p for p in _read() if p.path != path]
    items.insert(0, RecentProject(path, title or path.name, time.time()))
    data = [{"path": str(p.path), "title": p.title, "opened": p.opened} for p in items[:MAX_RECENT]]
    try:
        atomic_write_text(recent_file(), json.dumps(data, ensure_ascii=False, indent=1))
    except OSError:
        pass
