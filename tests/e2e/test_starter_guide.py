"""The director's guide, the trainer's kit and the storyboard sheets: built, readable, bilingual, exact."""

from __future__ import annotations

import re
import subprocess
import zlib
from fractions import Fraction
from pathlib import Path

import pytest

from cagette.starter import build
from cagette.starter.mdpdf import Section, headings

A4 = (Fraction("595.2756"), Fraction("841.8898"))


def pdf_text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.replace("\u00a0", " ").replace("\u202f", " ").split())


def norm(text: str) -> str:
    text = re.sub(r"[`*_]", "", text)
    return " ".join(text.replace("\u00a0", " ").split())


@pytest.fixture(scope="module")
def built(built_docs: dict[str, tuple[Path, ...]]) -> dict[str, tuple[Path, ...]]:
    return built_docs


def page_images(pdf: Path) -> dict[int, list[tuple[int, int]]]:
    """Page number → (width, height) in pixels of every image ``pdfimages`` finds on it."""
    out = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    found: dict[int, list[tuple[int, int]]] = {}
    for line in out.splitlines()[2:]:
        cols = line.split()
        if cols[2] in ("image", "stencil"):
            found.setdefault(int(cols[0]), []).append((int(cols[3]), int(cols[4])))
    return found


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_picture_on_every_second_page_of_the_guide(built: dict[str, tuple[Path, ...]], lang: str) -> None:
    html_path, pdf_path = built[f"guide-{lang}"]
    pages = page_count(pdf_path)
    big = {page for page, sizes in page_images(pdf_path).items() if any(w >= 300 and h >= 200 for w, h in sizes)}
    assert pages >= 15
    for page in range(1, pages):
        assert page in big or page + 1 in big, f"pages {page} and {page + 1} of {pdf_path.name} have no figure"
    # every figure of the HTML guide is inline (a data URL) and has alt text, in the guide's language
    page_html = html_path.read_text(encoding="utf-8")
    figures = re.findall(r"<figure><img src=\"data:image/(?:png|jpeg);base64,[^\"]+\" alt=\"([^\"]+)\"", page_html)
    referenced = sum(s.markdown.count("](fig:") for s in build.guide_sections(lang))
    assert len(figures) == page_html.count("<figure>") == referenced >= 15
    assert all(len(alt.split()) >= 8 for alt in figures)
    assert ("plateau" if lang == "fr" else "stage") in " ".join(figures)
    assert "<figcaption>" in page_html and 'name="viewport"' in page_html


def test_the_guide_is_printable(built: dict[str, tuple[Path, ...]]) -> None:
    for lang in ("fr", "en"):
        pdf = built[f"guide-{lang}"][1]
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert "595.276 x 841.89 pts (A4)" in info
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        rows = [line.split() for line in fonts.splitlines()[2:]]
        assert rows and all("yes" in row[-5:-3] for row in rows), fonts  # every font embedded


@pytest.mark.slow
def test_the_html_guide_fits_a_phone(built: dict[str, tuple[Path, ...]]) -> None:
    from playwright.sync_api import sync_playwright

    from tests.library.test_catalogue import ARGS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 360, "height": 740})
            page.goto(built["guide-en"][0].as_uri())
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            widths = page.evaluate("[...document.images].map(i => i.getBoundingClientRect().width)")
            assert widths and max(widths) <= 360 and min(widths) > 100
            assert page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth >= 300)")
        finally:
            browser.close()


def sections_of(doc: str, lang: str) -> list[Section]:
    if doc in ("consent", "feedback"):
        return build.form_sections(lang, doc)
    return build.guide_sections(lang) if doc == "guide" else build.kit_sections(lang)


@pytest.mark.parametrize("doc", ["guide", "kit", "consent", "feedback"])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_heading_is_in_the_pdf_and_the_html(built: dict[str, tuple[Path, ...]], doc: str, lang: str) -> None:
    html_path, pdf_path = built[f"{doc}-{lang}"]
    assert pdf_path.read_bytes().startswith(b"%PDF-")
    text = pdf_text(pdf_path)
    page = html_path.read_text(encoding="utf-8")
    assert f'<html lang="{lang}">' in page
    assert page.count("<h1>") == 1  # one h1 per page; each section's title becomes an h2
    sections = sections_of(doc, lang)
    assert len(sections) >= (1 if doc in ("consent", "feedback") else 3)
    for section in sections:
        for _level, heading in headings(section):
            assert norm(heading) in text, f"{heading!r} not found by pdftotext in {pdf_path.name}"
            assert norm(heading).split()[0] in page
    # accents came through the embedded font, not as missing glyphs
    if lang == "fr":
        assert "é" in text and "à" in text
    if doc in ("consent", "feedback"):  # a form to print: one or two pages, no title page
        assert page_count(pdf_path) <= 2


@pytest.mark.parametrize("doc", ["guide", "kit", "consent", "feedback"])
def test_french_and_english_have_the_same_sections(doc: str) -> None:
    fr, en = sections_of(doc, "fr"), sections_of(doc, "en")
    assert [s.number for s in fr] == [s.number for s in en]
    for f, e in zip(fr, en, strict=True):
        assert [lvl for lvl, _ in headings(f)] == [lvl for lvl, _ in headings(e)], (f.slug, e.slug)
        assert f.markdown.count("- [ ]") == e.markdown.count("- [ ]"), f"checklists differ: {f.slug} / {e.slug}"


def test_the_guide_covers_the_brief() -> None:
    text = " ".join(s.markdown for s in build.guide_sections("en")).lower()
    for topic in ("130 words a minute", "storyboard", "paper", "hands", "stage marks", "safe area", "light",
                  "voice", "captions", "transcript", "rgaa", "licence", "attribution", "publish", "sync"):
        assert topic in text, topic
    assert len(text.split()) > 3000


def test_builds_are_deterministic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    one = build.build_guide("fr", tmp_path / "a")
    two = build.build_guide("fr", tmp_path / "b")
    for a, b in zip(one, two, strict=True):
        assert a.read_bytes() == b.read_bytes()
    info = subprocess.run(["pdfinfo", str(one[1])], capture_output=True, text=True, check=True).stdout
    assert "2026" in info
    sheets_a = build.build_storyboard_sheets("en", tmp_path / "a")
    sheets_b = build.build_storyboard_sheets("en", tmp_path / "b")
    assert [p.read_bytes() for p in sheets_a] == [p.read_bytes() for p in sheets_b]


def test_unknown_language_is_refused(tmp_path: Path) -> None:
    from cagette.errors import UsageError

    with pytest.raises(UsageError) as err:
        build.build_guide("de", tmp_path)
    assert "'de'" in err.value.message and err.value.hint
    assert not tmp_path.joinpath("guide-de.pdf").exists()


def content_rects(pdf: Path) -> list[tuple[Fraction, tuple[Fraction, Fraction, Fraction, Fraction]]]:
    """(line width, (x, y, w, h)) of every rectangle drawn in the PDF's page content streams."""
    data = pdf.read_bytes()
    rects = []
    for match in re.finditer(rb"<<(.{0,400}?)>>\s*stream\r?\n(.*?)endstream", data, re.S):
        head, body = match.group(1), match.group(2)
        if b"Length1" in head or b"/Subtype" in head:
            continue  # embedded fonts, images
        if b"FlateDecode" in head:
            body = zlib.decompress(body)
        width = Fraction(1)
        for token in re.finditer(rb"(-?[\d.]+) w\b|(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re\b", body):
            if token.group(1):
                width = Fraction(token.group(1).decode())
            else:
                x, y, w, h = (Fraction(token.group(i).decode()) for i in range(2, 6))
                rects.append((width, (x, y, w, h)))
    return rects


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_storyboard_frames_are_exactly_16_9_and_9_16(built: dict[str, tuple[Path, ...]], lang: str) -> None:
    landscape, portrait = built[f"sheets-{lang}"]
    for pdf, ratio, count in ((landscape, Fraction(16, 9), 5), (portrait, Fraction(9, 16), 6)):
        rects = content_rects(pdf)
        frames = [r for wd, r in rects if wd == Fraction("1.2")]
        safe = [r for wd, r in rects if wd == Fraction("0.4")]
        assert len(frames) == count, (pdf.name, rects)
        assert len(safe) == count
        for x, y, w, h in frames + safe:
            assert w / h == ratio, (pdf.name, w, h)
            assert x >= 0 and x + w <= A4[0] and y >= 0 and y + h <= A4[1]
        # frames big enough to draw in (at least 38 mm on their short side), and never overlapping
        assert min(min(w, h) for _, _, w, h in frames) * Fraction(254, 720) >= 38
        boxes = sorted(frames)
        for i, (x1, y1, w1, h1) in enumerate(boxes):
            for x2, y2, w2, h2 in boxes[i + 1:]:
                assert x1 + w1 <= x2 or x2 + w2 <= x1 or y1 + h1 <= y2 or y2 + h2 <= y1
        words = pdf_text(pdf)
        assert ("Texte dit" in words) if lang == "fr" else ("Words said" in words)


def test_bad_figure_inputs_are_refused_and_nothing_is_lost(tmp_path: Path, plans_kit: Path) -> None:
    from cagette.errors import CagetteError, UsageError
    from cagette.starter.figures import FigureSet, make_figures

    mine = tmp_path / "notes"
    mine.mkdir()
    (mine / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(UsageError) as err:
        make_figures(mine, kit=plans_kit, sample=tmp_path)
    assert "notes" in err.value.message and err.value.hint
    assert (mine / "keep.txt").read_text(encoding="utf-8") == "mine"
    empty_kit = tmp_path / "kit"
    empty_kit.mkdir()
    with pytest.raises(CagetteError) as err:
        make_figures(tmp_path / "figures", kit=empty_kit, sample=tmp_path)
    assert "params.toml" in err.value.message and "cagette plans build" in err.value.hint
    unrendered = tmp_path / "sample"
    unrendered.mkdir()
    with pytest.raises(UsageError) as err:
        make_figures(tmp_path / "figures", kit=plans_kit, sample=unrendered)
    assert "cagette render" in err.value.hint
    assert not (tmp_path / "figures").exists() and FigureSet.load(tmp_path / "figures") is None
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".figures")]  # no staged leftovers
