"""Certificate fingerprints this library trusts, one per LAN peer, remembered after a first contact.

``cagette sync https://host:port?fp=…`` pins a peer's certificate to the fingerprint in the address
(:mod:`cagette.sync.tls`). A person who chose a discovered peer, compared its fingerprint with the
one that peer's screen shows and trusted it, should not have to do it again, and must hear it when
that peer later shows another certificate: ``local/peer-pins.json`` (never synced, like the rest of
``local/``) keeps, for each peer, the fingerprint trusted, the peer's name and the ``host:port`` it
was reached at. A peer is known by the site id it announces (a copied library takes a new id and a
new certificate), else by ``host:port``; ``cagette sync https://host:port`` without ``?fp=`` uses the
fingerprint trusted for that address, in the app or at an earlier sync (:func:`for_address`).

The file is small and strict: at most :data:`MAX_PINS` peers, :data:`MAX_BYTES` bytes; a file that
is not what this module writes is refused with the way out, never silently replaced.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cagette.errors import SyncError
from cagette.i18n import _
from cagette.sync.tls import parse_fingerprint

PINS_FILE = ("local", "peer-pins.json")
FORMAT = "cagette-peer-pins"
VERSION = 1
MAX_PINS = 1000
MAX_BYTES = 512 * 1024

NEW, SAME, CHANGED = "new", "same", "changed"


@dataclass(frozen=True)
class Pin:
    peer: str  # the peer's site id, or host:port
    fingerprint: str
    name: str = ""
    address: str = ""  # host:port, where it was reached when trusted

    def to_dict(self) -> dict[str, str]:
        out = {"fingerprint": self.fingerprint, "name": self.name}
        if self.address:
            out["address"] = self.address
        return out


def path(library_root: Path) -> Path:
    return Path(library_root).joinpath(*PINS_FILE)


def peer_key(url: str, site_id: str = "") -> str:
    """How a peer is known here: the site id it announces, else the host and port of its address."""
    if site_id:
        return site_id[:64]
    return address(url)


def address(url: str) -> str:
    """``host:port`` of an address."""
    try:
        parts = urlsplit(url)
        return f"{parts.hostname or ''}:{parts.port or ''}"
    except ValueError:  # a port that is not a number
        return ""


def for_address(pins: dict[str, Pin], url: str) -> Pin | None:
    """The pin trusted for the peer at *url*'s host and port (by key, or by the address it was reached at)."""
    where = address(url)
    if not where or where.endswith(":"):
        return None
    found = pins.get(where)
    if found is not None:
        return found
    return next((p for _k, p in sorted(pins.items()) if p.address == where), None)


def _refused(file: Path, why: str) -> SyncError:
    return SyncError(_("The trusted fingerprints file {file} cannot be read: {why}.").format(file=file, why=why),
                     _("Move it away (its peers will be asked about again at their next contact)."))


def load(library_root: Path) -> dict[str, Pin]:
    """The peers this library trusts, by key (empty when none was ever trusted)."""
    file = path(library_root)
    try:
        with open(file, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise _refused(file, exc.strerror or str(exc)) from None
    if len(data) > MAX_BYTES:
        raise _refused(file, _("it is larger than {n} kB").format(n=MAX_BYTES // 1024))
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeError, ValueError):
        raise _refused(file, _("it is not JSON")) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("version") != VERSION:
        raise _refused(file, _("it is not a version {v} fingerprints file").format(v=VERSION))
    peers = doc.get("peers")
    if not isinstance(peers, dict) or len(peers) > MAX_PINS:
        raise _refused(file, _("its list of peers is malformed"))
    out = {}
    for key, entry in peers.items():
        out[str(key)[:200]] = _pin(file, str(key)[:200], entry)
    return out


def _pin(file: Path, key: str, entry: Any) -> Pin:
    from cagette.errors import UsageError

    if not isinstance(entry, dict) or not isinstance(entry.get("fingerprint"), str):
        raise _refused(file, _("the entry of {peer} is malformed").format(peer=key))
    try:
        fp = parse_fingerprint(entry["fingerprint"])
    except UsageError:
        raise _refused(file, _("the entry of {peer} is malformed").format(peer=key)) from None
    return Pin(key, fp, str(entry.get("name", ""))[:100], str(entry.get("address", ""))[:200])


def _write(library_root: Path, pins: dict[str, Pin]) -> None:
    from cagette.fsutil import atomic_write_text

    file = path(library_root)
    doc = {"format": FORMAT, "version": VERSION, "peers": {k: p.to_dict() for k, p in sorted(pins.items())}}
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(file, json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    except OSError as exc:
        raise SyncError(_("Cannot write {file}: {error}.").format(file=file, error=exc.strerror or exc),
                        _("Check that the library folder is writable.")) from None


def check(pins: dict[str, Pin], key: str, fingerprint: str) -> str:
    """:data:`NEW` (never trusted), :data:`SAME` (the fingerprint trusted) or :data:`CHANGED`."""
    known = pins.get(key)
    if known is None:
        return NEW
    return SAME if known.fingerprint == parse_fingerprint(fingerprint) else CHANGED


def trust(library_root: Path, key: str, fingerprint: str, name: str = "", where: str = "") -> Pin:
    """Remember *fingerprint* as the one *key* shows (a person compared it and trusted it), reached at
    *where* (``host:port``)."""
    pins = load(library_root)
    if key not in pins and len(pins) >= MAX_PINS:
        raise SyncError(_("This library already trusts {n} peers.").format(n=MAX_PINS),
                        _("Forget the peers it no longer syncs with first."))
    pin = Pin(key[:200], parse_fingerprint(fingerprint), name[:100], where[:200])
    pins[pin.peer] = pin
    _write(library_root, pins)
    return pin


def forget(library_root: Path, key: str) -> bool:
    """Forget the fingerprint trusted for *key*; whether there was one."""
    pins = load(library_root)
    if pins.pop(key, None) is None:
        return False
    _write(library_root, pins)
    return True
