"""The shutter: one small interface yielding shutter events.

A *trigger* is anything that says "take a frame now" (short press) or "the
second action" (long press: remove the last frame, or start/stop a
recording): a key on the keyboard, a USB presenter or foot pedal (they send
ordinary keys), the studio controller's button (:mod:`cagette.device`), or a
timer (timelapse). Capture only reads :class:`ShutterEvent` values from a
:class:`Trigger`; whoever produces them pushes into a :class:`QueueTrigger`.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


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
    """A short press every *every_s* seconds (timelapse)."""

    def __init__(self, every_s: float) -> None:
        if every_s <= 0:
            raise ValueError("every_s must be positive")
        self.every_s = every_s
        self._next = time.monotonic() + every_s
        self.closed = False

    def get(self, timeout: float | None = None) -> ShutterEvent | None:
        if self.closed:
            return None
        wait = self._next - time.monotonic()
        if timeout is not None and wait > timeout:
            time.sleep(max(0.0, timeout))
            return None
        time.sleep(max(0.0, wait))
        self._next += self.every_s
        return ShutterEvent(Press.SHORT, time.monotonic(), "timer")

    def close(self) -> None:
        self.closed = True
