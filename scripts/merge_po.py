#!/usr/bin/env python3
"""Resolve a merge of gettext catalogues: the union of both sides (built on Babel's ``read_po``).

    scripts/merge_po.py BASE OURS THEIRS          git's merge driver: writes the union into OURS
    scripts/merge_po.py --conflicted FILE.po...   a file git left with conflict markers: resolved in place

Every entry of either side is kept, ours in our order, then theirs' new ones; when both sides hold an
entry, a non-empty translation wins over an empty one (a settled one over a fuzzy one; ours when both
are filled). The result is written as ``python -m cagette.i18n_extract update`` writes it. As a driver:

    git config merge.po.driver "scripts/merge_po.py %O %A %B"
    echo "*.po merge=po" >> .git/info/attributes

Exit 0 merged; 2 on a bad command line, an unreadable catalogue or unbalanced conflict markers.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from cagette.fsutil import atomic_write_bytes  # noqa: E402
from cagette.i18n import read_catalogue, translated  # noqa: E402
from cagette.i18n_extract import dumps, new_catalogue  # noqa: E402

if TYPE_CHECKING:
    from babel.messages.catalog import Message


def _lang(path: Path, text: str) -> str:
    for line in text.splitlines():
        if line.startswith('"Language:'):
            return line.split(":", 1)[1].strip().strip('"').removesuffix("\\n").strip()
    return path.parent.parent.name if path.parent.name == "LC_MESSAGES" else "fr"


def _score(m: Message) -> int:
    filled = m.string if isinstance(m.string, str) else all(m.string)
    return 2 if translated(m) else 1 if filled else 0


def union(ours: str, theirs: str, path: Path) -> bytes:
    """The union of two ``.po`` texts of the catalogue at *path*, as ``.po`` bytes."""
    lang = _lang(path, ours or theirs)
    mine, other = read_catalogue(ours, lang), read_catalogue(theirs, lang)
    merged = new_catalogue(path.stem, lang)
    merged.header_comment = mine.header_comment or merged.header_comment
    for m in mine:
        if m.id:
            them = other.get(m.id)
            merged[m.id] = them if them is not None and _score(them) > _score(m) else m
    for m in other:
        if m.id and mine.get(m.id) is None:
            merged[m.id] = m
    return dumps(merged)


def sides(text: str) -> tuple[str, str]:
    """Our and their text of a file holding git's conflict markers (a diff3 base part is dropped)."""
    ours: list[str] = []
    theirs: list[str] = []
    where = "both"
    for line in text.splitlines(keepends=True):
        if line.startswith("<<<<<<<") and where == "both":
            where = "ours"
        elif line.startswith("|||||||") and where == "ours":
            where = "base"
        elif line.startswith("=======") and where in ("ours", "base"):
            where = "theirs"
        elif line.startswith(">>>>>>>") and where == "theirs":
            where = "both"
        elif where == "both":
            ours.append(line)
            theirs.append(line)
        elif where == "ours":
            ours.append(line)
        elif where == "theirs":
            theirs.append(line)
    if where != "both":
        raise ValueError("unbalanced conflict markers")
    return "".join(ours), "".join(theirs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Merge .po catalogues: the union of both sides, a translation wins.")
    parser.add_argument("--conflicted", action="store_true", help="resolve files that hold git's conflict markers")
    parser.add_argument("files", nargs="+", type=Path, help="BASE OURS THEIRS (git's %%O %%A %%B), or the conflicted files")
    ns = parser.parse_args(argv)
    try:
        if ns.conflicted:
            for path in ns.files:
                atomic_write_bytes(path, union(*sides(path.read_text(encoding="utf-8")), path))
                print(f"merge_po: {path} resolved", file=sys.stderr)
            return 0
        if len(ns.files) != 3:
            parser.error("give BASE OURS THEIRS, or --conflicted FILE...")
        _base, ours, theirs = ns.files
        data = union(ours.read_text(encoding="utf-8"), theirs.read_text(encoding="utf-8"), ours)
        atomic_write_bytes(ours, data)
    except (OSError, ValueError) as exc:
        print(f"merge_po: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
