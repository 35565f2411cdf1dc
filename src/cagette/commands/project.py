"""``cagette project ...``: create a project, import media, show and check it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from cagette.commands import command, group
from cagette.commands._output import add_force, add_json, emit_json, table
from cagette.commands.project_edit import _shot_ref
from cagette.i18n import _

if TYPE_CHECKING:
    from cagette.cli import Context
    from cagette.commands import SubParsers
    from cagette.commands.args import (
        ProjectCaptionsArgs,
        ProjectCheckArgs,
        ProjectExportOtioArgs,
        ProjectImportArgs,
        ProjectNewArgs,
        ProjectPreviewArgs,
        ProjectShowArgs,
        ProjectTemplatesArgs,
    )
    from cagette.video.model import Shot


def register(sub: SubParsers) -> None:
    inner = group(sub, "project", _("create, fill, show and check video projects"))
    inner.help = _("what to do with a project")
    p = command(inner, "new", _("create a project folder (refuses an existing folder)"), run_new)
    p.add_argument("path", metavar="PATH", help=_("folder to create"))
    p.add_argument("--title", help=_("title of the video (default: the folder's name)"))
    p.add_argument("--template", metavar="SLUG", help=_("start from this template: its slug or its library id (see "
                                                        "`cagette project templates`); the project remembers it "
                                                        "and takes its licence"))
    add_json(p)

    p = command(inner, "templates", _("list the templates a project can start from (the library's, then the "
                                      "starter's), and any that cannot be used"), run_templates)
    add_json(p)

    p = command(inner, "import", _("copy clips, photos and sounds into a project"), run_import)
    p.add_argument("project", metavar="PROJECT", help=_("project folder"))
    p.add_argument("files", metavar="FILE", nargs="+",
                   help=_("clips, photos, or folders holding them; a sound file becomes the scene's voice-over"))
    p.add_argument("--scene", metavar="S", help=_("scene slug or 1-based position; a new slug or the next "
                                                  "position creates the scene (default: the last scene)"))
    p.add_argument("--music", action="store_true", help=_("the sound file given is the music bed, not a voice-over"))
    add_json(p)

    p = command(inner, "captions", _("show, export or import a project's captions (SRT or WebVTT)"), run_captions)
    p.add_argument("project", metavar="PROJECT", help=_("project folder"))
    what = p.add_mutually_exclusive_group()
    what.add_argument("--export", metavar="FILE", help=_("write the captions to FILE.srt or FILE.vtt"))
    what.add_argument("--import", dest="import_file", metavar="FILE",
                      help=_("use the captions of FILE.srt or FILE.vtt instead of the ones made from the scripts"))
    what.add_argument("--clear", action="store_true", help=_("go back to the captions made from the scripts"))
    p.add_argument("--preset", metavar="P", help=_("preset whose timing the captions follow (default: the project's)"))
    add_force(p)
    add_json(p)

    from cagette.commands import project_edit

    project_edit.register(inner)

    p = command(inner, "show", _("show a project's scenes, shots and durations"), run_show)
    p.add_argument("project", metavar="PROJECT", help=_("project folder"))
    add_json(p)

    p = command(inner, "check", _("list every problem of a project (exit 1 when there is an error)"), run_check)
    p.add_argument("project", metavar="PROJECT", help=_("project folder"))
    add_json(p)

    p = command(inner, "export-otio", _("write the timeline as OpenTimelineIO, to go on in Kdenlive or another "
                                        "editor"), run_export_otio)
    p.add_argument("project", metavar="PROJECT", help=_("project folder"))
    p.add_argument("file", metavar="FILE.otio", help=_("the OpenTimelineIO file to write"))
    p.add_argument("--preset", metavar="P", help=_("preset whose timing the timeline follows (default: the "
                                                   "project's)"))
    add_force(p)
    add_json(p)

    p = command(inner, "preview", _("draw one frame exactly as the render would, as a PNG image"), run_preview)
    p.add_argument("project", metavar="PROJECT", help=_("project folder"))
    p.add_argument("--at", type=float, required=True, metavar="SECONDS", help=_("the moment of the video to draw"))
    p.add_argument("--preset", metavar="P", help=_("preset to draw it with (default: the project's)"))
    p.add_argument("--out", required=True, metavar="FILE.png", help=_("the PNG file to write"))
    add_force(p)
    add_json(p)


def _templates(ctx: Context) -> Any:
    """The templates of the user's library (without creating it), then the starter's."""
    from cagette.flows.seeding import open_existing
    from cagette.flows.templates import find_templates

    library = open_existing(ctx.library())
    return library, find_templates(library, _lang(ctx))


def _warn(lines: list[str]) -> None:
    import sys

    for line in lines:
        print(_("Warning: {text}").format(text=line), file=sys.stderr)


def _lang(ctx: Context) -> str:
    from cagette.i18n import current_language

    return current_language()


def run_new(ns: ProjectNewArgs, ctx: Context) -> int:
    from cagette.flows.templates import create_project

    settings = ctx.settings()
    library, template = None, None
    if ns.template:
        library, found = _templates(ctx)
        template = found.find(ns.template)
    made = create_project(Path(ns.path), template, library, title=ns.title or "", language=_lang(ctx),
                          authors=[settings.general.author] if settings.general.author else [],
                          organisation=settings.general.organisation)
    _warn(list(made.notices))
    p = made.project
    if ns.json:
        emit_json({"path": str(p.root), "title": p.data.title, "scenes": [s.slug for s in p.data.scenes],
                   "licence": p.data.licence, "derived_from": list(p.data.derived_from),
                   "notices": list(made.notices)})
    else:
        print(_("Created the project {path} ({n} scene(s)).").format(path=p.root, n=len(p.data.scenes)))
    return 0


def run_templates(ns: ProjectTemplatesArgs, ctx: Context) -> int:
    _library, found = _templates(ctx)
    if ns.json:
        emit_json({"templates": [t.to_dict() for t in found.templates],
                   "problems": [p.to_dict() for p in found.problems]})
        return 0
    if not found.templates:
        print(_("No template found."))
    else:
        table([(t.slug, t.title, f"{t.target_duration_s:.0f} s" if t.target_duration_s else "", t.licence,
                t.organisation or t.origin, t.description) for t in found.templates],
              [_("slug"), _("title"), _("duration"), _("licence"), _("from"), _("description")])
    if found.problems:
        _warn([_("{n} template(s) cannot be used:").format(n=len(found.problems))]
              + [f"  {p.text()} — {p.hint}" for p in found.problems])
    return 0


def _expand(files: list[str]) -> list[Path]:
    from cagette.errors import MediaError
    from cagette.video.project import IMAGE_EXTS, VIDEO_EXTS

    out: list[Path] = []
    for name in files:
        path = Path(name)
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")
                              and p.suffix.lower() in VIDEO_EXTS | IMAGE_EXTS))
        elif path.is_file():
            out.append(path)
        else:
            raise MediaError(_("{file} does not exist.").format(file=path), _("Check the path."))
    return out


def run_import(ns: ProjectImportArgs, ctx: Context) -> int:
    from cagette.errors import UsageError
    from cagette.video.probe import probe
    from cagette.video.project import Project, kind_of

    p = Project.open(Path(ns.project))
    files = _expand(ns.files)
    target = p.data.scene_target(ns.scene)  # a wrong --scene is refused before anything is copied
    infos = [probe(f) for f in files]  # so is a file that is not usable media: every problem names its file
    sounds = [f for f, info in zip(files, infos, strict=True) if info.kind == "audio"]
    pictures = [f for f, info in zip(files, infos, strict=True) if info.kind != "audio"]
    for f in pictures:
        kind_of(f)
    if len(sounds) > 1:
        raise UsageError(_("Several sound files were given ({files}): a scene has one voice-over.").format(
            files=", ".join(f.name for f in sounds)), _("Import each one with its own --scene."))
    if ns.music and not sounds:
        raise UsageError(_("--music needs a sound file."), _("Give the music file (WAV, MP3, M4A, Ogg, Opus)."))
    notes = [_("{file} stops at {plays:.1f} s although it announces {claims:.1f} s (a truncated copy): only "
               "what plays is used.").format(file=f.name, plays=i.duration_s, claims=i.announced_s)
             for f, i in zip(files, infos, strict=True) if i.truncated]
    slug = p.ensure_scene(target) if pictures or (sounds and not ns.music) else ""
    shots, reused = [], []
    for f in pictures:
        added = p.add_media(slug, f)  # the same content already in rushes/ is not copied again
        shots.append(added.shot)
        if added.reused:
            reused.append((f, added.reused))
    voice = music = ""
    if sounds and ns.music:
        music = p.set_music(sounds[0]).music.source
    elif sounds:
        voice = p.set_voiceover(slug, sounds[0]).scene(slug).voice
    if ns.json:
        emit_json({"scene": slug, "shots": [{**s.to_dict(), "ref": _shot_ref(p.data, s.id)} for s in shots],
                   "voice": voice, "music": music,
                   "reused": {str(f): rel for f, rel in reused}, "warnings": notes})
        return 0
    for f, rel in reused:
        print(_("{file} is already in the project as {rush}: the new shot uses it (nothing copied).").format(
            file=f.name, rush=rel))
    if shots:
        print(_("Imported {n} file(s) into scene {scene}.").format(n=len(shots), scene=slug))
        table([(_shot_ref(p.data, s.id), s.id, s.kind, s.source) for s in shots])
    if voice:
        print(_("{file} is now the voice-over of scene {scene} ({rel}).").format(file=sounds[0].name, scene=slug,
                                                                                 rel=voice))
    if music:
        print(_("{file} is now the music ({rel}).").format(file=sounds[0].name, rel=music))
    for note in notes:
        print("! " + note)
    return 0


def run_captions(ns: ProjectCaptionsArgs, ctx: Context) -> int:
    from cagette.video import captions
    from cagette.video.project import Project
    from cagette.video.render import resolve_preset

    p = Project.open(Path(ns.project))
    if ns.import_file:
        cues = captions.import_file(p, Path(ns.import_file))
        if ns.json:
            emit_json({"imported": len(cues), "file": ns.import_file})
        else:
            print(_("Imported {n} caption(s) from {file}: they replace the ones made from the scripts.").format(
                n=len(cues), file=ns.import_file))
        return 0
    if ns.clear:
        p.clear_captions()
        if not ns.json:
            print(_("The captions are made from the scripts again."))
        else:
            emit_json({"cleared": True})
        return 0
    preset = resolve_preset(p, ns.preset, ctx.settings().video.default_preset)
    caps, origin = captions.current(p, preset, ctx.settings().video.words_per_minute)
    if ns.export:
        out = captions.export_file(caps, Path(ns.export), force=ns.force)
        if ns.json:
            emit_json({"file": str(out), "captions": len(caps), "from": origin})
        else:
            print(_("Wrote {n} caption(s) to {file}.").format(n=len(caps), file=out))
        return 0
    if ns.json:
        emit_json({"from": origin, "captions": [{"start_s": c.start_s, "end_s": c.end_s, "text": c.text}
                                                for c in caps]})
        return 0
    print(_("Captions made from the scripts:") if origin == "scripts" else _("Imported captions:"))
    table([(f"{c.start_s:7.2f}", f"{c.end_s:7.2f}", c.text.replace("\n", " / ")) for c in caps],
          [_("start"), _("end"), _("text")])
    return 0


def run_show(ns: ProjectShowArgs, ctx: Context) -> int:
    from cagette.video.project import Project
    from cagette.video.script import estimate_s

    p = Project.open(Path(ns.project))
    d = p.data
    wpm = ctx.settings().video.words_per_minute
    if ns.json:
        out = d.to_dict()
        out["estimates_s"] = {s.slug: round(estimate_s(s.script, wpm), 1) for s in d.scenes}
        out["frames"] = {s.slug: len(p.frames(s.slug)) for s in d.scenes}
        emit_json(out)
        return 0
    print(f"{d.title}  ({d.slug}, {d.language}, {d.licence})")
    if d.organisation or d.authors:
        print(" · ".join(x for x in (", ".join(d.authors), d.organisation) if x))
    rows = []
    total = 0.0
    for n, sc in enumerate(d.scenes, 1):
        est = estimate_s(sc.script, wpm)
        total += est
        kinds = ", ".join(f"{sh.kind}" + (f" {Path(sh.source).name}" if sh.source else "") for sh in sc.shots) or "—"
        rows.append((n, sc.slug, sc.title, f"{est:.0f} s", "✔" if sc.voice else "—", len(p.frames(sc.slug)), kinds))
    table(rows, ["#", _("slug"), _("title"), _("script"), _("voice"), _("frames"), _("shots")])
    shots = [(f"{n}.{m}", sh.id, sh.kind, sh.source or sh.title, _shot_details(sh))
             for n, sc in enumerate(d.scenes, 1) for m, sh in enumerate(sc.shots, 1)]
    if shots:
        print()
        table(shots, [_("shot"), _("id"), _("kind"), _("source"), _("settings")])
    print(_("Estimated spoken duration: {total:.0f} s at {wpm} words per minute.").format(total=total, wpm=wpm))
    return 0


def _shot_details(sh: Shot) -> str:
    """A shot's settings that differ from the defaults, short (``in 1.5 s, speed 2, 90°``)."""
    parts = []
    if sh.in_s or sh.out_s is not None:
        parts.append(_("{a:g}–{b} s").format(a=sh.in_s, b="" if sh.out_s is None else f"{sh.out_s:g}"))
    if sh.speed != 1:
        parts.append(f"×{sh.speed:g}")
    if sh.rotation is not None:
        parts.append(f"{sh.rotation}°")
    if sh.duration_s is not None:
        parts.append(f"{sh.duration_s:g} s")
    if sh.fps is not None:
        parts.append(f"{sh.fps:g} fps")
    if sh.ken_burns:
        parts.append("Ken Burns")
    if sh.volume_db:
        parts.append(f"{sh.volume_db:+g} dB")
    if sh.caption:
        parts.append(_("caption"))
    if sh.title and sh.kind != "title":
        parts.append(_("title"))
    return ", ".join(parts)


def run_check(ns: ProjectCheckArgs, ctx: Context) -> int:
    from cagette.video.check import check_project
    from cagette.video.project import Project
    from cagette.video.render import resolve_preset

    p = Project.open(Path(ns.project))
    preset = resolve_preset(p, None, ctx.settings().video.default_preset)
    problems = check_project(p, ctx.settings().video.words_per_minute, preset)
    errors = [x for x in problems if x.level == "error"]
    if ns.json:
        emit_json({"ok": not errors, "problems": [x.to_dict() for x in problems]})
    else:
        for x in problems:
            print(x.line())
        if not problems:
            print(_("No problem found."))
        else:
            print(_("{errors} error(s), {warnings} warning(s).").format(
                errors=len(errors), warnings=len(problems) - len(errors)))
    return 1 if errors else 0


def _with_preset(ns: ProjectExportOtioArgs | ProjectPreviewArgs, ctx: Context) -> tuple[Any, Any, int]:
    """The project of *ns*, the preset it asks for (or the project's), and the speaking rate."""
    from cagette.video.project import Project
    from cagette.video.render import resolve_preset

    p = Project.open(Path(ns.project))
    settings = ctx.settings().video
    return p, resolve_preset(p, ns.preset, settings.default_preset), settings.words_per_minute


def run_export_otio(ns: ProjectExportOtioArgs, ctx: Context) -> int:
    from cagette.video.otio import export_otio
    from cagette.video.render import make_timeline

    p, preset, wpm = _with_preset(ns, ctx)
    tl = make_timeline(p, preset, wpm)
    made = export_otio(p, tl, Path(ns.file), force=ns.force)
    if ns.json:
        emit_json(made.to_dict())
    else:
        print(_("Wrote {file}: {clips} clip(s), {markers} marker(s), {duration:.1f} s at {fps} fps.").format(
            file=made.path, clips=made.clips, markers=made.markers, duration=made.duration_s, fps=tl.fps))
    return 0


def run_preview(ns: ProjectPreviewArgs, ctx: Context) -> int:
    from cagette.video.preview import preview_png

    p, preset, wpm = _with_preset(ns, ctx)
    shot = preview_png(p, ns.at, Path(ns.out), preset=preset, words_per_minute=wpm, force=ns.force)
    if ns.json:
        emit_json(shot.to_dict())
    else:
        print(_("Wrote {file}: the frame at {at:.2f} s ({width}×{height}, {what}).").format(
            file=shot.path, at=shot.at_s, width=shot.width, height=shot.height, what=shot.what))
    return 0
