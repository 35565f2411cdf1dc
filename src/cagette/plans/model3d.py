"""The 3D assembly: each panel's nominal outline extruded as it is, and placed.

This module (and the guide's views) is the only one that imports cadquery/OCP.
OCCT failures are wrapped into :class:`~cagette.errors.PlansError`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from cagette.errors import PlansError
from cagette.i18n import _
from cagette.plans.panels import Panel, build_panels
from cagette.plans.params import BoxParams
from cagette.plans.sheets import source_datetime


def _wire(poly: Any) -> Any:
    from OCP.BRepBuilderAPI import BRepBuilderAPI_MakePolygon
    from OCP.gp import gp_Pnt

    mk = BRepBuilderAPI_MakePolygon()
    for x, y in poly:
        mk.Add(gp_Pnt(x, y, 0.0))
    mk.Close()
    if not mk.IsDone():
        raise PlansError(_("OCCT could not make a contour of a panel."), _("Check the parameters; report this bug."))
    return mk.Wire()


def panel_solid(panel: Panel) -> Any:
    """The OCCT solid of *panel*, in world coordinates."""
    from OCP.BRepBuilderAPI import BRepBuilderAPI_MakeFace, BRepBuilderAPI_Transform
    from OCP.BRepPrimAPI import BRepPrimAPI_MakePrism
    from OCP.gp import gp_Trsf, gp_Vec

    try:
        face = BRepBuilderAPI_MakeFace(_wire(panel.outer), True)
        for hole in panel.holes:
            face.Add(_wire(hole))
        prism = BRepPrimAPI_MakePrism(face.Face(), gp_Vec(0, 0, panel.thickness_mm))
        shape = prism.Shape()
        pl = panel.placement
        ex, ey, ez, o = pl.ex, pl.ey, pl.ez, pl.origin
        trsf = gp_Trsf()
        trsf.SetValues(ex[0], ey[0], ez[0], o[0],
                       ex[1], ey[1], ez[1], o[1],
                       ex[2], ey[2], ez[2], o[2])
        return BRepBuilderAPI_Transform(shape, trsf, True).Shape()
    except PlansError:
        raise
    except Exception as exc:  # noqa: BLE001 - any OCCT failure becomes a readable error
        raise PlansError(
            _("The geometry kernel (OCCT) failed on the panel {name}: {error}").format(name=panel.name, error=exc),
            _("Try other parameters (thicker boards, fewer dog-bones); run with --debug and report it."),
        ) from exc


@lru_cache(maxsize=8)
def solids(p: BoxParams) -> tuple[tuple[Panel, Any], ...]:
    return tuple((pn, panel_solid(pn)) for pn in build_panels(p))


def assembly(p: BoxParams, explode: float = 0.0) -> Any:
    import cadquery as cq

    assy = cq.Assembly(name=p.name)
    for pn, solid in solids(p):
        shape = cq.Shape.cast(solid)
        loc = cq.Location()
        if explode:
            loc = cq.Location(cq.Vector(*explode_offset(p, pn, explode)))
        assy.add(shape, name=pn.name, color=cq.Color(*pn.color, 1.0), loc=loc)
    return assy


def explode_offset(p: BoxParams, pn: Panel, k: float) -> tuple[float, float, float]:
    """How far a part moves in the exploded view (k = 1: about a board's width)."""
    f = p.framing
    x = f.leg_inner_x_mm * 0.45 * k
    table = {
        "base": (0.0, 0.0, -0.25 * f.leg_height_mm * k),
        "leg_right": (x, 0.0, 0.0), "leg_left": (-x, 0.0, 0.0),
        "shelf": (0.0, 0.0, 0.25 * f.leg_height_mm * k), "cradle": (0.0, 0.0, 0.45 * f.leg_height_mm * k),
        "wing_right": (0.5 * x, 0.0, 0.1 * f.leg_height_mm * k), "wing_left": (-0.5 * x, 0.0, 0.1 * f.leg_height_mm * k),
        "lip_right": (0.3 * x, 0.0, -0.05 * f.leg_height_mm * k), "lip_left": (-0.3 * x, 0.0, -0.05 * f.leg_height_mm * k),
        "diffuser_right": (0.3 * x, 0.0, -0.15 * f.leg_height_mm * k),
        "diffuser_left": (-0.3 * x, 0.0, -0.15 * f.leg_height_mm * k),
    }
    return table.get(pn.name, (0.0, 0.0, 0.0))


def _fix_step_header(path: Path) -> None:
    stamp = source_datetime().strftime("%Y-%m-%dT%H:%M:%S")
    text = path.read_text(encoding="utf-8", errors="surrogateescape")
    text = re.sub(r"FILE_NAME\('([^']*)','[^']*'", lambda m: f"FILE_NAME('model.step','{stamp}'", text, count=1)
    path.write_text(text, encoding="utf-8", errors="surrogateescape")


def write(p: BoxParams, out: Path, key: str) -> list[str]:
    try:
        if key == "step":
            target = out / "model.step"
            assembly(p).export(str(target), "STEP", write_pcurves=False)
            _fix_step_header(target)
            return ["model.step"]
        if key == "glb":
            assembly(p).export(str(out / "model.glb"), "GLTF", tolerance=0.05, angularTolerance=0.2)
            return ["model.glb"]
        if key == "stl":
            import cadquery as cq

            compound = cq.Compound.makeCompound([cq.Shape.cast(s) for _pn, s in solids(p)])
            compound.exportStl(str(out / "model.stl"), tolerance=0.05, angularTolerance=0.2, ascii=False)
            return ["model.stl"]
    except PlansError:
        raise
    except Exception as exc:  # noqa: BLE001 - OCCT/exporter failure
        raise PlansError(
            _("Exporting {what} failed: {error}").format(what=key.upper(), error=exc),
            _("Check the free disk space; run with --debug and report it."),
        ) from exc
    raise PlansError(_("Unknown 3D output {key}.").format(key=key))


def volume(shape: Any) -> float:
    from OCP.BRepGProp import BRepGProp
    from OCP.GProp import GProp_GProps

    props = GProp_GProps()
    BRepGProp.VolumeProperties_s(shape, props)
    return float(props.Mass())


def bounding_box(shape: Any) -> tuple[float, ...]:
    from OCP.Bnd import Bnd_Box
    from OCP.BRepBndLib import BRepBndLib

    box = Bnd_Box()
    BRepBndLib.Add_s(shape, box, False)
    return tuple(float(v) for v in box.Get())


def common_volume(a: Any, b: Any) -> float:
    from OCP.BRepAlgoAPI import BRepAlgoAPI_Common

    op = BRepAlgoAPI_Common(a, b)
    if not op.IsDone():
        raise PlansError(_("OCCT could not intersect two parts."))
    return volume(op.Shape())


def distance(a: Any, b: Any) -> float:
    from OCP.BRepExtrema import BRepExtrema_DistShapeShape

    d = BRepExtrema_DistShapeShape(a, b)
    return float(d.Value())
