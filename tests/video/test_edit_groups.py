"""Edits saved at each keystroke undo in one go (a group), and a retaken frame is one undoable step."""

from __future__ import annotations

import tomllib
from pathlib import Path

from cagette.video import synth
from cagette.video.project import Project


def _script(root: Path) -> str:
    return tomllib.loads((root / "project.toml").read_text(encoding="utf-8"))["scenes"][0]["script"]


def test_the_keystrokes_of_one_field_undo_together(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "p", "P")
    scene = project.add_scene("One", "Hi")
    text = "Hi"
    for letter in " there":
        text += letter
        project.update_scene(scene.slug, script=text, group="script-1")
    assert _script(project.root) == "Hi there"
    labels, pos = project.history()
    assert len(labels) == pos == 2  # the scene added, then one step for the whole word
    project.undo()
    assert _script(project.root) == "Hi"
    project.redo()
    assert _script(project.root) == "Hi there"


def test_another_group_or_an_undo_starts_a_new_step(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "p", "P")
    scene = project.add_scene("One", "")
    project.update_scene(scene.slug, script="a", group="g1")
    project.update_scene(scene.slug, script="ab", group="g1")
    project.update_scene(scene.slug, title="T", group="g2")
    assert project.history()[1] == 3
    project.undo()  # the title
    project.update_scene(scene.slug, script="abc", group="g1")  # after an undo: its own step
    labels, pos = project.history()
    assert pos == len(labels) == 3
    project.undo()
    assert _script(project.root) == "ab"
    project.update_scene(scene.slug, script="abx")  # no group: a step of its own
    project.update_scene(scene.slug, script="aby")
    project.undo()
    assert _script(project.root) == "abx"


def test_a_retake_is_one_step_that_undo_reverts(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "p", "P")
    scene = project.add_scene("One", "")
    pictures = [synth.frame_image(tmp_path / f"f{n}.png", n, (64, 36)) for n in range(3)]
    project.add_frames(scene.slug, pictures)
    before = [f.read_bytes() for f in project.frames(scene.slug)]
    new = synth.frame_image(tmp_path / "new.jpg", 9, (64, 36)).read_bytes()
    steps = project.history()[1]
    made = project.replace_frame_data(scene.slug, "0002.png", new, ".jpg")
    assert made.name == "0002.jpg" and project.history()[1] == steps + 1
    assert [f.name for f in project.frames(scene.slug)] == ["0001.png", "0002.jpg", "0003.png"]
    assert [f.read_bytes() for f in project.frames(scene.slug)] == [before[0], new, before[2]]
    project.undo()
    assert [f.read_bytes() for f in project.frames(scene.slug)] == before
    project.redo()
    assert project.frames(scene.slug)[1].read_bytes() == new
