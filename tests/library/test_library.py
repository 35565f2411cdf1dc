"""The Library object and the `cagette library` commands, on real files."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from cagette.errors import LibraryError, UsageError
from cagette.flows.publish import publish_project
from cagette.library.library import Library, is_library
from cagette.video.project import Project
from tests.conftest import run_cli
from tests.library.helpers import make_project


def test_edit_retract_purge_and_licence_rules(tmp_path: Path) -> None:
    src = tmp_path / "a.pdf"
    src.write_bytes(b"%PDF-1.4 guide")
    lib = Library.create(tmp_path / "lib")
    a = lib.add([("main", src)], kind="guide", title="Guide", licence="CC-BY-SA-4.0")
    with pytest.raises(UsageError, match="incompatible"):
        lib.add([("main", src)], kind="guide", title="Narrower", licence="CC-BY-NC-4.0", derived_from=[a.id])
    with pytest.raises(UsageError, match="Unknown licence"):
        lib.add([("main", src)], kind="guide", title="X", licence="Beerware")
    b_file = tmp_path / "b.pdf"
    b_file.write_bytes(b"%PDF-1.4 adapted")
    b = lib.add([("main", b_file)], kind="guide", title="Adapted", derived_from=[a.id])
    assert [c.id for c in lib.chain(b.id)] == [b.id, a.id]
    with pytest.raises(UsageError, match="incompatible"):
        lib.edit(b.id, licence="CC-BY-4.0")
    assert lib.edit(b.id, title="Adapté").title == "Adapté"
    digest = b.files[0].hash
    assert lib.objects.has(digest)
    lib.retract(b.id, purge=True, reason="asked")
    assert not lib.objects.has(digest)  # purged here at once
    assert lib.objects.has(a.files[0].hash)
    assert [r.id for r in lib.resources()] == [a.id]
    assert lib.get(b.id).purged
    with pytest.raises(UsageError, match="retracted"):
        lib.edit(b.id, title="again")
    assert lib.fsck().clean


def test_export_copies_files_and_attribution(tmp_path: Path) -> None:
    proj = make_project(tmp_path / "proj")
    lib = Library.create(tmp_path / "lib")
    r = publish_project(lib, Project.open(proj)).resource
    out = lib.export(r.id, tmp_path / "out")
    assert (out / "video.mp4").read_bytes() == (proj / "exports" / "video.mp4").read_bytes()
    text = (out / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "Léa Martin" in text and "CC-BY-SA-4.0" in text
    assert json.loads((out / "resource.json").read_text())["resource"]["id"] == r.id
    with pytest.raises(UsageError, match="not empty"):
        lib.export(r.id, tmp_path / "out")
    lib.export(r.id, tmp_path / "out", force=True)


def test_index_is_rebuilt_when_stale_and_written_atomically(tmp_path: Path) -> None:
    src = tmp_path / "f.txt"
    src.write_text("x")
    lib = Library.create(tmp_path / "lib")
    r = lib.add([("main", src)], kind="guide", title="Première")
    lib.index_path.write_text("{corrupt")  # a cache: never trusted blindly
    fresh = Library.open(tmp_path / "lib")
    assert [x.id for x in fresh.resources()] == [r.id]
    data = json.loads(lib.index_path.read_text())
    assert "resources" in data and "meta" in data
    assert not list(lib.index_path.parent.glob(".index.json.*"))


def test_fsck_reports_corrupt_objects_and_bad_logs(tmp_path: Path) -> None:
    src = tmp_path / "f.txt"
    src.write_text("content")
    lib = Library.create(tmp_path / "lib")
    r = lib.add([("main", src)], kind="guide", title="T")
    p = lib.objects.path(r.files[0].hash)
    p.chmod(0o644)
    p.write_text("tampered")
    rep = lib.fsck()
    assert not rep.clean and "does not match its hash" in rep.problems[0]
    res = run_cli("--library", str(lib.path), "library", "fsck", "--json")
    assert res.returncode == 1 and json.loads(res.stdout)["clean"] is False


def _add_many(path: str, n: int, start: int) -> None:
    lib = Library.open(Path(path))
    for i in range(n):
        f = Path(path).parent / f"c{start}-{i}.txt"
        f.write_text(f"{start}-{i}")
        lib.add([("main", f)], kind="guide", title=f"P{start}-{i}")


def test_two_processes_never_lose_an_update(tmp_path: Path) -> None:
    Library.create(tmp_path / "lib")
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_add_many, args=(str(tmp_path / "lib"), 8, k)) for k in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    lib = Library.open(tmp_path / "lib")
    assert len(lib.resources()) == 24
    assert lib.fsck().clean


def test_cli_round_trip(tmp_path: Path, isolated_home: Path) -> None:
    proj = make_project(tmp_path / "proj")
    lib = str(tmp_path / "lib")
    # an explicit library is never created behind the user's back
    res = run_cli("--library", lib, "library", "list")
    assert res.returncode == 1 and "library init" in res.stderr and not is_library(Path(lib))
    assert run_cli("--library", lib, "library", "init", "--no-starter", "--site-name", "Ville").returncode == 0
    res = run_cli("--library", lib, "library", "add", str(proj), "--tag", "démarches", "--json")
    assert res.returncode == 0, res.stderr
    rid = json.loads(res.stdout)["id"]
    res = run_cli("--library", lib, "library", "search", "Demarche", "--kind", "video", "--json")
    assert [d["id"] for d in json.loads(res.stdout)] == [rid]
    res = run_cli("--library", lib, "library", "search", "demarche", "--kind", "guide", "--json")
    assert json.loads(res.stdout) == []
    res = run_cli("--library", lib, "library", "edit", rid[:6], "--title", "Nouveau titre")
    assert res.returncode == 0, res.stderr
    res = run_cli("--library", lib, "library", "show", rid, "--json")
    assert json.loads(res.stdout)["title"] == "Nouveau titre"
    res = run_cli("--library", lib, "library", "add", str(proj), "--licence", "Nope")
    assert res.returncode == 2 and "Unknown licence" in res.stderr and "Traceback" not in res.stderr
    assert run_cli("--library", lib, "library", "reindex").returncode == 0
    res = run_cli("--library", lib, "library", "stats", "--json")
    assert json.loads(res.stdout)["resources"] == 1
    assert run_cli("--library", lib, "library", "export", rid, str(tmp_path / "exp")).returncode == 0
    assert (tmp_path / "exp" / "ATTRIBUTION.md").is_file()
    assert run_cli("--library", lib, "library", "retract", rid, "--purge").returncode == 0
    res = run_cli("--library", lib, "library", "list", "--json")
    assert json.loads(res.stdout) == []
    res = run_cli("--library", lib, "library", "fsck")
    assert res.returncode == 0 and "sound" in res.stdout


def test_hostile_log_in_folder_is_refused_clearly(tmp_path: Path) -> None:
    lib = Library.create(tmp_path / "lib", site_name="A")
    other = "0000abcd-0000-4000-8000-000000000000"
    own = lib.site_id()
    # a line claiming to be ours inside another site's log
    line = lib.read_site(own).lines[0]
    (tmp_path / "lib" / "log" / other).mkdir()
    (tmp_path / "lib" / "log" / other / "000000000001-000000000001.jsonl").write_bytes(line)
    with pytest.raises(LibraryError, match="in the log of site"):
        Library.open(lib.path).resources()
    rep = Library.open(lib.path).fsck()
    assert not rep.clean
    res = run_cli("--library", str(lib.path), "library", "list")
    assert res.returncode == 1 and "in the log of site" in res.stderr and "Traceback" not in res.stderr


def test_list_all_shows_retracted_with_filters(tmp_path: Path) -> None:
    f = tmp_path / "f.txt"
    f.write_text("a")
    lib = Library.create(tmp_path / "lib")
    a = lib.add([("main", f)], kind="guide", title="Gardé")
    b = lib.add([("main", f)], kind="template", title="Retiré")
    lib.retract(b.id)
    assert [r.id for r in lib.resources()] == [a.id]
    assert sorted(r.id for r in lib.resources(include_retracted=True)) == sorted([a.id, b.id])
    from cagette.library.index import Filters

    assert [r.id for r in lib.resources(Filters.of(kinds=["template"]), include_retracted=True)] == [b.id]
    assert lib.objects.has(lib.get(a.id).files[0].hash)  # a retraction without purge keeps the files


def test_an_unwritable_index_does_not_stop_reading(tmp_path: Path) -> None:
    """A library on a locked stick: the index cannot be written, it lives in memory."""
    f = tmp_path / "f.txt"
    f.write_text("a")
    lib = Library.create(tmp_path / "lib")
    r = lib.add([("main", f)], kind="guide", title="Lecture seule")
    if lib.index_path.exists():
        lib.index_path.unlink()
    lib.index_path.mkdir()  # writing the index now fails with a real OSError
    ro = Library.open(lib.path)
    assert [x.id for x in ro.search("lecture")] == [r.id]
    assert ro.get(r.id).title == "Lecture seule"


def test_cancelled_add_keeps_nothing(tmp_path: Path) -> None:
    from cagette.errors import Cancelled
    from cagette.progress import Progress

    big = tmp_path / "big.mp4"
    big.write_bytes(b"\0" * (3 * 1024 * 1024))
    lib = Library.create(tmp_path / "lib")
    progress = Progress(min_interval_s=0)
    seen: list[float] = []

    def cancel_after_first_chunk(ev: object) -> None:
        seen.append(progress.done)
        if progress.done > 0:
            progress.token.cancel()

    progress.callback = cancel_after_first_chunk  # type: ignore[assignment]
    with pytest.raises(Cancelled):
        lib.add([("main", big)], kind="video", title="Gros", progress=progress)
    assert seen and lib.resources() == [] and list(lib.objects) == []
    assert list((lib.objects.root / ".tmp").iterdir()) == []
