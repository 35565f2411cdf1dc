"""This library's identity as a site: ``local/site.json`` (never synced).

::

    {"site_id": "<uuid>", "site_name": "Région Exemple", "machine": "host:machine-id",
     "path": "/abs/path/of/the/library", "created": "…", "previous_site_ids": ["<uuid>", …]}

The file records the machine and the absolute path it was made on. A library
that finds itself copied elsewhere (another machine, another folder) takes a
new site id, so two copies never append to one log: the old id's log stays,
read-only, like any other site's. The copy proves it succeeds the old id with
the old id's key (``local/keys/``), then forgets that key. Moderators are not
local any more: a community's signed policy names them (:mod:`cagette.library.state`).
"""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cagette.errors import LibraryError
from cagette.fsutil import atomic_write_text
from cagette.i18n import _
from cagette.library.log import is_site_id, new_site_id, now_iso

SITE_FILE = "site.json"


def machine_id() -> str:
    """Host name plus the OS machine id when there is one."""
    mid = ""
    for p in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
        try:
            mid = Path(p).read_text(encoding="ascii").strip()
            break
        except OSError:
            continue
    return f"{socket.gethostname()}:{mid}"


@dataclass(frozen=True)
class Site:
    site_id: str
    site_name: str = ""
    machine: str = ""
    path: str = ""
    created: str = ""
    previous_site_ids: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"site_id": self.site_id, "site_name": self.site_name, "machine": self.machine,
                "path": self.path, "created": self.created, "previous_site_ids": list(self.previous_site_ids)}

    @classmethod
    def from_dict(cls, d: dict[str, Any], where: Path) -> Site:
        sid = d.get("site_id")
        prev = d.get("previous_site_ids", [])
        if not is_site_id(sid) or not isinstance(prev, list) or not all(is_site_id(p) for p in prev):
            raise LibraryError(_("{path} is malformed.").format(path=where),
                               _("Delete it: the library will take a new site id."))
        return cls(str(sid), str(d.get("site_name", "")), str(d.get("machine", "")), str(d.get("path", "")),
                   str(d.get("created", "")), tuple(prev))

    def belongs_here(self, library_path: Path) -> bool:
        return self.machine == machine_id() and self.path == str(Path(library_path).resolve())


@dataclass
class SiteFile:
    """Reads and writes ``local/site.json`` of a library."""

    library_path: Path
    local_dir: Path
    _cached: Site | None = field(default=None, repr=False)

    @property
    def path(self) -> Path:
        return self.local_dir / SITE_FILE

    def read(self) -> Site | None:
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            d = json.loads(raw)
        except json.JSONDecodeError:
            raise LibraryError(_("{path} is not valid JSON.").format(path=self.path),
                               _("Delete it: the library will take a new site id.")) from None
        if not isinstance(d, dict):
            raise LibraryError(_("{path} is malformed.").format(path=self.path),
                               _("Delete it: the library will take a new site id."))
        return Site.from_dict(d, self.path)

    def write(self, site: Site) -> None:
        atomic_write_text(self.path, json.dumps(site.to_dict(), ensure_ascii=False, indent=2) + "\n")

    def ensure(self, site_name: str = "") -> tuple[Site, bool]:
        """This library's site here, made (or remade, if copied) when needed. Call under the lock.

        Returns ``(site, changed)``; *changed* is True when a new site id was taken.
        """
        current = self.read()
        here = str(Path(self.library_path).resolve())
        if current is not None and current.belongs_here(self.library_path):
            return current, False
        previous: tuple[str, ...] = ()
        name = site_name
        if current is not None:
            previous = (*current.previous_site_ids, current.site_id)[-50:]
            name = site_name or current.site_name
        site = Site(new_site_id(), name, machine_id(), here, now_iso(), previous)
        self.write(site)
        return site, True

    def fork(self) -> Site:
        """A new site id succeeding the current one, here (a restored library whose lines were lost)."""
        current = self.read()
        assert current is not None
        site = Site(new_site_id(), current.site_name, machine_id(), str(Path(self.library_path).resolve()),
                    now_iso(), (*current.previous_site_ids, current.site_id)[-50:])
        self.write(site)
        return site

    def update(self, **changes: Any) -> Site:
        current = self.read()
        if current is None:
            current, _changed = self.ensure()
        site = replace(current, **changes)
        self.write(site)
        return site
