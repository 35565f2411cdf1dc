"""End to end: the board's button takes stop-motion frames.

Simulated presses (bouncing contacts, on the stand-in board's pin) → the
firmware on MicroPython → a real pty → the host's controller → capture's
trigger interface → capture's real :class:`StopMotion` → frames saved through
the project API. (``cagette capture frames --trigger device`` with
``cagette device simulate``: test_simulate.py and the stop-motion journey.)
"""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.device.sim import SimDevice


def make_clip(path: Path, seconds: float = 4.0) -> Path:
    import imageio_ffmpeg

    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"testsrc2=size=320x240:rate=10:duration={seconds}", "-pix_fmt", "yuv420p",
                    "-c:v", "libx264", "-preset", "ultrafast", str(path)], check=True)
    return path


def new_project(root: Path) -> Any:
    from cagette.video.project import create

    project = create(root, "Essai")
    project.add_scene("Intro")
    return project


@pytest.mark.slow
def test_board_presses_take_and_remove_frames(sim: SimDevice, tmp_path: Path) -> None:
    from cagette.capture.recorder import FrameHub
    from cagette.capture.sources import FileSource
    from cagette.capture.stopmotion import StopMotion
    from cagette.device import shutter_trigger

    project = new_project(tmp_path / "film")
    hub = FrameHub(FileSource(str(make_clip(tmp_path / "cam.mp4")), realtime=True, loop=True)).start()
    trigger = shutter_trigger(sim.port)
    try:
        assert hub.wait_new(-1, 10) is not None
        sm = StopMotion(project, "intro", hub, fps=8)
        done: list[Any] = []
        runner = threading.Thread(target=lambda: done.extend(sm.run(trigger, max_frames=4)))
        runner.start()
        for hold in (60, 60, 1000, 60):  # short, short, long (remove the last), short
            _, end = sim.press(hold)
            sim.wait_board_time(end + 40)
            time.sleep(0.4)  # the live picture changes between takes
        sim.press(60)
        runner.join(timeout=30)
        assert not runner.is_alive()
    finally:
        trigger.close()
        hub.stop()
    assert [d.action for d in done] == ["take", "take", "remove", "take", "take"]
    frames = sm.frames()
    assert [f.name for f in frames] == ["0001.jpg", "0002.jpg", "0003.jpg"]
    assert len({f.read_bytes() for f in frames}) == 3  # three different pictures
    assert all(f.read_bytes()[:2] == b"\xff\xd8" for f in frames)  # JPEG
    assert done[2].path is not None and done[2].path.name == "0002.jpg"  # the long press removed frame 2
