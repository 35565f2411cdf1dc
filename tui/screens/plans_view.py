"""The virtual camera's view for the plans screen: ``view-from-lens.png`` as ``cagette plans view``
makes it, with the glare margin and the light evenness that the plans' checks compute.

:func:`look` runs in a worker: it checks the cancel token between its steps (render, checks,
writing), and writes the picture last, atomically, so a cancelled look leaves no file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cagette.i18n import _

VIEW_FILE = "view-from-lens.png"


@dataclass(frozen=True)
class LensView:
    params: Any  # the parameters it was made for
    path: Path  # the PNG written
    image: Any  # PIL image
    size: tuple[int, int]
    hidden_pct: float  # share of the frame hidden by the box
    figures: dict[str, Any]  # cagette.plans.checks.figures
    warnings: list[str]  # cagette.plans.checks.warnings


def look(params: Any, folder: Path, progress: Any) -> LensView:
    """Render what the camera sees from its lens, check the light, then write ``view-from-lens.png``."""
    from PIL import Image

    from cagette.fsutil import check_output_dir
    from cagette.plans import checks, view

    progress.start(_("Looking through the lens"), total=3, unit=_("steps"))
    progress.check()
    seen = view.render(params)
    progress.advance(1)
    progress.check()
    figures, warnings = checks.figures(params), checks.warnings(params)
    progress.advance(1)
    progress.check()
    folder = Path(folder)
    check_output_dir(folder, True)
    path = folder / VIEW_FILE
    view.write_png(seen, path)
    progress.advance(1)
    return LensView(params, path, Image.fromarray(seen.image), seen.size, round(100 * seen.hidden_share, 3),
                    figures, warnings)


def glare_text(margin_mm: float) -> str:
    if margin_mm > 0:
        return "✔ " + _("Glare margin: {m:.0f} mm outside the frame (a glossy print mirrors no lamp in the "
                        "picture).").format(m=margin_mm)
    return "⚠ " + _("Glare margin: a lamp mirrors {m:.0f} mm inside the frame.").format(m=-margin_mm)


def evenness_text(ev: float, target: float) -> str:
    mark = "✔" if ev <= target else "⚠"
    return mark + " " + _("Light evenness: {ev:.2f} EV from the brightest to the darkest point (target ≤ {t:g} "
                          "EV).").format(ev=ev, t=target)


def describe(seen: LensView, current: Any) -> str:
    """The view's figures in words (each with ✔ or ⚠), and whether it is still the box on the form."""
    f = seen.figures
    lines = [glare_text(float(f["glare_margin_mm"])),
             evenness_text(float(f["light_evenness_ev"]), float(f["light_evenness_target_ev"])),
             _("{hidden:.1f} % of the frame hidden by the box.").format(hidden=seen.hidden_pct)]
    lines += ["⚠ " + w for w in seen.warnings]
    lines.append(_("Picture: {path} ({w} × {h} px)").format(path=seen.path, w=seen.size[0], h=seen.size[1]))
    if seen.params != current:
        lines.append("⟳ " + _("The form changed since: look again (Ctrl+O) to see the new box."))
    return "\n".join(lines)
