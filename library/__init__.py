"""The starter library's sources, shipped as the ``cagette.starter`` package.

What a newcomer finds in their library on the first start: the director's
guide (with its pictures when a figure set was made: :mod:`cagette.starter.figures`),
the trainer's kit (with the key memo and the feedback sheet), the right-to-image
consent form, printable storyboard sheets and the storyboard templates, in French
and English, under CC-BY-SA-4.0.

The library area imports them with::

    from cagette.starter import resources
    for res in resources(build_dir):   # builds PDFs/HTML into build_dir (about a second)
        ...                            # res.id is stable: a newer starter arrives as edits

Each resource's ``version`` is recorded in ``versions.toml`` beside a digest of
its sources; a test fails when the sources change and the version does not.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cagette.documents as _documents

HERE = Path(__file__).resolve().parent
DOCUMENTS = Path(_documents.__file__).resolve()  # the one HTML→PDF path every starter PDF goes through
LICENCE = "CC-BY-SA-4.0"
AUTHORS = ("cagette contributors",)
ORGANISATION = "cagette"
# the library's file roles: the PDF of a document is "main", its HTML an "attachment"
ROLES = ("main", "captions", "transcript", "thumbnail", "storyboard", "source", "attachment")
KINDS = ("video", "storyboard", "template", "guide", "plan", "frames", "audio")
LANGUAGES = ("fr", "en")


@dataclass(frozen=True)
class StarterResource:
    """One resource of the starter library, ready to be added to a user's library."""

    id: str
    kind: str
    title: str
    description: str
    language: str
    licence: str
    tags: tuple[str, ...]
    authors: tuple[str, ...]
    organisation: str
    version: int
    files: list[tuple[str, Path]] = field(default_factory=list)  # (role, absolute path); roles: ROLES
    derived_from: tuple[str, ...] = ()
    people: str = ""  # whether people appear (the library's "people" field): "none" for the paper sample

    @property
    def main(self) -> Path:
        """The file that stands for the resource (role "main", else the first file)."""
        for role, path in self.files:
            if role == "main":
                return path
        return self.files[0][1]


def templates_dir() -> Path:
    """The folder of storyboard templates: ``<slug>/<lang>/project.toml``."""
    return HERE / "templates"


def template_slugs() -> list[str]:
    return sorted(p.name for p in templates_dir().iterdir() if (p / "fr" / "project.toml").is_file()) \
        if templates_dir().is_dir() else []


# ------------------------------------------------------------------ versions

def _versions() -> dict[str, dict[str, object]]:
    path = HERE / "versions.toml"
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        return tomllib.load(fh)


def source_files(resource_id: str) -> list[Path]:
    """The source files a resource is built from (what its digest covers)."""
    kind, _, rest = resource_id.removeprefix("starter-").partition("-")
    lang = resource_id.rsplit("-", 1)[-1]
    builder = [HERE / "build.py", HERE / "mdpdf.py", DOCUMENTS, *sorted((HERE / "pages").glob("*.html"))]  # layout: PDFs too
    if kind == "guide":
        pictures = [HERE / n for n in ("figures.py", "drawings.py", "pictures.py", "morning.py", "sample.py")]
        return (sorted((HERE / "guide" / lang).glob("*.md")) + builder + pictures
                + sorted((HERE / "screens").glob(f"*-{lang}.png")))
    if kind == "trainer":
        return (sorted((HERE / "trainers" / lang).glob("*.md")) + sorted((HERE / "forms" / lang).glob("02-*.md"))
                + builder + [HERE / "memo.py", HERE / "screens" / "keys.json"])
    if kind == "consent":
        return sorted((HERE / "forms" / lang).glob("01-*.md")) + builder
    if kind == "storyboard":
        return [HERE / "sheets.py", HERE / "mdpdf.py", DOCUMENTS]
    if kind == "template":
        slug = rest.rsplit("-", 1)[0]
        folder = templates_dir() / slug / lang
        return sorted(p for p in folder.rglob("*") if p.is_file())
    return []


def digest(resource_id: str) -> str:
    h = hashlib.sha256()
    for path in source_files(resource_id):
        # named as installed: below the starter, or below cagette for the shared plumbing (documents.py)
        base = HERE if path.is_relative_to(HERE) else DOCUMENTS.parent
        h.update(str(path.relative_to(base)).encode() + b"\0")
        h.update(path.read_bytes().replace(b"\r\n", b"\n") + b"\0")
    return h.hexdigest()


def _version(resource_id: str) -> int:
    entry = _versions().get(resource_id, {})
    value = entry.get("version", 1) if isinstance(entry, dict) else 1
    return int(value) if isinstance(value, int) else 1


# ------------------------------------------------------------------ resources

_DOCS = {
    "fr": {
        "guide": ("Guide de réalisation",
                  "Tout pour faire une première bonne vidéo en une matinée : écrire pour l'oreille, storyboard, "
                  "papiers et mains, cadrage, lumière, voix, sous-titres et accessibilité (RGAA), licences, "
                  "publication."),
        "trainer": ("Kit du formateur",
                    "Déroulé d'une matinée de formation qui suit les étapes de l'application, exercices à partir "
                    "des modèles, matinée sans matériel, liste pour prêter le studio ; avec l'aide-mémoire des "
                    "touches et la fiche de retour à imprimer."),
        "consent": ("Autorisation de droit à l'image",
                    "Formulaire à faire signer par chaque personne reconnaissable dans une vidéo avant sa "
                    "publication : diffusions autorisées, licence libre, durée, droit de retrait."),
        "16x9": ("Feuille de storyboard 16:9 (paysage)",
                 "Feuille A4 à imprimer : cinq cases au format 16:9 avec zone sûre et lignes pour le texte."),
        "9x16": ("Feuille de storyboard 9:16 (portrait)",
                 "Feuille A4 à imprimer : six cases au format 9:16 avec zone sûre et lignes pour le texte."),
    },
    "en": {
        "guide": ("The director's guide",
                  "Everything for a first good video in one morning: writing for the ear, storyboard, paper and "
                  "hands, framing, light, voice, captions and accessibility (RGAA), licences, publishing."),
        "trainer": ("The trainer's kit",
                    "A training morning that follows the app's steps, exercises from the templates, a morning "
                    "without hardware, a checklist for lending the studio; with the key memo and the feedback "
                    "sheet to print."),
        "consent": ("Right-to-image consent form",
                    "A form for every person who can be recognised in a video to sign before it is published: "
                    "where it is shown, the free licence, how long, the right to withdraw."),
        "16x9": ("Storyboard sheet 16:9 (landscape)",
                 "A4 sheet to print: five 16:9 frames with the safe area and lines for the script."),
        "9x16": ("Storyboard sheet 9:16 (portrait)",
                 "A4 sheet to print: six 9:16 frames with the safe area and lines for the script."),
    },
}


def resource_ids() -> list[str]:
    """Every starter resource id, without building anything."""
    ids = []
    for lang in LANGUAGES:
        ids += [f"starter-guide-{lang}", f"starter-trainer-kit-{lang}", f"starter-consent-form-{lang}",
                f"starter-storyboard-16x9-{lang}", f"starter-storyboard-9x16-{lang}"]
    for slug in template_slugs():
        ids += [f"starter-template-{slug}-{lang}" for lang in LANGUAGES
                if (templates_dir() / slug / lang / "project.toml").is_file()]
    return ids


def stale_versions() -> list[str]:
    """Ids whose sources changed since their version was recorded in ``versions.toml``."""
    recorded = _versions()
    return [rid for rid in resource_ids()
            if not isinstance(recorded.get(rid), dict) or recorded[rid].get("digest") != digest(rid)]


def _res(rid: str, kind: str, lang: str, title: str, description: str, tags: tuple[str, ...],
         files: list[tuple[str, Path]]) -> StarterResource:
    derived = (rid.removesuffix("-en") + "-fr",) if lang == "en" else ()
    return StarterResource(id=rid, kind=kind, title=title, description=description, language=lang,
                           licence=LICENCE, tags=("starter", *tags), authors=AUTHORS, organisation=ORGANISATION,
                           version=_version(rid), files=files, derived_from=derived)


def document_resources(build_dir: Path, figures: Any = None) -> list[StarterResource]:
    """The guide, the trainer's kit, the consent form and the storyboard sheets, built into *build_dir*.

    The guide's pictures come from *figures* (a :class:`cagette.starter.figures.FigureSet`), else from
    the set made last in the cache folder; without one, the guide has no pictures.
    """
    from .build import (
        build_form,
        build_guide,
        build_key_memo,
        build_storyboard_sheets,
        build_trainer_kit,
        form_sections,
        guide_sections,
        kit_sections,
    )
    from .figures import cached

    build_dir = Path(build_dir)
    figures = figures if figures is not None else cached()
    out: list[StarterResource] = []
    for lang in LANGUAGES:
        texts = _DOCS[lang]
        html, pdf = build_guide(lang, build_dir, figures)
        sources = [("source", HERE / "guide" / lang / f"{s.number}-{s.slug}.md") for s in guide_sections(lang)]
        out.append(_res(f"starter-guide-{lang}", "guide", lang, *texts["guide"], ("guide", "director"),
                        [("main", pdf), ("attachment", html), *sources]))
        html, pdf = build_trainer_kit(lang, build_dir)
        memo = build_key_memo(lang, build_dir)
        sheet_html, sheet_pdf = build_form(lang, "feedback", build_dir)
        sources = [("source", HERE / "trainers" / lang / f"{s.number}-{s.slug}.md") for s in kit_sections(lang)]
        out.append(_res(f"starter-trainer-kit-{lang}", "plan", lang, *texts["trainer"], ("training", "trainer"),
                        [("main", pdf), ("attachment", html), ("attachment", memo), ("attachment", sheet_pdf),
                         ("attachment", sheet_html), *sources]))
        html, pdf = build_form(lang, "consent", build_dir)
        sources = [("source", HERE / "forms" / lang / f"{s.number}-{s.slug}.md") for s in form_sections(lang, "consent")]
        out.append(_res(f"starter-consent-form-{lang}", "guide", lang, *texts["consent"],
                        ("consent", "form", "print", "rgpd"), [("main", pdf), ("attachment", html), *sources]))
        landscape, portrait = build_storyboard_sheets(lang, build_dir)
        out.append(_res(f"starter-storyboard-16x9-{lang}", "storyboard", lang, *texts["16x9"],
                        ("storyboard", "print", "16:9"), [("main", landscape)]))
        out.append(_res(f"starter-storyboard-9x16-{lang}", "storyboard", lang, *texts["9x16"],
                        ("storyboard", "print", "9:16"), [("main", portrait)]))
    return out


def template_resources() -> list[StarterResource]:
    """One resource per template and language; its files are the template's folder."""
    out = []
    for slug in template_slugs():
        for lang in LANGUAGES:
            folder = templates_dir() / slug / lang
            toml = folder / "project.toml"
            if not toml.is_file():
                continue
            with toml.open("rb") as fh:
                data = tomllib.load(fh)
            meta = data.get("template", {}) if isinstance(data.get("template"), dict) else {}
            title = str(meta.get("title") or data.get("title") or slug)
            description = str(meta.get("description") or "")
            tags = tuple(str(t) for t in meta.get("tags", ()))
            files = [("main", toml)] + [("attachment", p) for p in sorted(folder.rglob("*"))
                                        if p.is_file() and p != toml]
            out.append(_res(f"starter-template-{slug}-{lang}", "template", lang, title, description,
                            ("template", slug, *tags), files))
    return out


def resources(build_dir: Path, figures: Any = None) -> list[StarterResource]:
    """Every starter resource, with what needs building built into *build_dir*.

    Ids are stable ("starter-guide-fr", "starter-template-explain-procedure-en"...);
    files are absolute paths, inside *build_dir* for built documents and inside
    the package for sources. Takes about a second.
    """
    return document_resources(build_dir, figures) + template_resources()


def sample_resources(sample_dir: Path, lang: str = "fr") -> list[StarterResource]:
    """The sample project's resources, for what exists in *sample_dir* (made by ``cagette.starter.sample``).

    ``starter-sample-video-<lang>`` once rendered (main MP4, captions, transcript, thumbnail,
    storyboard), ``starter-sample-frames-<lang>`` (the stop-motion frames of its last scene) and
    ``starter-sample-audio-<lang>`` (voice-overs and music). Nothing is built here.
    """
    from .sample import SAMPLE_VERSION, TEXTS

    sample_dir = Path(sample_dir).absolute()
    toml = sample_dir / "project.toml"
    if not toml.is_file():
        return []
    t = TEXTS[lang]

    def res(kind: str, suffix: str, tags: tuple[str, ...], files: list[tuple[str, Path]]) -> StarterResource:
        return StarterResource(id=f"starter-sample-{kind}-{lang}", kind=kind, title=t.title + suffix,
                               description=t.description, language=lang, licence=LICENCE,
                               tags=("starter", "sample", *tags), authors=AUTHORS, organisation=ORGANISATION,
                               version=SAMPLE_VERSION, files=files, people="none")

    out: list[StarterResource] = []
    exports = sample_dir / "exports"
    videos = sorted(exports.rglob("*.mp4")) if exports.is_dir() else []
    if videos:
        video = videos[0]
        files: list[tuple[str, Path]] = [("main", video)]
        stem = video.name.split(".")[0]
        for p in sorted(video.parent.iterdir()):
            role = {".vtt": "captions", ".srt": "captions", ".txt": "transcript", ".jpg": "thumbnail",
                    ".png": "thumbnail"}.get(p.suffix.lower())
            if role and p.name.split(".")[0] == stem:
                files.append((role, p))
        out.append(res("video", "", ("paper",), [*files, ("storyboard", toml)]))
    scenes = sorted(p for p in (sample_dir / "frames").iterdir() if p.is_dir()) \
        if (sample_dir / "frames").is_dir() else []
    last = sample_dir / "frames" / t.scenes[-1].slug
    frames = sorted(last.glob("*.jpg")) if last in scenes else []
    if frames:
        out.append(res("frames", " — " + t.scenes[-1].title, ("stop-motion",),
                       [("main", frames[0])] + [("attachment", p) for p in frames[1:]]))
    audio = sorted((sample_dir / "audio").glob("*.wav"))
    if audio:
        out.append(res("audio", " — audio", ("voice", "music"),
                       [("main", audio[0])] + [("attachment", p) for p in audio[1:]]))
    return out
