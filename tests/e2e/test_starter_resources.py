"""The import interface the library codes `cagette library init` against."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import cagette.starter as starter
from cagette.starter import KINDS, StarterResource, resources, templates_dir

EXPECTED = {
    "starter-guide-fr", "starter-guide-en", "starter-trainer-kit-fr", "starter-trainer-kit-en",
    "starter-consent-form-fr", "starter-consent-form-en",
    "starter-storyboard-16x9-fr", "starter-storyboard-16x9-en", "starter-storyboard-9x16-fr",
    "starter-storyboard-9x16-en",
    *(f"starter-template-{slug}-{lang}" for slug in ("presenter-service", "expliquer-demarche",
                                                     "resultats-evaluation", "annoncer-changement")
      for lang in ("fr", "en")),
}


@pytest.fixture(scope="module")
def listed(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[StarterResource], Path]:
    out = tmp_path_factory.mktemp("starter-build")
    found = resources(out)
    return found, out


def test_ids_are_the_stable_ones(listed: tuple[list[StarterResource], Path]) -> None:
    found, _ = listed
    ids = [r.id for r in found]
    assert len(ids) == len(set(ids))
    assert set(ids) == EXPECTED
    assert set(ids) == set(starter.resource_ids())


def test_every_resource_is_complete(listed: tuple[list[StarterResource], Path]) -> None:
    found, out = listed
    for r in found:
        assert dataclasses.is_dataclass(r)
        with pytest.raises(dataclasses.FrozenInstanceError):
            r.title = "x"  # type: ignore[misc]
        assert r.kind in KINDS
        assert r.language in ("fr", "en") and r.id.endswith("-" + r.language)
        assert r.licence == "CC-BY-SA-4.0"
        assert r.title and r.description and r.authors and r.organisation
        assert isinstance(r.tags, tuple) and "starter" in r.tags
        assert isinstance(r.version, int) and r.version >= 1
        assert r.files and all(p.is_absolute() and p.is_file() and p.stat().st_size > 0 for _, p in r.files)
        assert r.main.is_file()
        for other in r.derived_from:
            assert other in EXPECTED
        if r.kind in ("guide", "plan", "storyboard"):
            assert r.main.suffix == ".pdf" and r.main.is_relative_to(out)
        if r.kind == "template":
            assert r.main.name == "project.toml" and r.main.is_relative_to(templates_dir())
    by_id = {r.id: r for r in found}
    assert by_id["starter-guide-en"].derived_from == ("starter-guide-fr",)
    assert {role for role, _ in by_id["starter-guide-fr"].files} == {"main", "attachment", "source"}
    assert all(role in starter.ROLES for r in found for role, _ in r.files)
    assert by_id["starter-template-expliquer-demarche-fr"].title == "Expliquer une démarche pas à pas"


def test_a_second_build_gives_the_same_files(listed: tuple[list[StarterResource], Path],
                                              tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    found, _ = listed
    again = {r.id: r for r in resources(tmp_path)}
    for r in found:
        assert [role for role, _ in r.files] == [role for role, _ in again[r.id].files]
        assert r.version == again[r.id].version
        assert r.main.read_bytes() == again[r.id].main.read_bytes(), r.id


def test_versions_follow_the_sources() -> None:
    stale = starter.stale_versions()
    assert stale == [], f"sources changed without a version bump: run `python -m cagette.starter.versions` ({stale})"


def test_a_changed_source_is_seen_as_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    real = starter.digest
    monkeypatch.setattr(starter, "digest", lambda rid: "0" * 64 if rid == "starter-guide-en" else real(rid))
    assert starter.stale_versions() == ["starter-guide-en"]


def test_the_package_stays_light_to_import() -> None:
    import subprocess
    import sys

    code = ("import sys, cagette.starter as s; s.resource_ids(); "
            "print(','.join(m for m in ('reportlab', 'markdown', 'numpy', 'PIL', 'cagette.video') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


@pytest.mark.slow
def test_library_init_imports_the_starter_once(isolated_home: Path) -> None:
    import json

    from tests.conftest import run_cli

    first = run_cli("library", "init", "--site-name", "Test site")
    assert first.returncode == 0, first.stderr
    listed = run_cli("library", "list", "--json")
    found = {r["id"]: r for r in json.loads(listed.stdout)}
    assert set(found) >= EXPECTED
    guide = found["starter-guide-fr"]
    assert guide["licence"] == "CC-BY-SA-4.0" and guide["language"] == "fr" and guide["kind"] == "guide"
    assert {f["name"] for f in guide["files"]} >= {"guide-fr.pdf", "guide-fr.html", "01-ecrire-pour-l-oreille.md"}
    assert found["starter-guide-en"]["derived_from"] == ["starter-guide-fr"]
    again = run_cli("library", "init", "--site-name", "Test site")
    assert again.returncode == 0, again.stderr
    assert len(json.loads(run_cli("library", "list", "--json").stdout)) == len(found)
