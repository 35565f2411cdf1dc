"""Journey 8: a template — from the starter, and one another site published and sync brought — becomes
a project, a draft render and a library resource that credits the template, its licence kept, without
the user typing either."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from cagette.video import synth
from tests.e2e.journeys.harness import Journey


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _streams(video: Path) -> tuple[list[str], float]:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration:stream=codec_type",
                          "-of", "json", str(video)], capture_output=True, text=True, check=True).stdout
    info = json.loads(out)
    return sorted(s["codec_type"] for s in info["streams"]), float(info["format"]["duration"])


@pytest.mark.slow
def test_templates_to_library(journey: Journey, tmp_path: Path) -> None:
    j = journey
    other, stick = tmp_path / "other-site", tmp_path / "stick"
    j.cli("make this site's library, with the starter", "library", "init", "--site-name", "Ville A")

    # another site makes a template of its own and publishes it, with the real commands
    j.cli("the other site makes its library", "--library", str(other), "library", "init", "--site-name",
          "Ville B", "--no-starter")
    tpl = tmp_path / "b-template"
    j.cli("the other site starts a template project", "--library", str(other), "project", "new", str(tpl),
          "--title", "Présenter un guichet")
    photo = synth.frame_image(tmp_path / "guichet.png", 7)
    j.cli("the other site puts a photo in it", "project", "import", str(tpl), str(photo), "--scene", "accueil",
          given=photo)
    added = j.cli("the other site publishes it as a template", "--library", str(other), "library", "add",
                  str(tpl), "--kind", "template", "--licence", "etalab-2.0", "--json", given=tpl)
    b_id = json.loads(added.stdout)["id"]
    j.cli("the other site syncs to a stick", "--library", str(other), "sync", str(stick), given=stick)
    j.cli("this site receives it from the stick", "sync", str(stick), "--pull", given=stick)

    listed = j.cli("list the templates", "project", "templates", "--json")
    with j.step("both templates are offered, from the library", given=listed.stdout[:400]):
        templates = {t["slug"]: t for t in json.loads(listed.stdout)["templates"]}
        assert json.loads(listed.stdout)["problems"] == []
        assert templates["annoncer-changement"]["id"] == "starter-template-annoncer-changement-en"
        assert templates["presenter-un-guichet"]["id"] == b_id
        assert {templates[s]["origin"] for s in ("annoncer-changement", "presenter-un-guichet")} == {"library"}

    cases = [("annoncer-changement", "starter-template-annoncer-changement-en", "CC-BY-SA-4.0"),
             ("presenter-un-guichet", b_id, "etalab-2.0")]
    for slug, source_id, licence in cases:
        project = tmp_path / f"from-{slug}"
        j.cli(f"new project from {slug}", "project", "new", str(project), "--template", slug, given=slug)
        if slug == "presenter-un-guichet":
            with j.step("the other site's photo came with its template", given=project):
                rushes = list((project / "rushes").iterdir())
                assert [_sha256(p) for p in rushes] == [_sha256(photo)]
        j.cli(f"draft render of {slug}", "render", str(project), "--preset", "draft", "--quiet", given=project)
        video = next((project / "exports").rglob("*.mp4"))
        with j.step(f"the draft of {slug} decodes", given=video):
            kinds, duration = _streams(video)
            assert kinds == ["audio", "video"] and duration > 2
        res = j.cli(f"publish {slug}'s video", "library", "add", str(project), "--json", given=project)
        rid = json.loads(res.stdout)["id"]
        shown = j.cli(f"show what {slug} became", "library", "show", rid, "--json", given=rid)
        with j.step(f"the resource from {slug} credits its template and keeps a compatible licence",
                    given=shown.stdout[:600]):
            r = json.loads(shown.stdout)
            assert r["kind"] == "video" and r["derived_from"] == [source_id]
            assert r["licence"] == licence
            assert r["derived_from_chain"][0]["id"] == source_id  # (the starter's English template adapts its French one)
            main = next(f for f in r["files"] if f["role"] == "main")
            assert main["hash"] == _sha256(video) and r["local"][main["hash"]] is True
            assert abs(r["duration"] - duration) < 0.1
