"""A project's captions as files: export them to correct the wording in any subtitle editor, import them back.

Imported captions are stored in ``project.toml`` (``[captions]``) and replace
the ones made from the scripts in every render (sidecar files and burned
text alike), until they are cleared. ``cagette project check`` warns when a
script changed after the import.
"""

from __future__ import annotations

from pathlib import Path

from cagette.errors import UsageError
from cagette.fsutil import atomic_write_text
from cagette.i18n import _
from cagette.video import subtitles
from cagette.video.presets import Preset
from cagette.video.project import Cue, Project
from cagette.video.script import Caption


def current(project: Project, preset: Preset, words_per_minute: int = 130) -> tuple[list[Caption], str]:
    """The captions a render with *preset* would write, and where they come from (``scripts``/``imported``)."""
    from cagette.video.timeline import build, gather

    data = project.data
    tl = build(project.root, data, gather(project.root, data), preset, words_per_minute=words_per_minute)
    return list(tl.captions), "imported" if data.captions.cues else "scripts"


def export_file(caps: list[Caption], path: Path, force: bool = False) -> Path:
    """Write *caps* as SubRip or WebVTT (from the extension); an existing file needs *force*."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in (".srt", ".vtt"):
        raise UsageError(_("{file} must end in .srt or .vtt.").format(file=path),
                         _("Choose the format by the extension: .srt (SubRip) or .vtt (WebVTT)."))
    if path.exists() and not force:
        raise UsageError(_("{file} already exists.").format(file=path), _("Add --force to replace it."))
    cues = [(c.start_s, c.end_s, c.text) for c in caps]
    atomic_write_text(path, subtitles.to_vtt(cues) if ext == ".vtt" else subtitles.to_srt(cues))
    return path


def import_file(project: Project, path: Path) -> list[Cue]:
    """Read *path* (refused naming its line when malformed) and store its cues in the project."""
    read = subtitles.read(Path(path))
    if not read:
        raise UsageError(_("{file} holds no caption.").format(file=path),
                         _("Choose the .srt or .vtt file of this video."))
    cues = [Cue(round(c.start_s, 3), round(c.end_s, 3), c.text) for c in read]
    project.set_captions(cues, Path(path).name)
    return cues
