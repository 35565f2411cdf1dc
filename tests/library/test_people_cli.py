"""``library add``/``edit``/``show`` and the people field: an option, a question only in a terminal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cagette.library.library import Library
from tests.conftest import run_cli

pytestmark = pytest.mark.usefixtures("serial_ports")  # its ptys: one worker at a time (tests/conftest.py)


def _clip(tmp_path: Path) -> Path:
    clip = tmp_path / "accueil.mp4"
    clip.write_bytes(b"\0" * 64)
    return clip


@pytest.fixture(autouse=True)
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty library named by CAGETTE_LIBRARY (no starter to build: these tests are about one field)."""
    path = tmp_path / "lib"
    Library.create(path, site_name="Mairie")
    monkeypatch.setenv("CAGETTE_LIBRARY", str(path))
    return path


def test_the_option_sets_it_and_no_question_without_a_terminal(tmp_path: Path) -> None:
    added = run_cli("library", "add", str(_clip(tmp_path)), "--title", "Accueil", "--json")
    assert added.returncode == 0, added.stderr
    assert "?" not in added.stderr and json.loads(added.stdout)["people"] == ""  # stdin is not a terminal
    rid = json.loads(added.stdout)["id"]
    edited = run_cli("library", "edit", rid, "--people", "consent", "--json")
    assert edited.returncode == 0, edited.stderr
    assert json.loads(edited.stdout)["people"] == "consent"
    shown = run_cli("library", "show", rid)
    assert "people: people appear, their consent is on file" in shown.stdout
    bad = run_cli("library", "edit", rid, "--people", "maybe")
    assert bad.returncode == 2 and "--people" in bad.stderr
    again = run_cli("library", "add", str(tmp_path / "accueil.mp4"), "--title", "Deux", "--people", "none", "--json")
    assert json.loads(again.stdout)["people"] == "none"


def test_a_terminal_is_asked(tmp_path: Path) -> None:
    clip = _clip(tmp_path)
    master, slave = os.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "cagette", "library", "add", str(clip), "--title", "Accueil"],
                            stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    seen = b""
    try:
        deadline = time.monotonic() + 120  # a bound on a hung child, not a measure
        while b"[Enter]" not in seen and time.monotonic() < deadline:
            seen += os.read(master, 4096)
        assert b"Do people appear in it?" in seen
        os.write(master, b"x\n")
        while proc.poll() is None:
            try:
                seen += os.read(master, 4096)
            except OSError:
                break
        assert proc.wait(timeout=120) == 0, seen.decode(errors="replace")
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    listed = json.loads(run_cli("library", "list", "--json").stdout)
    assert [r["people"] for r in listed if r["title"] == "Accueil"] == ["no-consent"]
