"""Markdown to HTML and to PDF, for the starter's guides.

The Markdown is converted once by python-markdown; the HTML page is that
output in a small accessible template, and the PDF is built by walking the
same HTML tree into reportlab flowables, so both say the same thing. Headings
become real PDF text (``pdftotext`` finds them) and PDF outline entries.

Checklist items (``- [ ] text``) become a ballot box (☐) in both outputs.
Everything is deterministic: no clock except ``SOURCE_DATE_EPOCH`` (reportlab
reads it), fixed PDF identifiers (reportlab's invariant mode).
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cagette.fsutil import atomic_write_bytes, atomic_write_text

CHECKBOX = "☐"
FONT = "CagetteSans"
FONT_BOLD = "CagetteSans-Bold"


@dataclass(frozen=True)
class Section:
    """One Markdown source file: its number, slug, title and HTML body."""

    number: str
    slug: str
    title: str
    markdown: str
    html: str


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

CSS = """
body{font-family:"DejaVu Sans",Verdana,sans-serif;line-height:1.55;max-width:46em;margin:0 auto;padding:1em 1.2em;
color:#1b1b1b;background:#fff}
h1{font-size:1.9em;border-bottom:3px solid #1d5e8c;padding-bottom:.2em}
h2{font-size:1.45em;color:#153f5e;margin-top:2.2em}
h3{font-size:1.15em;color:#153f5e}
nav ol{padding-left:1.4em}
a{color:#0b4f86}
a:focus,a:hover{outline:2px solid #0b4f86}
table{border-collapse:collapse;margin:1em 0}
th,td{border:1px solid #777;padding:.3em .6em;text-align:left;vertical-align:top}
blockquote{margin:1em 0;padding:.5em 1em;border-left:5px solid #e3a21a;background:#fdf5e3}
code{background:#eef1f4;padding:0 .2em}
ul.checklist{list-style:none;padding-left:.6em}
footer{margin-top:3em;font-size:.9em;color:#444;border-top:1px solid #999}
.skip{position:absolute;left:-999px}.skip:focus{left:1em;top:1em;background:#fff}
"""


def html_page(title: str, lang: str, sections: list[Section], intro: str, footer: str, toc_label: str,
              skip_label: str) -> str:
    toc = "\n".join(f'<li><a href="#s{s.number}">{html.escape(s.title)}</a></li>' for s in sections)
    body = []
    for s in sections:
        # the section's own h1 becomes an h2 of the page: one h1 per page (RGAA 9.1)
        part = re.sub(r"<(/?)h([1-5])([ >])", lambda m: f"<{m.group(1)}h{int(m.group(2)) + 1}{m.group(3)}", s.html)
        # checklists: no bullet, and the box is decoration for screen readers
        part = re.sub(r"<ul>(\s*<li>(?:<p>)?" + CHECKBOX + ")", r'<ul class="checklist">\1', part)
        part = part.replace(CHECKBOX + " ", f'<span aria-hidden="true">{CHECKBOX}</span> ')
        body.append(f'<section id="s{s.number}">\n{part}\n</section>')
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f'<a class="skip" href="#main">{html.escape(skip_label)}</a>\n'
        f"<header><h1>{html.escape(title)}</h1>\n<p>{html.escape(intro)}</p></header>\n"
        f'<nav aria-label="{html.escape(toc_label)}"><h2>{html.escape(toc_label)}</h2>\n<ol>\n{toc}\n</ol></nav>\n'
        f'<main id="main">\n' + "\n".join(body) + "\n</main>\n"
        f"<footer><p>{html.escape(footer)}</p></footer>\n</body>\n</html>\n"
    )


# ---------------------------------------------------------------- PDF


def register_fonts() -> None:
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from cagette.locations import font_path

    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont(FONT, str(font_path())))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(font_path(bold=True))))
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, FONT_BOLD)
    addMapping(FONT, 0, 1, FONT)  # no italic face shipped: italics stay upright
    addMapping(FONT, 1, 1, FONT_BOLD)


def _styles() -> dict[str, Any]:
    from reportlab.lib.colors import HexColor
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=15, spaceAfter=6)
    blue = HexColor("#153f5e")
    return {
        "title": ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=26, leading=32, spaceAfter=14,
                                textColor=blue),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=13, leading=18, spaceAfter=10),
        "h1": ParagraphStyle("h1", parent=base, fontName=FONT_BOLD, fontSize=19, leading=24, spaceBefore=4,
                             spaceAfter=10, textColor=blue),
        "h2": ParagraphStyle("h2", parent=base, fontName=FONT_BOLD, fontSize=14, leading=18, spaceBefore=10,
                             spaceAfter=5, textColor=blue),
        "h3": ParagraphStyle("h3", parent=base, fontName=FONT_BOLD, fontSize=11.5, leading=15, spaceBefore=6,
                             spaceAfter=3),
        "body": base,
        "li": ParagraphStyle("li", parent=base, spaceAfter=2),
        "quote": ParagraphStyle("quote", parent=base, leftIndent=14, borderPadding=(4, 6, 4, 6),
                                backColor=HexColor("#fdf5e3"), borderColor=HexColor("#e3a21a"), borderWidth=0),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9.5, leading=12.5, spaceAfter=0),
        "toc": ParagraphStyle("toc", parent=base, fontSize=11.5, leading=18, leftIndent=8),
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11, textColor=HexColor("#444444")),
    }


def _inline(el: ET.Element) -> str:
    """An element's content as reportlab paragraph markup."""
    parts = [html.escape(el.text or "", quote=False)]
    for child in el:
        inner = _inline(child)
        tag = child.tag
        if tag in ("strong", "b"):
            parts.append(f"<b>{inner}</b>")
        elif tag in ("em", "i"):
            parts.append(f"<i>{inner}</i>")
        elif tag == "code":
            parts.append(f'<font backColor="#eef1f4">{inner}</font>')
        elif tag == "a":
            href = html.escape(child.get("href", ""))
            parts.append(f'<a href="{href}" color="#0b4f86"><u>{inner}</u></a>' if href.startswith("http") else inner)
        elif tag == "br":
            parts.append("<br/>")
        else:
            parts.append(inner)
        parts.append(html.escape(child.tail or "", quote=False))
    return "".join(parts).strip()


class _Heading:
    """Factory of heading paragraphs that add an outline entry when drawn."""

    def __init__(self, styles: dict[str, Any]) -> None:
        self.styles = styles
        self.count = 0

    def __call__(self, text_markup: str, plain: str, level: int) -> Any:
        from reportlab.platypus import Paragraph

        self.count += 1
        key = f"h{self.count}"
        style = self.styles[f"h{min(level, 3)}"]
        para = Paragraph(f'<a name="{key}"/>{text_markup}', style)
        para._cagette_outline = (plain, key, level - 1)  # type: ignore[attr-defined]
        return para


def _flow(elements: Iterable[ET.Element], styles: dict[str, Any], heading: _Heading) -> list[Any]:
    from reportlab.platypus import KeepTogether, ListFlowable, ListItem, Paragraph, Spacer, Table, TableStyle

    out: list[Any] = []
    for el in elements:
        tag = el.tag
        if tag in ("h1", "h2", "h3", "h4"):
            level = int(tag[1])
            out.append(heading(_inline(el), "".join(el.itertext()).strip(), level))
        elif tag == "p":
            out.append(Paragraph(_inline(el), styles["body"]))
        elif tag in ("ul", "ol"):
            items = []
            checklist = False
            for li in el.findall("li"):
                blocks = [c for c in li if c.tag in ("p", "ul", "ol")]
                if blocks:
                    content = _flow(blocks, styles, heading)
                else:
                    text = _inline(li)
                    if text.startswith(CHECKBOX):
                        checklist = True
                        text = text[len(CHECKBOX):].strip()
                    content = [Paragraph(text, styles["li"])]
                items.append(ListItem(content, value=None))
            if tag == "ol":
                out.append(ListFlowable(items, bulletType="1", bulletFormat="%s.", bulletFontName=FONT,
                                        bulletFontSize=10.5, leftIndent=18))
            elif checklist:
                out.append(ListFlowable(items, bulletType="bullet", start=CHECKBOX, bulletFontName=FONT,
                                        bulletFontSize=12, leftIndent=18))
            else:
                out.append(ListFlowable(items, bulletType="bullet", start="•", bulletFontName=FONT,
                                        bulletFontSize=10.5, leftIndent=16))
            out.append(Spacer(1, 4))
        elif tag == "blockquote":
            inner = " ".join(_inline(p) for p in el if p.tag == "p")
            out.append(Paragraph(inner, styles["quote"]))
            out.append(Spacer(1, 6))
        elif tag == "table":
            rows = []
            for tr in el.iter("tr"):
                rows.append([Paragraph(f"<b>{_inline(cell)}</b>" if cell.tag == "th" else _inline(cell), styles["cell"])
                             for cell in tr if cell.tag in ("th", "td")])
            table = Table(rows, repeatRows=1, hAlign="LEFT")
            table.setStyle(TableStyle([
                ("GRID", (0, 0), (-1, -1), 0.5, "#777777"),
                ("BACKGROUND", (0, 0), (-1, 0), "#e4ecf3"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]))
            out.append(KeepTogether([table, Spacer(1, 8)]))
        elif tag == "hr":
            out.append(Spacer(1, 10))
        else:
            text = _inline(el)
            if text:
                out.append(Paragraph(text, styles["body"]))
    return out


def _parse(fragment: str) -> ET.Element:
    # python-markdown's HTML output is well-formed once void tags are closed
    fixed = re.sub(r"<(br|hr)>", r"<\1/>", fragment)
    return ET.fromstring(f"<div>{html.unescape(_protect(fixed))}</div>")


def _protect(text: str) -> str:
    # keep &amp; &lt; &gt; escaped through html.unescape, unescape only named letters
    return text.replace("&amp;", "&amp;amp;").replace("&lt;", "&amp;lt;").replace("&gt;", "&amp;gt;")


def pdf_document(out: Path, title: str, subtitle: str, lang: str, sections: list[Section], toc_label: str,
                 footer: str, author: str = "cagette contributors") -> None:
    """Write the sections as one A4 PDF with a title page, a contents list and an outline."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    register_fonts()
    styles = _styles()
    heading = _Heading(styles)

    class Doc(SimpleDocTemplate):
        def afterFlowable(self, flowable: Any) -> None:
            info = getattr(flowable, "_cagette_outline", None)
            if info:
                text, key, level = info
                self.canv.bookmarkPage(key)
                self.canv.addOutlineEntry(text, key, level=level, closed=level > 0)

    def page_footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColorRGB(0.3, 0.3, 0.3)
        canvas.drawString(18 * mm, 10 * mm, footer)
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, str(doc.page))
        canvas.restoreState()

    story: list[Any] = [Spacer(1, 50 * mm), Paragraph(html.escape(title), styles["title"]),
                        Paragraph(html.escape(subtitle), styles["subtitle"]), Spacer(1, 12 * mm),
                        Paragraph(html.escape(toc_label), styles["h2"])]
    for s in sections:
        story.append(Paragraph(html.escape(s.title), styles["toc"]))
    for s in sections:
        story.append(PageBreak())
        story.extend(_flow(list(_parse(s.html)), styles, heading))

    buf = io.BytesIO()
    doc = Doc(buf, pagesize=A4, title=title, author=author, subject=subtitle, lang=lang, invariant=1,
              leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm, bottomMargin=18 * mm,
              creator="cagette")
    doc.build(story, onFirstPage=page_footer, onLaterPages=page_footer)
    atomic_write_bytes(out, buf.getvalue())


def write_html(out: Path, text: str) -> None:
    atomic_write_text(out, text)
