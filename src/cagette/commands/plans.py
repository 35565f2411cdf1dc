"""``cagette plans``: presets, parameters and derived figures, and the build kit."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cagette.commands import command, group
from cagette.commands._output import add_force, add_json, cli_progress, emit_json, table
from cagette.i18n import _

if TYPE_CHECKING:
    from cagette.cli import Context
    from cagette.commands import SubParsers
    from cagette.commands.args import PlansBuildArgs, PlansPresetsArgs, PlansShowArgs, PlansViewArgs
    from cagette.plans.params import BoxParams


def _add_params(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--preset", metavar="NAME", help=_("preset to start from (see `cagette plans presets`)"))
    parser.add_argument("--params", metavar="FILE", type=Path,
                        help=_("TOML file of parameters applied over the preset (a kit's params.toml)"))
    parser.add_argument("--set", dest="sets", metavar="KEY=VALUE", action="append", default=[],
                        help=_("change one parameter, e.g. board_thickness_mm=6 (repeatable, applied last)"))


def register(sub: SubParsers) -> None:
    inner = group(sub, "plans", _("parametric plans of the box: presets, framing figures, build kit"))
    inner.help = _("what to do with the plans")  # group() leaves the sub-command list without a help text
    p = command(inner, "presets", _("list the presets of the box"), run_presets)
    add_json(p)
    p = command(inner, "show", _("print the parameters and the derived figures (shelf height, visible area...)"),
                run_show)
    _add_params(p)
    add_json(p)
    p = command(inner, "build", _("build the kit: 3D model, cut sheets, templates, cards, BOM, guide, the view from "
                                  "the lens"), run_build)
    _add_params(p)
    p.add_argument("--out", metavar="DIR", type=Path, required=True, help=_("folder to write the kit into"))
    p.add_argument("--only", metavar="LIST",
                   help=_("comma-separated subset: params,dxf,svg,pdf,coupon,templates,cards,bom,okh,view,step,"
                          "glb,stl,guide (or 2d, 3d)"))
    add_force(p)
    p.add_argument("--quiet", action="store_true", help=_("no progress bar"))
    p = command(inner, "view", _("what the camera sees from its lens through the opening, as a PNG"), run_view)
    _add_params(p)
    p.add_argument("--out", metavar="FILE", type=Path, required=True, help=_("PNG file to write"))
    p.add_argument("--size", metavar="PX", type=int, default=960,
                   help=_("long side of the picture in pixels (default 960, 64 to 4096)"))
    add_force(p)
    add_json(p)


def _params(ns: PlansBuildArgs | PlansShowArgs | PlansViewArgs, ctx: Context) -> Any:
    from cagette.plans.params import apply_overrides

    preset = ns.preset
    if not preset:
        preset = ctx.settings().plans.default_preset
    return apply_overrides(preset, ns.params, ns.sets)


def run_presets(ns: PlansPresetsArgs, ctx: Context) -> int:
    from cagette.plans.params import load_preset, preset_names

    rows = []
    for name in preset_names():
        p = load_preset(name)
        f = p.framing
        rows.append({"name": name, "device": p.device_kind.value, "stage": p.stage.value,
                     "output_ratio": p.output_ratio.value, "board_thickness_mm": p.board_thickness_mm,
                     "shelf_height_mm": round(f.shelf_height_mm, 1)})
    if ns.json:
        emit_json({"presets": rows})
        return 0
    table([(r["name"], _(str(r["device"])), str(r["stage"]).upper(), r["output_ratio"],
            f"{r['board_thickness_mm']:g}", f"{r['shelf_height_mm']:.0f}") for r in rows],
          [_("preset"), _("device"), _("stage"), _("ratio"), _("board mm"), _("shelf height mm")])
    return 0


def run_show(ns: PlansShowArgs, ctx: Context) -> int:
    from cagette.plans.checks import figures, warnings
    from cagette.plans.stability import EDGE_NAMES, TIPPING_MIN_DEG

    p = _params(ns, ctx)
    derived = p.framing.derived()
    checks = figures(p)
    if ns.json:
        emit_json({"params": p.to_dict(), "derived": derived, "checks": checks, "warnings": warnings(p)})
        return 0
    print(_("Parameters"))
    table([(k, v) for k, v in p.to_dict().items()])
    print()
    print(_("Derived figures"))
    rows = []
    for k, v in derived.items():
        if k == "markers_mm":
            v = "; ".join(f"{m['id']}: ({m['x']:g}, {m['y']:g})" for m in v)
        rows.append((k, v))
    table(rows)
    print()
    print(_("Light and stability"))
    table([
        (_("glare margin"), _("{m:.0f} mm outside the frame").format(m=checks["glare_margin_mm"])
         if float(checks["glare_margin_mm"]) > 0 else _("{m:.0f} mm inside the frame").format(
            m=-float(checks["glare_margin_mm"]))),
        (_("light evenness"), _("{ev:.2f} EV from the brightest to the darkest point (target ≤ {t:g} EV)").format(
            ev=checks["light_evenness_ev"], t=checks["light_evenness_target_ev"])),
        (_("tipping angle"), _("{a:.1f}° over its {edge} (at least {m:g}°)").format(
            a=checks["tipping_angle_deg"], edge=_(EDGE_NAMES[str(checks["tipping_towards"])]), m=TIPPING_MIN_DEG)),
        (_("mass"), f"{checks['mass_kg']:g} kg"),
    ])
    _print_warnings(p)
    return 0


def _print_warnings(p: BoxParams) -> None:
    import sys

    from cagette.plans.checks import warnings

    for text in warnings(p):
        print(_("Warning: {text}").format(text=text), file=sys.stderr)


def firmware_folder() -> Path | None:
    """The shipped firmware folder, for its wiring diagram (a file, never the device package)."""
    from importlib import resources

    try:
        folder = Path(str(resources.files("cagette.firmware")))
    except (ModuleNotFoundError, TypeError):
        return None
    return folder if folder.is_dir() else None


def run_build(ns: PlansBuildArgs, ctx: Context) -> int:
    from cagette.plans.kit import build, parse_only

    p = _params(ns, ctx)
    only = parse_only(ns.only)
    _print_warnings(p)
    with cli_progress(quiet=ns.quiet) as progress:
        files = build(p, ns.out, only, force=ns.force, progress=progress, wiring=firmware_folder())
    if "dxf" in only or "svg" in only or "pdf" in only:
        from cagette.plans.nesting import nest, utilisation

        sheets = nest(p)
        print(_("{n} board sheets of {w:g} × {h:g} mm, {u:.0f} % used").format(
            n=len(sheets), w=p.sheet_width_mm, h=p.sheet_height_mm, u=100 * utilisation(sheets)))
    print(_("{n} files written to {out}").format(n=len(files), out=ns.out))
    return 0


def run_view(ns: PlansViewArgs, ctx: Context) -> int:
    from cagette.errors import UsageError
    from cagette.fsutil import check_output_dir
    from cagette.plans import light, view

    p = _params(ns, ctx)
    if not 64 <= ns.size <= 4096:
        raise UsageError(_("--size {n} is out of range.").format(n=ns.size), _("Give 64 to 4096 pixels."))
    out = Path(ns.out)
    if out.exists() and not ns.force:
        raise UsageError(_("{path} already exists.").format(path=out), _("Add --force to replace it."))
    check_output_dir(out.parent, True)
    v = view.render(p, ns.size)
    view.write_png(v, out)
    lr = light.report(p)
    data = {"path": str(out), "width_px": v.size[0], "height_px": v.size[1],
            "hidden_pct": round(100 * v.hidden_share, 3), "glare_margin_mm": lr.glare_margin_mm,
            "light_evenness_ev": lr.evenness_ev}
    if ns.json:
        emit_json(data)
    else:
        print(_("{path}: {w} × {h} px, {hidden:.1f} % of the frame hidden by the box, glare margin {g:.0f} mm, "
                "light evenness {ev:.2f} EV").format(path=out, w=v.size[0], h=v.size[1], hidden=data["hidden_pct"],
                                                    g=lr.glare_margin_mm, ev=lr.evenness_ev))
    _print_warnings(p)
    return 0
