"""``cagette library fsck``: every log line and every object, verified."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cagette.i18n import _
from cagette.library import log as logmod
from cagette.library.log import LogError
from cagette.library.objects import ObjectStore
from cagette.progress import Progress


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

    @property
    def clean(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {"clean": self.clean, "objects_checked": self.objects_checked, "bytes_checked": self.bytes_checked,
                "logs_checked": self.logs_checked, "events": self.events, "problems": self.problems,
                "missing": self.missing, "unreferenced": self.unreferenced, "torn_logs": self.torn_logs}


def check_library(lib: Any, progress: Progress | None = None) -> FsckReport:
    """Verify every log line and every object's hash of the library *lib*."""
    rep = FsckReport()
    if lib.log_dir.is_dir():
        for p in sorted(lib.log_dir.iterdir()):
            sid = logmod.site_of_log(p.name)
            if sid is None:
                if not p.name.startswith("."):
                    rep.problems.append(_("log/{name}: not a log file name").format(name=p.name))
                continue
            rep.logs_checked += 1
            try:
                r = logmod.read_log(p, sid)
                rep.events += len(r.events)
                if r.torn_bytes:
                    rep.torn_logs.append(p.name)
            except LogError as exc:
                rep.problems.append(exc.message)
    try:
        st = lib.state()
        wanted = st.referenced_hashes()
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
    if progress:
        progress.finish()
    return rep
