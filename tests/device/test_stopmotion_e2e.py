"""End to end: the board's button takes stop-motion frames.

Simulated presses (bouncing contacts, on the firmware's fake pin) → the
firmware → a real pty → the host's controller → capture's trigger interface
→ capture's real :class:`StopMotion` → frames saved through the project API.
"""

from __future__ import annotations

import json
import subprocess
import sys
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
    assert all(d.latency_s < 2.0 for d in done)
    frames = sm.frames()
    assert [f.name for f in frames] == ["0001.jpg", "0002.jpg", "0003.jpg"]
    assert len({f.read_bytes() for f in frames}) == 3  # three different pictures
    assert all(f.read_bytes()[:2] == b"\xff\xd8" for f in frames)  # JPEG
    assert done[2].path is not None and done[2].path.name == "0002.jpg"  # the long press removed frame 2


@pytest.mark.slow
def test_capture_cli_with_the_device_trigger(sim: SimDevice, tmp_path: Path, isolated_home: Path) -> None:
    """``cagette capture frames ... --trigger device``: the board named in the settings."""
    new_project(tmp_path / "film")
    clip = make_clip(tmp_path / "cam.mp4", 6.0)
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "settings.toml").write_text(f'[device]\nport = "{sim.port}"\n', encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "cagette", "capture", "frames", str(tmp_path / "film"), str(clip),
                             "--scene", "intro", "--trigger", "device", "--count", "2", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        presses = 0
        while proc.poll() is None and time.monotonic() < deadline and presses < 6:
            if sim.app.hellos >= 2:  # the probe's hello, then the controller's
                time.sleep(0.5)  # the hub is open and the controller said hello
                _, end = sim.press(50)
                sim.wait_board_time(end + 30)
                presses += 1
            else:
                time.sleep(0.05)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    data = json.loads(out)
    assert [a["action"] for a in data["actions"]] == ["take", "take"]
    assert data["frames"] == ["frames/intro/0001.jpg", "frames/intro/0002.jpg"]
    assert (tmp_path / "film" / "frames" / "intro" / "0002.jpg").stat().st_size > 1000
