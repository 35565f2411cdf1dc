"""``guide.html`` and ``guide.pdf``: the step-by-step assembly guide a volunteer can follow.

Each step names its parts (linked to the bill of materials) and tools, and
shows a drawing where the parts it adds are highlighted and labelled, with
the key dimensions. The drawings are hidden-line projections computed by
OCCT (``HLRBRep_Algo``) from the very solids of the model. The wiring step
includes the firmware's wiring diagram as a file (``wiring.svg``/``.png``),
or, until there is one, its wiring notes; the last step shows the virtual
camera's view. Everything is in the kit's language.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cagette.documents import FONT
from cagette.errors import PlansError
from cagette.fsutil import atomic_write_text
from cagette.i18n import _, current_language
from cagette.plans.bom import lines as bom_lines
from cagette.plans.guide_steps import STEPS, Step, matches
from cagette.plans.params import BoxParams

if TYPE_CHECKING:
    from cagette.plans.panels import Panel

Polyline = tuple[tuple[float, float], ...]
Pt3 = tuple[float, float, float]
ISO = (1.0, -1.6, 1.1)
FRONT = (0.0, -1.0, 0.0)
TOP = (0.0, 0.0, 1.0)
HIGHLIGHT = "#c2410c"
MAX_WIRING_BYTES = 2_000_000


@dataclass(frozen=True)
class Dim:
    a: tuple[float, float]
    b: tuple[float, float]
    text: str


@dataclass(frozen=True)
class View:
    title: str
    visible: tuple[Polyline, ...]
    hidden: tuple[Polyline, ...] = ()
    highlight: tuple[Polyline, ...] = ()
    callouts: tuple[tuple[str, tuple[float, float]], ...] = ()
    dims: tuple[Dim, ...] = field(default=())

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        pts = [q for line in self.visible + self.hidden + self.highlight for q in line]
        pts += [q for d in self.dims for q in (d.a, d.b)]
        pts = pts or [(0.0, 0.0)]
        xs = [q[0] for q in pts]
        ys = [q[1] for q in pts]
        return min(xs), min(ys), max(xs), max(ys)


def _axes(direction: Pt3) -> tuple[Pt3, Pt3]:
    dx, dy, dz = direction
    n = (dx * dx + dy * dy + dz * dz) ** 0.5
    d = (dx / n, dy / n, dz / n)
    if abs(dx) + abs(dy) > 1e-9:
        h = (dx * dx + dy * dy) ** 0.5
        x = (-dy / h, dx / h, 0.0)
    else:
        x = (1.0, 0.0, 0.0)
    y = (d[1] * x[2] - d[2] * x[1], d[2] * x[0] - d[0] * x[2], d[0] * x[1] - d[1] * x[0])
    return x, y


def to_view(q: Pt3, direction: Pt3) -> tuple[float, float]:
    """Where a world point lands in a projection seen from *direction* (as HLR projects it)."""
    x, y = _axes(direction)
    return (q[0] * x[0] + q[1] * x[1] + q[2] * x[2], q[0] * y[0] + q[1] * y[1] + q[2] * y[2])


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
        points = [curve.Value(a + (b - a) * i / n) for i in range(n + 1)]
        out.append(tuple((round(q.X(), 3), round(q.Y(), 3)) for q in points))
        exp.Next()
    out.sort()
    return out


def project(solids: Iterable[Any], direction: Pt3, title: str, hidden: bool = False) -> View:
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
        x, _y = _axes(direction)
        algo.Projector(HLRAlgo_Projector(gp_Ax2(gp_Pnt(0, 0, 0), gp_Dir(*direction), gp_Dir(*x))))
        algo.Update()
        algo.Hide()
        shapes = HLRBRep_HLRToShape(algo)
        visible = _edges_to_polylines(shapes.VCompound()) + _edges_to_polylines(shapes.OutLineVCompound())
        hid = _edges_to_polylines(shapes.HCompound()) if hidden else []
    except Exception as exc:
        raise PlansError(_("OCCT could not draw the view {title}: {error}").format(title=title, error=exc),
                         _("Build without the guide (--only) and report it.")) from exc
    return View(title, tuple(visible), tuple(hid))


# -- the drawings of each step ----------------------------------------------------------

def _centre(pn: Panel) -> Pt3:
    x0, y0, x1, y1 = pn.bbox
    return pn.placement.to_world((x0 + x1) / 2, (y0 + y1) / 2, pn.thickness_mm / 2)


def _step_view(p: BoxParams, step: Step, present: list[str], solids: dict[str, Any], panels: dict[str, Any]) -> View:
    from cagette.plans import model3d

    kind = step.view
    if kind == "exploded":
        moved = []
        from OCP.BRepBuilderAPI import BRepBuilderAPI_Transform
        from OCP.gp import gp_Trsf, gp_Vec

        for name, s in solids.items():
            if panels[name].is_cut:
                t = gp_Trsf()
                t.SetTranslation(gp_Vec(*model3d.explode_offset(p, panels[name], 1.0)))
                moved.append(BRepBuilderAPI_Transform(s, t, True).Shape())
        return project(moved, ISO, "exploded")
    direction = {"front": FRONT, "top": TOP}.get(kind, ISO)
    names = present
    if kind == "lamp":
        names = [n for n in present if matches(n, ("cheek", "lamp", "diffuser")) and n.endswith(
            ("right", "right_back", "right_front"))]
    if kind == "top":
        names = [n for n in present if matches(n, ("shelf", "cradle", "device"))]
    base = project([solids[n] for n in names], direction, kind)
    new = [n for n in names if matches(n, step.new)]
    if new == names:  # every part of the view is new: the same projection
        highlight = base.visible
    else:
        highlight = project([solids[n] for n in new], direction, kind).visible if new else ()
    callouts = tuple((_(panels[n].title), to_view(_centre(panels[n]), direction)) for n in new)
    return View(base.title, base.visible, (), highlight, callouts, tuple(_dims(p, step, direction)))


def _dims(p: BoxParams, step: Step, direction: Pt3) -> list[Dim]:
    f = p.framing
    t = f.t
    out: list[Dim] = []
    if "legs" in step.dims:
        a, b = (-f.leg_inner_x_mm, -f.base_depth_mm / 2, t), (f.leg_inner_x_mm, -f.base_depth_mm / 2, t)
        out.append(Dim(to_view(a, direction), to_view(b, direction),
                       _("{d:.0f} mm between the legs").format(d=2 * f.leg_inner_x_mm)))
    if "shelf" in step.dims:
        x = -f.leg_inner_x_mm - 3 * t
        out.append(Dim(to_view((x, 0, f.paper_z_mm), direction), to_view((x, 0, f.lens_z_mm), direction),
                       _("lens {h:.0f} mm above the paper").format(h=f.shelf_height_mm)))
        out.append(Dim(to_view((-f.visible_width_mm / 2, 0, t), direction),
                       to_view((f.visible_width_mm / 2, 0, t), direction),
                       _("seen: {w:.0f} × {h:.0f} mm").format(w=f.visible_width_mm, h=f.visible_height_mm)))
    if "lamps" in step.dims:
        z = f.light_z_mm
        out.append(Dim(to_view((0, 0, z), direction), to_view((f.light_x_mm, 0, z), direction),
                       _("lamps {x:.0f} mm from the centre").format(x=f.light_x_mm)))
        out.append(Dim(to_view((f.light_x_mm + 40, 0, t), direction), to_view((f.light_x_mm + 40, 0, z), direction),
                       _("{h:.0f} mm up").format(h=z - t)))
    if "lens" in step.dims:
        cx, cy = f.device_center_mm
        w, h = f.device_size_mm
        z = f.lens_z_mm
        if f.device_top_edge == "left":
            top_pt, side_pt = (cx - w / 2, 0.0, z), (0.0, cy + h / 2, z)
        else:
            top_pt, side_pt = (0.0, cy + h / 2, z), (cx + w / 2, 0.0, z)
        out.append(Dim(to_view(top_pt, direction), to_view((0, 0, z), direction),
                       f"lens_y_mm = {p.lens_y_mm:g}"))
        out.append(Dim(to_view(side_pt, direction), to_view((0, 0, z), direction),
                       f"lens_x_mm = {p.lens_x_mm:g}"))
    return out


@dataclass(frozen=True)
class GuideStep:
    number: int
    title: str
    text: str
    parts: tuple[tuple[str, str, str], ...]  # (bom item, description, quantity)
    tools: tuple[str, ...]
    view: View | None


def steps(p: BoxParams) -> list[GuideStep]:
    from cagette.plans import model3d

    model3d.load_kernel()
    solids = {pn.name: s for pn, s in model3d.solids(p)}
    panels = {pn.name: pn for pn, _s in model3d.solids(p)}
    bom = {li.item: li for li in bom_lines(p)}
    present: list[str] = []
    out = []
    for i, step in enumerate(STEPS, 1):
        new = [n for n in panels if matches(n, step.new)]
        present += [n for n in new if n not in present]
        items = [f"panel:{n}" for n in (panels if i == 1 else new) if f"panel:{n}" in bom] + list(step.hardware)
        parts = tuple((it, bom[it].description, f"{bom[it].quantity:g} {bom[it].unit}") for it in items if it in bom)
        if "device" in new:
            parts += (("device", _(panels["device"].title), "1"),)
        view = None if step.view in ("wiring", "none") else _step_view(p, step, list(present), solids, panels)
        out.append(GuideStep(i, _(step.title), _(step.text), parts, tuple(_(t) for t in step.tools), view))
    return out


# -- the wiring diagram (a file of the firmware, never its code) ---------------------------

@dataclass(frozen=True)
class Wiring:
    svg: str | None = None
    png: bytes | None = None
    notes: str | None = None


def _in_language(folder: Path, name: str, lang: str) -> Path:
    """``wiring.fr.svg`` for a French kit when the firmware has it, else ``wiring.svg``."""
    stem, dot, ext = name.partition(".")
    own = folder / f"{stem}.{lang}{dot}{ext}"
    return own if lang and own.is_file() else folder / name


def read_wiring(folder: Path | None, lang: str = "") -> Wiring:
    """The firmware's wiring diagram (``wiring.svg``/``.png``, in the kit's language when there is one),
    else the wiring notes of its README."""
    if folder is None:
        return Wiring()
    svg = png = notes = None
    try:
        svg_file, png_file = _in_language(folder, "wiring.svg", lang), _in_language(folder, "wiring.png", lang)
        if svg_file.is_file() and svg_file.stat().st_size <= MAX_WIRING_BYTES:
            text = svg_file.read_text(encoding="utf-8")
            svg = re.sub(r"<\?xml[^>]*\?>", "", text)
            svg = re.sub(r"<script.*?</script>", "", svg, flags=re.S)
        if png_file.is_file() and png_file.stat().st_size <= MAX_WIRING_BYTES:
            png = png_file.read_bytes()
        readme = _in_language(folder, "README.md", lang)
        if readme.is_file():
            m = re.search(r"^## (?:Wiring|Câblage)\s*\n(.*?)(?=^## )", readme.read_text(encoding="utf-8"),
                          re.S | re.M)
            if m:
                block = re.search(r"```\n(.*?)```", m.group(1), re.S)
                notes = block.group(1) if block else None
    except (OSError, UnicodeError):
        return Wiring()
    return Wiring(svg, png, notes)


# -- HTML ----------------------------------------------------------------------------------

def _svg(view: View, width_px: int = 680) -> str:
    x0, y0, x1, y1 = view.bbox
    w, h = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
    side = 0.2 * w if view.callouts else 0.0
    pad = 0.04 * max(w, h)
    vb_x0, vb_w = x0 - pad - side, w + 2 * pad + 2 * side
    vb = f"{vb_x0:.1f} {-(y1 + pad):.1f} {vb_w:.1f} {h + 2 * pad:.1f}"
    height = int(width_px * (h + 2 * pad) / vb_w)
    sw = vb_w / 900
    fs = vb_w / 55

    def path(lines: Iterable[Polyline]) -> str:
        return " ".join("M" + " L".join(f"{x:.1f} {-y:.1f}" for x, y in line) for line in lines)

    e = html.escape
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{vb}" width="{width_px}" height="{height}" '
             f'role="img" aria-label="{e(view.title)}" font-family="sans-serif" font-size="{fs:.1f}">',
             f'<path d="{path(view.visible)}" fill="none" stroke="#555" stroke-width="{sw:.3f}"/>']
    if view.highlight:
        parts.append(f'<path d="{path(view.highlight)}" fill="none" stroke="{HIGHLIGHT}" '
                     f'stroke-width="{2.2 * sw:.3f}"/>')
    for k, (label, (ax, ay)) in enumerate(_callout_slots(view)):
        lx, ly, anchor = label
        parts.append(f'<path d="M{ax:.1f} {-ay:.1f} L{lx:.1f} {-ly:.1f}" stroke="{HIGHLIGHT}" '
                     f'stroke-width="{sw:.3f}" fill="none"/><circle cx="{ax:.1f}" cy="{-ay:.1f}" r="{2 * sw:.2f}" '
                     f'fill="{HIGHLIGHT}"/><text x="{lx:.1f}" y="{-ly:.1f}" text-anchor="{anchor}" '
                     f'fill="{HIGHLIGHT}">{e(view.callouts[k][0])}</text>')
    for d in view.dims:
        (ax, ay), (bx, by) = d.a, d.b
        parts.append(f'<path d="M{ax:.1f} {-ay:.1f} L{bx:.1f} {-by:.1f}" stroke="#1d4ed8" stroke-width="{sw:.3f}" '
                     f'marker-start="url(#a)" marker-end="url(#a)"/><text x="{(ax + bx) / 2:.1f}" '
                     f'y="{-(ay + by) / 2 - fs * 0.4:.1f}" text-anchor="middle" fill="#1d4ed8">{e(d.text)}</text>')
    if view.dims:
        parts.insert(1, '<defs><marker id="a" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="6" '
                        'markerHeight="6" orient="auto"><circle cx="5" cy="5" r="4" fill="#1d4ed8"/></marker></defs>')
    parts.append("</svg>")
    return "".join(parts)


def _callout_slots(view: View) -> list[tuple[tuple[float, float, str], tuple[float, float]]]:
    """Where each callout's label goes: left or right of the drawing, stacked, nearest side first."""
    x0, y0, x1, y1 = view.bbox
    mid = (x0 + x1) / 2
    w = x1 - x0
    left = sorted((i for i, (_l, a) in enumerate(view.callouts) if a[0] < mid), key=lambda i: -view.callouts[i][1][1])
    right = sorted((i for i, (_l, a) in enumerate(view.callouts) if a[0] >= mid), key=lambda i: -view.callouts[i][1][1])
    slots: dict[int, tuple[float, float, str]] = {}
    for group, x, anchor in ((left, x0 - 0.05 * w, "end"), (right, x1 + 0.05 * w, "start")):
        for k, i in enumerate(group):
            y = y1 - (k + 0.5) * (y1 - y0) / max(len(group), 1)
            slots[i] = (x, y, anchor)
    return [(slots[i], view.callouts[i][1]) for i in range(len(view.callouts))]


def guide_html(p: BoxParams, gs: list[GuideStep], wiring: Wiring, view_png: bytes | None, pdf: bool = False) -> str:
    """The guide as a web page; with *pdf*, the page the PDF is made from (its pictures as ``fig:`` names)."""
    f = p.framing
    figures = [
        (_("lens above the paper"), f"{f.shelf_height_mm:.0f} mm"),
        (_("visible area at the stage"), f"{f.visible_width_mm:.0f} × {f.visible_height_mm:.0f} mm"),
        (_("lamps"), _("{x:.0f} mm from the centre, {h:.0f} mm above the stage").format(
            x=f.light_x_mm, h=f.light_z_mm - f.t)),
        (_("overall size"), f"{2 * (f.leg_inner_x_mm + f.t + f.wing_width_mm):.0f} × {f.base_depth_mm:.0f} × "
                            f"{f.leg_height_mm:.0f} mm"),
        (_("board"), _("{t:g} mm, kerf {k:g} mm, joint play {j:g} mm").format(
            t=p.board_thickness_mm, k=p.kerf_mm, j=p.joint_play_mm)),
    ]
    from markupsafe import Markup

    from cagette.documents import templates

    steps = [{"number": st.number, "title": st.title, "text": st.text, "parts": st.parts, "tools": st.tools,
              "svg": Markup(_svg(st.view)) if st.view is not None else None,  # our own drawing's markup
              "highlight": st.view is not None and bool(st.view.highlight),
              "wiring": STEPS[st.number - 1].view == "wiring",
              "camera": STEPS[st.number - 1].view == "none" and bool(view_png)} for st in gs]
    intro = _("Preset {name}: a {kind} over a {stage} stage, {ratio} video.").format(
        name=p.name, kind=_(p.device_kind.value), stage=p.stage.value.upper(), ratio=p.output_ratio.value)
    return templates("cagette.plans").get_template("guide.html").render(
        lang=current_language(), title=_("Vidéocagette V2 — assembly guide"), preset=p.name, intro=intro,
        highlight=HIGHLIGHT, figures=figures, steps=steps, bom=bom_lines(p), pdf=pdf,
        wiring={"svg": Markup(wiring.svg) if wiring.svg else None,  # the firmware's own drawing
                "png": base64.b64encode(wiring.png).decode() if wiring.png else None, "notes": wiring.notes},
        camera=base64.b64encode(view_png).decode() if view_png else "")


# -- PDF -----------------------------------------------------------------------------------

def guide_pdf(p: BoxParams, gs: list[GuideStep], wiring: Wiring, view_png: bytes | None, path: Path) -> None:
    """The guide's own page, through the one HTML→PDF path (:func:`cagette.documents.pdf_document`):
    a title page with the steps, then one page per step, the drawings as vectors."""
    from cagette.documents import pdf_document, sections_of

    views = {f"view-{st.number}": st.view for st in gs if st.view is not None}

    def figure(name: str) -> Any:
        if name in views:
            return _view_flowable(views[name])
        if name == "wiring":
            return wiring.png or None
        if name == "camera":
            return view_png or None
        return None

    title = _("Vidéocagette V2 — assembly guide")
    intro, *sections = sections_of(guide_html(p, gs, wiring, view_png, pdf=True))
    pdf_document(path, title, p.name, current_language(), sections, _("Steps"), f"{title} — {p.name}",
                 figure=figure, intro=intro)


VIEW_MM = (170.0, 118.0)  # a drawing across the page's text width


def _view_flowable(view: View) -> Any:
    from reportlab.platypus import Flowable

    from cagette.plans.sheets import MM_TO_PT

    class Drawing(Flowable):  # type: ignore[misc]  # reportlab ships no types: Flowable is Any
        def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
            return VIEW_MM[0] * MM_TO_PT, VIEW_MM[1] * MM_TO_PT

        def draw(self) -> None:
            _draw_view(self.canv, view, 0.0, 0.0, *VIEW_MM)

    return Drawing()


def _draw_view(c: Any, view: View, x: float, y: float, w: float, h: float) -> None:
    from cagette.plans.sheets import MM_TO_PT

    k = MM_TO_PT
    x0, y0, x1, y1 = view.bbox
    side = 0.16 * w if view.callouts else 0.0
    inner_w = w - 2 * side
    scale = min(inner_w / max(x1 - x0, 1e-6), h / max(y1 - y0, 1e-6))
    ox = x + side + (inner_w - (x1 - x0) * scale) / 2
    oy = y + (h - (y1 - y0) * scale) / 2

    def tr(q: tuple[float, float]) -> tuple[float, float]:
        return ((ox + (q[0] - x0) * scale) * k, (oy + (q[1] - y0) * scale) * k)

    for lines, rgb, width in ((view.visible, (0.35, 0.35, 0.35), 0.4), (view.highlight, (0.76, 0.25, 0.05), 1.0)):
        c.setStrokeColorRGB(*rgb)
        c.setLineWidth(width)
        path = c.beginPath()
        for line in lines:
            path.moveTo(*tr(line[0]))
            for q in line[1:]:
                path.lineTo(*tr(q))
        c.drawPath(path, stroke=1, fill=0)
    c.setFont(FONT, 7)
    for (lx, ly, anchor), anchor_pt in _callout_slots(view):
        label = next(t for t, a in view.callouts if a == anchor_pt)
        c.setStrokeColorRGB(0.76, 0.25, 0.05)
        c.setFillColorRGB(0.76, 0.25, 0.05)
        c.setLineWidth(0.3)
        px, py = tr((lx, ly))
        c.line(*tr(anchor_pt), px, py)
        (c.drawRightString if anchor == "end" else c.drawString)(px, py, label)
    c.setFillColorRGB(0.11, 0.3, 0.85)
    c.setStrokeColorRGB(0.11, 0.3, 0.85)
    for d in view.dims:
        (ax, ay), (bx, by) = tr(d.a), tr(d.b)
        c.line(ax, ay, bx, by)
        c.circle(ax, ay, 1.0, stroke=0, fill=1)
        c.circle(bx, by, 1.0, stroke=0, fill=1)
        c.drawCentredString((ax + bx) / 2, (ay + by) / 2 + 2, d.text)
    c.setFillColorRGB(0, 0, 0)


def write_guide(p: BoxParams, out: Path, wiring_folder: Path | None = None) -> list[str]:
    gs = steps(p)
    wiring = read_wiring(wiring_folder, current_language())
    view_png = (out / "view-from-lens.png").read_bytes() if (out / "view-from-lens.png").is_file() else None
    atomic_write_text(out / "guide.html", guide_html(p, gs, wiring, view_png))
    guide_pdf(p, gs, wiring, view_png, out / "guide.pdf")
    return ["guide.html", "guide.pdf"]
