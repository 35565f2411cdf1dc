"""``cagette device``: the studio controller (lights and shutter button)."""

from __future__ import annotations

import json
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from cagette.commands import command, group
from cagette.commands._output import add_json, emit_json, table
from cagette.i18n import _


def _add_port(parser: Any) -> None:
    parser.add_argument("--port", default=None,
                        help=_("serial port of the board (default: [device] port in the settings, "
                               "else found by USB id and hello)"))


def register(sub: Any) -> None:
    inner = group(sub, "device", _("the studio controller: lights and shutter button (USB board)"))
    inner.help = _("what to do with the board")  # group() leaves the COMMAND list without help

    p = command(inner, "list", _("list the serial ports where a studio controller may be"), run_list)
    p.add_argument("--all", action="store_true", help=_("list every serial port, not only MicroPython boards"))
    p.add_argument("--no-probe", action="store_true", help=_("do not ask each board who it is"))
    add_json(p)

    p = command(inner, "status", _("show the board's firmware and its light levels"), run_status)
    _add_port(p)
    add_json(p)

    p = command(inner, "lights", _("set the key and fill light levels, as percentages (e.g. 80 40)"), run_lights)
    p.add_argument("key", metavar="KEY%", help=_("key light level, 0 to 100 %%"))
    p.add_argument("fill", metavar="FILL%", help=_("fill light level, 0 to 100 %%"))
    p.add_argument("--ramp-ms", type=int, default=300, help=_("fade time in milliseconds (default 300)"))
    _add_port(p)
    add_json(p)

    p = command(inner, "watch", _("print the shutter button's presses as they come (Ctrl-C stops)"), run_watch)
    p.add_argument("--count", type=int, default=0, help=_("stop after this many presses (default: never)"))
    p.add_argument("--timeout", type=float, default=0.0, help=_("stop after this many seconds (default: never)"))
    _add_port(p)
    add_json(p)

    p = command(inner, "flash", _("copy the firmware onto the board with mpremote"), run_flash)
    _add_port(p)
    p.add_argument("--source", type=Path, default=None,
                   help=_("folder holding main.py and cagette_fw/ (default: the sources' firmware/)"))
    p.add_argument("--dry-run", action="store_true", help=_("show the files and the mpremote command, copy nothing"))
    add_json(p)


def _port(ns: Any, ctx: Any) -> str | None:
    return ns.port or ctx.settings().device.port or None


def _connect(ns: Any, ctx: Any, **kwargs: Any) -> Any:
    from cagette.device.controller import Controller
    from cagette.device.finder import find_board, port_lister

    port, _info = find_board(_port(ns, ctx))
    ctl = Controller(port_lister(port), **kwargs).start()
    try:
        ctl.wait_connected(5)
    except BaseException:
        ctl.stop()
        raise
    return ctl


def run_list(ns: Any, ctx: Any) -> int:
    from cagette.device.finder import candidates, probe
    from cagette.errors import DeviceError

    rows = []
    for cand in candidates(include_all=ns.all):
        entry = cand.to_dict()
        entry["board"] = None
        if not ns.no_probe:
            try:
                entry["board"] = probe(cand.device, timeout=1.0).to_dict()
            except DeviceError as exc:
                entry["problem"] = exc.message
        rows.append(entry)
    if ns.json:
        emit_json({"ports": rows})
        return 0
    if not rows:
        print(_("No MicroPython board found (USB 2E8A:0005). 'cagette device list --all' shows every port."))
        return 0
    table([(r["port"], r["usb_id"], r["description"],
            _("cagette firmware {v}").format(v=r["board"]["firmware"]) if r["board"] else "—") for r in rows],
          [_("port"), _("USB id"), _("description"), _("board")])
    return 0


def run_status(ns: Any, ctx: Any) -> int:
    ctl = _connect(ns, ctx)
    try:
        levels = ctl.levels()
        rtt = ctl.ping()
        data = {**ctl.status(), "levels": levels.get("levels"), "targets": levels.get("targets"),
                "ping_ms": round(rtt * 1000, 1)}
    finally:
        ctl.stop()
    if ns.json:
        emit_json(data)
        return 0
    board = data["board"] or {}
    print(_("Board on {port}: firmware {fw}, protocol {proto}, answers in {ms} ms.").format(
        port=data["port"], fw=board.get("firmware"), proto=board.get("protocol"), ms=data["ping_ms"]))
    lv = data["levels"] or {}
    print(_("Lights: key {key} %, fill {fill} %.").format(key=lv.get("key"), fill=lv.get("fill")))
    return 0


def run_lights(ns: Any, ctx: Any) -> int:
    from cagette.device.protocol import parse_percent
    from cagette.errors import UsageError

    key = parse_percent(ns.key, _("the key light"))
    fill = parse_percent(ns.fill, _("the fill light"))
    if not 0 <= ns.ramp_ms <= 60000:
        raise UsageError(_("--ramp-ms must be between 0 and 60000."), _("For example: --ramp-ms 500."))
    ctl = _connect(ns, ctx)
    try:
        targets = ctl.set_lights(key, fill, ns.ramp_ms)
    finally:
        ctl.stop()
    if ns.json:
        emit_json({"port": ctl.port, "targets": targets, "ramp_ms": ns.ramp_ms})
    else:
        print(_("Lights set: key {key} %, fill {fill} %.").format(key=targets.get("key"), fill=targets.get("fill")))
    return 0


def run_watch(ns: Any, ctx: Any) -> int:
    from cagette.capture.trigger import QueueTrigger

    trigger = QueueTrigger()
    ctl = _connect(ns, ctx, trigger=trigger)
    seen = 0
    deadline = time.monotonic() + ns.timeout if ns.timeout > 0 else None
    if not ns.json:
        print(_("Watching the shutter on {port}; press the button (Ctrl-C stops).").format(port=ctl.port), flush=True)
    try:
        while not ns.count or seen < ns.count:
            wait = 0.5 if deadline is None else min(0.5, deadline - time.monotonic())
            if wait <= 0:
                break
            event = trigger.get(timeout=wait)
            if event is None:
                continue
            seen += 1
            if ns.json:
                print(json.dumps({"press": event.press.value, "board_ms": event.board_ms,
                                  "host_s": round(event.time_s, 3)}), flush=True)
            else:
                print(_("short press: take a frame") if event.press.value == "short" else
                      _("long press: second action"), f"(t={event.board_ms} ms)", flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        ctl.stop()
    if not ns.json:
        print(_("{n} press(es).").format(n=seen), file=sys.stderr)
    return 0


def run_flash(ns: Any, ctx: Any) -> int:
    from cagette.device import flash

    port = _port(ns, ctx)
    if ns.dry_run:
        the_plan = flash.plan(port or "auto", ns.source)
        if ns.json:
            emit_json(the_plan.to_dict())
        else:
            for local, board in the_plan.files:
                print(f"{local} -> :{board}")
            print(shlex.join(the_plan.command[2:]))
        return 0
    port = flash.pick_port(port)
    the_plan = flash.plan(port, ns.source)
    maintenance = flash.enter_maintenance(port)
    flash.check_repl(port)
    flash.flash(the_plan)
    if ns.json:
        emit_json({**the_plan.to_dict(), "maintenance": maintenance, "ok": True})
    else:
        print(_("Firmware copied to {port} ({n} files); the board restarts.").format(port=port, n=len(the_plan.files)))
    return 0
