"""A synthetic network camera, for tests, benchmarks and demos.

``python -m cagette.capture.fakecam --port 8090`` serves, on 127.0.0.1:

* ``/video``: an MJPEG stream (``multipart/x-mixed-replace``) as IP Webcam
  serves it, each frame carrying its number as a row of black and white
  blocks (:func:`decode_number` reads it back);
* ``/shot.jpg``: the current frame as one JPEG.

Frame numbers follow the clock from ``--epoch`` (``time.time()``), so a
server killed and restarted continues the numbering, and frames "sent" while
it was down are simply never sent. With ``--log FILE`` every frame fully
written to a client is logged (one number per line, flushed).
"""

from __future__ import annotations

import argparse
import functools
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BITS = 24
BOUNDARY = "cagetteframe"


def _layout(width: int, height: int) -> tuple[int, int, int]:
    block = max(8, min(width // (BITS + 2), 64))
    x0 = (width - block * BITS) // 2
    y0 = max(4, height // 12)
    return block, x0, y0


@functools.lru_cache(maxsize=4)
def _base(width: int, height: int) -> Any:
    import cv2
    import numpy as np

    yy, xx = np.mgrid[0:height, 0:width]
    img = np.empty((height, width, 3), np.uint8)
    img[..., 0] = (xx * 255 // max(1, width - 1)).astype(np.uint8)
    img[..., 1] = (yy * 255 // max(1, height - 1)).astype(np.uint8)
    img[..., 2] = 128
    for k in range(6):
        cv2.circle(img, (width * (k + 1) // 7, height * 2 // 3), height // 10, (40 * k, 200, 255 - 40 * k), -1)
    return img


def render_frame(number: int, width: int, height: int) -> Any:
    """A BGR image whose top band encodes *number* (24 bits, MSB first)."""
    import cv2

    img = _base(width, height).copy()
    block, x0, y0 = _layout(width, height)
    cv2.rectangle(img, (x0 - block // 2, y0 - block // 2), (x0 + BITS * block + block // 2, y0 + block + block // 2),
                  (128, 128, 128), -1)
    for i in range(BITS):
        bit = (number >> (BITS - 1 - i)) & 1
        colour = (255, 255, 255) if bit else (0, 0, 0)
        cv2.rectangle(img, (x0 + i * block, y0), (x0 + (i + 1) * block - 1, y0 + block - 1), colour, -1)
    cv2.putText(img, f"#{number}", (x0, y0 + 3 * block), cv2.FONT_HERSHEY_SIMPLEX, block / 30, (0, 0, 0), 2)
    return img


def decode_number(img: Any) -> int | None:
    """The number :func:`render_frame` drew, or None when unreadable."""
    import numpy as np

    height, width = img.shape[:2]
    block, x0, y0 = _layout(width, height)
    value = 0
    for i in range(BITS):
        cx, cy = x0 + i * block + block // 2, y0 + block // 2
        r = max(1, block // 4)
        patch = img[cy - r: cy + r, cx - r: cx + r]
        level = float(np.mean(patch))
        if 64 < level < 192:
            return None
        value = (value << 1) | (1 if level >= 128 else 0)
    return value


class FakeCamera:
    def __init__(self, width: int, height: int, fps: float, epoch: float, log: str | None = None,
                 quality: int = 85) -> None:
        self.width, self.height, self.fps, self.epoch = width, height, fps, epoch
        self.quality = quality
        self._lock = threading.Lock()
        self._cache: dict[int, bytes] = {}
        self._log = open(log, "a", encoding="ascii") if log else None  # noqa: SIM115 - process lifetime
        self._log_lock = threading.Lock()

    def number_now(self) -> int:
        return int((time.time() - self.epoch) * self.fps)

    def jpeg(self, number: int) -> bytes:
        import cv2

        with self._lock:
            data = self._cache.get(number)
            if data is None:
                _ok, buf = cv2.imencode(".jpg", render_frame(number, self.width, self.height),
                                       [cv2.IMWRITE_JPEG_QUALITY, self.quality])
                data = buf.tobytes()
                self._cache[number] = data
                for old in [k for k in self._cache if k < number - 8]:
                    del self._cache[old]
            return data

    def sent(self, number: int) -> None:
        if self._log:
            with self._log_lock:
                self._log.write(f"{number}\n")
                self._log.flush()


def make_handler(cam: FakeCamera) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            if self.path.startswith("/shot.jpg"):
                data = cam.jpeg(max(0, cam.number_now()))
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            if not self.path.startswith("/video"):
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", f"multipart/x-mixed-replace; boundary={BOUNDARY}")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            number = max(0, cam.number_now())
            try:
                while True:
                    due = cam.epoch + number / cam.fps
                    wait = due - time.time()
                    if wait > 0:
                        time.sleep(wait)
                    data = cam.jpeg(number)
                    head = (f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\n"
                            f"Content-Length: {len(data)}\r\n\r\n").encode()
                    self.wfile.write(head + data + b"\r\n")
                    cam.sent(number)
                    number += 1
            except (BrokenPipeError, ConnectionResetError):
                return

    return Handler


def serve(port: int, width: int, height: int, fps: float, epoch: float, log: str | None,
          host: str = "127.0.0.1") -> None:
    cam = FakeCamera(width, height, fps, epoch, log)
    server = ThreadingHTTPServer((host, port), make_handler(cam))
    server.daemon_threads = True
    server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="A synthetic MJPEG camera on 127.0.0.1 (tests, benchmarks, demo).")
    ap.add_argument("--port", type=int, default=8090)
    ap.add_argument("--size", default="1280x720")
    ap.add_argument("--fps", type=float, default=30.0)
    ap.add_argument("--epoch", type=float, default=None)
    ap.add_argument("--log", default=None)
    ns = ap.parse_args(argv)
    w, h = (int(v) for v in ns.size.lower().split("x"))
    serve(ns.port, w, h, ns.fps, ns.epoch if ns.epoch is not None else time.time(), ns.log)


if __name__ == "__main__":
    main()
