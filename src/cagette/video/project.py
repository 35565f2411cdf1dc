"""The project folder and the ONE API that writes it.

A project is a folder a person can read::

    PROJECT/
      project.toml          title, scenes, shots, voice-over, music, export choices
      rushes/               clips and photos copied in (never modified)
      frames/<scene-slug>/  stop-motion frames, numbered 0001.jpg, 0002.png... ordered by name
      audio/                voice-<scene-slug>.wav, music
      exports/              what ``cagette render`` writes
      .cagette/             lock file, undo history, trash (for undo), staging area, caches

Everything that changes a project (capture, import, the phone page, the app)
goes through :class:`Project`. Each edit takes the project lock, re-reads
``project.toml`` from disk, applies a pure change, writes it atomically and
records an undo step. Incoming files are copied (or converted) *before* the
lock is taken (:mod:`cagette.video.staging`), so a long copy never holds up
another edit; under the lock they are only renamed into place. File moves
done by an edit are journaled so :meth:`Project.undo` and :meth:`Project.redo`
restore them too (:mod:`cagette.video.history`). The edit primitive is in
:mod:`cagette.video.editing`; the shot and frame edits in
:mod:`cagette.video.shots_edit` and :mod:`cagette.video.frames_edit`.

The model values (:class:`ProjectData`, :class:`Scene`, :class:`Shot`...) are
frozen dataclasses (:mod:`cagette.video.model`); read them from
:attr:`Project.data`. The file format lives in :mod:`cagette.video.projectfile`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from cagette.errors import ProjectError, UsageError
from cagette.fsutil import atomic_write_text
from cagette.i18n import _
from cagette.video import staging
from cagette.video.editing import invalid, texts, unknown
from cagette.video.frames_edit import FramesEdits
from cagette.video.history import META_DIR, Journal
from cagette.video.model import (
    AUDIO_EXTS,
    IMAGE_EXTS,
    LANGUAGES,
    LOUDNESS_TARGETS,
    PORTRAIT_FILLS,
    ROTATIONS,
    SCHEMA_VERSION,
    SHOT_KINDS,
    VIDEO_EXTS,
    Cue,
    ExportChoices,
    ImportedCaptions,
    Music,
    ProjectData,
    Scene,
    SceneTarget,
    Shot,
    clean_text,
    export_problem,
    info_problem,
    music_problem,
    new_id,
    scene_problem,
    script_digest,
    script_digests,
    slugify,
    unique_slug,
)
from cagette.video.projectfile import PROJECT_FILE, TemplateInfo, dumps, fill, parse, read, read_template
from cagette.video.shots_edit import Added, ShotsEdits
from cagette.video.staging import kind_of, list_frames, require_ext

__all__ = ["AUDIO_EXTS", "IMAGE_EXTS", "LANGUAGES", "LOUDNESS_TARGETS", "META_DIR", "PORTRAIT_FILLS", "PROJECT_FILE",
           "ROTATIONS", "SCHEMA_VERSION", "SHOT_KINDS", "VIDEO_EXTS", "Added", "Cue", "ExportChoices", "ImportedCaptions",
           "Music", "Project", "ProjectData", "Scene", "SceneTarget", "Shot", "TemplateInfo", "create", "dumps",
           "kind_of", "list_frames", "new_id", "open_project", "parse", "read", "read_template", "script_digest",
           "script_digests", "slugify", "unique_slug"]

SCENE_FIELDS = ("title", "script", "notes", "lower_third")
INFO_FIELDS = ("title", "authors", "organisation", "language", "licence", "description", "slug", "derived_from")



class Project(ShotsEdits, FramesEdits):
    """An open project folder. Every method that changes it is locked, atomic and undoable."""

    # opening -------------------------------------------------------------------
    @classmethod
    def create(cls, root: Path, title: str = "", *, template: Path | None = None,
               language: str = "", authors: Sequence[str] = (), organisation: str = "",
               licence: str = "", derived_from: Sequence[str] = ()) -> Project:
        """Make a new project folder; refuses a folder that already exists.

        From a *template* (its project.toml; media beside it are copied in) the scenes, scripts and
        export choices are the template's, but not its authors nor organisation: those who made the
        template are credited through *derived_from* (the library resources it came from)."""
        root = Path(root)
        if root.exists():
            raise UsageError(
                _("{folder} already exists.").format(folder=root),
                _("Choose a new folder name: a project is created in a folder of its own."),
            )
        data = ProjectData()
        if template is not None:
            data = replace(read_template(template).data, authors=(), organisation="", derived_from=())
        changes: dict[str, Any] = {"slug": slugify(title or data.title or root.name, "video")}
        if title or not data.title:
            changes["title"] = title or root.name
        for key, value in (("language", language), ("organisation", organisation), ("licence", licence)):
            if value:
                changes[key] = value
        if authors:
            changes["authors"] = tuple(authors)
        if derived_from:
            changes["derived_from"] = tuple(dict.fromkeys(derived_from))
        data = replace(data, **changes)
        tmp = root.with_name(f".{root.name}.creating-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            for sub in ("rushes", "frames", "audio", "exports", META_DIR):
                (tmp / sub).mkdir(parents=True, exist_ok=True)
            atomic_write_text(tmp / PROJECT_FILE, dumps(data))
            if template is not None:
                for sub in ("rushes", "frames", "audio"):
                    if (template.parent / sub).is_dir():
                        shutil.copytree(template.parent / sub, tmp / sub, dirs_exist_ok=True)
            os.replace(tmp, root)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return cls(root, data)

    @classmethod
    def open(cls, root: Path) -> Project:
        root = Path(root)
        return cls(root, read(root))

    # project fields --------------------------------------------------------------
    def set_info(self, *, group: str = "", **fields: Any) -> ProjectData:
        """Change title, authors, organisation, language, licence, description, slug or derived_from
        (*group*: see :meth:`edit`)."""
        unknown(_("project"), list(fields), INFO_FIELDS)
        fields = texts(fields)
        for key in ("authors", "derived_from"):
            if key in fields:
                fields[key] = tuple(dict.fromkeys(clean_text(str(v)).strip() for v in fields[key] if str(v).strip()))
        if "slug" in fields:
            fields["slug"] = slugify(fields["slug"], "video")

        def change(d: ProjectData, j: Journal) -> ProjectData:
            new = replace(d, **fields)
            invalid(info_problem(new))
            return new
        return self.edit(_("Edit the project's details"), change, group=group)

    def set_export(self, *, group: str = "", **choices: Any) -> ProjectData:
        """Change export choices (see :class:`ExportChoices`); the logo is set with :meth:`set_logo`
        (*group*: see :meth:`edit`)."""
        from cagette.video.presets import PRESETS

        unknown(_("export"), list(choices), [f for f in ExportChoices().to_dict() if f != "logo"])
        if choices.get("preset") and choices["preset"] not in PRESETS:
            raise UsageError(_("export.preset must be one of {choices} (not {value!r}).").format(
                choices=", ".join(PRESETS), value=choices["preset"]),
                _("Leave it empty to use the settings' default preset."))

        def change(d: ProjectData, j: Journal) -> ProjectData:
            raw = {**d.export.to_dict(), **texts(choices)}
            try:
                export = ExportChoices(**fill(ExportChoices, raw, self.file, "export"))
            except ProjectError as exc:
                raise UsageError(exc.message, _("Give a value of the right type.")) from None
            invalid(export_problem(export))
            return replace(d, export=export)
        return self.edit(_("Change the export choices"), change, group=group)

    def set_logo(self, file: Path | None) -> ProjectData:
        """Copy an image into ``rushes/`` as the logo (None removes it; the image stays in rushes/)."""
        with self._incoming() as incoming:
            if file is not None:
                require_ext(Path(file), IMAGE_EXTS)
                incoming.append(staging.stage_copy(self.root, Path(file)))

            def change(d: ProjectData, j: Journal) -> ProjectData:
                if file is None:
                    return replace(d, export=replace(d.export, logo=""))
                dst = staging.free_name(self.rushes_dir, "logo" + incoming[0].path.suffix.lower())
                self._bring(incoming[0], j, dst)
                return replace(d, export=replace(d.export, logo=self._rel(dst)))
            return self.edit(_("Set the logo") if file else _("Remove the logo"), change)

    # scenes ------------------------------------------------------------------------
    def add_scene(self, title: str = "", script: str = "", *, slug: str = "", position: int | None = None,
                  notes: str = "", lower_third: str = "") -> Scene:
        """Add a scene (at the end, or at 1-based *position*); its slug never changes afterwards."""
        made: list[Scene] = []

        def change(d: ProjectData, j: Journal) -> ProjectData:
            base = slugify(slug or title, f"scene-{len(d.scenes) + 1}")
            sc = Scene(slug=unique_slug(base, (s.slug for s in d.scenes)), title=title or "",
                       script=script, notes=notes, lower_third=lower_third)
            invalid(scene_problem(sc))
            scenes = list(d.scenes)
            at = len(scenes) if position is None else max(0, min(len(scenes), position - 1))
            scenes.insert(at, sc)
            made.append(sc)
            new = replace(d, scenes=tuple(scenes))
            invalid(info_problem(new, strict_language=False))
            return new

        self.edit(_("Add a scene"), change)
        return made[0]

    def ensure_scene(self, target: SceneTarget | str | int | None) -> str:
        """The slug of the scene *target* names, created first (one undoable edit) when it is a new one.

        *target* is a ``--scene`` reference (see :meth:`ProjectData.scene_target`) or a target worked out
        earlier, e.g. before a recording, so that a failed recording creates no scene."""
        if not isinstance(target, SceneTarget):
            target = read(self.root).scene_target(target)
        if not target.new or any(s.slug == target.slug for s in read(self.root).scenes):
            return target.slug
        return self.add_scene(target.title, slug=target.slug).slug

    def update_scene(self, ref: str | int, *, group: str = "", **changes: Any) -> Scene:
        """Change a scene's title, script, notes or lower third (the slug stays); *group*: see :meth:`edit`."""
        unknown(_("scene"), list(changes), SCENE_FIELDS)
        changes = texts(changes)
        d = self.edit(_("Edit a scene"), lambda d, j: self._replace_scene(d, ref, **changes), group=group)
        return d.scene(ref)

    def rename_scene(self, ref: str | int, title: str) -> Scene:
        """Change a scene's title; its slug (and so its file names) stays."""
        return self.update_scene(ref, title=title)

    def move_scene(self, ref: str | int, position: int) -> ProjectData:
        """Move a scene to 1-based *position*."""
        def change(d: ProjectData, j: Journal) -> ProjectData:
            i = d.scene_index(ref)
            scenes = list(d.scenes)
            sc = scenes.pop(i)
            scenes.insert(max(0, min(len(scenes), position - 1)), sc)
            return replace(d, scenes=tuple(scenes))
        return self.edit(_("Move a scene"), change)

    def reorder_scenes(self, slugs: Sequence[str]) -> ProjectData:
        """Put the scenes in the order of *slugs* (all of them, once each)."""
        def change(d: ProjectData, j: Journal) -> ProjectData:
            if sorted(slugs) != sorted(s.slug for s in d.scenes):
                raise UsageError(_("The new order must name every scene once."),
                                 _("Scenes: {slugs}.").format(slugs=", ".join(s.slug for s in d.scenes)))
            by = {s.slug: s for s in d.scenes}
            return replace(d, scenes=tuple(by[s] for s in slugs))
        return self.edit(_("Reorder the scenes"), change)

    def remove_scene(self, ref: str | int) -> ProjectData:
        """Remove a scene; its frames and voice-over go to the trash (undo brings them back).

        Rushes stay in ``rushes/`` (another scene may use them)."""
        def change(d: ProjectData, j: Journal) -> ProjectData:
            i = d.scene_index(ref)
            sc = d.scenes[i]
            fdir = self.root / "frames" / sc.slug
            if fdir.exists():
                j.move(fdir, self._trash_path(sc.slug))
            self._to_trash(sc.voice, j)
            return replace(d, scenes=d.scenes[:i] + d.scenes[i + 1:])
        return self.edit(_("Remove a scene"), change)

    # audio -------------------------------------------------------------------------
    def set_voiceover(self, scene: str | int, file: Path | None) -> ProjectData:
        """Set the scene's voice-over: copied (converted to WAV if needed, before the lock is taken) as
        ``audio/voice-<slug>.wav``. ``None`` removes it (to the trash; undo restores it)."""
        with self._incoming() as incoming:
            if file is not None:
                incoming.append(staging.stage_voice(self.root, Path(file)))

            def change(d: ProjectData, j: Journal) -> ProjectData:
                sc = d.scene(scene)
                dst = self.audio_dir / f"voice-{sc.slug}.wav"
                self._to_trash(self._rel(dst), j)
                if file is None:
                    return self._replace_scene(d, sc.slug, voice="")
                self._bring(incoming[0], j, dst)
                return self._replace_scene(d, sc.slug, voice=self._rel(dst))
            return self.edit(_("Set a voice-over") if file else _("Remove a voice-over"), change)

    def set_music(self, file: Path | None, *, volume_db: float | None = None,
                  duck_db: float | None = None, fade_in_s: float | None = None,
                  fade_out_s: float | None = None, group: str = "") -> ProjectData:
        """Copy a music file into ``audio/`` and/or change its levels and fades; ``None`` with no level or
        fade given removes the music (see also :meth:`clear_music`; *group*: see :meth:`edit`)."""
        levels: dict[str, Any] = {k: float(v) for k, v in (("volume_db", volume_db), ("duck_db", duck_db),
                                           ("fade_in_s", fade_in_s), ("fade_out_s", fade_out_s)) if v is not None}
        if file is None and not levels:
            return self.clear_music()
        invalid(music_problem(replace(Music(), **levels)))
        with self._incoming() as incoming:
            if file is not None:
                require_ext(Path(file), AUDIO_EXTS)
                incoming.append(staging.stage_copy(self.root, Path(file)))

            def change(d: ProjectData, j: Journal) -> ProjectData:
                music = replace(d.music, **levels)
                if file is not None:
                    self._to_trash(d.music.source, j)
                    dst = staging.free_name(self.audio_dir, "music" + incoming[0].path.suffix.lower())
                    self._bring(incoming[0], j, dst)
                    music = replace(music, source=self._rel(dst))
                invalid(music_problem(music))
                return replace(d, music=music)
            return self.edit(_("Set the music"), change, group=group)

    def clear_music(self) -> ProjectData:
        """Remove the music (its file goes to the trash; undo brings it back)."""
        def change(d: ProjectData, j: Journal) -> ProjectData:
            self._to_trash(d.music.source, j)
            return replace(d, music=replace(d.music, source=""))
        return self.edit(_("Remove the music"), change)

    # imported captions -------------------------------------------------------------------
    def set_captions(self, cues: Sequence[Cue], file_name: str = "") -> ProjectData:
        """Use *cues* instead of the captions made from the scripts (remembering the scripts as they are)."""
        def change(d: ProjectData, j: Journal) -> ProjectData:
            return replace(d, captions=ImportedCaptions(file_name, script_digests(d), tuple(cues)))
        return self.edit(_("Import the captions"), change)

    def clear_captions(self) -> ProjectData:
        """Go back to the captions made from the scripts."""
        return self.edit(_("Remove the imported captions"), lambda d, j: replace(d, captions=ImportedCaptions()))

def create(root: Path, title: str = "", **kwargs: Any) -> Project:
    """Shortcut of :meth:`Project.create`."""
    return Project.create(root, title, **kwargs)


def open_project(root: Path) -> Project:
    """Shortcut of :meth:`Project.open`."""
    return Project.open(root)
