"""Shutter latency over a pty: button released → frame saved, against a bare pty echo.

The firmware runs on CPython (fake ``machine``) behind a real pseudo-terminal;
the host's controller feeds capture's trigger, and capture's real StopMotion
saves each frame through the project API. Measured per press, from the moment
the bouncing contact settles open (board time, a short press is known only on
release) to the frame written, and split into: firmware (20 ms debounce + its
loop) → the event line written; → the trigger delivering it on the host;
→ the frame saved.

Reference, same run: a bare pyserial write → read round trip of one line over
a pty with an echo thread (the cost of the transport alone).

Target: median press → frame < 150 ms.
"""

from __future__ import annotations

import os
import select
import statistics
import sys
import tempfile
import threading
import time
import tty
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PRESSES = 25


def echo_reference(rounds: int = 200) -> list[float]:
    import serial

    master, slave = os.openpty()
    tty.setraw(master)
    ser = serial.Serial(os.ttyname(slave), 115200, timeout=1)
    os.close(slave)
    stop = threading.Event()

    def echo() -> None:
        while not stop.is_set():
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    os.write(master, os.read(master, 1024))
                except OSError:
                    return

    thread = threading.Thread(target=echo, daemon=True)
    thread.start()
    line = b'{"event": "button", "press": "short", "t": 123456, "n": 1}\n'
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        ser.write(line)
        got = ser.readline()
        times.append(time.perf_counter() - start)
        assert got == line
    stop.set()
    ser.close()
    thread.join(1)
    os.close(master)
    return times


def make_clip(path: Path) -> Path:
    import subprocess

    import imageio_ffmpeg

    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=size=640x480:rate=25:duration=4", "-pix_fmt", "yuv420p", "-c:v", "libx264",
                    "-preset", "ultrafast", str(path)], check=True)
    return path


def press_to_frame(tmp: Path) -> dict[str, list[float]]:
    from cagette.capture.recorder import FrameHub
    from cagette.capture.sources import FileSource
    from cagette.capture.stopmotion import StopMotion
    from cagette.device.controller import DeviceTrigger
    from cagette.video.project import create
    from tests.device.sim import SimDevice

    project = create(tmp / "film", "Bench")
    project.add_scene("Intro")
    sim = SimDevice(tmp)
    written: list[float] = []
    raw_write = sim.io.write

    def timed_write(data: bytes) -> None:
        raw_write(data)
        if b'"event"' in data:
            written.append(time.perf_counter())

    sim.io.write = timed_write  # type: ignore[method-assign]
    hub = FrameHub(FileSource(str(make_clip(tmp / "cam.mp4")), realtime=True, loop=True)).start()
    trigger = DeviceTrigger(lambda: [sim.port]).start()
    delivered: list[float] = []
    saved: list[float] = []

    class Timed:
        def get(self, timeout: float | None = None) -> Any:
            event = trigger.get(timeout)
            if event is not None:
                delivered.append(time.perf_counter())
            return event

        closed = False

    sm = StopMotion(project, "intro", hub)
    runner = threading.Thread(target=lambda: sm.run(Timed(), on_taken=lambda t: saved.append(time.perf_counter()),
                                                    max_frames=PRESSES), daemon=True)
    hub.wait_new(-1, 10)
    runner.start()
    released: list[float] = []
    try:
        for i in range(PRESSES):
            _, end = sim.press(40)
            mark = sim.mark(end)
            deadline = time.monotonic() + 10
            while len(saved) <= i and time.monotonic() < deadline:
                time.sleep(0.001)
            if len(saved) <= i or not mark:
                raise RuntimeError(f"press {i + 1}: no frame within 10 s")
            released.append(mark[0])
            time.sleep(0.05)
        runner.join(10)
    finally:
        trigger.close()
        hub.stop()
        sim.close()
    assert len(sm.frames()) == PRESSES
    return {
        "total": [s - r for r, s in zip(released, saved, strict=True)],
        "firmware": [w - r for r, w in zip(released, written, strict=True)],
        "link": [d - w for w, d in zip(written, delivered, strict=True)],
        "save": [s - d for d, s in zip(delivered, saved, strict=True)],
    }


def ms(values: list[float]) -> str:
    values = sorted(values)
    p90 = values[int(0.9 * (len(values) - 1))]
    return f"median {statistics.median(values) * 1000:7.2f} ms  p90 {p90 * 1000:7.2f} ms"


def main() -> None:
    ref = echo_reference()
    with tempfile.TemporaryDirectory() as tmp:
        parts = press_to_frame(Path(tmp))
    ref_med = statistics.median(ref)
    total_med = statistics.median(parts["total"])
    print(f"pty echo round trip (reference)     {ms(ref)}")
    print(f"press released -> frame saved       {ms(parts['total'])}  ratio {total_med / ref_med:6.1f}x  "
          f"target < 150 ms: {'ok' if total_med < 0.150 else 'MISSED'}")
    print(f"  firmware (20 ms debounce + loop)  {ms(parts['firmware'])}")
    print(f"  event line -> host trigger        {ms(parts['link'])}  ratio {statistics.median(parts['link']) / ref_med:6.1f}x")
    print(f"  trigger -> JPEG saved (project)   {ms(parts['save'])}")


if __name__ == "__main__":
    main()
