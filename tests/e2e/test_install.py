"""``pip install .`` (a real wheel, not the editable checkout) ships everything the tool needs."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_wheel_install_works_outside_the_checkout(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-qq", "--no-deps", "--no-build-isolation",
                    "-w", str(wheels), str(ROOT)], check=True, timeout=300)
    (wheel,) = wheels.glob("cagette-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    # the dependencies come from the test's own environment; cagette itself only from the wheel
    Path(site, "_deps.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-qq", "--no-deps", str(wheel)],
                   check=True, timeout=300)
    probe = """
import json, cagette, cagette_tui.app, cagette.starter
from pathlib import Path
from cagette.device.flash import firmware_dir
from cagette.i18n import set_language, _
from cagette.locations import font_path
set_language("fr")
print(json.dumps({
    "cagette": cagette.__file__,
    "templates": sorted(p.name for p in cagette.starter.templates_dir().iterdir() if p.is_dir()),
    "firmware": str(firmware_dir()),
    "font": font_path().is_file(),
    "french": _("Cancelled."),
    "tcss": (Path(cagette_tui.app.__file__).parent / "app.tcss").is_file(),
}))
"""
    out = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert out.returncode == 0, out.stderr
    facts = json.loads(out.stdout)
    assert facts["cagette"].startswith(site), facts
    assert len(facts["templates"]) >= 4
    assert facts["firmware"].startswith(site)
    assert facts["font"] and facts["tcss"] and facts["french"] == "Annulé."
    presets = subprocess.run([str(venv / "bin" / "cagette"), "plans", "presets", "--json"], capture_output=True,
                             text=True, cwd=tmp_path, timeout=120)
    assert presets.returncode == 0, presets.stderr
    names = {p["name"] for p in json.loads(presets.stdout)["presets"]}
    assert {"phone-a4", "phone-a3", "tablet-a3"} <= names
