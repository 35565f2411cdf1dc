"""The kit through the command line: outputs, 1:1 PDFs, laser files, a safe output folder."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from cagette.errors import PlansError
from cagette.plans.kit import read_manifest
from cagette.plans.params import load_preset
from tests.conftest import run_cli
from tests.plans.pdfcheck import page_count, page_sizes, rectangles

SQUARE_PT = 100 * 72 / 25.4  # 283.46
PT = 72 / 25.4


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
    checks = data["checks"]
    assert checks["glare_margin_mm"] > 0 and checks["tipping_angle_deg"] >= 15
    assert checks["light_evenness_ev"] <= checks["light_evenness_target_ev"]
    assert data["warnings"] == []
    r = run_cli("plans", "show")
    assert r.returncode == 0 and "shelf_height_mm" in r.stdout
    for words in ("glare margin", "light evenness", "tipping angle"):
        assert words in r.stdout


def test_show_warns_and_names_the_parameter() -> None:
    r = run_cli("plans", "show", "--set", "wing_tilt_deg=20")
    assert r.returncode == 0, r.stderr
    assert "Warning" in r.stderr and "wing_tilt_deg" in r.stderr


def test_bad_parameter_exits_2_with_a_hint(tmp_path: Path) -> None:
    r = run_cli("plans", "build", "--set", "board_thickness_mm=-3", "--out", str(tmp_path / "k"))
    assert r.returncode == 2
    assert "board_thickness_mm" in r.stderr and "Hint" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "k").exists()
    r = run_cli("plans", "show", "--preset", "nope")
    assert r.returncode == 2 and "phone-a4" in r.stderr


def test_a_params_file_that_is_not_toml_text_is_one_line(tmp_path: Path) -> None:
    blob = tmp_path / "photo.jpg"
    blob.write_bytes(bytes(range(256)) * 40)
    r = run_cli("plans", "show", "--params", str(blob))
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "photo.jpg" in r.stderr and "TOML" in r.stderr
    assert "\\x" not in r.stderr and "Traceback" not in r.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text("kerf_mm = = 3\n[[[\n")
    r = run_cli("plans", "show", "--params", str(bad))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1


def test_2d_kit_files(kit2d: Path) -> None:
    names = {str(p.relative_to(kit2d)) for p in kit2d.rglob("*") if p.is_file()}
    for name in ("params.toml", "sheets.pdf", "templates-a4.pdf", "framing-card.pdf", "lens-card.pdf", "bom.csv",
                 "bom.md", "cut-list.csv", "okh.toml", "README.md", "kerf-coupon.dxf", "kerf-coupon.svg",
                 "sheets/sheet-01.dxf", "sheets/sheet-01.svg", "sheets/diffusers-01.dxf", "sheets/diffusers-01.svg",
                 "view-from-lens.png", "kit-manifest.txt"):
        assert name in names
    assert not any(n.startswith("model.") for n in names)
    bom = (kit2d / "bom.csv").read_text()
    for part in ("Raspberry Pi Pico", "AO3400A", "220 Ω", "10 kΩ", "330 Ω", "push button", "12 V 2 A",
                 "12 V → 5 V", "USB cable", "LED strip", "dowel pins", "diffuser"):
        assert part in bom
    params = tomllib.loads((kit2d / "params.toml").read_text())
    assert [m["id"] for m in params["markers"]] == [0, 1, 2, 3]
    p = load_preset("phone-a4")
    assert params["markers"][1]["x_mm"] == pytest.approx(p.framing.markers_mm[1][1], abs=1e-3)
    assert params["stage"]["width_mm"] == 297.0 and params["stage"]["y_axis"] == "up"


def test_okh_manifest_is_complete(kit2d: Path) -> None:
    okh = tomllib.loads((kit2d / "okh.toml").read_text())
    for key in ("okhv", "name", "repo", "version", "license", "licensor", "readme", "image", "function",
                "documentation-language", "bom", "manufacturing-instructions", "outer-dimension",
                "outer-dimension-dim"):
        assert okh[key], key
    assert okh["license"] == "CERN-OHL-S-2.0" and okh["bom"] == "bom.csv"
    assert (kit2d / okh["readme"]).is_file() and (kit2d / okh["image"]).is_file()
    _w, d, h = (float(v) for v in okh["outer-dimension"].split("[")[1].split("]")[0].split(","))
    f = load_preset("phone-a4").framing
    assert d == pytest.approx(f.base_depth_mm, abs=0.1) and h == pytest.approx(f.leg_height_mm, abs=0.1)
    cut = {row.split(",")[0] for row in (kit2d / "cut-list.csv").read_text().splitlines()[1:]}
    assert {part["name"] for part in okh["part"]} == cut
    for part in okh["part"]:
        assert part["material"] and part["process"] and part["outer-dimension"].startswith("cube(")


def test_manifest_lists_every_file_with_its_digest(kit2d: Path) -> None:
    import hashlib

    lines = [ln.split("\t") for ln in (kit2d / "kit-manifest.txt").read_text().splitlines()
             if not ln.startswith("#")]
    listed = {rel for _k, _d, rel in lines}
    on_disk = {str(p.relative_to(kit2d)) for p in kit2d.rglob("*") if p.is_file()} - {"kit-manifest.txt"}
    assert listed == on_disk
    for _key, digest, rel in lines:
        assert hashlib.sha256((kit2d / rel).read_bytes()).hexdigest() == digest


@pytest.mark.parametrize("name", ["sheets.pdf", "lens-card.pdf"])
def test_check_square_is_100_mm_on_every_page(kit2d: Path, name: str) -> None:
    pages = rectangles(kit2d / name)
    assert len(pages) == page_count(kit2d / name) > 0
    for rects in pages:
        squares = [r for r in rects if abs(r[2] - SQUARE_PT) <= 0.1 and abs(r[3] - SQUARE_PT) <= 0.1]
        assert squares, f"no 100 mm square on a page of {name}"


def test_framing_card_is_1_to_1_on_a3_with_its_square_outside_the_stage(kit2d: Path) -> None:
    card = kit2d / "framing-card.pdf"
    sizes = page_sizes(card)
    assert all(sorted(s) == pytest.approx(sorted((297 * PT, 420 * PT)), abs=0.5) for s in sizes)
    pages = rectangles(card)
    sx, sy = load_preset("phone-a4").framing.stage_rect_mm
    stages = [(i, r) for i, rects in enumerate(pages) for r in rects
              if abs(r[2] - sx * PT) < 0.05 and abs(r[3] - sy * PT) < 0.05]
    squares = [(i, r) for i, rects in enumerate(pages) for r in rects
               if abs(r[2] - SQUARE_PT) < 0.1 and abs(r[3] - SQUARE_PT) < 0.1]
    assert len(stages) == 1 and len(squares) == 1
    (si, s), (qi, q) = stages[0], squares[0]
    overlap = si == qi and s[0] < q[0] + q[2] and q[0] < s[0] + s[2] and s[1] < q[1] + q[3] and q[1] < s[1] + s[3]
    assert not overlap


def test_a4_templates_fit_their_page_budget(kit2d: Path) -> None:
    from cagette.plans.templates import page_count as template_pages

    pdf = kit2d / "templates-a4.pdf"
    assert page_count(pdf) == template_pages(load_preset("phone-a4")) <= 19
    assert all(sorted(s) == pytest.approx((210 * PT, 297 * PT), abs=0.5) for s in page_sizes(pdf))
    pages = rectangles(pdf)
    assert any(abs(r[2] - SQUARE_PT) <= 0.1 and abs(r[3] - SQUARE_PT) <= 0.1 for r in pages[0])
    for preset in ("phone-a3", "tablet-a3"):
        assert template_pages(load_preset(preset)) <= 31, preset


def test_cut_list_places_each_part_on_its_sheet(kit2d: Path) -> None:
    import ezdxf

    from cagette.plans import geom2d as g

    rows = [ln.split(",") for ln in (kit2d / "cut-list.csv").read_text().splitlines()]
    head = rows[0]
    assert head[:3] == ["panel", "material", "thickness_mm"] and head[-4:] == ["sheet", "x_mm", "y_mm",
                                                                             "rotation_deg"]
    kerf = load_preset("phone-a4").kerf_mm
    by_sheet: dict[str, list[tuple[float, float, float, float]]] = {}
    for sheet in {r[5] for r in rows[1:]}:
        doc = ezdxf.readfile(kit2d / "sheets" / f"{sheet}.dxf")
        by_sheet[sheet] = [g.bbox([[(x, y) for x, y, *_ in e.get_points()]])
                           for e in doc.modelspace().query("LWPOLYLINE") if e.dxf.layer == "CUT_OUTER"]
    for name, _m, _t, w, h, sheet, x, y, rot in rows[1:]:
        assert rot in ("0", "90")
        fw, fh = (float(h), float(w)) if rot == "90" else (float(w), float(h))
        found = [b for b in by_sheet[sheet] if abs(b[0] + kerf / 2 - float(x)) < 0.02
                 and abs(b[1] + kerf / 2 - float(y)) < 0.02 and abs(b[2] - b[0] - kerf - fw) < 0.05
                 and abs(b[3] - b[1] - kerf - fh) < 0.05]
        assert len(found) == 1, (name, sheet, x, y)


def test_params_toml_rebuilds_the_same_kit(kit2d: Path, tmp_path: Path) -> None:
    out = tmp_path / "again"
    r = run_cli("plans", "build", "--preset", "tablet-a3", "--params", str(kit2d / "params.toml"), "--only", "2d",
                "--out", str(out), "--quiet", env={"CAGETTE_LANG": "en", "SOURCE_DATE_EPOCH": ""})
    assert r.returncode == 0, r.stderr
    for f in sorted(kit2d.rglob("*")):
        if f.is_file():
            assert (out / f.relative_to(kit2d)).read_bytes() == f.read_bytes(), f.name


# -- the output folder ----------------------------------------------------------------------

def test_force_replaces_only_what_a_kit_wrote(tmp_path: Path) -> None:
    out = tmp_path / "k"
    (out / ".git").mkdir(parents=True)
    (out / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (out / "photo.jpg").write_bytes(b"\xff\xd8 mine")
    r = run_cli("plans", "build", "--only", "dxf", "--out", str(out))
    assert r.returncode == 2 and "--force" in r.stderr
    r = run_cli("plans", "build", "--only", "dxf,bom", "--out", str(out), "--force", "--quiet")
    assert r.returncode == 0, r.stderr
    assert (out / ".git" / "HEAD").read_text() == "ref: refs/heads/main\n"
    assert (out / "photo.jpg").read_bytes() == b"\xff\xd8 mine"
    assert (out / "sheets" / "sheet-01.dxf").is_file() and (out / "bom.csv").is_file()
    # a stale sheet of an earlier, bigger kit goes; rebuilding the DXF keeps the other outputs
    manifest = (out / "kit-manifest.txt").read_text()
    (out / "sheets" / "sheet-09.dxf").write_text("old")
    (out / "kit-manifest.txt").write_text(manifest + "dxf\t0\tsheets/sheet-09.dxf\n")
    r = run_cli("plans", "build", "--only", "dxf", "--out", str(out), "--force", "--quiet")
    assert r.returncode == 0, r.stderr
    assert not (out / "sheets" / "sheet-09.dxf").exists()
    assert (out / "bom.csv").is_file() and "bom.csv" in (out / "kit-manifest.txt").read_text()
    # a file the kit would write, but did not: refused, and kept
    (out / "okh.toml").write_text("mine")
    r = run_cli("plans", "build", "--only", "okh", "--out", str(out), "--force", "--quiet")
    assert r.returncode == 2 and "okh.toml" in r.stderr
    assert (out / "okh.toml").read_text() == "mine"
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [".git"]


def test_output_folder_problems_are_one_line_naming_the_path(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    r = run_cli("plans", "build", "--only", "params", "--out", str(tmp_path / "a-file" / "kit"))
    assert r.returncode == 1 and str(tmp_path / "a-file") in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Unexpected" not in r.stderr
    ro = tmp_path / "ro"
    ro.mkdir()
    script = (f"mount -t tmpfs -o ro tmpfs {ro} && exec {sys.executable} -m cagette plans build --only params "
              f"--out {ro / 'kit'}")
    proc = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True,
                          env={**os.environ, "CAGETTE_LANG": "en"})
    assert proc.returncode == 1, proc.stderr
    assert str(ro / "kit") in proc.stderr and "Read-only" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_a_stale_staging_folder_is_removed_by_the_next_build(tmp_path: Path) -> None:
    out = tmp_path / "k"
    stale = out / ".kit-999999999.part"
    (stale / "sheets").mkdir(parents=True)
    (stale / "sheets" / "sheet-01.dxf").write_text("half")
    r = run_cli("plans", "build", "--only", "params", "--out", str(out), "--force", "--quiet")
    assert r.returncode == 0, r.stderr
    assert not stale.exists() and (out / "params.toml").is_file()


def _interrupt(tmp_path: Path, sig: int, wait_for: str) -> tuple[subprocess.Popen[str], Path]:
    out = tmp_path / "k"
    out.mkdir()
    (out / "notes.txt").write_text("keep")
    proc = subprocess.Popen([sys.executable, "-m", "cagette", "plans", "build", "--out", str(out), "--force",
                             "--quiet"], stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "CAGETTE_LANG": "en"})
    stage = out / f".kit-{proc.pid}.part"
    for _i in range(6000):  # until the build reaches the chosen point (polled, not timed)
        if proc.poll() is not None or (stage / wait_for).exists():
            break
        time.sleep(0.02)
    proc.send_signal(sig)
    proc.wait(timeout=120)
    return proc, out


def _running_with(arg: str) -> list[int]:
    """The processes whose command line holds *arg*."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and arg.encode() in (entry / "cmdline").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


_AT_CALL = """
import os, signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)
from cagette.cli import run
call, caller, out = sys.argv[1:4]
me = os.getpid()
def hook(frame, event, arg):
    # a real Ctrl-C the instant a system call of the build returns: the staging folder made, the cut files'
    # process forked, a first file moved into place
    if event == "c_return" and getattr(arg, "__name__", "") == call and frame.f_code.co_name == caller:
        if caller == "mkdir" and not frame.f_locals["self"].name.startswith(".kit-"):
            return
        sys.setprofile(None)
        if os.getpid() != me:  # the forked child: not the one the Ctrl-C is for
            return
        os.kill(os.getpid(), signal.SIGINT)
sys.setprofile(hook)
sys.argv = ["cagette", "plans", "build", "--only", "2d", "--out", out, "--force", "--quiet"]
run()
"""


@pytest.mark.parametrize(("call", "caller"), [("mkdir", "mkdir"), ("fork", "_launch"), ("replace", "_install")])
def test_a_ctrl_c_at_the_first_and_last_moments_leaves_a_whole_folder(tmp_path: Path, call: str, caller: str) -> None:
    """Interrupted as the staging folder is made or the cut files' process starts, the folder is as it was
    and no process is left; as the first file is moved into place, the move ends first, the manifest with
    it: the next build is not refused files it wrote."""
    out = tmp_path / "k"
    out.mkdir()
    (out / "notes.txt").write_text("keep")
    r = subprocess.run([sys.executable, "-c", _AT_CALL, call, caller, str(out)], capture_output=True, text=True,
                       env={**os.environ, "CAGETTE_LANG": "en"})
    assert r.returncode == 130 and "Interrupted" in r.stderr, r.stderr
    assert not _running_with(str(out))
    if caller != "_install":
        assert sorted(os.listdir(out)) == ["notes.txt"]
    else:
        files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
        listed = sorted(read_manifest(out))
        assert listed and sorted([*listed, "kit-manifest.txt", "notes.txt"]) == files
        assert not [n for n in os.listdir(out) if n.startswith(".")]
    r = run_cli("plans", "build", "--only", "2d", "--out", str(out), "--force", "--quiet")
    assert r.returncode == 0, r.stderr
    assert (out / "notes.txt").read_text() == "keep" and (out / "sheets" / "sheet-01.dxf").is_file()


@pytest.mark.slow
@pytest.mark.parametrize(("sig", "point"), [(signal.SIGINT, ""), (signal.SIGINT, "view-from-lens.png"),
                                            (signal.SIGTERM, "sheets.pdf")])
def test_interrupted_at_any_moment(tmp_path: Path, sig: int, point: str) -> None:
    proc, out = _interrupt(tmp_path, sig, point)
    err = proc.stderr.read() if proc.stderr else ""
    assert proc.returncode == 130, err
    assert "Interrupted" in err and "failed" not in err
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


def test_unknown_only_is_refused(tmp_path: Path) -> None:
    r = run_cli("plans", "build", "--only", "dxf,bogus", "--out", str(tmp_path / "k"))
    assert r.returncode == 2 and "bogus" in r.stderr


def test_2d_path_never_imports_the_geometry_kernel(kit2d: Path) -> None:
    imported = {line.rsplit("|", 1)[1].strip() for line in (kit2d.parent / "imports.txt").read_text().splitlines()
                if line.startswith("import time:")}
    assert {"ezdxf", "shapely", "reportlab", "cagette.plans.view"} <= imported  # the 2D kit's own, seen
    assert not {m for m in imported if m.split(".")[0] in ("OCP", "cadquery", "vtkmodules", "vtk")}


@pytest.mark.slow
def test_ctrl_c_from_the_terminal_stops_both_build_processes(tmp_path: Path) -> None:
    """A terminal's Ctrl-C reaches the whole process group, the cut files' process too: one message,
    exit 130, nothing left behind, no process left running."""
    out = tmp_path / "k"
    proc = subprocess.Popen([sys.executable, "-m", "cagette", "plans", "build", "--only", "2d", "--out", str(out),
                             "--quiet"], stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "CAGETTE_LANG": "en"}, start_new_session=True)
    stage = out / f".kit-{proc.pid}.part"
    for _i in range(6000):  # until the second process wrote a cut file (polled, not timed)
        if proc.poll() is not None or (stage / "sheets" / "sheet-01.dxf").exists():
            break
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGINT)
    _out, err = proc.communicate(timeout=120)
    if proc.returncode == 0:
        pytest.fail("the build ended before the interrupt: nothing was tested")
    assert proc.returncode == 130, err
    assert err.count("Interrupted") == 1 and "Traceback" not in err, err
    assert not out.exists()
    for _i in range(500):  # the group empties once the child has been reaped (polled, not timed)
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.01)
    else:
        pytest.fail("a process of the build is still running")


def test_the_second_process_reports_its_errors_as_its_own() -> None:
    from cagette.plans import beside

    def fails() -> dict[str, str]:
        raise PlansError("the cut files failed", "a hint")

    def crashes() -> dict[str, str]:
        raise ValueError("a bug")

    def dies() -> dict[str, str]:
        os._exit(3)

    def works() -> dict[str, str]:
        return {"sheets/sheet-01.dxf": "dxf"}

    with beside.beside(works) as job:
        assert job is not None and job.result() == {"sheets/sheet-01.dxf": "dxf"}
    with pytest.raises(PlansError, match="the cut files failed") as caught, beside.beside(fails) as job:
        assert job is not None
        job.result()
    assert caught.value.hint == "a hint"
    with pytest.raises(RuntimeError, match="a bug"), beside.beside(crashes) as job:
        assert job is not None
        job.result()
    with pytest.raises(PlansError, match="exit 3"), beside.beside(dies) as job:
        assert job is not None
        job.result()
