"""``cagette device``: the studio controller (lights and shutter button)."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cagette.commands import command, group
from cagette.commands._output import add_json, emit_json, table
from cagette.i18n import _

if TYPE_CHECKING:
    from cagette.cli import Context
    from cagette.commands import SubParsers
    from cagette.commands.args import (
        DeviceFlashArgs,
        DeviceLightsArgs,
        DeviceListArgs,
        DeviceSimulateArgs,
        DeviceStatusArgs,
        DeviceWatchArgs,
    )


def _add_port(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", default=None,
                        help=_("serial port of the board (default: CAGETTE_DEVICE_PORT, then [device] port in "
                               "the settings, else found by USB id and hello)"))


def register(sub: SubParsers) -> None:
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

    p = command(inner, "simulate", _("run the firmware on a simulated board behind a pseudo-terminal (no hardware)"),
                run_simulate)
    p.add_argument("--python", action="store_true",
                   help=_("run the firmware on CPython even when MicroPython is installed"))
    p.add_argument("--flash", type=Path, default=None,
                   help=_("folder keeping the simulated board's flash (its light levels) across runs "
                          "(default: a fresh board each time)"))


def _port(ns: DeviceFlashArgs | DeviceLightsArgs | DeviceStatusArgs | DeviceWatchArgs, ctx: Context) -> str | None:
    from cagette.device.finder import configured_port

    return configured_port(ns.port)


def _connect(ns: DeviceLightsArgs | DeviceStatusArgs | DeviceWatchArgs, ctx: Context, **kwargs: Any) -> Any:
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


def run_list(ns: DeviceListArgs, ctx: Context) -> int:
    from cagette.device.finder import PORT_ENV, Candidate, candidates, probe
    from cagette.errors import DeviceError

    found = candidates(include_all=ns.all)
    named = os.environ.get(PORT_ENV)
    if named and named not in {c.device for c in found}:  # a simulated board has no USB id
        found.insert(0, Candidate(named, None, None, None, PORT_ENV))
    rows = []
    for cand in found:
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


def run_status(ns: DeviceStatusArgs, ctx: Context) -> int:
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


def run_lights(ns: DeviceLightsArgs, ctx: Context) -> int:
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


def run_watch(ns: DeviceWatchArgs, ctx: Context) -> int:
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


def run_flash(ns: DeviceFlashArgs, ctx: Context) -> int:
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


# -- the simulated board ------------------------------------------------------------------

def run_simulate(ns: DeviceSimulateArgs, ctx: Context) -> int:
    import contextlib
    import tempfile

    from cagette.device.finder import PORT_ENV
    from cagette.device.simulator import SimulatedStudio, choose

    interpreter = choose("cpython" if ns.python else "auto")
    with contextlib.suppress(KeyboardInterrupt), contextlib.ExitStack() as stack:  # Ctrl-C: switch it off
        stack.callback(_stop_on_signals())
        workdir = ns.flash or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cagette-board-")))
        sim = SimulatedStudio(workdir, interpreter)
        stack.callback(sim.close)
        sim.start()
        version = ".".join(str(v) for v in sim.impl.get("version", []))
        print(_("Simulated studio controller on {port}: its firmware runs on {impl} {version}.").format(
            port=sim.port, impl=interpreter.label, version=version))
        if interpreter.name == "cpython" and not ns.python:
            print(_("MicroPython's Unix port is not installed, so CPython runs it "
                    "(pip install 'cagette[test]' brings MicroPython)."))
        print(_("Let the cagette commands and the app find it (in another terminal):"))
        print(f"export {PORT_ENV}={shlex.quote(sim.port)}", flush=True)
        if sys.stdin.isatty() and sys.stdout.isatty():
            _simulate_keys(sim)
        else:
            _simulate_lines(sim)
    print(_("The simulated board is switched off."), file=sys.stderr)
    return 0


def _stop_on_signals() -> Any:
    """SIGTERM and SIGHUP stop the simulator as Ctrl-C does (the board is switched off); returns
    what puts the previous handlers back."""
    import signal

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    old = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    return lambda: [signal.signal(sig, handler) for sig, handler in old.items()]


class _Presser:
    """Presses of the simulated button, one after the other (a press never overlaps the last)."""

    GAP_MS = 40

    def __init__(self, sim: Any) -> None:
        self.sim = sim
        self.free_at = 0

    def press(self, long: bool) -> int:
        from cagette.device.simulator import LONG_HOLD_MS, SHORT_HOLD_MS

        at = self.free_at if self.free_at > self.sim.state()["t"] else None
        _start, end = self.sim.press(LONG_HOLD_MS if long else SHORT_HOLD_MS, at=at)
        self.free_at = end + self.GAP_MS
        return self.free_at


def _simulate_lines(sim: Any) -> None:
    """Without a terminal: ``short``, ``long`` and ``quit`` lines on standard input."""
    presser = _Presser(sim)
    print(_("Type short, long or quit, one per line."), flush=True)
    for line in sys.stdin:
        word = line.strip().lower()
        if not word:
            continue
        if word in ("quit", "q", "exit"):
            break
        if word not in ("short", "long"):
            print(_("Unknown command {word!r}: type short, long or quit.").format(word=word), file=sys.stderr,
                  flush=True)
            continue
        sent = len(sim.events)
        sim.wait_board_time(presser.press(word == "long"))
        if len(sim.events) > sent:
            print(_("{press} press: sent to cagette.").format(press=_("Short") if word == "short" else _("Long")),
                  flush=True)
        else:
            print(_("{press} press: no program is listening, nothing was sent.").format(
                press=_("Short") if word == "short" else _("Long")), flush=True)


def _simulate_keys(sim: Any) -> None:
    """In a terminal: keys press the button; the two lights are drawn as bars."""
    from cagette.capture.trigger import KeyTrigger, Press

    print(_("Space or Enter: short press (take a frame) · Backspace or d: long press (remove the last) · "
            "q: switch off"), flush=True)
    presser = _Presser(sim)
    keys = KeyTrigger()
    drawn = 0
    try:
        while not keys.closed:
            event = keys.get(timeout=0.1)
            if event is not None:
                presser.press(event.press is Press.LONG)
            lines = _board_lines(sim.state())
            sys.stdout.write((f"\x1b[{drawn}F" if drawn else "") + "".join(f"\x1b[2K{x}\n" for x in lines))
            sys.stdout.flush()
            drawn = len(lines)
    finally:
        keys.close()


def _board_lines(state: dict[str, Any]) -> list[str]:
    app = state.get("app") or {}
    levels = app.get("levels") or {}
    labels = {"key": _("key light"), "fill": _("fill light")}
    width = max(len(text) for text in labels.values())
    out = []
    for name, label in labels.items():
        level = float(levels.get(name, 0.0))
        cells = round(level / 5)
        out.append(f"{label.ljust(width)} {'█' * cells}{'░' * (20 - cells)} {level:5.1f} %")
    if state.get("maintenance"):
        link = _("maintenance mode: a plain REPL, for mpremote")
    elif state.get("host"):
        link = _("a program has the port open")
    else:
        link = _("waiting for cagette")
    out.append(_("button: {n} press(es) · {link}").format(n=app.get("presses", 0), link=link))
    return out
