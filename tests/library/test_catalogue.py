"""The static catalogue, opened from file:// in headless Chromium: browsed by sight, searched, played, and
checked by axe-core (0 violations of any impact). One catalogue and one Chromium for the whole module."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cagette.flows.publish import publish_project
from cagette.library.catalogue import PER_PAGE, write_catalogue
from cagette.library.library import Library
from cagette.library.resources import Resource
from cagette.video.project import Project
from tests.library.helpers import make_project

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--autoplay-policy=no-user-gesture-required",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
EXTRA = PER_PAGE + 6  # enough plain resources for a second page


@dataclass(frozen=True)
class Site:
    out: Path
    video: Resource
    guide: Resource
    adapted: Resource
    anonymous: Resource


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    from cagette import i18n

    tmp = tmp_path_factory.mktemp("catalogue")
    i18n.set_language("en")
    lib = Library.create(tmp / "lib", site_name="Ville de Test")
    video = publish_project(lib, Project.open(make_project(tmp / "p1")),
                            meta={"tags": ["démarches"], "people": "consent"}).resource
    guide_file = tmp / "guide.pdf"
    guide_file.write_bytes(b"%PDF-1.4 a guide")
    guide = lib.add([("main", guide_file)], kind="guide", title="Guide de tournage", authors=["Ana", "Bo"],
                    organisation="Mairie de Cagette", rid="starter:guide",
                    description="<script>alert(1)</script> pas d'injection")
    adapted = lib.add([("main", guide_file)], kind="guide", title="Guide adapté", derived_from=[guide.id],
                      organisation="Région Test", language="fr")
    anonymous = lib.add([("main", guide_file)], kind="storyboard", title="Storyboard sans auteur", licence="CC0-1.0")
    entries = [lib.add([("main", guide_file)], kind="template", title=f"Modèle {n:02d}", language="en",
                       organisation="Autre ville") for n in range(EXTRA)]
    assert entries
    out = write_catalogue(lib, tmp / "site")
    i18n.set_language(None)
    return Site(out, video, guide, adapted, anonymous)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    errors: list[str] = []
    pg = context.new_page()
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("dialog", lambda d: errors.append("dialog " + d.message))
    yield pg
    context.close()
    assert errors == []


def axe(page: Any) -> dict[str, Any]:
    import axe_playwright_python

    page.add_script_tag(path=str(Path(axe_playwright_python.__file__).with_name("axe.min.js")))
    return page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)  # type: ignore[no-any-return]


def problems(report: dict[str, Any]) -> list[str]:
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in report["violations"]]


@pytest.mark.slow
def test_the_grid_is_searched_filtered_and_paged(site: Site, page: Any) -> None:
    out = site.out
    assert "fetch(" not in (out / "index.html").read_text(encoding="utf-8") + (out / "catalogue.js").read_text()
    page.goto((out / "index.html").as_uri())
    total = 4 + EXTRA
    assert page.locator("#results li").count() == PER_PAGE  # one page of cards, not every resource
    assert page.inner_text("#count") == f"{total} resources"
    assert page.get_attribute("#count", "aria-live") == "polite"
    card = page.locator("#results li", has_text="Démarches en ligne")
    assert card.locator("img").count() == 1 and card.locator("img").get_attribute("alt") == ""
    assert "0:01" in card.inner_text() and "video" in card.inner_text() and "CC-BY-SA-4.0" in card.inner_text()
    assert "Ville de Test" in card.inner_text() and "French" in card.inner_text()
    for facet in ("kind", "organisation", "language", "licence"):  # a visible label names each facet
        assert page.locator(f"label[for=f-{facet}]").is_visible()
    page.click("#next")
    assert page.locator("#results li").count() == total - PER_PAGE
    assert page.evaluate("document.activeElement.id") == "results-title"  # keyboard users land on the results
    page.fill("#q", "DEMARCH")  # accents and case ignored, prefix
    page.wait_for_function("document.querySelectorAll('#results li').length === 1")
    assert page.inner_text("#count") == "1 resource" and page.is_hidden("#pager")
    page.fill("#q", "guide")
    page.wait_for_function("document.querySelectorAll('#results li').length === 2")
    page.select_option("#f-organisation", "Région Test")
    page.wait_for_function("document.querySelectorAll('#results li').length === 1")
    page.fill("#q", "nothing-like-this")
    page.wait_for_function("document.getElementById('count').textContent === 'No resource matches.'")
    page.click("#clear")
    page.wait_for_function(f"document.getElementById('count').textContent === '{total} resources'")
    page.select_option("#f-kind", "video")
    page.wait_for_function("document.querySelectorAll('#results li').length === 1")
    page.click("#results a")
    page.wait_for_selector("#player")
    assert page.url.endswith(f"r/{site.video.id}.html")


@pytest.mark.slow
def test_a_video_plays_from_file_with_its_captions_labelled_by_language(site: Site, page: Any) -> None:
    page.goto((site.out / "r" / f"{site.video.id}.html").as_uri())
    track = page.locator("#player track[kind=captions]")
    assert track.count() == 1
    assert track.get_attribute("label") == "French" and track.get_attribute("srclang") == "fr"
    assert track.get_attribute("src").startswith("data:text/vtt;base64,")
    cue = page.wait_for_function(
        "() => { const t = document.querySelector('#player').textTracks[0];"
        " t.mode = 'showing'; return t.cues && t.cues.length ? t.cues[0].text : null; }", timeout=20000)
    assert cue.json_value() == "Bonjour à tous"
    page.evaluate("() => { const v = document.querySelector('#player'); v.muted = true; return v.play(); }")
    page.wait_for_function("document.querySelector('#player').currentTime > 0.2", timeout=20000)
    assert page.evaluate("document.querySelector('#player').textTracks[0].label") == "French"
    assert "Bonjour à tous" in page.inner_text("#transcript")
    assert page.inner_text("#credits") == "By Léa Martin (Ville de Test)."
    assert "CC-BY-SA-4.0" in page.inner_text("#licence")
    assert "consent is on file" in page.inner_text("#people")
    names = page.locator("#downloads a").all_inner_texts()
    assert "video.mp4" in names and "video.vtt" in names
    href = page.locator("#downloads a", has_text="video.mp4").get_attribute("href")
    assert (site.out / "r" / href).resolve().stat().st_size == site.video.file("main").size  # type: ignore[union-attr]


@pytest.mark.slow
def test_credits_and_the_attribution_chain(site: Site, page: Any) -> None:
    page.goto((site.out / "r" / f"{site.adapted.id}.html").as_uri())
    assert page.inner_text("#credits") == "By Région Test."
    assert "Guide de tournage" in page.inner_text("#chain") and "Ana and Bo (Mairie de Cagette)" in page.inner_text(
        "#chain")
    page.click("#chain a")  # the source's page: ':' is written '~' (FAT sticks refuse ':')
    assert page.url.endswith("r/starter~guide.html") and site.guide.id == "starter:guide"
    assert "<script>alert(1)</script>" in page.inner_text("main")
    assert page.inner_text("#credits") == "By Ana and Bo (Mairie de Cagette)."
    page.goto((site.out / "r" / f"{site.anonymous.id}.html").as_uri())
    assert page.inner_text("#credits") == "The author is not stated."
    assert "-" not in page.inner_text("#credits") and "not stated" in page.inner_text("#people")


@pytest.mark.slow
@pytest.mark.parametrize("which", ["index", "video", "derived"])
def test_axe_finds_nothing(site: Site, page: Any, which: str) -> None:
    target = {"index": site.out / "index.html", "video": site.out / "r" / f"{site.video.id}.html",
              "derived": site.out / "r" / f"{site.adapted.id}.html"}[which]
    page.goto(target.as_uri())
    page.wait_for_selector("main")
    assert page.locator("main").inner_text().strip()  # a page that shows a resource, not an empty shell
    report = axe(page)
    assert problems(report) == []
    assert len(report["passes"]) >= 10  # axe really ran its rules on this page


def test_the_search_data_is_a_script_file(site: Site) -> None:
    text = (site.out / "data.js").read_text(encoding="utf-8")
    prefix = "window.CAGETTE_CATALOGUE = "
    assert text.startswith(prefix)
    data = json.loads(text[len(prefix):].rstrip().rstrip(";"))
    assert len(data["items"]) == 4 + EXTRA and "hay" in data["fields"]
    index = (site.out / "index.html").read_text(encoding="utf-8")
    assert index.count('<li class="card">') == PER_PAGE
    assert "<script>alert(1)</script>" not in (site.out / "r" / "starter~guide.html").read_text(encoding="utf-8")
    assert (site.out / "list.html").read_text(encoding="utf-8").count("<li>") == 4 + EXTRA


def test_a_rendered_transcript_reads_as_headings_and_paragraphs() -> None:
    from cagette.library.catalogue_pages import transcript_blocks
    from cagette.video.script import transcript

    text = transcript("Démarches en ligne", [("Le guichet", "Bonjour. Voici le guichet."), ("La fin", "Merci.")],
                      "Ville de Test · CC-BY-SA-4.0")
    blocks = transcript_blocks(text, "Démarches en ligne")
    assert [b["heading"] for b in blocks if "heading" in b] == ["Le guichet", "La fin"]
    said = " ".join(b.get("text", "") for b in blocks)
    assert "Bonjour. Voici le guichet." in said and "Merci." in said and "==" not in said and "--" not in said


@pytest.mark.slow
def test_the_catalogue_fits_a_phone(site: Site, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        for target in (site.out / "index.html", site.out / "r" / f"{site.video.id}.html"):
            page.goto(target.as_uri())
            assert page.evaluate("document.documentElement.scrollWidth") <= 360, target.name
        page.goto((site.out / "index.html").as_uri())
        lefts = page.evaluate("[...document.querySelectorAll('#results li')].slice(0, 3)"
                              ".map(li => li.getBoundingClientRect().left)")
        assert len(set(lefts)) == 1  # one column of cards
    finally:
        context.close()
