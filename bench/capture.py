"""Capture benchmark: recording a 1080p30 MJPEG stream, against ``ffmpeg -c copy``.

A synthetic camera (``cagette.capture.fakecam``) serves numbered 1920x1080
frames at 30 fps on 127.0.0.1. `cagette capture record` and the ffmpeg
binary (``-f mpjpeg -c copy``) record the same stream at the same time; each
output is decoded and its frame numbers compared with those the server sent.
Printed: frames kept / frames sent, CPU share of each recorder, the
stop-motion shutter-to-saved-frame latency (target < 150 ms), and the live
view's rate while a recording runs (target: its 12 pictures a second), against
the frames the recording kept meanwhile (the tests prove, with counts and a
driven clock, that a slow view never slows the recording; the speed is here).

    python bench/capture.py [--seconds 60] [--size 1920x1080] [--fps 30]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"camera on port {port} did not start")


def numbers(path: Path) -> list[int]:
    import av

    from cagette.capture.fakecam import decode_number

    out = []
    with av.open(str(path)) as c:
        st = c.streams.video[0]
        st.thread_type = "AUTO"
        for f in c.decode(st):
            n = decode_number(f.to_ndarray(format="bgr24"))
            if n is not None:
                out.append(n)
    return out


def run_measured(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int, str]:
    """(wall s, cpu s, exit code, stdout) of a child process."""
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, stdin=subprocess.DEVNULL)
    out_chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: out_chunks.append(proc.stdout.read() if proc.stdout else b""))
    reader.start()
    _pid, status, usage = os.wait4(proc.pid, 0)
    reader.join()
    wall = time.monotonic() - t0
    return wall, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status), b"".join(out_chunks).decode()


def main() -> None:
    import imageio_ffmpeg

    from cagette.capture.recorder import FrameHub
    from cagette.capture.sources import MjpegSource
    from cagette.capture.stopmotion import StopMotion
    from cagette.capture.trigger import Press, QueueTrigger
    from cagette.video.project import create

    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--size", default="1920x1080")
    ap.add_argument("--fps", type=float, default=30)
    ap.add_argument("--shots", type=int, default=20)
    ns = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="cagette-bench-"))
    port = free_port()
    log = tmp / "sent.log"
    epoch = time.time() + 1.0
    cam = subprocess.Popen([sys.executable, "-m", "cagette.capture.fakecam", "--port", str(port), "--size", ns.size,
                            "--fps", str(ns.fps), "--epoch", repr(epoch), "--log", str(log)])
    try:
        wait_port(port)
        url = f"http://127.0.0.1:{port}/video"
        project = create(tmp / "bench", "Bench")
        project.add_scene("Scene")
        ref_out = tmp / "ref.mkv"
        ours: dict[str, object] = {}
        ref: dict[str, object] = {}
        env = {**os.environ, "CAGETTE_LANG": "en"}
        t_ours = threading.Thread(target=lambda: ours.update(zip(("wall", "cpu", "rc", "out"), run_measured(
            [sys.executable, "-m", "cagette", "capture", "record", str(project.root), url, "--scene", "1",
             "--duration", str(ns.seconds), "--fps", str(ns.fps), "--json"], env), strict=True)))
        t_ref = threading.Thread(target=lambda: ref.update(zip(("wall", "cpu", "rc", "out"), run_measured(
            [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-use_wallclock_as_timestamps", "1", "-f", "mpjpeg",
             "-i", url, "-t", str(ns.seconds), "-c", "copy", str(ref_out)]), strict=True)))
        print(f"recording {ns.seconds:g} s of {ns.size} at {ns.fps:g} fps with cagette and with ffmpeg -c copy…",
              flush=True)
        t_ours.start()
        t_ref.start()
        t_ours.join()
        t_ref.join()
        if ours["rc"] != 0 or ref["rc"] != 0:
            raise SystemExit(f"a recorder failed: cagette rc={ours['rc']}, ffmpeg rc={ref['rc']}")
        result = json.loads(str(ours["out"]))
        sent = [int(x) for x in log.read_text().split()]
        print("decoding both outputs to read the frame numbers…", flush=True)
        rows = []
        for name, path, run in (("cagette", Path(str(result["path"])), ours),
                                ("ffmpeg -c copy", ref_out, ref)):
            got = numbers(path)
            window = set(n for n in sent if got and got[0] <= n <= got[-1])
            kept = len(window & set(got))
            rows.append((name, kept, len(window), float(run["cpu"]), float(run["wall"])))

        # shutter → saved frame latency, on the same stream
        hub = FrameHub(MjpegSource(url, fps_hint=ns.fps)).start()
        latencies = []
        try:
            hub.wait_new(-1, 10)
            sm = StopMotion(project, "1", hub)
            trig = QueueTrigger()
            for _ in range(ns.shots):
                ev = trig.push(Press.SHORT, "bench")
                got_ev = trig.get(1)
                assert got_ev is ev
                taken = sm.handle(ev)
                latencies.append(taken.latency_s * 1000)
                time.sleep(0.2)
        finally:
            hub.stop()
        # the live view's rate while recording the same stream
        view_rate, view_kept, view_frames = live_view_while_recording(url, tmp, ns.fps, min(ns.seconds, 10.0))
    finally:
        cam.terminate()
        cam.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)

    print()
    print(f"{'recorder':<16} {'kept/sent':>14} {'ratio':>8} {'CPU s':>7} {'CPU share':>10}")
    for name, kept, total, cpu, wall in rows:
        ratio = kept / total if total else 0.0
        print(f"{name:<16} {kept:>6}/{total:<7} {ratio:8.4f} {cpu:7.1f} {cpu / wall * 100:9.1f} %")
    (_, k1, n1, c1, _w1), (_, k2, n2, c2, _w2) = rows
    print(f"cagette / ffmpeg: frames kept ratio {((k1 / n1) / (k2 / n2) if n2 and k2 else float('nan')):.4f}, "
          f"CPU {(c1 / c2 if c2 else float('nan')):.2f}×")
    src = result.get("source", {})
    print(f"cagette's own report: {result['frames']} frames, duplicates {src.get('duplicates')}, "
          f"dropped (estimated) {src.get('dropped')}, reconnects {src.get('reconnects')}")
    med = statistics.median(latencies)
    p95 = sorted(latencies)[max(0, int(len(latencies) * 0.95) - 1)]
    print(f"shutter → saved frame: median {med:.0f} ms, p95 {p95:.0f} ms, max {max(latencies):.0f} ms "
          f"(target < 150 ms) over {len(latencies)} shots")
    print(f"live view while recording: {view_rate:.1f} pictures/s, {view_rate / PREVIEW_FPS:.2f}× its target "
          f"({PREVIEW_FPS:g}/s); the recording kept {view_kept}/{view_frames} frames meanwhile")


PREVIEW_FPS = 12.0


def live_view_while_recording(url: str, tmp: Path, fps: float, seconds: float) -> tuple[float, int, int]:
    """(live view's pictures a second, frames recorded, frames the source delivered) over *seconds*."""
    from cagette.capture.preview import Preview
    from cagette.capture.recorder import FrameHub, Recorder
    from cagette.capture.sources import MjpegSource

    src = MjpegSource(url, fps_hint=fps)
    rec = Recorder(src, tmp / "view-work")
    views: list[Preview] = []

    def on_hub(hub: FrameHub) -> None:
        views.append(Preview(hub, width=320, fps=PREVIEW_FPS).start())

    rec.run(tmp / "view.mkv", duration_s=seconds, on_hub=on_hub)
    views[0].stop()
    return views[0].rate(), rec.frames, src.stats.frames


if __name__ == "__main__":
    main()
