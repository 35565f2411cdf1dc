"""Opening a project folder on one of its screens (storyboard, capture, render, publish)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cagette_tui import memory

SCREENS = ("storyboard", "capture", "render", "publish")


def open_project(path: Path) -> Any:
    """The project at *path* (a :class:`cagette.video.project.Project`), remembered as recent."""
    from cagette.video.project import open_project as _open

    project = _open(Path(path))
    memory.remember_project(project.root, project.data.title)
    return project


def make(app: Any, path: Path, which: str = "storyboard", scene: str | None = None) -> Any:
    """The screen *which* of the project at *path*; *scene*: the scene it opens on (else the one last open)."""
    project = open_project(path)
    if which == "capture":
        from cagette_tui.screens.capture import CaptureScreen

        return CaptureScreen(project, scene=scene)
    if which == "render":
        from cagette_tui.screens.render import RenderScreen

        return RenderScreen(project)
    if which == "publish":
        from cagette_tui.screens.publish import PublishScreen

        return PublishScreen(project)
    from cagette_tui.screens.storyboard import StoryboardScreen

    return StoryboardScreen(project, scene=scene)
