"""Thin bridges from the screens to the core areas, imported only when a screen needs them.

Each function names what the screen needs in its own words, so a screen does
not depend on where in the core a figure is computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cagette.errors import CagetteError


@dataclass(frozen=True)
class Problem:
    """One problem of a project, as shown beside the scene it concerns."""

    severity: str  # "error" or "warning"
    message: str
    hint: str = ""
    scene: str = ""  # scene slug, "" for the whole project


def words_per_minute() -> int:
    from cagette import settings

    try:
        return int(settings.current().video.words_per_minute) or 130
    except CagetteError:  # a broken settings file is reported elsewhere; the estimate still shows
        return 130


def script_seconds(text: str) -> float:
    """The time a voice takes to say *text* (the video area's estimate, at the settings' pace)."""
    from cagette.video.script import estimate_s

    return float(estimate_s(text, words_per_minute()))


def project_problems(project: Any) -> list[Problem]:
    """The problems ``cagette project check`` reports (missing files, scripts longer than their shots...)."""
    from cagette.video.check import check_project

    out = []
    scenes = {s.slug for s in project.data.scenes}
    for p in check_project(project, words_per_minute()):
        # where: "project", "N:slug" for a scene, "N:slug/shot-id" for a shot
        slug = p.where.split("/")[0].partition(":")[2]
        out.append(Problem(p.level, p.message, "", slug if slug in scenes else ""))
    return out


def template_folders() -> list[Path]:
    """Where storyboard templates are looked for: the user's library first, then the starter's."""
    from cagette import locations

    folders = [locations.library_dir().path / "templates"]
    try:
        from cagette.starter import templates_dir
    except ImportError:
        return folders
    return [*folders, templates_dir()]


def caption_lines(project: Any, scene: Any) -> list[tuple[float, float, str]]:
    """The caption lines of a scene as (start s, end s, text), from its script (spread over its speech)."""
    from cagette.video.script import scene_captions

    end = max(script_seconds(scene.script), 1.0)
    return [(c.start_s, c.end_s, " ".join(c.lines)) for c in scene_captions(scene.script, 0.0, end)]


# -- render and publish ------------------------------------------------------------------

def render_presets() -> list[tuple[str, str]]:
    """(name, description) of the render presets, the quick draft first."""
    from cagette.i18n import _
    from cagette.video.presets import PRESETS

    names = sorted(PRESETS, key=lambda n: (n != "draft", n))
    return [(n, _(PRESETS[n].description)) for n in names]


def last_render(project: Any) -> Path | None:
    folder = project.exports_dir
    videos = sorted(folder.glob("*.mp4"), key=lambda p: p.stat().st_mtime) if folder.is_dir() else []
    return videos[-1] if videos else None


def render_video(project: Any, preset: str, progress: Any) -> Path:
    """Render *project* with *preset* into its exports folder (replacing an older render); the video's path."""
    from cagette.video.render import render_project, resolve_preset

    result = render_project(project, preset=resolve_preset(project, preset), force=True, progress=progress,
                            words_per_minute=words_per_minute())
    return Path(result.video)


def open_library(app_library: Path | None = None) -> Any:
    """The library the app works on (created and seeded on first use, like the command line)."""
    from cagette import locations, settings
    from cagette.library.library import open_choice

    choice = locations.library_dir(app_library) if app_library else locations.library_dir()
    return open_choice(choice, settings.current())


def publish_video(library: Path | None, project: Any, video: Path, progress: Any) -> str:
    """Add the project's latest render (with captions, transcript, thumbnail, storyboard) to the library."""
    from cagette.i18n import _

    progress.start(_("Publishing"), None)
    lib = open_library(library)
    data = project.data
    meta: dict[str, Any] = {"title": data.title, "licence": data.licence, "language": data.language,
                            "description": data.description, "authors": list(data.authors),
                            "organisation": data.organisation or None}
    resource = lib.add_path(project.root, **meta)
    progress.finish()
    return str(resource.id)
