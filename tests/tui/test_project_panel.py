"""The project panel (O on the storyboard), driven with Pilot: every choice set from the UI and read back
from disk through the video API; a refused value writes nothing; a typed field is one undo step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Input

from cagette.video import synth
from cagette.video.project import open_project
from cagette_tui.app import CagetteApp
from cagette_tui.screens.project_panel import ProjectPanelScreen
from cagette_tui.widgets.fields import problem_of
from tests.tui.helpers import wait_for
from tests.tui.places import folder_state, widget_values
from tests.tui.test_storyboard_panels import make_project, settle, type_into

SRT = "1\n00:00:00,500 --> 00:00:02,000\nBonjour à tous.\n\n2\n00:00:02,500 --> 00:00:04,000\nAu revoir.\n"


async def choose_file(pilot: Any, app: Any, button: str, path: Path) -> None:
    """Press *button* and give *path* in the file dialog it opens."""
    screen = app.screen
    screen.query_one(f"#{button}").press()
    await wait_for(pilot, lambda: app.screen is not screen and app.screen.query("#path"), what="the file dialog")
    app.screen.query_one("#path", Input).value = str(path)
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.screen is screen, what="back on the panel")
    await settle(pilot)


async def choose(pilot: Any, screen: Any, radio_set: str, steps: int) -> None:
    """Move *steps* down in a radio set and press Enter, from the keyboard."""
    screen.query_one(f"#{radio_set}").focus()
    await pilot.press(*["down"] * steps, "enter")
    await settle(pilot)


async def test_the_project_panel_sets_every_choice(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    music = synth.music_wav(tmp_path / "music.wav", 3.0)
    logo = synth.frame_image(tmp_path / "logo.png", 5, (64, 64))
    srt = tmp_path / "captions.srt"
    srt.write_text(SRT, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    app = CagetteApp(lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_project(root)
        await wait_for(pilot, lambda: type(app.screen).__name__ == "StoryboardScreen", what="storyboard")
        await settle(pilot)
        app.screen.query_one("#scenes").focus()
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, ProjectPanelScreen), what="the project panel")
        screen = app.screen
        await settle(pilot)
        assert screen.query_one("#music-volume", Input).disabled  # no music yet: its levels wait for one

        typed = {"export-title-card-s": "5", "export-end-card-s": "6", "export-crossfade": "0,5", "export-fade": "1",
                 "export-still": "2", "export-fps": "8", "export-cps": "15", "info-title": "Opening hours",
                 "info-authors": "Ana, Bo", "info-organisation": "Town hall"}
        for widget_id, text in typed.items():
            await type_into(pilot, screen, widget_id, text)
            assert problem_of(screen, widget_id) == "", widget_id
        for switch in ("export-title-card", "export-burn", "export-deflicker"):
            screen.query_one(f"#{switch}").focus()
            await pilot.press("enter")
            await settle(pilot)
        await choose(pilot, screen, "export-loudness", 1)
        await choose(pilot, screen, "export-fill", 1)
        await choose(pilot, screen, "export-preset", 4)
        await choose(pilot, screen, "info-language", 1)
        await choose(pilot, screen, "info-licence", 3)
        area = screen.query_one("#info-description")
        area.focus()
        await pilot.press(*"Hours.")
        await settle(pilot)
        data = open_project(root).data
        ex = data.export
        assert (ex.title_card_s, ex.end_card_s, ex.crossfade_s, ex.fade_s, ex.still_s, ex.frames_fps,
                ex.caption_cps) == (5, 6, 0.5, 1, 2, 8, 15)
        assert (ex.title_card, ex.burn_captions, ex.deflicker) == (False, True, False)
        assert (ex.loudness, ex.portrait_fill, ex.preset) == ("lobby", "bars", "draft")
        assert (data.title, data.authors, data.organisation) == ("Opening hours", ("Ana", "Bo"), "Town hall")
        assert (data.language, data.licence, data.description) == ("en", "CC0-1.0", "Hours.")

        # a value the API refuses: its message under the field, nothing written
        before = (root / "project.toml").read_bytes()
        await type_into(pilot, screen, "export-crossfade", "9")
        assert "crossfade_s must be between 0 and 5" in problem_of(screen, "export-crossfade")
        await type_into(pilot, screen, "export-fade", "long")
        assert problem_of(screen, "export-fade")
        assert (root / "project.toml").read_bytes() == before

        # a typed field is one undo step
        await type_into(pilot, screen, "info-organisation", "Mairie de Lyon")
        assert open_project(root).data.organisation == "Mairie de Lyon"
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert open_project(root).data.organisation == "Town hall"
        assert app.screen.query_one("#info-organisation", Input).value == "Town hall"

        # music, logo, captions through the file dialogs
        await choose_file(pilot, app, "music-choose", music)
        assert open_project(root).data.music.source.startswith("audio/music")
        screen = app.screen
        await type_into(pilot, screen, "music-volume", "-10")
        await type_into(pilot, screen, "music-duck", "-20")
        assert (open_project(root).data.music.volume_db, open_project(root).data.music.duck_db) == (-10, -20)
        await choose_file(pilot, app, "logo-choose", logo)
        assert open_project(root).data.export.logo.startswith("rushes/logo")
        await choose_file(pilot, app, "captions-import", srt)
        assert [c.text for c in open_project(root).data.captions.cues] == ["Bonjour à tous.", "Au revoir."]
        await choose_file(pilot, app, "captions-export", out)
        written = (out / f"{open_project(root).data.slug}.srt").read_text(encoding="utf-8")
        assert "Bonjour à tous." in written and "Au revoir." in written

        # F2 draws the panel again: the values and the files stay
        screen = app.screen
        screen.query_one("#music-clear").focus()
        values, files = widget_values(screen), folder_state(root)
        await pilot.press("f2")
        await settle(pilot)
        assert widget_values(screen) == values and folder_state(root) == files

        for button in ("music-clear", "logo-clear", "captions-clear"):
            app.screen.query_one(f"#{button}").press()
            await settle(pilot)
        data = open_project(root).data
        assert (data.music.source, data.export.logo, data.captions.cues) == ("", "", ())
        assert not app.errors_shown, app.errors_shown
