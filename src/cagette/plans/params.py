"""The parameters of the box: one frozen, validated object.

Every field carries its unit in its name (``board_thickness_mm``); choices are
enums; cross-field checks raise :class:`~cagette.errors.ParameterError`
naming the values and what to change. Derived figures (shelf height, visible
area, light angle...) are computed by :mod:`cagette.plans.framing` and exposed
through :attr:`BoxParams.framing`; nothing derived is stored as a field.

Values apply in order: preset, then a ``--params`` file, then each ``--set``
(see :func:`apply_overrides`).
"""

from __future__ import annotations

import dataclasses
import enum
import math
import tomllib
from dataclasses import dataclass, fields
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cagette.errors import ParameterError
from cagette.i18n import N_, _

if TYPE_CHECKING:
    from cagette.plans.framing import Framing

PRESET_PACKAGE = "cagette.plans.presets"
LENS_EDGE_MM = 5.0  # a lens centre is at least this far from the device's edges
DEFAULT_PRESET = "phone-a4"


class Stage(enum.StrEnum):
    A4 = "a4"
    A3 = "a3"
    CUSTOM = "custom"


class OutputRatio(enum.StrEnum):
    R16_9 = "16:9"
    R4_3 = "4:3"
    R9_16 = "9:16"
    R1_1 = "1:1"

    @property
    def value_wh(self) -> tuple[int, int]:
        w, h = self.value.split(":")
        return int(w), int(h)

    @property
    def portrait(self) -> bool:
        w, h = self.value_wh
        return h > w


class Paper(enum.StrEnum):
    A4 = "a4"
    A3 = "a3"


class DeviceKind(enum.StrEnum):
    PHONE = "phone"
    TABLET = "tablet"


DEVICE_NAMES = (N_("phone"), N_("tablet"))  # shown translated: _(p.device_kind.value)

# Paper sizes, long side first.
STAGE_SIZES_MM = {Stage.A4: (297.0, 210.0), Stage.A3: (420.0, 297.0)}


@dataclass(frozen=True)
class BoxParams:
    """Everything that shapes the box. Lengths in mm, angles in degrees."""

    name: str = "custom"
    # device: the phone or tablet, held in portrait, seen from its back
    device_kind: DeviceKind = DeviceKind.PHONE
    device_width_mm: float = 72.0
    device_length_mm: float = 150.0
    device_thickness_mm: float = 8.5
    device_mass_g: float = 0.0  # 0: estimated from its size (2 g/cm³)
    lens_x_mm: float = 18.0  # lens centre from the device's left edge (back view, portrait)
    lens_y_mm: float = 18.0  # lens centre from the device's top edge
    lens_fov_deg: float = 0.0  # field of view along the sensor's long side; 0: use the focal length
    lens_focal_35mm_mm: float = 26.0  # 35 mm equivalent focal length
    sensor_aspect: str = "4:3"
    # stage and frame
    stage: Stage = Stage.A4
    stage_width_mm: float = 0.0  # custom stage only (long side)
    stage_depth_mm: float = 0.0
    output_ratio: OutputRatio = OutputRatio.R16_9
    frame_margin_pct: float = 8.0
    stabilisation_crop_pct: float = 10.0
    marker_size_mm: float = 20.0
    marker_gap_mm: float = 4.0
    card_paper: Paper = Paper.A3  # the framing card is printed at 1:1 on this paper, tiled if needed
    # boards and joints
    board_thickness_mm: float = 6.0
    kerf_mm: float = 0.15
    joint_play_mm: float = 0.1  # clearance added to every slot (total, across and along)
    finger_width_mm: float = 0.0  # 0: three board thicknesses
    tool_diameter_mm: float = 3.175
    dog_bones: bool = False
    pin_diameter_mm: float = 6.0
    max_leg_height_mm: float = 700.0
    shelf_positions: int = 3
    shelf_step_mm: float = 25.0
    # light
    wing_tilt_deg: float = 90.0  # the lamps' face: 0 looks straight down, 90 looks sideways at the stage
    led_strip_width_mm: float = 10.0
    diffuser_thickness_mm: float = 3.0
    # nesting
    sheet_width_mm: float = 600.0
    sheet_height_mm: float = 400.0
    part_gap_mm: float = 5.0
    # prices
    board_price_eur_per_m2: float = 18.0
    diffuser_price_eur_per_m2: float = 40.0
    led_strip_price_eur_per_m: float = 6.0
    controller_price_eur: float = 25.0

    def __post_init__(self) -> None:
        validate(self)

    # -- simple derived values -------------------------------------------------
    @property
    def finger_mm(self) -> float:
        return self.finger_width_mm or 3.0 * self.board_thickness_mm

    @property
    def stage_size_mm(self) -> tuple[float, float]:
        """(long, short) size of the paper stage."""
        if self.stage is Stage.CUSTOM:
            a, b = self.stage_width_mm, self.stage_depth_mm
            return (max(a, b), min(a, b))
        return STAGE_SIZES_MM[self.stage]

    @property
    def sensor_aspect_ratio(self) -> float:
        return _ratio(self.sensor_aspect, "sensor_aspect")

    @property
    def dog_bone_radius_mm(self) -> float:
        return self.tool_diameter_mm / 2 if self.dog_bones else 0.0

    @cached_property
    def framing(self) -> Framing:
        from cagette.plans.framing import compute

        return compute(self)

    # -- (de)serialisation -----------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = value.value if isinstance(value, enum.Enum) else value
        return out

    def replace(self, **changes: Any) -> BoxParams:
        return dataclasses.replace(self, **changes)


FIELD_TYPES: dict[str, Any] = {}


def _field_types() -> dict[str, Any]:
    if not FIELD_TYPES:
        hints = {"str": str, "float": float, "int": int, "bool": bool, "Stage": Stage,
                 "OutputRatio": OutputRatio, "DeviceKind": DeviceKind, "Paper": Paper}
        for f in fields(BoxParams):
            FIELD_TYPES[f.name] = hints[str(f.type)]
    return FIELD_TYPES


def _ratio(text: str, name: str) -> float:
    try:
        a, b = (float(x) for x in str(text).split(":"))
        if a > 0 and b > 0 and math.isfinite(a / b):
            return max(a, b) / min(a, b)
    except ValueError:
        pass
    raise ParameterError(
        _("{name} = {value!r} is not a ratio such as 4:3.").format(name=name, value=text),
        _("Write it as two positive numbers separated by a colon, for example 4:3 or 16:9."),
    )


def convert(name: str, value: Any) -> Any:
    """Turn a TOML value or a ``--set`` string into the field's type."""
    types = _field_types()
    if name not in types:
        close = sorted(n for n in types if n.split("_")[0] == name.split("_")[0])
        raise ParameterError(
            _("Unknown parameter {name!r}.").format(name=name),
            _("Known parameters are listed by `cagette plans show`{close}.").format(
                close=(" (" + _("did you mean {names}?").format(names=", ".join(close)) + ")") if close else ""),
        )
    kind = types[name]
    try:
        if kind is bool:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in ("1", "true", "yes", "on", "oui", "vrai"):
                return True
            if text in ("0", "false", "no", "off", "non", "faux"):
                return False
            raise ValueError(text)
        if kind in (float, int):
            if isinstance(value, bool):
                raise ValueError(value)
            number = float(value)
            if not math.isfinite(number):
                raise ValueError(value)
            if kind is int:
                if number != int(number):
                    raise ValueError(value)
                return int(number)
            return number
        if issubclass(kind, enum.Enum):
            return kind(str(value).strip().lower())
        return str(value)
    except (ValueError, TypeError):
        choices = ""
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            choices = ", ".join(m.value for m in kind)
        else:
            choices = {float: _("a number"), int: _("a whole number"), bool: "true/false"}.get(kind, _("text"))
        raise ParameterError(
            _("{name} = {value!r} is not valid.").format(name=name, value=value),
            _("Expected {choices}.").format(choices=choices),
        ) from None


def from_mapping(data: dict[str, Any], base: BoxParams | None = None) -> BoxParams:
    """Apply *data* (flat keys, or a ``[params]`` table) over *base*."""
    if "params" in data and isinstance(data["params"], dict):
        data = data["params"]
    changes = {}
    for key, value in data.items():
        if isinstance(value, dict):
            continue  # informational tables (derived, markers) are ignored on read
        changes[key] = convert(key, value)
    if base is None:
        return BoxParams(**changes)
    return dataclasses.replace(base, **changes)


def preset_names() -> list[str]:
    root = resources.files(PRESET_PACKAGE)
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".toml"))


def _read_toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ParameterError(
            _("{source} is not valid TOML: {error}").format(source=source, error=" ".join(str(exc).split())[:200]),
            _("Fix the file, or start again from `cagette plans build` which writes a params.toml."),
        ) from None


def load_preset(name: str) -> BoxParams:
    names = preset_names()
    if name not in names:
        raise ParameterError(
            _("Unknown preset {name!r}.").format(name=name),
            _("Choose one of: {names}.").format(names=", ".join(names)),
        )
    text = resources.files(PRESET_PACKAGE).joinpath(f"{name}.toml").read_text(encoding="utf-8")
    data = _read_toml(text, f"{name}.toml")
    data.setdefault("name", name)
    return from_mapping(data)


MAX_PARAMS_BYTES = 1_000_000


def load_file(path: Path, base: BoxParams) -> BoxParams:
    """Parameters from a TOML text file (a kit's ``params.toml``), applied over *base*."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_PARAMS_BYTES + 1)
    except OSError as exc:
        raise ParameterError(
            _("Cannot read the parameters file {path}: {error}").format(path=path, error=exc.strerror or exc),
            _("Check the path given to --params."),
        ) from None
    try:
        if len(data) > MAX_PARAMS_BYTES or b"\0" in data:
            raise UnicodeError
        text = data.decode("utf-8")
    except UnicodeError:
        raise ParameterError(
            _("{path} is not a TOML text file.").format(path=path),
            _("Give the params.toml of a kit (a short text file), or start from `cagette plans show`."),
        ) from None
    return from_mapping(_read_toml(text, str(path)), base)


def parse_set(item: str) -> tuple[str, str]:
    if "=" not in item:
        raise ParameterError(
            _("--set {item!r} is not of the form key=value.").format(item=item),
            _("Write for example --set board_thickness_mm=6."),
        )
    key, value = item.split("=", 1)
    return key.strip(), value.strip()


def apply_overrides(preset: str | None = None, params_file: Path | None = None,
                    sets: list[str] | None = None) -> BoxParams:
    """Preset, then ``--params`` file, then each ``--set``, in that order."""
    params = load_preset(preset or DEFAULT_PRESET)
    if params_file is not None:
        params = load_file(params_file, params)
    changes: dict[str, Any] = {}
    for item in sets or []:
        key, value = parse_set(item)
        changes[key] = convert(key, value)
    if changes:
        params = dataclasses.replace(params, **changes)
    return params


# -- validation ----------------------------------------------------------------

def _bad(message: str, hint: str) -> ParameterError:
    return ParameterError(message, hint)


def _range(p: BoxParams, name: str, low: float, high: float) -> None:
    value = getattr(p, name)
    if not (low <= value <= high):
        raise _bad(
            _("{name} = {value:g} is out of range.").format(name=name, value=value),
            _("Choose a value between {low:g} and {high:g}.").format(low=low, high=high),
        )


RANGES: dict[str, tuple[float, float]] = {
    "device_width_mm": (40, 400), "device_length_mm": (60, 500), "device_thickness_mm": (3, 30),
    "device_mass_g": (0, 3000), "wing_tilt_deg": (0, 90), "joint_play_mm": (0, 1.0),
    "lens_x_mm": (0, 400), "lens_y_mm": (0, 500), "lens_fov_deg": (0, 150),
    "lens_focal_35mm_mm": (8, 200), "frame_margin_pct": (0, 50), "stabilisation_crop_pct": (0, 40),
    "marker_size_mm": (8, 80), "marker_gap_mm": (0, 50),
    "board_thickness_mm": (2, 25), "kerf_mm": (0, 1.0), "finger_width_mm": (0, 200),
    "tool_diameter_mm": (0, 12), "pin_diameter_mm": (2, 20), "max_leg_height_mm": (150, 2000),
    "shelf_positions": (1, 9), "shelf_step_mm": (5, 200), "led_strip_width_mm": (3, 40),
    "diffuser_thickness_mm": (1, 10), "sheet_width_mm": (100, 3000), "sheet_height_mm": (100, 3000),
    "part_gap_mm": (0, 50), "board_price_eur_per_m2": (0, 10000), "diffuser_price_eur_per_m2": (0, 10000),
    "led_strip_price_eur_per_m": (0, 10000), "controller_price_eur": (0, 10000),
}


def validate(p: BoxParams) -> None:
    """Field ranges, then cross-field checks; the geometry checks live in framing."""
    for name, kind in _field_types().items():
        value = getattr(p, name)
        if kind is float and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise _bad(_("{name} must be a number, not {value!r}.").format(name=name, value=value),
                       _("Write a number of millimetres, for example 6."))
        if isinstance(kind, type) and issubclass(kind, enum.Enum) and not isinstance(value, kind):
            object.__setattr__(p, name, convert(name, value))
    for name, (low, high) in RANGES.items():
        _range(p, name, low, high)
    if not p.name or any(c in p.name for c in "/\\\n\"") or len(p.name) > 60:
        raise _bad(_("name = {value!r} is not a usable name.").format(value=p.name),
                   _("Use a short name without slashes or quotes, e.g. my-phone-a4."))
    _ratio(p.sensor_aspect, "sensor_aspect")
    if p.device_width_mm > p.device_length_mm:
        raise _bad(
            _("device_width_mm = {w:g} is larger than device_length_mm = {l:g}.").format(
                w=p.device_width_mm, l=p.device_length_mm),
            _("Give the short side as device_width_mm and the long side as device_length_mm."),
        )
    edge = LENS_EDGE_MM
    if not (edge <= p.lens_x_mm <= p.device_width_mm - edge and edge <= p.lens_y_mm <= p.device_length_mm - edge):
        raise _bad(
            _("The lens (lens_x_mm = {x:g}, lens_y_mm = {y:g}) lies outside the device ({w:g} × {l:g} mm) or "
              "less than {e:g} mm from its edge.").format(x=p.lens_x_mm, y=p.lens_y_mm, w=p.device_width_mm,
                                                         l=p.device_length_mm, e=LENS_EDGE_MM),
            _("Measure the lens from the device's left and top edges with the lens card (lens-card.pdf)."),
        )
    if p.lens_fov_deg and p.lens_fov_deg < 20:
        raise _bad(_("lens_fov_deg = {v:g} is too narrow to frame a stage from a table-top box.").format(
            v=p.lens_fov_deg), _("Give the real field of view (phones: 60 to 80°), or 0 to use lens_focal_35mm_mm."))
    if p.stage is Stage.CUSTOM:
        for name in ("stage_width_mm", "stage_depth_mm"):
            v = getattr(p, name)
            if not 50 <= v <= 1200:
                raise _bad(
                    _("{name} = {value:g}: a custom stage needs a size between 50 and 1200 mm.").format(
                        name=name, value=v),
                    _("Set stage_width_mm and stage_depth_mm, or choose stage = a4 or a3."),
                )
    t = p.board_thickness_mm
    if p.finger_mm < max(2 * t / 3, 4 * p.kerf_mm, 4.0):
        raise _bad(
            _("finger_width_mm = {f:g} is too thin for board_thickness_mm = {t:g} and kerf_mm = {k:g}.").format(
                f=p.finger_mm, t=t, k=p.kerf_mm),
            _("Use fingers at least {m:g} mm wide, or 0 for the default (three thicknesses).").format(
                m=round(max(2 * t / 3, 4 * p.kerf_mm, 4.0), 2)),
        )
    if p.kerf_mm * 4 > t:
        raise _bad(_("kerf_mm = {k:g} is too large for board_thickness_mm = {t:g}.").format(k=p.kerf_mm, t=t),
                   _("Measure the kerf with kerf-coupon.dxf; it is usually 0.1 to 0.3 mm."))
    if p.dog_bones and p.tool_diameter_mm <= 0:
        raise _bad(_("dog_bones is on but tool_diameter_mm = 0."),
                   _("Give the cutter's diameter, e.g. tool_diameter_mm = 3.175, or turn dog_bones off."))
    if p.dog_bones and p.tool_diameter_mm * math.sqrt(2) > min(t, p.finger_mm) / 1.05 - 2 * p.kerf_mm:
        raise _bad(
            _("tool_diameter_mm = {d:g} is too large for the slots of board_thickness_mm = {t:g} "
              "(dog-bones would overlap).").format(d=p.tool_diameter_mm, t=t),
            _("Use a cutter smaller than {m:.2f} mm, thicker boards, or turn dog_bones off.").format(
                m=(min(t, p.finger_mm) / 1.05 - 2 * p.kerf_mm) / math.sqrt(2)),
        )
    if p.diffuser_thickness_mm > 2 * t:
        raise _bad(_("diffuser_thickness_mm = {d:g} is more than twice board_thickness_mm = {t:g}.").format(
            d=p.diffuser_thickness_mm, t=t), _("Use a thinner diffuser (2 to 3 mm opal acrylic)."))
    p.framing  # noqa: B018 - the geometric checks: shelf height, fit of the device, lights
