"""Printable A4 storyboard sheets whose frames are exactly 16:9 or 9:16.

Frame sizes are whole or one-decimal numbers of PDF points chosen so that
the numbers written in the PDF keep the exact ratio (224 × 126 and
108 × 192). Beside each frame: lines for the words said, what is seen and
the duration. Inside each frame, dashed, the safe area (90 %) where titles
and important drawings belong, and a band at the bottom kept for captions.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from cagette.documents import FONT, FONT_BOLD
from cagette.documents import pdf_fonts as register_fonts
from cagette.fsutil import atomic_write_bytes

LANDSCAPE = (224.0, 126.0)  # 16:9
PORTRAIT = (108.0, 192.0)  # 9:16
SAFE = 0.9

TEXTS = {
    "fr": {
        "title16": "Storyboard 16:9 (paysage)",
        "title9": "Storyboard 9:16 (portrait)",
        "project": "Projet :",
        "page": "Page :",
        "scene": "Plan",
        "voice": "Texte dit (voix off) :",
        "seen": "Ce qu'on voit, ce qui bouge :",
        "duration": "Durée :        s  (≈ 2 mots/s)",
        "legend": "Tirets : zone sûre (titres, textes). Bande du bas : réservée aux sous-titres.",
        "footer": "cagette · feuille de storyboard · CC BY-SA 4.0",
    },
    "en": {
        "title16": "Storyboard 16:9 (landscape)",
        "title9": "Storyboard 9:16 (portrait)",
        "project": "Project:",
        "page": "Page:",
        "scene": "Shot",
        "voice": "Words said (voice-over):",
        "seen": "What we see, what moves:",
        "duration": "Duration:        s  (≈ 2 words/s)",
        "legend": "Dashes: safe area (titles, text). Bottom band: kept for captions.",
        "footer": "cagette · storyboard sheet · CC BY-SA 4.0",
    },
}


def _frame(c: Any, x: float, y: float, w: float, h: float) -> None:
    """A frame with its lower-left corner at (x, y), its safe area and caption band."""
    c.setLineWidth(1.2)
    c.setStrokeColorRGB(0, 0, 0)
    c.setDash()
    c.rect(x, y, w, h)
    sw, sh = round(w * SAFE, 4), round(h * SAFE, 4)
    c.setLineWidth(0.4)
    c.setStrokeColorRGB(0.55, 0.55, 0.55)
    c.setDash(3, 3)
    c.rect(x + (w - sw) / 2, y + (h - sh) / 2, sw, sh)
    band = (h - sh) / 2 + sh * 0.2
    c.setDash(1, 2)
    c.line(x + (w - sw) / 2, y + band, x + (w + sw) / 2, y + band)
    c.setDash()


def _lines(c: Any, t: dict[str, str], x: float, top: float, width: float, height: float) -> None:
    """Labelled writing lines in the box (x, top-height)–(x+width, top)."""
    c.setStrokeColorRGB(0.6, 0.6, 0.6)
    c.setLineWidth(0.5)
    c.setFillColorRGB(0.25, 0.25, 0.25)
    c.setFont(FONT, 7.5)
    y = top - 9
    c.drawString(x, y, t["voice"])
    voice_lines = max(2, int(height * 0.55 // 15))
    for _ in range(voice_lines):
        y -= 15
        c.line(x, y, x + width, y)
    y -= 12
    c.drawString(x, y, t["seen"])
    while y - 15 > top - height + 14:
        y -= 15
        c.line(x, y, x + width, y)
    c.drawString(x, top - height + 2, t["duration"])


def _header(c: Any, t: dict[str, str], title: str, page_w: float, page_h: float) -> None:
    c.setFillColorRGB(0, 0, 0)
    c.setFont(FONT_BOLD, 15)
    c.drawString(36, page_h - 46, title)
    c.setFont(FONT, 9)
    c.drawString(300, page_h - 46, t["project"])
    c.setStrokeColorRGB(0.5, 0.5, 0.5)
    c.setLineWidth(0.5)
    c.line(350, page_h - 48, 480, page_h - 48)
    c.drawString(490, page_h - 46, t["page"])
    c.line(525, page_h - 48, page_w - 36, page_h - 48)
    c.setFont(FONT, 7.5)
    c.setFillColorRGB(0.3, 0.3, 0.3)
    c.drawString(36, page_h - 62, t["legend"])
    c.drawString(36, 20, t["footer"])


def sheet_pdf(lang: str, orientation: str) -> bytes:
    """The bytes of one A4 sheet ('landscape' 16:9: 5 frames; 'portrait' 9:16: 6 frames)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    register_fonts()
    t = TEXTS[lang]
    page_w, page_h = A4
    buf = io.BytesIO()
    title = t["title16"] if orientation == "landscape" else t["title9"]
    c = Canvas(buf, pagesize=A4, invariant=1, pageCompression=0, lang=lang)
    c.setTitle(title)
    c.setAuthor("cagette contributors")
    c.setCreator("cagette")
    _header(c, t, title, page_w, page_h)
    top = page_h - 80
    number = 0
    if orientation == "landscape":
        w, h = LANDSCAPE
        for row in range(5):
            number += 1
            label_y = top - row * 146
            y = label_y - 10 - h
            c.setFillColorRGB(0, 0, 0)
            c.setFont(FONT_BOLD, 8.5)
            c.drawString(36, label_y - 7, f"{t['scene']} {number}")
            _frame(c, 36, y, w, h)
            _lines(c, t, 36 + w + 14, y + h, page_w - 36 - (36 + w + 14), h)
    else:
        w, h = PORTRAIT
        col_w = (page_w - 72 - 18) / 2
        for row in range(3):
            for col in range(2):
                number += 1
                x = 36 + col * (col_w + 18)
                label_y = top - row * 218
                y = label_y - 12 - h
                c.setFillColorRGB(0, 0, 0)
                c.setFont(FONT_BOLD, 8.5)
                c.drawString(x, label_y - 7, f"{t['scene']} {number}")
                _frame(c, x, y, w, h)
                _lines(c, t, x + w + 10, y + h, col_w - w - 10, h)
    c.showPage()
    c.save()
    return buf.getvalue()


def build_sheets(lang: str, out_dir: Path) -> tuple[Path, Path]:
    """Write the 16:9 and 9:16 sheets of *lang*; returns (landscape_pdf, portrait_pdf)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for orientation, suffix in (("landscape", "16x9"), ("portrait", "9x16")):
        path = out_dir / f"storyboard-{suffix}-{lang}.pdf"
        atomic_write_bytes(path, sheet_pdf(lang, orientation))
        paths.append(path)
    return paths[0], paths[1]
