"""``cagette render``: a project to MP4 + captions + transcript + thumbnail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cagette.commands import command
from cagette.commands._output import add_force, add_json, cli_progress, emit_json
from cagette.i18n import _


def register(sub: Any) -> None:
    p = command(sub, "render", _("render a project to MP4 with captions, transcript and thumbnail"), run)
    p.add_argument("project", metavar="PROJECT", help=_("project folder"))
    p.add_argument("--preset", metavar="P",
                   help=_("web-16x9, story-9x16, square-1x1 or draft (default: the project's, then the settings')"))
    p.add_argument("--out", metavar="FILE", help=_("MP4 file to write (default: PROJECT/exports/PRESET/SLUG.mp4)"))
    p.add_argument("--burn-captions", action="store_true", default=None,
                   help=_("draw the captions into the picture (sidecar files are always written)"))
    p.add_argument("--quiet", action="store_true", help=_("no progress bar"))
    add_force(p)
    add_json(p)


def run(ns: Any, ctx: Any) -> int:
    from cagette.video.project import Project
    from cagette.video.render import render_project, resolve_preset

    settings = ctx.settings().video
    project = Project.open(Path(ns.project))
    preset = resolve_preset(project, ns.preset, settings.default_preset)
    with cli_progress(quiet=ns.quiet or ns.json) as progress:
        result = render_project(project, preset=preset, out=Path(ns.out) if ns.out else None, force=ns.force,
                                progress=progress, words_per_minute=settings.words_per_minute,
                                burn_captions=ns.burn_captions)
    if ns.json:
        emit_json(result.to_dict())
    else:
        for w in result.warnings:
            print("! " + w)
        print(_("Wrote {video} ({duration:.1f} s), with {srt}, {vtt}, {txt} and {jpg}.").format(
            video=result.video, duration=result.duration_s, srt=result.srt.name, vtt=result.vtt.name,
            txt=result.transcript.name, jpg=result.thumbnail.name))
    return 0
