"""The storyboard templates: valid projects in both languages, with script, shots and a sensible length."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from cagette.flows.templates import find_templates
from cagette.starter import templates_dir
from cagette.video.project import Project
from tests.conftest import run_cli

SLUGS = ["annoncer-changement", "expliquer-demarche", "presenter-service", "resultats-evaluation"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_templates_are_found_in_both_languages(lang: str) -> None:
    found = find_templates(None, lang, [templates_dir()])
    assert not found.problems
    assert [t.slug for t in found.templates] == SLUGS
    for t in found.templates:
        assert t.lang == lang and t.title and t.description and t.target_duration_s > 0


@pytest.mark.parametrize("slug", SLUGS)
def test_french_and_english_match(slug: str) -> None:
    fr = tomllib.loads((templates_dir() / slug / "fr" / "project.toml").read_text(encoding="utf-8"))
    en = tomllib.loads((templates_dir() / slug / "en" / "project.toml").read_text(encoding="utf-8"))
    assert fr["project"]["language"] == "fr" and en["project"]["language"] == "en"
    assert fr["template"]["slug"] == en["template"]["slug"] == slug
    assert fr["template"]["target_duration_s"] == en["template"]["target_duration_s"]
    assert len(fr["scenes"]) == len(en["scenes"])
    assert fr["template"]["title"] != en["template"]["title"]


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("slug", SLUGS)
def test_a_template_makes_a_project(tmp_path: Path, slug: str, lang: str) -> None:
    template = templates_dir() / slug / lang / "project.toml"
    project = Project.create(tmp_path / "p", template=template)
    data = Project.open(tmp_path / "p").data
    assert data.template == slug and data.language == lang and data.licence == "CC-BY-SA-4.0"
    assert 4 <= len(data.scenes) <= 10
    target = tomllib.loads(template.read_text(encoding="utf-8"))["template"]["target_duration_s"]
    words = sum(len(s.script.split()) for s in data.scenes)
    spoken = words / 130 * 60
    assert abs(spoken - target) <= 0.2 * target, f"{slug}/{lang}: {words} words ≈ {spoken:.0f} s, target {target} s"
    shown = 0.0
    for scene in data.scenes:
        assert scene.title and scene.script and scene.notes, scene.slug
        assert scene.shots, scene.slug
        card = scene.shots[0]
        assert card.kind == "title" and card.title and card.duration_s
        # the placeholder card lasts as long as the scene's words take to say
        assert card.duration_s >= len(scene.script.split()) / 130 * 60
        shown += card.duration_s
    assert abs(shown - target) <= 0.25 * target
    assert project.root.joinpath("project.toml").is_file()


def ffprobe(path: Path) -> dict[str, object]:
    import subprocess

    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration:stream=codec_type,width,height",
                          "-of", "json", str(path)], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def test_the_templates_are_listed_by_the_cli() -> None:
    for lang in ("fr", "en"):
        listed = run_cli("--lang", lang, "project", "templates", "--json")
        assert listed.returncode == 0, listed.stderr
        found = {t["slug"]: t for t in json.loads(listed.stdout)["templates"]}
        assert set(found) >= set(SLUGS)
        assert all(found[s]["lang"] == lang for s in SLUGS)


@pytest.mark.slow
@pytest.mark.parametrize("slug", SLUGS)
def test_each_template_is_checked_and_renders_as_a_draft(tmp_path: Path, slug: str) -> None:
    lang = ("fr", "en")[SLUGS.index(slug) % 2]
    folder = tmp_path / slug
    made = run_cli("--lang", lang, "project", "new", str(folder), "--template", slug)
    assert made.returncode == 0, made.stderr
    assert Project.open(folder).data.language == lang
    checked = run_cli("project", "check", str(folder), "--json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    report = json.loads(checked.stdout)
    assert report["ok"] and not [p for p in report["problems"] if p["level"] == "error"], report
    rendered = run_cli("render", str(folder), "--preset", "draft", "--quiet", timeout=300)
    assert rendered.returncode == 0, rendered.stderr
    mp4s = list((folder / "exports").rglob("*.mp4"))
    assert len(mp4s) == 1
    info = ffprobe(mp4s[0])
    assert sorted(s["codec_type"] for s in info["streams"]) == ["audio", "video"]  # type: ignore[index, union-attr]
    target = tomllib.loads((templates_dir() / slug / lang / "project.toml").read_text(encoding="utf-8"))
    duration = float(info["format"]["duration"])  # type: ignore[index]
    # the placeholder cards plus the title and end cards: near the template's target duration
    assert 0.8 * target["template"]["target_duration_s"] <= duration <= target["template"]["target_duration_s"] + 15
    vtt = next((folder / "exports").rglob("*.vtt")).read_text(encoding="utf-8")
    first_words = " ".join(Project.open(folder).data.scenes[0].script.split()[:3])
    assert vtt.startswith("WEBVTT") and first_words in " ".join(vtt.split())
