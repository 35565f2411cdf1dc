"""Template lookup as a flow: the library's template resources, then the packaged starter; broken ones said."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cagette.starter
from cagette.errors import ProjectError, UsageError
from cagette.flows.publish import publish_project
from cagette.flows.templates import create_project, find_templates
from cagette.library.library import Library
from cagette.video import synth
from cagette.video.project import Project
from tests.conftest import run_cli


def publish_template(lib: Library, work: Path, title: str = "Présenter un guichet", licence: str = "etalab-2.0",
                     slug: str = "") -> str:
    """A project made through the video API with a photo, published as a template; its resource id."""
    project = Project.create(work / (slug or "tpl"), title)
    scene = project.add_scene("Accueil", "Bienvenue au guichet.", notes="Un guichet en papier.")
    project.add_shot(scene.slug, synth.frame_image(work / "guichet.png", 3), duration_s=2.0)
    project.set_info(authors=["Autre Site"], organisation="Ville B")
    if slug:
        project.set_info(slug=slug)
    return publish_project(lib, project, meta={"kind": "template", "licence": licence}).resource.id


def starter_folder(root: Path, slug: str = "demarche", title: str = "Packaged") -> Path:
    d = root / slug / "fr"
    d.mkdir(parents=True)
    (d / "project.toml").write_text(
        f'schema = 1\n[template]\nslug = "{slug}"\ntitle = "{title}"\ndescription = "d"\ntarget_duration_s = 60\n'
        '[project]\ntitle = ""\nlicence = "CC-BY-SA-4.0"\n'
        '[[scenes]]\nslug = "intro"\ntitle = "Intro"\nscript = "Bonjour à tous."\n', encoding="utf-8")
    return root


def test_the_library_comes_first_then_the_starter(tmp_path: Path) -> None:
    lib = Library.create(tmp_path / "lib", site_name="Ville A")
    rid = publish_template(lib, tmp_path, slug="demarche")
    starter = starter_folder(tmp_path / "starter")
    starter_folder(starter, "autre", "Other packaged")
    found = find_templates(lib, "fr", [starter])
    assert [(t.slug, t.origin) for t in found.templates] == [("autre", "starter"), ("demarche", "library")]
    mine = found.find("demarche")
    assert mine.resource_id == rid and mine.licence == "etalab-2.0" and mine.title == "Présenter un guichet"
    assert found.find(rid[:6]) == mine  # by a start of its id too
    assert found.find("starter-template-autre-fr").origin == "starter"
    assert not found.problems
    with pytest.raises(UsageError, match="No template") as err:
        found.find("missing")
    assert "autre, demarche" in (err.value.hint or "")


def test_the_packaged_starter_ids_and_licences_are_the_starter_librarys() -> None:
    from cagette.flows.templates import starter_template_id

    found = find_templates(None, "fr")
    shipped = {r.id: r for r in cagette.starter.template_resources()}
    for t in found.templates:
        assert t.origin == "starter" and t.resource_id in shipped
        assert shipped[t.resource_id].licence == t.licence and shipped[t.resource_id].language == t.lang
    assert starter_template_id("x", "en") == "starter-template-x-en"
    assert len(found.templates) == len(cagette.starter.template_slugs())


def test_broken_templates_are_reported_never_skipped(tmp_path: Path) -> None:
    lib = Library.create(tmp_path / "lib")
    bad = tmp_path / "bad.toml"
    bad.write_text("schema = 1\n[project]\ntitle = 3\n", encoding="utf-8")
    broken = lib.add([("main", bad)], kind="template", title="Cassé").id
    unsynced = publish_template(lib, tmp_path / "u", title="Pas encore là")
    lib.objects.delete(lib.get(unsynced).file("main").hash)  # type: ignore[union-attr]
    found = find_templates(lib, "fr", [])
    assert found.templates == []
    assert sorted(p.ref for p in found.problems) == sorted([broken, unsynced])
    texts = {p.ref: p.text() for p in found.problems}
    assert "project.toml" not in texts[broken] and "wrong type" in texts[broken]
    assert "not in this library yet" in texts[unsynced]
    with pytest.raises(ProjectError, match="cannot be used"):
        found.find(broken)
    # the command line lists them as a warning, and refuses to start from one with its reason
    listed = run_cli("--library", str(lib.path), "project", "templates")
    assert listed.returncode == 0 and "Cassé" in listed.stderr and "Pas encore là" in listed.stderr
    assert "Warning" in listed.stderr
    data = json.loads(run_cli("--library", str(lib.path), "project", "templates", "--json").stdout)
    assert {p["ref"] for p in data["problems"]} == {broken, unsynced}
    made = run_cli("--library", str(lib.path), "project", "new", str(tmp_path / "p"), "--template", broken)
    assert made.returncode == 1 and "cannot be used" in made.stderr and "Traceback" not in made.stderr
    assert not (tmp_path / "p").exists()


def test_a_project_from_a_library_template_remembers_it_and_takes_its_licence(tmp_path: Path) -> None:
    lib = Library.create(tmp_path / "lib")
    rid = publish_template(lib, tmp_path)
    template = find_templates(lib, "fr", []).find(rid)
    made = create_project(tmp_path / "new", template, lib, title="Mon guichet", authors=["Moi"])
    data = Project.open(tmp_path / "new").data
    assert data.derived_from == (rid,) and data.licence == "etalab-2.0"
    assert data.title == "Mon guichet" and data.authors == ("Moi",) and data.organisation == ""
    shot = data.scenes[0].shots[0]
    assert (tmp_path / "new" / shot.source).read_bytes() == (tmp_path / "guichet.png").read_bytes()
    assert made.notices == ()


def test_a_hostile_template_writes_nothing_outside_the_project(tmp_path: Path) -> None:
    lib = Library.create(tmp_path / "lib")
    toml = tmp_path / "evil.toml"
    toml.write_text('schema = 1\n[project]\ntitle = "Evil"\n[[scenes]]\nslug = "a"\n'
                    'shots = [{kind = "still", source = "../../escaped.png"}]\n', encoding="utf-8")
    picture = synth.frame_image(tmp_path / "escaped.png", 1)
    rid = lib.add([("main", toml), ("attachment", picture)], kind="template", title="Evil").id
    picture.unlink()
    made = create_project(tmp_path / "p" / "new", find_templates(lib, "", []).find(rid), lib)
    assert not (tmp_path / "escaped.png").exists() and not (tmp_path / "p" / "escaped.png").exists()
    assert any("escaped.png" in n for n in made.notices)


def test_a_template_that_forbids_adaptations_is_refused(tmp_path: Path) -> None:
    lib = Library.create(tmp_path / "lib")
    rid = publish_template(lib, tmp_path, licence="CC-BY-ND-4.0")
    with pytest.raises(UsageError, match="forbids adaptations"):
        create_project(tmp_path / "new", find_templates(lib, "fr", []).find(rid), lib)
    assert not (tmp_path / "new").exists()


def test_cli_lists_and_uses_a_template_of_the_user_library(tmp_path: Path, isolated_home: Path) -> None:
    assert run_cli("library", "init", "--no-starter").returncode == 0
    lib = Library.open(isolated_home / "library")
    rid = publish_template(lib, tmp_path, slug="tuto-test")
    r = run_cli("project", "templates", "--json")
    assert r.returncode == 0, r.stderr
    listed = {t["slug"]: t for t in json.loads(r.stdout)["templates"]}
    assert listed["tuto-test"]["id"] == rid and listed["tuto-test"]["origin"] == "library"
    assert "expliquer-demarche" in listed  # the packaged starter fills in
    r = run_cli("project", "new", str(tmp_path / "t"), "--template", "tuto-test", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["derived_from"] == [rid]
    assert Project.open(tmp_path / "t").data.scenes[0].script == "Bienvenue au guichet."
    r = run_cli("project", "new", str(tmp_path / "u"), "--template", "nope")
    assert r.returncode == 2 and "nope" in r.stderr and not (tmp_path / "u").exists()
