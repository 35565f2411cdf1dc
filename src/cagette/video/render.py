"""``cagette render``: a project to an MP4 with captions, transcript and thumbnail beside it.

By default the files go to ``PROJECT/exports/<preset>/<slug>.*``. Nothing
appears under a final name until it is complete; an existing MP4 is kept
unless ``force``. The project folder's sources are only read.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cagette.errors import UsageError
from cagette.fsutil import FileLock, atomic_write_text, scratch_dir
from cagette.i18n import _
from cagette.progress import Progress, silent
from cagette.video import ffgraph, script, segments
from cagette.video.ffrun import capture, signals_cancel
from cagette.video.overlays import on_screen_label
from cagette.video.presets import Preset
from cagette.video.presets import get as get_preset
from cagette.video.project import META_DIR, Project
from cagette.video.rendercache import RenderCache
from cagette.video.staging import project_digests
from cagette.video.timeline import Timeline, build, gather

ENGINES = ("segments", "single")
DEFAULT_CACHE_MB = 2048


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
    engine: str = "segments"
    segments_rendered: tuple[str, ...] = ()  # the segments encoded (each named by the scenes it shows)
    segments_reused: tuple[str, ...] = ()  # those taken from the render cache
    sound_rendered: bool = True

    def to_dict(self) -> dict[str, object]:
        return {"video": str(self.video), "srt": str(self.srt), "vtt": str(self.vtt),
                "transcript": str(self.transcript), "thumbnail": str(self.thumbnail),
                "duration_s": self.duration_s, "preset": self.preset, "warnings": list(self.warnings),
                "engine": self.engine, "segments_rendered": list(self.segments_rendered),
                "segments_reused": list(self.segments_reused), "sound_rendered": self.sound_rendered}


def resolve_preset(project: Project, name: str | None, default: str = "web-16x9") -> Preset:
    return get_preset(name or project.data.export.preset or default)


def make_timeline(project: Project, preset: Preset, words_per_minute: int = 130,
                  burn_captions: bool | None = None, **export: bool | None) -> Timeline:
    """The timeline of *project*; *export* overrides export choices for this render (``voice_cleanup``,
    ``deflicker``; None keeps the project's)."""
    data = project.data
    chosen: dict[str, Any] = {k: v for k, v in export.items() if v is not None}
    if chosen:
        data = replace(data, export=replace(data.export, **chosen))
    return build(project.root, data, gather(project.root, data), preset,
                 words_per_minute=words_per_minute, burn_captions=burn_captions)


def default_output(project: Project, preset: Preset) -> Path:
    return project.exports_dir / preset.name / f"{project.data.slug}.mp4"


def render_project(project: Project, *, preset: Preset, out: Path | None = None, force: bool = False,
                   progress: Progress | None = None, words_per_minute: int = 130,
                   burn_captions: bool | None = None, voice_cleanup: bool | None = None,
                   deflicker: bool | None = None, engine: str = "segments", cache: bool = True,
                   cache_mb: int = DEFAULT_CACHE_MB) -> RenderResult:
    """Render *project*; writes the MP4, .srt, .vtt, .txt transcript and .jpg thumbnail.

    *engine* ``segments`` (the default) renders scene by scene through the render cache
    (:mod:`cagette.video.segments`; *cache* False renders every segment anew and keeps nothing; the cache
    holds at most *cache_mb* megabytes); ``single`` draws the whole video with one filter graph.
    SIGTERM and SIGHUP stop it like Ctrl-C: ffmpeg is ended and nothing is left behind."""
    if engine not in ENGINES:
        raise UsageError(_("Unknown render engine {name!r}.").format(name=engine),
                         _("Choose one of: {names}.").format(names=", ".join(ENGINES)))
    progress = progress or silent()
    out = Path(out) if out else default_output(project, preset)
    if out.suffix.lower() != ".mp4":
        raise UsageError(_("The output {file} must end in .mp4.").format(file=out),
                         _("Give --out a file name ending in .mp4."))
    if out.exists() and not force:
        raise UsageError(_("{file} already exists.").format(file=out),
                         _("Add --force to replace it, or choose another --out."))
    with signals_cancel(progress):
        tl = make_timeline(project, preset, words_per_minute, burn_captions, voice_cleanup=voice_cleanup,
                           deflicker=deflicker)
        out.parent.mkdir(parents=True, exist_ok=True)
        store = render_cache(project, cache_mb) if cache and engine == "segments" else None
        return _render(project, tl, preset, out, progress, engine, store)


def render_cache(project: Project, cache_mb: int = DEFAULT_CACHE_MB) -> RenderCache:
    """The project's render cache: in its ``.cagette/cache/render/``, else (a project that cannot be
    written) in the user cache."""
    folder = project.root / META_DIR / "cache" / "render"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not os.access(folder, os.W_OK):
            raise PermissionError(folder)
    except OSError:
        import hashlib

        from cagette import locations

        folder = locations.cache_dir() / "render" / hashlib.sha256(str(project.root).encode()).hexdigest()[:16]
    return RenderCache(folder, cache_mb * 1024 * 1024)


def _render(project: Project, tl: Timeline, preset: Preset, out: Path, progress: Progress, engine: str,
            store: RenderCache | None) -> RenderResult:
    side = {ext: out.with_suffix(ext) for ext in (".srt", ".vtt", ".txt", ".jpg")}
    new = [p for p in (out, *side.values()) if not p.exists()]
    lock = output_lock(project, out)
    with lock, scratch_dir("render-", _work_parent(project)) as workdir:
        try:
            counts = segments.Counts()
            if engine == "single":
                ffgraph.render(tl, out, preset, workdir, progress)
            else:
                counts = segments.render(tl, out, preset, workdir, progress, store, project_digests(project.root))
            atomic_write_text(side[".srt"], script.to_srt(tl.captions))
            atomic_write_text(side[".vtt"], script.to_vtt(tl.captions))
            atomic_write_text(side[".txt"], transcript_text(project, tl))
            thumbnail(out, side[".jpg"], _thumb_time(tl))
            _readable(out, *side.values())
        except BaseException:
            # a cancelled or failed render leaves nothing new under the final names
            for p in new:
                with contextlib.suppress(FileNotFoundError):
                    p.unlink()
            raise
    return RenderResult(out, side[".srt"], side[".vtt"], side[".txt"], side[".jpg"], tl.duration_s, preset.name,
                        tl.warnings, engine, counts.rendered, counts.reused, counts.sound_rendered)


def output_lock(project: Project, out: Path) -> FileLock:
    """The lock of one output file: two renders to the same file take turns. It lives in the project's
    ``.cagette/locks/`` and is never deleted (removing a flock lock file that another process holds, or is
    about to open, would let a third one take a second lock on a new file of the same name)."""
    import hashlib

    key = hashlib.sha256(str(Path(out).absolute()).encode("utf-8")).hexdigest()[:16]
    return FileLock(project.root / META_DIR / "locks" / f"render-{key}.lock", what=str(out), timeout=1.0)


def transcript_text(project: Project, tl: Timeline) -> str:
    """The transcript: what is said and what is written on screen, labelled in the video's language."""
    opening, closing = tl.cards
    return script.transcript(tl.title, tl.transcript_scenes, tl.footer, on_screen_label(project.data),
                             [opening] if opening else [], [closing] if closing else [])


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
    try:
        res = capture(cmd)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    if res.returncode or not tmp.exists():
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        from cagette.errors import RenderError

        raise RenderError(_("Could not make the thumbnail: {error}").format(error=res.stderr.strip()[-300:]),
                          _("The video itself was written; try rendering again."))
    os.replace(tmp, out)
    return out
