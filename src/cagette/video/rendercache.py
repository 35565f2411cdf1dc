"""The render cache: encoded pieces of a render, kept by a key of everything that made them.

A key (:func:`key_of`) is the SHA-256 of a canonical description: the engine
version, the ffmpeg binary, the encoder settings, the filter graph (every time
in it counted from the piece's own start, so a scene moved later keeps its key)
and the *content* of every file the graph reads (media by their digests, text
files and links of the work folder by theirs). Change anything that shows and
the key changes; change nothing and a later render reuses the file.

:class:`RenderCache` is a folder of ``<key>.<ext>`` files bounded in size: a
file used is touched, and once a render is done the least recently used go
until the folder fits (``[video] render_cache_mb`` in the settings). It lives in
the project's ``.cagette/cache/render/`` (or the user cache when the project
cannot be written). A file enters it only complete (renamed in), so a cancelled
render never leaves half a segment to be reused; two renders may share it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path

from cagette.fsutil import FileLock
from cagette.video.staging import Digests

ENGINE_VERSION = "segments-1"  # bump when the graph compiler changes what a graph means


def _binary_identity(exe: str) -> str:
    p = Path(exe)
    try:
        st = p.stat()
    except OSError:
        return p.name
    return f"{p.name}:{st.st_size}"


def _inputs(args: Sequence[str], workdir: Path, digests: Digests) -> list[str]:
    """The input arguments with every file replaced by the digest of its content."""
    out = []
    for i, arg in enumerate(args):
        path = Path(arg)
        if i and args[i - 1] == "-i" and path.is_absolute() and path.is_file():
            out.append("file:" + digests.of(path))
        elif i and args[i - 1] == "-i" and (workdir / arg).is_file():
            out.append("work:" + digests.of(workdir / arg))
        else:
            out.append(arg)
    return out


def _work_files(workdir: Path, digests: Digests) -> dict[str, str]:
    """Every file of a work folder (text files, links to fonts and frames) by its content's digest."""
    found: dict[str, str] = {}
    for p in sorted(workdir.rglob("*")):
        if p.is_file() and p.name != "graph.txt":
            target = p.resolve()
            found[p.relative_to(workdir).as_posix()] = (digests.of(target) if target != p.absolute()
                                                        else hashlib.sha256(p.read_bytes()).hexdigest())
    return found


def key_of(kind: str, exe: str, encoder: Sequence[str], inputs: Sequence[str], graph: str, workdir: Path,
           digests: Digests, extra: Iterable[object] = ()) -> str:
    """The key of an encoded piece (see the module's doc)."""
    description = {
        "engine": ENGINE_VERSION, "kind": kind, "ffmpeg": _binary_identity(exe), "encoder": list(encoder),
        "inputs": _inputs(inputs, workdir, digests), "graph": graph, "files": _work_files(workdir, digests),
        "extra": [str(x) for x in extra],
    }
    return hashlib.sha256(json.dumps(description, sort_keys=True).encode("utf-8")).hexdigest()


class RenderCache:
    """A bounded folder of cached render pieces (see the module's doc)."""

    def __init__(self, folder: Path, limit_bytes: int) -> None:
        self.folder = Path(folder)
        self.limit = max(0, int(limit_bytes))
        self.lock = FileLock(self.folder / ".lock", what=str(self.folder))

    def path(self, key: str, ext: str) -> Path:
        return self.folder / f"{key}{ext}"

    def fetch(self, key: str, ext: str, dst: Path) -> bool:
        """Link (or copy) the cached file of *key* to *dst*; False when there is none."""
        src = self.path(key, ext)
        try:
            os.link(src, dst)
        except FileNotFoundError:
            return False
        except OSError:
            try:
                shutil.copyfile(src, dst)
            except FileNotFoundError:
                return False
        with contextlib.suppress(OSError):
            os.utime(src)  # used now: the last to go
        return True

    def store(self, key: str, ext: str, src: Path) -> None:
        """Keep a complete file under *key* (a link: *src* stays where it is)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        dst = self.path(key, ext)
        tmp = self.folder / f".{key}.{os.getpid()}{ext}"
        try:
            try:
                os.link(src, tmp)
            except OSError:
                shutil.copyfile(src, tmp)
            os.replace(tmp, dst)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()

    def entries(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        return [p for p in self.folder.iterdir() if p.is_file() and not p.name.startswith(".")]

    def size(self) -> int:
        return sum(p.stat().st_size for p in self.entries() if p.exists())

    def trim(self) -> list[Path]:
        """Remove the least recently used files until the cache fits its limit; returns what went."""
        gone = []
        with self.lock:
            files = []
            for p in self.entries():
                with contextlib.suppress(FileNotFoundError):
                    st = p.stat()
                    files.append((st.st_mtime_ns, p.name, p, st.st_size))
            total = sum(f[3] for f in files)
            for _mtime, _name, p, size in sorted(files):
                if total <= self.limit:
                    break
                with contextlib.suppress(FileNotFoundError):
                    p.unlink()
                    gone.append(p)
                total -= size
        return gone
