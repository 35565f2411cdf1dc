"""A ``cagette`` command a journey keeps running (a server) while its next steps use it."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from tests.e2e.journeys.harness import Journey


@contextmanager
def running(j: Journey, step: str, *args: str, given: object = None, stop: int = signal.SIGINT
            ) -> Iterator[subprocess.Popen[str]]:
    """``python -m cagette ARGS`` started as the step *step*, its stdout and stderr piped; stopped with *stop*
    (then killed if it lingers) when the block ends, however it ends."""
    with j.step(step, given):
        proc = subprocess.Popen([sys.executable, "-m", "cagette", *args], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=j.env)
    try:
        yield proc
    finally:
        proc.send_signal(stop)
        try:
            proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


def listening(proc: subprocess.Popen[str], port: int, timeout: float = 60.0) -> None:
    """Wait until *proc* listens on 127.0.0.1:*port*; if it ends first, fail with what it said."""
    import socket
    import time

    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise AssertionError(f"the command ended ({proc.returncode}) before it listened: "
                                 + (proc.stderr.read() if proc.stderr else "")[-800:])
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise AssertionError(f"nothing listens on port {port} after {timeout:.0f} s") from None
            time.sleep(0.05)
