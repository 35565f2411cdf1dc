"""Publishing a project to the library: what the video pillar knows, handed to the library pillar.

The library never parses ``project.toml``: this flow opens the project through
the video API and gives the library plain files and fields — the export and its
captions, transcript and thumbnail, the duration, title, description, language,
licence, authors, organisation — and ``derived_from``: the library resources the
project came from (the template it was made from), so an adaptation credits its
source without the user typing it. The library checks that the licence is
compatible with those sources.

Both front ends call :func:`publish_path` (``cagette library add PATH``, the app's
publish step and its library screen).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cagette.errors import UsageError
from cagette.i18n import _
from cagette.library.library import Library
from cagette.library.resources import Resource
from cagette.progress import Progress
from cagette.video.exports import Export, export_of, latest_export, media_files
from cagette.video.project import PROJECT_FILE, Project


@dataclass(frozen=True)
class Published:
    resource: Resource
    notices: tuple[str, ...] = ()  # what the user should know (a source not in this library...)


def is_project(path: Path) -> bool:
    return (Path(path) / PROJECT_FILE).is_file()


def publish_defaults(lib: Library, settings: Any) -> dict[str, Any]:
    """What fills the fields a project leaves empty: the settings' author, the organisation or site name."""
    general = getattr(settings, "general", None)
    out: dict[str, Any] = {"organisation": getattr(general, "organisation", "") or lib.site_name()}
    author = getattr(general, "author", "")
    if author:
        out["authors"] = [author]
    return out


def library_fields() -> frozenset[str]:
    """The resource fields this library takes from a publisher (a front end asks only what it can pass on)."""
    from cagette.library.resources import EDITABLE

    return frozenset(EDITABLE)


def publish_path(lib: Library, path: Path, *, meta: Mapping[str, Any] | None = None,
                 defaults: Mapping[str, Any] | None = None, progress: Progress | None = None) -> Published:
    """Add a project folder (through :func:`publish_project`), or any other file or folder, to the library."""
    if is_project(path):
        return publish_project(lib, Project.open(Path(path)), meta=meta, defaults=defaults, progress=progress)
    return Published(lib.add_path(Path(path), defaults=defaults, progress=progress, **dict(meta or {})))


def project_fields(project: Project, export: Export | None) -> dict[str, Any]:
    """The resource fields a project knows (only the ones it sets)."""
    d = project.data
    fields: dict[str, Any] = {"title": d.title or project.root.name}
    for key in ("description", "language", "licence", "organisation"):
        if getattr(d, key):
            fields[key] = getattr(d, key)
    if d.authors:
        fields["authors"] = list(d.authors)
    if export is not None:
        from cagette.video.probe import probe

        fields["duration"] = round(probe(export.video).duration_s, 3)
    return fields


def _files(project: Project, kind: str, export: Export | None) -> tuple[list[tuple[str, Path]], list[str]]:
    toml = project.file
    if kind == "video":
        assert export is not None
        files = [("main", export.video), *(("captions", c) for c in export.captions)]
        if export.transcript is not None:
            files.append(("transcript", export.transcript))
        if export.thumbnail is not None:
            files.append(("thumbnail", export.thumbnail))
        return [*files, ("storyboard", toml)], []
    if kind != "template":
        return [("main", toml)], []
    media = media_files(project)
    carried = [p for p in media if p.relative_to(project.root).parts[0] != "frames"]
    names = [p.name for p in carried]
    notices = []
    if len(carried) < len(media):
        notices.append(_("A template carries its clips, photos and sounds, not its stop-motion frames."))
    if len(set(names)) < len(names):
        raise UsageError(_("Two files of {project} have the same name; a template needs distinct names.").format(
            project=project.root), _("Rename one of them in the project, then publish again."))
    return [("main", toml), *(("attachment", p) for p in carried)], notices


def publish_project(lib: Library, project: Project, *, video: Path | None = None,
                    meta: Mapping[str, Any] | None = None, defaults: Mapping[str, Any] | None = None,
                    progress: Progress | None = None) -> Published:
    """Add *project* to the library: its latest render (or *video*) as a ``video`` resource, else its
    storyboard; ``kind="template"`` publishes it as a template (its project.toml and media).

    Fields given in *meta* win over what the project says, which wins over *defaults*. The
    project's ``derived_from`` is recorded for the sources this library has; the others are named
    in :attr:`Published.notices`.
    """
    given = {k: v for k, v in (meta or {}).items() if v not in (None, "", [], ())}
    export = export_of(Path(video)) if video is not None else latest_export(project)
    kind = given.get("kind") or ("video" if export is not None else "storyboard")
    if kind == "video" and export is None:
        raise UsageError(_("{project} has no render to publish as a video.").format(project=project.root),
                         _("Render it first (`cagette render {project}`).").format(project=project.root))
    fields: dict[str, Any] = {**dict(defaults or {}), **project_fields(project, export if kind == "video" else None)}
    fields.update(given)
    fields["kind"] = kind
    files, notices = _files(project, kind, export)
    typed = list(given.get("derived_from", ()))  # named by the user: the library refuses an unknown one
    remembered = [s for s in project.data.derived_from if s not in typed]
    kept = [s for s in remembered if lib.find(s) is not None]
    for missing in (s for s in remembered if s not in kept):
        notices.append(_("{project} came from {rid}, which is not in this library: that link is not recorded. "
                         "Sync with the site that published it, then `cagette library edit ID --derived-from "
                         "{rid}`.").format(project=project.root.name, rid=missing))
    fields["derived_from"] = [*kept, *typed]
    return Published(lib.add(files, progress=progress, **fields), tuple(notices))
