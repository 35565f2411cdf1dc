"""Framing maths: at what height the lens covers the stage, and where everything goes.

World axes: X to the right, Y towards the back, Z up; the origin is the stage
centre on the base's bottom face, so the paper lies at ``z = t`` (board
thickness). The lens sits straight above the stage centre, at the shelf's top
face. The frame's long side runs along X for landscape outputs (16:9, 4:3, 1:1)
and along Y for 9:16.

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
LED_DEPTH_MM = 12.0  # room between the wing's underside and the diffuser
DEVICE_CLEARANCE_MM = 1.0


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
    shelf_tops_mm: tuple[float, ...]  # z of the shelf's top face at each position
    shelf_top_mm: float  # the position used for this stage
    wing_width_mm: float
    wing_top_mm: float
    light_x_mm: float
    light_z_mm: float
    light_angle_deg: float
    diffuser_z_mm: float
    lip_bottom_mm: float
    opening_w_mm: float
    opening_h_mm: float
    device_center_mm: tuple[float, float]
    device_size_mm: tuple[float, float]  # footprint on the shelf along X, Y
    markers_mm: tuple[tuple[int, float, float], ...]  # (id, x, y) centres on the stage
    stage_rect_mm: tuple[float, float]  # paper size along X, Y

    @property
    def camera_fov_deg(self) -> tuple[float, float]:
        """Field of view of the output frame (long side, short side), after stabilisation crop."""
        return (math.degrees(2 * math.atan(self.tan_long)), math.degrees(2 * math.atan(self.tan_short)))

    def cone_half_mm(self, z_mm: float, axis: int = 0) -> float:
        """Half-width of the camera's view (along X or Y) at height *z_mm*."""
        half = (self.visible_width_mm if axis == 0 else self.visible_height_mm) / 2
        return half * (self.shelf_top_mm - z_mm) / self.shelf_height_mm

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
            "shelf_positions_mm": [round(z - self.t, 2) for z in self.shelf_tops_mm],
            "light_height_mm": round(self.light_z_mm - self.t, 2),
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


def compute(p: BoxParams) -> Framing:
    t = p.board_thickness_mm
    s = p.sensor_aspect_ratio
    rw, rh = p.output_ratio.value_wh
    r = max(rw, rh) / min(rw, rh)
    portrait = p.output_ratio.portrait
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
    vis_w, vis_h = (vis_short, vis_long) if portrait else (vis_long, vis_short)
    stage_xy = (stage_short, stage_long) if portrait else (stage_long, stage_short)

    # markers: beside the paper along the frame's long side, ids clockwise from top-left
    mk, gap = p.marker_size_mm, p.marker_gap_mm
    if portrait:
        ax, ay = stage_short / 2 - mk / 2, stage_long / 2 + gap + mk / 2
    else:
        ax, ay = stage_long / 2 + gap + mk / 2, stage_short / 2 - mk / 2
    markers = ((0, -ax, ay), (1, ax, ay), (2, ax, -ay), (3, -ax, -ay))

    x_in = vis_w / 2 + CLEARANCE_MM
    base_w = 2 * (x_in + 2 * t)
    base_d = vis_h + 2 * RIM_MM
    # the device lies face down, lens over the stage centre
    dw, dl = p.device_width_mm, p.device_length_mm
    if portrait:
        lens_dx, lens_dy = -(p.lens_x_mm - dw / 2), dl / 2 - p.lens_y_mm
        size = (dw, dl)
    else:
        lens_dx, lens_dy = -(dl / 2 - p.lens_y_mm), p.lens_x_mm - dw / 2
        size = (dl, dw)
    center = (-lens_dx, -lens_dy)
    half_x = size[0] / 2 + DEVICE_CLEARANCE_MM
    half_y = size[1] / 2 + DEVICE_CLEARANCE_MM
    room_x = x_in - DEVICE_CLEARANCE_MM - RIM_MM
    base_d = max(base_d, 2 * (abs(center[1]) + half_y + RIM_MM + p.pin_diameter_mm + 6))
    room_y = base_d / 2 - RIM_MM - p.pin_diameter_mm - 6
    if abs(center[0]) + half_x > room_x:
        raise ParameterError(
            _("The {kind} ({l:g} × {w:g} mm) does not fit on the shelf ({sw:.0f} × {sd:.0f} mm usable) "
              "with its lens over the stage centre.").format(
                kind=_(p.device_kind.value), l=dl, w=dw, sw=2 * room_x, sd=2 * room_y),
            _("Choose a larger stage (stage = a3), a wider frame_margin_pct, or check lens_x_mm/lens_y_mm."),
        )
    shelf_top = t + height

    # wings: the LED strip lights the stage centre at about 45°
    channel = p.led_strip_width_mm + 12
    wing_w = channel + 3 * t  # rim, lip, channel
    light_x = x_in - channel / 2
    shelf_bottom = shelf_top - t
    below = (p.shelf_positions - 1) // 2
    wing_top_45 = t + light_x + t
    wing_top_max = shelf_bottom - below * p.shelf_step_mm - 3 * t
    # ...but high enough that the camera does not see the lips below them
    stack = 3 * t + LED_DEPTH_MM + p.diffuser_thickness_mm  # wing top to lip bottom
    lip_bottom_min = shelf_top - (x_in - wing_w - 1) * height / (vis_w / 2)
    wing_top = min(max(wing_top_45, lip_bottom_min + stack), wing_top_max)
    light_z = wing_top - t
    diffuser_z = light_z - LED_DEPTH_MM - p.diffuser_thickness_mm
    lip_bottom = diffuser_z - 2 * t
    light_angle = math.degrees(math.atan2(light_z - t, light_x))
    if lip_bottom < t + 20:
        raise ParameterError(
            _("The lens is so wide that the shelf sits only {h:.0f} mm above the stage: no room for the lights.").format(
                h=height),
            _("Use a longer lens_focal_35mm_mm, a larger stage, or fewer shelf_positions."),
        )
    cone = vis_w / 2 * (shelf_top - lip_bottom) / height
    if cone > x_in - wing_w - 1:
        raise ParameterError(
            _("The wings would be seen by the camera (lights {z:.0f} mm above the stage, shelf at {h:.0f} mm).").format(
                z=light_z - t, h=height),
            _("Use a smaller shelf_step_mm or fewer shelf_positions, or a narrower led_strip_width_mm."),
        )
    offsets = [(i - below) * p.shelf_step_mm for i in range(p.shelf_positions)]
    tops = tuple(shelf_top + off for off in offsets)
    leg_h = tops[-1] + 3 * t
    if leg_h > p.max_leg_height_mm:
        raise ParameterError(
            _("To frame this stage the lens must sit {h:.0f} mm above it, so the legs would be {leg:.0f} mm "
              "tall, more than max_leg_height_mm = {max:g}.").format(h=height, leg=leg_h, max=p.max_leg_height_mm),
            _("Use a wider lens (smaller lens_focal_35mm_mm), a smaller stage, less frame_margin_pct, "
              "or raise max_leg_height_mm."),
        )

    # lens opening: the view cone through the shelf, plus room for the lens itself
    tan_x, tan_y = vis_w / 2 / height, vis_h / 2 / height
    open_w = 2 * (6 + 1.2 * t * tan_x)
    open_h = 2 * (6 + 1.2 * t * tan_y)

    return Framing(
        tan_long=fl, tan_short=fs, shelf_height_mm=height, visible_width_mm=vis_w, visible_height_mm=vis_h,
        portrait=portrait, t=t, leg_inner_x_mm=x_in, base_width_mm=base_w, base_depth_mm=base_d,
        leg_height_mm=leg_h, shelf_tops_mm=tops, shelf_top_mm=shelf_top, wing_width_mm=wing_w,
        wing_top_mm=wing_top, light_x_mm=light_x, light_z_mm=light_z, light_angle_deg=light_angle,
        diffuser_z_mm=diffuser_z, lip_bottom_mm=lip_bottom, opening_w_mm=open_w, opening_h_mm=open_h,
        device_center_mm=center, device_size_mm=size, markers_mm=markers, stage_rect_mm=stage_xy,
    )
