"""The one-page memo of the app's keys, printed for each participant of a training morning.

Drawn from ``screens/keys.json``, which ``scripts/app_screens.py keys`` writes from the app's own key
lists (the ones its help screen shows), so the memo never names a key the app does not have. Two
columns on one A4 page; the text shrinks, never spills onto a second page.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from cagette.documents import FONT, FONT_BOLD
from cagette.documents import pdf_fonts as register_fonts
from cagette.errors import UsageError
from cagette.fsutil import atomic_write_bytes
from cagette.i18n import _

HERE = Path(__file__).resolve().parent
KEYS = HERE / "screens" / "keys.json"
TEXTS = {
    "fr": {"title": "cagette : les touches de l'application", "footer": "cagette · aide-mémoire des touches · "
           "CC BY-SA 4.0 · F1 dans l'application montre la même liste",
           "intro": "Chaque action a une touche ; la souris marche aussi. Échap revient en arrière."},
    "en": {"title": "cagette: the keys of the app", "footer": "cagette · key memo · CC BY-SA 4.0 · "
           "F1 in the app shows the same list",
           "intro": "Every action has a key; the mouse works too. Esc goes back."},
}


def key_sections(lang: str, path: Path = KEYS) -> list[dict[str, Any]]:
    """[{title, keys: [[key, label]]}] of *lang*, as the app's help lists them."""
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
        sections = table[lang]
    except (OSError, ValueError, KeyError):
        raise UsageError(_("The list of the app's keys ({file}) is missing or unreadable.").format(file=path),
                         _("Write it with `python scripts/app_screens.py keys`.")) from None
    return [s for s in sections if isinstance(s, dict) and s.get("keys")]


def memo_pdf(lang: str, path: Path = KEYS) -> bytes:
    """The memo of *lang*: a title, then every screen's keys in two columns, on one A4 page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    register_fonts()
    t = TEXTS[lang]
    sections = key_sections(lang, path)
    page_w, page_h = A4
    top, bottom, margin, gap = page_h - 92, 40, 36, 18
    col_w = (page_w - 2 * margin - gap) / 2
    rows = sum(len(s["keys"]) + 1.6 for s in sections)
    widest = max(len(s["keys"]) + 1.6 for s in sections)  # a column breaks between sections only
    size = min(10.0, (top - bottom) * 2 / (rows + widest) / 1.45)  # shrink until two columns hold it all
    line = size * 1.45
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1, lang=lang, initialFontName=FONT)
    c.setTitle(t["title"])
    c.setAuthor("cagette contributors")
    c.setCreator("cagette")
    c.setFont(FONT_BOLD, 18)
    c.drawString(margin, page_h - 52, t["title"])
    c.setFont(FONT, 9.5)
    c.drawString(margin, page_h - 70, t["intro"])
    x, y = margin, top
    for section in sections:
        needed = (len(section["keys"]) + 1.6) * line
        if y - needed < bottom and x == margin:
            x, y = margin + col_w + gap, top
        c.setFont(FONT_BOLD, size + 1)
        c.setFillColorRGB(0.08, 0.25, 0.37)
        c.drawString(x, y, section["title"])
        y -= line * 1.2
        c.setFillColorRGB(0, 0, 0)
        for key, label in section["keys"]:
            c.setFont(FONT_BOLD, size)
            c.drawString(x + 4, y, key)
            c.setFont(FONT, size)
            c.drawString(x + 4 + col_w * 0.27, y, label[:60])
            y -= line
        y -= line * 0.4
    c.setFont(FONT, 7.5)
    c.setFillColorRGB(0.3, 0.3, 0.3)
    c.drawString(margin, 20, t["footer"])
    c.showPage()
    c.save()
    return buf.getvalue()


def build_memo(lang: str, out_dir: Path) -> Path:
    out = Path(out_dir) / f"keys-memo-{lang}.pdf"
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out, memo_pdf(lang))
    return out
