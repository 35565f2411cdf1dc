"""A place for the app to work in: a project with scenes, a frames shot and a title card, a library,
templates; and what the widgets of a screen hold and what the folder holds, to compare before and after."""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path
from typing import Any

from cagette.video import synth
from cagette_tui.screens.base import snapshot
from cagette_tui.screens.catalogue import Place
from tests.tui.fixtures import make_project, make_template
from tests.tui.test_web import free_port


def make_place(tmp_path: Path) -> Place:
    from cagette.library.library import Library

    root = tmp_path / "projects" / "town-hall"
    root.parent.mkdir(parents=True)
    project = make_project(root, "Town hall")
    project.set_info(authors=["Ana"], organisation="Mairie", description="Opening hours.")
    project.add_frames("welcome", [synth.frame_image(tmp_path / f"f{n}.png", n, (64, 36)) for n in range(3)])
    project.add_shot("forms", kind="title", title="The form")
    Library.create(tmp_path / "library", site_name="Mairie")
    templates = tmp_path / "templates"
    make_template(templates)
    return Place(project=root, library=tmp_path / "library", port=free_port(), templates=templates)


def widget_values(screen: Any, skip: str = "") -> dict[str, tuple[str, Any]]:
    """What every field, list, table and switch of *screen* holds (scroll positions aside), but *skip*."""
    return {k: v for k, v in snapshot(screen).items() if k != skip and v[0] != "scroll"}


def folder_state(root: Path) -> dict[str, str]:
    """Every file under *root* (the app's bookkeeping aside) with a digest of its bytes."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_dir() or "/.cagette/" in f"/{rel}" or path.name.startswith((".app-state", "app-state")):
            continue
        if path.name.endswith(".lock"):
            continue
        out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def leaves(value: Any, prefix: str = "") -> dict[str, Any]:
    """A TOML document flattened to its leaves ("scenes.0.title" → value)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(leaves(v, f"{prefix}{k}."))
        return out
    if isinstance(value, list):
        out = {}
        for n, v in enumerate(value):
            out.update(leaves(v, f"{prefix}{n}."))
        return out
    return {prefix.rstrip("."): value}


def project_leaves(root: Path) -> dict[str, Any]:
    return leaves(tomllib.loads((root / "project.toml").read_text(encoding="utf-8")))
