"""Build the starter's documents: the director's guide, the trainer's kit, the storyboard sheets.

``python -m cagette.starter.build OUT_DIR`` builds everything for both
languages. Output is deterministic: the same sources give the same bytes
(``SOURCE_DATE_EPOCH`` sets the PDF dates, else a fixed date).
"""

from __future__ import annotations

import sys
from pathlib import Path

from cagette.errors import UsageError
from cagette.i18n import _

from .mdpdf import Section, html_page, pdf_document, read_sections, write_html
from .sheets import build_sheets

HERE = Path(__file__).resolve().parent
LANGUAGES = ("fr", "en")

TEXTS = {
    "fr": {
        "guide_title": "Guide de réalisation",
        "guide_subtitle": "Faire une première bonne vidéo en une matinée avec la Vidéocagette",
        "kit_title": "Kit du formateur",
        "kit_subtitle": "Animer une demi-journée de découverte de la Vidéocagette",
        "toc": "Sommaire",
        "skip": "Aller au contenu",
        "footer": "cagette · CC BY-SA 4.0 · contributeurs de cagette",
    },
    "en": {
        "guide_title": "The director's guide",
        "guide_subtitle": "Make a first good video in one morning with the Vidéocagette",
        "kit_title": "The trainer's kit",
        "kit_subtitle": "Running a half-day introduction to the Vidéocagette",
        "toc": "Contents",
        "skip": "Skip to content",
        "footer": "cagette · CC BY-SA 4.0 · cagette contributors",
    },
}


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise UsageError(_("Unknown language {lang!r} for the starter documents.").format(lang=lang),
                         _("Use 'fr' or 'en'."))


def guide_sections(lang: str) -> list[Section]:
    _check_lang(lang)
    return read_sections(HERE / "guide" / lang, lang)


def kit_sections(lang: str) -> list[Section]:
    _check_lang(lang)
    return read_sections(HERE / "trainers" / lang, lang)


def _build(sections: list[Section], lang: str, stem: str, title: str, subtitle: str, out_dir: Path) -> tuple[Path, Path]:
    t = TEXTS[lang]
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / f"{stem}-{lang}.html"
    pdf_path = out_dir / f"{stem}-{lang}.pdf"
    write_html(html_path, html_page(title, lang, sections, subtitle, t["footer"], t["toc"], t["skip"]))
    pdf_document(pdf_path, title, subtitle, lang, sections, t["toc"], t["footer"])
    return html_path, pdf_path


def build_guide(lang: str, out_dir: Path) -> tuple[Path, Path]:
    """Build the director's guide of *lang* into *out_dir*; returns (html_path, pdf_path)."""
    sections = guide_sections(lang)
    t = TEXTS[lang]
    return _build(sections, lang, "guide", t["guide_title"], t["guide_subtitle"], Path(out_dir))


def build_trainer_kit(lang: str, out_dir: Path) -> tuple[Path, Path]:
    """Build the trainer's kit of *lang* into *out_dir*; returns (html_path, pdf_path)."""
    sections = kit_sections(lang)
    t = TEXTS[lang]
    return _build(sections, lang, "trainer-kit", t["kit_title"], t["kit_subtitle"], Path(out_dir))


def build_storyboard_sheets(lang: str, out_dir: Path) -> tuple[Path, Path]:
    """Build the printable A4 storyboard sheets; returns (16:9 pdf, 9:16 pdf)."""
    _check_lang(lang)
    return build_sheets(lang, Path(out_dir))


def build_all(out_dir: Path) -> list[Path]:
    made: list[Path] = []
    for lang in LANGUAGES:
        made += build_guide(lang, out_dir)
        made += build_trainer_kit(lang, out_dir)
        made += build_storyboard_sheets(lang, out_dir)
    return made


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else Path("out/starter")
    for path in build_all(out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
