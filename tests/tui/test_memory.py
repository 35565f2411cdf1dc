"""What the app remembers: the camera of a project (and of the site), the scene last open, the recent
projects on the home screen; an unreadable memory is set aside, never in the way."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import ListView

from cagette.flows import appstate
from cagette.video.project import open_project
from cagette_tui.app import CagetteApp
from cagette_tui.screens.capture import CaptureScreen
from cagette_tui.screens.home import HomeScreen
from cagette_tui.screens.storyboard import StoryboardScreen
from tests.tui.fixtures import make_project
from tests.tui.helpers import wait_for
from tests.tui.test_capture import camera  # noqa: F401 - the synthetic camera fixture


async def test_the_camera_and_the_scene_are_remembered(tmp_path: Path, camera: str) -> None:  # noqa: F811
    root, other = tmp_path / "demo", tmp_path / "other"
    make_project(root)
    make_project(other)
    app = CagetteApp(lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        # the camera typed once for the first scene...
        screen = CaptureScreen(open_project(root), devices=[], controller=False)
        app.push_screen(screen)
        await wait_for(pilot, lambda: screen.query("#url"))
        assert screen.hub is None and screen.focused.id == "sources"  # nothing to start: choose a camera
        screen.query_one("#url").value = camera
        screen.query_one("#url").focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.frames_shown > 0, what="live view")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, CaptureScreen))

        # ...opens by itself for the next scene, the storyboard's highlighted one
        app.open_project(root)
        await wait_for(pilot, lambda: isinstance(app.screen, StoryboardScreen))
        board = app.screen
        await wait_for(pilot, lambda: board.query("#scenes") and len(board.query_one("#scenes", ListView).children) == 3)
        await pilot.press("down", "down", "c")
        await wait_for(pilot, lambda: isinstance(app.screen, CaptureScreen), what="capture")
        again = app.screen
        assert again.scene_slug == "goodbye"
        await wait_for(pilot, lambda: again.frames_shown > 0, what="the remembered camera, live")
        assert again.location == camera
        await pilot.press("escape", "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))

        # another project offers this site's camera; the home screen lists the recent project
        await wait_for(pilot, lambda: app.screen.query("#recent"))
        recent = app.screen.query_one("#recent", ListView)
        assert [item.name for item in recent.children] == [str(root)]
    state = appstate.load()
    assert state.cameras_for(other) == [camera] and state.project(root).cameras == (camera,)
    assert state.project(root).scene == "goodbye"
    app = CagetteApp(lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        app.open_project(root)
        await wait_for(pilot, lambda: isinstance(app.screen, StoryboardScreen) and app.screen.query("#shots"))
        assert app.screen.selected == "goodbye"  # the scene last open opens
        assert "Goodbye" in str(app.screen.query_one("#scene-heading").render())
        assert not app.errors_shown, app.errors_shown


async def test_an_unreadable_memory_is_set_aside_and_said(tmp_path: Path, isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    broken = isolated_home / "app-state.json"
    broken.write_text(json.dumps({"version": 1, "colour": "red"}), encoding="utf-8")
    root = tmp_path / "demo"
    make_project(root)
    app = CagetteApp(lang="en")
    said: list[str] = []
    app.notify = lambda message, **kw: said.append(str(message))  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_project(root)
        await wait_for(pilot, lambda: isinstance(app.screen, StoryboardScreen) and app.screen.query("#shots"))
        await wait_for(pilot, lambda: said, what="a notice")
    assert "colour" in said[0] and "unreadable-1" in said[0]
    assert json.loads((isolated_home / "app-state.unreadable-1.json").read_text())["colour"] == "red"
    assert appstate.load().recent[0].path == str(root)  # a fresh memory, written
