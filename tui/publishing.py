"""What the publish form offers (licences explained, exports, who appears) and the publishing itself,
through :mod:`cagette.flows.publish`: the library never reads the project, the project never the library."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cagette.i18n import N_, _

if TYPE_CHECKING:
    from cagette.video.project import Project

# The licences offered first, each with what it lets others do (the library knows many more).
LICENCES: list[tuple[str, str]] = [
    ("CC-BY-SA-4.0", N_("others may reuse and adapt it, credit you, and share their version under the same "
                        "licence (recommended)")),
    ("CC-BY-4.0", N_("others may reuse and adapt it for any purpose, as long as they credit you")),
    ("etalab-2.0", N_("the French administrations' open licence: reuse allowed with credit, like CC-BY")),
    ("CC0-1.0", N_("no conditions at all: you give up your rights, no credit needed")),
    ("CC-BY-NC-SA-4.0", N_("like CC-BY-SA, but no commercial use")),
    ("CC-BY-ND-4.0", N_("others may share it as it is, with credit, but not change it")),
]

# Whether people can be recognised, and whether their consent to appear is on file ("" : not said).
PEOPLE: list[tuple[str, str]] = [
    ("", N_("not said")),
    ("none", N_("nobody appears")),
    ("consent", N_("people appear, their consent is on file")),
    ("no-consent", N_("people appear, their consent is not on file")),
]


@dataclass(frozen=True)
class ExportChoice:
    """One rendered video of the project, as the form lists it."""

    video: Path
    preset: str  # the folder it was rendered into ("draft", "web-16x9"...)
    width: int
    height: int
    size: int  # bytes
    modified: float

    def label(self) -> str:
        from datetime import datetime

        when = datetime.fromtimestamp(self.modified).strftime("%d/%m %H:%M")
        size = f"{self.size / 1e6:.1f} MB"
        text = _("{preset}, {width}×{height}, {size}, made {when}").format(
            preset=self.preset, width=self.width, height=self.height, size=size, when=when)
        return text + (" — " + _("a quick draft") if self.preset == "draft" else "")


def export_choices(project: Project) -> list[ExportChoice]:
    """The project's renders, the best first: a final render before a draft, the larger picture first,
    then the newest."""
    from cagette.video.exports import exports
    from cagette.video.presets import PRESETS

    out = []
    for export in exports(project):
        preset = export.video.parent.name
        known = PRESETS.get(preset)
        width, height = (known.width, known.height) if known is not None else (0, 0)
        stat = export.video.stat()
        out.append(ExportChoice(export.video, preset, width, height, stat.st_size, stat.st_mtime))
    return sorted(out, key=lambda e: (e.preset != "draft", e.width * e.height, e.modified), reverse=True)


def best_export(project: Project) -> ExportChoice | None:
    found = export_choices(project)
    return found[0] if found else None


def people_supported() -> bool:
    """Whether this library records who appears in a resource (the field is newer than some libraries)."""
    from cagette.flows.publish import library_fields

    return "people" in library_fields()


def defaults(library: Any, project: Project) -> dict[str, Any]:
    """What the form shows first: the project's own fields, else the settings' author and organisation."""
    from cagette import settings
    from cagette.flows.publish import publish_defaults

    base = publish_defaults(library, settings.current()) if library is not None else {}
    data = project.data
    return {
        "title": data.title or project.root.name,
        "description": data.description,
        "licence": data.licence or "CC-BY-SA-4.0",
        "authors": list(data.authors) or list(base.get("authors", [])),
        "organisation": data.organisation or str(base.get("organisation", "")),
    }


def publish(library_option: str | None, project: Project, video: Path, meta: dict[str, Any], progress: Any) -> Any:
    """Publish *video* (a render of *project*, with its captions, transcript, thumbnail and storyboard)
    with the form's fields; returns a :class:`cagette.flows.publish.Published`."""
    from cagette import settings
    from cagette.flows.publish import publish_defaults, publish_project
    from cagette_tui.adapters import open_library

    progress.start(_("Publishing"), None)
    lib = open_library(Path(library_option) if library_option else None)
    fields = dict(meta)
    if not people_supported():
        fields.pop("people", None)
    done = publish_project(lib, project, video=video, meta=fields, defaults=publish_defaults(lib, settings.current()))
    progress.finish()
    return done
