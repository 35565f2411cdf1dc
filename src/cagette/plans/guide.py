"""``guide.html`` and ``guide.pdf``: the step-by-step assembly guide.

Its drawings are hidden-line projections computed by OCCT (``HLRBRep_Algo``)
from the very solids of the model: no VTK, no OpenGL. Only this module and
:mod:`cagette.plans.model3d` import OCP.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cagette.errors import PlansError
from cagette.fsutil import atomic_write_text
from cagette.i18n import N_, _, current_language
from cagette.plans.bom import lines as bom_lines
from cagette.plans.params import BoxParams

Polyline = tuple[tuple[float, float], ...]
ISO = (1.0, -1.6, 1.1)


@dataclass(frozen=True)
class View:
    title: str
    visible: tuple[Polyline, ...]
    hidden: tuple[Polyline, ...]

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        pts = [q for line in self.visible + self.hidden for q in line] or [(0.0, 0.0)]
        xs = [q[0] for q in pts]
        ys = [q[1] for q in pts]
        return min(xs), min(ys), max(xs), max(ys)


STEPS = (
    (N_("Cut and check the parts"),
     N_("Cut the sheets (laser or CNC: sheets/*.dxf or *.svg; by hand: templates-a4.pdf). Try the kerf coupon "
        "first: the slot that holds the tab snugly gives your kerf_mm. Sand the edges."),
     ("base",)),
    (N_("Stand the legs on the base"),
     N_("Push the tabs of both legs into the slots of the base. The controller holes face outwards on the right."),
     ("base", "leg_right", "leg_left")),
    (N_("Build the light wings"),
     N_("Stick the LED strips under the wings, between the lip slots and the tenons. Push each lip's tabs into its "
        "wing, slide the diffuser through the lip and the leg, then push the wing's tenons through the leg and lock "
        "them with pins."),
     ("base", "leg_right", "leg_left", "wing_right", "wing_left", "lip_right", "lip_left", "diffuser_right",
      "diffuser_left")),
    (N_("Put the shelf and the cradle on"),
     N_("Slide the shelf's tenons through the middle pair of slots (the height computed for your stage), lock "
        "them with pins, then pin the cradle on the shelf. The other slots move the shelf up or down a step."),
     ("base", "leg_right", "leg_left", "wing_right", "wing_left", "lip_right", "lip_left", "diffuser_right",
      "diffuser_left", "shelf", "cradle")),
)


def _edges_to_polylines(shape: Any) -> list[Polyline]:
    from OCP.BRepAdaptor import BRepAdaptor_Curve
    from OCP.GeomAbs import GeomAbs_Line
    from OCP.TopAbs import TopAbs_EDGE
    from OCP.TopExp import TopExp_Explorer
    from OCP.TopoDS import TopoDS

    out: list[Polyline] = []
    if shape is None or shape.IsNull():
        return out
    exp = TopExp_Explorer(shape, TopAbs_EDGE)
    while exp.More():
        edge = TopoDS.Edge_s(exp.Current())
        curve = BRepAdaptor_Curve(edge)
        a, b = curve.FirstParameter(), curve.LastParameter()
        n = 1 if curve.GetType() == GeomAbs_Line else 12
        pts = []
        for i in range(n + 1):
            pnt = curve.Value(a + (b - a) * i / n)
            pts.append((round(pnt.X(), 3), round(pnt.Y(), 3)))
        out.append(tuple(pts))
        exp.Next()
    out.sort()
    return out


def project(solids: Iterable[Any], direction: tuple[float, float, float], title: str,
            hidden: bool = False) -> View:
    """Hidden-line projection of *solids* seen from *direction* (towards the origin)."""
    from OCP.BRep import BRep_Builder
    from OCP.gp import gp_Ax2, gp_Dir, gp_Pnt
    from OCP.HLRAlgo import HLRAlgo_Projector
    from OCP.HLRBRep import HLRBRep_Algo, HLRBRep_HLRToShape
    from OCP.TopoDS import TopoDS_Compound

    try:
        comp = TopoDS_Compound()
        builder = BRep_Builder()
        builder.MakeCompound(comp)
        for s in solids:
            builder.Add(comp, s)
        algo = HLRBRep_Algo()
        algo.Add(comp)
        dx, dy, dz = direction
        # keep Z up on the page: the view's X axis is horizontal
        xdir = gp_Dir(-dy, dx, 0.0) if abs(dx) + abs(dy) > 1e-9 else gp_Dir(1, 0, 0)
        algo.Projector(HLRAlgo_Projector(gp_Ax2(gp_Pnt(0, 0, 0), gp_Dir(dx, dy, dz), xdir)))
        algo.Update()
        algo.Hide()
        shapes = HLRBRep_HLRToShape(algo)
        visible = _edges_to_polylines(shapes.VCompound()) + _edges_to_polylines(shapes.OutLineVCompound())
        hid = _edges_to_polylines(shapes.HCompound()) if hidden else []
    except Exception as exc:
        raise PlansError(_("OCCT could not draw the view {title}: {error}").format(title=title, error=exc),
                         _("Build without the guide (--only) and report it.")) from exc
    return View(title, tuple(visible), tuple(hid))


def views(p: BoxParams) -> list[tuple[str, str, View]]:
    """(title, text, view) for the overview, the exploded view and each step."""
    from cagette.plans import model3d

    solids = dict((pn.name, s) for pn, s in model3d.solids(p))
    out = [(_("The assembled box"), _("Shelf, legs, wings and base, as the model.step assembly."),
            project(solids.values(), ISO, "iso"))]
    exploded = []
    for pn, s in model3d.solids(p):
        from OCP.BRepBuilderAPI import BRepBuilderAPI_Transform
        from OCP.gp import gp_Trsf, gp_Vec

        t = gp_Trsf()
        t.SetTranslation(gp_Vec(*model3d.explode_offset(p, pn, 1.0)))
        exploded.append(BRepBuilderAPI_Transform(s, t, True).Shape())
    out.append((_("Exploded view"), _("Every part moved apart along its assembly direction."),
                project(exploded, ISO, "exploded")))
    for i, (title, text, names) in enumerate(STEPS, 1):
        out.append((_("Step {n}: {title}").format(n=i, title=_(title)), _(text),
                    project([solids[n] for n in names], ISO, f"step{i}")))
    out.append((_("Front view"), _("Seen from the front: shelf height and lights."),
                project(solids.values(), (0.0, -1.0, 0.0), "front", hidden=True)))
    return out


def _svg(view: View, width_px: int = 640) -> str:
    x0, y0, x1, y1 = view.bbox
    w, h = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
    pad = 0.03 * max(w, h)
    vb = f"{x0 - pad:.1f} {-(y1 + pad):.1f} {w + 2 * pad:.1f} {h + 2 * pad:.1f}"
    height = int(width_px * (h + 2 * pad) / (w + 2 * pad))
    sw = max(w, h) / 900

    def path(lines: Iterable[Polyline]) -> str:
        return " ".join("M" + " L".join(f"{x:.1f} {-y:.1f}" for x, y in line) for line in lines)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{vb}" width="{width_px}" height="{height}" '
             f'role="img" aria-label="{html.escape(view.title)}">']
    if view.hidden:
        parts.append(f'<path d="{path(view.hidden)}" fill="none" stroke="#999" stroke-width="{sw:.3f}" '
                     f'stroke-dasharray="{4 * sw:.2f} {3 * sw:.2f}"/>')
    parts.append(f'<path d="{path(view.visible)}" fill="none" stroke="#222" stroke-width="{1.6 * sw:.3f}"/>')
    parts.append("</svg>")
    return "".join(parts)


def guide_html(p: BoxParams, vs: list[tuple[str, str, View]]) -> str:
    f = p.framing
    lang = current_language()
    e = html.escape
    figures = [
        (_("shelf height above the stage"), f"{f.shelf_height_mm:.0f} mm"),
        (_("visible area at the stage"), f"{f.visible_width_mm:.0f} × {f.visible_height_mm:.0f} mm"),
        (_("lights"), _("{h:.0f} mm above the stage, {a:.0f}°").format(h=f.light_z_mm - f.t, a=f.light_angle_deg)),
        (_("board"), f"{p.board_thickness_mm:g} mm, kerf {p.kerf_mm:g} mm"),
    ]
    out = [
        "<!DOCTYPE html>", f'<html lang="{lang}">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width">',
        f"<title>{e(_('Vidéocagette V2 — assembly guide'))} ({e(p.name)})</title>",
        "<style>body{font-family:sans-serif;max-width:46em;margin:auto;padding:1em;line-height:1.45}"
        "svg{max-width:100%;height:auto;display:block;margin:1em 0}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}</style>",
        "</head>", "<body>",
        f"<h1>{e(_('Vidéocagette V2 — assembly guide'))}</h1>",
        f"<p>{e(_('Preset {name}: a {kind} over a {stage} stage, {ratio} video.').format(name=p.name, kind=_(p.device_kind.value), stage=p.stage.value.upper(), ratio=p.output_ratio.value))}</p>",
        "<table>", *[f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in figures], "</table>",
    ]
    for title, text, view in vs:
        out += [f"<h2>{e(title)}</h2>", f"<p>{e(text)}</p>", _svg(view)]
    out += [f"<h2>{e(_('Wiring the controller'))}</h2>", f"<p>{e(_(WIRING))}</p>",
            f"<h2>{e(_('Parts'))}</h2>", "<table>"]
    out += [f"<tr><td>{e(li.description)}</td><td>{li.quantity:g} {e(li.unit)}</td><td>{e(li.size)}</td></tr>"
            for li in bom_lines(p)]
    out += ["</table>", f"<p>{e(_('Licence: CERN-OHL-S-2.0. Made with cagette.'))}</p>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


WIRING = N_(
    "The Raspberry Pi Pico screws on the outside of the right leg (holes engraved 'Pico'), the button goes in "
    "the 12 mm hole beside it. Each LED strip's + goes to 12 V, its − to the drain of its MOSFET; the source "
    "goes to ground; the gate is driven by a Pico GPIO through 220 Ω and pulled down to ground by 10 kΩ. The "
    "button connects a GPIO to ground; the status LED hangs on a GPIO through 330 Ω. The buck converter feeds "
    "the Pico's VSYS from the 12 V supply (or the Pico takes USB power). The GPIO numbers are in the firmware's "
    "wiring notes (firmware/README.md). The cables run through the holes above the diffusers.")


def guide_pdf(p: BoxParams, vs: list[tuple[str, str, View]], path: Path) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from cagette.plans.sheets import MM_TO_PT, new_canvas

    fonts = Path(__file__).resolve().parents[1] / "fonts"
    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(fonts / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(fonts / "DejaVuSans-Bold.ttf")))
    k = MM_TO_PT
    c: Any = new_canvas(path, 210, 297, _("Vidéocagette V2 — assembly guide"))
    for title, text, view in vs:
        c.setFont("DejaVuSans-Bold", 14)
        c.drawString(20 * k, 277 * k, title)
        c.setFont("DejaVuSans", 9.5)
        y = 268.0
        for line in textwrap.wrap(text, 95):
            c.drawString(20 * k, y * k, line)
            y -= 5
        _draw_view(c, view, 20, 20, 170, y - 25)
        c.showPage()
    c.setFont("DejaVuSans-Bold", 14)
    c.drawString(20 * k, 277 * k, _("Wiring the controller"))
    c.setFont("DejaVuSans", 9.5)
    y = 268.0
    for line in textwrap.wrap(_(WIRING), 95):
        c.drawString(20 * k, y * k, line)
        y -= 5
    y -= 6
    c.setFont("DejaVuSans-Bold", 12)
    c.drawString(20 * k, y * k, _("Parts"))
    y -= 7
    c.setFont("DejaVuSans", 8.5)
    for li in bom_lines(p):
        if y < 15:
            c.showPage()
            c.setFont("DejaVuSans", 8.5)
            y = 280.0
        c.drawString(20 * k, y * k, f"{li.quantity:g} {li.unit}")
        c.drawString(40 * k, y * k, li.description[:90])
        y -= 4.6
    c.showPage()
    c.save()


def _draw_view(c: Any, view: View, x: float, y: float, w: float, h: float) -> None:
    from cagette.plans.sheets import MM_TO_PT

    k = MM_TO_PT
    x0, y0, x1, y1 = view.bbox
    scale = min(w / max(x1 - x0, 1e-6), h / max(y1 - y0, 1e-6))
    ox = x + (w - (x1 - x0) * scale) / 2
    oy = y + (h - (y1 - y0) * scale) / 2

    def tr(q: tuple[float, float]) -> tuple[float, float]:
        return ((ox + (q[0] - x0) * scale) * k, (oy + (q[1] - y0) * scale) * k)

    for lines, gray, width, dash in ((view.hidden, 0.6, 0.3, (2, 2)), (view.visible, 0.1, 0.5, ())):
        c.setStrokeColorRGB(gray, gray, gray)
        c.setLineWidth(width)
        c.setDash(*dash) if dash else c.setDash()
        path = c.beginPath()
        for line in lines:
            path.moveTo(*tr(line[0]))
            for q in line[1:]:
                path.lineTo(*tr(q))
        c.drawPath(path, stroke=1, fill=0)
    c.setDash()


def write_guide(p: BoxParams, out: Path) -> list[str]:
    vs = views(p)
    atomic_write_text(out / "guide.html", guide_html(p, vs))
    guide_pdf(p, vs, out / "guide.pdf")
    return ["guide.html", "guide.pdf"]
