"""``project.toml``: parsing (with migrations of older formats), writing, and templates.

:func:`parse` builds a :class:`~cagette.video.model.ProjectData` from parsed
TOML and checks every value: an unknown key, a wrong type or a value out of
range is refused naming the file and the key. :func:`dumps` writes the
current format. A file from a newer cagette is refused with the advice to
update; an older one is migrated on reading (:data:`MIGRATIONS`).
"""

from __future__ import annotations

import dataclasses
import tomllib
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cagette.errors import ProjectError
from cagette.i18n import _
from cagette.video.model import (
    MAX_CUES,
    SCHEMA_VERSION,
    Cue,
    ExportChoices,
    ImportedCaptions,
    Music,
    ProjectData,
    Scene,
    Shot,
    export_problem,
    info_problem,
    music_problem,
    new_id,
    scene_problem,
    shot_problem,
    slugify,
)

PROJECT_FILE = "project.toml"


def bad(path: Path, what: str) -> ProjectError:
    return ProjectError(
        _("{file}: {what}.").format(file=path, what=what),
        _("Fix that value in project.toml, or undo the last edit with the app."),
    )


def _typed(table: dict[str, Any], key: str, kind: Any, path: Path, where: str) -> Any:
    value = table[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    ok = isinstance(value, kind) and not (kind in (int, float) and isinstance(value, bool))
    if not ok:
        raise bad(path, _("{where}.{key} has the wrong type ({value!r})").format(where=where, key=key, value=value))
    return value


def fill(cls: Any, table: dict[str, Any], path: Path, where: str, skip: Sequence[str] = ()) -> dict[str, Any]:
    """Typed values of *table* for the fields of dataclass *cls*; unknown keys refused."""
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    for key in table:
        if key not in names and key not in skip:
            raise bad(path, _("unknown key {key!r} in {where}").format(key=key, where=where))
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name in skip or f.name not in table:
            continue
        tp = hints[f.name]
        if tp in (str, int, float, bool):
            values[f.name] = _typed(table, f.name, tp, path, where)
        elif tp in (float | None, int | None):
            values[f.name] = _typed(table, f.name, float if tp == (float | None) else int, path, where)
        elif tp == tuple[str, ...]:
            value = table[f.name]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise bad(path, _("{where}.{key} must be a list of texts").format(where=where, key=f.name))
            values[f.name] = tuple(value)
        else:  # pragma: no cover - guarded by the model
            raise AssertionError(f.name)
    return values


def _migrate(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """Bring a parsed project.toml to :data:`SCHEMA_VERSION`."""
    version = data.get("schema", 0)
    if not isinstance(version, int) or isinstance(version, bool):
        raise bad(path, _("schema must be an integer"))
    if version > SCHEMA_VERSION:
        raise ProjectError(
            _("{file} was written by a newer cagette (format {found}, this one reads up to {known}).").format(
                file=path, found=version, known=SCHEMA_VERSION),
            _("Update cagette to open this project."),
        )
    while version < SCHEMA_VERSION:
        data = MIGRATIONS[version](data)
        version = data["schema"]
    return data


def _from_0(data: dict[str, Any]) -> dict[str, Any]:
    """Format 0 (drafts before 1.0): ``[[scene]]`` and ``file`` instead of ``[[scenes]]`` and ``source``."""
    data = dict(data)
    if "scene" in data and "scenes" not in data:
        data["scenes"] = data.pop("scene")
    scenes = []
    for sc in data.get("scenes", []):
        sc = dict(sc)
        shots = []
        for sh in sc.get("shots", []):
            sh = dict(sh)
            if "file" in sh and "source" not in sh:
                sh["source"] = sh.pop("file")
            shots.append(sh)
        sc["shots"] = shots
        scenes.append(sc)
    data["scenes"] = scenes
    data["schema"] = 1
    return data


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {0: _from_0}


def _table(raw: Any, path: Path, name: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise bad(path, _("[{name}] must be a table").format(name=name))
    return raw


def _check(problem: str, path: Path) -> None:
    if problem:
        raise bad(path, problem)


def _parse_shots(raw: Any, path: Path, where: str, seen_ids: set[str]) -> tuple[Shot, ...]:
    if not isinstance(raw, list):
        raise bad(path, _("{where}.shots must be a list").format(where=where))
    shots = []
    for m, rsh in enumerate(raw, 1):
        w2 = f"{where}.shots[{m}]"
        shv = fill(Shot, _table(rsh, path, w2), path, w2)
        shv.setdefault("id", new_id())
        if shv["id"] in seen_ids:
            shv["id"] = new_id()
        seen_ids.add(shv["id"])
        shv.setdefault("kind", "clip")
        shot = Shot(**shv)
        _check(shot_problem(shot, w2), path)
        shots.append(shot)
    return tuple(shots)


def _parse_scenes(raw: Any, path: Path) -> tuple[Scene, ...]:
    if not isinstance(raw, list):
        raise bad(path, _("scenes must be a list of [[scenes]] tables"))
    scenes: list[Scene] = []
    seen_slugs: set[str] = set()
    seen_ids: set[str] = set()
    for n, rsc in enumerate(raw, 1):
        where = f"scenes[{n}]"
        table = _table(rsc, path, where)
        sv = fill(Scene, table, path, where, skip=("shots",))
        slug = sv.get("slug") or slugify(sv.get("title", ""), f"scene-{n}")
        if slug != slugify(slug, "") or slug in seen_slugs:
            raise bad(path, _("{where}: slug {slug!r} is not a unique lower-case-dashed name").format(
                where=where, slug=slug))
        seen_slugs.add(slug)
        sv["slug"] = slug
        scene = Scene(**sv, shots=_parse_shots(table.get("shots", []), path, where, seen_ids))
        _check(scene_problem(scene, where), path)
        scenes.append(scene)
    return tuple(scenes)


def _parse_captions(raw: Any, path: Path) -> ImportedCaptions:
    """The ``[captions]`` table: imported captions (see :class:`ImportedCaptions`)."""
    raw = _table(raw, path, "captions")
    values = fill(ImportedCaptions, raw, path, "captions", skip=("cues",))
    cues = []
    raw_cues = raw.get("cues", [])
    if not isinstance(raw_cues, list) or len(raw_cues) > MAX_CUES:
        raise bad(path, _("captions.cues must be a list of at most {n} tables").format(n=MAX_CUES))
    for n, rc in enumerate(raw_cues, 1):
        where = f"captions.cues[{n}]"
        rc = _table(rc, path, where)
        missing = [k for k in ("start_s", "end_s", "text") if k not in rc]
        if missing:
            raise bad(path, _("{where} lacks {keys}").format(where=where, keys=", ".join(missing)))
        cue = Cue(**fill(Cue, rc, path, where))
        if cue.start_s < 0 or cue.end_s <= cue.start_s:
            raise bad(path, _("{where}: end_s must come after start_s (both ≥ 0)").format(where=where))
        cues.append(cue)
    return ImportedCaptions(**values, cues=tuple(cues))


def parse(data: dict[str, Any], path: Path = Path(PROJECT_FILE)) -> ProjectData:
    """Build and check a :class:`ProjectData` from parsed TOML (migrating old formats)."""
    data = _migrate(dict(data), path)
    known = {"schema", "project", "export", "music", "scenes", "template", "captions"}
    for key in data:
        if key not in known:
            raise bad(path, _("unknown table or key {key!r}").format(key=key))
    proj = _table(data.get("project", {}), path, "project")
    values = fill(ProjectData, proj, path, "project", skip=("scenes", "music", "export", "schema", "captions"))
    export = ExportChoices(**fill(ExportChoices, _table(data.get("export", {}), path, "export"), path, "export"))
    _check(export_problem(export), path)
    music = Music(**fill(Music, _table(data.get("music", {}), path, "music"), path, "music"))
    _check(music_problem(music), path)
    captions = _parse_captions(data.get("captions", {}), path)
    tmpl = data.get("template")
    if isinstance(tmpl, dict) and not values.get("template"):
        values["template"] = str(tmpl.get("slug", ""))
    out = ProjectData(**values, scenes=_parse_scenes(data.get("scenes", []), path), music=music, export=export,
                      captions=captions)
    _check(info_problem(out, strict_language=False), path)
    return out


def dumps(data: ProjectData) -> str:
    import tomli_w

    header = "# cagette project (format: docs/project-format.md). Edit by hand only when cagette is closed.\n"
    return header + tomli_w.dumps(data.to_dict(), multiline_strings=True)


def read(folder: Path) -> ProjectData:
    path = Path(folder) / PROJECT_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProjectError(
            _("{folder} is not a cagette project (no project.toml).").format(folder=folder),
            _("Create one with `cagette project new {folder}`.").format(folder=folder),
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProjectError(_("Cannot read {file}: {error}.").format(file=path, error=exc),
                           _("Check the file's permissions and encoding (UTF-8).")) from exc
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProjectError(_("{file} is not valid TOML: {error}.").format(file=path, error=exc),
                           _("Fix that line, or undo the last edit.")) from exc
    return parse(raw, path)


@dataclass(frozen=True)
class TemplateInfo:
    """A template's project.toml: what its ``[template]`` table says, and the project it starts."""

    slug: str
    title: str
    description: str
    target_duration_s: float
    data: ProjectData


def read_template(path: Path) -> TemplateInfo:
    """Parse a template (a project.toml, usually with a ``[template]`` table); a broken one raises
    :class:`ProjectError` naming the file. Without a ``[template]`` table (a project published as a
    template) its slug and title are the project's."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProjectError(_("Cannot read the template {file}: {error}.").format(file=path, error=exc),
                           _("Fix or remove that template.")) from exc
    data = parse(raw, path)
    table = raw.get("template")
    meta: dict[str, Any] = table if isinstance(table, dict) else {}
    dur = meta.get("target_duration_s", meta.get("duration_s", 0))
    slug = slugify(str(meta.get("slug") or data.template or data.slug), "template")
    return TemplateInfo(slug=slug, title=str(meta.get("title") or data.title or slug),
                        description=str(meta.get("description") or data.description),
                        target_duration_s=float(dur) if isinstance(dur, (int, float)) and dur > 0 else 0.0,
                        data=data)
