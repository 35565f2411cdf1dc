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
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cagette.fsutil import atomic_write_text

INDEX_FORMAT = 1
SEARCH_FORMAT = "search-2"  # local/search.bin
TOKEN_RE = re.compile(r"\w+")
WEIGHTS = {"title": 4, "tags": 3, "authors": 2, "organisation": 2, "description": 1}


def _storage_base() -> type:
    from tinydb.storages import Storage

    return Storage


def make_storage_class() -> type:
    """TinyDB storage that writes atomically (defined lazily: tinydb is imported on demand)."""
    base = _storage_base()

    class AtomicJSONStorage(base):  # type: ignore[misc, valid-type]  # tinydb's Storage, imported on demand
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


def _pack(postings: Mapping[int, int]) -> bytes:
    """{position: weight} as bytes: the positions (4 bytes each), then the weights (1 byte each)."""
    return array("I", postings.keys()).tobytes() + bytes(postings.values())


def _unpack(data: bytes) -> dict[int, int]:
    n = len(data) // 5
    positions = array("I")
    positions.frombytes(data[: 4 * n])
    return dict(zip(positions, data[4 * n:], strict=True))


def _positions(data: bytes) -> set[int]:
    out = array("I")
    out.frombytes(data)
    return set(out)


class _Docs(Mapping[str, Mapping[str, Any]]):
    """The documents by id, decoded from their JSON text when asked for (a search shows a few)."""

    def __init__(self, ids: Sequence[str], raw: list[Any]) -> None:
        self.ids = ids
        self.raw = raw
        self._pos: dict[str, int] | None = None

    def pos(self) -> dict[str, int]:
        if self._pos is None:
            self._pos = {rid: i for i, rid in enumerate(self.ids)}
        return self._pos

    def at(self, i: int) -> Mapping[str, Any]:
        d = self.raw[i]
        if isinstance(d, str):
            d = self.raw[i] = json.loads(d)
        doc: Mapping[str, Any] = d
        return doc

    def text(self, i: int) -> str:
        d = self.raw[i]
        return d if isinstance(d, str) else json.dumps(d, ensure_ascii=False, separators=(",", ":"))

    def __getitem__(self, rid: str) -> Mapping[str, Any]:
        return self.at(self.pos()[rid])

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, rid: object) -> bool:
        return rid in self.pos()


class SearchIndex:
    """Token → {document: weight}, with a sorted vocabulary for prefix search.

    Documents are numbered in title order, so the matches of a query come out in that order by
    their numbers. It holds every document (retracted ones are found only when asked for).
    :meth:`to_bytes` and :meth:`from_bytes` keep it in ``local/search.bin`` (``marshal``, compact:
    a local cache, never synced), so a new process answers its first search without tokenising
    the library again, decoding only the postings of the words it looks for.
    """

    def __init__(self, docs: Iterable[Mapping[str, Any]] = (), include_retracted: bool = False) -> None:
        self.include_retracted = include_retracted
        all_docs = list(docs)
        all_docs.sort(key=lambda d: (fold(str(d.get("title", ""))), d["id"]))
        self.ids: list[str] = [d["id"] for d in all_docs]
        self.docs = _Docs(self.ids, list(all_docs))
        self.retracted = {i for i, d in enumerate(all_docs) if d.get("retracted")}
        postings: dict[str, dict[int, int]] = {}
        facets: dict[str, dict[str, set[int]]] = {k: {} for k in ("kind", "licence", "language", "organisation",
                                                                   "tags")}
        for i, d in enumerate(all_docs):
            for name, weight in WEIGHTS.items():  # heaviest field first: its weight is the one kept
                value = d.get(name, "")
                text = " ".join(value) if isinstance(value, list) else str(value or "")
                for tok in tokens(text):
                    postings.setdefault(tok, {}).setdefault(i, weight)
            for facet in ("kind", "licence", "language", "organisation"):
                facets[facet].setdefault(_fold_word(str(d.get(facet, ""))), set()).add(i)
            for tag in d.get("tags", ()):
                facets["tags"].setdefault(_fold_word(tag), set()).add(i)
        self.postings: dict[str, Any] = postings
        self.facets: dict[str, dict[str, Any]] = facets
        self.vocab = sorted(postings)

    def to_bytes(self, stamp: Any) -> bytes:
        """The index as ``marshal`` bytes, with *stamp* (what it was built from) to check on load."""
        import marshal

        raw = [d if isinstance(d, str) else json.dumps(d, ensure_ascii=False, separators=(",", ":"))
               for d in self.docs.raw]
        return marshal.dumps({
            "format": SEARCH_FORMAT, "stamp": stamp, "ids": self.ids, "docs": raw, "vocab": self.vocab,
            "retracted": array("I", sorted(self.retracted)).tobytes(),
            "postings": {t: _pack(self._posting(t)) for t in self.postings},
            "facets": {k: {v: array("I", sorted(self._facet_set(k, v))).tobytes() for v in d}
                       for k, d in self.facets.items()}})

    @classmethod
    def from_bytes(cls, data: bytes, stamp: Any) -> SearchIndex | None:
        """The index :meth:`to_bytes` wrote, or None if it is damaged or was built from other logs."""
        import marshal

        try:
            got = marshal.loads(data)
            if not isinstance(got, dict) or got.get("format") != SEARCH_FORMAT or got.get("stamp") != stamp:
                return None
            self = cls.__new__(cls)
            self.include_retracted = False
            self.ids = got["ids"]
            self.docs = _Docs(self.ids, got["docs"])
            self.vocab = got["vocab"]
            self.postings = got["postings"]
            self.facets = got["facets"]
            self.retracted = _positions(got["retracted"])
            if len(self.docs.raw) != len(self.ids):
                return None
        except (ValueError, EOFError, TypeError, KeyError, AttributeError):
            return None
        return self

    def _posting(self, tok: str) -> dict[int, int]:
        p = self.postings[tok]
        if isinstance(p, bytes):
            p = self.postings[tok] = _unpack(p)
        posting: dict[int, int] = p
        return posting

    def _facet_set(self, name: str, value: str) -> set[int]:
        got = self.facets[name].get(value)
        if got is None:
            return set()
        if isinstance(got, bytes):
            got = self.facets[name][value] = _positions(got)
        return got

    def _matches(self, tok: str) -> Mapping[int, int]:
        """{document: weight} of the documents holding *tok* or a word starting with it."""
        exact = self._posting(tok) if tok in self.postings else None
        i = bisect.bisect_left(self.vocab, tok)
        longer: list[dict[int, int]] = []
        while i < len(self.vocab) and self.vocab[i].startswith(tok):
            if self.vocab[i] != tok:
                longer.append(self._posting(self.vocab[i]))
            i += 1
        if not longer:
            return exact or {}
        # a word that only starts with the query counts 1; the whole word keeps its field weight
        out: dict[int, int] = dict.fromkeys(set().union(*longer), 1)
        if exact:
            out.update(exact)
        return out

    def _facet(self, name: str, values: Sequence[str]) -> set[int]:
        out: set[int] = set()
        for v in values:
            out |= self._facet_set(name, _fold_word(v))
        return out

    def _found(self, query: str, filters: Filters | None, limit: int | None,
               include_retracted: bool | None) -> list[int]:
        filters = filters or Filters()
        if include_retracted is None:
            include_retracted = self.include_retracted
        scores: Mapping[int, int] | None = None
        for tok in tokens(query):
            found = self._matches(tok)
            scores = found if scores is None else {i: s + found[i] for i, s in scores.items() if i in found}
            if not scores:
                return []
        candidates: set[int] = set(scores) if scores is not None else set(range(len(self.ids)))
        if not include_retracted:
            candidates -= self.retracted
        for name, values in (("kind", filters.kinds), ("licence", filters.licences),
                             ("language", filters.languages), ("organisation", filters.organisations),
                             ("tags", filters.tags)):
            if values:
                candidates &= self._facet(name, values)
        ordered = sorted(candidates)  # documents are numbered in title order
        if scores is not None:
            ordered.sort(key=scores.__getitem__, reverse=True)  # stable: ties stay in title order
        return ordered if limit is None else ordered[:limit]

    def search(self, query: str = "", filters: Filters | None = None, limit: int | None = None,
               include_retracted: bool | None = None) -> list[Mapping[str, Any]]:
        """Documents matching every word of *query* (as a word or a word's start) and the filters."""
        return [self.docs.at(i) for i in self._found(query, filters, limit, include_retracted)]

    def search_json(self, query: str = "", filters: Filters | None = None, limit: int | None = None,
                    include_retracted: bool | None = None) -> list[str]:
        """What :meth:`search` finds, as each document's JSON text (printed as it is kept)."""
        return [self.docs.text(i) for i in self._found(query, filters, limit, include_retracted)]
