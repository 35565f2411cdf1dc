"""The static catalogue, opened from file:// in headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from cagette.library.catalogue import write_catalogue
from cagette.library.library import Library
from tests.library.helpers import make_project

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]


@pytest.mark.slow
def test_catalogue_works_from_file_url(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    lib = Library.create(tmp_path / "lib", site_name="Ville de Test")
    video = lib.add_path(make_project(tmp_path / "p1"), tags=["démarches"])
    guide_file = tmp_path / "guide.pdf"
    guide_file.write_bytes(b"%PDF-1.4 a guide")
    guide = lib.add([("main", guide_file)], kind="guide", title="Guide de tournage", authors=["Ana"], rid="starter:guide",
                    description="<script>alert(1)</script> pas d'injection")
    adapted = lib.add([("main", guide_file)], kind="guide", title="Guide adapté", derived_from=[guide.id])
    out = write_catalogue(lib, tmp_path / "site")
    assert "fetch(" not in (out / "index.html").read_text(encoding="utf-8")
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        try:
            page = browser.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("dialog", lambda d: errors.append("dialog " + d.message))
            page.goto((out / "index.html").as_uri())
            page.wait_for_selector("#results li")
            assert page.locator("#results li").count() == 3
            page.fill("#q", "DEMARCH")  # accents and case ignored, prefix
            page.wait_for_function("document.querySelectorAll('#results li').length === 1")
            assert "Démarches en ligne" in page.inner_text("#results")
            page.fill("#q", "guide")
            page.wait_for_function("document.querySelectorAll('#results li').length === 2")
            page.fill("#q", "")
            page.select_option("#kind", "video")
            page.wait_for_function("document.querySelectorAll('#results li').length === 1")
            page.click("#results a")
            page.wait_for_selector("#player")
            assert page.url.endswith(f"r/{video.id}.html")  # ids without ":" keep their name
            assert page.locator("#player track[kind=captions]").count() == 1
            cues = page.wait_for_function(
                "() => { const t = document.querySelector('#player').textTracks[0];"
                " t.mode = 'showing'; return t.cues && t.cues.length ? t.cues[0].text : null; }", timeout=10000)
            assert cues.json_value() == "Bonjour à tous"
            assert page.wait_for_function(
                "() => document.querySelector('#player').readyState >= 1", timeout=10000)
            duration = page.evaluate("document.querySelector('#player').duration")
            assert 0.5 < duration < 2
            assert "CC-BY-SA-4.0" in page.inner_text("#licence")
            assert "Léa Martin" in page.inner_text("#credits")
            page.goto((out / "r" / f"{adapted.id}.html").as_uri())
            assert "Guide de tournage" in page.inner_text("#chain")
            page.click("#chain a")  # the source's page: ':' is written '~' (FAT sticks refuse ':')
            assert page.url.endswith("r/starter~guide.html") and guide.id == "starter:guide"
            assert "<script>alert(1)</script>" in page.inner_text("body")
        finally:
            browser.close()
    assert errors == []
