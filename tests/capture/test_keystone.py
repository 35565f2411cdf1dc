"""Keystone correction from four ArUco markers warped in perspective."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from cagette.capture.keystone import StageMarkers, correct, detect, marker_image, read_markers
from cagette.errors import UsageError

STAGE_W, STAGE_H = 400.0, 280.0  # mm between marker centres
PX = 2.0  # px per mm on the flat stage


def flat_stage() -> np.ndarray:
    """The stage seen from above: a checker pattern and the four markers."""
    margin = 60
    w, h = int(STAGE_W * PX) + 2 * margin, int(STAGE_H * PX) + 2 * margin
    img = np.full((h, w, 3), 235, np.uint8)
    for y in range(0, h, 40):
        for x in range(0, w, 40):
            if (x // 40 + y // 40) % 2:
                img[y: y + 40, x: x + 40] = (90, 140, 200)
    cv2.circle(img, (margin + int(100 * PX), margin + int(70 * PX)), 30, (0, 0, 200), -1)  # a red spot at (100, 70) mm
    side = 50
    centres = {0: (0, 0), 1: (STAGE_W, 0), 2: (STAGE_W, STAGE_H), 3: (0, STAGE_H)}
    for mid, (xm, ym) in centres.items():
        m = cv2.cvtColor(marker_image(mid, side), cv2.COLOR_GRAY2BGR)
        cx, cy = margin + int(xm * PX), margin + int(ym * PX)
        s = m.shape[0]
        img[cy - s // 2: cy - s // 2 + s, cx - s // 2: cx - s // 2 + s] = m
    return img


def test_markers_warped_in_perspective_are_straightened(tmp_path: Path) -> None:
    flat = flat_stage()
    h, w = flat.shape[:2]
    # the phone is tilted: a trapezoid, slightly rotated, in a 1280x720 frame
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[260, 90], [1010, 60], [1150, 660], [150, 690]])
    matrix = cv2.getPerspectiveTransform(src, dst)
    seen = cv2.warpPerspective(flat, matrix, (1280, 720), borderValue=(30, 30, 30))
    found = detect(seen)
    assert sorted(found) == [0, 1, 2, 3]

    params = tmp_path / "params.toml"
    params.write_text("[params]\nstage_width_mm = 420\n\n[markers]\n"
                      f"0 = [0.0, 0.0]\n1 = [{STAGE_W}, 0.0]\n2 = [{STAGE_W}, {STAGE_H}]\n3 = [0.0, {STAGE_H}]\n")
    stage = read_markers(params)
    out = correct(seen, stage, width_px=int(STAGE_W * PX))
    assert out is not None
    assert out.shape[:2] == (int(STAGE_H * PX), int(STAGE_W * PX))
    # the red spot lands where it is on the stage: (100, 70) mm
    x, y = int(100 * PX), int(70 * PX)
    b, g, r = out[y, x]
    assert r > 150 and g < 80 and b < 80, out[y, x]
    # and the rest matches the flat stage cropped to the marker centres
    margin = 60
    expected = flat[margin: margin + out.shape[0], margin: margin + out.shape[1]]
    diff = np.abs(out.astype(int) - expected.astype(int)).mean()
    assert diff < 20, diff


def test_missing_marker_gives_none() -> None:
    flat = flat_stage()
    flat[:, flat.shape[1] // 2:] = 235  # markers 1 and 2 hidden
    assert correct(flat, StageMarkers.rectangle(STAGE_W, STAGE_H)) is None


def test_params_formats_and_errors(tmp_path: Path) -> None:
    p = tmp_path / "a.toml"
    p.write_text("[[markers]]\nid = 0\nx_mm = 1\ny_mm = 2\n[[markers]]\nid = 1\ncentre_mm = [3, 4]\n"
                 "[[markers]]\nid = 2\nx_mm = 5\ny_mm = 6\n[[markers]]\nid = 3\nx_mm = 7\ny_mm = 8\n")
    assert read_markers(p).centres_mm[1] == (3.0, 4.0)
    p.write_text("[derived.markers]\nmarker_0 = {x_mm = 0, y_mm = 0}\nmarker_1 = {x_mm = 10, y_mm = 0}\n")
    with pytest.raises(UsageError) as err:
        read_markers(p)
    assert "2, 3" in err.value.message
    p.write_text("not toml [")
    with pytest.raises(UsageError):
        read_markers(p)


def test_cli_frames_with_markers_saves_the_straightened_stage(project, tmp_path: Path) -> None:
    from cagette.capture.stopmotion import read_image
    from tests.conftest import run_cli

    flat = flat_stage()
    h, w = flat.shape[:2]
    matrix = cv2.getPerspectiveTransform(np.float32([[0, 0], [w, 0], [w, h], [0, h]]),
                                         np.float32([[200, 80], [1000, 100], [1100, 650], [120, 620]]))
    seen = cv2.warpPerspective(flat, matrix, (1280, 720), borderValue=(30, 30, 30))
    clip = tmp_path / "stage.avi"
    # 30 s at 1 fps: the file plays in real time and a press after its end is dropped (a busy machine)
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter_fourcc(*"MJPG"), 1, (1280, 720))
    for _ in range(30):
        writer.write(seen)
    writer.release()
    params = tmp_path / "params.toml"
    params.write_text(f"[markers]\n0 = [0, 0]\n1 = [{STAGE_W}, 0]\n2 = [{STAGE_W}, {STAGE_H}]\n3 = [0, {STAGE_H}]\n")
    res = run_cli("capture", "frames", str(project.root), str(clip), "--scene", "1", "--count", "1",
                  "--markers", str(params), input=" ")
    assert res.returncode == 0, res.stderr
    saved = read_image(project.root / "frames" / "intro" / "0001.jpg")
    assert saved.shape[:2] == (round(1280 * STAGE_H / STAGE_W), 1280)
    scale = 1280 / STAGE_W
    b, g, r = saved[int(70 * scale), int(100 * scale)]
    assert r > 150 and g < 80 and b < 80
