"""The storyboard's shot inspector and scene panel, driven with Pilot; every check reads the project back
from disk through the video API. Pictures are counted (drawn, shown), never timed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Input

from cagette.video import synth
from cagette.video.project import Project, open_project
from cagette_tui import pictures
from cagette_tui.app import CagetteApp
from cagette_tui.screens.storyboard import StoryboardScreen
from cagette_tui.widgets.fields import problem_of
from cagette_tui.widgets.still import Still
from tests.tui.helpers import wait_for
from tests.tui.places import folder_state, widget_values


def make_project(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    project = Project.create(root, "Demo")
    project.add_scene("Welcome", "Hello and welcome to the town hall.")
    project.add_scene("Forms", "Fill in the form.")
    project.add_shot("welcome", synth.clip(tmp_path / "clip.mp4", 2.0, (160, 90)))
    project.add_shot("welcome", synth.frame_image(tmp_path / "photo.png", 3, (160, 90)))
    project.add_shot("forms", kind="title", title="The form")
    return root


def shots(root: Path, scene: str = "welcome") -> Any:
    return open_project(root).data.scene(scene).shots


async def settle(pilot: Any) -> None:
    for _ in range(3):
        await pilot.pause()


async def type_into(pilot: Any, screen: Any, widget_id: str, text: str) -> None:
    """Empty the field then type *text* in it, a key at a time, as a person does."""
    field = screen.query_one(f"#{widget_id}", Input)
    field.focus()
    await pilot.pause()
    field.clear()
    await pilot.press(*text)
    await settle(pilot)


async def open_storyboard(pilot: Any, app: Any, root: Path) -> Any:
    app.open_project(root)
    await wait_for(pilot, lambda: isinstance(app.screen, StoryboardScreen), what="storyboard")
    screen = app.screen
    await wait_for(pilot, lambda: screen.query("#shot-picture") and screen.query_one("#shot-picture", Still).shown >= 1,
                   what="the clip's picture")
    return screen


async def test_the_shot_inspector_sets_every_field_refuses_bad_values_and_undoes_a_field(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    app = CagetteApp(lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_storyboard(pilot, app, root)
        still = screen.query_one("#shot-picture", Still)
        assert still.image is not None and still.image.size == (320, 180)

        for widget_id, text in (("shot-in", "0.5"), ("shot-out", "1,5"), ("shot-speed", "2"), ("shot-volume", "-6"),
                                ("shot-title", "Hello"), ("shot-caption", "Welcome all")):
            await type_into(pilot, screen, widget_id, text)
            assert problem_of(screen, widget_id) == "", widget_id
        clip = shots(root)[0]
        assert (clip.in_s, clip.out_s, clip.speed, clip.volume_db, clip.title, clip.caption) == (
            0.5, 1.5, 2.0, -6.0, "Hello", "Welcome all")
        await wait_for(pilot, lambda: still.shown >= 2, what="the picture at the new in point")
        made, shown = screen.shot_pictures.made, still.shown
        await type_into(pilot, screen, "shot-caption", "Welcome, everyone")  # not the in point: no new picture
        assert (screen.shot_pictures.made, still.shown) == (made, shown)

        # a value the API refuses: its message under the field, nothing written
        before = (root / "project.toml").read_bytes()
        await type_into(pilot, screen, "shot-in", "9")
        assert "out_s must come after in_s" in problem_of(screen, "shot-in")
        await type_into(pilot, screen, "shot-speed", "fast")
        assert "number" in problem_of(screen, "shot-speed")
        assert (root / "project.toml").read_bytes() == before

        # what was typed in one visit of the caption, a key at a time, is one undo step (the title stays)
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert (shots(root)[0].caption, shots(root)[0].title) == ("", "Hello")
        assert screen.query_one("#shot-caption", Input).value == ""

        # rotation with the keys; the photo: Ken Burns and its duration
        screen.query_one("#shot-rotation").focus()
        await pilot.press("down", "down", "enter")
        await wait_for(pilot, lambda: shots(root)[0].rotation == 90, what="rotation saved")
        screen.query_one("#shots").focus()
        await pilot.press("down")
        await wait_for(pilot, lambda: not screen.query_one("#shot-kenburns").disabled, what="the photo chosen")
        assert not screen.query_one("#shot-in-row").display  # a photo has no in point
        screen.query_one("#shot-kenburns").focus()
        await pilot.press("enter")
        await type_into(pilot, screen, "shot-duration", "4")
        photo = shots(root)[1]
        assert photo.ken_burns and photo.duration_s == 4.0
        await wait_for(pilot, lambda: still.image is not None and still.image is screen.shot_pictures.get(
            pictures.shot_key(photo)), what="the photo's picture")

        # F2 draws everything again: the values and the files stay
        screen.query_one("#shots").focus()
        values, files = widget_values(screen), folder_state(root)
        await pilot.press("f2")
        await settle(pilot)
        assert widget_values(screen) == values and folder_state(root) == files
        assert screen.query_one("#shot-picture", Still).image is not None  # shown again from the cache
        assert not app.errors_shown, app.errors_shown


async def test_the_scene_panel_lower_third_voice_over_and_frame_preview(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    Project.open(root).set_voiceover("welcome", synth.tone_wav(tmp_path / "voice.wav", 1.0))
    app = CagetteApp(lang="fr")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_storyboard(pilot, app, root)
        await type_into(pilot, screen, "scene-lower", "Ana, accueil")
        assert open_project(root).data.scene("welcome").lower_third == "Ana, accueil"
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert open_project(root).data.scene("welcome").lower_third == ""

        # the frame at the scene's start (P), then at a chosen second; a bad second refused
        frame = screen.query_one("#preview-picture", Still)
        screen.query_one("#scenes").focus()
        await pilot.press("p")
        await wait_for(pilot, lambda: frame.shown == 1, what="the frame preview")
        assert "welcome" in str(screen.query_one("#preview-state").render())
        await type_into(pilot, screen, "preview-at", "une")
        await pilot.press("enter")
        await settle(pilot)
        assert problem_of(screen, "preview-at") and frame.shown == 1
        await type_into(pilot, screen, "preview-at", "1")
        screen.query_one("#preview-show").press()
        await wait_for(pilot, lambda: frame.shown == 2, what="the frame at 1 s")
        # once shown, the frame follows the work: another scene highlighted, its start is drawn
        await type_into(pilot, screen, "preview-at", "")
        screen.query_one("#scenes").focus()
        await pilot.press("down")
        await wait_for(pilot, lambda: frame.shown == 3, what="the frame following the highlighted scene")
        assert "forms" in str(screen.query_one("#preview-state").render()).lower()
        assert frame.shown == 3  # drawn once for the change, not once per event
        await pilot.press("up")
        await wait_for(pilot, lambda: frame.shown == 4, what="the frame following back")
        assert "welcome" in str(screen.query_one("#preview-state").render()).lower()

        # the voice-over: removed from the panel (undo brings it back), recorded from it
        assert "✓" in str(screen.query_one("#voice-state").render())
        screen.query_one("#voice-remove").press()
        await wait_for(pilot, lambda: open_project(root).data.scene("welcome").voice == "", what="voice removed")
        assert "✗" in str(screen.query_one("#voice-state").render())
        screen.query_one("#voice-record").press()
        await wait_for(pilot, lambda: type(app.screen).__name__ == "VoiceDialog", what="the voice dialog")
        assert "Hello and welcome" in str(app.screen.query_one("#voice-script").query_one("Static").render())
        assert not app.errors_shown, app.errors_shown
