"""The box checked against the physical world: glare, light evenness, stability.

``figures`` gives the numbers ``plans show`` prints; ``warnings`` the ones
that are not refused (only colliding geometry is) but that a maker should
hear about, each naming the parameter to change.
"""

from __future__ import annotations

from cagette.i18n import _
from cagette.plans import light, stability
from cagette.plans.params import BoxParams


def figures(p: BoxParams) -> dict[str, float | str]:
    lr = light.report(p)
    st = stability.compute(p)
    return {
        "glare_margin_mm": lr.glare_margin_mm,
        "light_evenness_ev": lr.evenness_ev,
        "light_evenness_target_ev": light.EVENNESS_TARGET_EV,
        "tipping_angle_deg": st.tipping_deg,
        "tipping_towards": st.towards,
        "mass_kg": round(st.mass_g / 1000, 2),
    }


def warnings(p: BoxParams) -> list[str]:
    lr = light.report(p)
    st = stability.compute(p)
    out = []
    if lr.glare_in_frame:
        out.append(_("A glossy print would mirror a lamp inside the frame ({m:.0f} mm in): change wing_tilt_deg "
                     "(now {t:g}°).").format(m=-lr.glare_margin_mm, t=p.wing_tilt_deg))
    if lr.evenness_ev > light.EVENNESS_TARGET_EV:
        out.append(_("The light varies by {ev:.2f} EV over the frame (target {target:g} EV): try wing_tilt_deg "
                     "closer to 90 (now {t:g}°).").format(ev=lr.evenness_ev, target=light.EVENNESS_TARGET_EV,
                                                         t=p.wing_tilt_deg))
    if st.tipping_deg < stability.TIPPING_MIN_DEG:
        out.append(_("The box tips over at {a:.0f}° (over its {edge}): use a deeper stage or a lighter "
                     "device_mass_g.").format(a=st.tipping_deg, edge=_(stability.EDGE_NAMES[st.towards])))
    return out
