"""Seams of the project API: copies made outside the lock, the same content stored once whoever adds it,
newlines that survive the file, staged files that nobody adopted, and locks that are never deleted."""

from __future__ import annotations

import os
import threading
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cagette.fsutil import FileLock, LockedError
from cagette.video import model, projectfile, staging
from cagette.video.project import META_DIR, Project


def _lock_is_free(root: Path) -> bool:
    """Whether another thread could take the project lock right now (tried from a thread of its own)."""
    free: list[bool] = []

    def attempt() -> None:
        lock = FileLock(root / META_DIR / "lock", timeout=0)
        try:
            lock.acquire()
        except LockedError:
            free.append(False)
        else:
            free.append(True)
            lock.release()

    t = threading.Thread(target=attempt)
    t.start()
    t.join()
    return free[0]


def test_incoming_files_are_copied_before_the_lock_is_taken(media: dict[str, Path], tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    p = Project.create(tmp_path / "p", "Copie")
    p.add_scene("A")
    seen: list[bool] = []
    for name in ("stage_copy", "stage_voice"):
        real = getattr(staging, name)

        def spy(root: Path, src: Path, real: object = real) -> staging.Staged:
            seen.append(_lock_is_free(root))  # the app's autosave could edit during the copy
            return real(root, src)  # type: ignore[operator]

        monkeypatch.setattr(staging, name, spy)
    p.add_shot(1, media["clip"])
    p.add_frames(1, sorted(media["frames"].iterdir())[:2])
    p.set_voiceover(1, media["voice2"])
    p.set_music(media["music"])
    p.set_logo(media["still"])
    assert seen == [True] * 6
    assert not list((p.root / META_DIR / "incoming").iterdir())  # every staged file was adopted


def test_the_same_content_is_stored_once_whoever_adds_it(media: dict[str, Path], tmp_path: Path) -> None:
    """The app and the phone page add shots with `add_shot`: a second copy of the same photo under another
    name points at the rush already there."""
    p = Project.create(tmp_path / "p", "Une fois")
    p.add_scene("A")
    first = p.add_shot(1, media["still"])
    copy = tmp_path / "IMG_0001 (1).JPG"
    copy.write_bytes(media["still"].read_bytes())
    second = p.add_shot(1, copy, duration_s=2.0)
    assert second.source == first.source and [f.name for f in p.rushes_dir.iterdir()] == ["still.jpg"]
    assert p.add_media(1, copy).reused == first.source
    assert len(p.data.scene(1).shots) == 3
    p.undo()
    assert (p.root / first.source).is_file()  # undoing a reuse leaves the rush in place


def test_a_failed_edit_leaves_no_staged_file(media: dict[str, Path], tmp_path: Path) -> None:
    p = Project.create(tmp_path / "p", "Échec")
    with pytest.raises(Exception, match="No scene"):
        p.add_shot(3, media["clip"])
    assert not list(p.rushes_dir.iterdir())
    incoming = p.root / META_DIR / "incoming"
    assert not incoming.exists() or not list(incoming.iterdir())


def test_abandoned_staged_files_are_removed_once_old(tmp_path: Path) -> None:
    root = tmp_path / "p"
    fresh = staging.stage_bytes(root, b"x", "a.jpg")
    old = staging.stage_bytes(root, b"y", "b.jpg")
    for path in (old.path, old.path.parent):
        os.utime(path, (1_000_000, 1_000_000))
    staging.tidy_incoming(root, now=1_000_000 + staging.INCOMING_MAX_AGE_S + 1)
    assert fresh.path.exists() and not old.path.parent.exists()


def test_windows_newlines_are_stored_as_newlines(tmp_path: Path) -> None:
    p = Project.create(tmp_path / "p", "Ligne")
    p.add_scene("A", "Un.\r\nDeux.\rTrois.")
    p.update_scene(1, notes="Poser\r\nle décor")
    raw = tomllib.loads(p.file.read_text(encoding="utf-8"))["scenes"][0]
    assert raw["script"] == "Un.\nDeux.\nTrois." and raw["notes"] == "Poser\nle décor"
    assert Project.open(p.root).data.scene(1).script == "Un.\nDeux.\nTrois."


@settings(max_examples=30, deadline=None)
@given(script=st.text(alphabet=st.sampled_from(["a", " ", "\r", "\n", "é", "%", '"', "\\"]), max_size=40),
       title=st.text(max_size=20))
def test_any_text_survives_the_file(script: str, title: str) -> None:
    data = model.ProjectData(title=title, scenes=(model.Scene(slug="a", script=script, notes=script),),
                             export=model.ExportChoices(credits=script))
    again = projectfile.parse(tomllib.loads(projectfile.dumps(data)))
    assert again == data and "\r" not in again.scenes[0].script


def test_a_render_keeps_its_lock_file_out_of_the_exports(media: dict[str, Path], tmp_path: Path) -> None:
    """A flock lock file is never deleted (another process may hold it or be opening it)."""
    from cagette.video import presets
    from cagette.video.render import output_lock, render_project

    p = Project.create(tmp_path / "p", "Verrou")
    p.set_export(title_card=False, end_card=False, fade_s=0.0)
    p.add_scene("A")
    p.add_shot(1, media["still"], duration_s=0.2)
    r = render_project(p, preset=presets.get("draft").scaled(64, 36))
    lock = output_lock(p, r.video).path
    assert lock.is_file() and lock.parent == p.root / META_DIR / "locks"
    assert not [f for f in r.video.parent.iterdir() if "lock" in f.name]
    with output_lock(p, r.video):  # the same file, taken again
        assert lock.is_file()


def test_shots_named_by_scene_and_position(media: dict[str, Path], tmp_path: Path) -> None:
    p = Project.create(tmp_path / "p", "Références")
    p.add_scene("Accueil")
    a = p.add_title(1, "Un")
    b = p.add_title(1, "Deux")
    assert p.data.find_shot("1.2")[1] == b and p.data.find_shot("accueil.1")[1] == a
    assert p.update_shot("1.1", duration_s=1.5).duration_s == 1.5
    with pytest.raises(Exception, match="has no shot 3"):
        p.data.find_shot("1.3")
