"""Box plans: every parameter as a form with presets, derived figures live, the virtual camera's view
with its glare margin and light evenness, the kit built in a worker, and a picture of the model.

The form is derived from the parameter model (:mod:`cagette_tui.screens.plans_form`): each field
is checked as you type with :mod:`cagette.plans.params` (the same validation as the command line);
a refused value is explained beside its field, the figures keep the last valid box, and nothing is
built or looked at until it is corrected. The view from the lens is ``cagette plans view``'s
picture, made in a worker that Cancel (or Esc) stops (:mod:`cagette_tui.screens.plans_view`). The picture is a front view
drawn from the derived figures until the kit is built, then the 3D model's
projection (hidden-line, from the geometry kernel, computed in the worker).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from cagette.errors import CagetteError
from cagette.i18n import N_, _
from cagette_tui.appref import app_of
from cagette_tui.screens import plans_form, plans_view
from cagette_tui.screens.base import CagetteScreen
from cagette_tui.widgets.job import JobPanel
from cagette_tui.widgets.keys import KeysBar
from cagette_tui.widgets.picture import Picture
from cagette_tui.widgets.titlebar import TitleBar

KEYS = [("Tab", N_("next field")), ("Ctrl+O", N_("look through the lens")), ("Ctrl+B", N_("build the kit")),
        ("Esc", N_("back"))]

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


class PlansScreen(CagetteScreen):
    AUTO_FOCUS = "#preset"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", show=False),
        Binding("ctrl+b", "build", show=False, priority=True),
        Binding("ctrl+o", "look", show=False, priority=True),
    ]

    DEFAULT_CSS = """
    PlansScreen #plans { height: 1fr; }
    PlansScreen #form { width: 62; padding: 0 1; }
    PlansScreen #side { width: 1fr; padding: 0 1; }
    PlansScreen.-narrow #plans { layout: vertical; overflow-y: auto; }
    PlansScreen.-narrow #form, PlansScreen.-narrow #side { width: 100%; height: auto; }
    PlansScreen .section { text-style: bold; padding: 1 0 0 0; }
    PlansScreen .row { height: auto; }
    PlansScreen .row Label { width: 28; padding: 1 1 0 0; }
    PlansScreen .row Input, PlansScreen .row Select, PlansScreen .row Checkbox { width: 1fr; }
    PlansScreen .field-error { color: $error; padding: 0 0 0 28; height: auto; display: none; }
    PlansScreen .field-error.-shown { display: block; }
    PlansScreen #build-row, PlansScreen #lens-row { height: auto; padding: 1 0 0 0; }
    PlansScreen #lens-figures { height: auto; }
    """

    def __init__(self, preset: str | None = None, out_dir: Path | None = None, view_dir: Path | None = None) -> None:
        from cagette import settings
        from cagette.plans.params import DEFAULT_PRESET, load_preset

        super().__init__()
        try:
            name = preset or settings.current().plans.default_preset or DEFAULT_PRESET
        except CagetteError:
            name = DEFAULT_PRESET
        self.preset = name
        self.params = load_preset(name)
        self.fields = plans_form.model_fields(self.params)
        self.invalid: dict[str, str] = {}  # field -> message
        self.general_error = ""
        self.out_dir = out_dir
        self.view_dir = view_dir
        self.built: list[str] = []
        self.built_dir: Path | None = None
        self.picture: Any = None
        self.lens: plans_view.LensView | None = None

    def compose(self) -> ComposeResult:
        from cagette.plans.params import preset_names

        yield TitleBar()
        with Horizontal(id="plans"):
            with VerticalScroll(id="form", can_focus=False):
                yield Static(_("Box plans"), classes="title")
                with Horizontal(classes="row"):
                    yield Label(_("Preset"))
                    yield Select([(n, n) for n in preset_names()], value=self.preset, allow_blank=False,
                                 id="preset")
                yield from plans_form.rows(self.fields, self.params)
            with VerticalScroll(id="side", can_focus=False):
                yield Static("", id="figures")
                with Horizontal(id="lens-row"):
                    yield Button(_("Look through the lens (Ctrl+O)"), id="look")
                yield JobPanel(id="lens-job")
                yield Static(_("What the camera sees from its lens, with the glare margin and the light "
                               "evenness: press Ctrl+O."), id="lens-figures")
                yield Picture(id="lens")
                yield Picture(id="model")
                with Horizontal(id="build-row"):
                    yield Select([(_("everything (3D model and guide too)"), "all"),
                                  (_("cutting files only (DXF, SVG, PDF, bill of materials)"), "2d")],
                                 value="all", allow_blank=False, id="what")
                    yield Button(_("Build the kit (Ctrl+B)"), id="build", variant="primary")
                yield JobPanel(id="job")
                yield Static("", id="built")
        yield KeysBar(KEYS)

    def refill(self) -> None:
        self.show_figures()
        if self.built and self.built_dir is not None:  # F2 after a build: what was written stays said
            self.query_one("#built", Static).update(
                _("{n} files written in {folder}").format(n=len(self.built), folder=self.built_dir))
            if self.picture is not None:
                self.query_one("#model", Picture).show_pil(self.picture, *PICTURE_CELLS)
        if self.lens is not None:
            self._show_lens(self.lens)

    def on_mount(self) -> None:
        self.refill()

    # checking as you type --------------------------------------------------------------
    def _values(self) -> dict[str, Any]:
        return {f.name: plans_form.raw_value(self.query_one(f"#f-{f.name}")) for f in self.fields}

    def recheck(self) -> None:
        self.params, self.invalid, self.general_error = plans_form.check(self.params, self.fields, self._values())
        for field in self.fields:
            text = ("⚠ " + self.invalid[field.name]) if field.name in self.invalid else ""
            shown = self.query_one(f"#err-{field.name}", Static)
            if getattr(shown, "said", "") != text:  # only what changed is drawn again (each keystroke checks)
                shown.update(text)
                shown.set_class(bool(text), "-shown")
                shown.said = text  # type: ignore[attr-defined]  # a mark on the Static: what it shows now
        self.show_figures()
        if self.lens is not None:
            self._show_lens(self.lens, picture=False)

    def show_figures(self) -> None:
        if getattr(self, "_derived_of", None) is not self.params:
            self._derived_of, self._derived = self.params, self.params.framing.derived()
        derived = self._derived
        lines = [_("Derived figures of {name}").format(name=self.params.name), ""]
        for key, label, unit in FIGURES:
            lines.append(f"{_(label)}: {derived[key]:.0f} {unit}")
        if self.invalid or self.general_error:
            lines += ["", "⚠ " + (self.general_error or _("Some values are refused: the figures show the last "
                                                           "valid box."))]
        self.query_one("#figures", Static).update("\n".join(lines))
        model = self.query_one("#model", Picture)
        if not self.built and getattr(model, "drawn", None) is not self.params:  # a refused value: no new picture
            model.show_pil(front_view(self.params.framing), *PICTURE_CELLS)
            model.drawn = self.params  # type: ignore[attr-defined]  # a mark on the Picture: the params it shows

    RECHECK_AFTER_S = 0.2  # typing: checked once the keys pause (each check may lay the long form out again)

    def soon(self) -> None:
        """Check the form once the typing pauses; an action that needs the values checks them at once."""
        timer = getattr(self, "_recheck_timer", None)
        if timer is not None:
            timer.stop()
        self._recheck_timer = self.set_timer(self.RECHECK_AFTER_S, self._recheck_now)

    def _recheck_now(self) -> None:
        self._recheck_timer = None
        if self.relabeling or not self.query(f"#f-{self.fields[-1].name}"):  # drawn again meanwhile (F2)
            self.soon()
            return
        self.recheck()

    def checked(self) -> None:
        if getattr(self, "_recheck_timer", None) is not None:
            self._recheck_timer.stop()
            self._recheck_now()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id and event.input.id.startswith("f-"):
            self.soon()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        if event.checkbox.id and event.checkbox.id.startswith("f-"):
            self.soon()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "preset" and isinstance(event.value, str) and event.value != self.preset:
            self.load(event.value)
        elif event.select.id and event.select.id.startswith("f-"):
            self.soon()

    def load(self, preset: str) -> None:
        from cagette.plans.params import load_preset

        try:
            self.params = load_preset(preset)
        except CagetteError as exc:
            app_of(self).show_error(exc)
            return
        self.preset = preset
        self.fields = plans_form.model_fields(self.params)
        self.built = []
        self.invalid = {}
        self.lens = None
        self.refresh(recompose=True)
        self.call_after_refresh(self.show_figures)

    # building ------------------------------------------------------------------------------
    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "build":
            self.action_build()
        elif event.button.id == "look":
            self.action_look()

    def refused(self) -> bool:
        """Whether a value of the form is refused (then nothing is built nor looked at: it is said)."""
        self.checked()
        if self.invalid or self.general_error:
            self.app.notify(_("Correct the refused values first (marked ⚠)."), severity="warning")
            return True
        return False

    def action_look(self) -> None:
        if self.refused():
            return
        from cagette import locations

        params = self.params
        folder = self.view_dir or (locations.cache_dir() / "plans-view" / params.name)

        def look(progress: Any) -> plans_view.LensView:
            return plans_view.look(params, folder, progress)

        self.query_one("#lens-job", JobPanel).start(look, self._looked, _("Looking through the lens…"))

    def _looked(self, seen: plans_view.LensView) -> None:
        self._show_lens(seen)
        self.query_one("#lens-figures", Static).scroll_visible(animate=False)

    def _show_lens(self, seen: plans_view.LensView, picture: bool = True) -> None:
        self.lens = seen
        self.query_one("#lens-figures", Static).update(plans_view.describe(seen, self.params))
        if picture:
            self.query_one("#lens", Picture).show_pil(seen.image, *PICTURE_CELLS)

    def action_build(self) -> None:
        if self.refused():
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
            self.picture = picture
            self.query_one("#model", Picture).show_pil(picture, *PICTURE_CELLS)
        self.app.notify(_("The kit is built."))

    def action_back(self) -> None:
        lens = self.query_one("#lens-job", JobPanel)
        if lens.running:
            lens.cancel()
            return
        self.query_one("#job", JobPanel).cancel_or(self.app.pop_screen)


def make(app: Any) -> PlansScreen:
    return PlansScreen()
