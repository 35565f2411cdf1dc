# SPDX-FileCopyrightText: 2026 La 27e Région and the cagette contributors
# SPDX-License-Identifier: CERN-OHL-S-2.0
"""The Vidéocagette V2 box as a CQ-editor script.

Open this file in CQ-editor (or run it with ``python``): it builds the box's
CadQuery assembly from the parameters below, with cagette's own plans (the
same outlines the cut sheets use), and shows it. Needs cagette installed in
the same Python as CadQuery (``pip install cagette``).
"""

# -- the parameters: a preset, then any field of `cagette plans show` ------------------
PRESET = "phone-a4"
CHANGES = {
    # "lens_x_mm": 21.0,
    # "lens_y_mm": 14.0,
    # "board_thickness_mm": 6.0,
    # "output_ratio": "16:9",
    # "wing_tilt_deg": 90.0,
}

# -- the box --------------------------------------------------------------------------------
from cagette.plans import model3d  # noqa: E402
from cagette.plans.params import apply_overrides  # noqa: E402

params = apply_overrides(PRESET, None, [f"{k}={v}" for k, v in CHANGES.items()])
box = model3d.assembly(params)

if "show_object" in globals():  # CQ-editor
    show_object(box, name=params.name)  # type: ignore[name-defined]  # noqa: F821
else:
    box.save(f"{params.name}.step")  # plain python: write the STEP beside you
