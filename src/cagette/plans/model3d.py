"""The 3D assembly, built with CadQuery: each panel's nominal outline extruded and placed.

Every part is a ``cq.Workplane`` made from the panel's 2D outline (the single
truth: the cut sheets nest the same outlines), put in a named, coloured
``cq.Assembly`` at the panel's placement, and exported through CadQuery:
``model.step`` (names and colours, made byte-stable), ``model.glb``,
``model.stl`` and one STL per part under ``stl/`` (each lying flat, as a
slicer wants it). This module, :mod:`cagette.plans.guide` and
:mod:`cagette.plans.view3d` are the only ones that import cadquery/OCP.
OCCT failures are wrapped into :class:`~cagette.errors.PlansError`.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from cagette.errors import PlansError
from cagette.fsutil import atomic_write_text
from cagette.i18n import _
from cagette.plans.geom2d import Poly
from cagette.plans.panels import Panel, build_panels
from cagette.plans.params import BoxParams
from cagette.plans.sheets import source_datetime
from cagette.progress import interrupts_deferred

MESH_TOLERANCE_MM = 0.05
MESH_ANGLE_RAD = 0.2


def panel_workplane(panel: Panel) -> Any:
    """The panel as a CadQuery Workplane, in its own frame (lying on XY, z from 0 to its thickness).

    Its outline and holes are closed polygons (``cq.Wire.makePolygon``) making one face, extruded and
    cleaned as ``Workplane.polyline(...).close()...extrude()`` does it, with the same solid (the same
    STEP, byte for byte) but without building a workplane per point."""
    import cadquery as cq

    def ring(points: Poly) -> Any:
        return cq.Wire.makePolygon([cq.Vector(x, y, 0.0) for x, y in points], close=True)

    try:
        face = cq.Face.makeFromWires(ring(panel.outer), [ring(h) for h in panel.holes])
        solid = cq.Solid.extrudeLinear(face, cq.Vector(0.0, 0.0, panel.thickness_mm)).clean()
        return cq.Workplane("XY").newObject([solid])
    except Exception as exc:
        raise PlansError(
            _("The geometry kernel (OCCT) failed on the panel {name}: {error}").format(name=panel.name, error=exc),
            _("Try other parameters (thicker boards, fewer dog-bones); run with --debug and report it."),
        ) from exc


def location(panel: Panel) -> Any:
    """The panel's placement as a CadQuery Location."""
    import cadquery as cq
    from OCP.gp import gp_Trsf

    pl = panel.placement
    ex, ey, ez, o = pl.ex, pl.ey, pl.ez, pl.origin
    trsf = gp_Trsf()
    trsf.SetValues(ex[0], ey[0], ez[0], o[0],
                   ex[1], ey[1], ez[1], o[1],
                   ex[2], ey[2], ez[2], o[2])
    return cq.Location(trsf)


@lru_cache(maxsize=8)
def _parts(p: BoxParams, language: str) -> tuple[tuple[Panel, Any], ...]:
    return tuple((pn, _workplane(pn)) for pn in build_panels(p))


@lru_cache(maxsize=64)
def _workplane(panel: Panel) -> Any:
    return panel_workplane(panel)


def parts(p: BoxParams) -> tuple[tuple[Panel, Any], ...]:
    """(panel, workplane in its own frame) for every part, the device's stand-in included."""
    from cagette.i18n import current_language

    return _parts(p, current_language())


def assembly(p: BoxParams, panels: tuple[Panel, ...] | None = None) -> Any:
    """The named, coloured CadQuery assembly of the box."""
    import cadquery as cq

    assy = cq.Assembly(name=p.name)
    if panels is None:
        chosen = parts(p)
    else:  # only the named parts are made
        names = {pn.name for pn in panels}
        chosen = tuple((pn, _workplane(pn)) for pn in build_panels(p) if pn.name in names)
    for pn, wp in chosen:
        assy.add(wp, name=pn.name, loc=location(pn), color=cq.Color(*pn.color))
    return assy


def solids(p: BoxParams) -> tuple[tuple[Panel, Any], ...]:
    """(panel, OCCT solid in world coordinates) for every part."""
    out = []
    for pn, wp in parts(p):
        out.append((pn, wp.val().moved(location(pn)).wrapped))
    return tuple(out)


# -- exports ------------------------------------------------------------------------

def write_step(p: BoxParams, target: Path, panels: tuple[Panel, ...] | None = None) -> None:
    """The assembly (or some of its parts) as a STEP file, names and colours kept, byte-stable."""
    from cadquery.occ_impl.exporters.assembly import exportAssembly

    _quiet()
    if not exportAssembly(assembly(p, panels), str(target), write_pcurves=False, precision_mode=0):
        raise PlansError(_("OCCT could not write {path}.").format(path=target), _("Check the free disk space."))
    stable_step(target)


def _quiet() -> None:
    """OCCT's translators print statistics on stdout: keep only failures."""
    from OCP.Message import Message, Message_Gravity

    printers = Message.DefaultMessenger_s().Printers()
    for i in range(1, printers.Length() + 1):
        printers.Value(i).SetTraceLevel(Message_Gravity.Message_Fail)


def _write_glb(p: BoxParams, target: Path) -> None:
    import cadquery as cq
    from cadquery.occ_impl.assembly import toCAF
    from OCP.Message import Message_ProgressRange
    from OCP.RWGltf import RWGltf_CafWriter
    from OCP.TCollection import TCollection_AsciiString
    from OCP.TColStd import TColStd_IndexedDataMapOfStringString

    assy = assembly(p)
    assy.loc = cq.Location((0, 0, 0), (1, 0, 0), -90)  # glTF is +Y up, in metres
    _, doc = toCAF(assy, True, True, MESH_TOLERANCE_MM, MESH_ANGLE_RAD)
    writer = RWGltf_CafWriter(TCollection_AsciiString(str(target)), True)
    writer.ChangeCoordinateSystemConverter().SetInputLengthUnit(0.001)
    if not writer.Perform(doc, TColStd_IndexedDataMapOfStringString(), Message_ProgressRange()):
        raise PlansError(_("OCCT could not write {path}.").format(path=target), _("Check the free disk space."))


def _write_stl(p: BoxParams, out: Path) -> list[str]:
    """``model.stl`` (the whole box, in place) and ``stl/<part>.stl`` (each part lying flat)."""
    import cadquery as cq

    names = []
    world = []
    for pn, wp in parts(p):
        if not pn.is_cut:
            continue
        shape = wp.val()
        name = f"stl/{pn.name}.stl"
        (out / "stl").mkdir(exist_ok=True)
        cq.exporters.export(shape, str(out / name), "STL", tolerance=MESH_TOLERANCE_MM,
                            angularTolerance=MESH_ANGLE_RAD)
        names.append(name)
        world.append(shape.moved(location(pn)))
    cq.exporters.export(cq.Compound.makeCompound(world), str(out / "model.stl"), "STL",
                        tolerance=MESH_TOLERANCE_MM, angularTolerance=MESH_ANGLE_RAD)
    return ["model.stl", *names]


# -- a STEP file that is the same at every run ---------------------------------------

ENTITY = re.compile(r"#(\d+)\s*=\s*(.*?);\s*\n(?=#\d+\s*=|\Z)", re.S)
REF = re.compile(r"#(\d+)")
STYLE_START = ("MECHANICAL_DESIGN_GEOMETRIC_PRESENTATION_REPRESENTATION", "STYLED_ITEM", "COLOUR_RGB",
               "PRESENTATION_STYLE_ASSIGNMENT")
NAUO_ID = re.compile(r"(NEXT_ASSEMBLY_USAGE_OCCURRENCE\(')(\d+)(')")


def stable_step(path: Path) -> None:
    """Make an OCCT STEP file byte-stable: SOURCE_DATE_EPOCH in its header; its presentation entities
    (colours), which OCCT emits in an order that changes at every run, renumbered in an order fixed by
    their content; and the ids of its assembly links (NEXT_ASSEMBLY_USAGE_OCCURRENCE), which OCCT
    counts over the whole process (a second STEP written by the same process starts at 18), numbered
    from 1 in the file's order."""
    text = path.read_text(encoding="utf-8", errors="surrogateescape")
    stamp = source_datetime().strftime("%Y-%m-%dT%H:%M:%S")
    text = re.sub(r"FILE_NAME\('([^']*)','[^']*'", lambda m: f"FILE_NAME('model.step','{stamp}'", text, count=1)
    start = text.index("DATA;") + len("DATA;\n")
    end = text.index("ENDSEC;", start)
    body = text[start:end]
    entities = {int(m.group(1)): m.group(2) for m in ENTITY.finditer(body)}
    if len(entities) != len(re.findall(r"^#\d+\s*=", body, re.M)):
        raise PlansError(_("The STEP file written by OCCT could not be read back."), _("Report this bug."))
    tail_ids = sorted(i for i, e in entities.items() if e.startswith(STYLE_START))
    if tail_ids:
        first = tail_ids[0]
        body = _renumber_tail(entities, first)
    links = itertools.count(1)
    body = NAUO_ID.sub(lambda m: f"{m.group(1)}{next(links)}{m.group(3)}", body)
    atomic_write_text(path, text[:start] + body + text[end:])


def _renumber_tail(entities: dict[int, str], first: int) -> str:
    tail = {i: e for i, e in entities.items() if i >= first}
    head = {i: e for i, e in entities.items() if i < first}
    for e in head.values():
        if any(int(r) >= first for r in REF.findall(e)):
            raise PlansError(_("The STEP file's colours could not be ordered."), _("Report this bug."))
    memo: dict[int, str] = {}

    def canon(i: int, depth: int = 0) -> str:
        if i not in tail:
            return f"#{i}"
        if i not in memo:
            if depth > 200:
                return "?"
            memo[i] = REF.sub(lambda m: "{" + canon(int(m.group(1)), depth + 1) + "}", tail[i])
        return memo[i]

    referenced = {int(r) for e in tail.values() for r in REF.findall(e) if int(r) in tail}
    roots = sorted((i for i in tail if i not in referenced), key=lambda i: (canon(i), i))
    new: dict[int, int] = {}
    order: list[int] = []

    def visit(i: int) -> None:
        if i in new or i not in tail:
            return
        new[i] = first + len(order)
        order.append(i)
        for r in REF.findall(tail[i]):
            visit(int(r))

    for root in roots:
        visit(root)
    for i in sorted(tail):  # anything unreachable keeps its relative order
        visit(i)

    def rename(e: str) -> str:
        return REF.sub(lambda m: f"#{new.get(int(m.group(1)), int(m.group(1)))}", e)

    lines = [f"#{i} = {e};\n" for i, e in sorted(head.items())]
    lines += [f"#{new[i]} = {rename(tail[i])};\n" for i in order]
    return "".join(lines)


def load_kernel() -> None:
    """Import CadQuery and OCCT with Ctrl-C held: an interrupt that lands inside their native
    initialisation would surface as an ImportError, or as a death by SIGINT once the build is
    cleaned up. Held, it is raised right after, as a plain KeyboardInterrupt."""
    with interrupts_deferred():
        import cadquery.occ_impl.assembly
        import cadquery.occ_impl.exporters.assembly  # noqa: F401


def write(p: BoxParams, out: Path, key: str) -> list[str]:
    load_kernel()
    try:
        if key == "step":
            write_step(p, out / "model.step")
            return ["model.step"]
        if key == "glb":
            _write_glb(p, out / "model.glb")
            return ["model.glb"]
        if key == "stl":
            return _write_stl(p, out)
    except PlansError:
        raise
    except Exception as exc:
        raise PlansError(
            _("Exporting {what} failed: {error}").format(what=key.upper(), error=exc),
            _("Check the free disk space; run with --debug and report it."),
        ) from exc
    raise PlansError(_("Unknown 3D output {key}.").format(key=key))


def explode_offset(p: BoxParams, pn: Panel, k: float) -> tuple[float, float, float]:
    """How far a part moves in the exploded view (k = 1: about a board's width)."""
    f = p.framing
    x = f.leg_inner_x_mm * 0.45 * k
    h = f.leg_height_mm * k
    side = -1.0 if pn.name.endswith("left") or "_left_" in pn.name else 1.0
    kind = pn.name.split("_")[0]
    table = {
        "base": (0.0, 0.0, -0.25 * h), "leg": (side * x, 0.0, 0.0), "shelf": (0.0, 0.0, 0.25 * h),
        "cradle": (0.0, 0.0, 0.4 * h), "device": (0.0, 0.0, 0.55 * h), "apron": (0.0, 0.3 * x, 0.0),
        "wing": (side * 1.2 * x, 0.0, 0.12 * h), "cheek": (side * 1.2 * x, 0.0, -0.02 * h),
        "lamp": (side * 1.6 * x, 0.0, -0.08 * h), "diffuser": (side * 0.9 * x, 0.0, -0.12 * h),
    }
    dx, dy, dz = table.get(kind, (0.0, 0.0, 0.0))
    if kind == "cheek":
        dy = (0.25 if pn.name.endswith("back") else -0.25) * x
    return (dx, dy, dz)


# -- measures (tests and the guide) ------------------------------------------------------

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


def distance(a: Any, b: Any, within: float | None = None) -> float:
    """The least distance between two shapes. With *within*, only the faces of each that come that near
    the other's bounding box are measured: the answer is the same when it is at most *within*, and more
    than *within* otherwise (so ``distance(a, b, within=e) <= e`` says what ``distance(a, b) <= e`` says)."""
    from OCP.BRepExtrema import BRepExtrema_DistShapeShape

    if within is not None:
        a, b = _faces_near(a, bounding_box(b), within), _faces_near(b, bounding_box(a), within)
    d = BRepExtrema_DistShapeShape(a, b)
    return float(d.Value())


def _faces_near(shape: Any, box: tuple[float, ...], margin: float) -> Any:
    from OCP.BRep import BRep_Builder
    from OCP.TopAbs import TopAbs_FACE
    from OCP.TopExp import TopExp_Explorer
    from OCP.TopoDS import TopoDS_Compound

    comp = TopoDS_Compound()
    builder = BRep_Builder()
    builder.MakeCompound(comp)
    exp = TopExp_Explorer(shape, TopAbs_FACE)
    while exp.More():
        fb = bounding_box(exp.Current())
        if all(fb[i] <= box[i + 3] + margin and box[i] <= fb[i + 3] + margin for i in range(3)):
            builder.Add(comp, exp.Current())
        exp.Next()
    return comp
