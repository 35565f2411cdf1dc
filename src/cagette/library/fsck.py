"""``cagette library fsck``: every log line, signature and object, verified.

Each site's log is checked as if it came from a peer (:mod:`cagette.library.verify`):
its segments, every line, its key, every signature and link. A log of a site that never
moved to signed lines is not a problem (it is kept as it was received), but it is listed
(``unsigned_logs``): its lines never travel to another site. Licence conflicts of
adaptations merged from elsewhere are listed as ``flags`` (shown, not problems).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cagette.i18n import _
from cagette.library.log import STARTER_SITE, LogError
from cagette.library.objects import ObjectStore
from cagette.progress import Progress

if TYPE_CHECKING:
    from cagette.library.library import Library


@dataclass
class FsckReport:
    objects_checked: int = 0
    bytes_checked: int = 0
    logs_checked: int = 0
    events: int = 0
    problems: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # referenced objects not here (not an error: sync fetches them)
    unreferenced: list[str] = field(default_factory=list)  # objects no resource uses (a crash mid-add)
    torn_logs: list[str] = field(default_factory=list)
    unsigned_logs: list[str] = field(default_factory=list)  # sites that never signed: kept, never passed on
    flags: list[str] = field(default_factory=list)  # licence conflicts of merged adaptations
    partials: int = 0  # interrupted transfers kept to resume (not an error; `library gc` removes orphans)
    partial_bytes: int = 0

    @property
    def clean(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {"clean": self.clean, "objects_checked": self.objects_checked, "bytes_checked": self.bytes_checked,
                "logs_checked": self.logs_checked, "events": self.events, "problems": self.problems,
                "missing": self.missing, "unreferenced": self.unreferenced, "torn_logs": self.torn_logs,
                "unsigned_logs": self.unsigned_logs, "flags": self.flags,
                "partials": self.partials, "partial_bytes": self.partial_bytes}


def _check_logs(lib: Library, rep: FsckReport) -> None:
    from cagette.library import segments as segmod
    from cagette.library import verify

    for site in segmod.list_sites(lib.log_dir):
        rep.logs_checked += 1
        if site == STARTER_SITE:
            rep.problems.append(_("log/{site}: the starter's lines never live in log/").format(site=site))
            continue
        try:
            read = lib.site_log(site).read()
        except LogError as exc:
            rep.problems.append(exc.message)
            continue
        rep.events += len(read.events)
        log = lib.site_log(site)
        if log.legacy.is_file() and not log.legacy.read_bytes().endswith(b"\n"):
            rep.torn_logs.append(log.legacy.name)
        if not any(e.signed for e in read.events):
            rep.unsigned_logs.append(site)
            continue
        try:
            verify.check_batch(None, verify.Incoming(site, 0, b"".join(read.lines)), "log")
        except LogError as exc:
            rep.problems.append(exc.message)


def check_library(lib: Library, progress: Progress | None = None) -> FsckReport:
    """Verify every log line and every object's hash of the library *lib*."""
    rep = FsckReport()
    _check_logs(lib, rep)
    try:
        st = lib.state()
        wanted = st.referenced_hashes()
        for rid, r in sorted(st.resources.items()):
            for src, lic, problem in st.licence_flags(rid):
                rep.flags.append(_("{rid}: its licence {licence} conflicts with its source {src} ({slic}): "
                                   "{problem}").format(rid=rid, licence=r.fields.get("licence", ""), src=src,
                                                      slic=lic, problem=problem))
    except LogError:
        wanted = set()
    present = list(lib.objects)
    if progress:
        progress.start(_("Verifying objects"), len(present))
    for digest in present:
        p = lib.objects.path(digest)
        rep.objects_checked += 1
        rep.bytes_checked += p.stat().st_size
        if not lib.objects.verify(digest):
            rep.problems.append(_("objects/{rel}: content does not match its hash").format(
                rel=ObjectStore.relpath(digest)))
        elif digest not in wanted:
            rep.unreferenced.append(digest)
        if progress:
            progress.advance()
    rep.missing = sorted(wanted - set(present))
    from cagette.library.gc import partials

    kept = partials(lib.path)
    rep.partials, rep.partial_bytes = len(kept), sum(kept.values())
    if progress:
        progress.finish()
    return rep
