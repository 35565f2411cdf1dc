"""The shots of a scene, edited through the project API: added from files (copied before the lock, or
pointing at the rush of the same content already there), title cards, trims and the rest, moves.

A mixin of :class:`cagette.video.project.Project`; every method is one locked, undoable edit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cagette.errors import MediaError, UsageError
from cagette.i18n import _
from cagette.video import staging
from cagette.video.editing import ProjectCore, invalid, texts, unknown
from cagette.video.history import Journal
from cagette.video.model import ProjectData, Shot, new_id, shot_problem
from cagette.video.staging import kind_of

SHOT_FIELDS = ("in_s", "out_s", "speed", "rotation", "duration_s", "fps", "ken_burns", "title", "caption",
               "volume_db")


@dataclass(frozen=True)
class Added:
    """A shot added from a file: ``reused`` names the rush of the same content it points at ("" when the
    file was copied in)."""

    shot: Shot
    reused: str = ""


class ShotsEdits(ProjectCore):
    """The shot edits of a project (see :class:`cagette.video.project.Project` for the rest)."""

    # shots -------------------------------------------------------------------------
    def add_shot(self, scene: str | int, file: Path | None = None, *, kind: str = "", position: int | None = None,
                 **options: Any) -> Shot:
        """Add *file* as a shot of *scene* (see :meth:`add_media`), or a title card with ``kind="title"``
        (no file, ``title=...``). Options are :class:`Shot` fields (in_s, out_s, speed, rotation,
        duration_s, ken_burns, title, caption, volume_db)."""
        if file is None:
            if kind != "title":
                raise UsageError(_("A shot needs a file, unless it is a title card."),
                                 _("Give a clip or a photo, or kind='title'."))
            return self._insert_shot(scene, "title", "", position, options)
        return self.add_media(scene, Path(file), kind=kind, position=position, **options).shot

    def add_media(self, scene: str | int, file: Path, *, kind: str = "", position: int | None = None,
                  **options: Any) -> Added:
        """Add *file* as a shot of *scene*: a clip or a still, as :func:`kind_of` decides from the file's
        pictures (a file that is not usable media is refused). A file whose content is already in
        ``rushes/`` is not copied again: the shot points at that rush (``Added.reused`` names it).
        The copy is made before the project lock is taken."""
        file = Path(file)
        decided = kind_of(file)  # probed before the lock is taken: it reads the file
        if kind and kind != decided:
            raise UsageError(_("{file} is a {kind}, not a {wanted}.").format(file=file, kind=decided, wanted=kind),
                             _("Leave the kind out: it is decided from the file."))
        invalid(shot_problem(Shot(id="", kind=decided, source="x", **options)))
        digests = staging.project_digests(self.root)
        digest, existing = staging.same_content(self.rushes_dir, file, digests)
        with self._incoming() as incoming:
            if existing is None:
                incoming.append(staging.stage_copy(self.root, file))
                digest = incoming[0].digest
            reused: list[str] = []

            def change(d: ProjectData, j: Journal) -> ProjectData:
                _found, again = staging.same_content(self.rushes_dir, file, digests, digest)  # under the lock
                if again is not None:
                    source = self._rel(again)
                    reused.append(source)
                else:
                    dst = staging.free_name(self.rushes_dir, staging.safe_name(file.name))
                    self._bring(incoming[0] if incoming else staging.stage_copy(self.root, file), j, dst)
                    digests.remember(dst, digest)
                    source = self._rel(dst)
                made.append(Shot(id=new_id(), kind=decided, source=source, **texts(options)))
                return self._with_shot(d, scene, made[-1], position)

            made: list[Shot] = []
            self.edit(_("Add a shot"), change)
        digests.save()
        return Added(made[-1], reused[-1] if reused else "")

    def add_shot_of_rush(self, scene: str | int, source: str, *, kind: str, position: int | None = None,
                         **options: Any) -> Shot:
        """Add a shot of a file already in ``rushes/`` (nothing is copied)."""
        if not (self.root / source).is_file():
            raise MediaError(_("{file} is not in the project.").format(file=source),
                             _("Import the file with `cagette project import`."))
        return self._insert_shot(scene, kind, source, position, options)

    def add_title(self, scene: str | int, text: str, *, duration_s: float | None = None,
                  position: int | None = None) -> Shot:
        """Add a title card (a shot showing *text*) to *scene*."""
        return self._insert_shot(scene, "title", "", position, {"title": text, "duration_s": duration_s})

    def _insert_shot(self, scene: str | int, kind: str, source: str, position: int | None,
                     options: dict[str, Any]) -> Shot:
        shot = Shot(id=new_id(), kind=kind, source=source, **texts(options))
        self.edit(_("Add a shot"), lambda d, j: self._with_shot(d, scene, shot, position))
        return shot

    def _with_shot(self, d: ProjectData, scene: str | int, shot: Shot, position: int | None) -> ProjectData:
        sc = d.scene(scene)
        invalid(shot_problem(shot))
        shots = list(sc.shots)
        shots.insert(len(shots) if position is None else max(0, position - 1), shot)
        return self._replace_scene(d, sc.slug, shots=tuple(shots))

    def update_shot(self, ref: str, *, group: str = "", **changes: Any) -> Shot:
        """Change a shot's trims, speed, rotation, duration, fps, Ken Burns, title, caption or volume.

        *ref* is the shot's id or ``SCENE.N``; ``rotation=None`` gives the file's own rotation back."""
        if {"id", "kind", "source"} & set(changes):
            raise UsageError(_("A shot's id, kind and source cannot be changed."),
                             _("Remove the shot and add another one."))
        unknown(_("shot"), list(changes), SHOT_FIELDS)
        changes = texts(changes)
        made: list[Shot] = []

        def change(d: ProjectData, j: Journal) -> ProjectData:
            sc, sh = d.find_shot(ref)
            new = replace(sh, **changes)
            invalid(shot_problem(new))
            made.append(new)
            return self._replace_scene(d, sc.slug, shots=tuple(new if s.id == sh.id else s for s in sc.shots))

        self.edit(_("Edit a shot"), change, group=group)
        return made[0]

    def remove_shot(self, ref: str) -> ProjectData:
        """Remove a shot from its scene (its file stays in rushes/; frames stay in frames/)."""
        def change(d: ProjectData, j: Journal) -> ProjectData:
            sc, sh = d.find_shot(ref)
            return self._replace_scene(d, sc.slug, shots=tuple(s for s in sc.shots if s.id != sh.id))
        return self.edit(_("Remove a shot"), change)

    def move_shot(self, ref: str, scene: str | int | None = None, position: int | None = None) -> ProjectData:
        """Move a shot to another scene (default: its own) and/or 1-based position (default: the end)."""
        def change(d: ProjectData, j: Journal) -> ProjectData:
            sc, sh = d.find_shot(ref)
            target_ref = sc.slug if scene is None else d.scene(scene).slug
            d = self._replace_scene(d, sc.slug, shots=tuple(s for s in sc.shots if s.id != sh.id))
            target = d.scene(target_ref)
            shots = list(target.shots)
            shots.insert(len(shots) if position is None else max(0, position - 1), sh)
            return self._replace_scene(d, target.slug, shots=tuple(shots))
        return self.edit(_("Move a shot"), change)

    # rushes already in the project ---------------------------------------------------------
    def same_rush(self, file: Path) -> str:
        """The path (relative) of a file of ``rushes/`` with the same content as *file*, or ``""``."""
        digests = staging.project_digests(self.root)
        _digest, found = staging.same_content(self.rushes_dir, Path(file), digests)
        digests.save()
        return self._rel(found) if found is not None else ""

