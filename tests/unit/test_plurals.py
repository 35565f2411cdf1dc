"""Plural texts: gettext plural entries kept whole by the catalogue tools, each language with its rule."""

from __future__ import annotations

import gettext
import io
from pathlib import Path

from cagette import i18n
from cagette.i18n_extract import add, dumps, load, new_catalogue, save, texts_of

ENTRIES: dict[str, str | list[str]] = {"Cancelled.": "Annulé.", "{n} scene\0{n} scenes": ["{n} scène", "{n} scènes"]}


def _catalogue(lang: str, entries: dict[str, str | list[str]]) -> bytes:
    cat = new_catalogue("area", lang)
    for key, value in entries.items():
        add(cat, key, value)
    return dumps(cat)


def test_a_plural_entry_survives_writing_and_reading(tmp_path: Path) -> None:
    po = tmp_path / "fr" / "LC_MESSAGES" / "area.po"
    po.parent.mkdir(parents=True)
    po.write_bytes(_catalogue("fr", ENTRIES))
    text = po.read_text(encoding="utf-8")
    assert 'msgid_plural "{n} scenes"' in text and 'msgstr[1] "{n} scènes"' in text
    assert "Plural-Forms: nplurals=2; plural=(n > 1);" in text
    assert i18n.parse_po(text) == ENTRIES
    save(po, load(po, "fr"))  # read and written again: the same file
    assert po.read_text(encoding="utf-8") == text


def test_french_counts_zero_as_singular_and_english_does_not() -> None:
    fr = gettext.GNUTranslations(io.BytesIO(i18n.mo_bytes(i18n.read_catalogue(_catalogue("fr", ENTRIES).decode(), "fr"))))
    assert [fr.ngettext("{n} scene", "{n} scenes", n).format(n=n) for n in (0, 1, 2)] == [
        "0 scène", "1 scène", "2 scènes"]
    en_entries: dict[str, str | list[str]] = {"{n} scene\0{n} scenes": ["{n} scene", "{n} scenes"]}
    en = gettext.GNUTranslations(io.BytesIO(i18n.mo_bytes(i18n.read_catalogue(_catalogue("en", en_entries).decode(),
                                                                               "en"))))
    assert [en.ngettext("{n} scene", "{n} scenes", n).format(n=n) for n in (0, 1, 2)] == [
        "0 scenes", "1 scene", "2 scenes"]


def test_an_untranslated_plural_is_not_an_entry() -> None:
    text = 'msgid "{n} shot"\nmsgid_plural "{n} shots"\nmsgstr[0] "{n} plan"\nmsgstr[1] ""\n'
    assert i18n.parse_po(text) == {}
    tr = gettext.GNUTranslations(io.BytesIO(i18n.mo_bytes(i18n.read_catalogue(text, "fr"))))
    assert tr.ngettext("{n} shot", "{n} shots", 2) == "{n} shots"  # the source, never an empty text


def test_the_extractor_keys_ngettext_calls_like_the_catalogues() -> None:
    assert texts_of('ngettext("{n} frame", "{n} frames", count)\n_("Back")\nN_("Front")\n_(name)\n') == [
        "{n} frame\0{n} frames", "Back", "Front"]


def test_the_shipped_catalogues_speak_plurals() -> None:
    i18n.set_language("fr")
    try:
        assert i18n.ngettext("{n} scene", "{n} scenes", 1).format(n=1) == "1 scène"
        assert i18n.ngettext("{n} scene", "{n} scenes", 3).format(n=3) == "3 scènes"
    finally:
        i18n.set_language(None)
    assert i18n.ngettext("{n} scene", "{n} scenes", 0).format(n=0) == "0 scenes"
