"""``cagette project check``: every problem of a project, not just the first one.

Each file is probed (its real type, duration, whether its sound decodes); then,
when nothing is broken, the timeline is built for the project's preset and its
own warnings are added: a text shortened to fit the frame, a character the
font cannot draw, captions shown faster than the reading-speed limit, a clip
that stops before the duration it announces, imported captions older than a
script.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cagette.errors import CagetteError, MediaError
from cagette.i18n import _
from cagette.video.presets import Preset
from cagette.video.probe import MediaInfo
from cagette.video.project import Project, ProjectData, list_frames, script_digest
from cagette.video.script import estimate_s
from cagette.video.timeline import probe_cached


@dataclass(frozen=True)
class Problem:
    level: str  # "error" or "warning"
    where: str  # scene slug, shot id or "project"
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"level": self.level, "where": self.where, "message": self.message}

    def line(self) -> str:
        """The problem on one line, as ``project check`` and ``render`` print it."""
        return f"{'✘' if self.level == 'error' else '!'} {self.where}: {self.message}"


def render_errors(project: Project, words_per_minute: int = 130) -> list[Problem]:
    """The errors of :func:`check_project`: a render of a project that has any is refused unless forced."""
    return [p for p in check_project(project, words_per_minute) if p.level == "error"]


def _kind_word(kind: str) -> str:
    return {"video": _("a video"), "image": _("a photo (a single picture)"), "audio": _("a sound")}.get(kind, kind)


def check_project(project: Project, words_per_minute: int = 130, preset: Preset | None = None) -> list[Problem]:
    data = project.data
    root = project.root
    problems: list[Problem] = []
    cache: dict[Path, MediaInfo | None] = {}

    def media(rel: str, where: str, kinds: tuple[str, ...]) -> MediaInfo | None:
        path = root / rel
        if path not in cache:
            try:
                cache[path] = probe_cached(path)
                if cache[path] is not None and "audio" in kinds:
                    _sound_decodes(path)
            except MediaError as exc:
                cache[path] = None
                problems.append(Problem("error", where, exc.message))
                return None
        info = cache[path]
        if info is not None and info.kind not in kinds:
            text = _("{file} is {kind}, not {need}.").format(
                file=rel, kind=_kind_word(info.kind), need=_(" or ").join(_kind_word(k) for k in kinds))
            if "/" in where:  # a shot
                text += " " + _("Remove the shot and add the file again: its kind is decided from its pictures.")
            problems.append(Problem("error", where, text))
            return None
        return info

    if not data.scenes:
        problems.append(Problem("error", "project", _("The project has no scene.")))
    if not data.title:
        problems.append(Problem("warning", "project", _("The project has no title.")))
    for n, sc in enumerate(data.scenes, 1):
        where = f"{n}:{sc.slug}"
        if not sc.shots:
            problems.append(Problem("error", where, _("Scene {scene} has no shot.").format(scene=sc.slug)))
        shots_s = 0.0
        for sh in sc.shots:
            w2 = f"{where}/{sh.id}"
            if sh.kind == "clip":
                info = media(sh.source, w2, ("video",))
                if info:
                    shots_s += _clip(info, sh.source, sh.in_s, sh.out_s, sh.speed, w2, problems)
            elif sh.kind == "still":
                media(sh.source, w2, ("image",))
                shots_s += sh.duration_s or data.export.still_s
            elif sh.kind == "frames":
                files = list_frames(root / sh.source)
                if not files:
                    problems.append(Problem("warning", w2, _("The frames folder {folder} is empty.").format(
                        folder=sh.source)))
                else:
                    media(str(files[0].relative_to(root)), w2, ("image",))
                    shots_s += len(files) / ((sh.fps or data.export.frames_fps) * sh.speed)
            else:
                shots_s += sh.duration_s or 2.0
        if sc.voice:
            info = media(sc.voice, where, ("audio", "video"))
            if info:
                shots_s = max(shots_s, info.duration_s)
        elif sc.script.strip() and sc.shots:
            est = estimate_s(sc.script, words_per_minute)
            if est > shots_s + 0.5:
                problems.append(Problem("warning", where, _(
                    "The script of {scene} takes about {est:.0f} s to say, but its shots last {shots:.0f} s.").format(
                        scene=sc.slug, est=est, shots=shots_s)))
        if sc.script.strip() and not sc.voice:
            problems.append(Problem("warning", where, _("Scene {scene} has a script but no voice-over yet.").format(
                scene=sc.slug)))
    if data.music.source:
        media(data.music.source, "music", ("audio", "video"))
    if data.export.logo:
        media(data.export.logo, "logo", ("image",))
    problems += _imported_captions(data)
    if not any(p.level == "error" for p in problems):
        problems += _timeline(project, words_per_minute, preset, {p.message for p in problems})
    return problems


def _clip(info: MediaInfo, rel: str, in_s: float, out_s: float | None, speed: float, where: str,
          problems: list[Problem]) -> float:
    end = min(out_s or info.duration_s, info.duration_s)
    if in_s >= info.duration_s:
        problems.append(Problem("error", where, _("{file} starts at {a:.1f} s but lasts {d:.1f} s.").format(
            file=rel, a=in_s, d=info.duration_s)))
    if info.vfr:
        problems.append(Problem("warning", where, _("{file} has a variable frame rate; it will be made "
                                                    "constant.").format(file=rel)))
    if info.truncated:
        problems.append(Problem("warning", where, _(
            "{file} stops at {plays:.1f} s although it announces {claims:.1f} s (a truncated copy): only what "
            "plays is used.").format(file=rel, plays=info.duration_s, claims=info.announced_s)))
    return max(0.0, end - in_s) / speed


def _sound_decodes(path: Path) -> None:
    """Decode the first seconds of a sound file: a file that probes but cannot be decoded is named."""
    import av

    from cagette.video.audio import decode_mono

    try:
        decode_mono(path, 8000, max_s=2.0)
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise MediaError(_("{file}: its sound cannot be decoded ({error}).").format(file=path, error=exc),
                         _("Export it again as WAV or MP3.")) from None


def _imported_captions(data: ProjectData) -> list[Problem]:
    """Warn when a script changed (or a scene came or went) after the captions were imported."""
    cap = data.captions
    if not cap.cues:
        return []
    then = dict(x.split(":", 1) for x in cap.scripts if ":" in x)
    out = []
    for sc in data.scenes:
        if then.get(sc.slug) != script_digest(sc.script):
            out.append(Problem("warning", sc.slug, _(
                "The script of {scene} changed after the captions were imported from {file}: import corrected "
                "captions again, or go back to the generated ones (`cagette project captions PROJECT --clear`)."
            ).format(scene=sc.slug, file=cap.file or "?")))
    return out


def _timeline(project: Project, words_per_minute: int, preset: Preset | None, known: set[str]) -> list[Problem]:
    from cagette.video.presets import get as get_preset
    from cagette.video.timeline import build, gather

    data = project.data
    preset = preset or get_preset(data.export.preset or "web-16x9")
    try:
        tl = build(project.root, data, gather(project.root, data), preset, words_per_minute=words_per_minute)
    except CagetteError as exc:
        return [Problem("error", "render", exc.message)]
    out = [Problem("warning", "render", w) for w in tl.warnings if w not in known]
    late = [c for c in data.captions.cues if c.end_s > tl.duration_s + 0.5]
    if late:
        out.append(Problem("warning", "captions", _(
            "{n} imported caption(s) end after the video ({d:.1f} s): they are cut.").format(
                n=len(late), d=tl.duration_s)))
    return out
