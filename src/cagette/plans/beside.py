"""Some steps of a kit built in a second process while this one builds the others.

The cut files (DXF, through ezdxf) are a third of a 2D kit's time and share nothing with the PDF,
the templates and the view, so a command-line build forks a child for them (:data:`STEPS`) and the
two cores work at once. The child writes into the same staging folder; its files count only once it
said so. Only where forking is safe and worth it (:func:`possible`): the main thread of a process
with no other thread (never in the app, whose threads a fork would copy half-way), two cores or more.

The child ignores Ctrl-C (the terminal sends it to both): the parent stops it (SIGTERM) and cleans
the staging folder, so an interrupt is handled once, by the process that prints it.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from cagette.errors import CagetteError, Cancelled, ParameterError, PlansError, UsageError
from cagette.progress import TERMINATION, interrupts_deferred

STEPS = ("dxf", "coupon")  # ezdxf's: the import and the writing of every cut file

_ERRORS: dict[str, type[CagetteError]] = {cls.__name__: cls for cls in (
    CagetteError, Cancelled, ParameterError, PlansError, UsageError)}


def possible() -> bool:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return (hasattr(os, "fork") and cores >= 2 and threading.current_thread() is threading.main_thread()
            and threading.active_count() == 1)


def _child(conn: Any, run: Callable[[], dict[str, str]]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for sig in TERMINATION:
        signal.signal(sig, signal.SIG_DFL)
    try:
        conn.send(("ok", run()))
    except CagetteError as exc:
        name = next((c.__name__ for c in type(exc).__mro__ if c.__name__ in _ERRORS), "CagetteError")
        conn.send(("error", name, exc.message, exc.hint))
    except Exception as exc:  # noqa: BLE001 - carried to the parent, which reports it as its own
        conn.send(("crash", repr(exc)))
    finally:
        conn.close()


class Beside:
    """The child's work: :meth:`result` waits for it (interruptible) and returns its written files."""

    def __init__(self, run: Callable[[], dict[str, str]]) -> None:
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        self._conn, child_end = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_child, args=(child_end, run), name="cagette-kit-beside", daemon=True)
        self._proc.start()
        child_end.close()

    def result(self) -> dict[str, str]:
        try:
            answer = self._conn.recv()
        except EOFError:
            self._proc.join()
            raise PlansError(f"the second build process stopped (exit {self._proc.exitcode})",
                             "Run again; if it happens again, run with --debug and report it.") from None
        self._proc.join()
        if answer[0] == "ok":
            written: dict[str, str] = answer[1]
            return written
        if answer[0] == "error":
            raise _ERRORS[answer[1]](answer[2], answer[3])
        raise RuntimeError(answer[1])

    def stop(self) -> None:
        if self._proc.is_alive():
            self._proc.terminate()
        self._proc.join()
        self._conn.close()


@contextmanager
def beside(run: Callable[[], dict[str, str]] | None) -> Iterator[Beside | None]:
    """*run* in a child process (None: nothing to run beside); stopped if the block fails."""
    if run is None:
        yield None
        return
    job: Beside | None = None
    try:
        with interrupts_deferred():  # a Ctrl-C as the child starts finds it known, to be stopped below
            job = Beside(run)
        yield job
    finally:
        if job is not None:
            with interrupts_deferred():  # stopped and waited for before the staging folder is cleaned
                job.stop()
