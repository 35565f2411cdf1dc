"""What a project has made and what it uses, as files: its renders and its media.

``cagette render`` writes ``exports/<preset>/<slug>.mp4`` with ``.vtt``, ``.srt``,
``.txt`` and ``.jpg`` beside it under the same name. Whoever hands a project on
(publishing it to the library, for one) asks here instead of guessing from the
folder, so the layout has one owner: the video pillar.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cagette.video.project import Project, list_frames

VIDEO_SUFFIXES = (".mp4", ".webm", ".mov", ".m4v", ".mkv")
CAPTION_SUFFIXES = (".vtt", ".srt")
TRANSCRIPT_SUFFIXES = (".txt", ".md")
THUMBNAIL_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")


@dataclass(frozen=True)
class Export:
    """One rendered video and the files made with it."""

    video: Path
    captions: tuple[Path, ...] = ()
    transcript: Path | None = None
    thumbnail: Path | None = None


def _name(p: Path) -> str:
    return p.name.split(".", 1)[0]


def export_of(video: Path) -> Export:
    """The export *video* belongs to: the captions, transcript and thumbnail sharing its name."""
    video = Path(video)
    captions: list[Path] = []
    transcript = thumbnail = None
    for p in sorted(video.parent.iterdir()) if video.parent.is_dir() else []:
        if p == video or not p.is_file() or _name(p) != _name(video):
            continue
        suffix = p.suffix.lower()
        if suffix in CAPTION_SUFFIXES:
            captions.append(p)
        elif suffix in TRANSCRIPT_SUFFIXES and transcript is None:
            transcript = p
        elif suffix in THUMBNAIL_SUFFIXES and thumbnail is None:
            thumbnail = p
    return Export(video, tuple(captions), transcript, thumbnail)


def exports(project: Project) -> list[Export]:
    """Every rendered video of *project*, the oldest first (by modification time, then name)."""
    folder = project.exports_dir
    if not folder.is_dir():
        return []
    videos = [p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")
              and p.suffix.lower() in VIDEO_SUFFIXES]
    return [export_of(v) for v in sorted(videos, key=lambda p: (p.stat().st_mtime, p.name))]


def latest_export(project: Project) -> Export | None:
    found = exports(project)
    return found[-1] if found else None


def media_files(project: Project) -> list[Path]:
    """The files the project uses (clips, photos, stop-motion frames, voice-overs, music, logo), each once."""
    data = project.data
    rels: list[str] = []
    for scene in data.scenes:
        for shot in scene.shots:
            if shot.kind in ("clip", "still") and shot.source:
                rels.append(shot.source)
            elif shot.kind == "frames" and shot.source:
                rels += [f.relative_to(project.root).as_posix() for f in list_frames(project.path(shot.source))]
        if scene.voice:
            rels.append(scene.voice)
    rels += [r for r in (data.music.source, data.export.logo) if r]
    out = []
    for rel in dict.fromkeys(rels):
        path = project.path(rel)
        if path.is_file() and path.resolve().is_relative_to(project.root.resolve()):
            out.append(path)
    return out

