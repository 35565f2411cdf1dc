"""Parameters: presets, overrides in order, clear errors, derived figures."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from cagette.errors import ParameterError
from cagette.plans.kit import params_toml
from cagette.plans.params import (
    BoxParams,
    apply_overrides,
    load_file,
    load_preset,
    preset_names,
)


def test_presets_are_shipped_and_valid() -> None:
    names = preset_names()
    assert {"phone-a4", "phone-a3", "tablet-a3"} <= set(names)
    for name in names:
        p = load_preset(name)
        assert p.name == name
        assert p.framing.shelf_height_mm > 100


def test_overrides_apply_in_order(tmp_path: Path) -> None:
    f = tmp_path / "p.toml"
    f.write_text("board_thickness_mm = 4\nkerf_mm = 0.2\n")
    p = apply_overrides("phone-a4", f, ["kerf_mm=0.1"])
    assert p.board_thickness_mm == 4.0  # from the file
    assert p.kerf_mm == 0.1  # --set wins over the file
    assert p.stage.value == "a4"  # from the preset


def test_params_toml_round_trips(tmp_path: Path) -> None:
    p = apply_overrides("phone-a3", None, ["kerf_mm=0.123456789", "output_ratio=9:16", "dog_bones=false"])
    f = tmp_path / "params.toml"
    f.write_text(params_toml(p))
    back = load_file(f, load_preset("phone-a4"))
    assert back == p
    assert back.to_dict() == p.to_dict()


@pytest.mark.parametrize(("sets", "words"), [
    (["board_thickness_mm=abc"], ["board_thickness_mm", "abc"]),
    (["bogus_mm=3"], ["bogus_mm"]),
    (["kerf_mm=2"], ["kerf_mm"]),
    (["max_leg_height_mm=200"], ["max_leg_height_mm", "200"]),
    (["device_width_mm=390", "device_length_mm=480", "lens_x_mm=10", "lens_y_mm=10"], ["so large"]),
    (["finger_width_mm=1"], ["finger_width_mm", "kerf_mm"]),
    (["dog_bones=true", "tool_diameter_mm=6"], ["tool_diameter_mm", "board_thickness_mm"]),
    (["output_ratio=21:9"], ["output_ratio"]),
    (["lens_x_mm=100"], ["lens_x_mm"]),
    (["sensor_aspect=4-3"], ["sensor_aspect"]),
])
def test_impossible_values_name_themselves(sets: list[str], words: list[str]) -> None:
    with pytest.raises(ParameterError) as err:
        apply_overrides("phone-a4", None, sets)
    text = err.value.message
    for w in words:
        assert w in text
    assert err.value.hint
    assert err.value.exit_code == 2


def test_unknown_preset() -> None:
    with pytest.raises(ParameterError, match="nope"):
        load_preset("nope")


def test_fov_covers_stage_and_margin() -> None:
    for name in preset_names():
        p = load_preset(name)
        f = p.framing
        long_, short = p.stage_size_mm
        m = 1 + p.frame_margin_pct / 100
        w, h = (f.visible_height_mm, f.visible_width_mm) if f.portrait else (f.visible_width_mm, f.visible_height_mm)
        assert w >= long_ * m - 1e-6 and h >= short * m - 1e-6
        # the markers lie inside the visible area
        for _id, x, y in f.markers_mm:
            assert abs(x) + p.marker_size_mm / 2 <= f.visible_width_mm / 2
            assert abs(y) + p.marker_size_mm / 2 <= f.visible_height_mm / 2
        # independent check from the focal length: visible width = 2·H·tan(fov/2)·(1 - crop)
        s = p.sensor_aspect_ratio
        tan_long = 43.2666 / 2 / p.lens_focal_35mm_mm * s / math.hypot(s, 1)
        assert math.isclose(f.visible_width_mm, 2 * f.shelf_height_mm * tan_long * (1 - p.stabilisation_crop_pct / 100),
                            rel_tol=1e-3)


def test_light_angle_and_portrait() -> None:
    p = load_preset("phone-a4")
    f = p.framing
    assert f.light_angle_deg == pytest.approx(math.degrees(math.atan2(f.light_z_mm - f.t, f.light_x_mm)))
    assert 20 < f.light_angle_deg < 60
    q = p.replace(output_ratio="9:16")
    assert q.framing.portrait and q.framing.visible_height_mm > q.framing.visible_width_mm


def test_fov_in_degrees_overrides_focal() -> None:
    p = load_preset("phone-a4")
    wide = p.replace(lens_fov_deg=80.0)
    narrow = p.replace(lens_fov_deg=60.0)
    assert wide.framing.shelf_height_mm < narrow.framing.shelf_height_mm


def test_new_fields_have_ranges() -> None:
    for sets, word in ((["wing_tilt_deg=120"], "wing_tilt_deg"), (["joint_play_mm=-1"], "joint_play_mm"),
                       (["card_paper=a2"], "card_paper"), (["device_mass_g=-5"], "device_mass_g")):
        with pytest.raises(ParameterError) as err:
            apply_overrides("phone-a4", None, sets)
        assert word in err.value.message


def test_frozen() -> None:
    p = BoxParams()
    with pytest.raises(AttributeError):
        p.kerf_mm = 1.0  # type: ignore[misc]
