"""Edits of one project from several threads and processes lose nothing.

The app imports clips in a worker thread while its autosave timer writes the
scripts; the phone page stores uploads from its request threads while the app
edits; two commands may run at once. Each edit must wait for the others, and
one edit's clean-up of the trash must never delete a file another edit staged.
"""

from __future__ import annotations

import json
import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from cagette.video import synth
from cagette.video.project import META_DIR, Project
from tests.capture.conftest import free_port

IMPORTS = 20
SAVES = 20


def _pictures(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [synth.frame_image(folder / f"photo-{i:02d}.png", i, size=(64, 36)) for i in range(n)]


def _unreferenced_trash(project: Project) -> list[str]:
    """Trash entries that no recorded step can bring back (left behind by an edit)."""
    trash = project.root / META_DIR / "trash"
    history = json.loads((project.root / META_DIR / "history.json").read_text(encoding="utf-8"))
    known = {Path(rel).parts[2] for step in history["steps"] for move in step["moves"] for rel in move
             if Path(rel).parts[:2] == (META_DIR, "trash")}
    return sorted(d.name for d in trash.iterdir() if d.name not in known) if trash.is_dir() else []


def _check_shots(project: Project, slug: str, sources: list[Path]) -> None:
    data = project.reload()
    shots = data.scene(slug).shots
    assert len(shots) == len(sources)
    stored = {project.path(s.source).read_bytes() for s in shots}
    assert stored == {p.read_bytes() for p in sources}  # every import is on disk, byte for byte
    assert len(list(project.rushes_dir.iterdir())) == len(sources)


@pytest.mark.slow
def test_import_worker_and_autosave_timer_lose_nothing(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "p", "Concurrent")
    slug = project.add_scene("Scene", "").slug
    pictures = _pictures(tmp_path / "media", IMPORTS)
    imported: list[str] = []
    saved: list[str] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def import_worker() -> None:  # the storyboard's @work(thread=True) import
        try:
            for picture in pictures:
                imported.append(project.add_shot(slug, picture).id)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            done.set()

    def autosave_timer() -> None:  # the storyboard's timer saving the script being typed
        try:
            n = 0
            while n < SAVES or not done.is_set():
                text = f"Draft {n}"
                project.update_scene(slug, script=text)
                saved.append(text)
                n += 1
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=import_worker), threading.Thread(target=autosave_timer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not errors, errors
    assert len(imported) == IMPORTS and len(saved) >= SAVES
    _check_shots(project, slug, pictures)
    assert project.data.scene(slug).script == saved[-1]
    labels, pos = project.history()
    assert pos == len(labels)
    if len(labels) < 100:  # the history keeps the last 100 edits
        assert labels.count("Add a shot") == IMPORTS and labels.count("Edit a scene") == len(saved)
    # undo walks back through both threads' edits without losing a file
    project.undo()
    assert len(list(project.rushes_dir.iterdir())) == IMPORTS - (labels[-1] == "Add a shot")
    assert _unreferenced_trash(project) == []


@pytest.mark.slow
def test_phone_uploads_while_the_app_edits(tmp_path: Path) -> None:
    from cagette.capture.phone import PhoneServer

    project = Project.create(tmp_path / "p", "Phone")
    slug = project.add_scene("Shots", "").slug
    pictures = _pictures(tmp_path / "media", 12)
    server = PhoneServer(project, "127.0.0.1", free_port()).start()
    edits: list[int] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def app_edits() -> None:
        try:
            n = 0
            while n < 12 or not done.is_set():
                project.update_scene(slug, notes=f"note {n}")
                edits.append(n)
                n += 1
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    def upload(picture: Path) -> int:
        url = f"http://127.0.0.1:{server.port}/upload"
        params = {"k": server.config.token, "scene": slug, "name": picture.name}
        res = httpx.post(url, params=params, content=picture.read_bytes(), timeout=120,
                         headers={"Content-Type": "application/octet-stream"})
        return res.status_code

    editor = threading.Thread(target=app_edits)
    editor.start()
    try:
        with ThreadPoolExecutor(4) as pool:
            statuses = list(pool.map(upload, pictures))
    finally:
        done.set()
        editor.join(300)
        server.stop()
    assert not errors, errors
    assert statuses == [200] * len(pictures)
    assert len(edits) >= 12
    _check_shots(project, slug, pictures)
    assert project.data.scene(slug).notes == f"note {edits[-1]}"


def _edit_in_another_process(root: str, pictures: list[str], tag: str) -> None:
    project = Project.open(Path(root))
    for i, picture in enumerate(pictures):
        project.add_shot("shots", Path(picture))
        project.update_scene("shots", notes=f"{tag} {i}")


@pytest.mark.slow
def test_two_processes_editing_one_project_lose_nothing(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "p", "Processes")
    project.add_scene("Shots", "", slug="shots")
    pictures = _pictures(tmp_path / "media", 12)
    halves = [[str(p) for p in pictures[:6]], [str(p) for p in pictures[6:]]]
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_edit_in_another_process, args=(str(project.root), half, f"p{k}"))
             for k, half in enumerate(halves)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(300)
        assert p.exitcode == 0
    _check_shots(project, "shots", pictures)
    labels, _pos = project.history()
    assert labels.count("Add a shot") == 12 and labels.count("Edit a scene") == 12
