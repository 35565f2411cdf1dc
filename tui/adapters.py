"""Thin bridges from the screens to the core areas, imported only when a screen needs them.

Each function names what the screen needs in its own words, so a screen does
not depend on where in the core a figure is computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cagette.errors import CagetteError
from cagette.video.project import AUDIO_EXTS as AUDIO_EXTS  # what a file dialog for sounds lists
from cagette.video.project import IMAGE_EXTS, VIDEO_EXTS

if TYPE_CHECKING:
    from cagette.video.project import Project

MEDIA_EXTS = VIDEO_EXTS | IMAGE_EXTS  # what a file dialog for clips and photos lists


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


def project_problems(project: Project) -> list[Problem]:
    """The problems ``cagette project check`` reports (missing files, scripts longer than their shots...)."""
    from cagette.video.check import check_project

    out = []
    scenes = {s.slug for s in project.data.scenes}
    for p in check_project(project, words_per_minute()):
        # where: "project", "N:slug" for a scene, "N:slug/shot-id" for a shot
        slug = p.where.split("/")[0].partition(":")[2]
        out.append(Problem(p.level, p.message, "", slug if slug in scenes else ""))
    return out


def find_templates(app_library: str | None, lang: str, folders: list[Path] | None = None) -> Any:
    """The templates a new project can start from (a :class:`cagette.flows.templates.TemplateList`):
    the library's (never created for this), then the starter's (*folders* replaces the starter's)."""
    from cagette import locations
    from cagette.flows.seeding import open_existing
    from cagette.flows.templates import find_templates as find

    library = open_existing(locations.library_dir(app_library))
    return find(library, lang, folders)


def create_project(root: Path, template: Any, app_library: str | None, title: str, lang: str) -> Any:
    """Make the project (from *template* when given: it remembers it and takes its licence).

    Returns a :class:`cagette.flows.templates.Created` (the project, and notices to show)."""
    from cagette import locations, settings
    from cagette.flows.seeding import open_existing
    from cagette.flows.templates import create_project as create

    general = settings.current().general
    library = open_existing(locations.library_dir(app_library)) if template is not None else None
    return create(root, template, library, title=title, language=lang,
                  authors=[general.author] if general.author else [], organisation=general.organisation)


def caption_lines(project: Project, scene: Any) -> list[tuple[float, float, str]]:
    """The caption lines of a scene as (start s, end s, text), from its script (spread over its speech)."""
    from cagette.video.script import scene_captions

    end = max(script_seconds(scene.script), 1.0)
    return [(c.start_s, c.end_s, " ".join(c.lines)) for c in scene_captions(scene.script, 0.0, end)]


# -- render and publish ------------------------------------------------------------------

def render_presets() -> list[tuple[str, str]]:
    """(name, description) of the render presets, the settings' default first and the quick draft last."""
    from cagette.i18n import _
    from cagette.video.presets import PRESETS

    first = default_preset()
    names = sorted(PRESETS, key=lambda n: (n != first, n == "draft", n))
    return [(n, _(PRESETS[n].description)) for n in names]


def default_preset() -> str:
    """The preset a project renders with when it names none (the settings', else web-16x9)."""
    from cagette import settings
    from cagette.video.presets import PRESETS

    try:
        name = settings.current().video.default_preset
    except CagetteError:
        name = ""
    return name if name in PRESETS else "web-16x9"


def last_render(project: Project) -> Path | None:
    """The newest render of *project* (``exports/<preset>/<slug>.mp4``), None before the first one."""
    from cagette.video.exports import latest_export

    export = latest_export(project)
    return export.video if export is not None else None


def render_errors(project: Project) -> list[str]:
    """What ``cagette project check`` finds in error: a render still runs (a draft of an unfinished project is
    useful), but the app says the video does not show everything the storyboard holds."""
    from cagette.video.check import render_errors as errors

    return [p.message for p in errors(project, words_per_minute())]


def render_video(project: Project, preset: str, progress: Any) -> Path:
    """Render *project* with *preset* into its exports folder (replacing an older render); the video's path."""
    from cagette.video.render import render_project, resolve_preset

    result = render_project(project, preset=resolve_preset(project, preset), force=True, progress=progress,
                            words_per_minute=words_per_minute())
    return Path(result.video)


def open_library(app_library: Path | None = None) -> Any:
    """The library the app works on (created and seeded on first use, like the command line)."""
    from cagette import locations, settings
    from cagette.flows.seeding import open_choice

    choice = locations.library_dir(app_library) if app_library else locations.library_dir()
    return open_choice(choice, settings.current())


def publish_video(library: Path | None, project: Project, video: Path, progress: Any) -> Any:
    """Publish *video* (a render of *project*, with its captions, transcript, thumbnail and storyboard);
    the project's title, licence, authors and the template it came from go with it.

    Returns a :class:`cagette.flows.publish.Published` (the resource, and notices to show)."""
    from cagette import settings
    from cagette.flows.publish import publish_defaults, publish_project
    from cagette.i18n import _

    progress.start(_("Publishing"), None)
    lib = open_library(library)
    done = publish_project(lib, project, video=video, defaults=publish_defaults(lib, settings.current()))
    progress.finish()
    return done


def publish_path(library: Any, path: Path, progress: Any) -> Any:
    """Publish a file, a folder of files or a project folder (as the command line's `library add`)."""
    from cagette import settings
    from cagette.flows.publish import publish_defaults
    from cagette.flows.publish import publish_path as publish
    from cagette.i18n import _

    progress.start(_("Publishing"), None)
    return publish(library, path, defaults=publish_defaults(library, settings.current()))
