"""The studio controller, simulated: the real firmware over a real pty.

:class:`SimDevice` runs ``cagette_fw.app.App`` on ``hw_pico.Board`` (fake
``machine``) in a thread that reads and writes the master side of a pty pair;
the host opens :attr:`SimDevice.port` (the slave) with pyserial, as it would
``/dev/ttyACM0``. Board time is a :class:`FakeClock` moved 1 ms per turn of
the loop, so button waveforms are played in board time, reproducibly.
"""

from __future__ import annotations

import os
import select
import threading
import time
import tty
from pathlib import Path
from typing import Any

from tests.device import fake_machine
from tests.device.fake_machine import FakeClock

# A real contact: closes with bounces for ~11 ms, opens with bounces too.
PRESS_BOUNCES = [(0, 0), (2, 1), (4, 0), (7, 1), (11, 0)]
RELEASE_BOUNCES = [(0, 1), (3, 0), (5, 1), (8, 0), (12, 1)]


class MemoryIO:
    """Bytes in and out, for driving :class:`App` without a pty."""

    def __init__(self) -> None:
        self.inbox = b""
        self.out = b""

    def read(self) -> bytes:
        data, self.inbox = self.inbox, b""
        return data

    def write(self, data: bytes) -> None:
        self.out += data

    def take_lines(self) -> list[bytes]:
        lines = self.out.split(b"\n")
        self.out = lines.pop()
        return lines


class PtyIO:
    def __init__(self, master: int) -> None:
        self.master = master

    def read(self) -> bytes:
        try:
            ready, _, _ = select.select([self.master], [], [], 0)
            if not ready:
                return b""
            return os.read(self.master, 1024)
        except OSError:  # EIO: no host has the port open right now
            return b""

    def write(self, data: bytes) -> None:
        os.write(self.master, data)


def make_app(tmp: Path, io: Any, clock: FakeClock | None = None, watchdog: bool = True) -> Any:
    clock = clock or FakeClock(1000)
    fake_machine.reset_state(clock)
    mods = fake_machine.firmware_modules()
    board = mods["hw_pico"].Board(clock=clock, watchdog=watchdog, flag=str(tmp / "maintenance"))
    return mods["app"].App(board, io, str(tmp / "levels.json"))


class SimDevice:
    def __init__(self, tmp: Path, clock: FakeClock | None = None) -> None:
        self.clock = clock or FakeClock(1000)
        self.master = -1
        self.port = ""
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._marks: dict[int, list[float]] = {}  # board time -> [host perf_counter when reached]
        self.io = PtyIO(-1)
        self.app = make_app(tmp, self.io, self.clock)
        self.state = fake_machine.state()
        self.plug()

    # -- the cable -------------------------------------------------------------
    def plug(self) -> str:
        master, slave = os.openpty()
        tty.setraw(master)
        self.port = os.ttyname(slave)
        os.close(slave)
        self.master = master
        self.io.master = master
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="sim-device", daemon=True)
        self._thread.start()
        return self.port

    def unplug(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        if self.master >= 0:
            os.close(self.master)
            self.master = -1
        self.app.session = False

    def close(self) -> None:
        self.unplug()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                select.select([self.master], [], [], 0.001)
            except (OSError, ValueError):
                return
            total = self.clock.advance(1)
            if self._marks:
                for t in [t for t in self._marks if t <= total and not self._marks[t]]:
                    self._marks[t].append(time.perf_counter())
            self.app.step()

    def mark(self, total_ms: int) -> list[float]:
        """A list that receives the host's ``perf_counter()`` when board time reaches *total_ms*."""
        slot: list[float] = []
        self._marks[total_ms] = slot
        return slot

    # -- the button --------------------------------------------------------------
    @property
    def button(self) -> Any:
        return self.state.pins[15]

    def press(self, hold_ms: int = 80, at: int | None = None, bounce: bool = True) -> tuple[int, int]:
        """Press and release the shutter (bouncing contacts); returns the board
        times the press starts and the release ends."""
        start = at if at is not None else self.clock.total + 5
        down = PRESS_BOUNCES if bounce else [(0, 0)]
        up = RELEASE_BOUNCES if bounce else [(0, 1)]
        changes = [(start + dt, v) for dt, v in down] + [(start + hold_ms + dt, v) for dt, v in up]
        self.button.play(changes)
        return start, start + hold_ms + up[-1][0]

    def wait_board_time(self, total_ms: int, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while self.clock.total < total_ms:
            if time.monotonic() > deadline:
                raise TimeoutError(f"board time stuck at {self.clock.total}")
            time.sleep(0.002)


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
