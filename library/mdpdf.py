"""Markdown to HTML and to PDF, for the starter's guides.

The Markdown is converted once by python-markdown; the HTML page is that
output in a small accessible template, and the PDF is the same HTML through
cagette's one HTML→PDF path (:func:`cagette.documents.pdf_document`, which the
plans guide uses too), so both say the same thing.

Checklist items (``- [ ] text``) become a ballot box (☐) in both outputs. A figure is a paragraph holding
only an image, ``![alt text](fig:NAME "caption")``: *NAME* is looked up by the ``figure`` function the
builder passes (None: the figure is left out); the HTML embeds it as a ``data:`` URL inside
``<figure>`` with its alt text and caption, the PDF places the image and its caption together.
Everything is deterministic: no clock except ``SOURCE_DATE_EPOCH`` (reportlab
reads it), fixed PDF identifiers (reportlab's invariant mode).
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

from cagette.documents import CHECKBOX, FigureLookup, Section, image_size, pdf_document, templates
from cagette.fsutil import atomic_write_text

__all__ = ["FigureLookup", "Section", "html_page", "pdf_document", "read_sections", "to_html", "write_html"]

FIGURE_RE = re.compile(r'<p>\s*<img alt="(?P<alt>[^"]*)" src="fig:(?P<name>[\w-]+)"(?: title="(?P<title>[^"]*)")?\s*/?>\s*</p>')


def _checklists(text: str) -> str:
    return re.sub(r"^(\s*[-*] )\[ \] ", rf"\1{CHECKBOX} ", text, flags=re.MULTILINE)


def to_html(text: str) -> str:
    import markdown

    return markdown.markdown(_checklists(text), extensions=["tables", "sane_lists"], output_format="html")


def french_spaces(text: str) -> str:
    """No-break spaces where French typography wants them (before : ; ! ? », after «)."""
    text = re.sub(r" ([:;!?»])", "\u00a0\\1", text)
    text = re.sub(r"(\d) h (\d\d)", "\\1\u00a0h\u00a0\\2", text)  # 10 h 15
    text = re.sub(r"(\d) (?=[A-Za-zéÉ%])", "\\1\u00a0", text)  # 130 mots, 2 Go, 10 %
    return re.sub(r"« ", "«\u00a0", text)


def read_sections(folder: Path, lang: str) -> list[Section]:
    """The ``NN-slug.md`` files of *folder*, in order."""
    sections = []
    for path in sorted(folder.glob("[0-9][0-9]-*.md")):
        text = path.read_text(encoding="utf-8")
        if lang == "fr":
            text = french_spaces(text)
        first = next((line for line in text.splitlines() if line.startswith("# ")), None)
        if first is None:
            raise ValueError(f"{path} has no '# ' heading")
        number, _, slug = path.stem.partition("-")
        sections.append(Section(number, slug, first[2:].strip(), text, to_html(text)))
    return sections


def headings(section: Section) -> list[tuple[int, str]]:
    """(level, text) of every heading of a section."""
    found = []
    for line in section.markdown.splitlines():
        match = re.match(r"^(#{1,6}) (.+)$", line)
        if match:
            found.append((len(match.group(1)), match.group(2).strip()))
    return found


# ---------------------------------------------------------------- HTML
# The page and its figures are Jinja2 templates (autoescape) in pages/: the sections' HTML is
# python-markdown's output of our own sources, marked safe; every other text is escaped.

def _media_type(path: Path) -> str:
    return "image/jpeg" if path.suffix.lower() in (".jpg", ".jpeg") else "image/png"


def html_figures(part: str, figure: FigureLookup | None) -> str:
    """Each figure paragraph of *part* as a ``<figure>`` with its picture inline, or nothing without it."""
    def one(match: re.Match[str]) -> str:
        path = figure(match.group("name")) if figure else None
        if path is None:
            return ""
        w, h = image_size(path)
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        alt = html.unescape(" ".join(match.group("alt").split()))  # python-markdown's escaped text, as text
        caption = html.unescape(match.group("title") or "")
        return templates("cagette.starter", "pages").get_template("figure.html").render(
            media_type=_media_type(path), data=data, alt=alt, width=w, height=h, caption=caption)

    return FIGURE_RE.sub(one, part)


def html_page(title: str, lang: str, sections: list[Section], intro: str, footer: str, toc_label: str,
              skip_label: str, figure: FigureLookup | None = None) -> str:
    from markupsafe import Markup

    parts = []
    for s in sections:
        # the section's own h1 becomes an h2 of the page: one h1 per page (RGAA 9.1)
        part = re.sub(r"<(/?)h([1-5])([ >])", lambda m: f"<{m.group(1)}h{int(m.group(2)) + 1}{m.group(3)}", s.html)
        # checklists: no bullet, and the box is decoration for screen readers
        part = re.sub(r"<ul>(\s*<li>(?:<p>)?" + CHECKBOX + ")", r'<ul class="checklist">\1', part)
        part = part.replace(CHECKBOX + " ", f'<span aria-hidden="true">{CHECKBOX}</span> ')
        parts.append((s, Markup(html_figures(part, figure))))
    return templates("cagette.starter", "pages").get_template("guide.html").render(
        title=title, lang=lang, intro=intro, footer=footer, toc_label=toc_label, skip_label=skip_label,
        sections=sections, parts=parts)


# ---------------------------------------------------------------- PDF


def write_html(out: Path, text: str) -> None:
    atomic_write_text(out, text)
