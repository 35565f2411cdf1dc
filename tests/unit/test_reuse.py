"""Every file's licence is declared (REUSE), offline."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_reuse_lint_passes() -> None:
    reuse = Path(sys.executable).parent / "reuse"
    exe = str(reuse) if reuse.exists() else shutil.which("reuse")
    assert exe, "reuse is installed by 'make test' (requirements.lock)"
    result = subprocess.run([exe, "--root", str(ROOT), "lint", "--lines"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_licence_texts_are_the_official_ones() -> None:
    shared = ROOT.parent / "shared" / "licenses"
    for name in ("EUPL-1.2", "CERN-OHL-S-2.0", "CC-BY-SA-4.0"):
        assert (ROOT / "LICENSES" / f"{name}.txt").is_file()
        if shared.is_dir():
            assert (ROOT / "LICENSES" / f"{name}.txt").read_bytes() == (shared / f"{name}.txt").read_bytes()
    assert (ROOT / "LICENSE").read_bytes() == (ROOT / "LICENSES" / "EUPL-1.2.txt").read_bytes()
    assert (ROOT / "LICENSE-CERN-OHL").read_bytes() == (ROOT / "LICENSES" / "CERN-OHL-S-2.0.txt").read_bytes()
