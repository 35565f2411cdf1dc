"""Opening a project folder on one of its screens (storyboard, capture, render)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cagette_tui.recent import remember


def open_project(path: Path) -> Any:
    """The project at *path* (a :class:`cagette.video.project.Project`), remembered as recent."""
    from cagette.video.project import open_project as _open

    project = _open(Path(path))
    remember(project.root, project.data.title)
    return project


def make(app: Any, path: Path, which: str = "storyboard") -> Any:
    project = open_project(path)
    if which == "capture":
        from cagette_tui.screens.capture import CaptureScreen

        return CaptureScreen(project)
    if which == "render":
        from cagette_tui.screens.render import RenderScreen

        return RenderScreen(project)
    from cagette_tui.screens.storyboard import StoryboardScreen

    return StoryboardScreen(project)
