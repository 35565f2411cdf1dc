"""Journey 3: stop-motion frames taken with the studio's button, rendered, each on screen for 1/fps.

The studio's board is ``cagette device simulate`` (the real firmware on MicroPython behind a pty);
the camera is the test's synthetic MJPEG camera, which burns its frame number into every picture;
``cagette capture frames --trigger device`` takes a frame per press; ``cagette render`` makes the
export, which Debian's ffmpeg decodes: each picture taken must stay on screen for 1/fps, in order.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from itertools import groupby
from pathlib import Path

import pytest

from tests.e2e.journeys.harness import Journey

pytestmark = pytest.mark.usefixtures("serial_ports")  # its ptys: one worker at a time (tests/conftest.py)

FPS = 5  # the animation's rate: the draft preset's 25 fps shows each picture 5 times
PRESSES = 4
SIZE = (640, 360)  # the camera's pictures, the draft preset's size: the numbers are read where drawn


@pytest.fixture
def camera() -> Iterator[str]:
    from cagette.capture.fakecam import FakeCamera, make_handler

    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(FakeCamera(*SIZE, 25.0, 0.0)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/video"
    finally:
        server.shutdown()
        server.server_close()


class Board:
    """``cagette device simulate`` driven by lines on its standard input."""

    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "cagette", "device", "simulate"], env=env, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [self.lines.put(x) for x in self.proc.stdout or []], daemon=True).start()
        self.port = ""
        while not self.port:
            line = self.lines.get(timeout=60)
            if line.startswith("export CAGETTE_DEVICE_PORT="):
                self.port = line.strip().split("=", 1)[1]

    def press(self) -> bool:
        """A short press; True when a program listening on the port got it."""
        assert self.proc.stdin is not None
        self.proc.stdin.write("short\n")
        self.proc.stdin.flush()
        while True:
            line = self.lines.get(timeout=60)
            if "press:" in line:
                return "sent to cagette" in line

    def off(self) -> None:
        if self.proc.poll() is None:
            self.proc.communicate("quit\n", timeout=60)


def numbers_on_screen(export: Path) -> list[int | None]:
    """The camera frame number each video frame of *export* shows, decoded by Debian's ffmpeg."""
    import numpy as np

    from cagette.capture.fakecam import decode_number

    width, height = SIZE
    raw = subprocess.run(["/usr/bin/ffmpeg", "-v", "error", "-i", str(export), "-f", "rawvideo", "-pix_fmt", "bgr24",
                          "-s", f"{width}x{height}", "-"], capture_output=True, check=True, timeout=300).stdout
    frames = np.frombuffer(raw, np.uint8).reshape(-1, height, width, 3)
    return [decode_number(frame) for frame in frames]


@pytest.mark.slow
def test_stopmotion_button(journey: Journey, camera: str, tmp_path: Path) -> None:
    project = tmp_path / "animation"
    export = tmp_path / "animation.mp4"
    journey.cli("create the project", "project", "new", str(project), "--title", "Animation")
    with journey.step("switch the simulated studio on"):
        board = Board(journey.env)
    try:
        env = {**journey.env, "CAGETTE_DEVICE_PORT": board.port}
        with journey.step("take frames with the studio's button", given=camera):
            shoot = subprocess.Popen([sys.executable, "-m", "cagette", "capture", "frames", str(project), camera,
                                      "--scene", "1", "--trigger", "device", "--count", str(PRESSES),
                                      "--fps", str(FPS), "--json"], env=env, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            try:
                for _ in range(300):  # the first press that the command hears (it opens the camera first)
                    if board.press() or shoot.poll() is not None:
                        break
                for _ in range(PRESSES - 1):
                    assert board.press(), "a press did not reach capture frames"
                out, err = shoot.communicate(timeout=120)
            finally:
                if shoot.poll() is None:
                    shoot.kill()
            assert shoot.returncode == 0, err
            taken = json.loads(out)
            assert [a["action"] for a in taken["actions"]] == ["take"] * PRESSES
    finally:
        board.off()
    with journey.step("read the frames taken", given=project / "frames"):
        import cv2

        from cagette.capture.fakecam import decode_number

        pictures = [decode_number(cv2.imread(str(project / f))) for f in taken["frames"]]
        assert None not in pictures and pictures == sorted(set(pictures)), pictures  # distinct, in order
    # --no-deflicker: this journey reads the number burned into each picture; the deflicker (tested on its own
    # in tests/video) evens brightness over neighbouring frames and, next to the end card, blurred the digits
    # of the last pictures in one CI run out of three
    journey.cli("render", "render", str(project), "--preset", "draft", "--out", str(export), "--quiet",
                "--no-deflicker", given=project)
    with journey.step("decode the export with ffmpeg", given=export):
        # the title and end cards carry no camera number (a plain band reads as None or 0); the camera's
        # numbers count from 1970 (epoch 0), so every picture of the scene reads as a large number
        shown = [(n, len(list(run))) for n, run in groupby(numbers_on_screen(export)) if n]
        assert [n for n, _count in shown] == pictures, shown  # every picture, once, in the order taken
        assert all(count == 25 // FPS for _n, count in shown), shown  # each 1/fps on screen at 25 fps
        assert os.path.getsize(export) > 0
