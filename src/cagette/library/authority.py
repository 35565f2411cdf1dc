"""Who may do what, from keys: site keys, proven successions, key-bound ids.

All pure functions of the events (signature checks through :mod:`cagette.library.keys`,
cached, so a merge repeated after each write re-verifies nothing).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping

from cagette.library.log import Event


def site_keys(events: Iterable[Event]) -> dict[str, str]:
    """Each site's public key: the ``key`` of its first signed ``site`` line."""
    keys: dict[str, str] = {}
    first_signed: dict[str, int] = {}
    for ev in events:
        if not ev.signed:
            continue
        if ev.site not in first_signed or ev.seq < first_signed[ev.site]:
            first_signed[ev.site] = ev.seq
            if ev.op == "site" and "key" in ev.fields:
                keys[ev.site] = str(ev.fields["key"])
            else:
                keys.pop(ev.site, None)
    return keys


@functools.lru_cache(maxsize=4096)
def _verified(public_hex: str, message: bytes, sig_hex: str) -> bool:
    from cagette.library.keys import verify

    return verify(public_hex, message, sig_hex)


def succession_valid(ev: Event, old: str, sig: str, keys: Mapping[str, str]) -> bool:
    """Whether *old*'s key signed that *ev*'s site (with *ev*'s key) succeeds it."""
    from cagette.library.keys import succession_statement

    old_key, new_key = keys.get(old), ev.fields.get("key")
    if old_key is None or not isinstance(new_key, str):
        return False
    return _verified(old_key, succession_statement(old, ev.site, new_key), sig)


def heirs(events: Iterable[Event], keys: Mapping[str, str]) -> dict[str, set[str]]:
    """For each site, the sites that proved they took over from it (transitively)."""
    direct: dict[str, set[str]] = {}
    for ev in events:
        if ev.op != "site" or not ev.signed or keys.get(ev.site) != ev.fields.get("key"):
            continue
        for item in ev.fields.get("succeeds", ()):
            if succession_valid(ev, item["site"], item["sig"], keys):
                direct.setdefault(item["site"], set()).add(ev.site)
    out: dict[str, set[str]] = {}
    for old in direct:
        seen: set[str] = set()
        stack = list(direct[old])
        while stack:
            s = stack.pop()
            if s not in seen:
                seen.add(s)
                stack.extend(direct.get(s, ()))
        out[old] = seen
    return out


@functools.lru_cache(maxsize=65536)
def _bound(public_hex: str, nonce: str) -> str:
    from cagette.library.keys import bound_id

    return bound_id(public_hex, nonce)


def binder(ev: Event, keys: Mapping[str, str], heirs_of: Mapping[str, set[str]]) -> str | None:
    """The site whose key makes *ev*'s id (its own, or a predecessor's it proved it succeeds)."""
    if ev.op != "add" or not ev.nonce:
        return None
    key = keys.get(ev.site)
    if key is not None and _bound(key, ev.nonce) == ev.id:
        return ev.site
    for old, successors in heirs_of.items():
        if ev.site in successors and old in keys and _bound(keys[old], ev.nonce) == ev.id:
            return old
    return None


def bound_origins(events: Iterable[Event], keys: Mapping[str, str],
                  heirs_of: Mapping[str, set[str]]) -> dict[str, str]:
    """``{resource id: the site its id is bound to}``."""
    out: dict[str, str] = {}
    for ev in events:
        if ev.op == "add" and ev.nonce and ev.id not in out:
            site = binder(ev, keys, heirs_of)
            if site is not None:
                out[ev.id] = site
    return out
