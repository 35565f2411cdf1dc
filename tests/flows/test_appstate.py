"""The app's state file: strict, versioned, bounded, written atomically under a lock; the guided flow's place."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from cagette.flows import appstate, guided
from cagette.flows.appstate import AppState, AppStateError
from cagette.video.project import Project


def test_a_state_survives_its_file(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    project = tmp_path / "p"
    appstate.update(lambda s: s.with_recent(project, "Town hall").with_camera(project, "http://cam/1")
                    .with_scene(project, "forms").with_folder("media", tmp_path).with_capture(onion_opacity=60),
                    path)
    state = appstate.load(path)
    assert state.recent[0].path == str(project.absolute()) and state.recent[0].title == "Town hall"
    assert state.project(project).cameras == ("http://cam/1",) and state.project(project).scene == "forms"
    assert state.folder_for("media") == tmp_path and state.capture.onion_opacity == 60
    assert json.loads(path.read_text(encoding="utf-8"))["version"] == appstate.VERSION
    assert appstate.parse(path.read_text(encoding="utf-8"), path) == state


def test_cameras_of_the_project_come_first_then_the_site_s(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    state = AppState().with_camera(a, "cam-a1").with_camera(b, "cam-b").with_camera(a, "cam-a2")
    assert state.cameras_for(a) == ["cam-a2", "cam-a1", "cam-b"]
    assert state.cameras_for(b) == ["cam-b", "cam-a2", "cam-a1"]
    assert state.cameras_for(None) == ["cam-a2", "cam-b", "cam-a1"]
    again = state.with_camera(a, "cam-a1")  # used again: first again, never twice
    assert again.cameras_for(a)[:2] == ["cam-a1", "cam-a2"] and again.cameras.count("cam-a1") == 1


def test_lists_stay_bounded(tmp_path: Path) -> None:
    state = AppState()
    for n in range(100):
        state = state.with_recent(tmp_path / f"p{n}").with_camera(tmp_path / "p", f"cam{n}").with_scene(
            tmp_path / f"p{n}", "s").with_folder(f"kind{n}", tmp_path)
    assert len(state.recent) == appstate.MAX_RECENT and state.recent[0].path.endswith("p99")
    assert len(state.cameras) == appstate.MAX_SITE_CAMERAS
    assert len(state.project(tmp_path / "p").cameras) == appstate.MAX_CAMERAS
    assert len(state.projects) == appstate.MAX_PROJECTS and len(state.folders) == appstate.MAX_FOLDERS
    path = tmp_path / "state.json"
    appstate.update(lambda _s: state, path)
    assert appstate.load(path) == state  # what it writes, it reads back


@pytest.mark.parametrize(("text", "named"), [
    ('{"version": 1, "colour": "red"}', "colour"),
    ('{"version": 2}', "version"),
    ('{"recent": []}', "version"),
    ('{"version": 1, "cameras": "http://cam"}', "cameras"),
    ('{"version": 1, "capture": {"onion_opacity": 300}}', "capture.onion_opacity"),
    ('{"version": 1, "capture": {"onion_frames": true}}', "capture.onion_frames"),
    ('{"version": 1, "projects": {"/p": {"scene": 3}}}', "scene"),
    ('{"version": 1, "recent": [{"path": "/p", "opened": 3}]}', "opened"),
    ('{"version": 1, "cameras": [' + ",".join(['"c"'] * 13) + "]}", "cameras"),
    ("not json", "JSON"),
])
def test_a_bad_file_is_refused_with_the_key_named(tmp_path: Path, text: str, named: str) -> None:
    path = tmp_path / "state.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AppStateError) as info:
        appstate.load(path)
    assert named in info.value.message and str(path) in info.value.message and info.value.hint


def test_an_unreadable_file_is_set_aside_never_deleted(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text("{broken", encoding="utf-8")
    aside = appstate.set_aside(path)
    assert aside is not None and aside.read_text(encoding="utf-8") == "{broken" and not path.exists()
    assert appstate.load(path) == AppState()
    assert appstate.set_aside(path) is None


def test_a_huge_file_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(b" " * (appstate.MAX_BYTES + 1))
    with pytest.raises(AppStateError):
        appstate.load(path)


def test_two_writers_keep_each_other_s_changes(tmp_path: Path) -> None:
    path = tmp_path / "state.json"

    def remember(prefix: str) -> None:
        for n in range(15):
            appstate.update(lambda s, n=n: s.with_scene(tmp_path / f"{prefix}{n}", "s"), path)

    threads = [threading.Thread(target=remember, args=(p,)) for p in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    projects = appstate.load(path).projects
    assert {Path(k).name for k in projects} == {f"{p}{n}" for p in "ab" for n in range(15)}
    assert not list(tmp_path.glob(".state.json.*.tmp"))


def test_the_guided_flow_resumes_where_it_was_left(tmp_path: Path, isolated_home: Path) -> None:
    project = Project.create(tmp_path / "demo", "Demo")
    project.add_scene("One", "")
    assert guided.resume_step(project) == "scripts"  # nothing remembered: the first step not done
    project.update_scene(1, script="Hello.")
    assert guided.resume_step(project) == "shoot"
    guided.left_at(project.root, "voice")
    assert guided.resume_step(project) == "voice"
    place = guided.unfinished()
    assert place is not None and place.root == project.root and place.step == "voice"
    guided.finish(project.root)
    assert guided.unfinished() is None
    assert appstate.load(isolated_home / "app-state.json").project(project.root).guided == ""
    # a project folder that is gone is not offered
    guided.left_at(tmp_path / "gone", "shoot")
    assert guided.unfinished() is None
    with pytest.raises(ValueError):
        guided.left_at(project.root, "dance")
