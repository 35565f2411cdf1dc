"""The 3D assembly: each panel's nominal outline extruded as it is, and placed.

This module (and the guide's views) is the only one that imports cadquery/OCP.
OCCT failures are wrapped into :class:`~cagette.errors.PlansError`.
"""

from __future__ import annotations

import math
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
    except Exception as exc:
        raise PlansError(
            _("The geometry kernel (OCCT) failed on the panel {name}: {error}").format(name=panel.name, error=exc),
            _("Try other parameters (thicker boards, fewer dog-bones); run with --debug and report it."),
        ) from exc


@lru_cache(maxsize=8)
def solids(p: BoxParams) -> tuple[tuple[Panel, Any], ...]:
    return tuple((pn, panel_solid(pn)) for pn in build_panels(p))


def caf_document(p: BoxParams, gltf: bool = False) -> Any:
    """An OCAF (XDE) document: one assembly of named, coloured parts (bare OCP, no cadquery)."""
    from OCP.gp import gp_Ax1, gp_Dir, gp_Pnt, gp_Trsf
    from OCP.Quantity import Quantity_Color, Quantity_TypeOfColor
    from OCP.TCollection import TCollection_ExtendedString
    from OCP.TDataStd import TDataStd_Name
    from OCP.TDocStd import TDocStd_Document
    from OCP.TopLoc import TopLoc_Location
    from OCP.XCAFDoc import XCAFDoc_ColorType, XCAFDoc_DocumentTool

    doc = TDocStd_Document(TCollection_ExtendedString("XmlOcaf"))
    shapes = XCAFDoc_DocumentTool.ShapeTool_s(doc.Main())
    colors = XCAFDoc_DocumentTool.ColorTool_s(doc.Main())
    top = shapes.NewShape()
    TDataStd_Name.Set_s(top, TCollection_ExtendedString(p.name))
    loc = TopLoc_Location()
    if gltf:  # glTF is +Y up: turn the Z-up model a quarter turn about X
        trsf = gp_Trsf()
        trsf.SetRotation(gp_Ax1(gp_Pnt(0, 0, 0), gp_Dir(1, 0, 0)), -math.pi / 2)
        loc = TopLoc_Location(trsf)
    for pn, solid in solids(p):
        part = shapes.AddShape(solid, False)
        TDataStd_Name.Set_s(part, TCollection_ExtendedString(pn.name))
        colors.SetColor(part, Quantity_Color(*pn.color, Quantity_TypeOfColor.Quantity_TOC_RGB),
                        XCAFDoc_ColorType.XCAFDoc_ColorGen)
        comp = shapes.AddComponent(top, part, loc)
        TDataStd_Name.Set_s(comp, TCollection_ExtendedString(pn.name))
    shapes.UpdateAssemblies()
    return doc


def _mesh(p: BoxParams) -> None:
    from OCP.BRepMesh import BRepMesh_IncrementalMesh

    for _pn, solid in solids(p):
        BRepMesh_IncrementalMesh(solid, 0.05, False, 0.2, True)


def _write_step(p: BoxParams, target: Path) -> None:
    from OCP.IFSelect import IFSelect_ReturnStatus
    from OCP.Interface import Interface_Static
    from OCP.STEPCAFControl import STEPCAFControl_Writer
    from OCP.STEPControl import STEPControl_StepModelType
    from OCP.XSControl import XSControl_WorkSession

    _quiet()
    writer = STEPCAFControl_Writer(XSControl_WorkSession(), False)
    writer.SetColorMode(True)
    writer.SetNameMode(True)
    Interface_Static.SetIVal_s("write.surfacecurve.mode", 0)  # no p-curves: half the size
    Interface_Static.SetIVal_s("write.precision.mode", 0)
    Interface_Static.SetCVal_s("xstep.cascade.unit", "MM")
    Interface_Static.SetCVal_s("write.step.unit", "MM")
    writer.Transfer(caf_document(p), STEPControl_StepModelType.STEPControl_AsIs)
    if writer.Write(str(target)) != IFSelect_ReturnStatus.IFSelect_RetDone:
        raise PlansError(_("OCCT could not write {path}.").format(path=target), _("Check the free disk space."))


def _quiet() -> None:
    """OCCT's translators print statistics on stdout: keep only failures."""
    from OCP.Message import Message, Message_Gravity

    printers = Message.DefaultMessenger_s().Printers()
    for i in range(1, printers.Length() + 1):
        printers.Value(i).SetTraceLevel(Message_Gravity.Message_Fail)


def _write_glb(p: BoxParams, target: Path) -> None:
    from OCP.Message import Message_ProgressRange
    from OCP.RWGltf import RWGltf_CafWriter
    from OCP.TCollection import TCollection_AsciiString
    from OCP.TColStd import TColStd_IndexedDataMapOfStringString

    _mesh(p)
    writer = RWGltf_CafWriter(TCollection_AsciiString(str(target)), True)
    writer.ChangeCoordinateSystemConverter().SetInputLengthUnit(0.001)
    if not writer.Perform(caf_document(p, gltf=True), TColStd_IndexedDataMapOfStringString(),
                          Message_ProgressRange()):
        raise PlansError(_("OCCT could not write {path}.").format(path=target), _("Check the free disk space."))


def _write_stl(p: BoxParams, target: Path) -> None:
    from OCP.BRep import BRep_Builder
    from OCP.StlAPI import StlAPI_Writer
    from OCP.TopoDS import TopoDS_Compound

    _mesh(p)
    comp = TopoDS_Compound()
    builder = BRep_Builder()
    builder.MakeCompound(comp)
    for _pn, solid in solids(p):
        builder.Add(comp, solid)
    writer = StlAPI_Writer()
    writer.ASCIIMode = False
    if not writer.Write(comp, str(target)):
        raise PlansError(_("OCCT could not write {path}.").format(path=target), _("Check the free disk space."))


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
            _write_step(p, out / "model.step")
            _fix_step_header(out / "model.step")
            return ["model.step"]
        if key == "glb":
            _write_glb(p, out / "model.glb")
            return ["model.glb"]
        if key == "stl":
            _write_stl(p, out / "model.stl")
            return ["model.stl"]
    except PlansError:
        raise
    except Exception as exc:
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
