"""Recording a scene into a project, and recovering what a crash left.

:func:`record_scene` records a source into a scratch folder of the project
(``.cagette/capture-…``), joins the segments and hands the file to the
project API as a shot of the scene; the scratch folder is then removed. The
folder holds ``info.json`` (scene, source) and a lock while recording, so if
the computer or the program dies mid-take, :func:`recover` finds the
segments that were saved and turns them into the shot they should have been.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cagette.capture.recorder import Recorder, RecordResult, concat_segments, join_jpeg_segments, read_jpeg_segments
from cagette.capture.sources import open_source
from cagette.errors import CagetteError, Cancelled, CaptureError
from cagette.fsutil import FileLock, LockedError, atomic_write_text
from cagette.i18n import _
from cagette.progress import Progress

if TYPE_CHECKING:
    from cagette.video.project import Project

SCRATCH_PREFIX = "capture-"


def scratch_root(project: Project) -> Path:
    return project.meta_dir


@dataclass(frozen=True)
class SceneRecording:
    result: RecordResult
    shot_id: str
    path: Path  # the file in rushes/

    def to_dict(self) -> dict[str, Any]:
        data = self.result.to_dict()
        data.update(path=str(self.path), shot=self.shot_id)
        return data


def record_scene(project: Project, location: str, scene: str, *, duration_s: float | None = None,
                 fps: float = 0.0, progress: Progress | None = None,
                 stop: threading.Event | None = None, on_recorder: Any = None) -> SceneRecording:
    """Record *location* into *scene*'s shots. Stops after *duration_s* or when
    *stop* is set; cancelling *progress* keeps nothing.

    *scene* follows import's rule (:meth:`~cagette.video.project.ProjectData.scene_target`):
    a new slug or the next position names a scene that is created when the
    recording is added, so a recording that fails creates no scene."""
    from cagette.video.project import SceneTarget

    target: SceneTarget = project.data.scene_target(scene)
    slug = target.slug
    source = open_source(location, fps)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    work = scratch_root(project) / f"{SCRATCH_PREFIX}{stamp}-{slug}"
    work.mkdir(parents=True, exist_ok=True)
    lock = FileLock(work / "lock", timeout=0.0, what=str(work))
    recorder = Recorder(source, work)
    if on_recorder is not None:
        on_recorder(recorder)
    watcher = None
    if stop is not None:
        def stop_when_asked() -> None:
            stop.wait()
            recorder.stop()

        watcher = threading.Thread(target=stop_when_asked, daemon=True)
        watcher.start()
    kept = discard = False
    try:
        with lock:
            atomic_write_text(work / "info.json", json.dumps({"scene": slug, "title": target.title,
                                                              "source": location, "started": stamp}))
            rush = work / f"{slug}-{stamp}.mkv"
            result = recorder.run(rush, duration_s, progress)
            shot = project.add_shot(project.ensure_scene(target), rush)
            kept = True
    except (KeyboardInterrupt, Cancelled):
        discard = True  # the user cancelled: keep nothing
        raise
    finally:
        if stop is not None:
            stop.set()  # release the watcher
        if kept or discard or not _has_segments(work):
            shutil.rmtree(work, ignore_errors=True)
    return SceneRecording(result, shot.id, project.root / shot.source)


def _has_segments(work: Path) -> bool:
    return any(p.stat().st_size > 0 for p in work.glob("seg_*") if p.suffix in (".mjpeg", ".mkv"))


@dataclass(frozen=True)
class Recovered:
    folder: str
    scene: str
    path: Path | None
    frames: int
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"folder": self.folder, "scene": self.scene, "path": str(self.path) if self.path else None,
                "frames": self.frames, "error": self.error}


def pending(project: Project) -> list[Path]:
    """Scratch folders of recordings that did not finish (not being recorded now)."""
    root = scratch_root(project)
    if not root.is_dir():
        return []
    found = []
    for work in sorted(root.glob(f"{SCRATCH_PREFIX}*")):
        if not work.is_dir():
            continue
        try:
            with FileLock(work / "lock", timeout=0.0, what=str(work)):
                pass
        except LockedError:
            continue  # a recording is going on there
        found.append(work)
    return found


def recover(project: Project) -> list[Recovered]:
    """Turn the segments of interrupted recordings into shots of their scenes (a scene that the
    recording was to create, or that was removed since, is created)."""
    from cagette.video.project import SceneTarget, slugify

    out = []
    for work in pending(project):
        try:
            info = json.loads((work / "info.json").read_text(encoding="utf-8"))
            slug = slugify(str(info["scene"]), "scene")  # a name for files, whatever the file says
        except (OSError, ValueError, KeyError):
            out.append(Recovered(work.name, "", None, 0, _("no info.json: not a cagette recording")))
            continue
        target = work / f"{slug}-{info.get('started', 'recovered')}-recovered.mkv"
        try:
            if read_jpeg_segments(work):
                frames = join_jpeg_segments(work, target)
            else:
                segments = [s for s in sorted(work.glob("seg_*.mkv")) if s.stat().st_size > 0]
                if not segments:
                    shutil.rmtree(work, ignore_errors=True)
                    out.append(Recovered(work.name, slug, None, 0, _("nothing had been saved")))
                    continue
                concat_segments(segments, target)
                frames = _count(target)
            scene = SceneTarget(slug, str(info.get("title", "") or slug), new=True)  # made again if it is gone
            shot = project.add_shot(project.ensure_scene(scene), target)
        except CagetteError as exc:
            target.unlink(missing_ok=True)
            out.append(Recovered(work.name, slug, None, 0, exc.message))
            continue
        shutil.rmtree(work, ignore_errors=True)
        out.append(Recovered(work.name, slug, project.root / shot.source, frames))
    return out


def _count(path: Path) -> int:
    import av

    try:
        with av.open(str(path)) as c:
            return sum(1 for p in c.demux(c.streams.video[0]) if p.size)
    except (av.FFmpegError, IndexError) as exc:
        raise CaptureError(_("The recovered file {path} is unreadable: {error}").format(path=path, error=exc),
                           None) from exc
