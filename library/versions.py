"""Bump the version of every starter resource whose sources changed.

``python -m cagette.starter.versions`` rewrites ``versions.toml`` (run it
after editing a guide or a template, and commit the result); a test fails
when a source changed and its version was not bumped, so a library that
imported the previous starter receives the change as an edit.
"""

from __future__ import annotations

import sys

from cagette.fsutil import atomic_write_text

from . import HERE, _versions, digest, resource_ids


def update() -> list[str]:
    recorded = _versions()
    lines = ["# Version and source digest of every starter resource.",
             "# Written by `python -m cagette.starter.versions`; do not edit by hand.", ""]
    bumped = []
    for rid in resource_ids():
        entry = recorded.get(rid)
        old = entry if isinstance(entry, dict) else {}
        raw = old.get("version", 0)
        version = raw if isinstance(raw, int) else 0
        now = digest(rid)
        if old.get("digest") != now:
            version += 1
            bumped.append(rid)
        lines += [f'["{rid}"]', f"version = {version}", f'digest = "{now}"', ""]
    atomic_write_text(HERE / "versions.toml", "\n".join(lines))
    return bumped


if __name__ == "__main__":
    for rid in update():
        print(f"bumped {rid}")
    sys.exit(0)
