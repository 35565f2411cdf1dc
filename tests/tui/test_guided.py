"""The guided first video, driven with Pilot: create from a template, write scripts, voice-over."""

from __future__ import annotations

import tomllib
from pathlib import Path

from textual.widgets import Input, ListView, TextArea

from cagette_tui.app import CagetteApp
from cagette_tui.screens.guided import GuidedScreen
from tests.tui.fixtures import make_template
from tests.tui.helpers import wait_for


def on_disk(root: Path) -> dict:
    return tomllib.loads((root / "project.toml").read_text(encoding="utf-8"))


async def test_guided_flow_from_template_to_captions(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    make_template(templates)
    projects = tmp_path / "projects"
    app = CagetteApp(lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = GuidedScreen(folders=[templates], projects_dir=projects)
        app.push_screen(screen)
        await wait_for(pilot, lambda: screen.query("#templates"), what="template step")
        view = screen.query_one("#templates", ListView)
        assert len(view.children) == 2  # blank + the template
        view.focus()
        await pilot.press("down")
        screen.query_one("#title", Input).value = "Identity card"
        await pilot.press("tab")
        await pilot.click("#create")
        root = projects / "identity-card"
        await wait_for(pilot, lambda: (root / "project.toml").is_file(), what="project created")
        assert [s["slug"] for s in on_disk(root)["scenes"]] == ["the-question", "the-steps", "the-end"]
        assert on_disk(root)["project"]["title"] == "Identity card"

        # step 2: the script of the first scene, saved as typed, estimate shown
        await wait_for(pilot, lambda: screen.step == 1 and screen.query("#script"), what="scripts step")
        area = screen.query_one("#script", TextArea)
        area.focus()
        area.move_cursor(area.document.end)
        await pilot.press(*" Because you need it")
        await wait_for(pilot, lambda: on_disk(root)["scenes"][0]["script"].endswith("need it"), what="saved")
        assert "words" in str(screen.query_one("#estimate").render())

        # skip shooting; voice-over from a file
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: screen.step == 2 and screen.query("#open-capture"))
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: screen.step == 3 and screen.query("#voices"), what="voice step")
        from cagette.video import synth

        wav = synth.tone_wav(tmp_path / "voice.wav", 1.0)
        screen.query_one("#voices", ListView).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.query("#path"), what="file dialog")
        app.screen.query_one("#path", Input).value = str(wav)
        await pilot.press("enter")
        await wait_for(pilot, lambda: on_disk(root)["scenes"][0].get("voice"), what="voice set")
        assert (root / on_disk(root)["scenes"][0]["voice"]).is_file()

        # captions are made from the scripts
        await wait_for(pilot, lambda: screen.step == 3 and screen.query("#voices"))
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: screen.step == 4 and screen.query("#captions"), what="captions step")
        assert "Because you need it" in str(screen.query_one("#captions").render())
        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: screen.step == 3)
        assert not app.errors_shown, app.errors_shown
