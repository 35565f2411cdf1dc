"""One progress and cancellation primitive for every long job.

A job receives a :class:`Progress` and calls :meth:`Progress.start`,
:meth:`Progress.advance` or :meth:`Progress.update`, and
:meth:`Progress.check` at safe points. The front end gives it a callback
that draws: the CLI as a bar with an ETA on stderr, the TUI as a widget.
Cancelling (Ctrl-C, a Cancel button) sets the :class:`CancelToken`; the next
:meth:`Progress.check` raises :class:`~cagette.errors.Cancelled`, and the
job's ``finally`` blocks remove what it had half written.

The core never prints: a job with no callback runs silently.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from cagette.errors import Cancelled
from cagette.i18n import _


class CancelToken:
    """A flag shared between a job and whoever may cancel it (thread-safe)."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled(_("Cancelled."), _("Nothing was kept of the unfinished work."))


@dataclass(frozen=True)
class ProgressEvent:
    """A snapshot of a job's progress, as drawn by a front end."""

    task: str
    done: float
    total: float | None
    unit: str
    elapsed_s: float
    message: str = ""
    finished: bool = False

    @property
    def fraction(self) -> float | None:
        if not self.total:
            return None
        return max(0.0, min(1.0, self.done / self.total))

    @property
    def eta_s(self) -> float | None:
        """Seconds left, extrapolated from the rate so far (None if unknown)."""
        fraction = self.fraction
        if fraction is None or fraction <= 0 or self.elapsed_s <= 0:
            return None
        return self.elapsed_s * (1 - fraction) / fraction


Callback = Callable[[ProgressEvent], None]


class Progress:
    """What a long job reports through; cheap to call often.

    ``min_interval_s`` throttles callbacks (the last update of a task is
    always delivered).
    """

    def __init__(
        self,
        callback: Callback | None = None,
        token: CancelToken | None = None,
        min_interval_s: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.callback = callback
        self.clock = clock
        self.token = token or CancelToken()
        self.min_interval_s = min_interval_s
        self.task = ""
        self.total: float | None = None
        self.unit = ""
        self.done = 0.0
        self.message = ""
        self._started = self.clock()
        self._last_emit = 0.0

    # reporting ---------------------------------------------------------------
    def start(self, task: str, total: float | None = None, unit: str = "") -> None:
        self.check()
        self.task, self.total, self.unit, self.done, self.message = task, total, unit, 0.0, ""
        self._started = self.clock()
        self._emit(force=True)

    def update(self, done: float, message: str | None = None) -> None:
        self.done = done
        if message is not None:
            self.message = message
        self._emit()
        self.check()

    def advance(self, amount: float = 1.0, message: str | None = None) -> None:
        self.update(self.done + amount, message)

    def finish(self, message: str = "") -> None:
        if self.total is not None:
            self.done = self.total
        self.message = message
        self._emit(force=True, finished=True)

    def event(self, finished: bool = False) -> ProgressEvent:
        return ProgressEvent(
            self.task, self.done, self.total, self.unit,
            self.clock() - self._started, self.message, finished,
        )

    def _emit(self, force: bool = False, finished: bool = False) -> None:
        if self.callback is None:
            return
        now = self.clock()
        if not force and now - self._last_emit < self.min_interval_s:
            return
        self._last_emit = now
        self.callback(self.event(finished))

    # cancellation -----------------------------------------------------------
    def check(self) -> None:
        """Raise :class:`Cancelled` if the job was cancelled."""
        self.token.raise_if_cancelled()

    @property
    def cancelled(self) -> bool:
        return self.token.cancelled


def silent() -> Progress:
    """A progress that reports to nobody (the default of every job)."""
    return Progress()


def format_duration(seconds: float | None) -> str:
    """``1:05`` / ``1:02:03`` / ``--:--`` when unknown."""
    if seconds is None or seconds != seconds or seconds < 0:
        return "--:--"
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


TERMINATION = tuple(s for s in (signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None)


@contextlib.contextmanager
def _handled(handler: Callable[[int, Any], None], signals: Iterable[int]) -> Iterator[dict[int, Any]]:
    """*handler* for each of *signals* while the block runs, the previous handlers (yielded) back after.
    Main thread only: Python sets handlers nowhere else, and elsewhere the block runs as it is."""
    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for sig in signals:
            previous[sig] = signal.signal(sig, handler)
    try:
        yield previous
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """SIGTERM and SIGHUP interrupt like Ctrl-C while the block runs (a long job's cleanup then runs)."""

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    with _handled(stop, TERMINATION):
        yield


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C (and the signals a job turned into it) while native code runs Python of its own.

    A compiled extension's import (OCCT's, VTK's) runs Python code from C: a KeyboardInterrupt raised
    in there is turned into an ``ImportError``, or leaves the interpreter marked as killed by SIGINT
    however the program ends. Held here, the signal is delivered as soon as the block ends, from plain
    Python. Main thread only; elsewhere the block runs as it is."""
    held: list[tuple[int, Any]] = []
    caught = [s for s in (signal.SIGINT, *TERMINATION) if callable(signal.getsignal(s))]
    previous: dict[int, Any] = {}
    try:
        with _handled(lambda signum, frame: held.append((signum, frame)), caught) as previous:
            yield
    finally:
        if held:
            signum, frame = held[0]
            previous[signum](signum, frame)
