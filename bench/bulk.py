"""Benchmarks' set-up: many resources written at once in a library's own signed format (not measured).

``add_all(lib, items)`` appends one signed ``add`` per ``(descriptive fields, other fields)`` in a
single segment, writing each descriptive object (and ``put(bytes)`` any blob) without the fsync a
real add does, so a 10,000-resource library is built in seconds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any


def put(lib: Any, data: bytes) -> str:
    """Store *data* as an object (no fsync: a benchmark's set-up); returns its hash."""
    digest = hashlib.sha256(data).hexdigest()
    path = lib.objects.path(digest)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return digest


def add_all(lib: Any, items: Iterable[tuple[Mapping[str, Any], Mapping[str, Any]]]) -> list[str]:
    """Signed adds of ``(descriptive fields, other fields)`` in one new segment of this site's log."""
    from cagette.library.keys import bound_id, new_nonce
    from cagette.library.log import line_hash, make_event
    from cagette.library.resources import meta_doc

    site = lib.site()
    key = lib.keys.load(site.site_id)
    assert key is not None
    read = lib.read_site(site.site_id)
    prev, seq, clock = line_hash(read.lines[-1]), len(read.lines), read.events[-1].clock
    lines, ids = [], []
    for desc, other in items:
        nonce = new_nonce()
        rid = bound_id(key.public_hex, nonce)
        fields = {**other, "meta": {"hash": put(lib, meta_doc(rid, desc)), "keys": sorted(desc)}}
        seq += 1
        clock += 1
        line = make_event(site.site_id, seq, clock, "add", rid, fields, key=key, prev=prev, nonce=nonce).to_line()
        prev = line_hash(line)
        lines.append(line)
        ids.append(rid)
    lib.site_log(site.site_id).write(len(read.lines) + 1, b"".join(lines))
    return ids
