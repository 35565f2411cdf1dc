"""Journey 7: plans → capture. The kit's own framing card, printed and seen by a phone held at an angle,
is found by capture's markers and straightened: the stage comes out flat, the right way up, within 2 mm."""

from __future__ import annotations

import json
import subprocess
import tomllib

import cv2
import numpy as np

from tests.e2e.journeys.harness import Journey

FRAME = (1920, 1080)


def photograph(page: np.ndarray) -> np.ndarray:
    """The printed page as a phone sees it: tilted (a homography), a little blurred, lit unevenly, noisy."""
    h, w = page.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[190, 95], [1745, 40], [1840, 1035], [85, 985]])
    seen = cv2.warpPerspective(page, cv2.getPerspectiveTransform(src, dst), FRAME, borderValue=(70, 60, 50))
    seen = cv2.GaussianBlur(seen, (0, 0), 1.3)
    xs = np.linspace(0.55, 1.0, FRAME[0])[None, :, None]
    ys = np.linspace(0.9, 1.0, FRAME[1])[:, None, None]
    lit = seen.astype(np.float32) * xs * ys
    noise = np.random.default_rng(7).normal(0, 5, lit.shape)
    return np.clip(lit + noise, 0, 255).astype(np.uint8)


def peaks(strength: np.ndarray, axis: int) -> tuple[int, int]:
    """The strongest line of *strength* in each half, along *axis* (0: columns, 1: rows)."""
    counts = strength.sum(axis=axis)
    half = len(counts) // 2
    return int(np.argmax(counts[:half])), int(half + np.argmax(counts[half:]))


def test_framing_card_photo_is_straightened_to_within_2_mm(journey: Journey) -> None:
    j = journey
    kit = j.tmp / "kit"
    j.cli("build the kit", "plans", "build", "--preset", "phone-a4", "--only", "2d", "--out", str(kit), "--quiet")
    card, params_file = kit / "framing-card.pdf", kit / "params.toml"
    with j.step("print the framing card (pdftoppm)", given=card):
        subprocess.run(["pdftoppm", "-r", "100", "-f", "1", "-l", "1", "-png", str(card), str(j.tmp / "page")],
                       check=True)
        page = cv2.imread(str(j.tmp / "page-1.png"))
        assert page is not None
    clip = j.tmp / "phone.avi"
    with j.step("photograph it from a phone held at an angle", given=j.tmp / "page-1.png"):
        photo = photograph(page)
        writer = cv2.VideoWriter(str(clip), cv2.VideoWriter_fourcc(*"MJPG"), 10, FRAME)
        for _ in range(10):
            writer.write(photo)
        writer.release()
    project = j.tmp / "film"
    j.cli("create a project", "project", "new", str(project), "--title", "Carte")
    j.cli("give it a first scene", "project", "import", str(project), str(j.tmp / "page-1.png"), "--scene", "1",
          given=project)
    shot = j.cli("take a frame straightened from the markers", "capture", "frames", str(project), str(clip),
                 "--scene", "1", "--count", "1", "--markers", str(params_file), "--json", input=" ", given=clip)
    with j.step("measure the stage in the straightened frame", given=params_file):
        frames = json.loads(shot.stdout)["frames"]
        out = cv2.imread(str(project / frames[-1]))
        assert out is not None
        params = tomllib.loads(params_file.read_text())
        sx, sy = params["stage"]["width_mm"], params["stage"]["depth_mm"]
        h, w = out.shape[:2]
        ppm = w / sx
        assert abs(h / ppm - sy) <= 2.0, (h / ppm, sy)  # the crop is the stage
        b, g, r = (out[..., i].astype(int) for i in range(3))
        # the 16:9 safe area (green) and the 9:16 one (purple), as the card draws them: 90 % of the largest
        green, purple = (g - np.maximum(r, b)).clip(0), (np.minimum(r, b) - g).clip(0)
        for ratio, mask in ((16 / 9, green), (9 / 16, purple)):
            fw = min(sx, sy * ratio) * 0.9
            fh = fw / ratio
            left, right = peaks(mask, 0)
            top, bottom = peaks(mask, 1)
            for got, want in ((left, (sx - fw) / 2), (right, (sx + fw) / 2), (top, (sy - fh) / 2),
                              (bottom, (sy + fh) / 2)):
                assert abs(got / ppm - want) <= 2.0, (ratio, got / ppm, want)
        # the right way up: the label "16:9 safe area" is written inside the top-left corner of its frame
        fw = min(sx, sy * 16 / 9) * 0.9
        fh = fw / (16 / 9)
        grey = out.mean(axis=2)
        dark = grey < np.median(grey) - 25  # ink, under uneven light
        x0 = int(((sx - fw) / 2 + 1) * ppm)
        y_top, y_bottom = int(((sy - fh) / 2 + 1) * ppm), int(((sy + fh) / 2 - 7) * ppm)
        label_top = dark[y_top: y_top + int(6 * ppm), x0: x0 + int(30 * ppm)].mean()
        label_bottom = dark[y_bottom: y_bottom + int(6 * ppm), x0: x0 + int(30 * ppm)].mean()
        assert label_top > 0.02 and label_top > 4 * label_bottom, (label_top, label_bottom)
        # the centre cross at the stage's centre
        cross = dark[int((sy / 2 - 15) * ppm): int((sy / 2 + 15) * ppm), int((sx / 2 - 15) * ppm): int((sx / 2 + 15) * ppm)]
        ys, xs = np.nonzero(cross)
        assert abs(xs.mean() / ppm - 15) <= 2.0 and abs(ys.mean() / ppm - 15) <= 2.0
