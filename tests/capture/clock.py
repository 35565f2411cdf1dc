"""A clock the test moves: waiting jumps ahead at once, so pacing and accounting are exact, whatever the load."""

from __future__ import annotations

import threading


class ManualClock:
    """Time starts at 0 and moves only by :meth:`advance` or by waiting, which jumps ahead instantly.

    With *limit*, time stops there: a wait that would pass it blocks until its event is set (the code under
    test is stopped), and :attr:`stopped` tells the test that the limit is reached."""

    def __init__(self, limit: float | None = None) -> None:
        self.t = 0.0
        self.limit = limit
        self.stopped = threading.Event()
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self.t

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.t += seconds

    def wait(self, event: threading.Event, seconds: float) -> bool:
        if event.is_set():
            return True
        with self._lock:
            if self.limit is None or self.t + max(0.0, seconds) <= self.limit + 1e-9:
                self.t += max(0.0, seconds)
                return event.is_set()
        self.stopped.set()
        event.wait()
        return True
