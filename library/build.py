"""Build the starter's documents: the director's guide, the trainer's kit, the storyboard sheets, the forms.

``python -m cagette.starter.build OUT_DIR [--figures DIR | --kit KIT --sample SAMPLE | --no-figures]``
builds everything for both languages. The guide's pictures come from a figure set
(:mod:`cagette.starter.figures`): the one in the cache folder, made first when it is missing (or when
``--kit``/``--sample`` say what to make it from). Output is deterministic: the same sources and
figures give the same bytes (``SOURCE_DATE_EPOCH`` sets the PDF dates, else a fixed date).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cagette.errors import CagetteError, UsageError
from cagette.i18n import _

from .mdpdf import FigureLookup, Section, html_page, pdf_document, read_sections, write_html
from .memo import build_memo
from .sheets import build_sheets

if TYPE_CHECKING:
    from .figures import FigureSet

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
        "consent_title": "Autorisation de droit à l'image",
        "consent_subtitle": "Pour filmer une personne et publier la vidéo",
        "feedback_title": "Fiche de retour",
        "feedback_subtitle": "Votre avis sur la matinée de découverte",
    },
    "en": {
        "guide_title": "The director's guide",
        "guide_subtitle": "Make a first good video in one morning with the Vidéocagette",
        "kit_title": "The trainer's kit",
        "kit_subtitle": "Running a half-day introduction to the Vidéocagette",
        "toc": "Contents",
        "skip": "Skip to content",
        "footer": "cagette · CC BY-SA 4.0 · cagette contributors",
        "consent_title": "Right-to-image consent form",
        "consent_subtitle": "To film a person and publish the video",
        "feedback_title": "Feedback sheet",
        "feedback_subtitle": "Your view of the introduction morning",
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


def form_sections(lang: str, form: str) -> list[Section]:
    """The sections of a printable form (``forms/<lang>/<NN>-<form>*.md``: "consent", "feedback")."""
    _check_lang(lang)
    number = {"consent": "01", "feedback": "02"}[form]
    return [s for s in read_sections(HERE / "forms" / lang, lang) if s.number == number]


def _lookup(figures: FigureSet | None, lang: str) -> FigureLookup | None:
    if figures is None:
        return None
    return lambda name: figures.path(name, lang)


def _build(sections: list[Section], lang: str, stem: str, title: str, subtitle: str, out_dir: Path,
           figure: FigureLookup | None = None, cover: bool = True) -> tuple[Path, Path]:
    t = TEXTS[lang]
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / f"{stem}-{lang}.html"
    pdf_path = out_dir / f"{stem}-{lang}.pdf"
    write_html(html_path, html_page(title, lang, sections, subtitle, t["footer"], t["toc"], t["skip"], figure))
    pdf_document(pdf_path, title, subtitle, lang, sections, t["toc"], t["footer"], figure=figure, cover=cover)
    return html_path, pdf_path


def build_guide(lang: str, out_dir: Path, figures: FigureSet | None = None) -> tuple[Path, Path]:
    """Build the director's guide of *lang* into *out_dir*, with the pictures of *figures* (None: none);
    returns (html_path, pdf_path)."""
    sections = guide_sections(lang)
    t = TEXTS[lang]
    return _build(sections, lang, "guide", t["guide_title"], t["guide_subtitle"], Path(out_dir),
                  _lookup(figures, lang))


def build_trainer_kit(lang: str, out_dir: Path) -> tuple[Path, Path]:
    """Build the trainer's kit of *lang* into *out_dir*; returns (html_path, pdf_path)."""
    sections = kit_sections(lang)
    t = TEXTS[lang]
    return _build(sections, lang, "trainer-kit", t["kit_title"], t["kit_subtitle"], Path(out_dir))


def build_form(lang: str, form: str, out_dir: Path) -> tuple[Path, Path]:
    """A printable form of *lang* ("consent": the right-to-image consent, "feedback": the feedback sheet)."""
    t = TEXTS[lang]
    stem = {"consent": "consent-form", "feedback": "feedback-sheet"}[form]
    return _build(form_sections(lang, form), lang, stem, t[f"{form}_title"], t[f"{form}_subtitle"], Path(out_dir),
                  cover=False)


def build_key_memo(lang: str, out_dir: Path) -> Path:
    """The one-page memo of the app's keys (from ``screens/keys.json``)."""
    _check_lang(lang)
    return build_memo(lang, Path(out_dir))


def build_storyboard_sheets(lang: str, out_dir: Path) -> tuple[Path, Path]:
    """Build the printable A4 storyboard sheets; returns (16:9 pdf, 9:16 pdf)."""
    _check_lang(lang)
    return build_sheets(lang, Path(out_dir))


def build_all(out_dir: Path, figures: FigureSet | None = None) -> list[Path]:
    made: list[Path] = []
    for lang in LANGUAGES:
        made += build_guide(lang, out_dir, figures)
        made += build_trainer_kit(lang, out_dir)
        made.append(build_key_memo(lang, out_dir))
        made += build_form(lang, "feedback", out_dir)
        made += build_form(lang, "consent", out_dir)
        made += build_storyboard_sheets(lang, out_dir)
    return made


def _figures(ns: argparse.Namespace) -> FigureSet | None:
    from .figures import FigureSet, cached, make_figures

    if ns.no_figures:
        return None
    if ns.figures is not None:
        given = FigureSet.load(ns.figures)
        if given is None:
            raise UsageError(_("{folder} holds no complete set of the guide's figures.").format(folder=ns.figures),
                             _("Make it with `python -m cagette.starter.figures --out {folder}`.").format(
                                 folder=ns.figures))
        return given
    found = None if (ns.kit or ns.sample) else cached()
    return found or make_figures(kit=ns.kit, sample=ns.sample)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cagette.starter.build",
                                     description="Build the starter's guides, kits, sheets and forms.")
    parser.add_argument("out", nargs="?", type=Path, default=Path("out/starter"))
    parser.add_argument("--figures", type=Path, help="a figure set (python -m cagette.starter.figures --out DIR)")
    parser.add_argument("--kit", type=Path, help="make the figures from this plans kit")
    parser.add_argument("--sample", type=Path, help="make the figures from this rendered sample project")
    parser.add_argument("--no-figures", action="store_true", help="the guide without its pictures")
    ns = parser.parse_args(argv)
    try:
        figures = _figures(ns)
        for path in build_all(ns.out, figures):
            print(path)
    except CagetteError as exc:
        print(f"Error: {exc.message} Hint: {exc.hint}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
