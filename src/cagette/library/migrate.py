"""Moving a format-1 library (unsigned ``log/<site>.jsonl`` files) to format 2.

Done once, under the lock, when a library is opened writable:

1. ``local/origins.json`` pins the origin of every resource as this library saw it (the
   first ``add`` of each id): a line arriving later, however low its clock, cannot take a
   resource made before keys from the site this library knew.
2. The starter resources this site had imported move to ``local/starter/`` (never
   synced): from now on every site makes them from its own installed package.
3. Every log file becomes a segment ``log/<site>/1-N.jsonl`` (a torn last line dropped).
4. ``library.json`` says version 2.

This site's own key line (covering its earlier lines by count and hash) is written at the
first write, or the first :meth:`~cagette.library.library.Library.site` call. A read-only
library (a locked stick) is read as it is.
"""

from __future__ import annotations

import contextlib
import json
from typing import TYPE_CHECKING, Any

from cagette.errors import CagetteError
from cagette.fsutil import atomic_write_text
from cagette.library import segments as segmod
from cagette.library.log import STARTER_SITE, Event, make_event
from cagette.library.state import STARTER_SOURCE

if TYPE_CHECKING:
    from cagette.library.library import Library


def migrate(lib: Library) -> bool:
    """Migrate *lib* in place if it can be written; True when it was."""
    from cagette.library.library import FORMAT_NAME, FORMAT_VERSION, LIBRARY_FILE, PINS_FILE

    try:
        lock = lib.lock()
        lock.acquire()
    except (OSError, CagetteError):
        return False  # read-only: read format 1 as it is
    try:
        meta = json.loads((lib.path / LIBRARY_FILE).read_text(encoding="utf-8"))
        if int(meta.get("version", 1)) >= FORMAT_VERSION:
            lib.version = FORMAT_VERSION
            return False
        logs = {s: lib.site_log(s).read().events for s in segmod.list_sites(lib.log_dir) if s != STARTER_SITE}
        events = sorted((e for evs in logs.values() for e in evs), key=lambda e: e.key)
        pins: dict[str, str] = {}
        for ev in events:
            if ev.op == "add" and ev.id not in pins and ev.fields.get("imported_from") != STARTER_SOURCE:
                pins[ev.id] = ev.site
        atomic_write_text(lib.local_dir / PINS_FILE, json.dumps(pins, sort_keys=True) + "\n")
        lib._pins = None
        site = lib._site_file.read()
        if site is not None:
            _move_starter(lib, logs.get(site.site_id, []), max((e.clock for e in events), default=0))
        segmod.migrate_legacy(lib.log_dir)
        atomic_write_text(lib.path / LIBRARY_FILE,
                          json.dumps({"format": FORMAT_NAME, "version": FORMAT_VERSION}) + "\n")
        lib.version = FORMAT_VERSION
        lib._log_cache.clear()
        lib._state = None
        return True
    except OSError:
        return False
    finally:
        with contextlib.suppress(Exception):
            lock.release()


def _move_starter(lib: Library, own: list[Event], clock: int) -> None:
    """This site's starter resources, as it last wrote them, into ``local/starter/``."""
    log = lib.site_log(STARTER_SITE)
    if segmod.high_water(log.segments()):
        return
    fields: dict[str, dict[str, Any]] = {}
    for ev in own:
        if ev.op in ("add", "edit") and (ev.id in fields or ev.fields.get("imported_from") == STARTER_SOURCE):
            fields.setdefault(ev.id, {}).update(ev.fields)
        elif ev.op == "retract":
            fields.pop(ev.id, None)
    out: list[bytes] = []
    for rid, f in sorted(fields.items()):
        if all(k in f for k in ("kind", "title", "licence", "files")):
            n = len(out) + 1
            out.append(make_event(STARTER_SITE, n, clock + n, "add", rid, f).to_line())
    if out:
        log.write(1, b"".join(out))
