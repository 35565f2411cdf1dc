"""Render from the render screen (its problems first, a question before rendering a project in error), then
publish through the form and its confirmation; the video, the project and the library entry are checked on disk."""

from __future__ import annotations

import json
import os
import subprocess
import tomllib
from pathlib import Path

import pytest
from textual.widgets import RadioSet

from cagette.video import synth
from cagette.video.project import Project
from cagette_tui import publishing
from cagette_tui.app import CagetteApp
from cagette_tui.screens.dialogs import ConfirmDialog
from cagette_tui.screens.publish import PublishScreen
from cagette_tui.screens.render import RenderScreen
from tests.tui.helpers import wait_for


def ffprobe_duration(path: Path) -> float:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return float(json.loads(out)["format"]["duration"])


@pytest.mark.slow
async def test_render_after_a_question_then_publish_through_the_form(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    project = Project.create(root, "Demo video")
    project.set_export(title_card=False, end_card=False)
    scene = project.add_scene("Only", "Hello.")
    project.add_shot(scene.slug, synth.frame_image(tmp_path / "a.png", 1), duration_s=1.5)
    project.add_scene("Not shot yet")  # `project check`: a scene without shots is an error
    from cagette.library.library import Library

    Library.create(tmp_path / "library")
    app = CagetteApp(lang="en", library=str(tmp_path / "library"))
    async with app.run_test(size=(120, 40)) as pilot:
        app.open_project(root, "render")
        await wait_for(pilot, lambda: isinstance(app.screen, RenderScreen) and app.screen.query("#presets"))
        screen = app.screen
        panel = screen.panel
        await wait_for(pilot, lambda: panel.problems is not None, what="project check")
        problems = str(screen.query_one("#render-problems").render())
        assert "1 error" in problems and "no shot" in problems
        assert "Not rendered yet" in str(screen.query_one("#output").render())
        radios = screen.query_one("#presets", RadioSet)
        assert screen.focused is radios and radios.pressed_button.name == "web-16x9"  # not the draft
        await pilot.press("down", "down", "down", "enter")  # the draft (the last one): quick
        await wait_for(pilot, lambda: tomllib.loads((root / "project.toml").read_text())["export"]["preset"] == "draft",
                       what="preset saved")

        # a project in error: a question first, No by default
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="question")
        assert app.screen.focused.id == "no" and "no shot" in str(app.screen.query_one("#confirm-text").render())
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen)
        assert not (root / "exports").exists() or not list((root / "exports").rglob("*.mp4"))
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: screen.output is not None, timeout=180, what="render")
        video = screen.output
        assert video == root / "exports" / "draft" / "demo-video.mp4" and 1.0 <= ffprobe_duration(video) <= 4.0
        assert video.with_suffix(".srt").is_file()
        assert "exports/draft/demo-video.mp4" in str(screen.query_one("#output").render())

        # publish: a form, then a confirmation
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PublishScreen) and app.screen.query("#pub-licence"))
        form = app.screen
        assert form.focused.id == "pub-title"
        assert form.query_one("#pub-export", RadioSet).pressed_button.name == "0"
        licences = form.query_one("#pub-licence", RadioSet)
        assert licences.pressed_button.name == "CC-BY-SA-4.0"
        licences.focus()
        await pilot.press("down", "enter")  # CC-BY-4.0, saved into the project at once
        await wait_for(pilot, lambda: Project.open(root).data.licence == "CC-BY-4.0", what="licence saved")
        form.query_one("#pub-people", RadioSet).focus()
        await pilot.press("down", "enter")  # nobody appears
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="confirmation")
        summary = str(app.screen.query_one("#confirm-text").render())
        assert "CC-BY-4.0" in summary and "nobody appears" in summary and "draft" in summary
        await pilot.press("y")
        await wait_for(pilot, lambda: form.published, timeout=120, what="publish")
        assert not app.errors_shown, app.errors_shown
    lib = Library.open(tmp_path / "library")
    found = lib.get(form.published)
    assert found.kind == "video" and found.title == "Demo video" and found.licence == "CC-BY-4.0"
    assert any(f.role == "main" and f.name.endswith(".mp4") for f in found.files)
    if publishing.people_supported():
        assert found.people == "none"  # type: ignore[attr-defined]


def test_the_best_render_comes_first_not_the_draft(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "p", "P")
    for preset, when in (("web-16x9", 1000), ("draft", 2000), ("square-1x1", 1500)):
        video = project.exports_dir / preset / "p.mp4"
        video.parent.mkdir(parents=True)
        video.write_bytes(b"\0" * 10)
        os.utime(video, (when, when))
    found = publishing.export_choices(project)
    assert [e.preset for e in found] == ["web-16x9", "square-1x1", "draft"]
    assert publishing.best_export(project).preset == "web-16x9"  # type: ignore[union-attr]
    assert "1920×1080" in found[0].label() and "draft" in found[-1].label()
