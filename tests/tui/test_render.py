"""Render a draft from the render screen, then publish it; the video and the library entry are checked on disk."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from textual.widgets import RadioSet

from cagette.video import synth
from cagette.video.project import Project
from cagette_tui.app import CagetteApp
from cagette_tui.screens.render import RenderScreen
from tests.tui.helpers import wait_for


def ffprobe_duration(path: Path) -> float:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return float(json.loads(out)["format"]["duration"])


@pytest.mark.slow
async def test_render_a_draft_and_publish_it(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    project = Project.create(root, "Demo video")
    project.set_export(title_card=False, end_card=False)
    scene = project.add_scene("Only", "Hello.")
    project.add_shot(scene.slug, synth.frame_image(tmp_path / "a.png", 1), duration_s=1.5)
    from cagette.library.library import Library

    Library.create(tmp_path / "library")
    app = CagetteApp(lang="en", library=str(tmp_path / "library"))
    async with app.run_test(size=(120, 40)) as pilot:
        app.open_project(root, "render")
        await wait_for(pilot, lambda: isinstance(app.screen, RenderScreen) and app.screen.query("#presets"))
        screen = app.screen
        radios = screen.query_one("#presets", RadioSet)
        assert radios.pressed_button is not None and radios.pressed_button.name == "draft"
        await pilot.press("g")
        await wait_for(pilot, lambda: screen.output is not None, timeout=180, what="render")
        video = screen.output
        assert video.is_file() and video.suffix == ".mp4"
        assert 1.0 <= ffprobe_duration(video) <= 4.0
        assert video.with_suffix(".srt").is_file()
        await pilot.press("p")
        await wait_for(pilot, lambda: screen.published, timeout=120, what="publish")
        assert not app.errors_shown, app.errors_shown
    lib = Library.open(tmp_path / "library")
    found = lib.get(screen.published)
    assert found.kind == "video" and found.title == "Demo video"
    assert any(f.role == "main" and f.name.endswith(".mp4") for f in found.files)
