"""``cagette render``: a project to an MP4 with captions, transcript and thumbnail beside it.

By default the files go to ``PROJECT/exports/<preset>/<slug>.*``. Nothing
appears under a final name until it is complete; an existing MP4 is kept
unless ``force``. The project folder's sources are only read.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cagette.errors import UsageError
from cagette.fsutil import FileLock, atomic_write_text
from cagette.i18n import _
from cagette.progress import Progress, silent
from cagette.video import ffgraph, script
from cagette.video.presets import Preset
from cagette.video.presets import get as get_preset
from cagette.video.project import META_DIR, Project
from cagette.video.timeline import Timeline, build, gather


@dataclass(frozen=True)
class RenderResult:
    video: Path
    srt: Path
    vtt: Path
    transcript: Path
    thumbnail: Path
    duration_s: float
    preset: str
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {"video": str(self.video), "srt": str(self.srt), "vtt": str(self.vtt),
                "transcript": str(self.transcript), "thumbnail": str(self.thumbnail),
                "duration_s": self.duration_s, "preset": self.preset, "warnings": list(self.warnings)}


def resolve_preset(project: Project, name: str | None, default: str = "web-16x9") -> Preset:
    return get_preset(name or project.data.export.preset or default)


def make_timeline(project: Project, preset: Preset, words_per_minute: int = 130,
                  burn_captions: bool | None = None) -> Timeline:
    data = project.data
    return build(project.root, data, gather(project.root, data), preset,
                 words_per_minute=words_per_minute, burn_captions=burn_captions)


def default_output(project: Project, preset: Preset) -> Path:
    return project.exports_dir / preset.name / f"{project.data.slug}.mp4"


def render_project(project: Project, *, preset: Preset, out: Path | None = None, force: bool = False,
                   progress: Progress | None = None, words_per_minute: int = 130,
                   burn_captions: bool | None = None) -> RenderResult:
    """Render *project*; writes the MP4, .srt, .vtt, .txt transcript and .jpg thumbnail."""
    progress = progress or silent()
    out = Path(out) if out else default_output(project, preset)
    if out.suffix.lower() != ".mp4":
        raise UsageError(_("The output {file} must end in .mp4.").format(file=out),
                         _("Give --out a file name ending in .mp4."))
    if out.exists() and not force:
        raise UsageError(_("{file} already exists.").format(file=out),
                         _("Add --force to replace it, or choose another --out."))
    tl = make_timeline(project, preset, words_per_minute, burn_captions)
    out.parent.mkdir(parents=True, exist_ok=True)
    side = {ext: out.with_suffix(ext) for ext in (".srt", ".vtt", ".txt", ".jpg")}
    lock = FileLock(out.parent / f".{out.name}.lock", what=str(out), timeout=1.0)
    with lock:
        workdir = Path(tempfile.mkdtemp(prefix="render-", dir=_work_parent(project)))
        try:
            ffgraph.render(tl, out, preset, workdir, progress)
            atomic_write_text(side[".srt"], script.to_srt(tl.captions))
            atomic_write_text(side[".vtt"], script.to_vtt(tl.captions))
            atomic_write_text(side[".txt"], script.transcript(tl.title, tl.transcript_scenes, tl.footer))
            thumbnail(out, side[".jpg"], _thumb_time(tl))
            _readable(out, *side.values())
        except BaseException:
            # a cancelled or failed render leaves nothing new under the final names
            with contextlib.suppress(FileNotFoundError):
                if not force:
                    out.unlink()
            raise
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
            with contextlib.suppress(FileNotFoundError):
                lock.path.unlink()
    return RenderResult(out, side[".srt"], side[".vtt"], side[".txt"], side[".jpg"], tl.duration_s, preset.name,
                        tl.warnings)


def _readable(*paths: Path) -> None:
    """Temporary files are private (0600); outputs are meant to be shared like any file the user makes."""
    mask = os.umask(0)
    os.umask(mask)
    for p in paths:
        with contextlib.suppress(OSError):
            p.chmod(0o666 & ~mask)


def _work_parent(project: Project) -> Path:
    p = project.root / META_DIR / "work"
    try:
        p.mkdir(parents=True, exist_ok=True)
        return p
    except OSError:
        return Path(tempfile.gettempdir())


def _thumb_time(tl: Timeline) -> float:
    """A moment of the first scene (after the title card), or the middle."""
    for g in tl.groups:
        if g.slug not in ("title-card", "end-card"):
            return g.start_s + min(g.duration_s / 2, 1.5)
    return tl.duration_s / 2


def thumbnail(video: Path, out: Path, at_s: float) -> Path:
    tmp = out.with_name(f".{out.stem}.part.jpg")
    cmd = [ffgraph.ffmpeg_exe(), "-nostdin", "-y", "-v", "error", "-ss", f"{at_s:.3f}", "-i", str(video),
           "-frames:v", "1", "-q:v", "3", str(tmp)]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode or not tmp.exists():
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        from cagette.errors import RenderError

        raise RenderError(_("Could not make the thumbnail: {error}").format(error=res.stderr.strip()[-300:]),
                          _("The video itself was written; try rendering again."))
    os.replace(tmp, out)
    return out
