"""The catalogues as GNU gettext reads them: Babel's reading, writing and compiling agree with msgfmt/msgcat.

GNU gettext (Debian's ``gettext``: ``msgfmt``, ``msgcat``) is the oracle: every shipped ``.po`` compiles
to the same entries with msgfmt as with :func:`cagette.i18n.build`, and rewriting a catalogue with
:mod:`cagette.i18n_extract` (Babel's ``write_po``) keeps every msgid and msgstr, translated or not.
"""

from __future__ import annotations

import gettext
import subprocess
from pathlib import Path

import pytest

from cagette import i18n
from cagette.i18n_extract import load, save

CATALOGUES = sorted(i18n.iter_catalogues())


def _gnu_mo(po: Path, out: Path) -> dict[object, str]:
    subprocess.run(["msgfmt", "--check-format", "-o", str(out), str(po)], check=True)
    with out.open("rb") as fh:
        return {k: v for k, v in gettext.GNUTranslations(fh)._catalog.items() if k != ""}  # type: ignore[attr-defined]  # the entries gettext read


def _entries(po: Path) -> str:
    """Every entry (translated or not, fuzzy flags included) as msgcat writes it, the header left out."""
    text = subprocess.run(["msgcat", "--no-wrap", "--sort-output", "--no-location", str(po)],
                          check=True, capture_output=True, text=True).stdout
    body = text.split("\n\n", 1)[1]  # the header entry is first
    assert body.count("msgid ") > 0
    return body


def test_babel_compiles_what_gnu_msgfmt_compiles(tmp_path: Path) -> None:
    written = {p.relative_to(tmp_path): p for p in i18n.build(tmp_path)}
    assert len(written) == len(CATALOGUES)
    for lang, po in CATALOGUES:
        ours = written[Path(lang) / "LC_MESSAGES" / po.with_suffix(".mo").name]
        with ours.open("rb") as fh:
            tr = gettext.GNUTranslations(fh)
        mine = {k: v for k, v in tr._catalog.items() if k != ""}  # type: ignore[attr-defined]  # the entries gettext read
        assert mine == _gnu_mo(po, tmp_path / f"gnu-{lang}-{po.stem}.mo"), po
        assert [tr.plural(n) for n in (0, 1, 2)] == ([0, 0, 1] if lang == "fr" else [1, 0, 1])


@pytest.mark.parametrize(("lang", "po"), CATALOGUES, ids=[f"{lang}-{po.stem}" for lang, po in CATALOGUES])
def test_rewriting_a_catalogue_keeps_every_msgid_and_msgstr(tmp_path: Path, lang: str, po: Path) -> None:
    again = tmp_path / po.name
    save(again, load(po, lang))
    assert _entries(again) == _entries(po)
    save(tmp_path / "twice.po", load(again, lang))
    assert (tmp_path / "twice.po").read_bytes() == again.read_bytes()  # a fixed point: no churn


def test_check_names_a_french_text_left_untranslated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from cagette import i18n_extract

    shutil.copytree(i18n.LOCALE_DIR, tmp_path / "locale")
    monkeypatch.setattr(i18n_extract, "LOCALE_DIR", tmp_path / "locale")
    assert i18n_extract.check() == []
    po = tmp_path / "locale" / "fr" / "LC_MESSAGES" / "cagette.po"
    cat = load(po, "fr")
    cat["Cancelled."].string = ""
    save(po, cat)
    assert i18n_extract.check() == ["fr: untranslated in cagette.po: 'Cancelled.'",
                                    "fr: missing from the catalogues: 'Cancelled.'"]


def test_a_text_inside_an_f_string_is_named() -> None:
    from cagette.i18n_extract import hidden_in_fstrings, texts_of

    source = 'x = f"{who or _(\'unknown author\')}, {n}"\ny = _("seen")\n'
    assert texts_of(source) == ["seen"]  # what Babel's extractor misses on Python 3.11...
    assert [p.split(": ", 1)[0] for p in hidden_in_fstrings(source, "m.py")] == ["m.py:1"]  # ...is named
