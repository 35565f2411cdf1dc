"""Seam (issue 12): presses of the studio's button made while no camera is live are dropped with a
notice, never queued to become frames once a camera comes (or from a camera that has stopped)."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from cagette.capture.trigger import Press, QueueTrigger
from tests.device.sim import SimDevice
from tests.device.test_simulate import Simulator
from tests.device.test_stopmotion_e2e import make_clip, new_project

NOTICE = "no camera was live"


def test_presses_before_the_camera_is_live_are_dropped(tmp_path: Path) -> None:
    from cagette.capture.recorder import FrameHub
    from cagette.capture.sources import FileSource
    from cagette.capture.stopmotion import StopMotion

    project = new_project(tmp_path / "film")
    hub = FrameHub(FileSource(str(make_clip(tmp_path / "cam.mp4", 3.0)), realtime=True, loop=True))
    sm = StopMotion(project, "intro", hub)
    trigger = QueueTrigger()
    trigger.push(Press.SHORT, "device", 10)  # pressed while the camera is not even open
    trigger.push(Press.LONG, "device", 20)
    hub.start()
    try:
        assert hub.wait_new(-1, 10) is not None
        trigger.push(Press.SHORT, "device", 30)  # the camera is live now
        trigger.close()
        done = sm.run(trigger)
    finally:
        hub.stop()
    assert [d.action for d in done] == ["dropped", "dropped", "take"]
    assert NOTICE in done[0].notice and done[0].path is None
    assert [f.name for f in sm.frames()] == ["0001.jpg"]


def test_presses_after_the_camera_stopped_are_dropped(tmp_path: Path) -> None:
    from cagette.capture.recorder import FrameHub
    from cagette.capture.sources import FileSource
    from cagette.capture.stopmotion import StopMotion

    project = new_project(tmp_path / "film")
    hub = FrameHub(FileSource(str(make_clip(tmp_path / "cam.mp4", 0.5)), realtime=False)).start()
    try:
        assert hub.finished.wait(30) and hub.latest() is not None  # the file is over: its last picture stays
        sm = StopMotion(project, "intro", hub)
        trigger = QueueTrigger()
        trigger.push(Press.SHORT, "device", 10)
        trigger.close()
        done = sm.run(trigger)
    finally:
        hub.stop()
    assert [d.action for d in done] == ["dropped"]
    assert sm.frames() == []


@pytest.mark.slow
def test_capture_frames_says_a_press_was_dropped(tmp_path: Path) -> None:
    """``cagette capture frames --trigger device`` on a camera that stopped: a notice, no frame."""
    new_project(tmp_path / "film")
    clip = make_clip(tmp_path / "cam.mp4", 0.3)  # a camera that stops almost at once
    board = Simulator()
    frames = subprocess.Popen([sys.executable, "-m", "cagette", "capture", "frames", str(tmp_path / "film"), str(clip),
                               "--scene", "intro", "--trigger", "device", "--count", "100"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, **board.env})
    said: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [said.put(line) for line in frames.stderr or []], daemon=True).start()
    folder = tmp_path / "film" / "frames" / "intro"

    def press_until_dropped() -> str:
        for _ in range(300):
            if "sent to cagette" not in board.say("short"):
                continue  # the command is not listening yet
            try:
                while True:
                    line = said.get(timeout=30)
                    if NOTICE in line or line.startswith("Frame "):
                        break
            except queue.Empty:
                raise AssertionError("capture frames said nothing about a press") from None
            if NOTICE in line:
                return line
        raise AssertionError("no press was ever dropped")

    try:
        assert "Wait for the camera's picture" in press_until_dropped()
        before = sorted(folder.glob("*.jpg")) if folder.exists() else []
        press_until_dropped()  # the camera is gone for good: every press is dropped
        after = sorted(folder.glob("*.jpg")) if folder.exists() else []
        assert after == before  # no frame from a camera that has stopped
    finally:
        frames.send_signal(signal.SIGINT)
        frames.wait(30)
        board.quit()


@pytest.mark.slow
async def test_the_capture_screen_drops_a_press_made_before_the_camera(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's capture screen, unchanged, finds the simulated board through CAGETTE_DEVICE_PORT."""
    from http.server import ThreadingHTTPServer

    from cagette.capture.fakecam import FakeCamera, make_handler
    from cagette.video.project import open_project
    from cagette_tui.app import CagetteApp
    from cagette_tui.screens.capture import CaptureScreen
    from tests.tui.fixtures import make_project
    from tests.tui.helpers import wait_for

    sim = SimDevice(tmp_path / "board")
    cam = FakeCamera(320, 180, 25.0, 0.0)
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(cam))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    camera = f"http://127.0.0.1:{server.server_address[1]}/video"
    try:
        monkeypatch.setenv("CAGETTE_DEVICE_PORT", sim.port)
        root = tmp_path / "demo"
        make_project(root)
        frames = root / "frames" / "welcome"
        app = CagetteApp(lang="en")
        async with app.run_test(size=(130, 42)) as pilot:
            screen = CaptureScreen(open_project(root), devices=[])
            app.push_screen(screen)
            await wait_for(pilot, lambda: screen.has_class("-lights"), what="controller connected")
            sim.press(80)  # no camera chosen yet
            await wait_for(pilot, lambda: app.shutter._queue.qsize() == 1, what="the press to reach the app")
            screen.start_camera(camera)
            for _ in range(600):
                if any(NOTICE in text for text in app.errors_shown):
                    break
                await pilot.pause(0.05)
            assert any(NOTICE in text for text in app.errors_shown), app.errors_shown
            assert not frames.exists() or not list(frames.glob("*.jpg"))  # the early press took nothing
            app.errors_shown.clear()
            await wait_for(pilot, lambda: screen.frames_shown > 0, what="live view")
            sim.press(80)  # now the camera is live: a frame
            await wait_for(pilot, lambda: len(list(frames.glob("*.jpg"))) == 1, what="frame from the button")
            await pilot.press("escape")
    finally:
        server.shutdown()
        server.server_close()
        sim.close()
