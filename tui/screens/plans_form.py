"""The plans form, derived from the parameter model: one control per field of
:class:`cagette.plans.params.BoxParams`, in the model's order.

Nothing here lists the parameters: a field added to the model gets a control
(a text field for numbers and text, a list for a choice, a checkbox for a
yes/no) under the section of the field before it, labelled by its name until
it is given a label here. Each value is checked as the command line checks a
``--params`` file (:func:`cagette.plans.params.convert`, then the model's own
validation); the message is the same one-line message.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

from cagette.errors import ParameterError
from cagette.i18n import N_, _
from cagette_tui.widgets.marks import Check

# Labels of the parameters (a parameter without one is shown by its name).
LABELS: dict[str, str] = {
    "name": N_("Name of the kit"),
    "device_kind": N_("Device"),
    "device_width_mm": N_("Device width (mm)"),
    "device_length_mm": N_("Device length (mm)"),
    "device_thickness_mm": N_("Device thickness (mm)"),
    "device_mass_g": N_("Device mass (g; 0: estimated from its size)"),
    "lens_x_mm": N_("Lens from the left edge (mm)"),
    "lens_y_mm": N_("Lens from the top edge (mm)"),
    "lens_fov_deg": N_("Field of view (°; 0: from the focal length)"),
    "lens_focal_35mm_mm": N_("Focal length, 35 mm equivalent (mm)"),
    "sensor_aspect": N_("Sensor shape (such as 4:3)"),
    "stage": N_("Paper stage"),
    "stage_width_mm": N_("Custom stage: long side (mm)"),
    "stage_depth_mm": N_("Custom stage: short side (mm)"),
    "output_ratio": N_("Video shape"),
    "frame_margin_pct": N_("Margin around the stage (%)"),
    "stabilisation_crop_pct": N_("Stabilisation crop (%)"),
    "marker_size_mm": N_("Marker size (mm)"),
    "marker_gap_mm": N_("Gap between marker and stage (mm)"),
    "card_paper": N_("Paper of the framing card"),
    "board_thickness_mm": N_("Board thickness (mm)"),
    "kerf_mm": N_("Kerf of the cutter (mm)"),
    "joint_play_mm": N_("Joint play (mm)"),
    "finger_width_mm": N_("Finger width (mm; 0: three thicknesses)"),
    "tool_diameter_mm": N_("Cutter diameter (mm)"),
    "dog_bones": N_("Dog-bone corners (for a router)"),
    "pin_diameter_mm": N_("Pin diameter (mm)"),
    "max_leg_height_mm": N_("Highest leg (mm)"),
    "shelf_positions": N_("Shelf positions"),
    "shelf_step_mm": N_("Step between shelf positions (mm)"),
    "wing_tilt_deg": N_("Wing tilt (°; 0: lamps look down, 90: sideways)"),
    "led_strip_width_mm": N_("LED strip width (mm)"),
    "diffuser_thickness_mm": N_("Diffuser thickness (mm)"),
    "sheet_width_mm": N_("Sheet width (mm)"),
    "sheet_height_mm": N_("Sheet height (mm)"),
    "part_gap_mm": N_("Gap between parts on a sheet (mm)"),
    "board_price_eur_per_m2": N_("Board price (€/m²)"),
    "diffuser_price_eur_per_m2": N_("Diffuser price (€/m²)"),
    "led_strip_price_eur_per_m": N_("LED strip price (€/m)"),
    "controller_price_eur": N_("Controller price (€)"),
}

# A section starts at these fields; a field belongs to the last section started before it.
SECTIONS: dict[str, str] = {
    "name": N_("The kit"),
    "device_kind": N_("Device and lens"),
    "stage": N_("Stage and frame"),
    "board_thickness_mm": N_("Boards and joints"),
    "wing_tilt_deg": N_("Light"),
    "sheet_width_mm": N_("Sheets to cut"),
    "board_price_eur_per_m2": N_("Prices"),
}

CHOICE_NAMES = {"phone": N_("phone"), "tablet": N_("tablet"), "custom": N_("custom size")}


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # "text", "choice" or "switch"
    choices: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return _(LABELS[self.name]) if self.name in LABELS else self.name


def model_fields(params: Any) -> list[Field]:
    """Every field of the parameter model of *params* (a dataclass instance), in its order."""
    out = []
    for f in dataclasses.fields(params):
        value = getattr(params, f.name)
        if isinstance(value, enum.Enum):
            out.append(Field(f.name, "choice", tuple(m.value for m in type(value))))
        elif isinstance(value, bool):
            out.append(Field(f.name, "switch"))
        else:
            out.append(Field(f.name, "text"))
    return out


def shown(value: Any) -> str:
    """A value as the form shows it (and as the command line reads it back)."""
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def control(field: Field, value: Any) -> Widget:
    wid = f"f-{field.name}"
    if field.kind == "choice":
        options = [(_(CHOICE_NAMES[c]) if c in CHOICE_NAMES else c, c) for c in field.choices]
        return Select(options, value=shown(value), allow_blank=False, id=wid)
    if field.kind == "switch":
        return Check(field.label, bool(value), id=wid)
    return Input(shown(value), id=wid)


def rows(fields: list[Field], params: Any) -> Iterator[Widget]:
    """The form's widgets: section titles, then for each field its label and control, and a line for
    its error."""
    for field in fields:
        if field.name in SECTIONS:
            yield Static(_(SECTIONS[field.name]), classes="section")
        widget = control(field, getattr(params, field.name))
        if field.kind == "switch":  # a checkbox carries its own label
            yield Horizontal(widget, classes="row switch-row")
        else:
            yield Horizontal(Label(field.label), widget, classes="row")
        yield Static("", id=f"err-{field.name}", classes="field-error")


def raw_value(widget: Widget) -> Any:
    value = widget.value  # type: ignore[attr-defined]  # every control of the form has a value (Input, Checkbox, Select)
    return value if isinstance(value, bool) else str(value)


def check(params: Any, fields: list[Field], raw: dict[str, Any]) -> tuple[Any, dict[str, str], str]:
    """The values of the form checked as the command line checks them: the new parameters (or *params*
    when a value is refused), the refusals by field, and a refusal that names no field."""
    from cagette.plans.params import convert

    changes: dict[str, Any] = {}
    invalid: dict[str, str] = {}
    for name, value in raw.items():
        try:
            changes[name] = convert(name, value)
        except ParameterError as exc:
            invalid[name] = one_line(exc)
    if invalid:
        return params, invalid, ""
    try:
        return params.replace(**changes), {}, ""
    except ParameterError as exc:
        text = one_line(exc)
        named = [f.name for f in fields if re.search(rf"\b{re.escape(f.name)}\b", exc.message)]
        return params, dict.fromkeys(named, text), "" if named else text


def one_line(exc: ParameterError) -> str:
    return exc.message + (f" → {exc.hint}" if exc.hint else "")
