"""The time capture goes by, injectable: the machine's monotonic clock, or one a test drives.

Pacing (a live view's rate, a still URL polled a few times a second, stop-motion playback), reconnection
back-off and the accounting of a source (arrival times, time without signal, dropped frames) read the time
and wait through a :class:`Clock`, so their behaviour can be proved exactly with a clock a test moves,
never by timing a busy machine.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds on a monotonic scale."""

    def wait(self, event: threading.Event, seconds: float) -> bool:
        """Wait *seconds*, or until *event* is set; True when it is set."""


class SystemClock:
    """The machine's monotonic clock."""

    def now(self) -> float:
        return time.monotonic()

    def wait(self, event: threading.Event, seconds: float) -> bool:
        return event.wait(max(0.0, seconds))


SYSTEM = SystemClock()
