"""Journey 9: the app's guided first video on a clip recorded from a camera → published → another site's
library receives it through sync, its files intact.

The real app (Textual Pilot) drives every step a newcomer takes: create, write the script, shoot a clip
from the test's MJPEG camera, render a draft, publish. Then the real commands carry it to a second library.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input, TextArea

from tests.capture.conftest import FakeCam
from tests.e2e.journeys.harness import Journey
from tests.tui.helpers import wait_for


@pytest.fixture
def camera(tmp_path: Path) -> Iterator[str]:
    cam = FakeCam(tmp_path, "320x180", 25.0).start()  # the capture tests' MJPEG camera, in its own process
    try:
        yield cam.url
    finally:
        cam.kill()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _preset(root: Path) -> str:
    return str(tomllib.loads((root / "project.toml").read_text(encoding="utf-8")).get("export", {}).get("preset", ""))


def _shots(root: Path) -> list[dict]:
    data = tomllib.loads((root / "project.toml").read_text(encoding="utf-8"))
    return [s for sc in data.get("scenes", []) for s in sc.get("shots", [])]


def _duration(path: Path) -> float:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return float(json.loads(out)["format"]["duration"])


def _video_frames(path: Path) -> int:
    out = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                          "stream=nb_read_frames", "-of", "json", str(path)], capture_output=True, text=True,
                         check=True).stdout
    return int(json.loads(out)["streams"][0]["nb_read_frames"])


async def _guided_to_published(j: Journey, library: Path, camera: str, projects: Path) -> tuple[Path, str]:
    from cagette_tui.app import CagetteApp
    from cagette_tui.screens.capture import CaptureScreen
    from cagette_tui.screens.dialogs import ConfirmDialog
    from cagette_tui.screens.guided import GuidedScreen
    from cagette_tui.widgets.publish_form import PublishForm
    from cagette_tui.widgets.render_panel import RenderPanel

    app = CagetteApp(lang="en", library=str(library))
    async with app.run_test(size=(120, 40)) as pilot:
        with j.step("open the guided first video"):
            app.open_section("new")
            await wait_for(pilot, lambda: isinstance(app.screen, GuidedScreen) and app.screen.query("#templates"))
            guided = app.screen
            guided.query_one("#title", Input).value = "One-stop desk"
            await pilot.click("#create")
            root = projects / "one-stop-desk"
            await wait_for(pilot, lambda: (root / "project.toml").is_file() and guided.step == 1, what="created")
        with j.step("write the script", given=root):
            area = guided.query_one("#script", TextArea)
            area.focus()
            await pilot.press(*"Welcome to the desk.")
            await wait_for(pilot, lambda: "Welcome to the desk." in (root / "project.toml").read_text("utf-8"),
                           what="script saved")
        with j.step("shoot a clip from the camera", given=camera):
            await pilot.press("ctrl+n")
            await wait_for(pilot, lambda: guided.step == 2 and guided.query("#open-capture"), what="shoot step")
            await pilot.press("c")
            await wait_for(pilot, lambda: isinstance(app.screen, CaptureScreen), what="camera screen")
            capture = app.screen
            url = capture.query_one("#url", Input)
            url.value = camera
            url.focus()
            await pilot.press("enter")
            await wait_for(pilot, lambda: capture.frames_shown > 3, what="live view")
            await pilot.press("m")
            await pilot.press("space")
            await wait_for(pilot, lambda: capture.recorder is not None and capture.recorder.frames >= 50,
                           what="two seconds recorded")
            await pilot.press("space")
            await wait_for(pilot, lambda: any(s["kind"] == "clip" for s in _shots(root)), what="clip added")
            await wait_for(pilot, lambda: capture.recorder is None, what="recording closed")
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is guided and guided.step == 2, what="back to the guide")
        with j.step("render a draft", given=root):
            for _ in range(3):  # voice-over and captions: skipped
                await pilot.press("ctrl+n")
            await wait_for(pilot, lambda: guided.step == 5 and guided.query("#panel"), what="render step")
            panel = guided.query_one("#panel", RenderPanel)
            await wait_for(pilot, lambda: panel.problems is not None, what="the project checked")
            await pilot.press("down", "down", "down", "enter")  # the presets have the focus: the last is draft
            await wait_for(pilot, lambda: _preset(root) == "draft", what="draft chosen")
            await pilot.press("g")
            await wait_for(pilot, lambda: panel.output is not None and panel.output.is_file(), timeout=240,
                           what="render")
            output = panel.output
        with j.step("publish it", given=output):
            await pilot.press("ctrl+n")
            await wait_for(pilot, lambda: guided.step == 6 and guided.query("#form"), what="publish step")
            form = guided.query_one("#form", PublishForm)
            await pilot.press("ctrl+p")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog) and app.screen.focused is not None,
                           what="the question, ready for its key")
            await pilot.press("y")
            await wait_for(pilot, lambda: form.published, timeout=300, what="publish")
            assert not app.errors_shown, app.errors_shown
    return root, str(form.published)


@pytest.mark.slow
async def test_guided_flow(journey: Journey, tmp_path: Path, isolated_home: Path, camera: str) -> None:
    j = journey
    here, there, stick = tmp_path / "library-here", tmp_path / "library-there", tmp_path / "stick"
    j.cli("make this site's library", "--library", str(here), "library", "init", "--no-starter",
          "--site-name", "Ville A")
    j.cli("make the other site's library", "--library", str(there), "library", "init", "--no-starter",
          "--site-name", "Ville B")

    root, rid = await _guided_to_published(j, here, camera, isolated_home / "projects")

    with j.step("the clip is a real recording", given=root):
        clip = next(s for s in _shots(root) if s["kind"] == "clip")
        assert _video_frames(root / clip["source"]) >= 40
        recorded_s = _duration(root / clip["source"])
    j.cli("this site syncs to a stick", "--library", str(here), "sync", str(stick), given=stick)
    j.cli("the other site receives it", "--library", str(there), "sync", str(stick), "--pull", given=stick)
    listed = j.cli("list the other site's library", "--library", str(there), "library", "list", "--json")
    export = tmp_path / "received"
    j.cli("the other site exports it", "--library", str(there), "library", "export", rid, str(export), given=rid)
    with j.step("the other site has it, its files intact", given=listed.stdout[:600]):
        found = {r["id"]: r for r in json.loads(listed.stdout)}
        r = found[rid]
        assert r["kind"] == "video" and r["title"] == "One-stop desk" and r["organisation"] == "Ville A"
        made = {p.name: p for p in (root / "exports").rglob("*") if p.is_file()}
        by_role = {f["role"]: f for f in r["files"]}
        assert set(by_role) >= {"main", "captions", "transcript", "thumbnail", "storyboard"}
        for f in r["files"]:
            original = root / "project.toml" if f["role"] == "storyboard" else made[f["name"]]
            assert f["hash"] == _sha256(original) == _sha256(export / f["name"]), f["name"]
        # what the library says of the video is what the video is (the duration the video pillar measured)
        received = export / by_role["main"]["name"]
        assert abs(r["duration"] - _duration(received)) < 0.1 and _video_frames(received) > 0
        # the filmed take is in the video for as long as it was recorded, not one frozen frame (issue 12)
        assert _duration(received) >= recorded_s - 0.1, (_duration(received), recorded_s)
