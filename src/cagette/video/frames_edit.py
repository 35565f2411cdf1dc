"""Stop-motion frames of a scene: numbered files in ``frames/<scene-slug>/``, edited through the project API.

A mixin of :class:`cagette.video.project.Project`: every method is one locked,
undoable edit (deleted frames wait in the trash; renumbering is journaled).
Frames brought in from files or a camera are staged before the lock is taken.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cagette.errors import MediaError, ProjectError, UsageError
from cagette.i18n import _
from cagette.video import staging
from cagette.video.editing import ProjectCore
from cagette.video.history import Journal
from cagette.video.model import IMAGE_EXTS, ProjectData, Shot, new_id
from cagette.video.staging import last_number, list_frames, require_ext


class FramesEdits(ProjectCore):
    """The frame edits of a project (see :class:`cagette.video.project.Project` for the rest)."""

    # frames ---------------------------------------------------------------------------
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
        for f in files:
            require_ext(Path(f), IMAGE_EXTS)
        with self._incoming() as incoming:
            for f in files:
                incoming.append(staging.stage_copy(self.root, Path(f)))

            def change(d: ProjectData, j: Journal) -> ProjectData:
                slug = d.scene(scene).slug
                folder = self.root / "frames" / slug
                n = last_number(folder)
                for staged in incoming:
                    n += 1
                    dst = folder / f"{n:04d}{staged.path.suffix.lower()}"
                    self._bring(staged, j, dst)
                    added.append(dst)
                return self._ensure_frames_shot(d, slug, fps)

            self.edit(_("Add frames"), change)
        return added

    def add_frame_data(self, scene: str | int, data: bytes, ext: str = ".jpg", *, fps: float | None = None) -> Path:
        """Add one frame from encoded image bytes (what a camera capture gives); returns its path."""
        added: list[Path] = []
        ext = (ext if ext.startswith(".") else "." + ext).lower()
        if ext not in IMAGE_EXTS:
            raise MediaError(_("{ext} is not an image type cagette reads.").format(ext=ext),
                             _("Use .jpg or .png."))
        with self._incoming() as incoming:
            incoming.append(staging.stage_bytes(self.root, data, "frame" + ext))

            def change(d: ProjectData, j: Journal) -> ProjectData:
                slug = d.scene(scene).slug
                folder = self.root / "frames" / slug
                dst = folder / f"{last_number(folder) + 1:04d}{ext}"
                self._bring(incoming[0], j, dst)
                added.append(dst)
                return self._ensure_frames_shot(d, slug, fps)

            self.edit(_("Take a frame"), change)
        return added[0]

    def replace_frame_data(self, scene: str | int, name: str, data: bytes, ext: str = ".jpg") -> Path:
        """Put a new picture (encoded image bytes) in place of frame *name*, keeping its number; the old
        one goes to the trash. One undoable step (a retake); returns the new frame's path."""
        ext = (ext if ext.startswith(".") else "." + ext).lower()
        if ext not in IMAGE_EXTS:
            raise MediaError(_("{ext} is not an image type cagette reads.").format(ext=ext), _("Use .jpg or .png."))
        made: list[Path] = []
        with self._incoming() as incoming:
            incoming.append(staging.stage_bytes(self.root, data, "frame" + ext))

            def change(d: ProjectData, j: Journal) -> ProjectData:
                folder, _frames, by = self._folder_frames(d, scene)
                if name not in by:
                    raise self._no_frame(name, folder)
                old = by[name]
                j.move(old, self._trash_path(old.name))
                dst = folder / (old.stem + ext)
                self._bring(incoming[0], j, dst)
                made.append(dst)
                return d

            self.edit(_("Retake a frame"), change)
        return made[0]

    def _renumber(self, folder: Path, order: Sequence[Path], j: Journal) -> None:
        """Rename *order* to 0001.ext, 0002.ext... in two phases (no clashes)."""
        temps = []
        for i, f in enumerate(order):
            tmp = folder / f".renumber-{i:05d}{f.suffix.lower()}"
            j.move(f, tmp)
            temps.append(tmp)
        for i, tmp in enumerate(temps, 1):
            j.move(tmp, folder / f"{i:04d}{tmp.suffix}")

    def _folder_frames(self, d: ProjectData, scene: str | int) -> tuple[Path, list[Path], dict[str, Path]]:
        folder = self.root / "frames" / d.scene(scene).slug
        frames = list_frames(folder)
        return folder, frames, {f.name: f for f in frames}

    @staticmethod
    def _no_frame(name: str, folder: Path) -> ProjectError:
        return ProjectError(_("No frame {name} in {folder}.").format(name=name, folder=folder),
                            _("List the frames with `cagette project show`."))

    def delete_frames(self, scene: str | int, names: Sequence[str]) -> ProjectData:
        """Delete frames by file name (they go to the trash; undo restores them); renumbers the rest."""
        def change(d: ProjectData, j: Journal) -> ProjectData:
            folder, frames, by = self._folder_frames(d, scene)
            missing = [n for n in names if n not in by]
            if missing:
                raise self._no_frame(missing[0], folder)
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
        def change(d: ProjectData, j: Journal) -> ProjectData:
            folder, frames, by = self._folder_frames(d, scene)
            if sorted(names) != sorted(by):
                raise UsageError(_("The new order must name every frame once."),
                                 _("{n} frames are in {folder}.").format(n=len(frames), folder=folder))
            self._renumber(folder, [by[n] for n in names], j)
            return d
        return self.edit(_("Reorder frames"), change)

    def duplicate_frames(self, scene: str | int, name: str, copies: int = 1) -> ProjectData:
        """Hold a frame longer: insert *copies* copies right after it, then renumber."""
        def change(d: ProjectData, j: Journal) -> ProjectData:
            folder, frames, by = self._folder_frames(d, scene)
            if name not in by:
                raise self._no_frame(name, folder)
            order: list[Path] = []
            for f in frames:
                order.append(f)
                if f.name == name:
                    for k in range(copies):  # a frame is small: copied under the lock
                        dup = folder / f".dup-{k:04d}-{f.name}"
                        self._bring(staging.stage_copy(self.root, f), j, dup)
                        order.append(dup)
            self._renumber(folder, order, j)
            return d
        return self.edit(_("Duplicate a frame"), change)

