"""Seeding a library with the starter: a flow that joins the library and the shipped starter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cagette.starter
from cagette.errors import CagetteError
from cagette.flows.seeding import open_existing, seed_starter
from cagette.library.library import Library, is_library
from cagette.locations import LibraryChoice
from tests.library.helpers import Entry


def _fake_starter(monkeypatch: pytest.MonkeyPatch, entries_for: object) -> None:
    monkeypatch.setattr(cagette.starter, "resources", entries_for)


def test_starter_import_uses_stable_ids_and_newer_versions_arrive_as_edits(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    version = {"n": 1}

    def resources(build_dir: Path) -> list[Entry]:
        g = build_dir / "guide.pdf"
        g.write_bytes(b"%%PDF guide v%d" % version["n"])
        t = build_dir / "gabarit.pdf"
        t.write_bytes(b"%PDF template")
        return [Entry("starter-guide", f"Guide v{version['n']}", [("main", g)], version=version["n"]),
                Entry("starter-template", "Gabarit", [("main", t)], kind="template",
                      derived_from=["starter-guide"])]

    _fake_starter(monkeypatch, resources)
    lib = Library.create(tmp_path / "lib")
    rep = seed_starter(lib)
    assert rep.added == ["starter-guide", "starter-template"]
    assert seed_starter(lib).unchanged == ["starter-guide", "starter-template"]
    version["n"] = 2
    rep = seed_starter(lib)
    assert rep.edited == ["starter-guide"] and rep.unchanged == ["starter-template"]
    assert [r.title for r in lib.resources()] == ["Gabarit", "Guide v2"]
    events = [e.op for r in lib.read_logs().values() for e in r.events]
    assert events.count("add") == 2 and events.count("edit") == 1


def test_starter_without_resources_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(cagette.starter, "resources")
    lib = Library.create(tmp_path / "lib")
    with pytest.raises(CagetteError, match="no resources yet"):
        seed_starter(lib)


def test_init_and_first_use_seed_the_default_library_only(
        tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from cagette.cli import main

    def resources(build_dir: Path) -> list[Entry]:
        f = build_dir / "guide.md"
        f.write_text("# Guide\n", encoding="utf-8")
        return [Entry("starter-guide-fr", "Guide du tournage", [("main", f)], tags=["démarrer"])]

    _fake_starter(monkeypatch, resources)
    # first use of the default library ($CAGETTE_HOME/library): created and seeded
    assert main(["library", "list", "--json"]) == 0
    assert [d["id"] for d in json.loads(capsys.readouterr().out)] == ["starter-guide-fr"]
    # init again: nothing duplicated
    assert main(["library", "init", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["starter"]["unchanged"] == ["starter-guide-fr"]
    # an explicit library is seeded only by an explicit init
    explicit = tmp_path / "explicit"
    assert main(["--library", str(explicit), "library", "search", "guide"]) == 1
    assert not is_library(explicit)
    assert main(["--library", str(explicit), "library", "init"]) == 0
    assert main(["--library", str(explicit), "library", "search", "demarrer", "--json"]) == 0
    assert [d["id"] for d in json.loads(capsys.readouterr().out.split("\n", 2)[-1])] == ["starter-guide-fr"]


def test_reading_templates_never_creates_a_library(tmp_path: Path) -> None:
    assert open_existing(LibraryChoice(tmp_path / "default", "home")) is None
    assert not (tmp_path / "default").exists()
    with pytest.raises(CagetteError, match="No library"):
        open_existing(LibraryChoice(tmp_path / "named", "option"))
    Library.create(tmp_path / "named")
    found = open_existing(LibraryChoice(tmp_path / "named", "option"))
    assert found is not None and found.path == (tmp_path / "named").absolute()
