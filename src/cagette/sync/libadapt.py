"""The few calls sync makes into :mod:`cagette.library`, in one place.

Opening a library (claiming its site id only when it is ours), its lock,
accepting another site's log lines, and the objects the merged resources
reference (with their resource's tags, for ``--only``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cagette.sync.plan import ObjectRef

if TYPE_CHECKING:
    from cagette.library.library import Library


def open_library(root: Path, create: bool, claim_site: bool) -> Library:
    from cagette.library.library import Library

    return Library.open(root, create=create)


def site_id(handle: Library, claim: bool) -> str | None:
    if claim:
        return str(handle.site_id())
    from cagette.library.site import SiteFile

    site = SiteFile(handle.path, handle.local_dir).read()
    return site.site_id if site else None


def lock(handle: Library) -> contextlib.AbstractContextManager[Any]:
    lk: contextlib.AbstractContextManager[Any] = handle.lock()
    return lk


def accept_log(handle: Library, site: str, data: bytes, start_seq: int, where: str = "") -> int:
    """Write checked lines: their claims were judged with all the sync's logs (or are a push into
    this side, whose merge ignores a claim no key backs)."""
    return int(handle.accept_log(site, data, start_seq, where, claims=False))


def _meta_hashes(fields: Mapping[str, Any]) -> set[str]:
    from cagette.library.state import MetaRef

    return {v.hash for v in fields.values() if isinstance(v, MetaRef)}


def event_objects(events: Iterable[Any]) -> set[str]:
    """Objects some lines reference: their files, thumbnails and descriptive objects."""
    out: set[str] = set()
    for ev in events:
        fields = ev.fields
        out.update(str(f["hash"]) for f in fields.get("files", ()))
        if fields.get("thumbnail"):
            out.add(str(fields["thumbnail"]))
        meta = fields.get("meta")
        if isinstance(meta, Mapping):
            out.add(str(meta["hash"]))
    return out


def object_refs(handle: Library, events: Mapping[str, Iterable[Any]],
                prefetched: Any = None) -> list[ObjectRef]:
    """The objects the merged resources use, with their tags (read from descriptive objects held
    here, or *prefetched* with the lines being pulled)."""
    from cagette.library.state import merge

    state = merge(events, handle.pins())
    out: dict[str, ObjectRef] = {}

    def add(digest: str, size: int, tags: frozenset[str], meta: bool = False) -> None:
        prev = out.get(digest)
        if prev is not None:
            size, tags, meta = size or prev.size, tags | prev.tags, meta or prev.meta
        out[digest] = ObjectRef(digest, size, tags, meta=meta)

    for r in state.resources.values():
        if r.purged:
            continue
        tags = frozenset(str(t) for t in _tags(handle, r, prefetched or {}))
        for f in r.fields.get("files", ()):
            add(str(f["hash"]), int(f.get("size") or 0), tags)
        thumb = r.fields.get("thumbnail")
        if thumb:
            add(str(thumb), 0, tags)
        for fields in r.history:  # every descriptive object: a value lost to a concurrent edit is kept
            for digest in _meta_hashes(fields):
                add(digest, 0, tags, meta=True)
    return list(out.values())


def _tags(handle: Library, r: Any, prefetched: Any) -> list[str]:
    from cagette.errors import LibraryError
    from cagette.library.resources import check_meta_doc
    from cagette.library.state import MetaRef

    tags = r.fields.get("tags", ())
    if not isinstance(tags, MetaRef):
        return list(tags)
    data = prefetched.get(tags.hash)
    if data is not None:
        try:
            return list(check_meta_doc(data, r.id, tags.keys).get("tags", ()))
        except LibraryError:
            return []
    got = handle.resolve_meta(tags.hash, r.id, tags.keys)
    return list(got.get("tags", ())) if got else []


def after_sync(handle: Library) -> None:
    handle.apply_purges()
