# SPDX-License-Identifier: EUPL-1.2
"""The simulated studio controller: the firmware's own code on a stand-in Pico.

``cagette device simulate`` and the tests run it under MicroPython's Unix port (or CPython)::

    micropython firmware/sim/studio.py USB_FD FLASH [paused] [START_MS]

* ``USB_FD``: the master side of a pseudo-terminal, made non-blocking by the host; the host's driver
  opens the other side as it would ``/dev/ttyACM0``;
* ``FLASH``: the board's flash (a LittleFS image on MicroPython, a folder on CPython), kept across
  boots, so levels come back after a power cycle or a watchdog reset;
* ``paused``: board time moves only when the bench says so (``run``); otherwise one millisecond per
  turn of the loop, about the real pace;
* standard input and output: the *bench*, JSON lines (``{"id": 1, "op": "state"}`` →
  ``{"id": 1, ...}``), to press the button, read the pins and step the clock; unasked ``note`` lines
  say when the board booted, sent a button event or reached a marked time.

What this file adds to the firmware is the board around it (``machine.py``) and the USB port of the
pseudo-terminal; ``main.py``'s boot logic is repeated in :meth:`Sim.boot`.
"""

import json
import os
import select
import sys


def _absolute(path):
    return path if path.startswith("/") else os.getcwd() + "/" + path


HERE = _absolute(__file__).rsplit("/", 1)[0]
sys.path[:] = [HERE, HERE.rsplit("/", 1)[0]] + [p for p in sys.path if p.startswith("/") or p == ".frozen"]

import machine  # noqa: E402 - the stand-in next to this file, not the built-in one

POLLHUP = getattr(select, "POLLHUP", 16)


def open_fd(fd, mode):
    try:
        return open(fd, mode, buffering=0)
    except TypeError:
        return open(fd, mode)


class UsbPort:
    """The Pico's USB serial, as the pseudo-terminal's master side.

    Like USB CDC, bytes written while no host has the port open are lost (the firmware's ``send``
    sees an ``OSError`` and waits for the next ``hello``), and reading then gives nothing.
    """

    def __init__(self, fd):
        self.f = open_fd(fd, "r+b")
        self.poller = select.poll()
        self.poller.register(fd, select.POLLIN)

    def host_present(self):
        return all(not ev & POLLHUP for _fd, ev in self.poller.poll(0))

    def read(self):
        try:
            data = self.f.read(512)
        except OSError:  # EIO: no host right now
            return b""
        return data or b""

    def write(self, data):
        if not self.host_present():
            raise OSError(5, "no host")
        done = self.f.write(data)
        if done is None or done < len(data):
            raise OSError(11, "USB buffer full")


class Bench:
    """The control channel: JSON lines on standard input and output."""

    def __init__(self):
        self.f = open_fd(0, "rb")
        self.out = sys.stdout
        self.buf = b""

    def lines(self):
        try:
            data = self.f.read(4096)
        except OSError:
            data = None
        if data == b"":
            raise SystemExit(0)  # the host went away
        if data:
            self.buf += data
        found = []
        while b"\n" in self.buf:
            line, self.buf = self.buf.split(b"\n", 1)
            if line.strip():
                found.append(json.loads(line))
        return found

    def send(self, obj):
        self.out.write(json.dumps(obj) + "\n")
        self.out.flush()


class Sim:
    def __init__(self, usb_fd, flash, paused=False):
        self.usb = UsbPort(usb_fd)
        self.bench = Bench()
        self.flash = machine.Flash(flash)
        self.paused = paused
        self.marks = []
        self.boots = 0
        self.app = None
        self.board = None
        self.running = True
        self.ctl_poller = select.poll()
        self.ctl_poller.register(0, select.POLLIN)
        self.all_poller = select.poll()
        self.all_poller.register(0, select.POLLIN)
        self.all_poller.register(usb_fd, select.POLLIN)

    # -- the board --------------------------------------------------------------------------
    def boot(self):
        """What ``main.py`` does at power-on, with the simulator's clock and USB port."""
        machine.power_on()
        self.boots += 1
        import hw_pico

        self.app = None
        self.board = None
        if hw_pico.maintenance_requested():
            self.usb_say(b"cagette: maintenance mode, REPL free for mpremote\r\n")
        else:
            from cagette_fw.app import App

            self.board = hw_pico.Board(clock=machine.ticks_ms)
            self.app = App(self.board, self.usb, "levels.json")
        self.bench.send({"note": "boot", "n": self.boots, "t": machine.total_ms(),
                         "maintenance": self.app is None})

    def usb_say(self, data):
        try:
            self.usb.write(data)
        except OSError:
            pass

    def turn(self):
        """One turn of the firmware's loop, one millisecond of board time."""
        machine.advance(1)
        if self.app is not None:
            sent = self.app.events_sent
            try:
                self.app.step()
            except machine.Reset:
                self.boot()
                return
            if self.app.events_sent != sent:  # a host that left makes the write fail: the session ends
                self.bench.send({"note": "event", "t": machine.total_ms(), "n": self.app.button.presses,
                                 "delivered": self.app.session})
        self.check_watchdog()
        if self.marks:
            now = machine.total_ms()
            for t in [t for t in self.marks if t <= now]:
                self.marks.remove(t)
                self.bench.send({"note": "mark", "t": t})

    def check_watchdog(self):
        if machine.watchdog_bites():
            self.boot()
            return True
        return False

    # -- the bench --------------------------------------------------------------------------
    def state(self):
        data = {"t": machine.total_ms(), "boots": self.boots, "resets": machine.resets(),
                "maintenance": self.app is None, "host": self.usb.host_present(),
                "pins": {}, "pwm": {}, "wdt": None, "app": None, "flash": self.flash.info()}
        for pin_id in machine.pins:
            data["pins"][str(pin_id)] = machine.pins[pin_id].info()
        for pin_id in machine.pwms:
            data["pwm"][str(pin_id)] = machine.pwms[pin_id].info()
        if machine.watchdogs:
            data["wdt"] = machine.watchdogs[-1].info()
        app = self.app
        if app is not None:
            data["app"] = {"hellos": app.hellos, "session": app.session, "presses": app.button.presses,
                           "events_sent": app.events_sent, "errors": app.errors, "levels": app.levels(),
                           "targets": app.targets(), "ramping": app.ramping(), "store_writes": app.store.writes,
                           "store_failed": app.store.failed, "led": app.led.value, "channels": {}}
            for name in app.channels:
                ch = app.channels[name]
                data["app"]["channels"][name] = {"level": ch.level, "target": ch.target, "duty": ch.duty}
        return data

    def handle(self, req):
        op = req.get("op")
        out = {"id": req.get("id"), "ok": True}
        if op == "state":
            out.update(self.state())
        elif op == "press":
            pin = machine.pins.get(req.get("pin", 15))
            start = req.get("at")
            if start is None:
                start = machine.total_ms() + 5
            pin.play([(start + dt, v) for dt, v in req["changes"]])
            out["start"] = start
        elif op == "run":
            for _ in range(int(req.get("ms", 1))):
                self.turn()
            out["t"] = machine.total_ms()
        elif op == "pause":
            self.paused = True
        elif op == "resume":
            self.paused = False
        elif op == "stall":  # the loop hangs: board time passes, nothing is fed
            machine.advance(int(req["ms"]))
            out["reset"] = self.check_watchdog()
        elif op == "mark":
            self.marks.append(int(req["t"]))
        elif op == "put":  # a file on the flash, as something else left it
            with open(req["name"], "w") as fh:
                fh.write(req["text"])
        elif op == "erase":  # a blank chip, then power on
            self.flash.erase()
            self.boot()
        elif op == "power_cycle":
            self.boot()
        elif op == "quit":
            self.running = False
        else:
            out = {"id": req.get("id"), "ok": False, "error": "unknown op " + str(op)}
        self.bench.send(out)

    def serve_bench(self):
        for req in self.bench.lines():
            self.handle(req)

    def run(self):
        self.bench.send({"note": "ready", "impl": sys.implementation.name,
                         "version": list(sys.implementation.version[:3]), "flash": self.flash.kind})
        self.boot()
        while self.running:
            if self.paused:
                self.ctl_poller.poll(-1)
                self.serve_bench()
                continue
            poller = self.all_poller if self.usb.host_present() else self.ctl_poller
            poller.poll(1)
            self.serve_bench()
            if self.running and not self.paused:
                self.turn()


def main(argv):
    machine.set_time(int(argv[4]) if len(argv) > 4 else 1000)
    Sim(int(argv[1]), argv[2], len(argv) > 3 and argv[3] == "paused").run()


if __name__ == "__main__":
    main(sys.argv)
