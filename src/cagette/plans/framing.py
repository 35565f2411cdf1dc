"""Framing maths: at what height the lens covers the stage, and where everything goes.

World axes: X to the right, Y towards the back, Z up; the origin is the stage
centre on the base's bottom face, so the paper lies at ``z = t`` (board
thickness). The lens sits straight above the stage centre, at the shelf's top
face. The frame's long side runs along X for landscape outputs (16:9, 4:3, 1:1)
and along Y for 9:16.

The device lies screen up on the shelf, its back (and lens) down. In portrait
its top edge points to the back (+Y); in landscape it is turned a quarter turn
counter-clockwise seen from above, so its top edge points to the left (-X).

The lamps sit outside the legs, far and high enough that a glossy print does
not mirror them into the frame (a copy stand's rule): a point of a diffuser at
(x, h) above the paper is mirrored into the frame at x·H/(H + h), H the lens
height, so every diffuser point must satisfy x·H/(H + h) > half the frame.

Pure Python: no cadquery, no numpy; a few hundred microseconds per call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cagette.errors import ParameterError
from cagette.i18n import _

if TYPE_CHECKING:
    from cagette.plans.params import BoxParams

FULL_FRAME_DIAGONAL_MM = math.hypot(36.0, 24.0)
CLEARANCE_MM = 6.0  # legs stand this far outside the visible area
RIM_MM = 10.0  # board left around the visible area, and around the cradle's opening
LED_DEPTH_MM = 12.0  # room between the lamp board's face and the diffuser
DEVICE_CLEARANCE_MM = 1.0
LENS_RADIUS_MM = 4.0  # the stand-in's lens hole; the opening keeps 2 mm or more around it
GLARE_MARGIN_MM = 12.0  # how far outside the frame the diffusers' mirror images are placed
LAMP_HEIGHT_RATIO = 0.85  # diffusers' centre at this share of the lens height
DEFAULT_WING_TILT_DEG = 90.0  # the tilt the lamps' position is computed for (params' default)
CHEEK_RIM_MM = 8.0  # board kept around the lamp's slots in its cheeks


@dataclass(frozen=True)
class Lamp:
    """One diffuser in the world's XZ section (the right one; the left one is its mirror).

    ``centre`` is the middle of its emitting face (x, z world); ``normal`` points
    where it shines (inwards and down); ``across`` runs along its width, outwards
    and down; it is ``width_mm`` wide and ``length_mm`` long (along Y)."""

    centre: tuple[float, float]
    normal: tuple[float, float]
    across: tuple[float, float]
    width_mm: float
    length_mm: float

    def point(self, u: float, back: float = 0.0) -> tuple[float, float]:
        """The point *u* along its width from the centre, *back* mm behind its emitting face."""
        return (self.centre[0] + u * self.across[0] - back * self.normal[0],
                self.centre[1] + u * self.across[1] - back * self.normal[1])


@dataclass(frozen=True)
class Framing:
    # camera
    tan_long: float  # half-angle tangent of the frame along its long side
    tan_short: float
    shelf_height_mm: float  # lens height above the paper
    visible_width_mm: float  # along X, at the paper
    visible_height_mm: float  # along Y
    portrait: bool
    # layout
    t: float
    leg_inner_x_mm: float  # legs' inner faces at ±this
    base_width_mm: float
    base_depth_mm: float
    leg_height_mm: float  # from the base's bottom face to the legs' top
    stile_mm: float  # width of the legs' posts either side of their light window
    window_top_mm: float  # z of the top of the legs' light window
    shelf_tops_mm: tuple[float, ...]  # z of the shelf's top face at each position
    shelf_top_mm: float  # the position used for this stage
    wing_width_mm: float  # how far the wings reach beyond the legs' outer faces
    wing_top_mm: float
    wing_depth_mm: float  # along Y
    lamp: Lamp
    light_x_mm: float
    light_z_mm: float
    light_angle_deg: float  # elevation of the diffusers' centre seen from the stage centre
    apron_mm: tuple[float, float]  # z range of the back apron that holds the legs square
    opening_w_mm: float
    opening_h_mm: float
    device_center_mm: tuple[float, float]
    device_size_mm: tuple[float, float]  # footprint on the shelf along X, Y
    device_top_edge: str  # where the device's top edge points: "back" or "left"
    markers_mm: tuple[tuple[int, float, float], ...]  # (id, x, y) centres on the stage
    stage_rect_mm: tuple[float, float]  # paper size along X, Y

    @property
    def camera_fov_deg(self) -> tuple[float, float]:
        """Field of view of the output frame (long side, short side), after stabilisation crop."""
        return (math.degrees(2 * math.atan(self.tan_long)), math.degrees(2 * math.atan(self.tan_short)))

    @property
    def lens_z_mm(self) -> float:
        return self.shelf_top_mm

    @property
    def paper_z_mm(self) -> float:
        return self.t

    def cone_half_mm(self, z_mm: float, axis: int = 0) -> float:
        """Half-width of the camera's view (along X or Y) at height *z_mm*."""
        half = (self.visible_width_mm if axis == 0 else self.visible_height_mm) / 2
        return half * (self.shelf_top_mm - z_mm) / self.shelf_height_mm

    def mirrored_x_mm(self, x: float, z: float) -> float:
        """Where a point (x, z) above the paper appears mirrored in a glossy print, seen from the lens."""
        h = z - self.t
        return x * self.shelf_height_mm / (self.shelf_height_mm + h)

    def derived(self) -> dict[str, float | list[float] | list[dict[str, float]]]:
        long_deg, short_deg = self.camera_fov_deg
        return {
            "shelf_height_mm": round(self.shelf_height_mm, 2),
            "visible_width_mm": round(self.visible_width_mm, 2),
            "visible_height_mm": round(self.visible_height_mm, 2),
            "light_angle_deg": round(self.light_angle_deg, 2),
            "frame_fov_long_deg": round(long_deg, 2),
            "frame_fov_short_deg": round(short_deg, 2),
            "leg_height_mm": round(self.leg_height_mm, 2),
            "base_width_mm": round(self.base_width_mm, 2),
            "base_depth_mm": round(self.base_depth_mm, 2),
            "overall_width_mm": round(2 * (self.leg_inner_x_mm + self.t + self.wing_width_mm), 2),
            "shelf_positions_mm": [round(z - self.t, 2) for z in self.shelf_tops_mm],
            "light_height_mm": round(self.light_z_mm - self.t, 2),
            "light_distance_mm": round(self.light_x_mm, 2),
            "lens_opening_mm": [round(self.opening_w_mm, 2), round(self.opening_h_mm, 2)],
            "markers_mm": [{"id": i, "x": round(x, 3), "y": round(y, 3)} for i, x, y in self.markers_mm],
        }


def lens_tangents(p: BoxParams) -> tuple[float, float]:
    """Half-angle tangents of the sensor (long, short)."""
    s = p.sensor_aspect_ratio
    if p.lens_fov_deg:
        tan_long = math.tan(math.radians(p.lens_fov_deg) / 2)
    else:
        tan_diag = FULL_FRAME_DIAGONAL_MM / 2 / p.lens_focal_35mm_mm
        tan_long = tan_diag * s / math.hypot(s, 1.0)
    return tan_long, tan_long / s


def device_layout(p: BoxParams, portrait: bool) -> tuple[tuple[float, float], tuple[float, float], str]:
    """Centre and footprint (along X, Y) of the device lying screen up with its lens over the origin.

    ``lens_x_mm`` / ``lens_y_mm`` are measured on the device's back, in portrait, from its left
    and top edges (as the lens card shows). Seen from above, the back is mirrored left to right.
    """
    dw, dl = p.device_width_mm, p.device_length_mm
    # the lens relative to the device's centre, seen from above, top edge towards +Y
    lx, ly = dw / 2 - p.lens_x_mm, dl / 2 - p.lens_y_mm
    if portrait:
        return (-lx, -ly), (dw, dl), "back"
    # a quarter turn counter-clockwise: (x, y) -> (-y, x); the top edge now points to -X
    lx, ly = -ly, lx
    return (-lx, -ly), (dl, dw), "left"


def _view(p: BoxParams) -> tuple[float, float, float, float, float]:
    """The lens's half-angle tangents along the frame's long and short sides (after the stabilisation crop),
    the lens height that frames the stage with its margin and markers, and the visible width and height."""
    s = p.sensor_aspect_ratio
    rw, rh = p.output_ratio.value_wh
    r = max(rw, rh) / min(rw, rh)
    tl, ts = lens_tangents(p)
    if r >= s:
        fl, fs = tl, tl / r
    else:
        fl, fs = ts * r, ts
    keep = 1 - p.stabilisation_crop_pct / 100
    fl, fs = fl * keep, fs * keep
    stage_long, stage_short = p.stage_size_mm
    m = p.frame_margin_pct / 100
    need_long = max(stage_long * (1 + m), stage_long + 2 * (p.marker_gap_mm + p.marker_size_mm) + 4)
    need_short = stage_short * (1 + m)
    height = max(need_long / (2 * fl), need_short / (2 * fs))
    vis_long, vis_short = 2 * height * fl, 2 * height * fs
    vis_w, vis_h = (vis_short, vis_long) if p.output_ratio.portrait else (vis_long, vis_short)
    return fl, fs, height, vis_w, vis_h


def _markers(p: BoxParams) -> tuple[tuple[int, float, float], ...]:
    """The markers beside the paper along the frame's long side, ids clockwise from top-left."""
    stage_long, stage_short = p.stage_size_mm
    mk, gap = p.marker_size_mm, p.marker_gap_mm
    if p.output_ratio.portrait:
        ax, ay = stage_short / 2 - mk / 2, stage_long / 2 + gap + mk / 2
    else:
        ax, ay = stage_long / 2 + gap + mk / 2, stage_short / 2 - mk / 2
    return ((0, -ax, ay), (1, ax, ay), (2, ax, -ay), (3, -ax, -ay))


def _window_top(lamp: Lamp, lamp_w: float, t: float, x_in: float, vis_w: float, wing_top: float) -> float:
    """The top of the legs' light window: the lamps light the far edge of the frame through it."""
    window_top = t
    for u in (-lamp_w / 2, lamp_w / 2):
        x, z = lamp.point(u)
        window_top = max(window_top, t + (z - t) * (x_in + vis_w / 2) / (x + vis_w / 2))
    return min(window_top + 10, wing_top - 3 * t - 20)


def _check_legs(p: BoxParams, height: float, leg_h: float, apron: tuple[float, float], window_top: float) -> None:
    """Refuse legs taller than allowed, or too short for their window, the wings and the shelf positions."""
    t = p.board_thickness_mm
    if leg_h > p.max_leg_height_mm:
        raise ParameterError(
            _("To frame this stage the lens must sit {h:.0f} mm above it, so the legs would be {leg:.0f} mm "
              "tall, more than max_leg_height_mm = {max:g}.").format(h=height, leg=leg_h, max=p.max_leg_height_mm),
            _("Use a wider lens (smaller lens_focal_35mm_mm), a smaller stage, less frame_margin_pct, "
              "or raise max_leg_height_mm."),
        )
    if apron[1] - apron[0] < 3 * t or window_top < t + 20:
        raise ParameterError(
            _("The legs are too short ({h:.0f} mm) for their light window, the wings and {n} shelf positions.").format(
                h=leg_h, n=p.shelf_positions),
            _("Use fewer shelf_positions or a smaller shelf_step_mm, or a longer lens_focal_35mm_mm."),
        )


def compute(p: BoxParams) -> Framing:
    t = p.board_thickness_mm
    portrait = p.output_ratio.portrait
    fl, fs, height, vis_w, vis_h = _view(p)
    stage_long, stage_short = p.stage_size_mm
    stage_xy = (stage_short, stage_long) if portrait else (stage_long, stage_short)
    markers = _markers(p)

    center, size, top_edge = device_layout(p, portrait)
    half_x = size[0] / 2 + DEVICE_CLEARANCE_MM
    half_y = size[1] / 2 + DEVICE_CLEARANCE_MM
    # the legs stand just outside the frame, or further out when the device needs the room
    x_in = max(vis_w / 2 + CLEARANCE_MM, abs(center[0]) + half_x + DEVICE_CLEARANCE_MM + RIM_MM)
    base_w = 2 * (x_in + 2 * t)
    stile = max(30.0, p.finger_mm + 12)
    base_d = vis_h + 2 * stile  # the legs' light window spans the frame's depth
    base_d = max(base_d, 2 * (abs(center[1]) + half_y + RIM_MM + p.pin_diameter_mm + 6))
    shelf_top = t + height

    # shelf positions: the middle one frames the stage; the others move the lens a step
    below = (p.shelf_positions - 1) // 2
    offsets = [(i - below) * p.shelf_step_mm for i in range(p.shelf_positions)]
    tops = tuple(shelf_top + off for off in offsets)
    lowest_slot = tops[0] - t
    leg_h = tops[-1] + 3 * t

    # lamps: high under the lowest shelf, far enough out that their mirror images miss the frame
    lamp_w = max(40.0, p.led_strip_width_mm + 24)
    wing_top = lowest_slot - t  # one board of leg between the wing's slot and the shelf's
    lamp, wing_reach = _lamp(p, height, vis_w / 2, x_in, wing_top - t, lamp_w, base_d - 2 * stile)
    if min(x for x, _z in lamp_section(lamp, t, p.diffuser_thickness_mm)) < x_in + t + CHEEK_RIM_MM:
        raise ParameterError(
            _("The {kind} is so large that the legs stand where the lamps should hang.").format(
                kind=_(p.device_kind.value)),
            _("Choose a larger stage (stage = a3) or a wider frame_margin_pct."),
        )
    light_x, light_z = lamp.centre
    if light_z - t < 40:
        raise ParameterError(
            _("The lens is so wide that the shelf sits only {h:.0f} mm above the stage: no room for the lights.").format(
                h=height),
            _("Use a longer lens_focal_35mm_mm, a larger stage, or fewer shelf_positions."),
        )
    window_top = _window_top(lamp, lamp_w, t, x_in, vis_w, wing_top)
    apron = (window_top + t, lowest_slot - t)
    _check_legs(p, height, leg_h, apron, window_top)

    # lens opening: the view cone through the shelf, plus room for the lens itself
    tan_x, tan_y = vis_w / 2 / height, vis_h / 2 / height
    open_w = 2 * (LENS_RADIUS_MM + 3 + 1.2 * t * tan_x)
    open_h = 2 * (LENS_RADIUS_MM + 3 + 1.2 * t * tan_y)
    light_angle = math.degrees(math.atan2(light_z - t, light_x))

    return Framing(
        tan_long=fl, tan_short=fs, shelf_height_mm=height, visible_width_mm=vis_w, visible_height_mm=vis_h,
        portrait=portrait, t=t, leg_inner_x_mm=x_in, base_width_mm=base_w, base_depth_mm=base_d,
        leg_height_mm=leg_h, stile_mm=stile, window_top_mm=window_top, shelf_tops_mm=tops, shelf_top_mm=shelf_top,
        wing_width_mm=wing_reach, wing_top_mm=wing_top, wing_depth_mm=base_d - 2 * stile + 2 * t, lamp=lamp,
        light_x_mm=light_x, light_z_mm=light_z, light_angle_deg=light_angle, apron_mm=apron,
        opening_w_mm=open_w, opening_h_mm=open_h, device_center_mm=center, device_size_mm=size,
        device_top_edge=top_edge, markers_mm=markers, stage_rect_mm=stage_xy,
    )


def lamp_section(lamp: Lamp, t: float, d: float) -> list[tuple[float, float]]:
    """The lamp's cross-section (diffuser, LED gap, lamp board) as a quadrilateral in XZ."""
    w = lamp.width_mm / 2
    back = d + LED_DEPTH_MM + t
    return [lamp.point(-w), lamp.point(w), lamp.point(w, back), lamp.point(-w, back)]


def _lamp(p: BoxParams, height: float, half_frame: float, x_in: float, arm_bottom: float,
          lamp_w: float, length: float) -> tuple[Lamp, float]:
    """Place the right lamp: hung from a pivot at the top of its face, the pivot placed so that at the
    default tilt every point of the face mirrors at least GLARE_MARGIN_MM outside the frame; then
    turned to ``wing_tilt_deg`` about that pivot (and lowered if it would rise into the wing).

    Returns the lamp and how far the wing reaches beyond the leg's outer face."""
    t = p.board_thickness_mm
    d = p.diffuser_thickness_mm

    def hung(tilt_deg: float, px: float, pz: float) -> Lamp:
        a = math.radians(tilt_deg)
        across = (math.cos(a), -math.sin(a))
        return Lamp((px + lamp_w / 2 * across[0], pz + lamp_w / 2 * across[1]), (-math.sin(a), -math.cos(a)),
                    across, lamp_w, length)

    rest = hung(DEFAULT_WING_TILT_DEG, 0.0, 0.0)
    top = max(z for _x, z in lamp_section(rest, t, d))
    pz = min(t + LAMP_HEIGHT_RATIO * height + lamp_w / 2, arm_bottom - CHEEK_RIM_MM - top)
    px = 0.0
    for u in (-lamp_w / 2, lamp_w / 2):
        qx, qz = rest.point(u)
        h = pz + qz - t
        px = max(px, (half_frame + GLARE_MARGIN_MM) * (height + h) / height - qx)
    lamp = hung(p.wing_tilt_deg, px, pz)
    excess = max(z for _x, z in lamp_section(lamp, t, d)) + CHEEK_RIM_MM - arm_bottom
    if excess > 0:
        lamp = hung(p.wing_tilt_deg, px, pz - excess)
    outer = max(x for x, _z in lamp_section(lamp, t, d)) + CHEEK_RIM_MM
    return lamp, max(outer - (x_in + t), 3 * t)
