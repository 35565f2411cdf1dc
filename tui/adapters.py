"""Thin bridges from the screens to the core areas, imported only when a screen needs them.

Each function names what the screen needs in its own words, so a screen does
not depend on where in the core a figure is computed.
"""

from __future__ import annotations

import re
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
    """The time a voice takes to say *text* (the video area's estimate when it is installed)."""
    try:
        from cagette.video.script import estimate_s
    except ImportError:
        words = len(re.findall(r"\w+", text))
        return words * 60.0 / words_per_minute()
    return float(estimate_s(text, words_per_minute()))


def project_problems(project: Any) -> list[Problem]:
    """The problems ``cagette project check`` reports, if the video area can check."""
    try:
        from cagette.video import check as video_check
    except ImportError:
        return []
    found = video_check.check(project)
    out = []
    for p in found:
        out.append(Problem(str(getattr(p, "severity", "error")), str(getattr(p, "message", p)),
                           str(getattr(p, "hint", "") or ""), str(getattr(p, "scene", "") or "")))
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
    """The caption lines of a scene as (start s, end s, text), from its script.

    Uses the video area's caption maker when it has one; else one line per
    sentence, timed by the speech estimate.
    """
    seconds = script_seconds(scene.script)
    try:
        from cagette.video.script import scene_captions
    except ImportError:
        scene_captions = None
    if scene_captions is not None:
        return [(c.start_s, c.end_s, " ".join(c.lines)) for c in scene_captions(scene.script, 0.0, max(seconds, 1.0))]
    sentences = [s.strip() for s in re.split(r"(?<=[.!?…])\s+", scene.script.strip()) if s.strip()]
    out, t = [], 0.0
    for sentence in sentences:
        d = script_seconds(sentence)
        out.append((t, t + d, sentence))
        t += d
    return out


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
    """Render *project* with *preset* into its exports folder; returns the video's path."""
    from cagette.video import render

    result = render.render(project.root, preset=preset, progress=progress)
    return Path(getattr(result, "video", result))


def publish_video(library: Path, project: Any, video: Path, progress: Any) -> str:
    """Add a rendered video (with its captions and thumbnail) to the library; returns the resource id."""
    from cagette.library import library as lib

    progress.start(_publish_task(), None)
    resource = lib.publish_render(library, project.root, video, progress=progress)
    return str(getattr(resource, "id", resource))


def _publish_task() -> str:
    from cagette.i18n import _

    return _("Publishing")
