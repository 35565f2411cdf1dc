"""``cagette library …``: the shared library of resources."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cagette.commands import command, group
from cagette.commands._output import add_force, add_json, emit_json, table
from cagette.i18n import _


def _filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kind", action="append", default=[], metavar="KIND",
                        help=_("only this kind (video, storyboard, template, guide, plan, frames, audio); repeatable"))
    parser.add_argument("--licence", action="append", default=[], metavar="SPDX",
                        help=_("only this licence (SPDX id); repeatable"))
    parser.add_argument("--language", action="append", default=[], metavar="LANG",
                        help=_("only this language (fr, en...); repeatable"))
    parser.add_argument("--organisation", action="append", default=[], metavar="NAME",
                        help=_("only from this organisation; repeatable"))
    parser.add_argument("--tag", action="append", default=[], metavar="TAG", help=_("only with this tag; repeatable"))


def _fields(parser: argparse.ArgumentParser, adding: bool) -> None:
    parser.add_argument("--title", help=_("title of the resource"))
    parser.add_argument("--description", help=_("a few sentences describing it"))
    parser.add_argument("--kind", help=_("video, storyboard, template, guide, plan, frames or audio (default: guessed)")
                        if adding else _("video, storyboard, template, guide, plan, frames or audio"))
    parser.add_argument("--tag", action="append", dest="tags", metavar="TAG",
                        help=_("a tag; repeatable (replaces the tags when editing)"))
    parser.add_argument("--author", action="append", dest="authors", metavar="NAME",
                        help=_("an author; repeatable (default: the author in the settings)"))
    parser.add_argument("--organisation", help=_("the organisation publishing it (default: the site name)"))
    parser.add_argument("--language", help=_("language code of the resource (fr, en...)"))
    parser.add_argument("--licence", help=_("SPDX licence id (default CC-BY-SA-4.0)"))
    parser.add_argument("--derived-from", action="append", dest="derived_from", metavar="ID",
                        help=_("id of a resource this one adapts; repeatable"))


def register(sub: Any) -> None:
    lib = group(sub, "library", _("the shared library: add, search, export, catalogue"),
                _("The library of resources (videos, storyboards, templates, guides, plans) shared between sites."))
    lib.help = _("what to do with the library")  # the group's own COMMAND argument, listed in --help

    p = command(lib, "init", _("create the library and import the starter resources"), run_init)
    p.add_argument("--site-name", help=_("readable name of this site (its organisation)"))
    p.add_argument("--no-starter", action="store_true", help=_("do not import the starter library"))
    add_json(p)

    p = command(lib, "add", _("add a file or a project folder (its latest export) to the library"), run_add)
    p.add_argument("path", metavar="PATH", help=_("a file, or a project folder"))
    _fields(p, adding=True)
    add_json(p)

    p = command(lib, "list", _("list the resources"), run_list)
    _filters(p)
    p.add_argument("--all", action="store_true", help=_("include retracted resources"))
    add_json(p)

    p = command(lib, "search", _("search titles, descriptions, tags and authors"), run_search)
    p.add_argument("query", metavar="WORDS", nargs="*", help=_("words to find (accents and case ignored)"))
    _filters(p)
    p.add_argument("--limit", type=int, default=50, help=_("show at most this many results"))
    add_json(p)

    p = command(lib, "show", _("show a resource, its files and its attribution chain"), run_show)
    p.add_argument("id", metavar="ID", help=_("resource id (or a unique start of it)"))
    add_json(p)

    p = command(lib, "edit", _("change fields of a resource"), run_edit)
    p.add_argument("id", metavar="ID", help=_("resource id (or a unique start of it)"))
    _fields(p, adding=False)
    add_json(p)

    p = command(lib, "retract", _("withdraw a resource on every site (--purge erases its files)"), run_retract)
    p.add_argument("id", metavar="ID", help=_("resource id (or a unique start of it)"))
    p.add_argument("--purge", action="store_true",
                   help=_("erase its files on every site as the retraction syncs (a person filmed asked)"))
    p.add_argument("--reason", default="", help=_("why it is withdrawn"))
    add_json(p)

    p = command(lib, "export", _("copy a resource and its attribution into a folder"), run_export)
    p.add_argument("id", metavar="ID", help=_("resource id (or a unique start of it)"))
    p.add_argument("out", metavar="OUT_DIR", help=_("folder to write"))
    add_force(p)

    p = command(lib, "fsck", _("verify every object's hash and every log line"), run_fsck)
    add_json(p)

    p = command(lib, "reindex", _("rebuild the index from the logs"), run_reindex)

    p = command(lib, "stats", _("counts, sizes, sites and licences of the library"), run_stats)
    add_json(p)

    p = command(lib, "site", _("show or set this site's name and its moderators"), run_site)
    p.add_argument("--name", help=_("set the readable name of this site"))
    p.add_argument("--moderator", action="append", default=None, metavar="SITE_ID",
                   help=_("a site whose edits are accepted on every resource; repeatable (replaces the list)"))
    add_json(p)

    p = command(lib, "catalogue", _("write a static website of the library (works from a USB stick)"),
                run_catalogue)
    p.add_argument("out", metavar="OUT_DIR", help=_("folder to write"))
    p.add_argument("--title", help=_("title of the website"))
    _filters(p)
    add_force(p)


# --- helpers ---------------------------------------------------------------------

def _open(ctx: Any, write: bool = False) -> Any:
    from cagette.library.seeding import open_choice

    return open_choice(ctx.library(), ctx.settings())


def _filters_of(ns: Any) -> Any:
    from cagette.library.index import Filters

    return Filters.of(ns.kind, ns.licence, ns.language, ns.organisation, ns.tag)


def _meta(ns: Any) -> dict[str, Any]:
    return {k: getattr(ns, k) for k in ("title", "description", "kind", "tags", "authors", "organisation",
                                         "language", "licence", "derived_from") if getattr(ns, k) is not None}


def _rows(resources: list[Any]) -> None:
    table([(r.id, r.kind, (r.title[:50] + (" ✘" if r.retracted else "")), r.licence, r.organisation[:30], r.language)
           for r in resources],
          [_("id"), _("kind"), _("title"), _("licence"), _("organisation"), _("language")])


def _print_resource(lib: Any, r: Any) -> None:
    from cagette.library.resources import LICENCES

    print(f"{r.title}  [{r.id}]")
    print(_("kind: {kind}   licence: {licence} ({name})").format(kind=r.kind, licence=r.licence,
                                                               name=LICENCES.get(r.licence, "")))
    if r.authors or r.organisation:
        print(_("by: {who}").format(who=", ".join([*r.authors, r.organisation] if r.organisation else r.authors)))
    if r.language:
        print(_("language: {lang}").format(lang=r.language))
    if r.duration:
        print(_("duration: {s:.1f} s").format(s=r.duration))
    if r.tags:
        print(_("tags: {tags}").format(tags=", ".join(r.tags)))
    print(_("created: {created}   modified: {modified}").format(created=r.created, modified=r.modified))
    if r.retracted:
        print(_("RETRACTED") + (" " + _("(files purged)") if r.purged else ""))
    if r.description:
        print()
        print(r.description)
    if r.files:
        print()
        table([(f.role, f.name, f.media_type, f.size, f.hash[:12],
                "✔" if lib.objects.has(f.hash) else _("not here")) for f in r.files],
              [_("role"), _("name"), _("type"), _("bytes"), _("hash"), _("local")])
    chain = lib.chain(r.id)
    if len(chain) > 1:
        print()
        print(_("Adapted from:"))
        for c in chain[1:]:
            print(f"  - {c.credit()}")


# --- handlers --------------------------------------------------------------------

def run_init(ns: Any, ctx: Any) -> int:
    from cagette.library.library import Library
    from cagette.library.seeding import seed_starter

    choice = ctx.library()
    settings = ctx.settings()
    lib = Library.create(choice.path, site_name=ns.site_name or settings.library.site_name
                         or settings.general.organisation)
    report = None if ns.no_starter else seed_starter(lib)
    if ns.json:
        emit_json({"path": str(lib.path), "site_id": lib.site_id(),
                   "starter": report.to_dict() if report else None})
        return 0
    print(_("Library ready at {path} (site {site}).").format(path=lib.path, site=lib.site_id()[:8]))
    if report:
        print(_("Starter resources: {added} added, {edited} updated, {same} unchanged.").format(
            added=len(report.added), edited=len(report.edited), same=len(report.unchanged)))
    return 0


def run_add(ns: Any, ctx: Any) -> int:
    lib = _open(ctx, write=True)
    settings = ctx.settings()
    defaults: dict[str, Any] = {"organisation": settings.general.organisation or lib.site_name()}
    if settings.general.author:
        defaults["authors"] = [settings.general.author]
    from cagette.commands._output import cli_progress

    with cli_progress(quiet=ns.json) as progress:
        r = lib.add_path(Path(ns.path), defaults=defaults, progress=progress, **_meta(ns))
    if ns.json:
        emit_json(r.to_dict())
    else:
        print(_("Added {id}: {title} ({n} files).").format(id=r.id, title=r.title, n=len(r.files)))
    return 0


def run_list(ns: Any, ctx: Any) -> int:
    lib = _open(ctx)
    found = lib.resources(_filters_of(ns), include_retracted=ns.all)
    if ns.json:
        emit_json([r.to_dict() for r in found])
    elif found:
        _rows(found)
    else:
        print(_("No resource."))
    return 0


def run_search(ns: Any, ctx: Any) -> int:
    lib = _open(ctx)
    found = lib.search(" ".join(ns.query), _filters_of(ns), limit=ns.limit)
    if ns.json:
        emit_json([r.to_dict() for r in found])
    elif found:
        _rows(found)
    else:
        print(_("Nothing found."))
    return 0


def run_show(ns: Any, ctx: Any) -> int:
    lib = _open(ctx)
    r = lib.get(ns.id)
    if ns.json:
        emit_json({**r.to_dict(), "derived_from_chain": [c.to_dict() for c in lib.chain(r.id)[1:]],
                   "local": {f.hash: lib.objects.has(f.hash) for f in r.files}})
    else:
        _print_resource(lib, r)
    return 0


def run_edit(ns: Any, ctx: Any) -> int:
    lib = _open(ctx, write=True)
    r = lib.edit(ns.id, **_meta(ns))
    if ns.json:
        emit_json(r.to_dict())
    else:
        print(_("Edited {id}: {title}.").format(id=r.id, title=r.title))
    return 0


def run_retract(ns: Any, ctx: Any) -> int:
    lib = _open(ctx, write=True)
    r = lib.retract(ns.id, purge=ns.purge, reason=ns.reason)
    if ns.json:
        emit_json(r.to_dict())
    else:
        print((_("Retracted and purged {id}.") if r.purged else _("Retracted {id}.")).format(id=r.id))
    return 0


def run_export(ns: Any, ctx: Any) -> int:
    lib = _open(ctx)
    out = lib.export(ns.id, Path(ns.out), force=ns.force)
    print(_("Exported to {out}.").format(out=out))
    return 0


def run_fsck(ns: Any, ctx: Any) -> int:
    from cagette.commands._output import cli_progress

    lib = _open(ctx)
    with cli_progress(quiet=ns.json) as progress:
        rep = lib.fsck(progress)
    if ns.json:
        emit_json(rep.to_dict())
    else:
        print(_("{objects} objects ({bytes} bytes) and {events} log lines in {logs} logs checked.").format(
            objects=rep.objects_checked, bytes=rep.bytes_checked, events=rep.events, logs=rep.logs_checked))
        for p in rep.problems:
            print("✘ " + p)
        if rep.missing:
            print(_("{n} objects not here yet (a sync will fetch them).").format(n=len(rep.missing)))
        if rep.unreferenced:
            print(_("{n} objects used by no resource (left by an interrupted add).").format(n=len(rep.unreferenced)))
        print(_("The library is sound.") if rep.clean else _("{n} problem(s) found.").format(n=len(rep.problems)))
    return 0 if rep.clean else 1


def run_reindex(ns: Any, ctx: Any) -> int:
    import time

    lib = _open(ctx)
    t0 = time.perf_counter()
    n = lib.reindex()
    print(_("Index rebuilt: {n} resources in {s:.2f} s.").format(n=n, s=time.perf_counter() - t0))
    return 0


def run_stats(ns: Any, ctx: Any) -> int:
    from cagette.library.resources import LICENCES

    lib = _open(ctx)
    s = lib.stats()
    if ns.json:
        emit_json({**s, "known_licences": LICENCES})
        return 0
    print(_("{path}: site {site} ({name})").format(path=s["path"], site=s["site_id"][:8], name=s["site_name"]))
    print(_("{n} resources, {r} retracted, {o} objects, {b:.1f} MB").format(
        n=s["resources"], r=s["retracted"], o=s["objects"], b=s["bytes"] / 1e6))
    table(sorted(s["by_kind"].items()), [_("kind"), _("count")])
    table(sorted(s["by_licence"].items()), [_("licence"), _("count")])
    table([(k, v) for k, v in s["sites"].items()], [_("site"), _("name")])
    return 0


def run_site(ns: Any, ctx: Any) -> int:
    lib = _open(ctx, write=True)
    if ns.name:
        lib.set_site_name(ns.name)
    if ns.moderator is not None:
        lib.set_moderators(ns.moderator)
    site = lib.site()
    if ns.json:
        emit_json(site.to_dict())
    else:
        print(_("site {id}: {name}").format(id=site.site_id, name=site.site_name or "-"))
        print(_("moderators: {mods}").format(mods=", ".join(site.moderators) or "-"))
    return 0


def run_catalogue(ns: Any, ctx: Any) -> int:
    from cagette.commands._output import cli_progress
    from cagette.library.catalogue import write_catalogue

    lib = _open(ctx)
    with cli_progress() as progress:
        out = write_catalogue(lib, Path(ns.out), title=ns.title, filters=_filters_of(ns), force=ns.force,
                              progress=progress)
    print(_("Catalogue written to {out}: open {index} in a browser.").format(out=out, index=out / "index.html"))
    return 0
