"""The simulated studio controller: the real firmware on a stand-in Pico, behind a pseudo-terminal.

:class:`SimulatedStudio` makes a pseudo-terminal pair, starts ``firmware/sim/studio.py`` with its
master side under MicroPython's Unix port (CPython when MicroPython is not installed: the firmware
runs on both), and drives the stand-in board through its *bench* (JSON lines on the process's
standard input and output): press the button, read the pins, step the clock. The slave side,
:attr:`SimulatedStudio.port`, is what the host's driver opens, as it would ``/dev/ttyACM0``.

The board is powered by its USB cable, as a Pico usually is: :meth:`unplug` stops it, :meth:`plug`
boots it again on a new port, with the same flash (its saved light levels).
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import tty
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cagette.errors import DeviceError
from cagette.i18n import _

# A real contact: it closes with bounces for ~11 ms, and opens with bounces too (board ms, level).
PRESS_BOUNCES = ((0, 0), (2, 1), (4, 0), (7, 1), (11, 0))
RELEASE_BOUNCES = ((0, 1), (3, 0), (5, 1), (8, 0), (12, 1))
SHORT_HOLD_MS = 80
LONG_HOLD_MS = 1000  # past the firmware's 800 ms
BUTTON_PIN = 15
HEAP = "192K"  # about what MicroPython leaves free on a Raspberry Pi Pico


@dataclass(frozen=True)
class Interpreter:
    name: str  # "micropython" or "cpython"
    command: tuple[str, ...]

    @property
    def label(self) -> str:
        return "MicroPython" if self.name == "micropython" else "CPython"


def micropython() -> Interpreter | None:
    """MicroPython's Unix port, when installed (the ``test`` extra brings it), else None."""
    if os.environ.get("CAGETTE_MICROPYTHON"):
        return Interpreter("micropython", (os.environ["CAGETTE_MICROPYTHON"], "-X", f"heapsize={HEAP}"))
    found = shutil.which("micropython", path=str(Path(sys.executable).parent)) or shutil.which("micropython")
    if found:
        return Interpreter("micropython", (found, "-X", f"heapsize={HEAP}"))
    if importlib.util.find_spec("micropython_unix") is not None:
        return Interpreter("micropython", (sys.executable, "-m", "micropython_unix", "-X", f"heapsize={HEAP}"))
    return None


def cpython() -> Interpreter:
    return Interpreter("cpython", (sys.executable, "-I"))


def choose(name: str = "auto") -> Interpreter:
    """``micropython``, ``cpython``, or ``auto`` (MicroPython when installed)."""
    if name == "cpython":
        return cpython()
    found = micropython()
    if found is None and name == "micropython":
        raise DeviceError(
            _("MicroPython's Unix port is not installed."),
            _("Install the test tools (pip install 'cagette[test]'), or simulate on CPython (--python)."),
        )
    return found or cpython()


def sim_dir() -> Path:
    from cagette.device.flash import firmware_dir

    return firmware_dir() / "sim"


class SimulatedStudio:
    """The firmware in a child process, its USB port a pseudo-terminal."""

    def __init__(self, workdir: Path, interpreter: Interpreter | None = None, *, paused: bool = False,
                 start_ms: int = 1000, script: Path | None = None) -> None:
        self.workdir = Path(workdir)
        self.interpreter = interpreter or choose()
        self.paused = paused
        self.start_ms = start_ms
        self.script = script or sim_dir() / "studio.py"
        self.port = ""
        self.master = -1
        self.impl: dict[str, Any] = {}
        self.boots = 0
        self.events: list[tuple[int, float]] = []  # (board ms, host perf_counter) of each event a host got
        self.on_note: Callable[[dict[str, Any]], None] | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._ctl_w = -1
        self._ids = 0
        self._lock = threading.Lock()
        self._replies: dict[int, list[Any]] = {}
        self._marks: dict[int, list[float]] = {}
        self._ready = threading.Event()
        self._booted = False
        self._said: list[str] = []
        self._reader: threading.Thread | None = None

    @property
    def flash(self) -> Path:
        return self.workdir / ("flash.img" if self.interpreter.name == "micropython" else "flash")

    @property
    def log(self) -> Path:
        return self.workdir / "board.log"

    # -- the cable ------------------------------------------------------------------------
    def start(self, timeout: float = 20.0) -> SimulatedStudio:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.plug(timeout)
        return self

    def plug(self, timeout: float = 20.0) -> str:
        """Power the board on a new pseudo-terminal; its port."""
        master, slave = os.openpty()
        tty.setraw(master)
        fcntl.fcntl(master, fcntl.F_SETFL, fcntl.fcntl(master, fcntl.F_GETFL) | os.O_NONBLOCK)
        self.port = os.ttyname(slave)
        os.close(slave)  # no host yet: the board sees a hang-up, as a USB port without a terminal
        ctl_r, ctl_w = os.pipe()
        fcntl.fcntl(ctl_r, fcntl.F_SETFL, fcntl.fcntl(ctl_r, fcntl.F_GETFL) | os.O_NONBLOCK)
        cmd = [*self.interpreter.command, str(self.script), str(master), str(self.flash.resolve()),
               "paused" if self.paused else "run", str(self.start_ms)]
        self._ready.clear()
        self._booted = False
        with self.log.open("ab") as log:
            self._proc = subprocess.Popen(cmd, stdin=ctl_r, stdout=subprocess.PIPE, stderr=log,
                                          pass_fds=(master,), cwd=self.workdir, start_new_session=True)
        os.close(ctl_r)
        self.master, self._ctl_w = master, ctl_w
        self._reader = threading.Thread(target=self._read, args=(self._proc,), name="sim-bench", daemon=True)
        self._reader.start()
        if not self._ready.wait(timeout) or not self._booted:
            error = self._failure()
            self.unplug()
            raise DeviceError(_("The simulated board did not start: {error}").format(error=error),
                              _("Run the same command with --python to simulate on CPython."))
        return self.port

    def unplug(self) -> None:
        """Pull the cable: the board loses power."""
        proc, self._proc = self._proc, None
        if proc is not None:
            with contextlib.suppress(OSError):
                self._send({"op": "quit"})
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait(5)
        if self._reader is not None:  # it reads to the end of what the board said, then its pipe is closed
            self._reader.join(5)
            self._reader = None
        if proc is not None and proc.stdout is not None:
            proc.stdout.close()
        for fd in (self.master, self._ctl_w):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.master = self._ctl_w = -1
        with self._lock:
            for slot in self._replies.values():
                slot[0].set()

    def close(self) -> None:
        self.unplug()

    def __enter__(self) -> SimulatedStudio:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _failure(self) -> str:
        try:
            lines = self.log.read_text(errors="replace").strip().splitlines()
        except OSError:
            lines = []
        lines += [line for line in self._said if line.strip()]
        return lines[-1] if lines else _("it stopped without a word")

    # -- the bench ------------------------------------------------------------------------
    def _send(self, obj: dict[str, Any]) -> None:
        if self._ctl_w < 0:
            raise OSError("the simulated board is unplugged")
        os.write(self._ctl_w, json.dumps(obj).encode() + b"\n")

    def _read(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            try:
                msg = json.loads(raw)
            except ValueError:  # MicroPython prints its tracebacks on standard output
                self._said = [*self._said[-19:], raw.decode(errors="replace").rstrip()]
                continue
            if "note" in msg:
                self._note(msg)
                continue
            with self._lock:
                slot = self._replies.get(msg.get("id"))
            if slot is not None:
                slot[1] = msg
                slot[0].set()
        self._ready.set()  # the board is gone: whoever waits for its boot wakes up to see it
        with self._lock:
            for slot in self._replies.values():
                slot[0].set()

    def _note(self, msg: dict[str, Any]) -> None:
        now = time.perf_counter()
        kind = msg["note"]
        if kind == "ready":
            self.impl = msg
        elif kind == "boot":
            self.boots = int(msg["n"])
            self._booted = True
            self._ready.set()
        elif kind == "event" and msg.get("delivered"):
            self.events.append((int(msg["t"]), now))
        elif kind == "mark":
            slot = self._marks.get(int(msg["t"]))
            if slot is not None:
                slot.append(now)
        if self.on_note is not None:
            self.on_note(msg)

    def call(self, op: str, timeout: float = 30.0, **fields: Any) -> dict[str, Any]:
        """One bench request and its reply."""
        with self._lock:
            self._ids += 1
            req_id = self._ids
            slot: list[Any] = [threading.Event(), None]
            self._replies[req_id] = slot
        try:
            self._send({"id": req_id, "op": op, **fields})
            if not slot[0].wait(timeout) or slot[1] is None:
                raise DeviceError(_("The simulated board stopped answering: {error}").format(error=self._failure()),
                                  None)
            reply: dict[str, Any] = slot[1]
        finally:
            with self._lock:
                self._replies.pop(req_id, None)
        if not reply.get("ok"):
            raise DeviceError(str(reply.get("error")), None)
        return reply

    def state(self) -> dict[str, Any]:
        return self.call("state")

    def run(self, ms: int) -> int:
        """Paused board: run the firmware's loop for *ms* milliseconds of board time; the time."""
        return int(self.call("run", ms=int(ms))["t"])

    def press(self, hold_ms: int = SHORT_HOLD_MS, at: int | None = None, bounce: bool = True) -> tuple[int, int]:
        """Press and release the shutter (bouncing contacts); the board times the press starts and
        the release settles."""
        down = PRESS_BOUNCES if bounce else ((0, 0),)
        up = RELEASE_BOUNCES if bounce else ((0, 1),)
        changes = [[dt, v] for dt, v in down] + [[hold_ms + dt, v] for dt, v in up]
        start = int(self.call("press", pin=BUTTON_PIN, changes=changes, at=at)["start"])
        return start, start + hold_ms + up[-1][0]

    def play(self, changes: list[tuple[int, int]], at: int | None = None) -> int:
        """Raw level changes on the button's pin, *changes* relative to *at* (default: now + 5 ms)."""
        return int(self.call("press", pin=BUTTON_PIN, changes=[list(c) for c in changes], at=at)["start"])

    def mark(self, total_ms: int) -> list[float]:
        """A list that receives the host's ``perf_counter()`` when board time reaches *total_ms*."""
        slot: list[float] = []
        self._marks[total_ms] = slot
        self.call("mark", t=total_ms)
        return slot

    def wait_board_time(self, total_ms: int, timeout: float = 30.0) -> None:
        """Wait until the running board's clock reaches *total_ms*."""
        slot = self.mark(total_ms)
        deadline = time.monotonic() + timeout
        while not slot:
            if time.monotonic() > deadline or not self.alive:
                raise DeviceError(_("The simulated board's clock stopped at {t} ms.").format(
                    t=self.state()["t"] if self.alive else "?"), None)
            time.sleep(0.002)
