"""French and English for every text a person reads.

Catalogues are gettext ``.po`` files in ``cagette/locale/<lang>/LC_MESSAGES``:
``cagette.po`` for the shared words and one file per area (``plans.po``,
``video.po``...), merged into one catalogue when loaded. ``python -m cagette.i18n build`` compiles them to
``.mo``; when a ``.mo`` is missing or older than its ``.po`` (an editable
checkout just edited, or an install made without the build step), the ``.po``
is read directly, so both installed and editable uses speak the same.

The language is chosen by :func:`set_language` (the ``--lang`` option), else
``CAGETTE_LANG``, else the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``,
``LANGUAGE``), else French: most users are French agents.

Use ``_("text")`` at the moment the text is shown, and ``N_("text")`` to mark
a module-level constant that is translated later with ``_()``. A text that
depends on a count goes through ``ngettext("1 scene", "{n} scenes", n)``
(French says "0 scène", English "0 scenes": each catalogue carries its rule);
its ``.po`` entry is a gettext plural entry (``msgid_plural``, ``msgstr[0]``,
``msgstr[1]``), keyed ``"singular\0plural"`` by :func:`parse_po`.

The ``.po`` files are read and compiled by Babel (``babel.messages``), imported only
when a ``.mo`` must be made; reading a fresh ``.mo`` is the standard library's gettext.
"""

from __future__ import annotations

import contextlib
import contextvars
import gettext
import io
import os
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from cagette.errors import UsageError

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog, Message

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
DOMAIN = "cagette"
LOCALE_DIR = Path(__file__).parent / "locale"

_current: str | None = None
# A language for one task only (a web request, a document), without touching the
# process-wide choice: asyncio tasks each see their own value.
_override: contextvars.ContextVar[str | None] = contextvars.ContextVar("cagette_language", default=None)


def check_language(lang: str) -> str:
    """Return *lang* normalised, or raise a usage error naming the choices."""
    code = lang.strip().lower().replace("-", "_").split("_")[0].split(".")[0]
    if code not in LANGUAGES:
        raise UsageError(
            f"Unknown language {lang!r} / Langue inconnue {lang!r}.",
            "Use --lang fr or --lang en / Utilisez --lang fr ou --lang en.",
        )
    return code


def set_language(lang: str | None) -> str:
    """Fix the language for the rest of the process (``None``: detect again)."""
    global _current
    _current = check_language(lang) if lang else None
    return current_language()


def _from_locale() -> str | None:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var, "")
        for part in value.split(":"):
            code = part.lower().split("_")[0].split(".")[0]
            if code in LANGUAGES:
                return code
    return None


@contextlib.contextmanager
def language(lang: str) -> Iterator[str]:
    """Speak *lang* inside the block, in this thread or asyncio task only."""
    token = _override.set(check_language(lang))
    try:
        yield lang
    finally:
        _override.reset(token)


def current_language() -> str:
    override = _override.get()
    if override:
        return override
    if _current:
        return _current
    env = os.environ.get("CAGETTE_LANG")
    if env:
        return check_language(env)
    return _from_locale() or DEFAULT_LANGUAGE


# -- catalogues ---------------------------------------------------------------

# gettext's plural rule of each language: French counts 0 and 1 as singular, English only 1. (Two forms
# each, as the catalogues were written: CLDR's newer French rule has a third, for a million.)
PLURAL_FORMS = {"fr": "nplurals=2; plural=(n > 1);", "en": "nplurals=2; plural=(n != 1);"}


def read_catalogue(source: Path | str, lang: str = DEFAULT_LANGUAGE) -> Catalog:
    """A ``.po`` file (a path, or its text) as a Babel catalogue of *lang*, with *lang*'s plural rule."""
    from babel.messages.pofile import read_po

    text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
    catalogue = read_po(io.StringIO(text), locale=lang)
    catalogue.mime_headers = [("Plural-Forms", PLURAL_FORMS.get(lang, PLURAL_FORMS[DEFAULT_LANGUAGE]))]
    for m in catalogue:  # a file without the header was padded to CLDR's count of forms: keep ours
        if isinstance(m.string, (list, tuple)) and len(m.string) > catalogue.num_plurals:
            m.string = tuple(m.string[: catalogue.num_plurals])
    return catalogue


def translated(message: Message) -> bool:
    """Whether an entry is translated: not the header, not fuzzy, every plural form filled."""
    if not message.id or message.fuzzy:
        return False
    if isinstance(message.string, (list, tuple)):
        return bool(message.string) and all(message.string)
    return bool(message.string)


def key_of(message: Message) -> str:
    """An entry's key: its msgid, or ``"singular\0plural"`` for a plural entry."""
    return "\0".join(message.id) if isinstance(message.id, (list, tuple)) else str(message.id)


def parse_po(text: str, lang: str = DEFAULT_LANGUAGE) -> dict[str, str | list[str]]:
    """The translated entries of a ``.po`` text: key (see :func:`key_of`) -> msgstr (a list for plurals).

    The header, fuzzy entries and empty translations are kept out: a missing translation falls back
    to the source text.
    """
    out: dict[str, str | list[str]] = {}
    for m in read_catalogue(text, lang):
        if translated(m):
            out[key_of(m)] = list(m.string) if isinstance(m.string, (list, tuple)) else str(m.string)
    return out


def mo_bytes(catalogue: Catalog) -> bytes:
    """*catalogue* compiled as a GNU ``.mo`` (by Babel): its translated entries and its plural rule."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    done = Catalog(locale=catalogue.locale, domain=catalogue.domain, charset="utf-8")
    done.mime_headers = [("Plural-Forms", catalogue.plural_forms)]
    for m in catalogue:
        if translated(m):
            done.add(m.id, m.string)
    out = io.BytesIO()
    write_mo(out, done)
    return out.getvalue()


def po_files(lang: str) -> list[Path]:
    """The catalogues of *lang*: ``cagette.po`` plus one ``.po`` per area
    (``plans.po``, ``video.po``...), merged into one domain at load time."""
    return sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po"))


def iter_catalogues() -> Iterator[tuple[str, Path]]:
    for lang in LANGUAGES:
        for po in po_files(lang):
            yield lang, po


def _load_one(po: Path) -> gettext.NullTranslations:
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as fh:
            return gettext.GNUTranslations(fh)
    data = mo_bytes(read_catalogue(po, _lang_of(po)))
    return gettext.GNUTranslations(io.BytesIO(data))


def _lang_of(po: Path) -> str:
    """The language of a catalogue ``<lang>/LC_MESSAGES/<area>.po``."""
    return po.parent.parent.name


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The merged catalogue for *lang* (each file from ``.mo`` if fresh, else ``.po``)."""
    merged: gettext.NullTranslations = gettext.NullTranslations()
    for po in po_files(lang):
        one = _load_one(po)
        one.add_fallback(merged)
        merged = one
    return merged


def _display_language() -> str:
    """The current language, or the default when the environment names a bad one
    (the error saying so must still be readable)."""
    try:
        return current_language()
    except UsageError:
        return DEFAULT_LANGUAGE


def _(message: str) -> str:
    """Translate *message* into the current language."""
    return translations(_display_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a text that depends on the count *n* (``{n}`` is not filled here: use ``.format``)."""
    return translations(_display_language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark *message* for translation without translating it now."""
    return message


def build(out_dir: Path | None = None) -> list[Path]:
    """Compile every ``.po`` to ``.mo`` beside it (or under *out_dir*)."""
    written = []
    for lang, po in iter_catalogues():
        target = (out_dir / lang / "LC_MESSAGES" / po.with_suffix(".mo").name) if out_dir else po.with_suffix(".mo")
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".mo.tmp")
        tmp.write_bytes(mo_bytes(read_catalogue(po, lang)))
        os.replace(tmp, target)
        written.append(target)
    translations.cache_clear()
    return written


if __name__ == "__main__":  # pragma: no cover - build helper
    if sys.argv[1:] == ["build"]:
        for path in build():
            print(path)
    else:
        print("usage: python -m cagette.i18n build", file=sys.stderr)
        raise SystemExit(2)
