"""Every file's licence is declared (REUSE), offline."""

from __future__ import annotations

import hashlib
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


# SHA-256 of the official licence texts, as the workplace's licence folder (../shared/licenses) gave
# them when they were committed: checked on every clone, with nothing read outside the repository.
OFFICIAL_SHA256 = {
    "EUPL-1.2": "6fc9e709ccbfe0d77fbffa2427a983282be2eb88e47b1cdb49f21a83b4d1e665",
    "CERN-OHL-S-2.0": "253ad3f89603e728abfa60c36fbcaf8225cf55c1eab12725f19fb3d74d647f3a",
    "CC-BY-SA-4.0": "28a9529c7d0bb4dc51f4bf5c116a3d16ef247a052f7591466768ddf563fd1cf5",
}


def test_licence_texts_are_the_official_ones() -> None:
    for name, digest in OFFICIAL_SHA256.items():
        text = (ROOT / "LICENSES" / f"{name}.txt").read_bytes()
        assert hashlib.sha256(text).hexdigest() == digest, f"LICENSES/{name}.txt is not the official text"
    assert (ROOT / "LICENSE").read_bytes() == (ROOT / "LICENSES" / "EUPL-1.2.txt").read_bytes()
    assert (ROOT / "LICENSE-CERN-OHL").read_bytes() == (ROOT / "LICENSES" / "CERN-OHL-S-2.0.txt").read_bytes()
