"""Developer tool: find every translatable text and keep the catalogues whole (with Babel).

``python -m cagette.i18n_extract update`` adds each new ``_("...")`` /
``N_("...")`` / ``ngettext("...", "...", n)`` text of ``src/``, ``tui/`` and ``library/`` (the starter
package) to its area's catalogue (French entries empty, to translate; English entries equal to the
source) and ``check`` lists what is untranslated (the tests run it too).

Babel's Python extractor finds the texts (``babel.messages.extract``), its ``read_po``/``write_po``
read and write the catalogues; an entry no longer in the code is kept (another branch may still use it).
"""

from __future__ import annotations

import datetime
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from cagette.i18n import LANGUAGES, LOCALE_DIR, PLURAL_FORMS, key_of, read_catalogue, translated

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

ROOT = Path(__file__).resolve().parents[2]
AREAS = ("plans", "capture", "video", "library", "sync", "device", "tui", "starter", "flows")
# Babel's keyword spec: the argument(s) that hold the text (ngettext: singular and plural).
KEYWORDS: dict[str, tuple[int, ...] | None] = {"_": None, "N_": None, "ngettext": (1, 2)}
GUESSED_FLAGS = {"python-format", "python-brace-format"}
# The catalogues carry no creation or revision time: an update changes only the entries (no merge conflict).
FIXED_DATE = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)

# argparse's own words, routed through our catalogue by the CLI.
ARGPARSE = [
    "usage: ", "positional arguments", "options", "show this help message and exit",
    "the following arguments are required: %s", "unrecognized arguments: %s",
    "invalid choice: %(value)r (choose from %(choices)s)", "expected one argument",
    "argument %(argument_name)s: %(message)s", "invalid %(type)s value: %(value)r",
    "not allowed with argument %s", "ambiguous option: %(option)s could match %(matches)s",
    "expected at least one argument", "expected at most one argument", "%(prog)s: error: %(message)s\n",
    "one of the arguments %s is required", "ignored explicit argument %r",
]


def area_of(path: Path) -> str:
    parts = path.relative_to(ROOT).parts
    if parts[0] == "tui":
        return "tui"
    if parts[0] == "library":
        return "starter"
    name = parts[-1].removesuffix(".py")
    if len(parts) > 3 and parts[2] in AREAS:
        return parts[2]
    if len(parts) > 3 and parts[2] == "commands" and name in AREAS:
        return name
    if name in ("render", "project", "project_edit"):
        return "video"
    if name == "serve":
        return "sync"
    return "cagette"


def sources() -> list[Path]:
    """The Python files and the Jinja2 templates (``templates/*.html`` of a package, the starter's ``pages/``)."""
    files = (sorted((ROOT / "src" / "cagette").rglob("*.py")) + sorted((ROOT / "tui").rglob("*.py"))
             + sorted((ROOT / "library").rglob("*.py")) + sorted((ROOT / "src" / "cagette").glob("*/templates/*.html"))
             + sorted((ROOT / "library" / "pages").glob("*.html")))
    return [f for f in files if "__pycache__" not in f.parts]


def texts_of(source: str, template: bool = False) -> list[str]:
    """The catalogue keys of the texts marked in Python *source* (or a Jinja2 template's), in order
    (see :func:`cagette.i18n.key_of`)."""
    import io

    from babel.messages.extract import extract
    from jinja2.ext import babel_extract

    keys = []
    method = babel_extract if template else "python"
    for _line, message, _comments, _context in extract(method,  # type: ignore[arg-type]  # Jinja2 types its extractor loosely
                                                        io.BytesIO(source.encode("utf-8")),
                                                        keywords=KEYWORDS, comment_tags=()):
        keys.append("\0".join(message) if isinstance(message, tuple) else message)
    return keys


def extract() -> dict[str, list[str]]:
    """Area -> ordered translatable texts found in the code."""
    found: dict[str, list[str]] = {"cagette": list(ARGPARSE)}
    seen: set[str] = set(ARGPARSE)
    for path in sources():
        for text in texts_of(path.read_text(encoding="utf-8"), template=path.suffix == ".html"):
            if text and text not in seen:
                seen.add(text)
                found.setdefault(area_of(path), []).append(text)
    return found


def new_catalogue(area: str, lang: str) -> Catalog:
    from babel.messages.catalog import Catalog

    catalogue = Catalog(locale=lang, domain=area, project="cagette", charset="utf-8",
                        header_comment=f"# cagette — {area} ({lang}): translations of the user interface.",
                        creation_date=FIXED_DATE, revision_date=FIXED_DATE, fuzzy=False,
                        version="1", msgid_bugs_address="https://github.com/cagette/cagette/issues", last_translator="cagette",
                        language_team=lang)
    catalogue.mime_headers = [("Plural-Forms", PLURAL_FORMS[lang])]
    return catalogue


def load(path: Path, lang: str) -> Catalog:
    """The catalogue at *path* (a fresh one when absent), its header made ours."""
    catalogue = new_catalogue(path.stem, lang)
    if path.exists():
        for m in read_catalogue(path, lang):
            if m.id:
                catalogue[m.id] = m
    return catalogue


def dumps(catalogue: Catalog) -> bytes:
    """*catalogue* as ``.po`` text, in file order, one line per text (no wrapping, no locations: small diffs)."""
    import io

    from babel.messages.pofile import write_po

    for m in catalogue:  # Babel guesses these from a '%' or a '{' (wrongly for "100 % on"): not written
        m.flags -= GUESSED_FLAGS
    out = io.BytesIO()
    write_po(out, catalogue, width=0, no_location=True, omit_header=False, sort_output=False)
    return out.getvalue()


def save(path: Path, catalogue: Catalog) -> None:
    """Write *catalogue* to *path*, unless it already holds exactly that (its compiled ``.mo`` stays fresh)."""
    from cagette.fsutil import atomic_write_bytes

    data = dumps(catalogue)
    if not (path.is_file() and path.read_bytes() == data):
        atomic_write_bytes(path, data)


def add(catalogue: Catalog, key: str, value: str | Iterable[str]) -> None:
    """Add or set an entry; *key* ``"singular\0plural"`` is a plural entry (*value*: its forms).
    (Babel's ``Catalog.add`` keeps an existing entry's translation: it is set here.)"""
    msgid: str | tuple[str, str]
    string: str | tuple[str, ...]
    if "\0" in key:
        singular, plural = key.split("\0", 1)
        msgid = (singular, plural)
        string = tuple(value) if not isinstance(value, str) else (value,) * catalogue.num_plurals
    else:
        msgid, string = key, value if isinstance(value, str) else ""
    existing = catalogue.get(msgid)
    if existing is None:
        catalogue.add(msgid, string)
    else:
        existing.string = string


def update() -> int:
    """Add missing texts to each area's catalogue; returns how many were added."""
    added = 0
    for area, texts in extract().items():
        for lang in LANGUAGES:
            path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{area}.po"
            catalogue = load(path, lang)
            have = {key_of(m): m for m in catalogue if m.id}
            for text in texts:
                known = have.get(text)
                if known is None:
                    add(catalogue, text, text.split("\0") if lang == "en" else "")
                    added += 1
                elif lang == "en" and not translated(known):
                    add(catalogue, text, text.split("\0"))
            path.parent.mkdir(parents=True, exist_ok=True)
            save(path, catalogue)
    return added


def hidden_in_fstrings(source: str, name: str = "<source>") -> list[str]:
    """``_()``/``N_()``/``ngettext()`` calls written inside an f-string: Babel's extractor does not see them
    on Python 3.11, so their text would silently stay untranslated."""
    import ast

    found = []
    for node in ast.walk(ast.parse(source, name)):
        if isinstance(node, ast.JoinedStr):
            for inner in ast.walk(node):
                if (isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id in KEYWORDS
                        and inner.args and isinstance(inner.args[0], ast.Constant)):
                    found.append(f"{name}:{inner.lineno}: {inner.func.id}() inside an f-string is not extracted; "
                                 "call it outside (text = _(...); f\"...{text}\")")
    return found


def check() -> list[str]:
    """Problems: texts missing from a catalogue, or left untranslated, or hidden from the extractor."""
    problems = []
    for path in sources():
        if path.suffix == ".py":
            problems += hidden_in_fstrings(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    catalogues: dict[str, set[str]] = {lang: set() for lang in LANGUAGES}
    empty: list[tuple[str, str, str]] = []
    for lang in LANGUAGES:
        for path in sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")):
            for m in read_catalogue(path, lang):
                if m.id and translated(m):
                    catalogues[lang].add(key_of(m))
                elif m.id:
                    empty.append((lang, path.name, key_of(m)))
    # the catalogues of a language are merged when loaded: an entry another file translates is translated
    problems += [f"{lang}: untranslated in {name}: {key!r}" for lang, name, key in empty if key not in catalogues[lang]]
    for texts in extract().values():
        for text in texts:
            for lang in LANGUAGES:
                if text not in catalogues[lang]:
                    problems.append(f"{lang}: missing from the catalogues: {text!r}")
    return problems


if __name__ == "__main__":
    if sys.argv[1:] == ["update"]:
        print(f"{update()} entries added; translate the empty French ones.")
        problems = check()
    elif sys.argv[1:] == ["check"]:
        problems = check()
    else:
        print("usage: python -m cagette.i18n_extract update|check", file=sys.stderr)
        raise SystemExit(2)
    for problem in problems:
        print(problem)
    raise SystemExit(1 if problems else 0)
