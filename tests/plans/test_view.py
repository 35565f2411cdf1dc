"""The virtual camera: the frame is clear of wood, the stage is in it, and trimesh's rays agree."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from cagette.plans import view
from cagette.plans.panels import Panel, Placement, build_panels
from cagette.plans.params import load_preset, preset_names
from tests.conftest import run_cli


@pytest.mark.parametrize("name", preset_names())
def test_nothing_of_the_box_hides_the_frame(name: str) -> None:
    for ratio in (["16:9", "4:3", "9:16", "1:1"] if name == "phone-a4" else ["16:9"]):
        p = load_preset(name).replace(output_ratio=ratio)
        v = view.render(p, 240)
        assert v.hidden_share == 0.0, (name, ratio)


def _moved_leg(p: object) -> tuple[object, ...]:
    """The right leg pushed 150 mm in: its top, above the light window, enters the frame."""
    out = []
    for pn in build_panels(p):  # type: ignore[arg-type]
        if pn.name == "leg_right":
            o = pn.placement.origin
            pn = dataclasses.replace(pn, placement=dataclasses.replace(pn.placement, origin=(o[0] - 150, o[1], o[2])))
        out.append(pn)
    return tuple(out)


def test_a_part_moved_into_the_frame_hides_part_of_it() -> None:
    p = load_preset("phone-a4")
    v = view.render(p, 240, panels=_moved_leg(p))  # type: ignore[arg-type]
    assert 0.0 < v.hidden_share < 0.5
    w = v.size[0]
    assert v.hidden[:, -1].any() and not v.hidden[:, : w // 2].any()  # on the right, where the leg came in


def _moved(pn: Panel, by: tuple[float, float, float]) -> Panel:
    origin = tuple(float(a + b) for a, b in zip(pn.placement.origin, by, strict=True))
    return dataclasses.replace(pn, placement=dataclasses.replace(pn.placement, origin=origin))


def _shaken(parts: list[Panel], rng: np.random.Generator) -> tuple[Panel, ...]:
    """Some parts moved and turned at random: into the frame, across the lens's height, out of sight."""
    out = []
    for pn in parts:
        if rng.random() < 0.4:
            a = rng.normal(0, 0.4)
            c, s = np.cos(a), np.sin(a)
            turn = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])[np.roll(np.arange(3), int(rng.integers(3)))]
            pl = pn.placement
            origin = np.array(pl.origin) + rng.normal(0, 120, 3) * (1, 1, 0.5)
            pn = dataclasses.replace(pn, placement=Placement(tuple(map(float, origin)), tuple(map(float, turn @ pl.ex)),
                                                             tuple(map(float, turn @ pl.ey))))
        out.append(pn)
    return tuple(out)


def test_rays_tried_only_where_a_part_can_be_give_the_same_hits(monkeypatch: pytest.MonkeyPatch) -> None:
    """The caster tries a part only against the rays that can reach it and skips segments inside its
    openings: exactly the hits (depth and part, bit for bit) of trying every ray on every part."""
    rng = np.random.default_rng(15)
    p = load_preset("phone-a4")
    f = p.framing
    parts = [pn for pn in build_panels(p) if pn.name != "base"]
    s_max = f.lens_z_mm - f.paper_z_mm
    hits = 0
    nudged = [tuple(_moved(pn, (dx, dy, 0.0)) if pn.name in ("shelf", "cradle", "device") else pn for pn in parts)
              for dx, dy in ((3, 0), (8, 2), (12, -5), (0, 20))]  # the lens hole slides off the lens
    for trial in range(20):
        shaken = nudged[trial] if trial < len(nudged) else _shaken(parts, rng)
        origin, d = view.rays(p, (48, 27))
        if trial % 2 and trial >= len(nudged):  # an off-centre, skewed fan
            origin = origin + rng.normal(0, 40, 3)
            d = (d + np.append(rng.normal(0, 0.3, 2), 0.0)) * rng.uniform(0.5, 2)
        fast = view.first_hits(shaken, origin, d, s_max)
        with monkeypatch.context() as m:
            m.setattr(view._Fan, "of", staticmethod(lambda d: None))
            m.setattr(view, "_clear_rects", lambda pn: ())
            every = view.first_hits(shaken, origin, d, s_max)
        assert np.array_equal(fast[0], every[0]) and np.array_equal(fast[1], every[1]), trial
        hits += int(np.isfinite(every[0]).sum())
    assert hits > 1000  # the parts did get in the way


def test_the_stage_and_its_markers_are_in_the_view() -> None:
    p = load_preset("phone-a4")
    v = view.render(p, 480)
    w, h = v.size
    for x, y in view.stage_corners_px(p, v.size):
        assert 0 <= x <= w and 0 <= y <= h
    # where the paper is, the picture is bright; each marker's black border is dark
    f = p.framing
    bright = v.image.mean(axis=2)
    sx, sy = f.stage_rect_mm
    paper = (np.abs(v.stage_xy[..., 0]) < sx / 2 - 5) & (np.abs(v.stage_xy[..., 1]) < sy / 2 - 5)
    assert paper.mean() > 0.4 and np.percentile(bright[paper], 5) > 200  # but for the engraved marks
    for _id, mx, my in f.markers_mm:
        edge = np.abs(v.stage_xy[..., 0] - (mx - p.marker_size_mm * 5 / 12)) < p.marker_size_mm / 12
        band = edge & (np.abs(v.stage_xy[..., 1] - my) < p.marker_size_mm / 3)
        assert band.any() and bright[band].mean() < 90


def test_plans_view_writes_the_picture(tmp_path: Path) -> None:
    import json

    from PIL import Image

    out = tmp_path / "view.png"
    r = run_cli("plans", "view", "--preset", "phone-a4", "--out", str(out), "--size", "320", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["hidden_pct"] == 0 and data["glare_margin_mm"] > 0
    with Image.open(out) as im:
        assert im.size == (320, 180)
    r = run_cli("plans", "view", "--out", str(out))
    assert r.returncode == 2 and "--force" in r.stderr


class _Boxes:
    """The bounding-box query trimesh's ray caster asks of its r-tree, answered with numpy (one comparison
    per bound, on contiguous columns: it runs once per ray)."""

    def __init__(self, triangles: np.ndarray) -> None:
        lo, hi = triangles.min(axis=1), triangles.max(axis=1)
        self.bounds = np.concatenate([lo.min(axis=0), hi.max(axis=0)])
        self.columns = tuple(np.ascontiguousarray(c) for c in (*lo.T, *hi.T))

    def intersection(self, box: np.ndarray) -> np.ndarray:
        x0, y0, z0, x1, y1, z1 = (float(v) for v in box)
        lx, ly, lz, hx, hy, hz = self.columns
        return np.nonzero((lx <= x1) & (ly <= y1) & (lz <= z1) & (hx >= x0) & (hy >= y0) & (hz >= z0))[0]


def _trimesh_hidden(p: object, stl: Path, size: tuple[int, int]) -> np.ndarray:
    import trimesh
    from trimesh.ray.ray_triangle import ray_triangle_id

    mesh = trimesh.load(stl, force="mesh")
    origin, d = view.rays(p, size)  # type: ignore[arg-type]
    f = p.framing  # type: ignore[attr-defined]
    origins = np.tile(origin + np.array([0.0, 0.0, -1e-3]), (len(d), 1))
    _tri, ray, loc = ray_triangle_id(mesh.triangles, origins, d, tree=_Boxes(mesh.triangles), multiple_hits=True,
                                    triangles_normal=mesh.face_normals)
    hidden = np.zeros(len(d), bool)
    hidden[ray[loc[:, 2] > f.paper_z_mm + 0.01]] = True
    return hidden.reshape(size[1], size[0])


@pytest.mark.slow
def test_trimesh_rays_on_the_kits_stl_agree(full_kits: dict[str, Path], tmp_path: Path) -> None:
    import cadquery as cq

    from cagette.plans import model3d

    p = load_preset("phone-a4")
    size = (160, 90)
    ours = view.render(p, 160)
    theirs = _trimesh_hidden(p, full_kits["phone-a4"] / "model.stl", size)
    assert (ours.hidden == theirs).mean() >= 0.995 and not theirs.any()
    # the same with the leg in the frame, its STL made by CadQuery from the moved part
    moved = _moved_leg(p)
    shapes = [model3d.panel_workplane(pn).val().moved(model3d.location(pn)) for pn in moved  # type: ignore[attr-defined]
              if pn.is_cut]  # type: ignore[attr-defined]
    stl = tmp_path / "moved.stl"
    cq.exporters.export(cq.Compound.makeCompound(shapes), str(stl), "STL", tolerance=0.05, angularTolerance=0.2)
    ours = view.render(p, 160, panels=moved)  # type: ignore[arg-type]
    theirs = _trimesh_hidden(p, stl, size)
    assert theirs.mean() > 0.01
    assert (ours.hidden == theirs).mean() >= 0.995
