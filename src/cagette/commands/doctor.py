"""``cagette doctor``: what the work needs, and how to fix what is missing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cagette.commands import command
from cagette.commands._output import add_json, emit_json, table
from cagette.i18n import _

if TYPE_CHECKING:
    from cagette.cli import Context
    from cagette.commands import SubParsers
    from cagette.commands.args import DoctorArgs


def register(sub: SubParsers) -> None:
    parser = command(sub, "doctor", _("check what the work needs (ffmpeg, OCCT, OpenCV, font, disk...)"), run)
    add_json(parser)


def run(ns: DoctorArgs, ctx: Context) -> int:
    from cagette.doctor import run_checks

    checks = run_checks()
    failed = [c for c in checks if c.essential and not c.ok]
    if ns.json:
        emit_json({"ok": not failed, "checks": [c.to_dict() for c in checks]})
    else:
        rows = [(("✔ " + _("ok")) if c.ok else ("✘ " + _("missing")) if c.essential else ("! " + _("optional")),
                 _(c.name), c.detail, c.fix) for c in checks]
        table(rows, [_("status"), _("check"), _("detail"), _("fix")])
        print()
        print(_("Everything essential is there.") if not failed else
              _("{n} essential check(s) failed: see the fix column.").format(n=len(failed)))
    return 1 if failed else 0
