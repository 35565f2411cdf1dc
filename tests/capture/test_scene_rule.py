"""``--scene`` names a scene by one rule for import, recording and stop-motion: an existing slug or position,
a new slug, or the next position (which creates the scene); a new project's scene 1 is not refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cagette.errors import ProjectError
from cagette.video.project import Project, SceneTarget
from tests.capture.conftest import ffprobe_count, free_port, make_clip
from tests.conftest import run_cli


def test_the_rule(tmp_path: Path) -> None:
    p = Project.create(tmp_path / "p", "Règle")
    empty = p.data
    assert empty.scene_target(None) == empty.scene_target("1") == empty.scene_target(1) \
        == SceneTarget("scene-1", "Scene 1", new=True)
    with pytest.raises(ProjectError, match="no scene 2") as err:
        empty.scene_target("2")
    assert err.value.hint and "1 to 1" in err.value.hint
    assert empty.scene_target("Mon intro") == SceneTarget("mon-intro", "Mon intro", new=True)
    assert p.ensure_scene("Mon intro") == "mon-intro"
    assert p.ensure_scene("Mon intro") == p.ensure_scene("mon-intro") == p.ensure_scene("1") == "mon-intro"
    assert len(p.reload().scenes) == 1  # found again, not made twice
    assert p.data.scene_target(None) == SceneTarget("mon-intro")
    assert p.data.scene_target("2").new and p.ensure_scene("2") == p.reload().scenes[1].slug
    with pytest.raises(ProjectError):
        p.data.scene_target("!!")


@pytest.mark.parametrize("command", ["import", "record", "frames"])
def test_a_position_too_far_is_refused_the_same_way(command: str, tmp_path: Path) -> None:
    run_cli("project", "new", str(tmp_path / "p"))
    clip = make_clip(tmp_path / "c.mp4", 0.5)
    args = {"import": ["project", "import", str(tmp_path / "p"), str(clip), "--scene", "3"],
            "record": ["capture", "record", str(tmp_path / "p"), str(clip), "--scene", "3", "--duration", "1"],
            "frames": ["capture", "frames", str(tmp_path / "p"), str(clip), "--scene", "3", "--count", "1"]}[command]
    res = run_cli(*args, input=" ")
    assert res.returncode == 1 and "There is no scene 3: the project has 0" in res.stderr, res.stderr
    assert "Traceback" not in res.stderr and Project.open(tmp_path / "p").data.scenes == ()


def test_record_into_a_new_projects_first_scene(tmp_path: Path) -> None:
    root = tmp_path / "p"
    assert run_cli("project", "new", str(root)).returncode == 0
    clip = make_clip(tmp_path / "c.mp4", 1.0, "160x90", 10)
    res = run_cli("capture", "record", str(root), str(clip), "--scene", "1", "--duration", "5", "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    (scene,) = Project.open(root).data.scenes
    assert [s.source for s in scene.shots] == [f"rushes/{Path(data['path']).name}"]
    assert scene.shots[0].kind == "clip" and ffprobe_count(Path(data["path"])) == ("h264", 10)
    # a new name makes a second scene (a second take into scene 1 would find it: test_the_rule)
    assert run_cli("capture", "record", str(root), str(clip), "--scene", "Atelier", "--duration", "5").returncode == 0
    assert [(s.slug, s.title, len(s.shots)) for s in Project.open(root).data.scenes] == \
        [(scene.slug, scene.title, 1), ("atelier", "Atelier", 1)]


def test_a_failed_recording_creates_no_scene(tmp_path: Path) -> None:
    root = tmp_path / "p"
    run_cli("project", "new", str(root))
    res = run_cli("capture", "record", str(root), f"http://127.0.0.1:{free_port()}/video", "--scene", "1",
                  "--duration", "1")
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert Project.open(root).data.scenes == () and not any((root / "rushes").iterdir())


def test_frames_into_a_new_projects_first_scene(tmp_path: Path) -> None:
    root = tmp_path / "p"
    run_cli("project", "new", str(root))
    # a clip far longer than two presses need: the file plays in real time, a press after its end is dropped
    clip = make_clip(tmp_path / "c.mp4", 30.0, "160x90", 5)
    res = run_cli("capture", "frames", str(root), str(clip), "--scene", "1", "--count", "2", "--json", input="  ")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    (scene,) = Project.open(root).data.scenes
    assert data["scene"] == scene.slug
    assert data["frames"] == [f"frames/{scene.slug}/0001.jpg", f"frames/{scene.slug}/0002.jpg"]
    assert [s.kind for s in scene.shots] == ["frames"]
    # editing frames needs a scene that exists: a new name is refused, not made
    res = run_cli("capture", "frames", str(root), "--scene", "autre", "--play")
    assert res.returncode == 1 and "No scene 'autre'" in res.stderr
    assert len(Project.open(root).data.scenes) == 1


def test_project_scene_creates_by_the_same_rule_and_edits(tmp_path: Path) -> None:
    root = tmp_path / "p"
    run_cli("project", "new", str(root))
    res = run_cli("project", "scene", str(root), "1", "--title", "Accueil", "--script", "Bonjour.", "--json")
    assert res.returncode == 0, res.stderr
    made = json.loads(res.stdout)
    assert (made["slug"], made["title"], made["script"]) == ("scene-1", "Accueil", "Bonjour.")
    assert run_cli("project", "scene", str(root), "scene-1", "--notes", "Le guichet", "--lower-third",
                   "Mme Martin").returncode == 0
    (scene,) = Project.open(root).data.scenes
    assert (scene.title, scene.script, scene.notes, scene.lower_third) == \
        ("Accueil", "Bonjour.", "Le guichet", "Mme Martin")
    res = run_cli("project", "scene", str(root), "3")
    assert res.returncode == 1 and "There is no scene 3" in res.stderr
