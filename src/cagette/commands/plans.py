"""``cagette plans``: presets, parameters and derived figures, and the build kit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cagette.commands import command, group
from cagette.commands._output import add_force, add_json, cli_progress, emit_json, table
from cagette.i18n import _


def _add_params(parser: Any) -> None:
    parser.add_argument("--preset", metavar="NAME", help=_("preset to start from (see `cagette plans presets`)"))
    parser.add_argument("--params", metavar="FILE", type=Path,
                        help=_("TOML file of parameters applied over the preset (a kit's params.toml)"))
    parser.add_argument("--set", dest="sets", metavar="KEY=VALUE", action="append", default=[],
                        help=_("change one parameter, e.g. board_thickness_mm=6 (repeatable, applied last)"))


def register(sub: Any) -> None:
    inner = group(sub, "plans", _("parametric plans of the box: presets, framing figures, build kit"))
    inner.help = _("what to do with the plans")  # group() leaves the sub-command list without a help text
    p = command(inner, "presets", _("list the presets of the box"), run_presets)
    add_json(p)
    p = command(inner, "show", _("print the parameters and the derived figures (shelf height, visible area...)"),
                run_show)
    _add_params(p)
    add_json(p)
    p = command(inner, "build", _("build the kit: 3D model, cut sheets, templates, cards, BOM, guide"), run_build)
    _add_params(p)
    p.add_argument("--out", metavar="DIR", type=Path, required=True, help=_("folder to write the kit into"))
    p.add_argument("--only", metavar="LIST",
                   help=_("comma-separated subset: params,dxf,svg,pdf,coupon,templates,cards,bom,okh,step,glb,"
                          "stl,guide (or 2d, 3d)"))
    add_force(p)
    p.add_argument("--quiet", action="store_true", help=_("no progress bar"))


def _params(ns: Any, ctx: Any) -> Any:
    from cagette.plans.params import apply_overrides

    preset = ns.preset
    if not preset:
        preset = ctx.settings().plans.default_preset
    return apply_overrides(preset, ns.params, ns.sets)


def run_presets(ns: Any, ctx: Any) -> int:
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


def run_show(ns: Any, ctx: Any) -> int:
    p = _params(ns, ctx)
    derived = p.framing.derived()
    if ns.json:
        emit_json({"params": p.to_dict(), "derived": derived})
        return 0
    print(_("Parameters"))
    table([(k, v) for k, v in p.to_dict().items()])
    print()
    print(_("Derived figures"))
    rows = []
    for k, v in derived.items():
        if k == "markers_mm":
            v = "; ".join(f"{m['id']}: ({m['x']:g}, {m['y']:g})" for m in v)  # type: ignore[index, union-attr]
        rows.append((k, v))
    table(rows)
    return 0


def run_build(ns: Any, ctx: Any) -> int:
    from cagette.plans.kit import build, parse_only

    p = _params(ns, ctx)
    only = parse_only(ns.only)
    with cli_progress(quiet=ns.quiet) as progress:
        files = build(p, ns.out, only, force=ns.force, progress=progress)
    print(_("{n} files written to {out}").format(n=len(files), out=ns.out))
    return 0
