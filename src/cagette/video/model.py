"""The project model: immutable values, and what makes a value valid.

:class:`ProjectData` and the values it holds (:class:`Scene`, :class:`Shot`,
:class:`Music`, :class:`ExportChoices`, :class:`ImportedCaptions`) are frozen
dataclasses; ``project.toml`` is their ``to_dict()`` (see
:mod:`cagette.video.projectfile`). Each ``*_problem`` function says what is
wrong with a value in one line naming the field and the values it allows
("" when nothing is): the file parser turns it into a :class:`ProjectError`
naming the file, an edit into a :class:`UsageError` (exit status 2).

Texts are normalised on the way in: ``\\r\\n`` and ``\\r`` become ``\\n`` (a
script pasted from a Windows editor survives the TOML round trip).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cagette.errors import ProjectError
from cagette.i18n import _

SCHEMA_VERSION = 1
SHOT_KINDS = ("clip", "still", "frames", "title")
VIDEO_EXTS = {".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi", ".3gp", ".mts", ".mpg", ".mpeg"}
IMAGE_EXTS = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".heic", ".heif"}
AUDIO_EXTS = {".wav", ".mp3", ".m4a", ".aac", ".ogg", ".opus", ".flac"}
ROTATIONS = (0, 90, 180, 270)
PORTRAIT_FILLS = ("blur", "bars")
LOUDNESS_TARGETS = ("web", "lobby")
LANGUAGES = ("fr", "en")

# Bounds of what a person types (a hostile file is refused by name, never drawn for an hour).
MAX_LINE = 200  # a title, an organisation, an author, a licence
MAX_TEXT = 10_000  # a script, notes, a description, credits
MAX_LIST = 50  # authors, derived_from
MAX_SCENES = 200
MAX_SHOTS = 500  # per scene
MAX_CUES = 5_000


def clean_text(text: str) -> str:
    """A text as stored: newlines as ``\\n`` whatever the editor it came from."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _normalise(obj: Any, names: Iterable[str]) -> None:
    for name in names:
        value = getattr(obj, name)
        if isinstance(value, str) and "\r" in value:
            object.__setattr__(obj, name, clean_text(value))
        elif isinstance(value, tuple) and any(isinstance(v, str) and "\r" in v for v in value):
            object.__setattr__(obj, name, tuple(clean_text(v) if isinstance(v, str) else v for v in value))


@dataclass(frozen=True)
class Shot:
    """One piece of a scene, in order.

    * ``clip``: a video file in ``rushes/`` (``in_s``/``out_s`` trim it, ``speed`` changes its pace).
    * ``still``: a photo in ``rushes/`` shown ``duration_s`` seconds (``ken_burns`` pans over it).
    * ``frames``: the scene's stop-motion folder ``frames/<slug>`` played at ``fps``.
    * ``title``: a card showing ``title`` for ``duration_s`` seconds (no source).

    ``rotation`` (0/90/180/270, clockwise) overrides the file's rotation metadata when set.
    ``caption`` replaces the caption lines generated from the script during this shot.
    ``volume_db`` sets the level of a clip's own sound (0: as recorded).
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
    volume_db: float = 0.0

    def __post_init__(self) -> None:
        _normalise(self, ("title", "caption"))

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

    def __post_init__(self) -> None:
        _normalise(self, ("title", "script", "lower_third", "notes"))

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
    fade_in_s: float = 1.0  # the music rises from silence at the start...
    fade_out_s: float = 2.0  # ...and fades out at the end

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
    voice_cleanup: bool = True  # high-pass and light denoise on the voice-overs
    deflicker: bool = True  # even out the brightness of stop-motion frames
    caption_cps: float = 17.0  # reading speed limit of the captions, characters per second

    def __post_init__(self) -> None:
        _normalise(self, ("credits",))

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class SceneTarget:
    """Where new material goes (see :meth:`ProjectData.scene_target`): a scene, maybe still to create."""

    slug: str
    title: str = ""
    new: bool = False


@dataclass(frozen=True)
class Cue:
    """One caption of an imported subtitle file, in seconds of the video."""

    start_s: float
    end_s: float
    text: str

    def __post_init__(self) -> None:
        _normalise(self, ("text",))

    def to_dict(self) -> dict[str, Any]:
        return {"start_s": self.start_s, "end_s": self.end_s, "text": self.text}


@dataclass(frozen=True)
class ImportedCaptions:
    """Captions imported from an SRT or WebVTT file: they replace the ones made from the scripts.

    ``scripts`` holds ``"<scene slug>:<digest>"`` of every scene's script at import time, so
    ``cagette project check`` can say which script changed since."""

    file: str = ""  # the name of the imported file, for information
    scripts: tuple[str, ...] = ()
    cues: tuple[Cue, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "scripts": list(self.scripts), "cues": [c.to_dict() for c in self.cues]}


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
    derived_from: tuple[str, ...] = ()  # ids of the library resources it adapts (a template it started from)
    schema: int = SCHEMA_VERSION
    captions: ImportedCaptions = field(default_factory=ImportedCaptions)

    def __post_init__(self) -> None:
        _normalise(self, ("title", "organisation", "description", "authors"))

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

    def scene_target(self, ref: str | int | None) -> SceneTarget:
        """The scene that new material given ``--scene REF`` goes to: the one rule of import, recording and
        stop-motion. An existing slug or 1-based position names that scene; a new slug, or the next position,
        names a scene to create (a name is made a slug first: ``"Mon intro"`` is ``mon-intro``, so giving it
        twice finds the scene made the first time); no *ref* names the last scene (a first one when there is
        none). A position further on is refused, saying which positions exist."""
        n_scenes = len(self.scenes)
        if ref is None:
            if self.scenes:
                return SceneTarget(self.scenes[-1].slug)
            ref = 1
        text = str(ref)
        if text.isdigit():
            n = int(text)
            if 1 <= n <= n_scenes:
                return SceneTarget(self.scenes[n - 1].slug)
            if n == n_scenes + 1:
                title = _("Scene {n}").format(n=n)
                base = slugify(title, f"scene-{n}")
                return SceneTarget(unique_slug(base, (s.slug for s in self.scenes)), title, new=True)
            raise ProjectError(_("There is no scene {n}: the project has {count}.").format(n=n, count=n_scenes),
                               _("Use a position from 1 to {next} (the next one creates a scene).").format(
                                   next=n_scenes + 1))
        slug = slugify(text, "")
        if not slug:
            raise ProjectError(_("{ref!r} is not a scene of this project, nor a name for a new one.").format(ref=text),
                               _("Give a scene slug or a position from 1 to {next} (`cagette project show` lists "
                                 "them).").format(next=n_scenes + 1))
        if any(s.slug == slug for s in self.scenes):
            return SceneTarget(slug)
        return SceneTarget(slug, text, new=True)

    def find_shot(self, ref: str) -> tuple[Scene, Shot]:
        """A shot by its id, or by ``SCENE.N`` (the N-th shot of a scene given by slug or position: ``2.1``)."""
        scene_ref, dot, pos = str(ref).rpartition(".")
        if dot and pos.isdigit() and scene_ref:
            sc = self.scene(scene_ref)
            n = int(pos)
            if 1 <= n <= len(sc.shots):
                return sc, sc.shots[n - 1]
            raise ProjectError(_("Scene {scene} has no shot {n}: it has {count}.").format(
                scene=sc.slug, n=n, count=len(sc.shots)), _("Run `cagette project show` to list the shots."))
        for sc in self.scenes:
            for sh in sc.shots:
                if sh.id == ref:
                    return sc, sh
        raise ProjectError(_("No shot {shot} in this project.").format(shot=ref),
                           _("Give a shot's id or SCENE.N (the N-th shot of a scene, e.g. 2.1); "
                             "`cagette project show` lists them."))

    def to_dict(self) -> dict[str, Any]:
        project: dict[str, Any] = {
            "title": self.title, "slug": self.slug, "authors": list(self.authors),
            "organisation": self.organisation, "language": self.language, "licence": self.licence,
        }
        if self.description:
            project["description"] = self.description
        if self.template:
            project["template"] = self.template
        if self.derived_from:  # written only when set: files without it stay readable by older cagettes
            project["derived_from"] = list(self.derived_from)
        out: dict[str, Any] = {"schema": self.schema, "project": project, "export": self.export.to_dict()}
        if self.music.source:
            out["music"] = self.music.to_dict()
        if self.captions.cues:
            out["captions"] = self.captions.to_dict()
        out["scenes"] = [s.to_dict() for s in self.scenes]
        return out


# ---------------------------------------------------------------------------
# Names
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


def script_digest(script: str) -> str:
    """A short digest of a script (its words, whatever the spacing)."""
    import hashlib

    return hashlib.sha256(" ".join(script.split()).encode("utf-8")).hexdigest()[:12]


def script_digests(data: ProjectData) -> tuple[str, ...]:
    return tuple(f"{sc.slug}:{script_digest(sc.script)}" for sc in data.scenes)


# ---------------------------------------------------------------------------
# What makes a value valid (one line naming the field and what it allows; "" when valid)
# ---------------------------------------------------------------------------


def _range(where: str, value: float, low: float, high: float, unit: str = "") -> str:
    if low <= value <= high:
        return ""
    return _("{field} must be between {low:g} and {high:g}{unit} (not {value:g})").format(
        field=where, low=low, high=high, unit=unit, value=value)


def _length(where: str, text: str, limit: int) -> str:
    if len(text) <= limit:
        return ""
    return _("{field} must be at most {limit} characters (it has {n})").format(field=where, limit=limit, n=len(text))


def first(*problems: str) -> str:
    return next((p for p in problems if p), "")


def shot_problem(shot: Shot, where: str = "shot") -> str:
    """What is wrong with *shot* ("" when nothing)."""
    if shot.kind not in SHOT_KINDS:
        return _("{field}.kind must be one of {choices} (not {value!r})").format(
            field=where, choices=", ".join(SHOT_KINDS), value=shot.kind)
    if shot.rotation is not None and shot.rotation not in ROTATIONS:
        return _("{field}.rotation must be 0, 90, 180 or 270, or auto (the file's own; not {value})").format(
            field=where, value=shot.rotation)
    if shot.in_s < 0 or (shot.out_s is not None and shot.out_s <= shot.in_s):
        return _("{field}: out_s must come after in_s, both 0 or more (in {a:g} s, out {b} s)").format(
            field=where, a=shot.in_s, b="end" if shot.out_s is None else f"{shot.out_s:g}")
    if shot.kind != "title" and not shot.source:
        return _("{field} needs a source (a file in rushes/ or frames/)").format(field=where)
    return first(
        _range(f"{where}.speed", shot.speed, 0.1, 10),
        _range(f"{where}.duration_s", shot.duration_s, 0.04, 600, " s") if shot.duration_s is not None else "",
        _range(f"{where}.fps", shot.fps, 0.5, 60) if shot.fps is not None else "",
        _range(f"{where}.volume_db", shot.volume_db, -60, 20, " dB"),
        _range(f"{where}.in_s", shot.in_s, 0, 86_400, " s"),
        _length(f"{where}.title", shot.title, MAX_LINE * 2),
        _length(f"{where}.caption", shot.caption, MAX_TEXT // 10),
    )


def scene_problem(scene: Scene, where: str = "scene") -> str:
    return first(
        _length(f"{where}.title", scene.title, MAX_LINE),
        _length(f"{where}.script", scene.script, MAX_TEXT),
        _length(f"{where}.notes", scene.notes, MAX_TEXT),
        _length(f"{where}.lower_third", scene.lower_third, MAX_LINE),
        _("{field} holds {n} shots, at most {limit}").format(field=where, n=len(scene.shots), limit=MAX_SHOTS)
        if len(scene.shots) > MAX_SHOTS else "",
    )


def export_problem(export: ExportChoices, where: str = "export") -> str:
    """What is wrong with export choices ("" when nothing)."""
    if export.portrait_fill not in PORTRAIT_FILLS:
        return _("{field}.portrait_fill must be one of {choices} (not {value!r})").format(
            field=where, choices=", ".join(PORTRAIT_FILLS), value=export.portrait_fill)
    if export.loudness not in LOUDNESS_TARGETS:
        return _("{field}.loudness must be one of {choices} (not {value!r})").format(
            field=where, choices=", ".join(LOUDNESS_TARGETS), value=export.loudness)
    return first(
        _range(f"{where}.caption_cps", export.caption_cps, 5, 40),
        _range(f"{where}.crossfade_s", export.crossfade_s, 0, 5, " s"),
        _range(f"{where}.fade_s", export.fade_s, 0, 10, " s"),
        _range(f"{where}.title_card_s", export.title_card_s, 0.5, 60, " s"),
        _range(f"{where}.end_card_s", export.end_card_s, 0.5, 60, " s"),
        _range(f"{where}.still_s", export.still_s, 0.2, 600, " s"),
        _range(f"{where}.frames_fps", export.frames_fps, 0.5, 60),
        _length(f"{where}.credits", export.credits, MAX_TEXT // 10),
    )


def music_problem(music: Music, where: str = "music") -> str:
    """What is wrong with the music's levels and fades ("" when nothing)."""
    return first(
        _range(f"{where}.volume_db", music.volume_db, -60, 20, " dB"),
        _range(f"{where}.duck_db", music.duck_db, -60, 0, " dB"),
        _range(f"{where}.fade_in_s", music.fade_in_s, 0, 30, " s"),
        _range(f"{where}.fade_out_s", music.fade_out_s, 0, 30, " s"),
    )


LICENCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+-]*$")


def info_problem(data: ProjectData, where: str = "project", strict_language: bool = True) -> str:
    """What is wrong with the project's details ("" when nothing). *strict_language* refuses a language
    cagette has no catalogue for (edits do; files written by hand are read as they are)."""
    if strict_language and data.language not in LANGUAGES:
        return _("{field}.language must be one of {choices} (not {value!r})").format(
            field=where, choices=", ".join(LANGUAGES), value=data.language)
    if data.licence and (len(data.licence) > 64 or not LICENCE_RE.match(data.licence)):
        return _("{field}.licence must be an SPDX identifier such as CC-BY-SA-4.0 (letters, digits, . + -; "
                 "not {value!r})").format(field=where, value=data.licence[:80])
    if len(data.authors) > MAX_LIST or len(data.derived_from) > MAX_LIST:
        return _("{field}.authors and {field}.derived_from hold at most {limit} entries each").format(
            field=where, limit=MAX_LIST)
    if any(not 0 < len(v) <= 128 for v in data.derived_from):
        return _("{field}.derived_from must list resource ids of 1 to 128 characters").format(field=where)
    return first(
        _length(f"{where}.title", data.title, MAX_LINE),
        _length(f"{where}.organisation", data.organisation, MAX_LINE),
        _length(f"{where}.description", data.description, MAX_TEXT),
        next((_length(f"{where}.authors", a, MAX_LINE) for a in data.authors if len(a) > MAX_LINE), ""),
        _("{field} holds {n} scenes, at most {limit}").format(field=where, n=len(data.scenes), limit=MAX_SCENES)
        if len(data.scenes) > MAX_SCENES else "",
    )
