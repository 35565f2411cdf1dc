"""Kill `cagette library add` with SIGKILL at random moments, 200 times.

Most kills hit a forked child running the CLI's own ``main()`` in a loop (no
interpreter start-up, so the test stays fast); some hit a real
``python -m cagette library add`` subprocess. After every kill the library
opens, and every add that reported success is there; fsck is clean.
"""

from __future__ import annotations

import os
import random
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cagette.library.library import Library

ADDED = re.compile(rb"Added ([0-9a-f]{16}):")


def _child(lib: Path, files: Path, start: int, write_fd: int) -> None:
    from cagette.cli import main

    os.dup2(write_fd, 1)
    sys.stdout = open(1, "w", buffering=1, encoding="utf-8", closefd=False)  # noqa: SIM115 - pytest replaced it
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115
    os.write(1, b"READY\n")
    for i in range(start, start + 1000):
        f = files / f"clip-{i}.txt"
        f.write_bytes(b"x" * (i % 97) + str(i).encode())
        main(["--library", str(lib), "library", "add", str(f), "--kind", "guide", "--title", f"Clip {i}"])
        sys.stdout.flush()


def _kill_forked(lib: Path, files: Path, start: int, rng: random.Random) -> list[str]:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.close(r)
            _child(lib, files, start, w)
        finally:
            os._exit(0)
    os.close(w)
    buf = b""
    deadline = time.monotonic() + 20
    wait_adds = rng.choice((0, 1))  # half the kills land after at least one reported add
    while (b"READY\n" not in buf or len(ADDED.findall(buf)) < wait_adds) and time.monotonic() < deadline:
        if select.select([r], [], [], 0.5)[0]:
            buf += os.read(r, 65536)
    time.sleep(rng.uniform(0, 0.08))
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    while chunk := os.read(r, 65536):
        buf += chunk
    os.close(r)
    return [m.decode() for m in ADDED.findall(buf)]


def _kill_subprocess(lib: Path, files: Path, n: int, rng: random.Random) -> list[str]:
    f = files / f"real-{n}.txt"
    f.write_text(f"real {n}")
    proc = subprocess.Popen([sys.executable, "-m", "cagette", "--library", str(lib), "library", "add", str(f),
                             "--kind", "guide", "--title", f"Real {n}"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    time.sleep(rng.uniform(0.2, 0.5))
    proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate()
    return [m.decode() for m in ADDED.findall(out)]


@pytest.mark.slow
def test_sigkill_during_add_200_times(tmp_path: Path) -> None:
    rng = random.Random(20261129)
    lib_path = tmp_path / "lib"
    files = tmp_path / "files"
    files.mkdir()
    Library.create(lib_path, site_name="Crash")
    reported: set[str] = set()
    for n in range(200):
        if n % 20 == 19:
            reported |= set(_kill_subprocess(lib_path, files, n, rng))
        else:
            reported |= set(_kill_forked(lib_path, files, n * 1000, rng))
        lib = Library.open(lib_path)  # always opens
        ids = set(lib.state().resources) if n % 10 else {r.id for r in lib.resources()}
        missing = reported - ids
        assert not missing, f"kill {n}: reported adds lost: {missing}"
        if n % 25 == 24:
            rep = lib.fsck()
            assert rep.clean, rep.problems
    rep = Library.open(lib_path).fsck()
    assert rep.clean, rep.problems
    assert len(reported) >= 80  # the kills really landed among successful adds
