"""``cagette project ...``: create a project, import media, show and check it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cagette.commands import command, group
from cagette.commands._output import add_json, emit_json, table
from cagette.i18n import _


def register(sub: Any) -> None:
    inner = group(sub, "project", _("create, fill, show and check video projects"))
    inner.help = _("what to do with a project")
    p = command(inner, "new", _("create a project folder (refuses an existing folder)"), run_new)
    p.add_argument("path", metavar="PATH", help=_("folder to create"))
    p.add_argument("--title", help=_("title of the video (default: the folder's name)"))
    p.add_argument("--template", metavar="SLUG", help=_("start from this template (see `cagette project templates`)"))
    add_json(p)

    p = command(inner, "templates", _("list the templates a project can start from"), run_templates)
    add_json(p)

    p = command(inner, "import", _("copy clips and photos into a project"), run_import)
    p.add_argument("project", metavar="PROJECT", help=_("project folder"))
    p.add_argument("files", metavar="FILE", nargs="+", help=_("clips, photos, or folders holding them"))
    p.add_argument("--scene", metavar="S", help=_("scene slug or 1-based position; a new slug or the next "
                                                  "position creates the scene (default: the last scene)"))
    add_json(p)

    p = command(inner, "show", _("show a project's scenes, shots and durations"), run_show)
    p.add_argument("project", metavar="PROJECT", help=_("project folder"))
    add_json(p)

    p = command(inner, "check", _("list every problem of a project (exit 1 when there is an error)"), run_check)
    p.add_argument("project", metavar="PROJECT", help=_("project folder"))
    add_json(p)


def template_folders(ctx: Any) -> list[Path]:
    """The user's library templates first, then the starter library shipped with cagette."""
    folders: list[Path] = []
    try:
        folders.append(Path(ctx.library().path) / "templates")
    except Exception:  # noqa: BLE001 - no usable library: the starter templates still work
        pass
    try:
        import cagette.starter

        folders.append(Path(cagette.starter.__file__).parent / "templates")
    except ImportError:
        pass
    return folders


def _lang(ctx: Any) -> str:
    from cagette.i18n import current_language

    return current_language()


def run_new(ns: Any, ctx: Any) -> int:
    from cagette.video.project import Project, find_template

    settings = ctx.settings()
    template = None
    if ns.template:
        template = find_template(template_folders(ctx), ns.template, _lang(ctx)).path
    p = Project.create(Path(ns.path), ns.title or "", template=template, language=_lang(ctx),
                       authors=[settings.general.author] if settings.general.author else [],
                       organisation=settings.general.organisation)
    if ns.json:
        emit_json({"path": str(p.root), "title": p.data.title, "scenes": [s.slug for s in p.data.scenes]})
    else:
        print(_("Created the project {path} ({n} scene(s)).").format(path=p.root, n=len(p.data.scenes)))
    return 0


def run_templates(ns: Any, ctx: Any) -> int:
    from cagette.video.project import find_templates

    found = find_templates(template_folders(ctx), _lang(ctx))
    if ns.json:
        emit_json([{"slug": t.slug, "title": t.title, "description": t.description,
                    "target_duration_s": t.target_duration_s, "lang": t.lang, "path": str(t.path)} for t in found])
        return 0
    if not found:
        print(_("No template found."))
        return 0
    table([(t.slug, t.title, f"{t.target_duration_s:.0f} s" if t.target_duration_s else "", t.description)
           for t in found], [_("slug"), _("title"), _("duration"), _("description")])
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


def run_import(ns: Any, ctx: Any) -> int:
    from cagette.errors import ProjectError
    from cagette.video.probe import probe
    from cagette.video.project import Project, kind_of

    p = Project.open(Path(ns.project))
    files = _expand(ns.files)
    for f in files:  # refuse before copying anything: every problem names its file
        kind_of(f)
        probe(f)
    data = p.data
    ref = ns.scene
    if ref is None:
        slug = data.scenes[-1].slug if data.scenes else p.add_scene(_("Scene 1")).slug
    elif ref.isdigit():
        n = int(ref)
        if 1 <= n <= len(data.scenes):
            slug = data.scenes[n - 1].slug
        elif n == len(data.scenes) + 1:
            slug = p.add_scene(_("Scene {n}").format(n=n)).slug
        else:
            raise ProjectError(_("There is no scene {n}: the project has {count}.").format(n=n, count=len(data.scenes)),
                               _("Use a position from 1 to {next} (the next one creates a scene).").format(
                                   next=len(data.scenes) + 1))
    else:
        known = {s.slug for s in data.scenes}
        slug = ref if ref in known else p.add_scene(ref, slug=ref).slug
    shots = [p.add_shot(slug, f) for f in files]
    if ns.json:
        emit_json({"scene": slug, "shots": [s.to_dict() for s in shots]})
    else:
        print(_("Imported {n} file(s) into scene {scene}.").format(n=len(shots), scene=slug))
    return 0


def run_show(ns: Any, ctx: Any) -> int:
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
    print(_("Estimated spoken duration: {total:.0f} s at {wpm} words per minute.").format(total=total, wpm=wpm))
    return 0


def run_check(ns: Any, ctx: Any) -> int:
    from cagette.video.check import check_project
    from cagette.video.project import Project

    p = Project.open(Path(ns.project))
    problems = check_project(p, ctx.settings().video.words_per_minute)
    errors = [x for x in problems if x.level == "error"]
    if ns.json:
        emit_json({"ok": not errors, "problems": [x.to_dict() for x in problems]})
    else:
        for x in problems:
            mark = "✘" if x.level == "error" else "!"
            print(f"{mark} {x.where}: {x.message}")
        if not problems:
            print(_("No problem found."))
        else:
            print(_("{errors} error(s), {warnings} warning(s).").format(
                errors=len(errors), warnings=len(problems) - len(errors)))
    return 1 if errors else 0
