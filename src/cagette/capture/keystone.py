"""Auto-crop and keystone correction from the stage's four ArUco markers.

The paper stage carries four markers (dictionary 4x4_50, ids 0 to 3) whose
centres the kit's ``params.toml`` gives in millimetres. When the four are
visible, :func:`correct` maps them back to a flat rectangle: the stage seen
from straight above, whatever the phone's tilt, cropped to the paper stage
when ``params.toml`` has a ``[stage]`` table (else to the markers' centres).

A kit's ``params.toml`` measures y towards the back of the box, up on the
framing card (``[stage] y_axis = "up"``); pictures run y downwards, so such
marker positions are turned over on reading: marker 0 stays top-left.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cagette.errors import UsageError
from cagette.i18n import _

MARKER_IDS = (0, 1, 2, 3)


@dataclass(frozen=True)
class StageMarkers:
    """Centres of markers 0–3 on the stage, in millimetres (x right, y down), and the part of the stage
    to keep (x0, y0, x1, y1) in the same frame; by default the rectangle of the centres."""

    centres_mm: dict[int, tuple[float, float]]
    crop_mm: tuple[float, float, float, float] | None = None

    @property
    def box_mm(self) -> tuple[float, float, float, float]:
        if self.crop_mm is not None:
            return self.crop_mm
        xs = [c[0] for c in self.centres_mm.values()]
        ys = [c[1] for c in self.centres_mm.values()]
        return min(xs), min(ys), max(xs), max(ys)

    @property
    def size_mm(self) -> tuple[float, float]:
        x0, y0, x1, y1 = self.box_mm
        return x1 - x0, y1 - y0

    @classmethod
    def rectangle(cls, width_mm: float, height_mm: float) -> StageMarkers:
        """Markers at the corners of a rectangle: 0 top-left, 1 top-right, 2 bottom-right, 3 bottom-left."""
        return cls({0: (0.0, 0.0), 1: (width_mm, 0.0), 2: (width_mm, height_mm), 3: (0.0, height_mm)})


def _pair(value: Any) -> tuple[float, float] | None:
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(isinstance(v, (int, float)) for v in value):
        return float(value[0]), float(value[1])
    if isinstance(value, dict):
        for kx, ky in (("x_mm", "y_mm"), ("x", "y")):
            if isinstance(value.get(kx), (int, float)) and isinstance(value.get(ky), (int, float)):
                return float(value[kx]), float(value[ky])
        for key in ("centre_mm", "center_mm", "centre", "center"):
            if key in value:
                return _pair(value[key])
    return None


def _find_markers_table(data: dict[str, Any]) -> Any:
    if "markers" in data:
        return data["markers"]
    for value in data.values():
        if isinstance(value, dict):
            found = _find_markers_table(value)
            if found is not None:
                return found
    return None


def read_markers(path: Path) -> StageMarkers:
    """Marker centres from a kit's ``params.toml``.

    Accepted shapes: ``[markers]`` with ``0 = [x, y]`` or ``marker_0 = {x_mm=…, y_mm=…}``,
    or ``[[markers]]`` tables with ``id`` and ``x_mm``/``y_mm`` (or ``centre_mm``), at
    the top level or inside another table.
    """
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(_("Cannot read the marker positions in {path}: {error}").format(path=path, error=exc),
                         _("Give the params.toml written by `cagette plans build`.")) from None
    table = _find_markers_table(data)
    centres: dict[int, tuple[float, float]] = {}
    if isinstance(table, dict):
        for key, value in table.items():
            digits = "".join(c for c in str(key) if c.isdigit())
            xy = _pair(value)
            if digits and xy is not None:
                centres[int(digits)] = xy
    elif isinstance(table, list):
        for item in table:
            if isinstance(item, dict) and isinstance(item.get("id"), int):
                xy = _pair(item)
                if xy is not None:
                    centres[int(item["id"])] = xy
    missing = [i for i in MARKER_IDS if i not in centres]
    if missing:
        raise UsageError(
            _("{path} gives no position for marker(s) {ids}.").format(path=path, ids=", ".join(map(str, missing))),
            _("It needs a [markers] table with the centres of markers 0, 1, 2 and 3 in millimetres."),
        )
    raw = data.get("stage")
    stage: dict[str, Any] = raw if isinstance(raw, dict) else {}
    flip = -1.0 if stage.get("y_axis") == "up" else 1.0
    crop = None
    w, d = stage.get("width_mm"), stage.get("depth_mm")
    if isinstance(w, (int, float)) and isinstance(d, (int, float)) and 0 < w < 10_000 and 0 < d < 10_000:
        crop = (-w / 2, -d / 2, w / 2, d / 2)  # centred on the origin, as a kit writes it
    return StageMarkers({i: (centres[i][0], flip * centres[i][1]) for i in MARKER_IDS}, crop)


def detect(image: Any) -> dict[int, tuple[float, float]]:
    """Centres (pixels) of the 4x4_50 markers with ids 0–3 found in *image*."""
    import cv2

    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    dictionary = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)
    detector = cv2.aruco.ArucoDetector(dictionary, cv2.aruco.DetectorParameters())
    corners, ids, _rejected = detector.detectMarkers(grey)
    found: dict[int, tuple[float, float]] = {}
    if ids is None:
        return found
    for quad, marker_id in zip(corners, ids.flatten(), strict=True):
        if int(marker_id) in MARKER_IDS:
            c = quad.reshape(4, 2).mean(axis=0)
            found[int(marker_id)] = (float(c[0]), float(c[1]))
    return found


def homography(found: dict[int, tuple[float, float]], stage: StageMarkers, px_per_mm: float) -> Any:
    import cv2
    import numpy as np

    x0, y0, _x1, _y1 = stage.box_mm
    src = np.array([found[i] for i in MARKER_IDS], np.float32)
    dst = np.array([((stage.centres_mm[i][0] - x0) * px_per_mm, (stage.centres_mm[i][1] - y0) * px_per_mm)
                    for i in MARKER_IDS], np.float32)
    return cv2.getPerspectiveTransform(src, dst)


def correct(image: Any, stage: StageMarkers, width_px: int | None = None) -> Any | None:
    """The stage seen from above, cropped to :attr:`StageMarkers.box_mm`; None
    unless all four markers are visible."""
    import cv2

    found = detect(image)
    if any(i not in found for i in MARKER_IDS):
        return None
    w_mm, h_mm = stage.size_mm
    width_px = width_px or image.shape[1]
    scale = width_px / w_mm
    matrix = homography(found, stage, scale)
    return cv2.warpPerspective(image, matrix, (width_px, max(1, round(h_mm * scale))), flags=cv2.INTER_LINEAR)


def marker_image(marker_id: int, side_px: int) -> Any:
    """The ArUco marker *marker_id* (4x4_50) as a white-bordered grey image."""
    import cv2

    dictionary = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)
    img = cv2.aruco.generateImageMarker(dictionary, marker_id, side_px)
    return cv2.copyMakeBorder(img, side_px // 4, side_px // 4, side_px // 4, side_px // 4,
                              cv2.BORDER_CONSTANT, value=255)
