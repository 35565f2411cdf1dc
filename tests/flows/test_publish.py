"""Publishing as a flow: the video pillar says what the project holds, the library stores it."""

from __future__ import annotations

import ast
import json
import subprocess
from pathlib import Path

import pytest

from cagette.errors import UsageError
from cagette.flows.publish import publish_path, publish_project
from cagette.flows.templates import create_project, find_templates
from cagette.library.library import Library
from cagette.video.project import Project
from tests.conftest import ROOT, run_cli
from tests.flows.test_templates import publish_template
from tests.library.helpers import make_project


def ffprobe_duration(path: Path) -> float:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return float(json.loads(out)["format"]["duration"])


def test_a_project_folder_gives_its_export_captions_thumbnail_and_storyboard(tmp_path: Path) -> None:
    proj = make_project(tmp_path / "proj")
    lib = Library.create(tmp_path / "lib", site_name="Ville")
    r = publish_path(lib, proj, meta={"tags": ["démarches"]}).resource
    roles = sorted(f.role for f in r.files)
    assert roles == ["captions", "main", "storyboard", "thumbnail", "transcript"]
    assert r.kind == "video" and r.title == "Démarches en ligne" and r.authors == ("Léa Martin",)
    assert r.organisation == "Ville de Test" and r.description == "Comment faire ses démarches."
    assert r.duration is not None and abs(r.duration - ffprobe_duration(proj / "exports" / "video.mp4")) < 0.05
    assert r.thumbnail == r.file("thumbnail").hash  # type: ignore[union-attr]
    for f in r.files:
        assert lib.objects.verify(f.hash)
    for q in ("DEMARCHES", "démarch", "lea", "martin"):
        assert [x.id for x in lib.search(q)] == [r.id], q


def test_the_library_never_parses_a_project() -> None:
    offenders = []
    for path in sorted((ROOT / "src" / "cagette" / "library").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        imports = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        imports |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        if "tomllib" in imports or "project.toml" in text.replace("``project.toml``", ""):
            offenders.append(path.name)
    assert offenders == []


def test_derived_from_and_licence_come_from_the_template_without_typing(tmp_path: Path) -> None:
    lib = Library.create(tmp_path / "lib")
    rid = publish_template(lib, tmp_path, licence="CC-BY-4.0")
    made = create_project(tmp_path / "mine", find_templates(lib, "fr", []).find(rid), lib, title="Mine")
    done = publish_project(lib, made.project)
    assert done.resource.derived_from == (rid,) and done.resource.licence == "CC-BY-4.0"
    assert done.resource.kind == "storyboard" and done.notices == ()
    assert [c.id for c in lib.chain(done.resource.id)] == [done.resource.id, rid]
    # a licence the template does not allow is refused by the library, with the reason
    made.project.set_info(licence="CC0-1.0")
    with pytest.raises(UsageError, match="incompatible"):
        publish_project(lib, made.project)


def test_a_source_this_library_lacks_is_said_not_recorded(tmp_path: Path) -> None:
    lib = Library.create(tmp_path / "lib")
    project = Project.create(tmp_path / "p", "Elsewhere", derived_from=["somewhere-else-1"])
    done = publish_project(lib, project)
    assert done.resource.derived_from == ()
    assert len(done.notices) == 1 and "somewhere-else-1" in done.notices[0]
    # one the user names must exist: that is the library's clear error
    with pytest.raises(UsageError, match="not in the library"):
        publish_project(lib, project, meta={"derived_from": ["typed-by-hand"]})


def test_a_template_round_trips_through_the_library_with_its_media(tmp_path: Path) -> None:
    lib = Library.create(tmp_path / "lib")
    rid = publish_template(lib, tmp_path)
    r = lib.get(rid)
    assert r.kind == "template" and sorted(f.role for f in r.files) == ["attachment", "main"]
    assert r.file("main").name == "project.toml"  # type: ignore[union-attr]


def test_video_without_a_render_is_refused(tmp_path: Path) -> None:
    lib = Library.create(tmp_path / "lib")
    project = Project.create(tmp_path / "p", "Not rendered")
    with pytest.raises(UsageError, match="no render"):
        publish_project(lib, project, meta={"kind": "video"})
    assert lib.resources() == []


def test_cli_add_takes_the_projects_fields_and_says_what_it_could_not_link(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    assert run_cli("--library", str(lib), "library", "init", "--no-starter").returncode == 0
    proj = make_project(tmp_path / "proj")
    Project.open(proj).set_info(derived_from=["not-here"])
    res = run_cli("--library", str(lib), "library", "add", str(proj), "--json")
    assert res.returncode == 0, res.stderr
    added = json.loads(res.stdout)
    assert added["title"] == "Démarches en ligne" and added["derived_from"] == []
    assert "not-here" in res.stderr and "Warning" in res.stderr
