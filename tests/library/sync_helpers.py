"""Small libraries for the sync tests, and what "unchanged" means for one."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from cagette.library.library import Library
from cagette.sync.local import LocalLibrary


def make_library(path: Path, name: str, resources: int = 2, tag: str = "shared", size: int = 64) -> Library:
    lib = Library.create(path, site_name=name)
    for i in range(resources):
        add(lib, path.parent, f"{name} {i}", tags=[tag, f"n{i}"], size=size, seed=f"{name}-{i}")
    return lib


def add(lib: Library, work: Path, title: str, tags: list[str] | None = None, size: int = 64,
        seed: str | None = None) -> Any:
    seed = seed or title
    data = (hashlib.sha256(seed.encode()).digest() * (size // 32 + 1))[:size]
    src = work / f"src-{hashlib.sha1(seed.encode()).hexdigest()[:10]}.bin"
    src.write_bytes(data)
    return lib.add([("main", src)], kind="guide", title=title, tags=tags or [])


def snapshot(path: Path) -> dict[str, Any]:
    """Everything a sync may change in a library folder: logs, objects, index."""
    out: dict[str, Any] = {}
    for sub in ("log", "objects"):
        base = path / sub
        for root, _dirs, files in os.walk(base):
            for f in files:
                p = Path(root) / f
                if ".tmp" in p.parts:
                    continue
                out[str(p.relative_to(path))] = hashlib.sha256(p.read_bytes()).hexdigest()
    idx = path / "local" / "index.json"
    out["index"] = idx.read_bytes() if idx.exists() else None
    return out


def fingerprint(path: Path) -> Any:
    return Library.open(path).state().fingerprint()


def local(path: Path) -> LocalLibrary:
    return LocalLibrary(path, ours=True)


def titles(path: Path) -> list[str]:
    return sorted(r.title for r in Library.open(path).resources())


def objects(path: Path) -> set[str]:
    return set(Library.open(path).objects)


def files(path: Path) -> set[str]:
    """The objects that are files of resources (not the descriptive objects holding their titles)."""
    lib = Library.open(path)
    used = {f.hash for r in lib.resources(include_retracted=True) for f in r.files}
    return set(lib.objects) & used
