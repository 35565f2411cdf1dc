"""Light like a copy stand: mirror images outside the frame, even light, a box that does not tip."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cagette.plans import checks, light, stability
from cagette.plans.params import load_preset, preset_names

RATIOS = ["16:9", "4:3", "9:16", "1:1"]


@pytest.mark.parametrize("name", preset_names())
def test_no_lamp_is_mirrored_into_the_frame(name: str) -> None:
    for ratio in RATIOS:
        p = load_preset(name).replace(output_ratio=ratio)
        assert light.glare_margin_mm(p) > 0, ratio
        # the law of reflection, checked on each corner: from the lens, the ray to the mirror point,
        # reflected by the paper, reaches the diffuser's corner
        f = p.framing
        lens = np.array([0.0, 0.0, f.lens_z_mm])
        for (corners, _n), quad in zip(light.diffuser_faces(p), light.mirror_footprints(p), strict=True):
            for q, (x, y) in zip(corners, quad, strict=True):
                hit = np.array([x, y, f.paper_z_mm])
                d = hit - lens
                d[2] = -d[2]
                to_corner = q - hit
                assert np.linalg.norm(np.cross(d, to_corner)) / np.linalg.norm(d) / np.linalg.norm(to_corner) < 1e-9
            x0, y0, x1, y1 = light.frame_rect(p)
            assert all(not (x0 < x < x1 and y0 < y < y1) for x, y in quad)


def test_a_lamp_moved_in_mirrors_into_the_frame_and_the_warning_names_the_parameter() -> None:
    p = load_preset("phone-a4")
    moved = [(corners * np.array([0.6, 1.0, 1.0]), n) for corners, n in light.diffuser_faces(p)]
    assert light.glare_margin_mm(p, moved) < 0
    assert any("wing_tilt_deg" in w for w in checks.warnings(p.replace(wing_tilt_deg=10)))


def test_irradiance_matches_the_closed_form_of_a_rectangle() -> None:
    """A horizontal Lambertian rectangle over a point: E = π × view factor (four corner rectangles)."""
    p = load_preset("phone-a4")
    z = p.framing.paper_z_mm
    for a, b, h in ((20.0, 113.0, 200.0), (60.0, 40.0, 80.0)):
        face = np.array([[-a, -b, z + h], [-a, b, z + h], [a, b, z + h], [a, -b, z + h]])
        e = light.irradiance(p, np.array([0.0]), np.array([0.0]), [(face, np.array([0.0, 0.0, -1.0]))])[0]
        big_a, big_b = a / h, b / h
        view = 4 / (2 * math.pi) * (big_a / math.hypot(1, big_a) * math.atan(big_b / math.hypot(1, big_a))
                                    + big_b / math.hypot(1, big_b) * math.atan(big_a / math.hypot(1, big_b)))
        assert e == pytest.approx(math.pi * view, rel=0.01)


@pytest.mark.parametrize("name", preset_names())
def test_the_default_tilt_lights_the_frame_evenly(name: str) -> None:
    p = load_preset(name)
    report = light.report(p)
    assert report.evenness_ev <= light.EVENNESS_TARGET_EV
    # turning the lamps away from the default makes it worse: the tilt is what evens the light
    assert light.report(p.replace(wing_tilt_deg=30)).evenness_ev > report.evenness_ev


@pytest.mark.parametrize("name", preset_names())
def test_the_box_does_not_tip_below_15_degrees(name: str) -> None:
    p = load_preset(name)
    st = stability.compute(p)
    assert st.tipping_deg >= stability.TIPPING_MIN_DEG
    f = p.framing
    assert abs(st.centre_mm[0]) < f.base_width_mm / 2 and abs(st.centre_mm[1]) < f.base_depth_mm / 2
    heavy = stability.compute(p.replace(device_mass_g=3000))
    assert heavy.centre_mm[2] > st.centre_mm[2] and heavy.tipping_deg < st.tipping_deg
