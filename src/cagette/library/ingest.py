"""What ``cagette library add PATH`` takes from a file or a folder.

A lone file is added with captions and a thumbnail that sit beside it under
the same name; a folder, with its top-level files. The library never parses a
project: publishing a project folder is a flow (:mod:`cagette.flows.publish`)
that asks the video pillar what the project holds and hands the files and
fields to :meth:`~cagette.library.library.Library.add`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cagette.errors import UsageError
from cagette.i18n import _
from cagette.library.resources import guess_kind

IMAGE_EXT = (".jpg", ".jpeg", ".png", ".webp")


def _stem(p: Path) -> str:
    return p.name.split(".", 1)[0]


def _companions(main: Path, pool: list[Path]) -> list[tuple[str, Path]]:
    """Captions, transcript and thumbnail beside *main* that share its name."""
    out: list[tuple[str, Path]] = []
    stem = _stem(main)
    for p in sorted(pool):
        if p == main or not p.is_file():
            continue
        name = p.name.lower()
        same_name = _stem(p) == stem or name.startswith(stem.lower() + ".")
        if not same_name and not (name.startswith("thumbnail") and name.endswith(IMAGE_EXT)):
            continue
        if name.endswith((".vtt", ".srt")):
            out.append(("captions", p))
        elif name.endswith((".txt", ".md")):
            out.append(("transcript", p))
        elif name.endswith(IMAGE_EXT) and not any(r == "thumbnail" for r, _p in out):
            out.append(("thumbnail", p))
    return out


def mp4_duration(path: Path) -> float | None:
    """Seconds, from the ``moov/mvhd`` box of an MP4/MOV file (None if not found)."""
    import struct

    try:
        with open(path, "rb") as fh:
            size = path.stat().st_size
            pos, end = 0, size
            while pos + 8 <= end:
                fh.seek(pos)
                head = fh.read(8)
                box_size, kind = struct.unpack(">I4s", head)
                header = 8
                if box_size == 1:
                    box_size = struct.unpack(">Q", fh.read(8))[0]
                    header = 16
                elif box_size == 0:
                    box_size = end - pos
                if box_size < header:
                    return None
                if kind == b"moov":
                    pos, end = pos + header, pos + box_size  # descend
                    continue
                if kind == b"mvhd":
                    body = fh.read(32)
                    if body[0] == 1:
                        timescale, duration = struct.unpack(">IQ", body[20:32])
                    else:
                        timescale, duration = struct.unpack(">II", body[12:20])
                    return round(duration / timescale, 3) if timescale else None
                pos += box_size
    except (OSError, struct.error, IndexError):
        return None
    return None


def collect(path: Path) -> tuple[list[tuple[str, Path]], dict[str, Any]]:
    """The files ``(role, path)`` to add from *path*, and the metadata guessed from it."""
    if not path.exists():
        raise UsageError(_("{path} does not exist.").format(path=path), _("Check the path."))
    if path.is_file():
        files = [("main", path), *_companions(path, list(path.parent.iterdir()))]
        meta: dict[str, Any] = {"kind": guess_kind([path.name]), "title": _stem(path).replace("-", " ").replace("_", " ")}
        if path.suffix.lower() in (".mp4", ".mov", ".m4v", ".m4a"):
            meta["duration"] = mp4_duration(path)
        return files, meta
    regular = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
    if not regular:
        raise UsageError(_("{path} holds no file to add.").format(path=path),
                         _("Give a file, a project folder or a folder of files."))
    files = [("main", regular[0])] + [("attachment", p) for p in regular[1:]]
    return files, {"kind": guess_kind([p.name for p in regular]), "title": path.name}
