"""The index: a TinyDB file derived from the logs, and an in-memory search.

``local/index.json`` holds a ``resources`` table (one document per resource,
as merged) and a ``meta`` table (the byte size of every log it was built
from, the site names, the purged hashes). It is a cache: when any log's size
differs from what ``meta`` recorded, it is rebuilt from the logs in one go —
built in memory with ``insert_multiple`` and written once by
:class:`AtomicJSONStorage` (temporary file, fsync, rename), never by
TinyDB's ``JSONStorage`` which rewrites the live file in place.

Search goes through :class:`SearchIndex`: a token index built in memory from
the documents (case- and accent-insensitive, prefix matching), over title,
description, tags and authors, with filters on kind, licence, language,
organisation and tag.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cagette.fsutil import atomic_write_text

INDEX_FORMAT = 1
TOKEN_RE = re.compile(r"\w+")
WEIGHTS = {"title": 4, "tags": 3, "authors": 2, "organisation": 2, "description": 1}


def _storage_base() -> type:
    from tinydb.storages import Storage

    return Storage


def make_storage_class() -> type:
    """TinyDB storage that writes atomically (defined lazily: tinydb is imported on demand)."""
    base = _storage_base()

    class AtomicJSONStorage(base):  # type: ignore[misc, valid-type]
        def __init__(self, path: str | Path, **kwargs: Any) -> None:
            super().__init__()
            self.path = Path(path)

        def read(self) -> dict[str, Any] | None:
            try:
                text = self.path.read_text(encoding="utf-8")
            except FileNotFoundError:
                return None
            if not text.strip():
                return None
            data = json.loads(text)
            return data if isinstance(data, dict) else None

        def write(self, data: dict[str, Any]) -> None:
            atomic_write_text(self.path, json.dumps(data, ensure_ascii=False, separators=(",", ":")))

        def close(self) -> None:
            pass

    return AtomicJSONStorage


def fold(text: str) -> str:
    """Lowercase, accents removed: ``Vidéo`` → ``video``."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@functools.lru_cache(maxsize=262144)
def _fold_word(word: str) -> str:
    return fold(word)


def tokens(text: str) -> list[str]:
    """The folded words of *text* (each distinct word folded once, then cached)."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return [_fold_word(w) for w in TOKEN_RE.findall(text.lower())]


def write_index(path: Path, docs: Sequence[Mapping[str, Any]], meta: Mapping[str, Any]) -> None:
    """Build the TinyDB data in memory (``insert_multiple``) and write it once, atomically."""
    from tinydb import TinyDB
    from tinydb.storages import MemoryStorage

    mem = TinyDB(storage=MemoryStorage)
    mem.table("resources").insert_multiple([dict(d) for d in docs])
    mem.table("meta").insert({"format": INDEX_FORMAT, **meta})
    data = mem.storage.read() or {}
    make_storage_class()(path).write(data)


def read_index(path: Path) -> tuple[list[dict[str, Any]], dict[str, Any]] | None:
    """``(documents, meta)``, or None when the index is absent, unreadable or of another format.

    Reads the TinyDB tables through the storage directly (TinyDB's ``all()`` wraps every
    document in an object, three times slower at 10k documents).
    """
    try:
        data = make_storage_class()(path).read()
    except (OSError, ValueError):
        return None
    if not data:
        return None
    metas = list((data.get("meta") or {}).values())
    if not metas or not isinstance(metas[0], dict) or metas[0].get("format") != INDEX_FORMAT:
        return None
    docs = [d for d in (data.get("resources") or {}).values() if isinstance(d, dict) and "id" in d]
    return docs, dict(metas[0])


@dataclass(frozen=True)
class Filters:
    kinds: tuple[str, ...] = ()
    licences: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    @classmethod
    def of(cls, kinds: Iterable[str] | None = None, licences: Iterable[str] | None = None,
           languages: Iterable[str] | None = None, organisations: Iterable[str] | None = None,
           tags: Iterable[str] | None = None) -> Filters:
        return cls(tuple(kinds or ()), tuple(licences or ()), tuple(languages or ()),
                   tuple(organisations or ()), tuple(tags or ()))


class SearchIndex:
    """Token → {resource id: weight}, with a sorted vocabulary for prefix search."""

    def __init__(self, docs: Iterable[Mapping[str, Any]], include_retracted: bool = False) -> None:
        self.docs: dict[str, Mapping[str, Any]] = {}
        self.sort_key: dict[str, tuple[str, str]] = {}
        self.postings: dict[str, dict[str, int]] = {}
        self.facets: dict[str, dict[str, set[str]]] = {
            "kind": {}, "licence": {}, "language": {}, "organisation": {}, "tags": {}}
        for d in docs:
            if d.get("retracted") and not include_retracted:
                continue
            rid = d["id"]
            self.docs[rid] = d
            self.sort_key[rid] = (fold(str(d.get("title", ""))), rid)
            postings = self.postings
            for name, weight in WEIGHTS.items():  # heaviest field first: its weight is the one kept
                value = d.get(name, "")
                text = " ".join(value) if isinstance(value, list) else str(value or "")
                for tok in tokens(text):
                    postings.setdefault(tok, {}).setdefault(rid, weight)
            for facet in ("kind", "licence", "language", "organisation"):
                self.facets[facet].setdefault(_fold_word(str(d.get(facet, ""))), set()).add(rid)
            for tag in d.get("tags", ()):
                self.facets["tags"].setdefault(_fold_word(tag), set()).add(rid)
        self.vocab = sorted(self.postings)
        self.by_title = sorted(self.docs, key=self.sort_key.__getitem__)
        self.rank = {r: i for i, r in enumerate(self.by_title)}

    def _matches(self, tok: str) -> Mapping[str, int]:
        """{resource id: weight} of the documents holding *tok* or a word starting with it."""
        exact = self.postings.get(tok)
        i = bisect.bisect_left(self.vocab, tok)
        longer: list[dict[str, int]] = []
        while i < len(self.vocab) and self.vocab[i].startswith(tok):
            if self.vocab[i] != tok:
                longer.append(self.postings[self.vocab[i]])
            i += 1
        if not longer:
            return exact or {}
        # a word that only starts with the query counts 1; the whole word keeps its field weight
        out: dict[str, int] = dict.fromkeys(set().union(*longer), 1)
        if exact:
            out.update(exact)
        return out

    def _facet(self, name: str, values: Sequence[str]) -> set[str]:
        out: set[str] = set()
        for v in values:
            out |= self.facets[name].get(_fold_word(v), set())
        return out

    def search(self, query: str = "", filters: Filters | None = None, limit: int | None = None) -> list[Mapping[str, Any]]:
        """Documents matching every word of *query* (as a word or a word's start) and the filters."""
        filters = filters or Filters()
        scores: Mapping[str, int] | None = None
        for tok in tokens(query):
            found = self._matches(tok)
            scores = found if scores is None else {rid: s + found[rid] for rid, s in scores.items() if rid in found}
            if not scores:
                return []
        candidates: set[str] = set(scores) if scores is not None else set(self.docs)
        for name, values in (("kind", filters.kinds), ("licence", filters.licences),
                             ("language", filters.languages), ("organisation", filters.organisations),
                             ("tags", filters.tags)):
            if values:
                candidates &= self._facet(name, values)
        # title order (precomputed ranks), then a stable sort by score: both with C-level keys
        if len(candidates) * 8 < len(self.by_title):  # few: sort them by their rank
            ordered = sorted(candidates, key=self.rank.__getitem__)
        else:  # many: walk the documents in title order once
            ordered = [r for r in self.by_title if r in candidates]
        if scores is not None:
            ordered.sort(key=scores.__getitem__, reverse=True)  # stable: ties stay in title order
        if limit is not None:
            ordered = ordered[:limit]
        return [self.docs[r] for r in ordered]
