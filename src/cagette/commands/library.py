"""``cagette library …``: the shared library of resources."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cagette.commands import command, group
from cagette.commands._output import add_force, add_json, emit_json, emit_json_list, table
from cagette.i18n import _

if TYPE_CHECKING:
    from cagette.cli import Context
    from cagette.commands import SubParsers
    from cagette.commands.args import (
        LibraryAddArgs,
        LibraryCatalogueArgs,
        LibraryEditArgs,
        LibraryExportArgs,
        LibraryFsckArgs,
        LibraryGcArgs,
        LibraryInitArgs,
        LibraryJoinArgs,
        LibraryListArgs,
        LibraryModeratorsArgs,
        LibraryReindexArgs,
        LibraryRetractArgs,
        LibrarySearchArgs,
        LibraryShowArgs,
        LibrarySiteArgs,
        LibraryStatsArgs,
    )
    from cagette.library.library import Library
    from cagette.library.resources import Resource


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
    from cagette.library.resources import PEOPLE

    parser.add_argument("--people", choices=PEOPLE,
                        help=_("whether people appear in it: none (nobody), consent (people appear and their "
                               "signed right-to-image consent is on file), no-consent (people appear, no consent "
                               "on file)") + (_("; asked when adding from a terminal") if adding else ""))


def register(sub: SubParsers) -> None:
    lib = group(sub, "library", _("the shared library: add, search, export, catalogue"),
                _("The library of resources (videos, storyboards, templates, guides, plans) shared between sites."))
    lib.help = _("what to do with the library")  # the group's own COMMAND argument, listed in --help
    _register_sites(lib)
    _register_resources(lib)
    _register_upkeep(lib)


def _register_sites(lib: SubParsers) -> None:
    """This site and its community: init, join, moderators."""
    p = command(lib, "init", _("create the library and import the starter resources"), run_init)
    p.add_argument("--site-name", help=_("readable name of this site (its organisation)"))
    p.add_argument("--no-starter", action="store_true", help=_("do not import the starter library"))
    p.add_argument("--community", metavar="NAME",
                   help=_("found a community of that name: this site signs its list of moderators"))
    add_json(p)

    p = command(lib, "join", _("join a community: its moderators' decisions apply to this site's resources"),
                run_join)
    p.add_argument("code", metavar="CODE", help=_("the community's code (SITE:KEY), printed by its founder"))
    add_json(p)

    p = command(lib, "moderators", _("show this site's community and its moderators, or change them"),
                run_moderators)
    p.add_argument("--add", action="append", default=[], metavar="SITE_ID",
                   help=_("name a moderator (founder or moderator only); repeatable"))
    p.add_argument("--remove", action="append", default=[], metavar="SITE_ID",
                   help=_("remove a moderator (founder or moderator only); repeatable"))
    add_json(p)


def _register_resources(lib: SubParsers) -> None:
    """The resources: add, list, search, show, edit, retract, export."""
    p = command(lib, "add", _("add a file or a project folder (its latest export, or with --kind template the "
                              "project as a template) to the library"), run_add)
    p.add_argument("path", metavar="PATH", help=_("a file, a folder of files, or a project folder (its title, "
                                                  "licence, authors and the template it came from are taken "
                                                  "from the project)"))
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


def _register_upkeep(lib: SubParsers) -> None:
    """The library as a whole: fsck, gc, reindex, stats, site, catalogue."""
    p = command(lib, "fsck", _("verify every object's hash and every log line"), run_fsck)
    add_json(p)

    p = command(lib, "gc", _("remove what interrupted syncs and adds left behind"), run_gc,
                description=_("Remove partial transfers of files that are here now or that no resource uses, and "
                              "temporary files left by a crash; the partial transfers still wanted are kept for "
                              "the next sync to resume. --unreferenced also deletes the files no resource uses."))
    p.add_argument("--unreferenced", action="store_true", help=_("also delete the files no resource uses"))
    add_json(p)

    p = command(lib, "reindex", _("rebuild the index from the logs"), run_reindex)

    p = command(lib, "stats", _("counts, sizes, sites and licences of the library"), run_stats)
    add_json(p)

    p = command(lib, "site", _("show or set this site's name; show its id and key"), run_site)
    p.add_argument("--name", help=_("set the readable name of this site"))
    add_json(p)

    p = command(lib, "catalogue", _("write a static website of the library (works from a USB stick)"),
                run_catalogue)
    p.add_argument("out", metavar="OUT_DIR", help=_("folder to write"))
    p.add_argument("--title", help=_("title of the website"))
    _filters(p)
    add_force(p)


# --- helpers ---------------------------------------------------------------------

def _open(ctx: Context, write: bool = False) -> Any:
    from cagette.flows.seeding import open_choice

    return open_choice(ctx.library(), ctx.settings())


def _filters_of(ns: LibraryCatalogueArgs | LibraryListArgs | LibrarySearchArgs) -> Any:
    from cagette.library.index import Filters

    return Filters.of(ns.kind, ns.licence, ns.language, ns.organisation, ns.tag)


def _meta(ns: LibraryAddArgs | LibraryEditArgs) -> dict[str, Any]:
    return {k: getattr(ns, k) for k in ("title", "description", "kind", "tags", "authors", "organisation",
                                         "language", "licence", "derived_from", "people")
            if getattr(ns, k) is not None}


def _title(r: Resource) -> str:
    """The title as a list shows it: a purged resource is a tombstone, a flagged one says so."""
    if r.tombstone:
        return _("(purged)")
    title = r.title[:50] if r.title else _("(its description has not arrived yet)")
    if r.retracted:
        title += " ✘"
    if r.licence_flags:
        title += " ⚠ " + _("licence")
    if r.conflicts:
        title += " ⇄"
    return title


def _rows(resources: list[Resource]) -> None:
    table([(r.id, r.kind, _title(r), r.licence, r.organisation[:30], r.language) for r in resources],
          [_("id"), _("kind"), _("title"), _("licence"), _("organisation"), _("language")])


def restore_command(rid: str, field: str, value: Any) -> str:
    """The `cagette library edit` command that sets *field* of *rid* back to *value*."""
    import shlex

    option = {"tags": "--tag", "authors": "--author", "derived_from": "--derived-from"}.get(field)
    if option is not None:
        args = " ".join(f"{option} {shlex.quote(str(v))}" for v in value or ())
    else:
        args = f"--{field.replace('_', '-')} {shlex.quote(str(value))}"
    return f"cagette library edit {rid} {args}"


def _print_resource(lib: Library, r: Resource) -> None:
    from cagette.library.resources import LICENCES

    if r.tombstone:
        print(_("[{id}] purged: its files, title, description, tags, authors and reason are erased on every "
                "site.").format(id=r.id))
        return
    title = r.title or _("(its description has not arrived yet)")
    print(f"{title}  [{r.id}]")
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
    if r.people:
        from cagette.library.resources import PEOPLE_LABELS

        print(_("people: {people}").format(people=_(PEOPLE_LABELS[r.people])))
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
    for flag in lib.licence_flags(r.id):
        print()
        print("⚠ " + _("Its licence {licence} conflicts with its source {source} ({slic}): {problem}").format(
            licence=r.licence, source=flag["source"], slic=flag["source_licence"], problem=flag["problem"]))
    lost = lib.conflicts(r.id)
    if lost:
        print()
        print(_("Values lost to a concurrent edit (kept here):"))
        for gone in lost:
            print("  " + _("{field} = {value!r}, by {site} at {at}").format(
                field=gone["field"], value=gone["value"], site=gone["site_name"] or gone["site"][:8], at=gone["at"]))
            print("    " + _("to restore it: {command}").format(
                command=restore_command(r.id, gone["field"], gone["value"])))


# --- handlers --------------------------------------------------------------------

def run_init(ns: LibraryInitArgs, ctx: Context) -> int:
    from cagette.flows.seeding import seed_starter
    from cagette.library.library import Library

    choice = ctx.library()
    settings = ctx.settings()
    lib = Library.create(choice.path, site_name=ns.site_name or settings.library.site_name
                         or settings.general.organisation)
    code = lib.found_community(ns.community) if ns.community else None
    report = None if ns.no_starter else seed_starter(lib)
    if ns.json:
        emit_json({"path": str(lib.path), "site_id": lib.site_id(), "community": code,
                   "starter": report.to_dict() if report else None})
        return 0
    print(_("Library ready at {path} (site {site}).").format(path=lib.path, site=lib.site_id()[:8]))
    if code:
        print(_("Community {name} founded. Other sites join it with: cagette library join {code}").format(
            name=ns.community, code=code))
    if report:
        print(_("Starter resources: {added} added, {edited} updated, {same} unchanged.").format(
            added=len(report.added), edited=len(report.edited), same=len(report.unchanged)))
    return 0


def run_join(ns: LibraryJoinArgs, ctx: Context) -> int:
    lib = _open(ctx, write=True)
    lib.join_community(ns.code)
    info = _community(lib)
    if ns.json:
        emit_json(info)
    elif info["community"]:
        print(_("Joined the community {name}.").format(name=info["community"]["name"]))
    else:
        print(_("Joined; the community's policy arrives with its founder's log at the next sync."))
    return 0


def _community(lib: Library) -> dict[str, Any]:
    st = lib.stats()
    code = lib.community_code() if st["community"] else None
    return {"community": st["community"], "code": code, "moderators": st["moderators"], "site_id": st["site_id"]}


def run_moderators(ns: LibraryModeratorsArgs, ctx: Context) -> int:
    lib = _open(ctx, write=bool(ns.add or ns.remove))
    if ns.add or ns.remove:
        lib.set_moderators(ns.add, ns.remove)
    info = _community(lib)
    if ns.json:
        emit_json(info)
        return 0
    if not info["community"]:
        print(_("This site belongs to no community: its resources are changed by it alone."))
        return 0
    names = lib.state().site_names
    print(_("community {name} (version {v}), founded by {founder}").format(
        name=info["community"]["name"], v=info["community"]["version"],
        founder=names.get(info["community"]["id"], info["community"]["id"][:8])))
    print(_("join code: {code}").format(code=info["code"]))
    table([(m, names.get(m, "")) for m in info["moderators"]], [_("moderator"), _("name")])
    return 0


def run_add(ns: LibraryAddArgs, ctx: Context) -> int:
    import sys

    from cagette.commands._output import cli_progress
    from cagette.flows.publish import publish_defaults, publish_path

    if ns.people is None and not ns.json and sys.stdin.isatty():
        ns.people = _ask_people()
    lib = _open(ctx, write=True)
    with cli_progress(quiet=ns.json) as progress:
        done = publish_path(lib, Path(ns.path), meta=_meta(ns), defaults=publish_defaults(lib, ctx.settings()),
                            progress=progress)
    for notice in done.notices:
        print(_("Warning: {text}").format(text=notice), file=sys.stderr)
    r = done.resource
    if ns.json:
        emit_json(r.to_dict())
    else:
        print(_("Added {id}: {title} ({n} files).").format(id=r.id, title=r.title, n=len(r.files)))
    return 0


def _ask_people() -> str | None:
    """Ask, in a terminal, whether people appear and whether their consent is on file (Enter: not said)."""
    answers = {"n": "none", "c": "consent", "x": "no-consent"}
    question = _("Do people appear in it? [n] nobody  [c] yes, their consent is on file  "
                 "[x] yes, no consent on file  [Enter] do not say: ")
    for _attempt in range(3):
        try:
            reply = input(question).strip().lower()
        except EOFError:
            return None
        if not reply:
            return None
        if reply[:1] in answers:
            return answers[reply[:1]]
    return None


def run_list(ns: LibraryListArgs, ctx: Context) -> int:
    lib = _open(ctx)
    if ns.json:
        emit_json_list(lib.resource_json(_filters_of(ns), include_retracted=ns.all))
        return 0
    found = lib.resources(_filters_of(ns), include_retracted=ns.all)
    if found:
        _rows(found)
    else:
        print(_("No resource."))
    return 0


def run_search(ns: LibrarySearchArgs, ctx: Context) -> int:
    lib = _open(ctx)
    if ns.json:
        emit_json_list(lib.resource_json(_filters_of(ns), query=" ".join(ns.query), limit=ns.limit))
        return 0
    found = lib.search(" ".join(ns.query), _filters_of(ns), limit=ns.limit)
    if found:
        _rows(found)
    else:
        print(_("Nothing found."))
    return 0


def run_show(ns: LibraryShowArgs, ctx: Context) -> int:
    lib = _open(ctx)
    r = lib.get(ns.id)
    if ns.json:
        emit_json({**r.to_dict(), "derived_from_chain": [c.to_dict() for c in lib.chain(r.id)[1:]],
                   "local": {f.hash: lib.objects.has(f.hash) for f in r.files},
                   "licence_problems": lib.licence_flags(r.id),
                   "lost_values": [{**c, "restore": restore_command(r.id, c["field"], c["value"])}
                                   for c in lib.conflicts(r.id)]})
    else:
        _print_resource(lib, r)
    return 0


def run_edit(ns: LibraryEditArgs, ctx: Context) -> int:
    lib = _open(ctx, write=True)
    r = lib.edit(ns.id, **_meta(ns))
    if ns.json:
        emit_json(r.to_dict())
    else:
        print(_("Edited {id}: {title}.").format(id=r.id, title=r.title))
    return 0


def run_retract(ns: LibraryRetractArgs, ctx: Context) -> int:
    lib = _open(ctx, write=True)
    r = lib.retract(ns.id, purge=ns.purge, reason=ns.reason)
    if ns.json:
        emit_json(r.to_dict())
    else:
        print((_("Retracted and purged {id}.") if r.purged else _("Retracted {id}.")).format(id=r.id))
    return 0


def run_export(ns: LibraryExportArgs, ctx: Context) -> int:
    lib = _open(ctx)
    out = lib.export(ns.id, Path(ns.out), force=ns.force)
    print(_("Exported to {out}.").format(out=out))
    return 0


def run_fsck(ns: LibraryFsckArgs, ctx: Context) -> int:
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
        for f in rep.flags:
            print("⚠ " + f)
        if rep.unsigned_logs:
            print(_("{n} logs of sites that never signed their lines: kept here, never passed on.").format(
                n=len(rep.unsigned_logs)))
        if rep.missing:
            print(_("{n} objects not here yet (a sync will fetch them).").format(n=len(rep.missing)))
        if rep.unreferenced:
            print(_("{n} objects used by no resource (left by an interrupted add).").format(n=len(rep.unreferenced)))
        if rep.partials:
            print(_("{n} partial transfers ({bytes} bytes) kept for the next sync ('cagette library gc' removes "
                    "the orphans).").format(n=rep.partials, bytes=rep.partial_bytes))
        print(_("The library is sound.") if rep.clean else _("{n} problem(s) found.").format(n=len(rep.problems)))
    return 0 if rep.clean else 1


def run_gc(ns: LibraryGcArgs, ctx: Context) -> int:
    from cagette.library.gc import collect

    rep = collect(_open(ctx, write=True), unreferenced=ns.unreferenced)
    if ns.json:
        emit_json(rep.to_dict())
        return 0
    print(_("Removed {n} partial transfers ({bytes} bytes) and {t} temporary files; kept {k} to resume.").format(
        n=rep.partials, bytes=rep.partial_bytes, t=rep.temp_files, k=rep.kept_partials))
    if ns.unreferenced:
        print(_("Deleted {n} files no resource used ({bytes} bytes).").format(n=len(rep.objects),
                                                                          bytes=rep.object_bytes))
    return 0


def run_reindex(ns: LibraryReindexArgs, ctx: Context) -> int:
    import time

    lib = _open(ctx)
    t0 = time.perf_counter()
    n = lib.reindex()
    print(_("Index rebuilt: {n} resources in {s:.2f} s.").format(n=n, s=time.perf_counter() - t0))
    return 0


def run_stats(ns: LibraryStatsArgs, ctx: Context) -> int:
    from cagette.library.resources import LICENCES

    lib = _open(ctx)
    s = lib.stats()
    if ns.json:
        emit_json({**s, "known_licences": LICENCES})
        return 0
    print(_("{path}: site {site} ({name})").format(path=s["path"], site=s["site_id"][:8], name=s["site_name"]))
    print(_("{n} resources, {r} retracted, {o} objects, {b:.1f} MB").format(
        n=s["resources"], r=s["retracted"], o=s["objects"], b=s["bytes"] / 1e6))
    if s["partials"]:
        print(_("{n} partial transfers ({b:.1f} MB) waiting for the next sync").format(
            n=s["partials"], b=s["partial_bytes"] / 1e6))
    table(sorted(s["by_kind"].items()), [_("kind"), _("count")])
    table(sorted(s["by_licence"].items()), [_("licence"), _("count")])
    table([(k, v) for k, v in s["sites"].items()], [_("site"), _("name")])
    return 0


def run_site(ns: LibrarySiteArgs, ctx: Context) -> int:
    lib = _open(ctx, write=True)
    if ns.name:
        lib.set_site_name(ns.name)
    site = lib.site()
    key = lib.stats()["key"]
    if ns.json:
        emit_json({**site.to_dict(), "key": key})
    else:
        print(_("site {id}: {name}").format(id=site.site_id, name=site.site_name or "-"))
        print(_("key: {fp}").format(fp=key))
    return 0


def run_catalogue(ns: LibraryCatalogueArgs, ctx: Context) -> int:
    from cagette.commands._output import cli_progress
    from cagette.library.catalogue import write_catalogue

    lib = _open(ctx)
    with cli_progress() as progress:
        out = write_catalogue(lib, Path(ns.out), title=ns.title, filters=_filters_of(ns), force=ns.force,
                              progress=progress)
    print(_("Catalogue written to {out}: open {index} in a browser.").format(out=out, index=out / "index.html"))
    return 0
