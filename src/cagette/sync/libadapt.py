"""The few calls sync makes into :mod:`cagette.library`, in one place.

Opening a library (claiming its site id only when it is ours), its lock,
accepting another site's log lines, and the objects the merged resources
reference (with their resource's tags, for ``--only``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from cagette.sync.plan import ObjectRef


def open_library(root: Path, create: bool, claim_site: bool) -> Any:
    from cagette.library.library import Library

    return Library.open(root, create=create)


def site_id(handle: Any, claim: bool) -> str | None:
    if claim:
        return str(handle.site_id())
    from cagette.library.site import SiteFile

    site = SiteFile(handle.path, handle.local_dir).read()
    return site.site_id if site else None


def lock(handle: Any) -> contextlib.AbstractContextManager[Any]:
    lk: contextlib.AbstractContextManager[Any] = handle.lock()
    return lk


def accept_log(handle: Any, site: str, data: bytes, start_seq: int) -> int:
    return int(handle.accept_log(site, data, start_seq))


def object_refs(handle: Any, events: Mapping[str, Iterable[Any]]) -> list[ObjectRef]:
    from cagette.library.state import merge

    state = merge(events, moderators=handle.moderators())
    out: dict[str, ObjectRef] = {}

    def add(digest: str, size: int, tags: frozenset[str]) -> None:
        prev = out.get(digest)
        if prev is not None:
            size, tags = size or prev.size, tags | prev.tags
        out[digest] = ObjectRef(digest, size, tags)

    for r in state.resources.values():
        if r.purged:
            continue
        tags = frozenset(str(t) for t in r.fields.get("tags", ()))
        for f in r.fields.get("files", ()):
            add(str(f["hash"]), int(f.get("size") or 0), tags)
        thumb = r.fields.get("thumbnail")
        if thumb:
            add(str(thumb), 0, tags)
    return list(out.values())


def after_sync(handle: Any) -> None:
    handle.apply_purges()
