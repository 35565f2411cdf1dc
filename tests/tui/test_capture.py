"""Capture screen with a synthetic MJPEG camera on 127.0.0.1: live view, stop-motion, recording, phone page."""

from __future__ import annotations

import threading
import time
import tomllib
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from cagette.capture.fakecam import FakeCamera, make_handler
from cagette.video.project import open_project
from cagette_tui.app import CagetteApp
from cagette_tui.screens.capture import CaptureScreen
from tests.capture.clock import ManualClock
from tests.tui.fixtures import make_project
from tests.tui.helpers import wait_for


@pytest.fixture
def camera() -> Iterator[str]:
    cam = FakeCamera(320, 180, 25.0, time.time())
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(cam))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/video"
    finally:
        server.shutdown()
        server.server_close()


def on_disk(root: Path) -> dict:
    return tomllib.loads((root / "project.toml").read_text(encoding="utf-8"))


def frame_bytes(folder: Path) -> list[bytes]:
    return [f.read_bytes() for f in sorted(folder.glob("*.jpg"))]


@pytest.mark.slow
async def test_live_view_stop_motion_and_recording(tmp_path: Path, camera: str) -> None:
    from cagette.flows import appstate
    from cagette_tui.widgets.slider import Slider
    from cagette_tui.widgets.strip import FrameStrip

    root = tmp_path / "demo"
    make_project(root)
    app = CagetteApp(lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = CaptureScreen(open_project(root), source=camera)
        app.push_screen(screen)
        await wait_for(pilot, lambda: screen.frames_shown > 3, what="live view")
        assert screen.focused is screen.query_one("#preview")

        # the live view keeps going while keys are pressed: a new picture after each key (its rate is
        # measured in bench/capture.py, not asserted here); O turns the onion skin off and on again
        for n in range(2):
            shown = screen.frames_shown
            await pilot.press("o")
            await wait_for(pilot, lambda shown=shown: screen.frames_shown > shown, what=f"a picture after key {n}")
        assert screen.onion_frames == 2
        # the onion skin's opacity and frames, chosen on sliders and remembered
        screen.query_one("#onion-opacity", Slider).focus()
        await pilot.press("right")
        screen.query_one("#onion-frames", Slider).focus()
        await pilot.press("right")
        assert (screen.onion_opacity, screen.onion_frames) == (40, 3)
        assert appstate.load().capture.onion_opacity == 40 and appstate.load().capture.onion_frames == 3
        screen.query_one("#preview").focus()

        # stop-motion: three frames on Space, written into frames/<scene>/, shown as pictures in the strip
        frames_dir = root / "frames" / "welcome"
        for n in range(1, 4):
            await pilot.press("space")
            await wait_for(pilot, lambda n=n: len(list(frames_dir.glob("*.jpg"))) == n, what=f"frame {n}")
        strip = screen.query_one("#strip", FrameStrip)
        await wait_for(pilot, lambda: strip.numbers == [1, 2, 3] and strip.picture is not None and all(
            img is not None for _n, img in strip.picture.thumbs), what="three thumbnails")
        assert "▶ 3 ◀" in "".join(seg.text for seg in app.console.render(strip.picture))
        taken = frame_bytes(frames_dir)

        # choose frame 2 and delete it; Ctrl+Z brings it back, the same picture
        await pilot.press("left", "delete")
        await wait_for(pilot, lambda: len(frame_bytes(frames_dir)) == 2, what="frame deleted")
        await pilot.press("ctrl+z")
        await wait_for(pilot, lambda: frame_bytes(frames_dir) == taken, what="frame back")
        # retake frame 1, then undo: the old picture again
        await pilot.press("left", "left", "t")
        await wait_for(pilot, lambda: frame_bytes(frames_dir)[0] != taken[0], what="frame retaken")
        assert frame_bytes(frames_dir)[1:] == taken[1:]
        await pilot.press("ctrl+z")
        await wait_for(pilot, lambda: frame_bytes(frames_dir) == taken, what="retake undone")

        # L shows the chosen frame instead of the live view; P plays the last frames at the scene's rate
        await pilot.press("l")
        assert screen.view == "last" and "chosen frame" in str(screen.query_one("#badge").render())
        shown = screen.frames_shown
        await pilot.pause(0.3)
        assert screen.frames_shown == shown  # the live view waits
        screen.playback_clock = ManualClock()  # the pace is proved on a clock the test moves, not a busy machine
        await pilot.press("l", "p")
        await wait_for(pilot, lambda: screen.view == "live" and screen.played, what="playback over")
        assert screen.played == 3  # every frame shown once (its pace is the stop-motion player's)
        shots = on_disk(root)["scenes"][0]["shots"]
        assert [s["kind"] for s in shots] == ["frames"]

        # video mode: Space starts and stops a recording (a badge with its time and dropped frames meanwhile),
        # which becomes a clip shot
        await pilot.press("m")
        await pilot.press("space")
        await wait_for(pilot, lambda: screen.recorder is not None, what="recording")
        await wait_for(pilot, lambda: screen.recorder is not None and screen.recorder.frames >= 10,
                       what="frames recorded")
        badge = str(screen.query_one("#badge").render())
        assert "● REC" in badge and "dropped" in badge
        await pilot.press("space")
        await wait_for(pilot, lambda: any(s["kind"] == "clip" for s in on_disk(root)["scenes"][0]["shots"]),
                       what="clip added")
        clip = next(s for s in on_disk(root)["scenes"][0]["shots"] if s["kind"] == "clip")
        assert (root / clip["source"]).stat().st_size > 1000
        assert not list((root / ".cagette").glob("recording-*"))
        assert not app.errors_shown, app.errors_shown
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, CaptureScreen))


async def test_phone_page_shows_its_address_and_qr_code(tmp_path: Path) -> None:
    from cagette_tui.screens.phone import PhoneDialog
    from tests.tui.test_web import free_port

    root = tmp_path / "demo"
    make_project(root)
    app = CagetteApp(lang="en")
    async with app.run_test(size=(120, 50)) as pilot:
        dialog = PhoneDialog(open_project(root), host="127.0.0.1", port=free_port())
        app.push_screen(dialog)
        await wait_for(pilot, lambda: dialog.url and "█" in str(dialog.query_one("#qr").render()), what="phone page")
        assert dialog.url in str(dialog.query_one("#phone-text").render())
        page = httpx.get(dialog.url, timeout=10)
        assert page.status_code == 200
        assert httpx.get(dialog.url.split("?")[0], timeout=10).status_code == 403
        await pilot.press("escape")
        await wait_for(pilot, lambda: dialog.server is None)
        with pytest.raises(httpx.HTTPError):
            httpx.get(dialog.url, timeout=2)
