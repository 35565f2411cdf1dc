"""The shutter: one small interface yielding shutter events.

A *trigger* is anything that says "take a frame now" (short press) or "the
second action" (long press: remove the last frame, or start/stop a
recording): a key on the keyboard, a USB presenter or foot pedal (they send
ordinary keys), the studio controller's button (:mod:`cagette.device`), or a
timer (timelapse). Capture only reads :class:`ShutterEvent` values from a
:class:`Trigger`; whoever produces them pushes into a :class:`QueueTrigger`.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol


class Press(StrEnum):
    SHORT = "short"  # take a frame / start-stop recording
    LONG = "long"  # second action: remove the last frame


@dataclass(frozen=True)
class ShutterEvent:
    press: Press
    time_s: float  # host time.monotonic() when the event was received
    source: str  # "key", "device", "timer", "test"...
    board_ms: int | None = None  # the board's own timestamp, when it has one


class Trigger(Protocol):
    def get(self, timeout: float | None = None) -> ShutterEvent | None:
        """The next event, or None after *timeout* seconds (or once closed)."""

    def close(self) -> None: ...


class QueueTrigger:
    """A thread-safe trigger fed by :meth:`push` (keys, the board, tests)."""

    def __init__(self) -> None:
        self._queue: queue.Queue[ShutterEvent | None] = queue.Queue()
        self.closed = False

    def push(self, press: Press = Press.SHORT, source: str = "key", board_ms: int | None = None) -> ShutterEvent:
        event = ShutterEvent(Press(press), time.monotonic(), source, board_ms)
        self._queue.put(event)
        return event

    def get(self, timeout: float | None = None) -> ShutterEvent | None:
        if self.closed and self._queue.empty():
            return None
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        self.closed = True
        self._queue.put(None)

    def __iter__(self) -> Iterator[ShutterEvent]:
        while True:
            event = self.get()
            if event is None:
                return
            yield event


class TimerTrigger:
    """A short press every *every_s* seconds (timelapse). *clock* and *sleep* are
    ``time.monotonic`` and ``time.sleep`` unless a test gives its own."""

    def __init__(self, every_s: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if every_s <= 0:
            raise ValueError("every_s must be positive")
        self.every_s = every_s
        self.clock = clock
        self.sleep = sleep
        self._next = clock() + every_s
        self.closed = False

    def get(self, timeout: float | None = None) -> ShutterEvent | None:
        if self.closed:
            return None
        wait = self._next - self.clock()
        if timeout is not None and wait > timeout:
            self.sleep(max(0.0, timeout))
            return None
        self.sleep(max(0.0, wait))
        self._next += self.every_s
        return ShutterEvent(Press.SHORT, self.clock(), "timer")

    def close(self) -> None:
        self.closed = True


# -- keys: the keyboard, USB presenters and foot pedals ------------------------------

#: Key names → press. Presenters send PageDown/Right ("next slide") and
#: PageUp/Left; foot pedals are usually set to space, Enter or a letter.
KEY_PRESSES: dict[str, Press] = {
    "space": Press.SHORT, "enter": Press.SHORT, "pagedown": Press.SHORT, "right": Press.SHORT,
    "down": Press.SHORT, "backspace": Press.LONG, "d": Press.LONG, "pageup": Press.LONG, "left": Press.LONG,
}
STOP_KEYS = frozenset({"q", "escape", "ctrl-c", "ctrl-d"})

_SEQUENCES = {
    b"\x1b[6~": "pagedown", b"\x1b[5~": "pageup", b"\x1b[C": "right", b"\x1b[D": "left",
    b"\x1b[B": "down", b"\x1b[A": "up", b"\x1bOC": "right", b"\x1bOD": "left", b"\x1bOB": "down", b"\x1bOA": "up",
}
_SINGLE = {b" ": "space", b"\r": "enter", b"\n": "enter", b"\x7f": "backspace", b"\x08": "backspace",
           b"\x03": "ctrl-c", b"\x04": "ctrl-d"}


class KeyDecoder:
    """Bytes from a terminal → key names (``space``, ``pagedown``, ``d``...)."""

    def __init__(self) -> None:
        self._buf = b""

    def feed(self, data: bytes, final: bool = False) -> list[str]:
        self._buf += data
        keys: list[str] = []
        while self._buf:
            if self._buf[:1] == b"\x1b":
                for seq, name in _SEQUENCES.items():
                    if self._buf.startswith(seq):
                        keys.append(name)
                        self._buf = self._buf[len(seq):]
                        break
                else:
                    if len(self._buf) < 4 and not final and any(s.startswith(self._buf) for s in _SEQUENCES):
                        break  # wait for the rest of the sequence
                    if len(self._buf) >= 2 and self._buf[1:2] == b"[":
                        # an unknown CSI sequence: skip it up to its final byte
                        end = next((i for i in range(2, len(self._buf)) if 0x40 <= self._buf[i] <= 0x7E), None)
                        if end is None and not final:
                            break
                        self._buf = self._buf[(end or len(self._buf) - 1) + 1:]
                        continue
                    keys.append("escape")
                    self._buf = self._buf[1:]
                continue
            one = self._buf[:1]
            self._buf = self._buf[1:]
            keys.append(_SINGLE.get(one, one.decode("latin-1").lower()))
        return keys


class KeyTrigger(QueueTrigger):
    """Shutter events from a terminal's keys, read in a thread.

    Space, Enter, PageDown, Right or Down: short press (take a frame);
    Backspace, ``d``, PageUp or Left: long press (remove the last frame);
    ``q`` or Escape: close. *fd* is a terminal (put in cbreak mode while
    reading) or any readable file descriptor (a pipe, a pty in tests).
    """

    def __init__(self, fd: int | None = None, on_key: Callable[[str], None] | None = None) -> None:
        super().__init__()
        import sys

        self.fd = sys.stdin.fileno() if fd is None else fd
        self.on_key = on_key
        self._stop_r, self._stop_w = os.pipe()
        # cbreak before the thread starts, so no key is ever line-buffered
        self._saved: Any = None
        try:
            import termios
            import tty

            if os.isatty(self.fd):
                self._saved = termios.tcgetattr(self.fd)
                tty.setcbreak(self.fd)
        except (ImportError, OSError):
            self._saved = None
        self._thread = threading.Thread(target=self._run, name="cagette-keys", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import select

        saved = self._saved
        decoder = KeyDecoder()
        try:
            while not self.closed:
                ready, _w, _x = select.select([self.fd, self._stop_r], [], [], 0.5)
                if self._stop_r in ready:
                    break
                if self.fd not in ready:
                    continue
                try:
                    data = os.read(self.fd, 64)
                except OSError:
                    data = b""
                if not data:
                    break
                for key in decoder.feed(data):
                    if self.on_key:
                        self.on_key(key)
                    if key in STOP_KEYS:
                        QueueTrigger.close(self)
                        return
                    press = KEY_PRESSES.get(key)
                    if press is not None:
                        self.push(press, source="key")
        finally:
            if saved is not None:
                import termios

                termios.tcsetattr(self.fd, termios.TCSADRAIN, saved)
            if not self.closed:
                QueueTrigger.close(self)

    def close(self) -> None:
        if not self.closed:
            QueueTrigger.close(self)
        try:
            os.write(self._stop_w, b"x")
        except OSError:
            pass
        self._thread.join(timeout=2)
        for fd in (self._stop_r, self._stop_w):
            try:
                os.close(fd)
            except OSError:
                pass
