"""Documents people read: HTML pages from Jinja2 templates, and the fonts of every PDF.

* :func:`templates` is the Jinja2 environment of a package's ``templates/`` folder, with autoescape on
  (every value is escaped unless a template marks it ``|safe``), undefined names refused, and ``_`` and
  ``ngettext`` of :mod:`cagette.i18n` at hand (translated in the language current when rendering).
* :func:`pdf_fonts` registers cagette's font with reportlab once, under one name for every PDF
  (the plans guide, the starter's guides and forms), and returns the (regular, bold) names.
* :func:`pdf_document` is the one way from HTML to PDF: it walks the HTML tree of each
  :class:`Section` into reportlab flowables, so the page and the PDF say the same thing, with real
  headings (``pdftotext`` finds them) and an outline. A paragraph holding only ``<img src="fig:NAME">``
  is a figure: *NAME* is looked up by the caller's ``figure`` function (a picture file, or a
  reportlab flowable of its own drawing; None leaves it out), kept with its caption. Deterministic:
  no clock but ``SOURCE_DATE_EPOCH``, fixed PDF identifiers (reportlab's invariant mode).
"""

from __future__ import annotations

import functools
import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cagette.fsutil import atomic_write_bytes
from cagette.i18n import _, ngettext

if TYPE_CHECKING:
    import jinja2

FONT = "CagetteSans"
FONT_BOLD = "CagetteSans-Bold"
CHECKBOX = "☐"
# a figure's name -> its picture (a file or its bytes), or a flowable drawing it, or None (left out)
FigureLookup = Callable[[str], Any]


@dataclass(frozen=True)
class Section:
    """One Markdown source file: its number, slug, title and HTML body."""

    number: str
    slug: str
    title: str
    markdown: str
    html: str




@functools.cache
def templates(package: str, folder: str = "templates") -> jinja2.Environment:
    """The templates of *package*'s *folder* (``cagette.capture`` → ``cagette/capture/templates``)."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader(package, folder), autoescape=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.globals.update(_=_, ngettext=ngettext)
    return env


def pdf_fonts() -> tuple[str, str]:
    """Register cagette's font with reportlab (once) and return its (regular, bold) names.

    No italic face is shipped: italics stay upright."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from cagette.locations import font_path

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(font_path())))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(font_path(bold=True))))
        addMapping(FONT, 0, 0, FONT)
        addMapping(FONT, 1, 0, FONT_BOLD)
        addMapping(FONT, 0, 1, FONT)
        addMapping(FONT, 1, 1, FONT_BOLD)
    return FONT, FONT_BOLD


# -- HTML to PDF ---------------------------------------------------------------------------

def image_size(picture: Path | bytes) -> tuple[int, int]:
    """Width and height in pixels of a picture file, or of a picture's bytes."""
    import io

    from PIL import Image

    with Image.open(io.BytesIO(picture) if isinstance(picture, bytes) else picture) as img:
        return int(img.width), int(img.height)


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
        "pre": ParagraphStyle("pre", parent=base, fontSize=6.2, leading=7.4, spaceAfter=6),
        "caption": ParagraphStyle("caption", parent=base, fontSize=9, leading=12, spaceBefore=3,
                                  textColor=HexColor("#333333")),
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
        para._cagette_outline = (plain, key, level - 1)
        return para


FIGURE_MAX_MM = (165.0, 118.0)


def _pdf_figure(img: ET.Element, styles: dict[str, Any], figure: FigureLookup | None) -> list[Any]:
    """An image from the figure set, as large as fits, kept with its caption (nothing without it)."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, KeepTogether, Paragraph, Spacer

    src = img.get("src", "")
    found = figure(src[4:]) if figure and src.startswith("fig:") else None
    if found is None:
        return []
    if isinstance(found, (Path, bytes)):  # a picture, as large as fits
        import io

        w, h = image_size(found)
        scale = min(FIGURE_MAX_MM[0] * mm / w, FIGURE_MAX_MM[1] * mm / h)
        found = Image(io.BytesIO(found) if isinstance(found, bytes) else str(found), width=w * scale,
                      height=h * scale)
    parts: list[Any] = [Spacer(1, 4), found]
    if img.get("title"):
        parts.append(Paragraph(html.escape(img.get("title", ""), quote=False), styles["caption"]))
    return [KeepTogether([*parts, Spacer(1, 6)])]


def _flow(elements: Iterable[ET.Element], styles: dict[str, Any], heading: _Heading,
          figure: FigureLookup | None = None) -> list[Any]:
    from reportlab.platypus import KeepTogether, ListFlowable, ListItem, Paragraph, Spacer, Table, TableStyle

    out: list[Any] = []
    for el in elements:
        tag = el.tag
        if tag == "p" and len(el) == 1 and el[0].tag == "img" and not (el.text or "").strip():
            out.extend(_pdf_figure(el[0], styles, figure))
        elif tag in ("h1", "h2", "h3", "h4"):
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
                    content = _flow(blocks, styles, heading, figure)
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
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("BACKGROUND", (0, 0), (-1, 0), "#e4ecf3"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]))
            out.append(KeepTogether([table, Spacer(1, 8)]))
        elif tag == "hr":
            out.append(Spacer(1, 10))
        elif tag == "pre":
            from reportlab.platypus import Preformatted

            out.append(Preformatted("".join(el.itertext()).rstrip("\n"), styles["pre"]))
        else:
            text = _inline(el)
            if text:
                out.append(Paragraph(text, styles["body"]))
    return out


def _parse(fragment: str) -> ET.Element:
    # python-markdown's HTML output is well-formed once void tags are closed
    fixed = re.sub(r"<(br|hr)>", r"<\1/>", fragment)
    fixed = re.sub(r"<img\b([^>]*?)\s*/?>", r"<img\1/>", fixed)
    return ET.fromstring(f"<div>{html.unescape(_protect(fixed))}</div>")


def _protect(text: str) -> str:
    # keep &amp; &lt; &gt; escaped through html.unescape, unescape only named letters
    return (text.replace("&amp;", "&amp;amp;").replace("&lt;", "&amp;lt;").replace("&gt;", "&amp;gt;")
            .replace("&quot;", "&amp;quot;"))


def sections_of(page: str) -> list[Section]:
    """The top-level ``<section>`` elements of an HTML page's body (well-formed, as our templates write
    it), each as a :class:`Section` titled by its first heading, for :func:`pdf_document`."""
    start, end = page.find("<body>"), page.rfind("</body>")
    body = _parse(page[start + len("<body>"):end] if start >= 0 and end >= 0 else page)
    found = []
    for n, el in enumerate(c for c in body if c.tag == "section"):
        heading = next((h for h in el.iter() if h.tag in ("h1", "h2", "h3")), None)
        title = "".join(heading.itertext()).strip() if heading is not None else ""
        inner = "".join(ET.tostring(child, encoding="unicode") for child in el)
        found.append(Section(f"{n:02d}", f"section-{n}", title, "", inner))
    return found


def pdf_document(out: Path, title: str, subtitle: str, lang: str, sections: list[Section], toc_label: str,
                 footer: str, author: str = "cagette contributors", figure: FigureLookup | None = None,
                 cover: bool = True, intro: Section | None = None) -> None:
    """Write the sections as one A4 PDF with a title page, a contents list and an outline (*cover* False:
    a form, its sections one after the other from the first page); *intro* is drawn on the title page."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    pdf_fonts()
    styles = _styles()
    heading = _Heading(styles)

    class Doc(SimpleDocTemplate):  # type: ignore[misc]  # reportlab ships no types: its classes are Any
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

    story: list[Any] = []
    if cover:
        story += [Spacer(1, 50 * mm), Paragraph(html.escape(title), styles["title"]),
                  Paragraph(html.escape(subtitle), styles["subtitle"]), Spacer(1, 12 * mm)]
        if intro is not None:
            story += [*_flow(list(_parse(intro.html)), styles, heading, figure), Spacer(1, 8 * mm)]
        story += [Paragraph(html.escape(toc_label), styles["h2"])]
        story += [Paragraph(html.escape(s.title), styles["toc"]) for s in sections]
    for n, s in enumerate(sections):
        if cover or n:
            story.append(PageBreak())
        story.extend(_flow(list(_parse(s.html)), styles, heading, figure))

    buf = io.BytesIO()
    doc = Doc(buf, pagesize=A4, title=title, author=author, subject=subtitle, lang=lang, invariant=1,
              initialFontName=FONT,  # no unembedded Helvetica in a document meant for any printer
              leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm, bottomMargin=18 * mm,
              creator="cagette")
    doc.build(story, onFirstPage=page_footer, onLaterPages=page_footer)
    atomic_write_bytes(out, buf.getvalue())
