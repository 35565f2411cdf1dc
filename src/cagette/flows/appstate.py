"""What the app remembers between sessions, in one small file of the data folder.

``<data folder>/app-state.json`` (:func:`cagette.locations.app_state_file`) holds:

* ``recent``: the projects opened lately, newest first (path and title);
* ``cameras``: the camera sources used on this computer (the site), last used first;
* ``projects``: per project folder, its own cameras (last used first), the scene last open and the
  step of the guided flow where it was left;
* ``guided``: the project whose guided flow is under way (the home screen offers to resume it);
* ``folders``: per kind of file dialog (``media``, ``voice``, ``publish``…), the folder last used;
* ``capture``: the onion skin's opacity and number of frames, and how many frames playback shows.

The file is versioned (``"version": 1``) and read strictly: an unknown key, a wrong type or a
value out of its bounds is refused with the key's name (:class:`AppStateError`), never guessed.
Every change re-reads the file under a lock and writes it atomically, so two windows of the app
(or two ``cagette web`` sessions) never lose each other's changes. Every list and string is
capped: the file stays small whatever happens. ``project.toml`` is never written here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cagette import locations
from cagette.errors import CagetteError
from cagette.fsutil import FileLock, atomic_write_text, read_regular
from cagette.i18n import _

VERSION = 1
MAX_BYTES = 512 * 1024
MAX_TEXT = 4096  # a path, a URL, a title
MAX_RECENT = 12
MAX_CAMERAS = 8  # per project
MAX_SITE_CAMERAS = 12
MAX_PROJECTS = 60
MAX_FOLDERS = 16
ONION_OPACITY = (0, 100)  # %
ONION_FRAMES = (0, 5)
PLAYBACK_FRAMES = (2, 120)
LAST_FOLDER = "last"  # the folder of the last file chosen, whatever for


class AppStateError(CagetteError):
    """The app's state file is unreadable, or holds a key or value it should not."""


@dataclass(frozen=True)
class Recent:
    path: str
    title: str = ""


@dataclass(frozen=True)
class ProjectMemory:
    """What is remembered of one project folder (never written into the project itself)."""

    cameras: tuple[str, ...] = ()
    scene: str = ""  # slug of the scene last open
    guided: str = ""  # id of the guided flow's step where it was left ("" : not in the guided flow)


@dataclass(frozen=True)
class CapturePrefs:
    onion_opacity: int = 35
    onion_frames: int = 2
    playback_frames: int = 24


@dataclass(frozen=True)
class AppState:
    version: int = VERSION
    recent: tuple[Recent, ...] = ()
    cameras: tuple[str, ...] = ()
    projects: dict[str, ProjectMemory] = field(default_factory=dict)
    guided: str = ""
    folders: dict[str, str] = field(default_factory=dict)
    capture: CapturePrefs = field(default_factory=CapturePrefs)

    # reading -----------------------------------------------------------------------
    def project(self, root: Path | str) -> ProjectMemory:
        return self.projects.get(key_of(root), ProjectMemory())

    def cameras_for(self, root: Path | str | None) -> list[str]:
        """The camera sources to offer for a project: its own (last used first), then the site's."""
        own = list(self.project(root).cameras) if root is not None else []
        return own + [c for c in self.cameras if c not in own]

    def folder_for(self, purpose: str, fallback: Path | None = None) -> Path | None:
        """The folder last used for *purpose*, else the folder last used for any file, if it still exists;
        else *fallback*."""
        for key in (purpose, LAST_FOLDER):
            value = self.folders.get(key)
            if value and Path(value).is_dir():
                return Path(value)
        return fallback

    def recent_projects(self) -> list[Recent]:
        """Recent projects whose folder still holds a project, newest first."""
        return [r for r in self.recent if (Path(r.path) / "project.toml").is_file()]

    # changing (pure: each returns a new state) ------------------------------------------
    def with_recent(self, root: Path | str, title: str = "") -> AppState:
        key = key_of(root)
        kept = [r for r in self.recent if r.path != key]
        return replace(self, recent=(Recent(key, _text(title or Path(key).name)), *kept)[:MAX_RECENT])

    def with_camera(self, root: Path | str | None, source: str) -> AppState:
        source = _text(source)
        if not source:
            return self
        site = (source, *[c for c in self.cameras if c != source])[:MAX_SITE_CAMERAS]
        new = replace(self, cameras=site)
        if root is None:
            return new
        memory = new.project(root)
        own = (source, *[c for c in memory.cameras if c != source])[:MAX_CAMERAS]
        return new._with_project(root, replace(memory, cameras=own))

    def with_scene(self, root: Path | str, slug: str) -> AppState:
        return self._with_project(root, replace(self.project(root), scene=_text(slug)))

    def with_guided(self, root: Path | str, step: str) -> AppState:
        """The guided flow of *root* is at *step* ("" : it is finished, nothing to resume)."""
        new = self._with_project(root, replace(self.project(root), guided=_text(step)))
        if step:
            return replace(new, guided=key_of(root))
        return replace(new, guided="" if new.guided == key_of(root) else new.guided)

    def with_folder(self, purpose: str, folder: Path | str) -> AppState:
        """*folder* was used for *purpose* (and is the last folder used for any file)."""
        value = _text(str(Path(folder).absolute()))
        keys = {purpose, LAST_FOLDER}
        kept = [(k, v) for k, v in self.folders.items() if k not in keys]
        return replace(self, folders=dict([(LAST_FOLDER, value), (_text(purpose), value), *kept][:MAX_FOLDERS]))

    def with_capture(self, **prefs: int) -> AppState:
        return replace(self, capture=_checked_capture(replace(self.capture, **prefs)))

    def _with_project(self, root: Path | str, memory: ProjectMemory) -> AppState:
        key = key_of(root)
        others = [(k, v) for k, v in self.projects.items() if k != key]
        return replace(self, projects=dict([(key, memory), *others][:MAX_PROJECTS]))

    # the file's form ------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "recent": [{"path": r.path, "title": r.title} for r in self.recent],
            "cameras": list(self.cameras),
            "projects": {k: {"cameras": list(v.cameras), "scene": v.scene, "guided": v.guided}
                         for k, v in self.projects.items()},
            "guided": self.guided,
            "folders": dict(self.folders),
            "capture": {"onion_opacity": self.capture.onion_opacity, "onion_frames": self.capture.onion_frames,
                        "playback_frames": self.capture.playback_frames},
        }


def key_of(root: Path | str) -> str:
    """The key of a project folder: its absolute path."""
    return _text(str(Path(root).expanduser().absolute()))


def _text(value: str) -> str:
    return value[:MAX_TEXT]


# -- strict reading -------------------------------------------------------------------

class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path

    def bad(self, where: str, what: str) -> AppStateError:
        return AppStateError(
            _("The app's state file {file} is not valid: {where}: {what}.").format(file=self.path, where=where,
                                                                                      what=what),
            _("Delete that file (the app then starts with an empty memory), or correct that key."))

    def table(self, value: Any, where: str, keys: Iterable[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.bad(where, _("a table was expected"))
        unknown = sorted(set(value) - set(keys))
        if unknown:
            raise self.bad(where, _("unknown key {key!r}").format(key=unknown[0]))
        return value

    def mapping(self, value: Any, where: str, cap: int) -> dict[str, Any]:
        """A table whose keys are free (paths, purposes), at most *cap* of them."""
        if not isinstance(value, dict):
            raise self.bad(where, _("a table was expected"))
        if len(value) > cap:
            raise self.bad(where, _("more than {n} entries").format(n=cap))
        return value

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str):
            raise self.bad(where, _("a text was expected"))
        if len(value) > MAX_TEXT:
            raise self.bad(where, _("longer than {n} characters").format(n=MAX_TEXT))
        return value

    def texts(self, value: Any, where: str, cap: int) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.bad(where, _("a list was expected"))
        if len(value) > cap:
            raise self.bad(where, _("more than {n} entries").format(n=cap))
        return tuple(self.text(v, f"{where}[{n}]") for n, v in enumerate(value))

    def number(self, value: Any, where: str, bounds: tuple[int, int]) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.bad(where, _("a whole number was expected"))
        if not bounds[0] <= value <= bounds[1]:
            raise self.bad(where, _("must be between {low} and {high}").format(low=bounds[0], high=bounds[1]))
        return value

    def state(self, raw: Any) -> AppState:
        top = self.table(raw, "/", ("version", "recent", "cameras", "projects", "guided", "folders", "capture"))
        version = top.get("version")
        if version != VERSION:
            raise self.bad("version", _("version {found!r} is not known (this cagette reads version {known})").format(
                found=version, known=VERSION))
        recent_raw = top.get("recent", [])
        if not isinstance(recent_raw, list) or len(recent_raw) > MAX_RECENT:
            raise self.bad("recent", _("a list of at most {n} entries was expected").format(n=MAX_RECENT))
        recent = []
        for n, entry in enumerate(recent_raw):
            item = self.table(entry, f"recent[{n}]", ("path", "title"))
            recent.append(Recent(self.text(item.get("path"), f"recent[{n}].path"),
                                 self.text(item.get("title", ""), f"recent[{n}].title")))
        projects_raw = self.mapping(top.get("projects", {}), "projects", MAX_PROJECTS)
        projects = {}
        for key, entry in projects_raw.items():
            where = f"projects[{key!r}]"
            item = self.table(entry, where, ("cameras", "scene", "guided"))
            projects[self.text(key, where)] = ProjectMemory(
                self.texts(item.get("cameras", []), f"{where}.cameras", MAX_CAMERAS),
                self.text(item.get("scene", ""), f"{where}.scene"), self.text(item.get("guided", ""), f"{where}.guided"))
        folders_raw = self.mapping(top.get("folders", {}), "folders", MAX_FOLDERS)
        folders = {self.text(k, "folders"): self.text(v, f"folders[{k!r}]") for k, v in folders_raw.items()}
        cap = self.table(top.get("capture", {}), "capture", ("onion_opacity", "onion_frames", "playback_frames"))
        default = CapturePrefs()
        capture = CapturePrefs(
            self.number(cap.get("onion_opacity", default.onion_opacity), "capture.onion_opacity", ONION_OPACITY),
            self.number(cap.get("onion_frames", default.onion_frames), "capture.onion_frames", ONION_FRAMES),
            self.number(cap.get("playback_frames", default.playback_frames), "capture.playback_frames",
                        PLAYBACK_FRAMES))
        return AppState(VERSION, tuple(recent), self.texts(top.get("cameras", []), "cameras", MAX_SITE_CAMERAS),
                        projects, self.text(top.get("guided", ""), "guided"), folders, capture)


def _checked_capture(prefs: CapturePrefs) -> CapturePrefs:
    for name, bounds in (("onion_opacity", ONION_OPACITY), ("onion_frames", ONION_FRAMES),
                         ("playback_frames", PLAYBACK_FRAMES)):
        value = getattr(prefs, name)
        if not bounds[0] <= value <= bounds[1]:
            raise AppStateError(_("{name} must be between {low} and {high}, not {value}.").format(
                name=name, low=bounds[0], high=bounds[1], value=value), None)
    return prefs


def parse(text: str, path: Path) -> AppState:
    """The state held by *text* (the file's content), refused with the key's name when anything is off."""
    reader = _Reader(path)
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise reader.bad("/", _("not JSON ({error})").format(error=exc)) from None
    return reader.state(raw)


# -- the file ---------------------------------------------------------------------------

def state_file() -> Path:
    return locations.app_state_file()


def _lock(path: Path) -> FileLock:
    return FileLock(path.with_name(f".{path.name}.lock"), what=str(path))


def load(path: Path | None = None) -> AppState:
    """The remembered state (empty when the file does not exist yet)."""
    path = path or state_file()
    try:
        data = read_regular(path, MAX_BYTES)
    except FileNotFoundError:
        return AppState()
    except OSError as exc:
        raise AppStateError(_("Cannot read {file}: {error}.").format(file=path, error=exc.strerror or exc),
                            _("Check the data folder's permissions.")) from exc
    except CagetteError as exc:  # a FIFO, a link, a huge file
        raise AppStateError(exc.message, _("Delete that file: the app then starts with an empty memory.")) from exc
    return parse(data.decode("utf-8", errors="replace"), path)


def update(change: Callable[[AppState], AppState], path: Path | None = None) -> AppState:
    """Apply *change* to the state on disk, under the lock, and write the result atomically."""
    path = path or state_file()
    with _lock(path):
        new = change(load(path))
        atomic_write_text(path, json.dumps(new.to_dict(), ensure_ascii=False, indent=1) + "\n")
    return new


def set_aside(path: Path | None = None) -> Path | None:
    """Move a state file that cannot be read out of the way (kept beside it, never deleted);
    returns where it went, None when there was nothing to move."""
    path = path or state_file()
    with _lock(path):
        if not path.exists() and not path.is_symlink():
            return None
        for n in range(1, 1000):
            aside = path.with_name(f"{path.stem}.unreadable-{n}{path.suffix}")
            if not aside.exists():
                os.replace(path, aside)
                return aside
        raise AppStateError(_("Too many unreadable copies of {file} are kept beside it.").format(file=path),
                            _("Delete the old {name}.unreadable-* files.").format(name=path.stem))
