"""Kits shared by the plans tests: built once per session (CadQuery is slow on a shared machine)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli

FIRMWARE = ROOT / "firmware"


@pytest.fixture(scope="session")
def kit2d(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """phone-a4's 2D kit, through the command line, in English; beside it, ``imports.txt``: every module
    that build imported (Python's -X importtime)."""
    out = tmp_path_factory.mktemp("kit2d") / "phone-a4"
    r = run_cli("plans", "build", "--preset", "phone-a4", "--only", "2d", "--out", str(out), "--quiet",
                env={"CAGETTE_LANG": "en", "SOURCE_DATE_EPOCH": "", "PYTHONPROFILEIMPORTTIME": "1"})
    assert r.returncode == 0, r.stderr
    (out.parent / "imports.txt").write_text(r.stderr)
    return out


@pytest.fixture(scope="session")
def full_kits(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every preset's whole kit, built as the reference kits are (French, the repository's firmware)."""
    import os

    from cagette import i18n
    from cagette.plans.kit import build
    from cagette.plans.params import load_preset, preset_names
    from cagette.plans.reference import REFERENCE_LANGUAGE

    root = tmp_path_factory.mktemp("full")
    saved = os.environ.pop("SOURCE_DATE_EPOCH", None)
    kits = {}
    try:
        with i18n.language(REFERENCE_LANGUAGE):
            for name in reversed(preset_names()):  # not the reference's order: no kit depends on the one before
                build(load_preset(name), root / name, wiring=FIRMWARE)
                kits[name] = root / name
    finally:
        if saved is not None:
            os.environ["SOURCE_DATE_EPOCH"] = saved
    return kits
