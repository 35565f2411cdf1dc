"""The guided first video, driven with Pilot: create from a template, scripts saved at each keystroke, a
photo imported, a voice-over with the script on screen, and the flow resumed from home where it was left."""

from __future__ import annotations

import tomllib
from pathlib import Path

from textual.widgets import Input, ListView, TextArea

from cagette.video import synth
from cagette_tui.app import CagetteApp
from cagette_tui.screens.guided import GuidedScreen
from cagette_tui.screens.home import HomeScreen
from tests.tui.fixtures import make_template
from tests.tui.helpers import wait_for


def on_disk(root: Path) -> dict:
    return tomllib.loads((root / "project.toml").read_text(encoding="utf-8"))


async def test_guided_flow_from_template_to_voice_then_resumed(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    make_template(templates)
    projects = tmp_path / "projects"
    app = CagetteApp(lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = GuidedScreen(folders=[templates], projects_dir=projects)
        app.push_screen(screen)
        await wait_for(pilot, lambda: screen.query("#templates"), what="template step")
        assert screen.focused is screen.query_one("#title", Input)  # the main control, not a container
        view = screen.query_one("#templates", ListView)
        assert len(view.children) == 2  # blank + the template
        view.focus()
        await pilot.press("down")
        screen.query_one("#title", Input).focus()
        await pilot.press(*"Identity card", "enter")
        root = projects / "identity-card"
        await wait_for(pilot, lambda: (root / "project.toml").is_file() and screen.step == 1, what="project created")
        assert [s["slug"] for s in on_disk(root)["scenes"]] == ["the-question", "the-steps", "the-end"]
        assert on_disk(root)["project"]["title"] == "Identity card"

        # step 2: the script, saved at each keystroke (no pause needed), focus already in it
        area = await wait_for(pilot, lambda: screen.query("#script") and screen.query_one("#script", TextArea))
        await wait_for(pilot, lambda: screen.focused is area, what="the script has the focus")
        area.move_cursor(area.document.end)
        await pilot.press(*" Because")
        assert on_disk(root)["scenes"][0]["script"].endswith("Because")
        assert "words" in str(screen.query_one("#estimate").render())

        # step 3: a photo imported into the highlighted scene (the second one), from a dialog in the project's folder
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: screen.step == 2 and screen.query("#scenes"), what="shoot step")
        photo = synth.frame_image(tmp_path / "shots" / "photo.png", 2, (64, 36))
        (tmp_path / "shots" / ".hidden.png").write_bytes(photo.read_bytes())
        await pilot.press("down", "i")
        await wait_for(pilot, lambda: app.screen.query("#path"), what="file dialog")
        assert app.screen.query_one("#path", Input).value.rstrip("/") == str(root)
        app.screen.query_one("#path", Input).value = str(photo)
        await pilot.press("enter")
        await wait_for(pilot, lambda: on_disk(root)["scenes"][1].get("shots"), what="photo imported")
        assert on_disk(root)["scenes"][1]["shots"][0]["kind"] == "still"

        # step 4: the scene chosen before is still highlighted; Enter on a scene opens the voice dialog
        # with its script; I imports a file there
        await wait_for(pilot, lambda: screen.step == 2 and screen.query("#scenes"))
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: screen.step == 3 and screen.query("#voices"), what="voice step")
        assert screen.query_one("#voices", ListView).index == 1
        wav = synth.tone_wav(tmp_path / "shots" / "voice.wav", 1.0)
        await pilot.press("up", "enter")
        await wait_for(pilot, lambda: app.screen.query("#voice-text"), what="voice dialog")
        assert "Why this procedure? Because" in str(app.screen.query_one("#voice-text").render())
        await pilot.press("i")
        await wait_for(pilot, lambda: app.screen.query("#path"), what="file dialog")
        tree = app.screen.query_one("#tree")
        assert str(tree.path) == str(tmp_path / "shots")  # the folder last used for a file
        app.screen.query_one("#path", Input).value = str(wav)
        await pilot.press("enter")
        await wait_for(pilot, lambda: on_disk(root)["scenes"][0].get("voice"), what="voice set")
        assert (root / on_disk(root)["scenes"][0]["voice"]).is_file()

        # left at the voice step; home offers to go on from there
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), what="home")
        home = app.screen
        await wait_for(pilot, lambda: home.query("#sections") and home.query_one("#sections", ListView).children)
        first = home.query_one("#sections", ListView).children[0]
        assert first.name == "resume" and "step 4 of 7" in first.text  # type: ignore[attr-defined]
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, GuidedScreen) and app.screen.step == 3, what="resumed")
        assert app.screen.project.root == root
        assert not app.errors_shown, app.errors_shown


async def test_the_file_dialog_hides_dot_files(tmp_path: Path) -> None:
    from cagette_tui.screens.dialogs import FileTree

    (tmp_path / ".secret").write_text("x")
    (tmp_path / "clip.mp4").write_bytes(b"0")
    (tmp_path / "notes.txt").write_text("x")
    tree = FileTree(tmp_path, exts={".mp4"})
    assert [p.name for p in tree.filter_paths(sorted(tmp_path.iterdir()))] == ["clip.mp4"]
    assert [p.name for p in FileTree(tmp_path).filter_paths(sorted(tmp_path.iterdir()))] == ["clip.mp4", "notes.txt"]
