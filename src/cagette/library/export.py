"""Exporting a resource: its files and its attribution, into a folder of its own."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cagette.errors import IntegrityError, LibraryError
from cagette.fsutil import staged_dir
from cagette.i18n import _
from cagette.library.resources import Resource

if TYPE_CHECKING:
    from cagette.library.library import Library


def export_resource(lib: Library, rid: str, out: Path, force: bool = False) -> Path:
    """Copy a resource's files and its attribution (ATTRIBUTION.md, resource.json) into *out*."""
    r = lib.get(rid)
    if r.purged:
        raise LibraryError(_("{rid} was purged: its files are gone.").format(rid=r.id), None)
    chain = lib.chain(r.id)
    with staged_dir(Path(out), force) as stage:
        used: set[str] = set()
        for f in r.files:
            name = f.name or f"{f.role}-{f.hash[:8]}"
            base, dot, ext = name.rpartition(".")
            n = 2
            while name in used:
                name = f"{base or ext}-{n}{dot}{ext if base else ''}"
                n += 1
            used.add(name)
            src = lib.objects.path(f.hash)
            if not src.is_file():
                raise LibraryError(_("The file {name} of {rid} is not in this library yet.").format(
                    name=name, rid=r.id), _("Sync with a site that has it, then export again."))
            shutil.copyfile(src, stage / name)
            os.chmod(stage / name, 0o644)
        (stage / "ATTRIBUTION.md").write_text(attribution_text(chain), encoding="utf-8")
        (stage / "resource.json").write_text(json.dumps(
            {"resource": r.to_dict(), "derived_from": [c.to_dict() for c in chain[1:]]},
            ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return Path(out)


def attribution_text(chain: Sequence[Resource]) -> str:
    """A Markdown credit for a resource and what it derives from."""
    if not chain:
        return ""
    from cagette.library.resources import LICENCES

    r = chain[0]
    lines = [f"# {r.title}", "", _("Licence: {licence} ({name})").format(
        licence=r.licence, name=LICENCES.get(r.licence, "")), ""]
    if r.authors:
        lines.append(_("Authors: {authors}").format(authors=", ".join(r.authors)))
    if r.organisation:
        lines.append(_("Organisation: {org}").format(org=r.organisation))
    if len(chain) > 1:
        lines += ["", _("Adapted from:"), ""]
        lines += [f"- {c.credit()}" for c in chain[1:]]
    lines.append("")
    return "\n".join(lines)


def verify_object_file(path: Path, digest: str) -> None:
    """Raise :class:`IntegrityError` unless the file at *path* hashes to *digest*."""
    from cagette.library.objects import hash_file

    actual, _size = hash_file(path)
    if actual != digest:
        raise IntegrityError(_("{path} does not match its hash.").format(path=path),
                             _("Run `cagette library fsck`."))
