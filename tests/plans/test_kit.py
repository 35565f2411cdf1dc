"""The kit through the command line: outputs, 1:1 PDFs, determinism, all or nothing."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from cagette.plans.params import load_preset
from cagette.plans.templates import page_count as template_pages
from tests.conftest import run_cli
from tests.plans.pdfcheck import page_count, rectangles

SQUARE_PT = 100 * 72 / 25.4  # 283.46


def test_presets_and_show_json() -> None:
    r = run_cli("plans", "presets", "--json")
    assert r.returncode == 0, r.stderr
    names = [p["name"] for p in json.loads(r.stdout)["presets"]]
    assert {"phone-a4", "phone-a3", "tablet-a3"} <= set(names)
    r = run_cli("plans", "show", "--preset", "phone-a3", "--set", "kerf_mm=0.2", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["params"]["kerf_mm"] == 0.2 and data["params"]["stage"] == "a3"
    for key in ("shelf_height_mm", "visible_width_mm", "visible_height_mm", "light_angle_deg"):
        assert data["derived"][key] > 0
    r = run_cli("plans", "show")
    assert r.returncode == 0 and "shelf_height_mm" in r.stdout


def test_bad_parameter_exits_2_with_a_hint(tmp_path: Path) -> None:
    r = run_cli("plans", "build", "--set", "board_thickness_mm=-3", "--out", str(tmp_path / "k"))
    assert r.returncode == 2
    assert "board_thickness_mm" in r.stderr and "Hint" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "k").exists()
    r = run_cli("plans", "show", "--preset", "nope")
    assert r.returncode == 2 and "phone-a4" in r.stderr


@pytest.fixture(scope="module")
def kit2d(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("kit") / "phone-a4"
    # module-scoped: built before the per-test home/language fixture, so say the language here
    r = run_cli("plans", "build", "--preset", "phone-a4", "--only", "2d", "--out", str(out),
                env={"CAGETTE_LANG": "en", "SOURCE_DATE_EPOCH": ""})
    assert r.returncode == 0, r.stderr
    return out


def test_2d_kit_files(kit2d: Path) -> None:
    names = {str(p.relative_to(kit2d)) for p in kit2d.rglob("*") if p.is_file()}
    for name in ("params.toml", "sheets.pdf", "templates-a4.pdf", "framing-card.pdf", "lens-card.pdf", "bom.csv",
                 "bom.md", "cut-list.csv", "okh.toml", "kerf-coupon.dxf", "kerf-coupon.svg", "sheets/sheet-01.dxf",
                 "sheets/sheet-01.svg"):
        assert name in names
    assert not any(n.startswith("model.") for n in names)
    bom = (kit2d / "bom.csv").read_text()
    for part in ("Raspberry Pi Pico", "AO3400A", "220 Ω", "10 kΩ", "330 Ω", "push button", "12 V 2 A",
                 "12 V → 5 V", "USB cable", "LED strip", "dowel pins", "diffuser"):
        assert part in bom
    okh = tomllib.loads((kit2d / "okh.toml").read_text())
    assert okh["license"] == "CERN-OHL-S-2.0" and okh["bom"] == "bom.csv"
    params = tomllib.loads((kit2d / "params.toml").read_text())
    assert [m["id"] for m in params["markers"]] == [0, 1, 2, 3]
    p = load_preset("phone-a4")
    assert params["markers"][1]["x_mm"] == pytest.approx(p.framing.markers_mm[1][1], abs=1e-3)


@pytest.mark.parametrize("name", ["sheets.pdf", "templates-a4.pdf", "framing-card.pdf", "lens-card.pdf"])
def test_check_square_is_100_mm_on_every_page(kit2d: Path, name: str) -> None:
    pages = rectangles(kit2d / name)
    assert len(pages) == page_count(kit2d / name) > 0
    for rects in pages:
        squares = [r for r in rects if abs(r[2] - SQUARE_PT) <= 0.1 and abs(r[3] - SQUARE_PT) <= 0.1]
        assert squares, f"no 100 mm square on a page of {name}"


def test_templates_have_one_page_per_tile(kit2d: Path) -> None:
    assert page_count(kit2d / "templates-a4.pdf") == template_pages(load_preset("phone-a4"))


def test_params_toml_rebuilds_the_same_kit(kit2d: Path, tmp_path: Path) -> None:
    out = tmp_path / "again"
    r = run_cli("plans", "build", "--preset", "tablet-a3", "--params", str(kit2d / "params.toml"), "--only", "2d",
                "--out", str(out), env={"CAGETTE_LANG": "en", "SOURCE_DATE_EPOCH": ""})
    assert r.returncode == 0, r.stderr
    for f in sorted(kit2d.rglob("*")):
        if f.is_file():
            assert (out / f.relative_to(kit2d)).read_bytes() == f.read_bytes(), f.name


def test_non_empty_out_needs_force(tmp_path: Path) -> None:
    out = tmp_path / "k"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    r = run_cli("plans", "build", "--only", "dxf", "--out", str(out))
    assert r.returncode == 2 and "--force" in r.stderr
    assert (out / "mine.txt").read_text() == "keep"
    r = run_cli("plans", "build", "--only", "dxf", "--out", str(out), "--force")
    assert r.returncode == 0, r.stderr
    assert not (out / "mine.txt").exists() and (out / "sheets" / "sheet-01.dxf").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["k"]


def test_unknown_only_is_refused(tmp_path: Path) -> None:
    r = run_cli("plans", "build", "--only", "dxf,bogus", "--out", str(tmp_path / "k"))
    assert r.returncode == 2 and "bogus" in r.stderr


def test_2d_path_never_imports_the_geometry_kernel(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = (
        "import sys\nfrom cagette.plans.params import load_preset\nfrom cagette.plans.kit import build, TWO_D\n"
        f"build(load_preset('phone-a4'), {str(tmp_path / 'k')!r}, TWO_D)\n"
        "print(sorted(m for m in ('OCP', 'cadquery', 'vtkmodules') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
