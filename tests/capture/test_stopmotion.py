"""Stop-motion: frames from a live source through the project API."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cagette.capture.recorder import FrameHub
from cagette.capture.sources import FileSource, MjpegSource
from cagette.capture.stopmotion import StopMotion, onion_skin, read_image
from cagette.capture.trigger import KeyDecoder, KeyTrigger, Press, QueueTrigger, ShutterEvent
from cagette.errors import CaptureError, UsageError
from tests.capture.clock import ManualClock
from tests.capture.conftest import make_clip
from tests.conftest import run_cli

pytestmark = pytest.mark.usefixtures("serial_ports")  # its ptys: one worker at a time (tests/conftest.py)


def test_onion_skin_is_a_pure_weighted_blend() -> None:
    live = np.full((4, 6, 3), 200, np.uint8)
    prev1 = np.zeros((4, 6, 3), np.uint8)
    prev2 = np.full((8, 12, 3), 100, np.uint8)  # another size: resized
    keep = live.copy()
    out = onion_skin(live, [prev2, prev1], alpha=0.5, count=2)
    # newest (prev1, weight .5): 200*.5 = 100; then prev2 at .25: 100*.75 + 100*.25 = 100
    assert out.shape == live.shape and out.dtype == np.uint8
    assert int(out[0, 0, 0]) == 100
    assert np.array_equal(live, keep), "input modified"
    assert np.array_equal(onion_skin(live, [prev1], alpha=0.0), live)
    assert np.array_equal(onion_skin(live, [prev1, prev2], count=0), live)
    only_last = onion_skin(live, [prev2, prev1], alpha=0.5, count=1)
    assert int(only_last[0, 0, 0]) == 100
    with pytest.raises(UsageError):
        onion_skin(live, [prev1], alpha=1.5)


def _number_of(path: Path) -> int:
    """The frame of testsrc2 shown: we compare mean colours instead."""
    return int(read_image(path).mean())


def test_take_retake_delete_reorder_duplicate_and_long_press(project, tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "c.mp4", 3.0, "320x240", 10)
    hub = FrameHub(FileSource(str(clip), realtime=True, loop=True)).start()
    try:
        assert hub.wait_new(-1, 60) is not None
        sm = StopMotion(project, "intro", hub, fps=8)
        trig = QueueTrigger()
        done: list = []
        runner = threading.Thread(target=lambda: sm.run(trig, on_taken=done.append))
        runner.start()

        def press(kind: Press, handled: int) -> None:
            seen = hub.latest()
            assert seen is not None and hub.wait_new(seen.index, 60) is not None  # a new live frame first
            trig.push(kind, "test")
            guard = time.monotonic() + 60  # a hang guard, not a measure
            while len(done) < handled and runner.is_alive():  # each press handled before the next
                assert time.monotonic() < guard, f"press {handled} was never handled"
                time.sleep(0.01)

        for n in range(1, 4):
            press(Press.SHORT, n)
        press(Press.LONG, 4)  # removes the third
        press(Press.SHORT, 5)
        trig.close()
        runner.join(timeout=20)
        assert [d.action for d in done] == ["take", "take", "take", "remove", "take"]
        assert all(d.latency_s >= 0 for d in done)  # measured from the press (the figures: bench/capture.py)
        frames = sm.frames()
        assert [f.name for f in frames] == ["0001.jpg", "0002.jpg", "0003.jpg"]
        before = [f.read_bytes() for f in frames]
        assert len(set(before)) == 3, "three different pictures"

        sm.reorder([3, 1, 2])
        after = [f.read_bytes() for f in sm.frames()]
        assert after == [before[2], before[0], before[1]]

        seen = hub.latest()
        assert seen is not None and hub.wait_new(seen.index, 60) is not None
        sm.retake(2)
        retaken = [f.read_bytes() for f in sm.frames()]
        assert len(retaken) == 3 and retaken[0] == after[0] and retaken[2] == after[2]
        assert retaken[1] not in after

        sm.duplicate(1, 2)
        dup = [f.read_bytes() for f in sm.frames()]
        assert dup[:3] == [retaken[0]] * 3 and dup[3:] == retaken[1:]

        sm.delete([1, 2])
        assert [f.read_bytes() for f in sm.frames()] == retaken
        with pytest.raises(UsageError):
            sm.delete([9])
        with pytest.raises(UsageError):
            sm.reorder([1, 1, 2])
        shot = [s for s in project.reload().scene("intro").shots if s.kind == "frames"]
        assert len(shot) == 1 and shot[0].source == "frames/intro"
    finally:
        hub.stop()


def test_key_decoder_presenter_and_pedal_keys() -> None:
    d = KeyDecoder()
    assert d.feed(b" \r\x1b[6~\x1b[C") == ["space", "enter", "pagedown", "right"]
    assert d.feed(b"\x1b[") == []  # an unfinished sequence waits
    assert d.feed(b"5~d\x7fq") == ["pageup", "d", "backspace", "q"]


def test_key_trigger_on_a_pty() -> None:
    master, slave = os.openpty()
    trig = KeyTrigger(fd=slave)
    try:
        os.write(master, b" \x1b[6~\x7f")
        events = [trig.get(timeout=2) for _ in range(3)]
        assert [e.press for e in events if e] == [Press.SHORT, Press.SHORT, Press.LONG]
        assert all(e and e.source == "key" for e in events)
        os.write(master, b"q")
        deadline = time.monotonic() + 30  # a hang guard, not a measure
        while not trig.closed and time.monotonic() < deadline:
            time.sleep(0.02)
        assert trig.closed and trig.get(timeout=0.1) is None
    finally:
        trig.close()
        os.close(master)
        os.close(slave)


class _CountingTrigger(QueueTrigger):
    """Counts the run's looks at the trigger: each one follows a look at the camera."""

    def __init__(self) -> None:
        super().__init__()
        self.gets = 0

    def get(self, timeout: float | None = None) -> ShutterEvent | None:
        self.gets += 1
        return super().get(timeout=0.001)


def _looks(trig: _CountingTrigger, runner: threading.Thread, more: int = 3) -> None:
    want = trig.gets + more
    guard = time.monotonic() + 60  # a hang guard, not a measure
    while trig.gets < want and runner.is_alive():
        assert time.monotonic() < guard, "the run stopped looking at its trigger"
        time.sleep(0.005)


def _run_in_thread(sm: StopMotion, trig: QueueTrigger, clock: ManualClock) -> tuple[threading.Thread, list]:
    ended: list = []

    def target() -> None:
        try:
            ended.append(sm.run(trig, lost_limit_s=120, clock=clock))
        except CaptureError as exc:
            ended.append(exc)

    runner = threading.Thread(target=target, daemon=True)
    runner.start()
    return runner, ended


def _live_run(project: Any) -> tuple[MjpegSource, FrameHub, ManualClock, _CountingTrigger, threading.Thread, list]:
    """A run on a live camera, once it has looked at it. The hub is not started: the test says when the
    camera is live, and moves the clock the run reads."""
    source = MjpegSource("http://127.0.0.1:9/video")
    hub = FrameHub(source)
    hub.live_since = 0.0
    source.connected.set()
    sm = StopMotion(project, "intro", hub)
    clock, trig = ManualClock(), _CountingTrigger()
    runner, ended = _run_in_thread(sm, trig, clock)
    _looks(trig, runner)
    return source, hub, clock, trig, runner, ended


def test_a_camera_lost_past_the_limit_ends_the_run_and_says_what_is_kept(project) -> None:
    source, _hub, clock, trig, runner, ended = _live_run(project)
    source.connected.clear()  # lost at t=0 (reconnecting)
    _looks(trig, runner)
    clock.advance(100)
    _looks(trig, runner)
    assert runner.is_alive() and not ended, "100 s without a picture is under the limit"
    source.connected.set()  # back: the count starts again at the next loss
    _looks(trig, runner)
    source.connected.clear()
    _looks(trig, runner)
    clock.advance(119)
    _looks(trig, runner)
    assert runner.is_alive() and not ended, "119 s since the camera came back and went again"
    clock.advance(2)
    runner.join(timeout=60)
    assert not runner.is_alive() and len(ended) == 1 and isinstance(ended[0], CaptureError)
    assert "121 seconds" in ended[0].message and "0 frames are kept in scene" in ended[0].message
    assert "run the same command again" in (ended[0].hint or "")


def test_a_camera_stream_that_ended_ends_the_run_at_the_limit_and_a_failed_one_at_once(project) -> None:
    source, hub, clock, trig, runner, ended = _live_run(project)
    hub.finished.set()  # a file that is over: its presses are dropped with a notice until the limit
    _looks(trig, runner)
    clock.advance(119)
    _looks(trig, runner)
    assert runner.is_alive() and not ended
    clock.advance(1)
    runner.join(timeout=60)
    assert len(ended) == 1 and isinstance(ended[0], CaptureError)
    assert "stream has ended" in ended[0].message

    hub2 = FrameHub(source)
    hub2.error = CaptureError("Cannot read it", "a hint")
    hub2.finished.set()
    runner, ended = _run_in_thread(StopMotion(project, "intro", hub2), _CountingTrigger(), clock)
    runner.join(timeout=60)
    assert len(ended) == 1 and ended[0] is hub2.error  # the source's own reason, at once


def test_cli_frames_from_a_file_with_keys_from_a_pipe(project, tmp_path: Path) -> None:
    # the file plays in real time and a press after its end is dropped (no camera is live any more): a clip
    # far longer than the two presses need keeps the test true on a machine too busy to answer in 2 s
    clip = make_clip(tmp_path / "c.mp4", 30.0, "160x120", 5)
    res = run_cli("capture", "frames", str(project.root), str(clip), "--scene", "2", "--count", "2", "--json",
                  input="  ")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["frames"] == ["frames/atelier/0001.jpg", "frames/atelier/0002.jpg"]
    res = run_cli("capture", "frames", str(project.root), "--scene", "2", "--duplicate", "1:1", "--reorder",
                  "3,1,2", "--json")
    assert res.returncode == 0, res.stderr
    assert len(json.loads(res.stdout)["frames"]) == 3
    res = run_cli("capture", "frames", str(project.root), "--scene", "2", "--reorder", "1,2")
    assert res.returncode == 2 and "every frame once" in res.stderr



def test_cli_timelapse_on_a_camera_whose_stream_ends_stops_with_the_frames_kept(project, tmp_path: Path) -> None:
    # asked for far more frames than a 2 s clip gives: once it has ended (and --wait-camera has passed) the
    # command says so and stops, where it used to wait for a camera that would never come back
    clip = make_clip(tmp_path / "short.mp4", 2.0, "160x120", 10)
    res = run_cli("capture", "frames", str(project.root), str(clip), "--scene", "2", "--every", "0.1",
                  "--count", "100000", "--wait-camera", "0.5", "--json", timeout=300)
    assert res.returncode == 1, res.stderr
    assert "Traceback" not in res.stderr and "stream has ended" in res.stderr
    assert "kept in scene atelier" in res.stderr
    kept = sorted((project.root / "frames" / "atelier").glob("*.jpg"))
    assert 0 < len(kept) < 100000
    assert f"{len(kept)} frame" in res.stderr  # the count it says is the count on disk
    res = run_cli("capture", "frames", str(project.root), str(clip), "--scene", "2", "--delete", "1",
                  "--wait-camera", "0")
    assert res.returncode == 2 and "--wait-camera" in res.stderr
    assert sorted((project.root / "frames" / "atelier").glob("*.jpg")) == kept, "a refused command edits nothing"

COLOURS = {"red": (0, 0, 255), "green": (0, 255, 0), "blue": (255, 0, 0)}


def _colour_of(img: np.ndarray) -> str | None:
    b, g, r = (float(v) for v in img.reshape(-1, 3).mean(axis=0))
    for name, (cb, cg, cr) in COLOURS.items():
        if abs(b - cb) < 60 and abs(g - cg) < 60 and abs(r - cr) < 60:
            return name
    return None


@pytest.mark.slow
def test_frames_render_through_the_video_engine(tmp_path: Path) -> None:
    import subprocess

    import imageio_ffmpeg

    from cagette.video.presets import get as get_preset
    from cagette.video.project import create
    from cagette.video.render import render_project

    clip = tmp_path / "colours.mp4"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y",
                    "-f", "lavfi", "-i", "color=c=red:s=160x120:r=10:d=0.6",
                    "-f", "lavfi", "-i", "color=c=lime:s=160x120:r=10:d=0.6",
                    "-f", "lavfi", "-i", "color=c=blue:s=160x120:r=10:d=0.6",
                    "-filter_complex", "[0][1][2]concat=n=3:v=1", "-pix_fmt", "yuv420p", "-c:v", "libx264",
                    "-preset", "ultrafast", str(clip)], check=True)
    project = create(tmp_path / "anim", "Anim")
    project.add_scene("Danse")
    hub = FrameHub(FileSource(str(clip), realtime=True, loop=True)).start()
    try:
        sm = StopMotion(project, "danse", hub, fps=2)

        def take_when(colour: str) -> None:
            deadline = time.monotonic() + 60  # a hang guard, not a measure
            while time.monotonic() < deadline:
                f = hub.latest()
                if f is not None and _colour_of(f.image()) == colour:
                    sm.take()
                    return
                time.sleep(0.02)
            raise AssertionError(f"never saw {colour}")

        for c in ("red", "green", "blue", "green"):
            take_when(c)
    finally:
        hub.stop()
    assert [_colour_of(read_image(f)) for f in sm.frames()] == ["red", "green", "blue", "green"]
    sm.delete([4])
    sm.reorder([3, 1, 2])  # blue, red, green
    assert [_colour_of(read_image(f)) for f in sm.frames()] == ["blue", "red", "green"]

    result = render_project(project, preset=get_preset("draft"), out=tmp_path / "anim.mp4")
    seen: list[str] = []
    import av

    with av.open(str(result.video)) as c:
        for frame in c.decode(video=0):
            name = _colour_of(frame.to_ndarray(format="bgr24"))
            if name and (not seen or seen[-1] != name):
                seen.append(name)
    assert seen == ["blue", "red", "green"], seen
    res = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
                          str(result.video)], capture_output=True, text=True, check=True)
    assert float(res.stdout) >= 1.4  # three frames at 2 fps


def test_live_view_blends_the_last_frame(tmp_path: Path) -> None:
    from cagette.video.project import create

    clip = tmp_path / "colours.mp4"
    import subprocess

    import imageio_ffmpeg

    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i",
                    "color=c=blue:s=320x240:r=10:d=2", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset",
                    "ultrafast", str(clip)], check=True)
    project = create(tmp_path / "p", "P")
    project.add_scene("S")
    import cv2

    red = tmp_path / "red.png"
    cv2.imwrite(str(red), np.full((240, 320, 3), (0, 0, 255), np.uint8))
    project.add_frames("s", [red])
    hub = FrameHub(FileSource(str(clip), realtime=True, loop=True)).start()
    try:
        sm = StopMotion(project, "s", hub)
        view = sm.live_view(width=160, fps=15, alpha=0.5, count=1)
        try:
            deadline = time.monotonic() + 60  # a hang guard, not a measure
            img = None
            while time.monotonic() < deadline:
                _i, img = view.image()
                if img is not None:
                    break
                time.sleep(0.05)
        finally:
            view.stop()
    finally:
        hub.stop()
    assert img is not None and img.shape[:2] == (120, 160)
    b, g, r = img.reshape(-1, 3).mean(axis=0)
    assert 100 < b < 160 and 100 < r < 160 and g < 30, (b, g, r)  # half blue (live), half red (last frame)
