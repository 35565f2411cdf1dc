"""Fixtures shared by the whole suite.

Every test runs with its own ``CAGETTE_HOME`` (settings, data, library) and
English messages unless it asks otherwise; commands run for real, in a
subprocess, through ``python -m cagette``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def serial_ports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One test at a time, across the suite's worker processes, opens pseudo-terminals as boards.

    A pty's number is reused as soon as it is freed: a board unplugged by a test in one worker, whose
    app still reconnects to that path, would open (and lock) the pty another worker just made."""
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp().parent  # the same for every worker of the run
    with FileLock(str(shared / "serial-ports.lock")):
        yield


@pytest.fixture(scope="session", autouse=True)
def session_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A home for module and session fixtures, which are made before each test's own: never the one
    `make` exports (out/home, where `make demo` left a library and cached figures)."""
    home = tmp_path_factory.mktemp("session-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CAGETTE_HOME", str(home))
        mp.setenv("CAGETTE_LANG", "en")
        for name in ("CAGETTE_LIBRARY", "CAGETTE_SETTINGS", "CAGETTE_DEVICE_PORT"):
            mp.delenv(name, raising=False)
        yield home


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "cagette-home"
    monkeypatch.setenv("CAGETTE_HOME", str(home))
    monkeypatch.setenv("CAGETTE_LANG", "en")
    monkeypatch.delenv("CAGETTE_LIBRARY", raising=False)
    monkeypatch.delenv("CAGETTE_SETTINGS", raising=False)
    from cagette import i18n, settings

    i18n.set_language(None)
    settings.current.cache_clear()
    yield home
    i18n.set_language(None)
    settings.current.cache_clear()


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 600,
            cwd: Path | None = None, input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m cagette ARGS`` and capture its output (never a terminal)."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "cagette", *args],
        capture_output=True, text=True, env=full_env, timeout=timeout, cwd=cwd,
        input=input if input is not None else "",
    )


@pytest.fixture
def cli() -> object:
    return run_cli
