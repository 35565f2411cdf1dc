"""The project folder and the ONE API that writes it.

A project is a folder a person can read::

    PROJECT/
      project.toml          title, scenes, shots, voice-over, music, export choices
      rushes/               clips and photos copied in (never modified)
      frames/<scene-slug>/  stop-motion frames, numbered 0001.jpg, 0002.png... ordered by name
      audio/                voice-<scene-slug>.wav, music
      exports/              what ``cagette render`` writes
      .cagette/             lock file, undo history, trash (for undo)

Everything that changes a project (capture, import, the phone page, the app)
goes through :class:`Project`. Each edit takes the project lock, re-reads
``project.toml`` from disk, applies a pure change, writes it atomically and
records an undo step. File moves done by an edit (a copy in, a frame deleted
or renumbered) are journaled so :meth:`Project.undo` and :meth:`Project.redo`
restore them too.

The model values (:class:`ProjectData`, :class:`Scene`, :class:`Shot`...)
are frozen dataclasses; read them from :attr:`Project.data`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import tomllib
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cagette.errors import MediaError, ProjectError, UsageError
from cagette.fsutil import FileLock, atomic_write_text
from cagette.i18n import _

SCHEMA_VERSION = 1
PROJECT_FILE = "project.toml"
META_DIR = ".cagette"
HISTORY_LIMIT = 100

SHOT_KINDS = ("clip", "still", "frames", "title")
VIDEO_EXTS = {".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi", ".3gp", ".mts", ".mpg", ".mpeg"}
IMAGE_EXTS = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".heic", ".heif"}
AUDIO_EXTS = {".wav", ".mp3", ".m4a", ".aac", ".ogg", ".opus", ".flac"}
ROTATIONS = (0, 90, 180, 270)
PORTRAIT_FILLS = ("blur", "bars")
LOUDNESS_TARGETS = ("web", "lobby")


# ---------------------------------------------------------------------------
# The model (immutable values)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Shot:
    """One piece of a scene, in order.

    * ``clip``: a video file in ``rushes/`` (``in_s``/``out_s`` trim it, ``speed`` changes its pace).
    * ``still``: a photo in ``rushes/`` shown ``duration_s`` seconds (``ken_burns`` pans over it).
    * ``frames``: the scene's stop-motion folder ``frames/<slug>`` played at ``fps``.
    * ``title``: a card showing ``title`` for ``duration_s`` seconds (no source).

    ``rotation`` (0/90/180/270, clockwise) overrides the file's rotation metadata when set.
    ``caption`` replaces the caption lines generated from the script during this shot.
    """

    id: str
    kind: str
    source: str = ""  # relative to the project folder
    in_s: float = 0.0
    out_s: float | None = None
    speed: float = 1.0
    rotation: int | None = None
    duration_s: float | None = None
    fps: float | None = None
    ken_burns: bool = False
    title: str = ""
    caption: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "kind": self.kind}
        defaults = Shot(id="", kind="")
        for f in dataclasses.fields(self):
            if f.name in ("id", "kind"):
                continue
            value = getattr(self, f.name)
            if value != getattr(defaults, f.name) and value is not None:
                out[f.name] = value
        return out


@dataclass(frozen=True)
class Scene:
    slug: str  # stable: never changes after creation (files are named after it)
    title: str = ""
    script: str = ""  # the text the voice says
    shots: tuple[Shot, ...] = ()
    voice: str = ""  # relative path of the voice-over, "" when none
    lower_third: str = ""  # a name/role shown at the bottom at the scene's start
    notes: str = ""  # storyboard notes (what to put on the stage)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"slug": self.slug, "title": self.title, "script": self.script}
        if self.voice:
            out["voice"] = self.voice
        if self.lower_third:
            out["lower_third"] = self.lower_third
        if self.notes:
            out["notes"] = self.notes
        out["shots"] = [s.to_dict() for s in self.shots]
        return out

    def shot(self, shot_id: str) -> Shot:
        for s in self.shots:
            if s.id == shot_id:
                return s
        raise ProjectError(
            _("Scene {scene} has no shot {shot}.").format(scene=self.slug, shot=shot_id),
            _("Run `cagette project show` to list the shots."),
        )


@dataclass(frozen=True)
class Music:
    source: str = ""  # relative path in audio/
    volume_db: float = -14.0  # level of the music alone, before loudness normalisation
    duck_db: float = -14.0  # extra attenuation while the voice speaks

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class ExportChoices:
    preset: str = ""  # "" → settings' default preset
    burn_captions: bool = False
    portrait_fill: str = "blur"  # "blur" or "bars"
    title_card: bool = True
    end_card: bool = True
    credits: str = ""  # extra lines on the end card
    logo: str = ""  # relative path of an image shown in a corner
    loudness: str = "web"  # "web" (−16 LUFS) or "lobby" (−23 LUFS)
    crossfade_s: float = 0.0  # between scenes; 0 = cuts
    fade_s: float = 0.5  # fade in from / out to black at both ends
    title_card_s: float = 3.0
    end_card_s: float = 4.0
    still_s: float = 3.0  # default duration of a still
    frames_fps: float = 12.0  # default stop-motion rate

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class ProjectData:
    title: str = ""
    slug: str = "video"
    authors: tuple[str, ...] = ()
    organisation: str = ""
    language: str = "fr"
    licence: str = "CC-BY-SA-4.0"
    description: str = ""
    scenes: tuple[Scene, ...] = ()
    music: Music = field(default_factory=Music)
    export: ExportChoices = field(default_factory=ExportChoices)
    template: str = ""  # slug of the template it was made from, if any
    schema: int = SCHEMA_VERSION

    # look-ups ----------------------------------------------------------------
    def scene(self, ref: str | int) -> Scene:
        """A scene by slug or 1-based position (``"2"`` works too)."""
        return self.scenes[self.scene_index(ref)]

    def scene_index(self, ref: str | int) -> int:
        if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
            n = int(ref)
            if 1 <= n <= len(self.scenes):
                return n - 1
        else:
            for i, s in enumerate(self.scenes):
                if s.slug == ref:
                    return i
        raise ProjectError(
            _("No scene {ref!r} in this project.").format(ref=ref),
            _("Use a scene slug or its position (1 to {n}); `cagette project show` lists them.").format(
                n=len(self.scenes)),
        )

    def find_shot(self, shot_id: str) -> tuple[Scene, Shot]:
        for sc in self.scenes:
            for sh in sc.shots:
                if sh.id == shot_id:
                    return sc, sh
        raise ProjectError(_("No shot {shot} in this project.").format(shot=shot_id),
                           _("Run `cagette project show` to list the shots."))

    def to_dict(self) -> dict[str, Any]:
        project: dict[str, Any] = {
            "title": self.title, "slug": self.slug, "authors": list(self.authors),
            "organisation": self.organisation, "language": self.language, "licence": self.licence,
        }
        if self.description:
            project["description"] = self.description
        if self.template:
            project["template"] = self.template
        out: dict[str, Any] = {"schema": self.schema, "project": project, "export": self.export.to_dict()}
        if self.music.source:
            out["music"] = self.music.to_dict()
        out["scenes"] = [s.to_dict() for s in self.scenes]
        return out


# ---------------------------------------------------------------------------
# Parsing and writing project.toml
# ---------------------------------------------------------------------------


def slugify(text: str, fallback: str = "scene") -> str:
    """ASCII, lower case, dashes: ``"Étape 2 : l'accueil"`` → ``"etape-2-l-accueil"``."""
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", norm.lower()).strip("-")[:40].strip("-")
    return slug or fallback


def unique_slug(base: str, taken: Iterable[str]) -> str:
    taken = set(taken)
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def new_id() -> str:
    return uuid.uuid4().hex[:8]


def _bad(path: Path, what: str) -> ProjectError:
    return ProjectError(
        _("{file}: {what}.").format(file=path, what=what),
        _("Fix that value in project.toml, or undo the last edit with the app."),
    )


def _typed(table: dict[str, Any], key: str, kind: Any, default: Any, path: Path, where: str) -> Any:
    if key not in table:
        return default
    value = table[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    ok = isinstance(value, kind) and not (kind in (int, float) and isinstance(value, bool))
    if not ok:
        raise _bad(path, _("{where}.{key} has the wrong type ({value!r})").format(where=where, key=key, value=value))
    return value


def _fill(cls: Any, table: dict[str, Any], path: Path, where: str, skip: Sequence[str] = ()) -> dict[str, Any]:
    """Typed values of *table* for the fields of dataclass *cls*; unknown keys refused."""
    import typing

    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    for key in table:
        if key not in names and key not in skip:
            raise _bad(path, _("unknown key {key!r} in {where}").format(key=key, where=where))
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name in skip or f.name not in table:
            continue
        tp = hints[f.name]
        value = table[f.name]
        if tp in (str, int, float, bool):
            values[f.name] = _typed(table, f.name, tp, None, path, where)
        elif tp in (float | None, int | None):
            base = float if tp == (float | None) else int
            values[f.name] = _typed(table, f.name, base, None, path, where)
        elif tp == tuple[str, ...]:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise _bad(path, _("{where}.{key} must be a list of texts").format(where=where, key=f.name))
            values[f.name] = tuple(value)
        else:  # pragma: no cover - guarded by the model
            raise AssertionError(f.name)
    return values


def _migrate(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """Bring a parsed project.toml to :data:`SCHEMA_VERSION`."""
    version = data.get("schema", 0)
    if not isinstance(version, int) or isinstance(version, bool):
        raise _bad(path, _("schema must be an integer"))
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


def parse(data: dict[str, Any], path: Path = Path(PROJECT_FILE)) -> ProjectData:
    """Build and check a :class:`ProjectData` from parsed TOML (migrating old formats)."""
    data = _migrate(dict(data), path)
    known = {"schema", "project", "export", "music", "scenes", "template"}
    for key in data:
        if key not in known:
            raise _bad(path, _("unknown table or key {key!r}").format(key=key))
    proj = data.get("project", {})
    if not isinstance(proj, dict):
        raise _bad(path, _("[project] must be a table"))
    values = _fill(ProjectData, proj, path, "project",
                   skip=("scenes", "music", "export", "schema"))
    export = ExportChoices(**_fill(ExportChoices, data.get("export", {}), path, "export"))
    if export.portrait_fill not in PORTRAIT_FILLS:
        raise _bad(path, _("export.portrait_fill must be one of {choices}").format(choices=", ".join(PORTRAIT_FILLS)))
    if export.loudness not in LOUDNESS_TARGETS:
        raise _bad(path, _("export.loudness must be one of {choices}").format(choices=", ".join(LOUDNESS_TARGETS)))
    music = Music(**_fill(Music, data.get("music", {}), path, "music"))
    scenes: list[Scene] = []
    seen_slugs: set[str] = set()
    seen_ids: set[str] = set()
    raw_scenes = data.get("scenes", [])
    if not isinstance(raw_scenes, list):
        raise _bad(path, _("scenes must be a list of [[scenes]] tables"))
    for n, raw in enumerate(raw_scenes, 1):
        where = f"scenes[{n}]"
        if not isinstance(raw, dict):
            raise _bad(path, _("{where} must be a table").format(where=where))
        sv = _fill(Scene, raw, path, where, skip=("shots",))
        slug = sv.get("slug") or slugify(sv.get("title", ""), f"scene-{n}")
        if slug != slugify(slug, "") or slug in seen_slugs:
            raise _bad(path, _("{where}: slug {slug!r} is not a unique lower-case-dashed name").format(
                where=where, slug=slug))
        seen_slugs.add(slug)
        sv["slug"] = slug
        shots = []
        for m, rsh in enumerate(raw.get("shots", []), 1):
            w2 = f"{where}.shots[{m}]"
            if not isinstance(rsh, dict):
                raise _bad(path, _("{where} must be a table").format(where=w2))
            shv = _fill(Shot, rsh, path, w2)
            shv.setdefault("id", new_id())
            if shv["id"] in seen_ids:
                shv["id"] = new_id()
            seen_ids.add(shv["id"])
            shv.setdefault("kind", "clip")
            shot = Shot(**shv)
            _check_shot(shot, path, w2)
            shots.append(shot)
        scenes.append(Scene(**sv, shots=tuple(shots)))
    tmpl = data.get("template")
    if isinstance(tmpl, dict) and not values.get("template"):
        values["template"] = str(tmpl.get("slug", ""))
    return ProjectData(**values, scenes=tuple(scenes), music=music, export=export)


def _check_shot(shot: Shot, path: Path, where: str) -> None:
    if shot.kind not in SHOT_KINDS:
        raise _bad(path, _("{where}.kind must be one of {choices}").format(where=where, choices=", ".join(SHOT_KINDS)))
    if shot.rotation is not None and shot.rotation not in ROTATIONS:
        raise _bad(path, _("{where}.rotation must be 0, 90, 180 or 270").format(where=where))
    if not 0.1 <= shot.speed <= 10:
        raise _bad(path, _("{where}.speed must be between 0.1 and 10").format(where=where))
    if shot.in_s < 0 or (shot.out_s is not None and shot.out_s <= shot.in_s):
        raise _bad(path, _("{where}: out_s must come after in_s (both ≥ 0)").format(where=where))
    if shot.duration_s is not None and shot.duration_s <= 0:
        raise _bad(path, _("{where}.duration_s must be positive").format(where=where))
    if shot.fps is not None and not 0.5 <= shot.fps <= 60:
        raise _bad(path, _("{where}.fps must be between 0.5 and 60").format(where=where))
    if shot.kind != "title" and not shot.source:
        raise _bad(path, _("{where} needs a source").format(where=where))


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


# ---------------------------------------------------------------------------
# History (undo/redo) — edits of project.toml plus the file moves they made
# ---------------------------------------------------------------------------


@dataclass
class _Step:
    label: str
    before: str
    after: str
    moves: list[tuple[str, str]]  # relative (src, dst), in the order they were made


class _Journal:
    """File moves made by one edit, relative to the project folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.moves: list[tuple[str, str]] = []

    def move(self, src: Path, dst: Path) -> None:
        dst.parent.mkdir(parents=True, exist_ok=True)
        if dst.exists():
            raise ProjectError(_("{file} already exists.").format(file=dst),
                               _("Run `cagette project check`; a previous edit may have been interrupted."))
        os.replace(src, dst)
        self.moves.append((str(src.relative_to(self.root)), str(dst.relative_to(self.root))))

    def undo(self) -> None:
        for src, dst in reversed(self.moves):
            s, d = self.root / src, self.root / dst
            if d.exists():
                s.parent.mkdir(parents=True, exist_ok=True)
                os.replace(d, s)
        self.moves.clear()


# ---------------------------------------------------------------------------
# The project
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    """A starter template: a project.toml with a ``[template]`` table."""

    slug: str
    title: str
    description: str
    target_duration_s: float
    lang: str
    path: Path  # the project.toml


class Project:
    """An open project folder. Every method that changes it is locked, atomic and undoable."""

    def __init__(self, root: Path, data: ProjectData) -> None:
        self.root = Path(root).absolute()
        self._data = data
        self.lock = FileLock(self.root / META_DIR / "lock", what=str(self.root))

    # folders -------------------------------------------------------------------
    @property
    def data(self) -> ProjectData:
        return self._data

    @property
    def file(self) -> Path:
        return self.root / PROJECT_FILE

    @property
    def rushes_dir(self) -> Path:
        return self.root / "rushes"

    @property
    def audio_dir(self) -> Path:
        return self.root / "audio"

    @property
    def exports_dir(self) -> Path:
        return self.root / "exports"

    def frames_dir(self, scene: str | int) -> Path:
        return self.root / "frames" / self._data.scene(scene).slug

    def path(self, rel: str) -> Path:
        """The absolute path of a path stored in project.toml."""
        return self.root / rel

    # opening -------------------------------------------------------------------
    @classmethod
    def create(cls, root: Path, title: str = "", *, template: Path | None = None,
               language: str = "", authors: Sequence[str] = (), organisation: str = "") -> Project:
        """Make a new project folder; refuses a folder that already exists."""
        root = Path(root)
        if root.exists():
            raise UsageError(
                _("{folder} already exists.").format(folder=root),
                _("Choose a new folder name: a project is created in a folder of its own."),
            )
        data = read_template(template) if template is not None else ProjectData()
        changes: dict[str, Any] = {}
        if title:
            changes["title"] = title
        if not data.title and not title:
            changes["title"] = root.name
        changes["slug"] = slugify(title or data.title or root.name, "video")
        if language:
            changes["language"] = language
        if authors:
            changes["authors"] = tuple(authors)
        if organisation:
            changes["organisation"] = organisation
        data = replace(data, **changes)
        tmp = root.with_name(f".{root.name}.creating-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            for sub in ("rushes", "frames", "audio", "exports", META_DIR):
                (tmp / sub).mkdir(parents=True, exist_ok=True)
            atomic_write_text(tmp / PROJECT_FILE, dumps(data))
            if template is not None:
                _copy_template_media(template.parent, tmp)
            os.replace(tmp, root)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return cls(root, data)

    @classmethod
    def open(cls, root: Path) -> Project:
        root = Path(root)
        return cls(root, read(root))

    def reload(self) -> ProjectData:
        self._data = read(self.root)
        return self._data

    # the edit primitive ----------------------------------------------------------
    def edit(self, label: str, change: Callable[[ProjectData, _Journal], ProjectData]) -> ProjectData:
        """Apply *change* under the lock to the data on disk, save, record an undo step."""
        with self.lock:
            current = read(self.root)
            before = self.file.read_text(encoding="utf-8")
            journal = _Journal(self.root)
            try:
                new = change(current, journal)
                after = dumps(new)
                atomic_write_text(self.file, after)
            except BaseException:
                journal.undo()
                raise
            self._data = new
            self._push(_Step(label, before, after, journal.moves))
            self._tidy_trash()
            return new

    def _tidy_trash(self) -> None:
        """Remove trash entries no recorded step can bring back (the history keeps the last 100 edits)."""
        trash = self.root / META_DIR / "trash"
        if not trash.is_dir():
            return
        keep: set[str] = set()
        for step in self._load_history()["steps"]:
            for src, dst in step["moves"]:
                for rel in (src, dst):
                    parts = Path(rel).parts
                    if len(parts) >= 3 and parts[0] == META_DIR and parts[1] == "trash":
                        keep.add(parts[2])
        for d in trash.iterdir():
            if d.name not in keep:
                if d.is_dir():
                    shutil.rmtree(d, ignore_errors=True)
                else:
                    d.unlink(missing_ok=True)

    # history --------------------------------------------------------------------
    def _history_file(self) -> Path:
        return self.root / META_DIR / "history.json"

    def _load_history(self) -> dict[str, Any]:
        try:
            raw = json.loads(self._history_file().read_text(encoding="utf-8"))
            if isinstance(raw, dict) and isinstance(raw.get("steps"), list):
                return raw
        except (OSError, ValueError):
            pass
        return {"steps": [], "pos": 0}

    def _save_history(self, hist: dict[str, Any]) -> None:
        atomic_write_text(self._history_file(), json.dumps(hist, ensure_ascii=False))

    def _push(self, step: _Step) -> None:
        hist = self._load_history()
        steps = hist["steps"][: hist["pos"]]  # a new edit drops what could be redone
        steps.append(dataclasses.asdict(step))
        if len(steps) > HISTORY_LIMIT:
            steps = steps[-HISTORY_LIMIT:]
        self._save_history({"steps": steps, "pos": len(steps)})

    def history(self) -> tuple[list[str], int]:
        """Labels of the recorded edits, and how many of them are applied."""
        hist = self._load_history()
        return [s["label"] for s in hist["steps"]], int(hist["pos"])

    def can_undo(self) -> bool:
        return self.history()[1] > 0

    def can_redo(self) -> bool:
        labels, pos = self.history()
        return pos < len(labels)

    def undo(self) -> str:
        """Revert the last edit (its file moves too); returns its label."""
        with self.lock:
            hist = self._load_history()
            if hist["pos"] <= 0:
                raise ProjectError(_("Nothing to undo."), _("No edit of this project is recorded."))
            step = hist["steps"][hist["pos"] - 1]
            for src, dst in reversed(step["moves"]):
                d, s = self.root / dst, self.root / src
                if d.exists():
                    s.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(d, s)
            atomic_write_text(self.file, step["before"])
            hist["pos"] -= 1
            self._save_history(hist)
            self._data = read(self.root)
            return str(step["label"])

    def redo(self) -> str:
        with self.lock:
            hist = self._load_history()
            if hist["pos"] >= len(hist["steps"]):
                raise ProjectError(_("Nothing to redo."), _("Redo only follows an undo."))
            step = hist["steps"][hist["pos"]]
            for src, dst in step["moves"]:
                s, d = self.root / src, self.root / dst
                if s.exists():
                    d.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(s, d)
            atomic_write_text(self.file, step["after"])
            hist["pos"] += 1
            self._save_history(hist)
            self._data = read(self.root)
            return str(step["label"])

    # staging of incoming files ------------------------------------------------------
    def _stage_copy(self, src: Path) -> Path:
        """Copy *src* into the project's trash area (same filesystem, so moves are atomic)."""
        src = Path(src)
        if not src.is_file():
            raise MediaError(_("{file} does not exist or is not a file.").format(file=src),
                             _("Check the path of the file to add."))
        stage = self.root / META_DIR / "trash" / new_id()
        stage.mkdir(parents=True, exist_ok=True)
        dst = stage / src.name
        try:
            shutil.copy2(src, dst)
        except OSError as exc:
            shutil.rmtree(stage, ignore_errors=True)
            raise MediaError(_("Cannot copy {file}: {error}.").format(file=src, error=exc.strerror),
                             _("Check the file can be read and the disk is not full.")) from exc
        return dst

    def _stage_bytes(self, data: bytes, name: str) -> Path:
        stage = self.root / META_DIR / "trash" / new_id()
        stage.mkdir(parents=True, exist_ok=True)
        dst = stage / name
        dst.write_bytes(data)
        return dst

    def _trash_path(self, name: str) -> Path:
        return self.root / META_DIR / "trash" / new_id() / name

    # project fields --------------------------------------------------------------
    def set_info(self, **fields: Any) -> ProjectData:
        """Change title, authors, organisation, language, licence or description."""
        allowed = {"title", "authors", "organisation", "language", "licence", "description", "slug"}
        bad = set(fields) - allowed
        if bad:
            raise UsageError(_("Unknown project field(s): {names}.").format(names=", ".join(sorted(bad))),
                             _("Known: {names}.").format(names=", ".join(sorted(allowed))))
        if "authors" in fields:
            fields["authors"] = tuple(fields["authors"])
        if "slug" in fields:
            fields["slug"] = slugify(fields["slug"], "video")
        return self.edit(_("Edit the project's details"), lambda d, j: replace(d, **fields))

    def set_export(self, **choices: Any) -> ProjectData:
        """Change export choices (see :class:`ExportChoices`)."""
        def change(d: ProjectData, j: _Journal) -> ProjectData:
            raw = {**d.export.to_dict(), **choices}
            export = ExportChoices(**_fill(ExportChoices, raw, self.file, "export"))
            if export.portrait_fill not in PORTRAIT_FILLS or export.loudness not in LOUDNESS_TARGETS:
                raise UsageError(_("Invalid export choice: portrait_fill is blur or bars, loudness is web or lobby."),
                                 _("Choose one of those values."))
            if export.logo and not (self.root / export.logo).is_file():
                raise MediaError(_("The logo {file} is not in the project.").format(file=export.logo),
                                 _("Use set_logo() to copy an image into the project."))
            return replace(d, export=export)
        return self.edit(_("Change the export choices"), change)

    def set_logo(self, file: Path | None) -> ProjectData:
        """Copy an image into ``audio/``'s sibling ``rushes/`` as the logo (None removes it)."""
        def change(d: ProjectData, j: _Journal) -> ProjectData:
            if file is None:
                return replace(d, export=replace(d.export, logo=""))
            _require_ext(Path(file), IMAGE_EXTS)
            staged = self._stage_copy(Path(file))
            dst = self._free_name(self.rushes_dir, "logo" + staged.suffix.lower())
            j.move(staged, dst)
            return replace(d, export=replace(d.export, logo=self._rel(dst)))
        return self.edit(_("Set the logo"), change)

    # scenes ------------------------------------------------------------------------
    def add_scene(self, title: str = "", script: str = "", *, slug: str = "", position: int | None = None,
                  notes: str = "", lower_third: str = "") -> Scene:
        """Add a scene (at the end, or at 1-based *position*); its slug never changes afterwards."""
        made: list[Scene] = []

        def change(d: ProjectData, j: _Journal) -> ProjectData:
            base = slugify(slug or title, f"scene-{len(d.scenes) + 1}")
            sc = Scene(slug=unique_slug(base, (s.slug for s in d.scenes)), title=title or "",
                       script=script, notes=notes, lower_third=lower_third)
            scenes = list(d.scenes)
            at = len(scenes) if position is None else max(0, min(len(scenes), position - 1))
            scenes.insert(at, sc)
            made.append(sc)
            return replace(d, scenes=tuple(scenes))

        self.edit(_("Add a scene"), change)
        return made[0]

    def _replace_scene(self, d: ProjectData, ref: str | int, **changes: Any) -> ProjectData:
        i = d.scene_index(ref)
        scenes = list(d.scenes)
        scenes[i] = replace(scenes[i], **changes)
        return replace(d, scenes=tuple(scenes))

    def update_scene(self, ref: str | int, **changes: Any) -> Scene:
        """Change a scene's title, script, notes or lower third (the slug stays)."""
        allowed = {"title", "script", "notes", "lower_third"}
        bad = set(changes) - allowed
        if bad:
            raise UsageError(_("Unknown scene field(s): {names}.").format(names=", ".join(sorted(bad))),
                             _("Known: {names}.").format(names=", ".join(sorted(allowed))))
        d = self.edit(_("Edit a scene"), lambda d, j: self._replace_scene(d, ref, **changes))
        return d.scene(self._slug_after(ref, d))

    def rename_scene(self, ref: str | int, title: str) -> Scene:
        """Change a scene's title; its slug (and so its file names) stays."""
        return self.update_scene(ref, title=title)

    def _slug_after(self, ref: str | int, d: ProjectData) -> str:
        return d.scene(ref).slug

    def move_scene(self, ref: str | int, position: int) -> ProjectData:
        """Move a scene to 1-based *position*."""
        def change(d: ProjectData, j: _Journal) -> ProjectData:
            i = d.scene_index(ref)
            scenes = list(d.scenes)
            sc = scenes.pop(i)
            scenes.insert(max(0, min(len(scenes), position - 1)), sc)
            return replace(d, scenes=tuple(scenes))
        return self.edit(_("Move a scene"), change)

    def reorder_scenes(self, slugs: Sequence[str]) -> ProjectData:
        """Put the scenes in the order of *slugs* (all of them, once each)."""
        def change(d: ProjectData, j: _Journal) -> ProjectData:
            if sorted(slugs) != sorted(s.slug for s in d.scenes):
                raise UsageError(_("The new order must name every scene once."),
                                 _("Scenes: {slugs}.").format(slugs=", ".join(s.slug for s in d.scenes)))
            by = {s.slug: s for s in d.scenes}
            return replace(d, scenes=tuple(by[s] for s in slugs))
        return self.edit(_("Reorder the scenes"), change)

    def remove_scene(self, ref: str | int) -> ProjectData:
        """Remove a scene; its frames and voice-over go to the trash (undo brings them back).

        Rushes stay in ``rushes/`` (another scene may use them)."""
        def change(d: ProjectData, j: _Journal) -> ProjectData:
            i = d.scene_index(ref)
            sc = d.scenes[i]
            fdir = self.root / "frames" / sc.slug
            if fdir.exists():
                j.move(fdir, self._trash_path(sc.slug))
            if sc.voice and (self.root / sc.voice).exists():
                j.move(self.root / sc.voice, self._trash_path(Path(sc.voice).name))
            return replace(d, scenes=d.scenes[:i] + d.scenes[i + 1:])
        return self.edit(_("Remove a scene"), change)

    # shots -------------------------------------------------------------------------
    def add_shot(self, scene: str | int, file: Path | None = None, *, kind: str = "", position: int | None = None,
                 **options: Any) -> Shot:
        """Copy *file* into ``rushes/`` and add it as a shot of *scene* (clip or still, from the extension).

        ``kind="title"`` adds a title card (no file, ``title=...``). Options are :class:`Shot` fields
        (in_s, out_s, speed, rotation, duration_s, ken_burns, title, caption).
        """
        made: list[Shot] = []

        def change(d: ProjectData, j: _Journal) -> ProjectData:
            sc = d.scene(scene)
            k = kind
            source = ""
            if file is not None:
                src = Path(file)
                k = k or kind_of(src)
                staged = self._stage_copy(src)
                dst = self._free_name(self.rushes_dir, _safe_name(src.name))
                j.move(staged, dst)
                source = self._rel(dst)
            elif k != "title":
                raise UsageError(_("A shot needs a file, unless it is a title card."),
                                 _("Give a clip or a photo, or kind='title'."))
            shot = Shot(id=new_id(), kind=k, source=source, **options)
            _check_shot(shot, self.file, sc.slug)
            made.append(shot)
            shots = list(sc.shots)
            shots.insert(len(shots) if position is None else max(0, position - 1), shot)
            return self._replace_scene(d, sc.slug, shots=tuple(shots))

        self.edit(_("Add a shot"), change)
        return made[0]

    def update_shot(self, shot_id: str, **changes: Any) -> Shot:
        """Change a shot's trims, speed, rotation, duration, fps, Ken Burns, title or caption."""
        if {"id", "kind", "source"} & set(changes):
            raise UsageError(_("A shot's id, kind and source cannot be changed."),
                             _("Remove the shot and add another one."))
        made: list[Shot] = []

        def change(d: ProjectData, j: _Journal) -> ProjectData:
            sc, sh = d.find_shot(shot_id)
            new = replace(sh, **changes)
            _check_shot(new, self.file, sc.slug)
            made.append(new)
            return self._replace_scene(d, sc.slug, shots=tuple(new if s.id == shot_id else s for s in sc.shots))

        self.edit(_("Edit a shot"), change)
        return made[0]

    def remove_shot(self, shot_id: str) -> ProjectData:
        """Remove a shot from its scene (its file stays in rushes/; frames stay in frames/)."""
        def change(d: ProjectData, j: _Journal) -> ProjectData:
            sc, _sh = d.find_shot(shot_id)
            return self._replace_scene(d, sc.slug, shots=tuple(s for s in sc.shots if s.id != shot_id))
        return self.edit(_("Remove a shot"), change)

    def move_shot(self, shot_id: str, scene: str | int, position: int | None = None) -> ProjectData:
        """Move a shot to another scene and/or 1-based position."""
        def change(d: ProjectData, j: _Journal) -> ProjectData:
            sc, sh = d.find_shot(shot_id)
            d = self._replace_scene(d, sc.slug, shots=tuple(s for s in sc.shots if s.id != shot_id))
            target = d.scene(scene)
            shots = list(target.shots)
            shots.insert(len(shots) if position is None else max(0, position - 1), sh)
            return self._replace_scene(d, target.slug, shots=tuple(shots))
        return self.edit(_("Move a shot"), change)

    # frames (stop-motion) ---------------------------------------------------------------
    def frames(self, scene: str | int) -> list[Path]:
        """The scene's frame files, in order (by name)."""
        return list_frames(self.root / "frames" / self._data.scene(scene).slug)

    def _ensure_frames_shot(self, d: ProjectData, slug: str, fps: float | None) -> ProjectData:
        sc = d.scene(slug)
        rel = f"frames/{slug}"
        if any(s.kind == "frames" and s.source == rel for s in sc.shots):
            return d
        shot = Shot(id=new_id(), kind="frames", source=rel, fps=fps)
        return self._replace_scene(d, slug, shots=(*sc.shots, shot))

    def add_frames(self, scene: str | int, files: Sequence[Path], *, fps: float | None = None) -> list[Path]:
        """Copy images as the next numbered frames of *scene* (adds its ``frames`` shot if needed)."""
        added: list[Path] = []

        def change(d: ProjectData, j: _Journal) -> ProjectData:
            slug = d.scene(scene).slug
            folder = self.root / "frames" / slug
            n = _last_number(folder)
            for f in files:
                _require_ext(Path(f), IMAGE_EXTS)
                staged = self._stage_copy(Path(f))
                n += 1
                dst = folder / f"{n:04d}{Path(f).suffix.lower()}"
                j.move(staged, dst)
                added.append(dst)
            return self._ensure_frames_shot(d, slug, fps)

        self.edit(_("Add frames"), change)
        return added

    def add_frame_data(self, scene: str | int, data: bytes, ext: str = ".jpg", *, fps: float | None = None) -> Path:
        """Add one frame from encoded image bytes (what a camera capture gives); returns its path."""
        added: list[Path] = []
        ext = ext if ext.startswith(".") else "." + ext
        if ext.lower() not in IMAGE_EXTS:
            raise MediaError(_("{ext} is not an image type cagette reads.").format(ext=ext),
                             _("Use .jpg or .png."))

        def change(d: ProjectData, j: _Journal) -> ProjectData:
            slug = d.scene(scene).slug
            folder = self.root / "frames" / slug
            n = _last_number(folder) + 1
            staged = self._stage_bytes(data, f"{n:04d}{ext.lower()}")
            dst = folder / staged.name
            j.move(staged, dst)
            added.append(dst)
            return self._ensure_frames_shot(d, slug, fps)

        self.edit(_("Take a frame"), change)
        return added[0]

    def _renumber(self, folder: Path, order: Sequence[Path], j: _Journal) -> None:
        """Rename *order* to 0001.ext, 0002.ext... in two phases (no clashes)."""
        temps = []
        for i, f in enumerate(order):
            tmp = folder / f".renumber-{i:05d}{f.suffix.lower()}"
            j.move(f, tmp)
            temps.append(tmp)
        for i, tmp in enumerate(temps, 1):
            j.move(tmp, folder / f"{i:04d}{tmp.suffix}")

    def delete_frames(self, scene: str | int, names: Sequence[str]) -> ProjectData:
        """Delete frames by file name (they go to the trash; undo restores them); renumbers the rest."""
        def change(d: ProjectData, j: _Journal) -> ProjectData:
            folder = self.root / "frames" / d.scene(scene).slug
            frames = list_frames(folder)
            by = {f.name: f for f in frames}
            missing = [n for n in names if n not in by]
            if missing:
                raise ProjectError(_("No frame {name} in {folder}.").format(name=missing[0], folder=folder),
                                   _("List the frames with `cagette project show`."))
            for n in names:
                j.move(by[n], self._trash_path(n))
            self._renumber(folder, [f for f in frames if f.name not in set(names)], j)
            return d
        return self.edit(_("Delete frames"), change)

    def delete_last_frame(self, scene: str | int) -> Path | None:
        frames = self.frames(scene)
        if not frames:
            return None
        self.delete_frames(scene, [frames[-1].name])
        return frames[-1]

    def reorder_frames(self, scene: str | int, names: Sequence[str]) -> ProjectData:
        """Put the frames in the order of *names* (every frame once) and renumber."""
        def change(d: ProjectData, j: _Journal) -> ProjectData:
            folder = self.root / "frames" / d.scene(scene).slug
            frames = list_frames(folder)
            if sorted(names) != sorted(f.name for f in frames):
                raise UsageError(_("The new order must name every frame once."),
                                 _("{n} frames are in {folder}.").format(n=len(frames), folder=folder))
            by = {f.name: f for f in frames}
            self._renumber(folder, [by[n] for n in names], j)
            return d
        return self.edit(_("Reorder frames"), change)

    def duplicate_frames(self, scene: str | int, name: str, copies: int = 1) -> ProjectData:
        """Hold a frame longer: insert *copies* copies right after it, then renumber."""
        def change(d: ProjectData, j: _Journal) -> ProjectData:
            folder = self.root / "frames" / d.scene(scene).slug
            frames = list_frames(folder)
            by = {f.name: f for f in frames}
            if name not in by:
                raise ProjectError(_("No frame {name} in {folder}.").format(name=name, folder=folder),
                                   _("List the frames with `cagette project show`."))
            order: list[Path] = []
            for f in frames:
                order.append(f)
                if f.name == name:
                    for k in range(copies):
                        staged = self._stage_copy(f)
                        dup = folder / f".dup-{k:04d}-{f.name}"
                        j.move(staged, dup)
                        order.append(dup)
            self._renumber(folder, order, j)
            return d
        return self.edit(_("Duplicate a frame"), change)

    # audio -------------------------------------------------------------------------
    def set_voiceover(self, scene: str | int, file: Path | None) -> ProjectData:
        """Set the scene's voice-over: copied (converted to WAV if needed) as ``audio/voice-<slug>.wav``.

        ``None`` removes it (to the trash; undo restores it)."""
        def change(d: ProjectData, j: _Journal) -> ProjectData:
            sc = d.scene(scene)
            dst = self.audio_dir / f"voice-{sc.slug}.wav"
            if dst.exists():
                j.move(dst, self._trash_path(dst.name))
            if file is None:
                return self._replace_scene(d, sc.slug, voice="")
            staged = self._stage_audio(Path(file))
            j.move(staged, dst)
            return self._replace_scene(d, sc.slug, voice=self._rel(dst))
        return self.edit(_("Set a voice-over"), change)

    def set_music(self, file: Path | None, *, volume_db: float | None = None,
                  duck_db: float | None = None) -> ProjectData:
        """Copy a music file into ``audio/`` (None removes it); levels optional."""
        def change(d: ProjectData, j: _Journal) -> ProjectData:
            music = d.music
            if file is not None:
                _require_ext(Path(file), AUDIO_EXTS)
                if music.source and (self.root / music.source).exists():
                    j.move(self.root / music.source, self._trash_path(Path(music.source).name))
                staged = self._stage_copy(Path(file))
                dst = self._free_name(self.audio_dir, "music" + staged.suffix.lower())
                j.move(staged, dst)
                music = replace(music, source=self._rel(dst))
            elif volume_db is None and duck_db is None:
                if music.source and (self.root / music.source).exists():
                    j.move(self.root / music.source, self._trash_path(Path(music.source).name))
                music = replace(music, source="")
            if volume_db is not None:
                music = replace(music, volume_db=float(volume_db))
            if duck_db is not None:
                music = replace(music, duck_db=float(duck_db))
            return replace(d, music=music)
        return self.edit(_("Set the music"), change)

    def _stage_audio(self, src: Path) -> Path:
        _require_ext(src, AUDIO_EXTS)
        if src.suffix.lower() == ".wav":
            return self._stage_copy(src)
        import subprocess

        import imageio_ffmpeg

        if not src.is_file():
            raise MediaError(_("{file} does not exist or is not a file.").format(file=src),
                             _("Check the path of the file to add."))
        out = self._trash_path("voice.wav")
        out.parent.mkdir(parents=True, exist_ok=True)
        cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-v", "error", "-y", "-i", str(src),
               "-vn", "-ac", "1", "-ar", "48000", "-c:a", "pcm_s16le", str(out)]
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode:
            raise MediaError(_("Cannot read the audio file {file}: {error}").format(
                file=src, error=res.stderr.strip()[-300:]), _("Record it again, or export it as WAV."))
        return out

    # helpers ------------------------------------------------------------------------
    def _rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def _free_name(self, folder: Path, name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        p = folder / name
        stem, suffix = p.stem, p.suffix
        n = 2
        while p.exists():
            p = folder / f"{stem}-{n}{suffix}"
            n += 1
        return p


def _safe_name(name: str) -> str:
    p = Path(name)
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", unicodedata.normalize("NFKD", p.stem).encode("ascii", "ignore").decode())
    return (stem.strip("-.") or "file") + p.suffix.lower()


def kind_of(path: Path) -> str:
    """``clip`` or ``still`` from the extension; refuses other files naming them."""
    ext = Path(path).suffix.lower()
    if ext in VIDEO_EXTS:
        return "clip"
    if ext in IMAGE_EXTS:
        return "still"
    raise MediaError(
        _("{file} is neither a video nor a photo cagette reads.").format(file=path),
        _("Video: {video}. Photos: {image}.").format(video=" ".join(sorted(VIDEO_EXTS)),
                                                     image=" ".join(sorted(IMAGE_EXTS))),
    )


def _require_ext(path: Path, exts: set[str]) -> None:
    if path.suffix.lower() not in exts:
        raise MediaError(_("{file} does not have a usable type ({exts}).").format(
            file=path, exts=" ".join(sorted(exts))), _("Convert it, or choose another file."))


def list_frames(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in IMAGE_EXTS)


def _last_number(folder: Path) -> int:
    best = 0
    for p in list_frames(folder):
        m = re.match(r"(\d+)", p.stem)
        if m:
            best = max(best, int(m.group(1)))
    return best


# ---------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------


def read_template(path: Path) -> ProjectData:
    """The project part of a template's project.toml (its ``[template]`` table is kept as ``template``)."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProjectError(_("Cannot read the template {file}: {error}.").format(file=path, error=exc),
                           _("Fix or remove that template.")) from exc
    return parse(raw, path)


def _copy_template_media(src: Path, dst: Path) -> None:
    for sub in ("rushes", "frames", "audio"):
        if (src / sub).is_dir():
            shutil.copytree(src / sub, dst / sub, dirs_exist_ok=True)


def find_templates(folders: Sequence[Path], lang: str = "") -> list[Template]:
    """Templates in *folders* (``<slug>/<lang>/project.toml``), the first folder winning per slug."""
    found: dict[str, Template] = {}
    for folder in folders:
        folder = Path(folder)
        if not folder.is_dir():
            continue
        for tdir in sorted(p for p in folder.iterdir() if p.is_dir()):
            if tdir.name in found:
                continue
            langs = sorted(p for p in tdir.iterdir() if (p / PROJECT_FILE).is_file())
            if not langs:
                continue
            chosen = next((p for p in langs if p.name == lang), None) or \
                next((p for p in langs if p.name == "fr"), langs[0])
            try:
                raw = tomllib.loads((chosen / PROJECT_FILE).read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                continue
            meta = raw.get("template", {}) if isinstance(raw.get("template"), dict) else {}
            dur = meta.get("target_duration_s", meta.get("duration_s", 0))
            found[tdir.name] = Template(
                slug=str(meta.get("slug", tdir.name)), title=str(meta.get("title", tdir.name)),
                description=str(meta.get("description", "")),
                target_duration_s=float(dur) if isinstance(dur, (int, float)) else 0.0,
                lang=chosen.name, path=chosen / PROJECT_FILE)
    return sorted(found.values(), key=lambda t: t.slug)


def find_template(folders: Sequence[Path], slug: str, lang: str = "") -> Template:
    for t in find_templates(folders, lang):
        if t.slug == slug:
            return t
    known = ", ".join(t.slug for t in find_templates(folders, lang)) or "—"
    raise UsageError(_("No template {slug!r}.").format(slug=slug),
                     _("Known templates: {known} (`cagette project templates`).").format(known=known))


def create(root: Path, title: str = "", **kwargs: Any) -> Project:
    """Shortcut of :meth:`Project.create`."""
    return Project.create(root, title, **kwargs)


def open_project(root: Path) -> Project:
    """Shortcut of :meth:`Project.open`."""
    return Project.open(root)
