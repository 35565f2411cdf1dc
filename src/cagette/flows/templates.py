"""Templates: the user's library's ``template`` resources first, then the starter shipped with cagette.

A template is a project.toml (the project format, usually with a ``[template]``
table) that a new project starts from. The library holds the ones published by
this site or received by sync (``cagette library add PROJECT --kind template``,
and the starter's own templates once seeded); the packaged starter
(``cagette.starter.templates_dir()``) fills in the slugs the library lacks.

A template that cannot be used (its file not synced yet, or not a readable
project) is never skipped silently: it is listed in :attr:`TemplateList.problems`
for the front ends to show, and naming it raises its problem as an error.

A project made from a template remembers where it came from
(``project.derived_from``, through the video pillar) and takes its licence, so
publishing it later credits the template without the user typing either.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from cagette.errors import ProjectError, UsageError
from cagette.i18n import _
from cagette.library.index import Filters
from cagette.library.library import Library
from cagette.library.resources import Resource, licence_problem
from cagette.video.project import PROJECT_FILE, Project, TemplateInfo, read_template

MEDIA_FOLDERS = ("rushes", "audio")  # what a template published to the library carries beside its project.toml


@dataclass(frozen=True)
class Template:
    """A template a project can start from."""

    slug: str
    title: str
    description: str
    target_duration_s: float
    lang: str
    licence: str
    resource_id: str  # its library resource id (the starter's stable id for a packaged one)
    origin: str  # "library" or "starter"
    organisation: str = ""
    path: Path | None = None  # a packaged template's project.toml
    resource: Resource | None = field(default=None, compare=False)  # a library template

    def to_dict(self) -> dict[str, Any]:
        return {"slug": self.slug, "title": self.title, "description": self.description,
                "target_duration_s": self.target_duration_s, "lang": self.lang, "licence": self.licence,
                "id": self.resource_id, "origin": self.origin, "organisation": self.organisation,
                "path": str(self.path) if self.path else ""}


@dataclass(frozen=True)
class TemplateProblem:
    """A template that cannot be used, and why."""

    ref: str  # resource id, or the packaged template's file
    title: str
    message: str
    hint: str

    def text(self) -> str:
        return f"{self.title} ({self.ref}): {self.message}"

    def to_dict(self) -> dict[str, str]:
        return {"ref": self.ref, "title": self.title, "message": self.message, "hint": self.hint}


@dataclass(frozen=True)
class TemplateList:
    templates: list[Template]  # one per slug, in the preferred language
    problems: list[TemplateProblem]
    variants: list[Template] = field(default_factory=list)  # other languages/copies, reachable by id

    def find(self, ref: str) -> Template:
        """A template by slug, by resource id, or by a unique start of its id (4 characters at least)."""
        for t in self.templates:
            if t.slug == ref:
                return t
        every = [*self.templates, *self.variants]
        for t in every:
            if t.resource_id == ref:
                return t
        for p in self.problems:
            if ref in (p.ref, p.title):
                raise ProjectError(_("The template {ref} cannot be used: {problem}").format(
                    ref=ref, problem=p.message), p.hint)
        starts = {t.resource_id: t for t in every if len(ref) >= 4 and t.resource_id.startswith(ref)}
        if len(starts) == 1:
            return next(iter(starts.values()))
        known = ", ".join(t.slug for t in self.templates) or "—"
        raise UsageError(_("No template {ref!r}.").format(ref=ref),
                         _("Known templates: {known} (`cagette project templates`).").format(known=known))


def _lang_rank(lang: str, wanted: str) -> int:
    return 0 if lang == wanted else (1 if lang == "fr" else 2)


def _starter_dirs() -> list[Path]:
    try:
        from cagette.starter import templates_dir
    except ImportError:  # a cagette installed without its starter library: the library's templates only
        return []
    return [templates_dir()]


def starter_template_id(slug: str, lang: str) -> str:
    """The stable id the starter library gives a packaged template (``starter-template-<slug>-<lang>``)."""
    return f"starter-template-{slug}-{lang}"


def _from_library(lib: Library, problems: list[TemplateProblem]) -> list[Template]:
    found = []
    for r in lib.resources(Filters.of(kinds=["template"])):
        main = r.file("main") or (r.files[0] if r.files else None)
        if main is None or not lib.objects.has(main.hash):
            problems.append(TemplateProblem(r.id, r.title, _("its file is not in this library yet"),
                                            _("Sync with the site that published it (`cagette sync`).")))
            continue
        try:
            info = read_template(lib.objects.path(main.hash))
        except ProjectError as exc:
            problems.append(TemplateProblem(r.id, r.title, exc.message, exc.hint or ""))
            continue
        found.append(Template(slug=info.slug, title=r.title or info.title,
                              description=r.description or info.description,
                              target_duration_s=info.target_duration_s, lang=r.language or info.data.language,
                              licence=r.licence, resource_id=r.id, origin="library", organisation=r.organisation,
                              resource=r))
    return found


def _from_starter(folders: Sequence[Path], problems: list[TemplateProblem]) -> list[Template]:
    found = []
    for folder in folders:
        for tdir in sorted(p for p in Path(folder).iterdir() if p.is_dir()) if Path(folder).is_dir() else []:
            for ldir in sorted(p for p in tdir.iterdir() if (p / PROJECT_FILE).is_file()):
                toml = ldir / PROJECT_FILE
                try:
                    info: TemplateInfo = read_template(toml)
                except ProjectError as exc:
                    problems.append(TemplateProblem(str(toml), tdir.name, exc.message, exc.hint or ""))
                    continue
                found.append(Template(slug=info.slug, title=info.title, description=info.description,
                                      target_duration_s=info.target_duration_s, lang=ldir.name,
                                      licence=info.data.licence, resource_id=starter_template_id(tdir.name, ldir.name),
                                      origin="starter", organisation="cagette", path=toml))
    return found


def find_templates(library: Library | None, lang: str = "", starter_dirs: Sequence[Path] | None = None) -> TemplateList:
    """Every template: the library's (when there is one) win over the packaged starter's, slug by slug.

    *starter_dirs* replaces the packaged starter's folder (``<slug>/<lang>/project.toml``)."""
    problems: list[TemplateProblem] = []
    candidates = _from_library(library, problems) if library is not None else []
    in_library = {t.slug for t in candidates}
    folders = _starter_dirs() if starter_dirs is None else list(starter_dirs)
    candidates += [t for t in _from_starter(folders, problems) if t.slug not in in_library]
    by_slug: dict[str, list[Template]] = {}
    for t in candidates:
        by_slug.setdefault(t.slug, []).append(t)
    chosen, variants = [], []
    for slug in sorted(by_slug):
        group = sorted(by_slug[slug], key=lambda t: (t.origin != "library", _lang_rank(t.lang, lang),
                                                     -_modified(t), t.resource_id))
        chosen.append(group[0])
        variants += group[1:]
    return TemplateList(chosen, problems, variants)


def _modified(t: Template) -> float:
    from datetime import datetime

    try:
        return datetime.fromisoformat(t.resource.modified).timestamp() if t.resource and t.resource.modified else 0.0
    except ValueError:
        return 0.0


@dataclass(frozen=True)
class Created:
    project: Project
    notices: tuple[str, ...] = ()


def create_project(root: Path, template: Template | None, library: Library | None = None, *, title: str = "",
                   language: str = "", authors: Sequence[str] = (), organisation: str = "") -> Created:
    """Make a new project, from *template* when given: it records the template's resource id in
    ``derived_from`` and takes the template's licence (so its adaptation stays compatible)."""
    if template is None:
        return Created(Project.create(root, title, language=language, authors=authors, organisation=organisation))
    problem = licence_problem(template.licence, template.licence)
    if problem:
        raise UsageError(_("The template {title} cannot be adapted: {problem}").format(
            title=template.title, problem=problem), _("Choose another template."))
    options: dict[str, Any] = {"language": language, "authors": authors, "organisation": organisation,
                               "licence": template.licence, "derived_from": [template.resource_id]}
    if template.path is not None:
        return Created(Project.create(root, title, template=template.path, **options))
    if library is None or template.resource is None:
        raise ProjectError(_("The template {title} is in no library here.").format(title=template.title),
                           _("Open the library it came from with --library."))
    with tempfile.TemporaryDirectory(prefix="cagette-template-") as tmp:
        toml, notices = _materialise(library, template.resource, Path(tmp))
        return Created(Project.create(root, title, template=toml, **options), tuple(notices))


def _materialise(lib: Library, r: Resource, folder: Path) -> tuple[Path, list[str]]:
    """Lay a library template out as a folder: its project.toml, and the media it names beside it."""
    main = r.file("main") or r.files[0]
    toml = folder / PROJECT_FILE
    shutil.copyfile(lib.objects.path(main.hash), toml)
    data = read_template(toml).data
    by_name = {f.name: f for f in r.files if f.role != "main" and f.name}
    wanted = [s.source for sc in data.scenes for s in sc.shots if s.kind in ("clip", "still") and s.source]
    wanted += [sc.voice for sc in data.scenes if sc.voice]
    wanted += [x for x in (data.music.source, data.export.logo) if x]
    notices = []
    for rel in dict.fromkeys(wanted):
        path = PurePosixPath(rel)
        ref = by_name.get(path.name)
        if (path.is_absolute() or ".." in path.parts or len(path.parts) != 2 or path.parts[0] not in MEDIA_FOLDERS
                or ref is None or not lib.objects.has(ref.hash)):
            notices.append(_("The template {title} names {file}, which it does not carry: "
                             "add that file to the project.").format(title=r.title, file=rel))
            continue
        target = folder.joinpath(*path.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(lib.objects.path(ref.hash), target)
    return toml, notices
