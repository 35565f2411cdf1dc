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
a module-level constant that is translated later with ``_()``.
"""

from __future__ import annotations

import ast
import contextlib
import contextvars
import gettext
import io
import os
import struct
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from cagette.errors import UsageError

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

def _unquote(text: str) -> str:
    return ast.literal_eval(text) if text else ""


def parse_po(text: str) -> dict[str, str | list[str]]:
    """Parse a ``.po`` file: msgid -> msgstr (a list for plural entries).

    Entries whose msgstr is empty, and the header, are kept out, so a
    missing translation falls back to the source text.
    """
    entries: dict[str, str | list[str]] = {}
    msgid: list[str] = []
    plural: list[str] | None = None
    strs: dict[int, list[str]] = {}
    current: list[str] | None = None
    fuzzy = False

    def flush() -> None:
        nonlocal msgid, plural, strs, current, fuzzy
        key = "".join(msgid)
        if key and not fuzzy:
            if plural is not None:
                forms = ["".join(strs[i]) for i in sorted(strs)]
                if forms and all(forms):
                    entries[key] = forms
            else:
                value = "".join(strs.get(0, []))
                if value:
                    entries[key] = value
        msgid, plural, strs, current, fuzzy = [], None, {}, None, False

    for raw in text.split("\n"):
        line = raw.strip(" \t\r")
        if not line:
            continue
        if line.startswith("#"):
            if line.startswith("#,") and "fuzzy" in line:
                if msgid or strs:
                    flush()
                fuzzy = True
            continue
        if line.startswith("msgctxt"):
            continue
        if line.startswith("msgid_plural"):
            plural = [_unquote(line[len("msgid_plural"):].strip())]
            current = plural
        elif line.startswith("msgid"):
            if msgid or strs:
                keep_fuzzy = fuzzy and not strs
                flush()
                fuzzy = keep_fuzzy
            msgid = [_unquote(line[len("msgid"):].strip())]
            current = msgid
        elif line.startswith("msgstr["):
            index = int(line[7:line.index("]")])
            strs[index] = [_unquote(line[line.index("]") + 1:].strip())]
            current = strs[index]
        elif line.startswith("msgstr"):
            strs[0] = [_unquote(line[len("msgstr"):].strip())]
            current = strs[0]
        elif line.startswith('"') and current is not None:
            current.append(_unquote(line))
    flush()
    return entries


def mo_bytes(entries: dict[str, str | list[str]]) -> bytes:
    """Serialise entries as a GNU ``.mo`` catalogue (with a UTF-8 header)."""
    header = "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=2; plural=(n > 1);\n"
    pairs: list[tuple[bytes, bytes]] = [(b"", header.encode())]
    for key, value in entries.items():
        if isinstance(value, list):
            source = key.encode()  # plural key stored as "singular\0plural" by callers
            pairs.append((source, "\0".join(value).encode()))
        else:
            pairs.append((key.encode(), value.encode()))
    pairs.sort()
    count = len(pairs)
    ids = b"".join(k + b"\0" for k, _ in pairs)
    strs = b"".join(v + b"\0" for _, v in pairs)
    start = 7 * 4 + count * 16
    key_table, val_table = [], []
    offset = 0
    for k, _ in pairs:
        key_table.append((len(k), start + offset))
        offset += len(k) + 1
    strs_start = start + len(ids)
    offset = 0
    for _, v in pairs:
        val_table.append((len(v), strs_start + offset))
        offset += len(v) + 1
    out = io.BytesIO()
    out.write(struct.pack("<7I", 0x950412DE, 0, count, 28, 28 + count * 8, 0, 0))
    for length, off in key_table:
        out.write(struct.pack("<2I", length, off))
    for length, off in val_table:
        out.write(struct.pack("<2I", length, off))
    out.write(ids)
    out.write(strs)
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
    data = mo_bytes(parse_po(po.read_text(encoding="utf-8")))
    return gettext.GNUTranslations(io.BytesIO(data))


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
        tmp.write_bytes(mo_bytes(parse_po(po.read_text(encoding="utf-8"))))
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
