"""``cagette project check``: every problem of a project, not just the first one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cagette.errors import MediaError
from cagette.i18n import _
from cagette.video.probe import MediaInfo, probe
from cagette.video.project import Project, list_frames
from cagette.video.script import estimate_s


@dataclass(frozen=True)
class Problem:
    level: str  # "error" or "warning"
    where: str  # scene slug, shot id or "project"
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"level": self.level, "where": self.where, "message": self.message}


def check_project(project: Project, words_per_minute: int = 130) -> list[Problem]:
    data = project.data
    root = project.root
    problems: list[Problem] = []
    cache: dict[Path, MediaInfo | None] = {}

    def media(rel: str, where: str, kinds: tuple[str, ...]) -> MediaInfo | None:
        path = root / rel
        if path not in cache:
            try:
                cache[path] = probe(path)
            except MediaError as exc:
                cache[path] = None
                problems.append(Problem("error", where, exc.message))
                return None
        info = cache[path]
        if info is not None and info.kind not in kinds:
            problems.append(Problem("error", where, _("{file} is a {kind} file, not what this needs ({need}).").format(
                file=rel, kind=info.kind, need="/".join(kinds))))
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
                    end = min(sh.out_s or info.duration_s, info.duration_s)
                    if sh.in_s >= info.duration_s:
                        problems.append(Problem("error", w2, _("{file} starts at {a:.1f} s but lasts {d:.1f} s.").format(
                            file=sh.source, a=sh.in_s, d=info.duration_s)))
                    shots_s += max(0.0, end - sh.in_s) / sh.speed
                    if info.vfr:
                        problems.append(Problem("warning", w2, _("{file} has a variable frame rate; it will be made "
                                                                 "constant.").format(file=sh.source)))
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
    return problems
