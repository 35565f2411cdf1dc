"""The director's guide, the trainer's kit and the storyboard sheets: built, readable, bilingual, exact."""

from __future__ import annotations

import re
import subprocess
import zlib
from fractions import Fraction
from pathlib import Path

import pytest

from cagette.starter import build
from cagette.starter.mdpdf import headings

A4 = (Fraction("595.2756"), Fraction("841.8898"))


def pdf_text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.replace("\u00a0", " ").replace("\u202f", " ").split())


def norm(text: str) -> str:
    text = re.sub(r"[`*_]", "", text)
    return " ".join(text.replace("\u00a0", " ").split())


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    out = tmp_path_factory.mktemp("starter-docs")
    made = {}
    for lang in build.LANGUAGES:
        made[f"guide-{lang}"] = build.build_guide(lang, out)
        made[f"kit-{lang}"] = build.build_trainer_kit(lang, out)
        made[f"sheets-{lang}"] = build.build_storyboard_sheets(lang, out)
    return made


@pytest.mark.parametrize("doc", ["guide", "kit"])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_heading_is_in_the_pdf_and_the_html(built: dict[str, tuple[Path, Path]], doc: str, lang: str) -> None:
    html_path, pdf_path = built[f"{doc}-{lang}"]
    assert pdf_path.read_bytes().startswith(b"%PDF-")
    text = pdf_text(pdf_path)
    page = html_path.read_text(encoding="utf-8")
    assert f'<html lang="{lang}">' in page
    assert page.count("<h1>") == 1  # one h1 per page; each section's title becomes an h2
    sections = build.guide_sections(lang) if doc == "guide" else build.kit_sections(lang)
    assert len(sections) >= 3
    for section in sections:
        for _level, heading in headings(section):
            assert norm(heading) in text, f"{heading!r} not found by pdftotext in {pdf_path.name}"
            assert norm(heading).split()[0] in page
    # accents came through the embedded font, not as missing glyphs
    if lang == "fr":
        assert "Écrire pour l'oreille" in text or "Exercices" in text
        assert "é" in text and "à" in text


@pytest.mark.parametrize("doc", ["guide", "kit"])
def test_french_and_english_have_the_same_sections(doc: str) -> None:
    get = build.guide_sections if doc == "guide" else build.kit_sections
    fr, en = get("fr"), get("en")
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
def test_storyboard_frames_are_exactly_16_9_and_9_16(built: dict[str, tuple[Path, Path]], lang: str) -> None:
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
