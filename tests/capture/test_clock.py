"""Pacing and accounting proved with a clock the test drives: exact counts, whatever the machine's load."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from cagette.capture.preview import Preview
from cagette.capture.sources import Frame, Source, StillSource
from cagette.capture.stopmotion import playback
from tests.capture.clock import ManualClock


class EverNewHub:
    """A camera faster than any view: each look at it finds a new frame."""

    def __init__(self) -> None:
        self.looks = 0
        self.image = np.zeros((120, 640, 3), np.uint8)

    def latest(self) -> Frame:
        self.looks += 1
        return Frame(self.image, "raw", 0.0, self.looks)


def run_preview(transform=None, seconds: float = 10.0, fps: float = 12.0) -> Preview:  # type: ignore[no-untyped-def]
    clock = ManualClock(limit=seconds)
    view = Preview(EverNewHub(), width=320, fps=fps, transform=transform, clock=clock).start()  # type: ignore[arg-type]
    assert clock.stopped.wait(60), "the preview never reached the clock's limit"
    view.stop()
    return view


def test_the_live_view_keeps_its_rate() -> None:
    view = run_preview()
    assert view.shown in (120, 121)  # one a period over 10 s at 12 a second (the 121st at exactly 10 s)
    assert view.rate() == pytest.approx(12.0)
    _index, img = view.image()
    assert img.shape[1] == 320  # shrunk to its width


def test_a_slow_view_skips_frames_instead_of_catching_up() -> None:
    clock_box: list[ManualClock] = []

    def slow(img):  # type: ignore[no-untyped-def]
        clock_box[0].advance(1.0)  # drawing takes a second: twelve periods
        return img

    clock = ManualClock(limit=10.0)
    clock_box.append(clock)
    hub = EverNewHub()
    view = Preview(hub, width=320, fps=12, transform=slow, clock=clock).start()  # type: ignore[arg-type]
    assert clock.stopped.wait(60)
    view.stop()
    assert view.shown in (10, 11) and view.rate() == pytest.approx(1.0)  # no burst of the frames it missed
    assert view.image()[0] == hub.looks  # what it shows is the newest frame


class ScriptedSource(Source):
    """A camera whose connections follow a script, on a clock the test moves: frames every 1/30 s."""

    kind = "scripted"

    def __init__(self, clock: ManualClock, script: list[list[float] | None]) -> None:
        super().__init__("scripted", fps_hint=30, clock=clock)
        self.script = script
        self.manual = clock

    def _connect_and_read(self) -> Iterator[Frame]:
        if not self.script:
            self.close()
            return
        gaps = self.script.pop(0)
        if gaps is None:
            raise ConnectionRefusedError("the phone is off the Wi-Fi")
        for gap in gaps:
            self.manual.advance(gap)
            yield self._make(b"\xff\xd8" + bytes([len(self.script)]) + b"\xff\xd9", "jpeg")
        raise ConnectionResetError("the camera closed the stream")


def test_time_without_signal_reconnections_and_drops_are_accounted() -> None:
    clock = ManualClock()
    first = [1 / 30] * 7 + [3 / 30] + [1 / 30] * 7  # 15 frames, two missing after the 7th
    src = ScriptedSource(clock, [first, None, None, [1 / 30] * 5])
    frames = list(src.frames())
    assert len(frames) == 20 and [f.index for f in frames] == list(range(20))
    st = src.stats
    # the break, then two refused connections: back-off 0.1 s, 0.2 s, 0.4 s, then the camera is back
    assert st.reconnects == 4 and st.lost_s == pytest.approx(0.1 + 0.2 + 0.4 + 1 / 30)
    assert st.dropped == 2  # the gap inside a connection, not the time without signal
    assert st.duplicates == 14 + 4  # identical JPEG bytes within each connection
    assert frames[7].time_s - frames[6].time_s == pytest.approx(3 / 30)


def test_a_still_url_is_polled_at_its_rate(fakecam) -> None:  # type: ignore[no-untyped-def]
    cam = fakecam("160x120", 30)
    clock = ManualClock()
    src = StillSource(f"http://127.0.0.1:{cam.port}/shot.jpg", fps=8, clock=clock)
    got = []
    for frame in src.frames():
        got.append(frame)
        if len(got) == 6:
            src.close()
    assert [f.time_s for f in got] == pytest.approx([k / 8 for k in range(6)])
    assert all(f.data[:2] == b"\xff\xd8" for f in got)


def test_playback_paces_and_skips_late_frames(tmp_path: Path) -> None:
    import cv2

    files = []
    for i in range(6):
        f = tmp_path / f"{i:04d}.png"
        cv2.imwrite(str(f), np.full((4, 4, 3), i * 40, np.uint8))
        files.append(f)
    clock = ManualClock()
    on_time = [(i, clock.now()) for i, _img in playback(files, fps=20, clock=clock)]
    assert on_time == [(i, pytest.approx(i / 20)) for i in range(6)]

    clock = ManualClock()
    shown = []
    for i, img in playback(files, fps=20, clock=clock):
        shown.append(i)
        assert int(img[0, 0, 0]) == i * 40
        clock.advance(0.12)  # the screen takes 0.12 s a frame: more than a period (0.05 s)
    assert shown == [0, 2, 4, 5]  # late frames skipped, the last one always shown
