"""``cagette render``: a project to MP4 + captions + transcript + thumbnail."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from cagette.commands import command
from cagette.commands._output import add_force, add_json, cli_progress, emit_json
from cagette.i18n import _

if TYPE_CHECKING:
    from cagette.cli import Context
    from cagette.commands import SubParsers
    from cagette.commands.args import RenderArgs
    from cagette.video.project import Project


def register(sub: SubParsers) -> None:
    p = command(sub, "render", _("render a project to MP4 with captions, transcript and thumbnail"), run)
    p.add_argument("project", metavar="PROJECT", help=_("project folder"))
    p.add_argument("--preset", metavar="P",
                   help=_("web-16x9, story-9x16, square-1x1 or draft (default: the project's, then the settings')"))
    p.add_argument("--out", metavar="FILE", help=_("MP4 file to write (default: PROJECT/exports/PRESET/SLUG.mp4)"))
    p.add_argument("--burn-captions", action="store_true", default=None,
                   help=_("draw the captions into the picture (sidecar files are always written)"))
    p.add_argument("--voice-cleanup", action=argparse.BooleanOptionalAction, default=None,
                   help=_("clean the voice-overs (high-pass and light denoise; default: the project's choice, on)"))
    p.add_argument("--deflicker", action=argparse.BooleanOptionalAction, default=None,
                   help=_("even out the brightness of stop-motion frames (default: the project's choice, on)"))
    p.add_argument("--engine", choices=["segments", "single"], default="segments",
                   help=_("segments (default): scene by scene, an unchanged scene reused from the render cache; "
                          "single: the whole video with one filter graph"))
    p.add_argument("--no-cache", action="store_true",
                   help=_("render every scene and the sound anew, without reading or filling the render cache"))
    p.add_argument("--quiet", action="store_true", help=_("no progress bar"))
    p.add_argument("--skip-check", action="store_true",
                   help=_("render even when `cagette project check` finds errors (a draft of an unfinished "
                          "project: a scene without shots becomes a title card)"))
    add_force(p)
    add_json(p)


def run(ns: RenderArgs, ctx: Context) -> int:
    from cagette.video.project import Project
    from cagette.video.render import render_project, resolve_preset

    settings = ctx.settings().video
    project = Project.open(Path(ns.project))
    preset = resolve_preset(project, ns.preset, settings.default_preset)
    if not ns.skip_check:
        _refuse_errors(project, settings.words_per_minute)
    with cli_progress(quiet=ns.quiet or ns.json) as progress:
        result = render_project(project, preset=preset, out=Path(ns.out) if ns.out else None, force=ns.force,
                                progress=progress, words_per_minute=settings.words_per_minute,
                                burn_captions=ns.burn_captions, voice_cleanup=ns.voice_cleanup,
                                deflicker=ns.deflicker, engine=ns.engine, cache=not ns.no_cache,
                                cache_mb=settings.render_cache_mb)
    if ns.json:
        emit_json(result.to_dict())
    else:
        for w in result.warnings:
            print("! " + w)
        if result.segments_reused:
            print(_("{reused} of {total} scene segment(s) reused from the render cache.").format(
                reused=len(result.segments_reused),
                total=len(result.segments_reused) + len(result.segments_rendered)))
        print(_("Wrote {video} ({duration:.1f} s), with {srt}, {vtt}, {txt} and {jpg}.").format(
            video=result.video, duration=result.duration_s, srt=result.srt.name, vtt=result.vtt.name,
            txt=result.transcript.name, jpg=result.thumbnail.name))
    return 0


def _refuse_errors(project: Project, words_per_minute: int) -> None:
    """Print what `project check` finds wrong, one line each, and stop before rendering anything."""
    import sys

    from cagette.errors import ProjectError
    from cagette.video.check import render_errors

    errors = render_errors(project, words_per_minute)
    if not errors:
        return
    for problem in errors:
        print(problem.line(), file=sys.stderr)
    raise ProjectError(
        _("`cagette project check` finds {n} error(s) in {project} (above): nothing was rendered.").format(
            n=len(errors), project=project.root),
        _("Fix them and render again, or add --skip-check to render what can be rendered."))
