"""The 3D model (real OCCT): parts do not intersect, mated parts touch, exports read back."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from cagette.plans.params import load_preset, preset_names

pytestmark = pytest.mark.slow

# parts that must touch (tabs in slots, tenons through legs, parts resting on others)
MATES = {
    ("base", "leg_right"), ("base", "leg_left"), ("leg_right", "shelf"), ("leg_left", "shelf"),
    ("shelf", "cradle"), ("leg_right", "wing_right"), ("leg_left", "wing_left"),
    ("wing_right", "lip_right"), ("wing_left", "lip_left"), ("lip_right", "diffuser_right"),
    ("lip_left", "diffuser_left"),
}


def _overlapping(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return all(a[i] <= b[i + 3] + 1e-6 and b[i] <= a[i + 3] + 1e-6 for i in range(3))


@pytest.mark.parametrize("name", ["phone-a4", "tablet-a3"])
def test_parts_do_not_intersect_and_mates_touch(name: str) -> None:
    from cagette.plans import model3d as m

    # dog-bones only take material away, so parts that do not intersect without them never do with them;
    # booleans on the many small arcs would take minutes on a loaded machine
    solids = m.solids(load_preset(name).replace(dog_bones=False))
    by_name = {pn.name: s for pn, s in solids}
    for (a, sa), (b, sb) in itertools.combinations(solids, 2):
        if _overlapping(m.bounding_box(sa), m.bounding_box(sb)):
            assert m.common_volume(sa, sb) < 0.001, (a.name, b.name)
    for a, b in MATES:
        assert m.distance(by_name[a], by_name[b]) < 1e-6, (a, b)
    # a volume check against the 2D truth: extruded outline = area × thickness
    for pn, s in solids:
        assert m.volume(s) == pytest.approx(pn.volume_mm3, rel=1e-6)


def test_lens_sits_over_the_stage_centre_in_3d() -> None:
    from cagette.plans import model3d as m

    p = load_preset("phone-a4")
    f = p.framing
    shelf = next(s for pn, s in m.solids(p) if pn.name == "shelf")
    from OCP.BRepClass3d import BRepClass3d_SolidClassifier
    from OCP.gp import gp_Pnt
    from OCP.TopAbs import TopAbs_OUT

    # the line of sight through the shelf at the stage centre is empty...
    for z in (f.shelf_top_mm - 0.1, f.shelf_top_mm - f.t / 2):
        cls = BRepClass3d_SolidClassifier(shelf, gp_Pnt(0, 0, z), 1e-6)
        assert cls.State() == TopAbs_OUT
    # ...and the shelf is solid beside the opening
    cls = BRepClass3d_SolidClassifier(shelf, gp_Pnt(f.opening_w_mm, 0, f.shelf_top_mm - f.t / 2), 1e-6)
    assert cls.State() != TopAbs_OUT


@pytest.mark.parametrize("name", preset_names())
def test_full_kit_for_every_preset(name: str, tmp_path: Path) -> None:
    import cadquery as cq

    from cagette import i18n
    from cagette.plans import model3d as m
    from cagette.plans.kit import build
    from cagette.plans.reference import REFERENCE_LANGUAGE

    i18n.set_language(REFERENCE_LANGUAGE)  # as the reference kits are built (the fixture resets it)
    p = load_preset(name)
    out = tmp_path / name
    files = build(p, out)
    for f in ("model.step", "model.glb", "model.stl", "guide.html", "guide.pdf", "sheets.pdf", "bom.csv"):
        assert f in files and (out / f).stat().st_size > 0
    assert (out / "model.glb").read_bytes()[:4] == b"glTF"
    step = cq.importers.importStep(str(out / "model.step"))
    vol = sum(m.volume(s.wrapped) for s in step.solids().vals())
    assert vol == pytest.approx(sum(pn.volume_mm3 for pn, _s in m.solids(p)), rel=1e-4)
    assert len(step.solids().vals()) == len(m.solids(p))
    html = (out / "guide.html").read_text()
    assert html.count("<svg") >= 6 and "<path" in html
    assert [x.name for x in tmp_path.iterdir()] == [name]
    check_reference(name, out)


REFERENCE = Path(__file__).resolve().parents[2] / "hardware" / "plans"


def check_reference(name: str, fresh: Path) -> None:
    """The committed reference kit equals a fresh build: every file byte for byte,
    except the 3D files, compared by per-part volume and bounding box."""
    import gzip

    import cadquery as cq

    from cagette.plans import model3d as m

    ref = REFERENCE / name
    ref_files = sorted(str(f.relative_to(ref)) for f in ref.rglob("*") if f.is_file())
    fresh_files = sorted(str(f.relative_to(fresh)) + (".gz" if f.name in ("model.step", "model.glb") else "")
                         for f in fresh.rglob("*") if f.is_file())
    assert ref_files == fresh_files, "regenerate with: python -m cagette.plans.reference"
    for rel in ref_files:
        if rel.startswith("model."):
            continue
        assert (ref / rel).read_bytes() == (fresh / rel).read_bytes(), f"{name}/{rel} differs from a fresh build"
    step = fresh / "ref-model.step"
    step.write_bytes(gzip.decompress((ref / "model.step.gz").read_bytes()))
    assy = cq.Assembly.importStep(str(step))
    parts = {c.name: c.obj for c in assy.children}
    solids = dict((pn.name, s) for pn, s in m.solids(load_preset(name)))
    assert sorted(parts) == sorted(solids)
    for part, solid in solids.items():
        got = parts[part].wrapped
        assert m.volume(got) == pytest.approx(m.volume(solid), rel=1e-6), part
        assert m.bounding_box(got) == pytest.approx(m.bounding_box(solid), abs=1e-3), part
    step.unlink()
