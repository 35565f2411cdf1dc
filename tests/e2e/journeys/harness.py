"""What every journey shares: run the real ``cagette`` command step by step, and say where it broke.

A journey chains the real output of one step into the next. When a step fails — the command exits
badly, or what it made does not hold up — the failure names the journey, the step and the file that
step was given, so whoever reads the report knows where the seam broke without re-running it::

    j = Journey("phone-camera", tmp_path)
    j.cli("record the phone camera", "capture", "record", str(project), url, "--scene", "1",
          given=project)
    with j.step("decode the export", given=export):
        assert frames_in_order(export)
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path


class JourneyBroke(AssertionError):
    """A step of a journey failed; the message names the journey, the step and its input."""


class Journey:
    def __init__(self, name: str, tmp_path: Path, env: dict[str, str] | None = None) -> None:
        self.name = name
        self.tmp = tmp_path
        self.env = dict(os.environ)
        if env:
            self.env.update(env)
        self.done: list[str] = []

    def _where(self, step: str, given: object) -> str:
        before = " → ".join(self.done) or "(first step)"
        return f"journey {self.name!r} broke at step {step!r} (given {given}); steps passed: {before}"

    @contextlib.contextmanager
    def step(self, step: str, given: object = None) -> Iterator[None]:
        """Run a block as one step: any failure inside is reported with the step and its input."""
        try:
            yield
        except JourneyBroke:
            raise
        except BaseException as exc:
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            raise JourneyBroke(f"{self._where(step, given)}\n{type(exc).__name__}: {exc}") from exc
        self.done.append(step)

    def cli(self, step: str, *args: str, given: object = None, expect: int = 0, timeout: float = 600,
            input: str = "", cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        """Run ``python -m cagette ARGS`` as a step; an exit status other than *expect* breaks the journey."""
        with self.step(step, given):
            proc = subprocess.run([sys.executable, "-m", "cagette", *args], capture_output=True, text=True,
                                  env=self.env, timeout=timeout, input=input, cwd=cwd)
            if proc.returncode != expect:
                tail = (proc.stderr or proc.stdout).strip().splitlines()[-12:]
                raise AssertionError(f"`cagette {' '.join(args)}` exited {proc.returncode} (expected {expect}):\n"
                                     + "\n".join(tail))
        return proc
