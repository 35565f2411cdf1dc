"""Leftovers of interrupted work, counted and removed: ``cagette library gc``.

A sync that was cut keeps what arrived of a large object in
``local/sync-partial/<hash>.part`` (``local/`` is never synced) and resumes
from it next time. :func:`partials` lists them (``fsck`` and ``stats`` count
them); :func:`collect` removes the orphans, under the library lock: partial
files of objects now present or that no resource references any more,
anything else in that folder, temporary files a crash left in
``objects/.tmp/``, and, when asked, objects no resource references.
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cagette.library.library import Library

PARTIAL_DIR = ("local", "sync-partial")
_PART_RE = re.compile(r"^([0-9a-f]{64})\.part$")


def partial_dir(root: Path) -> Path:
    return Path(root).joinpath(*PARTIAL_DIR)


def partials(root: Path) -> dict[str, int]:
    """The partial transfers of the library at *root*: object hash → bytes already there."""
    out: dict[str, int] = {}
    try:
        entries = list(os.scandir(partial_dir(root)))
    except FileNotFoundError:
        return out
    for entry in entries:
        m = _PART_RE.match(entry.name)
        if m and entry.is_file(follow_symlinks=False):
            out[m.group(1)] = entry.stat(follow_symlinks=False).st_size
    return out


@dataclass
class GcReport:
    partials: int = 0
    partial_bytes: int = 0
    temp_files: int = 0
    objects: list[str] = field(default_factory=list)
    object_bytes: int = 0
    kept_partials: int = 0  # partial transfers of objects still wanted: the next sync resumes them

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def collect(lib: Library, unreferenced: bool = False) -> GcReport:
    """Remove what interrupted work left behind in the library *lib* (a :class:`Library`)."""
    rep = GcReport()
    with lib.lock():
        wanted = lib.state().referenced_hashes()
        present = set(lib.objects)
        folder = partial_dir(lib.path)
        have = partials(lib.path)
        if folder.is_dir():
            for entry in list(os.scandir(folder)):
                m = _PART_RE.match(entry.name)
                digest = m.group(1) if m else None
                if digest is not None and entry.is_file(follow_symlinks=False) and digest in wanted \
                        and digest not in present:
                    rep.kept_partials += 1
                    continue
                size = entry.stat(follow_symlinks=False).st_size if entry.is_file(follow_symlinks=False) else 0
                with contextlib.suppress(FileNotFoundError, IsADirectoryError, PermissionError):
                    os.unlink(entry.path)
                    rep.partials += 1
                    rep.partial_bytes += have.get(digest or "", size)
        rep.temp_files = lib.objects.clean_tmp()
        if unreferenced:
            for digest in sorted(present - set(wanted)):
                size = lib.objects.size(digest)
                if lib.objects.delete(digest):
                    rep.objects.append(digest)
                    rep.object_bytes += size
    return rep
