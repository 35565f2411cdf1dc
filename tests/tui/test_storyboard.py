"""Storyboard flows, driven with Pilot; every check reads project.toml back from disk."""

from __future__ import annotations

import tomllib
from pathlib import Path

from textual.widgets import DataTable, Input, ListView, TextArea

from cagette.video.project import Project
from cagette_tui.app import CagetteApp
from cagette_tui.screens.storyboard import StoryboardScreen
from tests.tui.helpers import wait_for


def on_disk(root: Path) -> dict:
    return tomllib.loads((root / "project.toml").read_text(encoding="utf-8"))


def make_project(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    project = Project.create(root, "Demo")
    project.add_scene("Welcome", "Hello and welcome to the town hall.")
    project.add_scene("Forms", "Fill in the form.")
    project.add_scene("Goodbye", "See you soon.")
    return root


async def test_edit_reorder_undo_and_import(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    app = CagetteApp(lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        app.open_project(root)
        await wait_for(pilot, lambda: isinstance(app.screen, StoryboardScreen), what="storyboard")
        screen = app.screen
        await wait_for(pilot, lambda: screen.query("#scenes") and len(screen.query_one("#scenes", ListView).children) == 3)

        # edit the script of the first scene: saved after a short pause
        area = screen.query_one("#scene-script", TextArea)
        area.focus()
        area.move_cursor(area.document.end)
        await pilot.press(*" Come in.")
        await wait_for(pilot, lambda: on_disk(root)["scenes"][0]["script"].endswith("Come in."), what="script saved")
        assert "words" in str(screen.query_one("#scene-estimate").render())

        # the title too, saved on Enter
        title = screen.query_one("#scene-title", Input)
        title.focus()
        title.value = "Welcome!"
        await pilot.press("enter")
        await wait_for(pilot, lambda: on_disk(root)["scenes"][0]["title"] == "Welcome!", what="title saved")

        # move the first scene down with keys
        screen.query_one("#scenes", ListView).focus()
        await pilot.press("ctrl+down")
        await wait_for(pilot, lambda: [s["slug"] for s in on_disk(root)["scenes"]] == ["forms", "welcome", "goodbye"],
                       what="scene moved")
        # undo brings the order back, redo moves it again
        await pilot.press("ctrl+z")
        await wait_for(pilot, lambda: on_disk(root)["scenes"][0]["slug"] == "welcome", what="undo")
        await pilot.press("ctrl+y")
        await wait_for(pilot, lambda: on_disk(root)["scenes"][0]["slug"] == "forms", what="redo")

        # add and remove scenes
        screen.query_one("#scenes", ListView).focus()
        await pilot.press("a")
        await wait_for(pilot, lambda: len(on_disk(root)["scenes"]) == 4, what="scene added")
        screen.query_one("#scenes", ListView).focus()
        await pilot.press("x")
        await wait_for(pilot, lambda: len(on_disk(root)["scenes"]) == 3, what="scene removed")

        # import a photo into the selected scene
        from cagette.video import synth

        photo = synth.frame_image(tmp_path / "photo.png", 3)
        screen.query_one("#scenes", ListView).focus()
        await pilot.press("i")
        await wait_for(pilot, lambda: app.screen.query("#path"), what="import dialog")
        app.screen.query_one("#path", Input).value = str(photo)
        await pilot.press("enter")
        await wait_for(pilot, lambda: any(s.get("shots") for s in on_disk(root)["scenes"]), what="shot imported")
        shots = [sh for s in on_disk(root)["scenes"] for sh in s.get("shots", [])]
        assert shots[0]["kind"] == "still"
        assert (root / shots[0]["source"]).is_file()
        assert not app.errors_shown


async def test_drag_a_scene_to_another_place(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    app = CagetteApp(lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        app.open_project(root)
        await wait_for(pilot, lambda: isinstance(app.screen, StoryboardScreen))
        await wait_for(pilot, lambda: app.screen.query("#scenes") and len(app.screen.query_one("#scenes").children) == 3)
        view = app.screen.query_one("#scenes", ListView)
        await pilot.pause()
        first, third = view.children[0], view.children[2]
        await pilot.mouse_down(first)
        await pilot.mouse_up(third)
        await wait_for(pilot, lambda: [s["slug"] for s in on_disk(root)["scenes"]] == ["forms", "goodbye", "welcome"],
                       what="scene dragged")


def shot_titles(root: Path) -> list[str]:
    return [sh["title"] for sh in on_disk(root)["scenes"][0].get("shots", [])]


async def test_move_a_shot_with_keys_and_by_drag_then_undo(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    project = Project.open(root)
    for title in ("One", "Two", "Three"):
        project.add_shot("welcome", kind="title", title=title)
    app = CagetteApp(lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        app.open_project(root)
        await wait_for(pilot, lambda: isinstance(app.screen, StoryboardScreen), what="storyboard")
        screen = app.screen
        table = await wait_for(pilot, lambda: screen.query("#shots") and screen.query_one("#shots", DataTable))
        await wait_for(pilot, lambda: table.row_count == 3, what="shots shown")

        # keys: the first shot goes down, the scene order stays
        table.focus()
        await pilot.press("ctrl+down")
        await wait_for(pilot, lambda: shot_titles(root) == ["Two", "One", "Three"], what="shot moved")
        assert [s["slug"] for s in on_disk(root)["scenes"]] == ["welcome", "forms", "goodbye"]
        assert table.cursor_row == 1  # the moved shot stays chosen
        await pilot.press("alt+down")
        await wait_for(pilot, lambda: shot_titles(root) == ["Two", "Three", "One"], what="shot moved again")

        # undo twice: the original order, on disk
        await pilot.press("ctrl+z")
        await wait_for(pilot, lambda: shot_titles(root) == ["Two", "One", "Three"], what="undo")
        await pilot.press("ctrl+z")
        await wait_for(pilot, lambda: shot_titles(root) == ["One", "Two", "Three"], what="undo again")

        # drag the third shot onto the first row
        await pilot.pause()
        await pilot.mouse_down(table, offset=(4, 4))  # inside the frame: the header on line 1, rows from line 2
        await pilot.mouse_up(table, offset=(4, 2))
        await wait_for(pilot, lambda: shot_titles(root) == ["Three", "One", "Two"], what="shot dragged")
        await pilot.press("ctrl+z")
        await wait_for(pilot, lambda: shot_titles(root) == ["One", "Two", "Three"], what="drag undone")
        assert not app.errors_shown
