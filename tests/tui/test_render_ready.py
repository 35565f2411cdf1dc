"""The app says a render is ready only when it shows what the storyboard holds: when `project check` finds
errors, the video is still made (a draft of an unfinished project is useful) but the notice says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cagette.video import synth
from cagette.video.project import Project
from cagette_tui.app import CagetteApp
from cagette_tui.screens.dialogs import ConfirmDialog
from cagette_tui.screens.render import RenderScreen
from tests.tui.helpers import wait_for


async def render_and_listen(tmp_path: Path, project: Project, asked: bool = False) -> list[tuple[str, Any]]:
    from cagette.library.library import Library

    Library.create(tmp_path / "library")
    app = CagetteApp(lang="en", library=str(tmp_path / "library"))
    notes: list[tuple[str, Any]] = []
    async with app.run_test(size=(120, 40)) as pilot:
        app.notify = lambda message, **kw: notes.append((str(message), kw.get("severity")))  # type: ignore[method-assign]
        app.open_project(project.root, "render")
        await wait_for(pilot, lambda: isinstance(app.screen, RenderScreen) and app.screen.query("#presets"))
        screen = app.screen
        await pilot.press("g")
        if asked:  # a project in error: the app asks first, No by default
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog) and app.screen.focused is not None,
                           what="the question, ready for its key")
            await pilot.press("y")
        await wait_for(pilot, lambda: screen.output is not None and notes, timeout=180, what="render")
        assert screen.output is not None and screen.output.is_file()
    return notes


def small_project(tmp_path: Path) -> Project:
    project = Project.create(tmp_path / "demo", "Demo video")
    project.set_export(title_card=False, end_card=False, fade_s=0.0)
    scene = project.add_scene("Photo")
    project.add_shot(scene.slug, synth.frame_image(tmp_path / "a.png", 1, (64, 36)), duration_s=0.5)
    return project


async def test_a_project_in_error_is_rendered_with_a_warning(tmp_path: Path) -> None:
    project = small_project(tmp_path)
    project.add_scene("Not shot yet")  # `project check`: a scene without shots is an error
    notes = await render_and_listen(tmp_path, project, asked=True)
    (message, severity), = [n for n in notes if "demo-video.mp4" in n[0]]
    assert severity == "warning" and "1 error," in message and "no shot" in message
    assert "ready" not in message


async def test_a_project_without_errors_is_ready(tmp_path: Path) -> None:
    notes = await render_and_listen(tmp_path, small_project(tmp_path))
    assert ("The video is ready: demo-video.mp4", None) in notes
