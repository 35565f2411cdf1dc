"""A camera made by the journeys, and the way they read a video back with Debian's ffmpeg.

Each picture carries its number as a row of blocks in its middle band: a white guard block, 12 bits (most
significant first, white = 1, black = 0) and a black guard block, on grey. The blocks are 20 × 40 pixels in
a 320 × 180 picture, so they survive JPEG, x264 at any CRF and a 2× scale; :func:`read_number` reads them at
any size of the same 16:9 shape, or says there is no number (a title card, a caption box, a cross-fade).

The same layout is drawn by a Python MJPEG-over-HTTP server (:class:`MjpegCamera`, what IP Webcam serves)
and by ffmpeg's ``drawbox`` filters (:func:`lavfi_numbered`, for the RTSP camera), and read from the raw grey
pixels Debian's ffmpeg decodes (:func:`decode_gray`): nothing of cagette's own code draws or reads it.
"""

from __future__ import annotations

import io
import json
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np

WIDTH, HEIGHT = 320, 180
BITS = 12
X0, BLOCK, Y0, Y1 = 20, 20, 70, 110  # blocks at X0 + BLOCK*i, i = 0 (guard) .. BITS + 1 (guard)
DEBIAN_FFMPEG, DEBIAN_FFPROBE = "/usr/bin/ffmpeg", "/usr/bin/ffprobe"


def draw_number(number: int) -> np.ndarray:
    """A grey picture (luma only) carrying *number*."""
    img = np.full((HEIGHT, WIDTH), 128, np.uint8)
    values = [255] + [255 if (number >> (BITS - 1 - i)) & 1 else 0 for i in range(BITS)] + [0]
    for i, v in enumerate(values):
        img[Y0:Y1, X0 + BLOCK * i: X0 + BLOCK * (i + 1)] = v
    return img


def read_number(gray: np.ndarray) -> int | None:
    """The number a picture carries, or None when it carries none (each block must be clearly black or white)."""
    h, w = gray.shape
    sx, sy = w / WIDTH, h / HEIGHT
    cy0, cy1 = int((Y0 + 10) * sy), int((Y1 - 10) * sy)
    levels = []
    for i in range(BITS + 2):
        cx0, cx1 = int((X0 + BLOCK * i + 5) * sx), int((X0 + BLOCK * (i + 1) - 5) * sx)
        levels.append(float(gray[cy0:cy1, cx0:cx1].mean()))
    if any(40 < v < 215 for v in levels) or levels[0] < 215 or levels[-1] > 40:
        return None
    value = 0
    for v in levels[1:-1]:
        value = (value << 1) | (v >= 128)
    return value


def lavfi_numbered(fps: int) -> str:
    """A lavfi source drawing the frame number ``n`` the same way (for ffmpeg-fed cameras): a box per block,
    the white one of each bit enabled when the bit is set (cheap: no per-pixel expression)."""
    def box(i: int, colour: str, enable: str = "1") -> str:
        return f"drawbox=x={X0 + BLOCK * i}:y={Y0}:w={BLOCK}:h={Y1 - Y0}:color={colour}:t=fill:enable='{enable}'"

    boxes = [box(0, "white"), box(BITS + 1, "black")]
    for i in range(BITS):
        boxes.append(box(i + 1, "black"))
        boxes.append(box(i + 1, "white", f"mod(floor(n/{2 ** (BITS - 1 - i)}),2)"))
    return f"color=c=0x808080:s={WIDTH}x{HEIGHT}:r={fps}," + ",".join(boxes) + ",format=yuv420p"


# -- the phone: MJPEG over HTTP ---------------------------------------------------------------


class MjpegCamera:
    """``multipart/x-mixed-replace`` JPEG pictures at *fps* on 127.0.0.1, numbered 0, 1, 2… in the order they
    are sent (over every connection), as a phone running IP Webcam serves ``/video``."""

    def __init__(self, fps: float = 25.0) -> None:
        self.fps = fps
        self.sent: list[int] = []
        self._lock = threading.Lock()
        self._next = 0
        camera = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if self.path != "/video":
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
                self.send_header("Connection", "close")
                self.end_headers()
                due = time.monotonic()
                try:
                    while True:
                        with camera._lock:
                            number = camera._next
                            camera._next += 1
                        data = camera.jpeg(number)
                        self.wfile.write(b"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: "
                                         + str(len(data)).encode() + b"\r\n\r\n" + data + b"\r\n")
                        camera.sent.append(number)
                        due += 1 / camera.fps
                        time.sleep(max(0.0, due - time.monotonic()))
                except OSError:
                    return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @staticmethod
    def jpeg(number: int) -> bytes:
        from PIL import Image

        out = io.BytesIO()
        Image.fromarray(draw_number(number)).convert("RGB").save(out, "JPEG", quality=90)
        return out.getvalue()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/video"

    def __enter__(self) -> MjpegCamera:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


# -- reading a video back with Debian's ffmpeg ---------------------------------------------------


def probe(path: Path) -> dict[str, Any]:
    out = subprocess.run([DEBIAN_FFPROBE, "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
                          str(path)], capture_output=True, text=True, check=True).stdout
    return dict(json.loads(out))


def video_stream(info: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in info["streams"] if s["codec_type"] == "video")


def frame_rate(info: dict[str, Any]) -> float:
    num, den = video_stream(info)["r_frame_rate"].split("/")
    return int(num) / int(den)


def decode_gray(path: Path) -> np.ndarray:
    """Every picture of *path* as luma arrays (frames × height × width), decoded by Debian's ffmpeg."""
    v = video_stream(probe(path))
    w, h = int(v["width"]), int(v["height"])
    raw = subprocess.run([DEBIAN_FFMPEG, "-nostdin", "-v", "error", "-i", str(path), "-map", "0:v:0",
                          "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "gray", "-"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, h, w)


def frame_times(path: Path) -> list[float]:
    """The presentation time of every picture of *path*, in decoding order (Debian's ffprobe)."""
    out = subprocess.run([DEBIAN_FFPROBE, "-v", "error", "-select_streams", "v:0", "-show_entries",
                          "frame=pts_time", "-of", "csv=p=0", str(path)], capture_output=True, text=True,
                         check=True).stdout
    return [float(x.strip().strip(",")) for x in out.split() if x.strip().strip(",")]


def numbers(path: Path) -> list[int | None]:
    return [read_number(f) for f in decode_gray(path)]


def numbered_span(found: list[int | None]) -> tuple[int, int]:
    """First and last index of the pictures carrying a number; every picture between them must carry one."""
    where = [i for i, n in enumerate(found) if n is not None]
    assert where, "no picture of the export carries a number: the recording is not in it"
    first, last = where[0], where[-1]
    holes = [i for i in range(first, last + 1) if found[i] is None]
    assert not holes, f"pictures {holes[:5]}… inside the scene carry no number"
    return first, last
