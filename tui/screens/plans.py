"""Box plans: the parameters as a form with presets, derived figures live, the kit built in a worker,
and a picture of the model.

Each field is checked as you type with :mod:`cagette.plans.params` (the same
validation as the command line); a refused value is explained beside its
field and the figures keep the last valid box. The picture is a front view
drawn from the derived figures until the kit is built, then the 3D model's
projection (hidden-line, from the geometry kernel, computed in the worker).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Label, Select, Static

from cagette.errors import CagetteError, ParameterError
from cagette.i18n import N_, _
from cagette_tui.widgets.job import JobPanel
from cagette_tui.widgets.keys import KeysBar
from cagette_tui.widgets.picture import Picture

KEYS = [("Tab", N_("next field")), ("Ctrl+B", N_("build the kit")), ("Esc", N_("back"))]

# (field, label) shown in the form; the others keep the preset's values.
FIELDS: list[tuple[str, str]] = [
    ("device_kind", N_("Device")),
    ("device_width_mm", N_("Device width (mm)")),
    ("device_length_mm", N_("Device length (mm)")),
    ("device_thickness_mm", N_("Device thickness (mm)")),
    ("lens_x_mm", N_("Lens from the left edge (mm)")),
    ("lens_y_mm", N_("Lens from the top edge (mm)")),
    ("lens_focal_35mm_mm", N_("Focal length, 35 mm equivalent (mm)")),
    ("stage", N_("Paper stage")),
    ("output_ratio", N_("Video shape")),
    ("frame_margin_pct", N_("Margin around the stage (%)")),
    ("board_thickness_mm", N_("Board thickness (mm)")),
    ("kerf_mm", N_("Kerf of the cutter (mm)")),
    ("sheet_width_mm", N_("Sheet width (mm)")),
    ("sheet_height_mm", N_("Sheet height (mm)")),
]

FIGURES: list[tuple[str, str, str]] = [
    ("shelf_height_mm", N_("Shelf height above the paper"), "mm"),
    ("visible_width_mm", N_("Visible width on the paper"), "mm"),
    ("visible_height_mm", N_("Visible height on the paper"), "mm"),
    ("light_angle_deg", N_("Light angle"), "°"),
    ("leg_height_mm", N_("Leg height"), "mm"),
    ("base_width_mm", N_("Base width"), "mm"),
    ("base_depth_mm", N_("Base depth"), "mm"),
]

PICTURE_CELLS = (56, 20)


def front_view(framing: Any, size: tuple[int, int] = (224, 160)) -> Any:
    """A front view of the box drawn from its derived figures (PIL image): base, legs, shelf, wings,
    lights and the camera's view down to the paper."""
    from PIL import Image, ImageDraw

    f = framing
    width_mm = max(f.base_width_mm, 2 * (f.leg_inner_x_mm + f.t + f.wing_width_mm)) * 1.1
    height_mm = f.leg_height_mm * 1.08
    scale = min(size[0] / width_mm, size[1] / height_mm)
    img = Image.new("RGB", size, (250, 248, 240))
    draw = ImageDraw.Draw(img)

    def pt(x: float, z: float) -> tuple[float, float]:
        return (size[0] / 2 + x * scale, size[1] - 4 - z * scale)

    wood, light, cone, paper = (150, 100, 50), (240, 180, 0), (40, 110, 200), (255, 255, 255)
    half_paper = f.stage_rect_mm[0] / 2
    draw.rectangle([pt(-half_paper, f.t + 2), pt(half_paper, f.t)], fill=paper, outline=(120, 120, 120))
    draw.rectangle([pt(-f.base_width_mm / 2, f.t), pt(f.base_width_mm / 2, 0)], fill=wood)
    for sign in (-1, 1):
        inner = sign * f.leg_inner_x_mm
        outer = sign * (f.leg_inner_x_mm + f.t)
        draw.rectangle([pt(min(inner, outer), f.leg_height_mm), pt(max(inner, outer), 0)], fill=wood)
        wing_end = sign * (f.leg_inner_x_mm + f.t + f.wing_width_mm)
        draw.rectangle([pt(min(outer, wing_end), f.wing_top_mm), pt(max(outer, wing_end), f.wing_top_mm - f.t)],
                       fill=wood)
        draw.ellipse([pt(sign * f.light_x_mm - 6, f.light_z_mm + 6), pt(sign * f.light_x_mm + 6, f.light_z_mm - 6)],
                     fill=light)
    draw.rectangle([pt(-f.leg_inner_x_mm, f.shelf_top_mm), pt(f.leg_inner_x_mm, f.shelf_top_mm - f.t)], fill=wood)
    lens = pt(0, f.shelf_top_mm - f.t)
    draw.line([lens, pt(-f.visible_width_mm / 2, f.t + 2)], fill=cone, width=3)
    draw.line([lens, pt(f.visible_width_mm / 2, f.t + 2)], fill=cone, width=3)
    return img


def projection_image(view: Any, size: tuple[int, int] = (224, 160)) -> Any:
    """The kit's hidden-line projection (a :class:`cagette.plans.guide.View`) drawn as a PIL image."""
    from PIL import Image, ImageDraw

    x0, y0, x1, y1 = view.bbox
    scale = min((size[0] - 8) / max(1e-6, x1 - x0), (size[1] - 8) / max(1e-6, y1 - y0))
    img = Image.new("RGB", size, (250, 248, 240))
    draw = ImageDraw.Draw(img)

    def pt(q: tuple[float, float]) -> tuple[float, float]:
        return (4 + (q[0] - x0) * scale, size[1] - 4 - (q[1] - y0) * scale)

    for line in view.visible:
        if len(line) > 1:
            draw.line([pt(q) for q in line], fill=(60, 40, 20), width=2)
    return img


class PlansScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", show=False),
        Binding("ctrl+b", "build", show=False, priority=True),
    ]

    DEFAULT_CSS = """
    PlansScreen #plans { height: 1fr; }
    PlansScreen #form { width: 58; padding: 0 1; }
    PlansScreen #side { width: 1fr; padding: 0 1; }
    PlansScreen .row { height: auto; }
    PlansScreen .row Label { width: 26; padding: 1 1 0 0; }
    PlansScreen .row Input, PlansScreen .row Select { width: 1fr; }
    PlansScreen .field-error { color: $error; padding: 0 0 0 26; height: auto; }
    PlansScreen #build-row { height: auto; padding: 1 0 0 0; }
    """

    def __init__(self, preset: str | None = None, out_dir: Path | None = None) -> None:
        from cagette import settings
        from cagette.plans.params import DEFAULT_PRESET, load_preset

        super().__init__()
        try:
            name = preset or settings.current().plans.default_preset or DEFAULT_PRESET
        except CagetteError:
            name = DEFAULT_PRESET
        self.preset = name
        self.params = load_preset(name)
        self.invalid: dict[str, str] = {}  # field -> message
        self.general_error = ""
        self.out_dir = out_dir
        self.built: list[str] = []
        self.built_dir: Path | None = None

    def compose(self) -> ComposeResult:
        from cagette.plans.params import preset_names

        yield Header()
        with Horizontal(id="plans"):
            with VerticalScroll(id="form"):
                yield Static(_("Box plans"), classes="title")
                with Horizontal(classes="row"):
                    yield Label(_("Preset"))
                    yield Select([(n, n) for n in preset_names()], value=self.preset, allow_blank=False,
                                 id="preset")
                for name, label in FIELDS:
                    with Horizontal(classes="row"):
                        yield Label(_(label))
                        yield self._field(name)
                    yield Static("", id=f"err-{name}", classes="field-error")
            with Vertical(id="side"):
                yield Static("", id="figures")
                yield Picture(id="model")
                with Horizontal(id="build-row"):
                    yield Select([(_("everything (3D model and guide too)"), "all"),
                                  (_("cutting files only (DXF, SVG, PDF, bill of materials)"), "2d")],
                                 value="all", allow_blank=False, id="what")
                    yield Button(_("Build the kit (Ctrl+B)"), id="build", variant="primary")
                yield JobPanel(id="job")
                yield Static("", id="built")
        yield KeysBar(KEYS)

    def _field(self, name: str) -> Any:
        import enum

        value = getattr(self.params, name)
        if isinstance(value, enum.Enum):
            options = [(m.value, m.value) for m in type(value)]
            return Select(options, value=value.value, allow_blank=False, id=f"f-{name}")
        return Input(f"{value:g}" if isinstance(value, float) else str(value), id=f"f-{name}")

    def on_mount(self) -> None:
        self.show_figures()

    # checking as you type --------------------------------------------------------------
    def _values(self) -> dict[str, str]:
        out = {}
        for name, _label in FIELDS:
            widget = self.query_one(f"#f-{name}")
            value = widget.value  # type: ignore[attr-defined]
            out[name] = str(value)
        return out

    def recheck(self) -> None:
        from cagette.plans.params import convert

        changes: dict[str, Any] = {}
        self.invalid = {}
        for name, raw in self._values().items():
            try:
                changes[name] = convert(name, raw)
            except ParameterError as exc:
                self.invalid[name] = exc.message + (f" {exc.hint}" if exc.hint else "")
        self.general_error = ""
        if not self.invalid:
            try:
                self.params = self.params.replace(**changes)
            except ParameterError as exc:
                text = exc.message + (f" → {exc.hint}" if exc.hint else "")
                named = [n for n, _label in FIELDS if n in exc.message]
                for n in named or []:
                    self.invalid[n] = text
                if not named:
                    self.general_error = text
        for name, _label in FIELDS:
            self.query_one(f"#err-{name}", Static).update(
                ("⚠ " + self.invalid[name]) if name in self.invalid else "")
        self.show_figures()

    def show_figures(self) -> None:
        derived = self.params.framing.derived()
        lines = [_("Derived figures of {name}").format(name=self.params.name), ""]
        for key, label, unit in FIGURES:
            lines.append(f"{_(label)}: {derived[key]:.0f} {unit}")
        if self.invalid or self.general_error:
            lines += ["", "⚠ " + (self.general_error or _("Some values are refused: the figures show the last "
                                                           "valid box."))]
        self.query_one("#figures", Static).update("\n".join(lines))
        if not self.built:
            self.query_one("#model", Picture).show_pil(front_view(self.params.framing), *PICTURE_CELLS)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id and event.input.id.startswith("f-"):
            self.recheck()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "preset" and isinstance(event.value, str) and event.value != self.preset:
            self.load(event.value)
        elif event.select.id and event.select.id.startswith("f-"):
            self.recheck()

    def load(self, preset: str) -> None:
        from cagette.plans.params import load_preset

        try:
            self.params = load_preset(preset)
        except CagetteError as exc:
            self.app.show_error(exc)  # type: ignore[attr-defined]
            return
        self.preset = preset
        self.built = []
        self.invalid = {}
        self.refresh(recompose=True)
        self.call_after_refresh(self.show_figures)

    # building ------------------------------------------------------------------------------
    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "build":
            self.action_build()

    def action_build(self) -> None:
        if self.invalid or self.general_error:
            self.app.notify(_("Correct the refused values first (marked ⚠)."), severity="warning")
            return
        from cagette import locations

        params = self.params
        out = self.out_dir or (locations.data_dir() / "plans" / params.name)
        two_d = self.query_one("#what", Select).value == "2d"

        def build(progress: Any) -> tuple[Path, list[str], Any]:
            from cagette.plans import kit

            only = kit.TWO_D if two_d else None
            written = kit.build(params, out, only=only, force=True, progress=progress)
            picture = None
            if not two_d:
                from cagette.plans import guide, model3d

                view = guide.project([s for _pn, s in model3d.solids(params)], guide.ISO, "iso")
                picture = projection_image(view)
            return out, written, picture

        self.query_one("#job", JobPanel).start(build, self._built, _("Building the kit…"))

    def _built(self, result: tuple[Path, list[str], Any]) -> None:
        out, written, picture = result
        self.built_dir, self.built = out, written
        self.query_one("#built", Static).update(
            _("{n} files written in {folder}").format(n=len(written), folder=out))
        if picture is not None:
            self.query_one("#model", Picture).show_pil(picture, *PICTURE_CELLS)
        self.app.notify(_("The kit is built."))

    def action_back(self) -> None:
        self.query_one("#job", JobPanel).cancel_or(self.app.pop_screen)


def make(app: Any) -> PlansScreen:
    return PlansScreen()
