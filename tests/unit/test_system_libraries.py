"""A missing shared library is reported with the Debian package to install, whatever wrapped it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from cagette.errors import SYSTEM_LIBRARIES, PlansError, missing_system_library


def test_a_wrapped_import_error_names_the_package() -> None:
    try:
        try:
            raise ImportError("libGL.so.1: cannot open shared object file: No such file or directory")
        except ImportError as exc:
            raise PlansError("Exporting STEP failed: x", "Check the free disk space.") from exc
    except PlansError as wrapped:
        found = missing_system_library(wrapped)
    assert found is not None
    assert "libGL.so.1" in found.message and "libgl1" in (found.hint or "")
    assert "disk" not in (found.hint or "")


def test_other_errors_are_left_alone() -> None:
    assert missing_system_library(PlansError("OCCT could not write model.step.")) is None
    unknown = missing_system_library("libfoo.so.3: cannot open shared object file")
    assert unknown is not None and "libfoo.so.3" in (unknown.hint or "")


def test_the_table_and_the_set_up_script_agree() -> None:
    script = (Path(__file__).resolve().parents[2] / "scripts" / "system-deps.sh").read_text(encoding="utf-8")
    for library, package in SYSTEM_LIBRARIES.items():
        if library in script:
            assert f"[{library}]={package}" in script


def test_the_command_line_prints_one_line_with_the_package(tmp_path: Path) -> None:
    # a command whose import fails the way OCP fails on a bare Debian: run through the real CLI entry
    probe = (
        "import sys\n"
        "import cagette.commands.doctor as d\n"
        "def boom(ns, ctx):\n"
        "    raise OSError('libX11.so.6: cannot open shared object file: No such file or directory')\n"
        "d.run = boom\n"
        "from cagette.cli import main\n"
        "sys.exit(main(['doctor']))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                         env={"CAGETTE_LANG": "en", "CAGETTE_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
    assert out.returncode == 1, out.stderr
    assert len(lines) == 1 and "libX11.so.6" in lines[0] and "libx11-6" in lines[0], out.stderr
