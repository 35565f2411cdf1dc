# SPDX-License-Identifier: EUPL-1.2
"""The controller: protocol, lights, button, status LED, store, watchdog.

``App(board, io, store_path)`` needs a *board* (``now()``, ``output(name)``,
``button_down()``, ``set_led(on)``, ``feed()``, ``maintenance()``) and an
*io* (``read()`` -> bytes, ``write(bytes)``). :meth:`App.step` does one turn
of the loop; it never raises on anything a host sends.
"""

from cagette_fw import DEVICE, PROTOCOL, VERSION
from cagette_fw import protocol as p
from cagette_fw.button import Button
from cagette_fw.lights import DEFAULT_RAMP_MS, MAX_RAMP_MS, Channel
from cagette_fw.status import StatusLed
from cagette_fw.store import Store

CHANNELS = ("key", "fill")
CAPS = ("lights", "ramp", "button", "long_press", "identify", "persist", "status_led")
MAX_IDENTIFY_MS = 10000
SET_FIELDS = ("cmd", "id", "v", "key", "fill", "ramp_ms")


class App:
    def __init__(self, board, io, store_path="levels.json"):
        self.board = board
        self.io = io
        now = board.now()
        self.channels = {}
        for name in CHANNELS:
            self.channels[name] = Channel(name, board.output(name), now)
        self.button = Button(board.button_down, now)
        self.led = StatusLed(board.set_led, now)
        self.store = Store(store_path, CHANNELS)
        self.reader = p.LineReader()
        self.session = False  # a host said hello: button events are sent
        self.hellos = 0
        self.events_sent = 0
        self.errors = 0
        saved = self.store.load()
        for name in saved:
            self.channels[name].set(saved[name], DEFAULT_RAMP_MS, now)

    # -- output ---------------------------------------------------------------
    def send(self, obj):
        try:
            self.io.write(p.encode(obj))
        except OSError:
            self.session = False  # the host went away; wait for its next hello

    # -- commands -------------------------------------------------------------
    def levels(self):
        out = {}
        for name in CHANNELS:
            out[name] = round(self.channels[name].level, 1)
        return out

    def targets(self):
        out = {}
        for name in CHANNELS:
            out[name] = round(self.channels[name].target, 1)
        return out

    def handle(self, line, now):
        """The reply to one line (bytes, or None for an oversized line)."""
        if line is None:
            return p.error(p.LINE_TOO_LONG, f"lines are at most {p.MAX_LINE} bytes")
        req, err = p.parse(line)
        if err is not None:
            return err
        rid = req.get("id")
        cmd = req["cmd"]
        self.led.host_seen(now)
        try:
            if cmd == "hello":
                self.session = True
                self.hellos += 1
                return {"id": rid, "ok": True, "device": DEVICE, "protocol": PROTOCOL,
                        "firmware": VERSION, "caps": list(CAPS), "channels": list(CHANNELS), "t": now}
            if cmd == "ping":
                return {"id": rid, "ok": True, "pong": True, "t": now}
            if cmd == "get":
                return {"id": rid, "ok": True, "levels": self.levels(), "targets": self.targets(),
                        "ramping": self.ramping()}
            if cmd == "set":
                return self._set(req, rid, now)
            if cmd == "identify":
                ms = p.number(req, "ms", 0, MAX_IDENTIFY_MS, 2000)
                self.led.identify(now, int(ms))
                return {"id": rid, "ok": True, "ms": int(ms)}
            if cmd == "maintenance":
                return {"id": rid, "ok": True, "maintenance": True}
        except ValueError as exc:
            return p.error(p.BAD_VALUE, str(exc), rid)
        return p.error(p.UNKNOWN_COMMAND, "unknown command", rid)

    def _set(self, req, rid, now):
        for name in req:
            if name not in SET_FIELDS:
                raise ValueError(f"unknown field {name}")
        wanted = {}
        for name in CHANNELS:
            if name in req:
                wanted[name] = p.number(req, name, 0, 100)
        if not wanted:
            raise ValueError("give key and/or fill, in percent")
        ramp = p.number(req, "ramp_ms", 0, MAX_RAMP_MS, DEFAULT_RAMP_MS)
        for name in wanted:
            self.channels[name].set(wanted[name], ramp, now)
        self.store.want(self.targets())
        return {"id": rid, "ok": True, "targets": self.targets(), "ramp_ms": int(ramp)}

    def ramping(self):
        return any(self.channels[name].ramping() for name in CHANNELS)

    # -- the loop -------------------------------------------------------------
    def step(self):
        now = self.board.now()
        data = self.io.read()
        maintenance = False
        if data:
            for line in self.reader.feed(data):
                try:
                    reply = self.handle(line, now)
                except Exception as exc:  # noqa: BLE001 - the board must keep answering
                    reply = p.error(p.BAD_REQUEST, f"internal: {exc!r}")
                if not reply.get("ok"):
                    self.errors += 1
                elif reply.get("maintenance"):
                    maintenance = True
                self.send(reply)
        event = self.button.poll(now)
        if event is not None:
            self.led.activity(now)
            if self.session:
                self.events_sent += 1
                self.send({"event": "button", "press": event[0], "t": event[1], "n": self.button.presses})
        for name in CHANNELS:
            self.channels[name].tick(now)
        self.led.tick(now)
        self.store.tick(now, force=maintenance)
        self.board.feed()
        if maintenance:
            self.board.maintenance()

    def run(self, sleep_ms):
        while True:
            self.step()
            sleep_ms(1)
