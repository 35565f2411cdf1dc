"""Small real media and entries for the library tests."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path


def ffmpeg() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def make_project(root: Path, title: str = "Démarches en ligne", caption: str = "Bonjour à tous") -> Path:
    """A project folder with a one-second export, its captions, thumbnail and transcript."""
    exports = root / "exports"
    exports.mkdir(parents=True)
    subprocess.run([ffmpeg(), "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=160x90:rate=10",
                    "-t", "1", "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(exports / "video.mp4")],
                   check=True)
    subprocess.run([ffmpeg(), "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=160x90",
                    "-frames:v", "1", str(exports / "video.jpg")], check=True)
    (exports / "video.vtt").write_text(f"WEBVTT\n\n00:00.000 --> 00:01.000\n{caption}\n", encoding="utf-8")
    (exports / "video.txt").write_text(caption + "\n", encoding="utf-8")
    (root / "project.toml").write_text(
        f'schema = 1\n[project]\ntitle = "{title}"\nauthors = ["Léa Martin"]\norganisation = "Ville de Test"\n'
        'language = "fr"\nlicence = "CC-BY-SA-4.0"\ndescription = "Comment faire ses démarches."\n',
        encoding="utf-8")
    return root


@dataclass
class Entry:
    """What ``cagette.starter.resources()`` yields (duck-typed)."""

    id: str
    title: str
    files: list[tuple[str, Path]]
    kind: str = "guide"
    description: str = ""
    language: str = "fr"
    licence: str = "CC-BY-SA-4.0"
    tags: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=lambda: ["La 27e Région"])
    organisation: str = "La 27e Région"
    version: int = 1
    derived_from: list[str] = field(default_factory=list)
