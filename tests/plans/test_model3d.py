"""The 3D model (CadQuery, real OCCT): parts do not intersect, mates touch, the lens is over the opening in
the STEP, exports read back, and the reference kits equal a fresh build."""

from __future__ import annotations

import gzip
import itertools
import runpy
from pathlib import Path

import pytest

from cagette.plans.panels import build_panels
from cagette.plans.params import load_preset, preset_names
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

# parts that must touch (tabs in slots, tenons through legs, parts resting on others)
MATES = {
    ("base", "leg_right"), ("base", "leg_left"), ("leg_right", "shelf"), ("leg_left", "shelf"),
    ("shelf", "cradle"), ("leg_right", "apron"), ("leg_left", "apron"), ("leg_right", "wing_right"),
    ("leg_left", "wing_left"), ("wing_right", "cheek_right_back"), ("wing_right", "cheek_right_front"),
    ("cheek_right_back", "lamp_right"), ("cheek_right_front", "diffuser_right"), ("shelf", "device"),
}
REFERENCE = ROOT / "hardware" / "plans"


def _overlapping(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return all(a[i] <= b[i + 3] + 1e-6 and b[i] <= a[i + 3] + 1e-6 for i in range(3))


@pytest.mark.parametrize("name", ["phone-a4"])
def test_parts_do_not_intersect_and_mates_touch(name: str) -> None:
    from cagette.plans import model3d as m

    # dog-bones only take material away, so parts that do not intersect without them never do with them
    p = load_preset(name).replace(dog_bones=False)
    solids = m.solids(p)
    by_name = {pn.name: s for pn, s in solids}
    for (a, sa), (b, sb) in itertools.combinations(solids, 2):
        if _overlapping(m.bounding_box(sa), m.bounding_box(sb)):
            assert m.common_volume(sa, sb) < 0.001, (a.name, b.name)
    gap = p.joint_play_mm / 2 + 1e-6
    for a, b in MATES:
        assert m.distance(by_name[a], by_name[b], within=gap) <= gap, (a, b)
    for pn, s in solids:  # the 2D truth: extruded outline = area × thickness
        assert m.volume(s) == pytest.approx(pn.volume_mm3, rel=1e-6)


def _lens_margin(step: Path) -> float:
    """From a STEP file: how far the device stand-in's lens stays inside the shelf's opening (mm)."""
    import cadquery as cq
    assy = cq.Assembly.importStep(str(step))
    parts = {c.name: (c.obj if isinstance(c.obj, cq.Shape) else c.obj.val()).moved(c.loc) for c in assy.children}
    top = max(parts["device"].Faces(), key=lambda f: f.Area())  # the back (or the screen): the lens goes through
    holes = top.innerWires()
    assert len(holes) == 1, "the device's stand-in has one hole, its lens"
    hb = holes[0].BoundingBox()
    lens = ((hb.xmin + hb.xmax) / 2, (hb.ymin + hb.ymax) / 2, (hb.xmax - hb.xmin) / 2)
    shelf = parts["shelf"]
    bb = shelf.BoundingBox()
    section = shelf.intersect(cq.Solid.makeBox(2000, 2000, 0.01, cq.Vector(-1000, -1000, (bb.zmin + bb.zmax) / 2)))
    x, y, r = lens
    point = cq.Vertex.makeVertex(x, y, (bb.zmin + bb.zmax) / 2)
    assert not section.isInside(cq.Vector(x, y, (bb.zmin + bb.zmax) / 2 + 0.005))  # the lens looks through a hole
    return point.distance(section) - r


@pytest.mark.parametrize("name", preset_names())
def test_the_lens_of_the_stand_in_is_over_the_opening_in_the_step(name: str, full_kits: dict[str, Path],
                                                                  tmp_path: Path) -> None:
    from cagette.plans import model3d

    assert _lens_margin(full_kits[name] / "model.step") >= 2.0
    # the other ratios (every preset's in 2D: test_outlines), through the same STEP writer
    for ratio in ("4:3", "9:16", "1:1") if name == "phone-a4" else ():
        p = load_preset(name).replace(output_ratio=ratio)
        keep = tuple(pn for pn in build_panels(p) if pn.name in ("shelf", "device"))
        model3d.write_step(p, tmp_path / "part.step", keep)
        assert _lens_margin(tmp_path / "part.step") >= 2.0, ratio


def test_a_step_does_not_depend_on_what_the_process_wrote_before(tmp_path: Path) -> None:
    from cagette.plans import model3d

    p = load_preset("phone-a4")
    keep = tuple(pn for pn in build_panels(p) if pn.name in ("shelf", "device"))
    model3d.write_step(p, tmp_path / "first.step", keep)
    model3d.write_step(p, tmp_path / "second.step", keep)  # OCCT's own counters went on meanwhile
    text = (tmp_path / "second.step").read_text()
    assert "NEXT_ASSEMBLY_USAGE_OCCURRENCE('1','shelf'" in text
    assert text == (tmp_path / "first.step").read_text()


def test_exports_read_back(full_kits: dict[str, Path]) -> None:
    import trimesh

    from cagette.plans import model3d as m
    from cagette.plans.panels import cut_panels

    out = full_kits["phone-a4"]
    p = load_preset("phone-a4")
    assert (out / "model.glb").read_bytes()[:4] == b"glTF"
    scene = trimesh.load(out / "model.glb")
    extents = scene.extents
    assert extents[1] == pytest.approx(p.framing.leg_height_mm / 1000, rel=0.01)  # glTF: Y up, metres
    for pn in cut_panels(p):  # one clean STL per part, lying flat for a slicer
        mesh = trimesh.load(out / "stl" / f"{pn.name}.stl", force="mesh")
        assert mesh.is_watertight, pn.name
        assert mesh.bounds[0][2] == pytest.approx(0, abs=1e-6)
        assert mesh.bounds[1][2] == pytest.approx(pn.thickness_mm, abs=1e-6)
        assert mesh.volume == pytest.approx(pn.volume_mm3, rel=2e-3)
    import cadquery as cq

    assy = cq.Assembly.importStep(str(out / "model.step"))
    names = sorted(c.name for c in assy.children)
    assert names == sorted(pn.name for pn, _s in m.solids(p))
    html = (out / "guide.html").read_text()
    assert 'lang="fr"' in html and html.count("<svg") >= 6 and "#c2410c" in html
    assert "GP16" in html  # the controller's wiring, from the firmware's own file
    for anchor in ("bom-panel-base", "bom-pins", "bom-controller-pico"):
        assert f'id="{anchor}"' in html and f'href="#{anchor}"' in html
    assert f"{p.framing.shelf_height_mm:.0f} mm" in html and "lens_x_mm" in html


def test_the_cq_editor_script_shows_the_box() -> None:
    shown: list[tuple[object, str]] = []
    result = runpy.run_path(str(ROOT / "hardware" / "cagette_box.py"),
                            init_globals={"show_object": lambda obj, name="": shown.append((obj, name))})
    import cadquery as cq

    assert len(shown) == 1 and isinstance(shown[0][0], cq.Assembly) and shown[0][1] == "phone-a4"
    assert {c.name for c in shown[0][0].children} >= {"base", "shelf", "device", "wing_left", "diffuser_right"}
    assert result["params"].name == "phone-a4"


@pytest.mark.parametrize("name", preset_names())
def test_reference_kit_equals_a_fresh_build(name: str, full_kits: dict[str, Path]) -> None:
    """The committed reference kit equals a fresh build made in another process at another time, byte for
    byte, model.step included (so every output is deterministic)."""
    from cagette.plans.kit import gzipped_in_reference

    fresh = full_kits[name]
    ref = REFERENCE / name
    ref_files = sorted(str(f.relative_to(ref)) for f in ref.rglob("*") if f.is_file())
    fresh_files = sorted(str(f.relative_to(fresh)) + (".gz" if gzipped_in_reference(f.name) else "")
                         for f in fresh.rglob("*") if f.is_file())
    assert ref_files == fresh_files, "regenerate with: python -m cagette.plans.reference"
    for rel in ref_files:
        data = (ref / rel).read_bytes()
        if rel.endswith(".gz"):
            data, rel = gzip.decompress(data), rel[:-3]
        assert data == (fresh / rel).read_bytes(), f"{name}/{rel} differs from a fresh build"


def test_the_guide_pdf_is_its_page_through_the_shared_html_to_pdf_path(full_kits: dict[str, Path]) -> None:
    """Read with poppler: a title page with the steps, then one page per step whose title, parts and
    drawing labels are text; the same embedded font as every other cagette PDF, no unembedded one."""
    import subprocess

    from cagette import i18n
    from cagette.plans.guide import steps

    out = full_kits["phone-a4"]
    pdf = out / "guide.pdf"
    with i18n.language("fr"):
        titles = [st.title for st in steps(load_preset("phone-a4"))]
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    assert "Étapes" in pages[0] and all(t in " ".join(pages[0].split()) for t in titles)
    for n, title in enumerate(titles, start=1):
        page = " ".join(pages[n].split())
        assert f"Étape {n}" in page and title in page, (n, page[:200])
    assert "Pièces" in pages[2] and "pied droit" in pages[2]  # the step's parts, and its drawing's callouts
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all(r[0].split("+")[-1].startswith("DejaVuSans") and r[-5] == "yes" for r in rows), fonts
