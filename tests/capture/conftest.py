"""Fixtures of the capture tests: a synthetic MJPEG camera in its own
process (killable), and small projects made through the project API."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, proc: subprocess.Popen[bytes] | None = None, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"port {port} did not open")


class FakeCam:
    """``python -m cagette.capture.fakecam`` as a process that can be killed
    and restarted on the same port, numbering frames from one epoch."""

    def __init__(self, tmp: Path, size: str = "320x240", fps: float = 30.0) -> None:
        self.port = free_port()
        self.size, self.fps = size, fps
        self.epoch = time.time() + 0.5
        self.log = tmp / f"sent-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/video"

    def start(self) -> FakeCam:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cagette.capture.fakecam", "--port", str(self.port), "--size", self.size,
             "--fps", str(self.fps), "--epoch", repr(self.epoch), "--log", str(self.log)],
            start_new_session=True)
        wait_port(self.port, self.proc)
        return self

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None

    def sent(self) -> list[int]:
        if not self.log.exists():
            return []
        return [int(x) for x in self.log.read_text().split()]


@pytest.fixture
def fakecam(tmp_path: Path) -> Iterator[Callable[..., FakeCam]]:
    made: list[FakeCam] = []

    def make(size: str = "320x240", fps: float = 30.0) -> FakeCam:
        cam = FakeCam(tmp_path, size, fps).start()
        made.append(cam)
        return cam

    yield make
    for cam in made:
        cam.kill()


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    from cagette.video.project import create

    p = create(tmp_path / "film", "Essai")
    p.add_scene("Intro")
    p.add_scene("Atelier")
    return p


def make_clip(path: Path, seconds: float = 1.0, size: str = "320x240", fps: int = 10) -> Path:
    import imageio_ffmpeg

    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"testsrc2=size={size}:rate={fps}:duration={seconds}", "-pix_fmt", "yuv420p",
                    "-c:v", "libx264", "-preset", "ultrafast", str(path)], check=True)
    return path


def decode_numbers(path: Path) -> list[int | None]:
    import av

    from cagette.capture.fakecam import decode_number

    out = []
    with av.open(str(path)) as c:
        for f in c.decode(video=0):
            out.append(decode_number(f.to_ndarray(format="bgr24")))
    return out


def ffprobe_count(path: Path) -> tuple[str, int]:
    res = subprocess.run(["ffprobe", "-v", "error", "-count_packets", "-select_streams", "v:0", "-show_entries",
                          "stream=codec_name,nb_read_packets", "-of", "csv=p=0", str(path)],
                         capture_output=True, text=True, check=True)
    codec, n = res.stdout.strip().split(",")[:2]
    return codec, int(n)
