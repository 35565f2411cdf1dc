"""Every screen and dialog of the app, by name, and how to open it on a project.

The app's own list: the tests walk it (and check that no screen class of the package is missing
from it) to type every letter into every text field and to switch languages on every screen.
Each entry builds its screen for a :class:`Place` (a project folder, a library, a free port).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Place:
    project: Path  # a project folder (with scenes)
    library: Path | None = None
    port: int = 0  # for the phone page
    templates: Path | None = None  # a folder of storyboard templates (None: the starter's)


def _project(place: Place) -> Any:
    from cagette.video.project import open_project

    return open_project(place.project)


def _guided(step: str) -> Callable[[Any, Place], Any]:
    def make(app: Any, place: Place) -> Any:
        from cagette_tui.screens.guided import GuidedScreen

        folders = [place.templates] if place.templates is not None else None
        if step == "template":
            return GuidedScreen(folders=folders, projects_dir=place.project.parent)
        return GuidedScreen(folders=folders, projects_dir=place.project.parent, project=_project(place), step=step)
    return make


def _home(app: Any, place: Place) -> Any:
    from cagette_tui.screens.home import HomeScreen

    return HomeScreen()


def _help(app: Any, place: Place) -> Any:
    from cagette_tui.screens.help import HelpScreen

    return HelpScreen()


def _projects(app: Any, place: Place) -> Any:
    from cagette_tui.screens.projects import ProjectsScreen

    return ProjectsScreen()


def _project_screen(which: str) -> Callable[[Any, Place], Any]:
    def make(app: Any, place: Place) -> Any:
        if which == "capture":
            from cagette_tui.screens.capture import CaptureScreen

            return CaptureScreen(_project(place), source="", devices=[], controller=False)
        from cagette_tui.screens import project_screens

        return project_screens.make(app, place.project, which)
    return make


def _project_panel(app: Any, place: Place) -> Any:
    from cagette_tui.screens.project_panel import ProjectPanelScreen

    return ProjectPanelScreen(_project(place))


def _library(app: Any, place: Place) -> Any:
    from cagette_tui.adapters import open_library
    from cagette_tui.screens.library import LibraryScreen

    return LibraryScreen(open_library(place.library))


def _community(app: Any, place: Place) -> Any:
    from cagette_tui.adapters import open_library
    from cagette_tui.screens.community import CommunityScreen

    return CommunityScreen(open_library(place.library))


def _restore_dialog(app: Any, place: Place) -> Any:
    from cagette_tui.screens.library_panels import RestoreDialog

    lost = {"field": "title", "value": "Horaires d'été", "site": "0" * 8, "site_name": "Ville B",
            "at": "2026-06-01T10:00:00Z", "line": "x:1"}
    return RestoreDialog("Horaires", [lost])


def _sync(app: Any, place: Place) -> Any:
    from cagette_tui.screens.sync import SyncScreen

    return SyncScreen(place.library or place.project.parent / "library")


def _plans(app: Any, place: Place) -> Any:
    from cagette_tui.screens.plans import PlansScreen

    return PlansScreen(out_dir=place.project.parent / "kit")


def _path_dialog(app: Any, place: Place) -> Any:
    from cagette_tui.screens.dialogs import PathDialog

    return PathDialog("Import", "Path", start=place.project, purpose="media")


def _text_dialog(app: Any, place: Place) -> Any:
    from cagette_tui.screens.dialogs import TextDialog

    return TextDialog("A title card", "Text")


def _confirm_dialog(app: Any, place: Place) -> Any:
    from cagette_tui.screens.dialogs import ConfirmDialog

    return ConfirmDialog("Sure?", "Really?")


def _voice_dialog(app: Any, place: Place) -> Any:
    from cagette_tui.screens.voice import VoiceDialog

    project = _project(place)
    return VoiceDialog(project, project.data.scenes[0].slug)


def _phone_dialog(app: Any, place: Place) -> Any:
    from cagette_tui.screens.phone import PhoneDialog

    return PhoneDialog(_project(place), host="127.0.0.1", port=place.port or None)


SCREENS: dict[str, Callable[[Any, Place], Any]] = {
    "home": _home,
    "help": _help,
    "projects": _projects,
    **{f"guided-{step}": _guided(step) for step in ("template", "scripts", "shoot", "voice", "captions", "render",
                                                     "publish")},
    "storyboard": _project_screen("storyboard"),
    "capture": _project_screen("capture"),
    "render": _project_screen("render"),
    "publish": _project_screen("publish"),
    "project-panel": _project_panel,
    "library": _library,
    "community": _community,
    "sync": _sync,
    "plans": _plans,
    "path-dialog": _path_dialog,
    "text-dialog": _text_dialog,
    "confirm-dialog": _confirm_dialog,
    "restore-dialog": _restore_dialog,
    "voice-dialog": _voice_dialog,
    "phone-dialog": _phone_dialog,
}


def screen_classes() -> set[type]:
    """Every screen and dialog class the package defines (its modules imported to find them)."""
    import importlib
    import pkgutil

    from textual.screen import Screen

    import cagette_tui.screens as package

    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{info.name}")
    found: set[type] = set()
    todo: list[type] = [Screen]
    while todo:
        sub: type
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("cagette_tui."):
                found.add(sub)
    return found
