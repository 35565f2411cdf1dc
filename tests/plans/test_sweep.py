"""Hostile parameters: output or a clear CagetteError, never another exception
and never a half-written output folder."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cagette.errors import CagetteError
from cagette.plans import geom2d as g
from cagette.plans.kit import build
from cagette.plans.nesting import nest
from cagette.plans.panels import build_panels
from cagette.plans.params import apply_overrides
from cagette.plans.sheets import sheet_items, svg_text

FIELDS = {
    "board_thickness_mm": st.floats(0.5, 30),
    "kerf_mm": st.floats(-0.1, 1.5),
    "finger_width_mm": st.floats(0, 80),
    "tool_diameter_mm": st.floats(0, 8),
    "dog_bones": st.booleans(),
    "stage": st.sampled_from(["a4", "a3", "custom", "a5"]),
    "stage_width_mm": st.floats(0, 1500),
    "stage_depth_mm": st.floats(0, 1500),
    "output_ratio": st.sampled_from(["16:9", "4:3", "9:16", "1:1", "3:2"]),
    "device_width_mm": st.floats(30, 420),
    "device_length_mm": st.floats(50, 520),
    "lens_x_mm": st.floats(-5, 300),
    "lens_y_mm": st.floats(-5, 300),
    "lens_focal_35mm_mm": st.floats(5, 120),
    "lens_fov_deg": st.one_of(st.just(0.0), st.floats(10, 160)),
    "frame_margin_pct": st.floats(-5, 60),
    "sheet_width_mm": st.floats(50, 2500),
    "sheet_height_mm": st.floats(50, 2500),
    "shelf_positions": st.integers(0, 10),
    "shelf_step_mm": st.floats(1, 250),
    "diffuser_thickness_mm": st.floats(0.5, 12),
    "max_leg_height_mm": st.floats(100, 2100),
    "led_strip_width_mm": st.floats(2, 50),
}


@st.composite
def overrides(draw: st.DrawFn) -> list[str]:
    keys = draw(st.lists(st.sampled_from(sorted(FIELDS)), max_size=7, unique=True))
    out = []
    for k in keys:
        v = draw(FIELDS[k])
        out.append(f"{k}={str(v).lower() if isinstance(v, bool) else v}")
    if draw(st.booleans()):
        out.append(draw(st.sampled_from(["nonsense", "kerf_mm=", "=3", "board_thickness_mm=nan", "unknown_mm=2"])))
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(preset=st.sampled_from(["phone-a4", "phone-a3", "tablet-a3"]), sets=overrides())
def test_2d_path_gives_output_or_a_clear_error(preset: str, sets: list[str]) -> None:
    try:
        p = apply_overrides(preset, None, sets)
        panels = build_panels(p)
        sheets = nest(p)
    except CagetteError as exc:
        assert exc.message and exc.hint
        return
    for pn in panels:
        assert g.area(pn.outer) > 0
        assert all(g.area(h) < 0 for h in pn.holes)
        # every hole lies inside its panel
        for h in pn.holes:
            assert g.point_in(h[0], pn.outer)
    sheet = sheets[0]
    assert "<svg" in svg_text(sheet_items(sheet, p.kerf_mm), sheet.width_mm, sheet.height_mm)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(preset=st.sampled_from(["phone-a4", "tablet-a3"]), sets=overrides())
def test_build_leaves_all_or_nothing(preset: str, sets: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "kit"
        try:
            p = apply_overrides(preset, None, sets)
            files = build(p, out, only=("dxf", "svg", "coupon"))
        except CagetteError as exc:
            assert exc.message
            assert not out.exists()
        else:
            on_disk = sorted(str(f.relative_to(out)) for f in out.rglob("*") if f.is_file())
            assert on_disk == sorted([*files, "kit-manifest.txt"])
        assert [x.name for x in Path(tmp).iterdir() if x.name != "kit"] == []  # no staging folder left
