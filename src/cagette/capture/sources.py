"""Camera sources behind one interface.

A source yields :class:`Frame` values from :meth:`Source.frames` until it is
closed. Network sources reconnect with back-off by themselves, so a phone
that drops off the Wi-Fi for a moment only leaves a gap. Kinds of frames:

* ``jpeg``: the camera's own compressed bytes (MJPEG streams, still-image
  URLs), kept as they are so a recording never re-encodes them;
* ``raw``: a decoded BGR image (V4L2 devices, video files), which a
  recording encodes once (H.264, fast preset).

URLs: ``http(s)://…/video`` (MJPEG), ``http(s)://…/shot.jpg`` or any URL
with ``?still`` (polled), ``rtsp://…`` (:class:`FfmpegCopySource`, recorded
by the ffmpeg binary with ``-c copy``), ``/dev/videoN`` (V4L2), or a file.
"""

from __future__ import annotations

import hashlib
import http.client
import socket
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cagette.capture.clock import SYSTEM, Clock
from cagette.capture.mjpeg import MultipartError, MultipartParser, boundary_from_content_type
from cagette.errors import CaptureError
from cagette.i18n import _


@dataclass
class Frame:
    data: Any  # bytes (jpeg) or a numpy BGR array (raw)
    kind: str  # "jpeg" | "raw"
    time_s: float  # the source's clock at arrival (time.monotonic() unless a test drives it)
    index: int  # 0, 1, 2... in arrival order

    def image(self) -> Any:
        """The frame as a BGR numpy array (decodes JPEG)."""
        if self.kind == "raw":
            return self.data
        import cv2
        import numpy as np

        img = cv2.imdecode(np.frombuffer(self.data, np.uint8), cv2.IMREAD_COLOR)
        if img is None:
            raise CaptureError(_("A frame from the camera is not a readable JPEG image."),
                               _("Check the camera app's video format (MJPEG)."))
        return img

    def jpeg(self, quality: int = 92) -> bytes:
        """The frame as JPEG bytes (the camera's own when it sent JPEG)."""
        if self.kind == "jpeg":
            return bytes(self.data)
        import cv2

        ok, buf = cv2.imencode(".jpg", self.data, [cv2.IMWRITE_JPEG_QUALITY, quality])
        if not ok:
            raise CaptureError(_("Could not encode a frame as JPEG."), None)
        return buf.tobytes()


@dataclass
class SourceStats:
    frames: int = 0
    duplicates: int = 0  # identical to the previous frame
    dropped: int = 0  # estimated from gaps in arrival times
    reconnects: int = 0
    lost_s: float = 0.0  # seconds without a connection
    skipped_parts: int = 0
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"frames": self.frames, "duplicates": self.duplicates, "dropped": self.dropped,
                "reconnects": self.reconnects, "lost_s": round(self.lost_s, 3),
                "skipped_parts": self.skipped_parts}


class Source:
    """Base: subclasses implement :meth:`_connect_and_read`."""

    kind = "?"
    reconnect = True
    backoff_start_s = 0.1
    backoff_max_s = 2.0

    def __init__(self, location: str, fps_hint: float = 0.0, *, clock: Clock = SYSTEM) -> None:
        self.location = location
        self.fps_hint = fps_hint
        self.clock = clock
        self.stats = SourceStats()
        self._closed = threading.Event()
        self._index = 0
        self._last_digest: bytes | None = None
        self._last_t: float | None = None
        self._intervals: list[float] = []
        self._dropped_before = 0
        self._expected = 0.0
        self._period_first_t = 0.0
        self._period_count = 0
        self.connected = threading.Event()

    def describe(self) -> str:
        return f"{self.kind} {self.location}"

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def close(self) -> None:
        self._closed.set()

    # accounting ---------------------------------------------------------------
    def _make(self, data: Any, kind: str) -> Frame:
        now = self.clock.now()
        if kind == "jpeg":
            digest = hashlib.blake2b(data, digest_size=16).digest()
            if digest == self._last_digest:
                self.stats.duplicates += 1
            self._last_digest = digest
        if self._last_t is None:
            # a new connection: close the previous period's estimate
            self._dropped_before = self.stats.dropped
            self._period_first_t, self._period_count = now, 0
        else:
            self._intervals.append(now - self._last_t)
            if len(self._intervals) > 300:
                del self._intervals[0]
        self._period_count += 1
        if len(self._intervals) >= 10:
            # Frames arrive in bunches: compare the count with the time
            # spanned at the nominal rate instead of judging single gaps.
            if self.fps_hint:
                self._expected = 1.0 / self.fps_hint
            elif self._period_count % 15 == 0 or not self._expected:
                self._expected = _median(self._intervals)
            if self._expected > 0:
                span = now - self._period_first_t
                missing = max(0, round(span / self._expected) + 1 - self._period_count)
                self.stats.dropped = self._dropped_before + missing
        self._last_t = now
        frame = Frame(data, kind, now, self._index)
        self._index += 1
        self.stats.frames += 1
        return frame

    # the loop -----------------------------------------------------------------
    def frames(self) -> Iterator[Frame]:
        """Frames until :meth:`close`; reconnects with back-off in between."""
        delay = self.backoff_start_s
        lost_since: float | None = None
        first = True
        while not self.closed:
            try:
                self._last_t = None  # a new connection: the gap before it is a loss, not drops
                for frame in self._connect_and_read():
                    if lost_since is not None:
                        self.stats.lost_s += self.clock.now() - lost_since
                        lost_since = None
                    self.connected.set()
                    delay = self.backoff_start_s
                    first = False
                    yield frame
                    if self.closed:
                        return
                if not self.reconnect:
                    return
            except (OSError, http.client.HTTPException, MultipartError) as exc:
                self.stats.errors.append(str(exc))
                if first and not self.reconnect:
                    raise CaptureError(
                        _("Cannot read {where}: {error}").format(where=self.location, error=exc),
                        _("Check the address and that the camera app is running on the phone."),
                    ) from exc
            self.connected.clear()
            if self.closed:
                return
            if lost_since is None:
                lost_since = self.clock.now()
            self.stats.reconnects += 1
            self.clock.wait(self._closed, delay)
            delay = min(self.backoff_max_s, delay * 2)

    def _connect_and_read(self) -> Iterator[Frame]:  # pragma: no cover - abstract
        raise NotImplementedError


def _median(values: list[float]) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    return s[len(s) // 2]


def _http_get(url: str, timeout: float) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
    parts = urllib.parse.urlsplit(url)
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = cls(parts.hostname or "", parts.port, timeout=timeout)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    headers = {"User-Agent": "cagette", "Accept": "*/*"}
    if parts.username:
        import base64

        token = base64.b64encode(f"{urllib.parse.unquote(parts.username)}:"
                                 f"{urllib.parse.unquote(parts.password or '')}".encode()).decode()
        headers["Authorization"] = "Basic " + token
    conn.request("GET", path, headers=headers)
    resp = conn.getresponse()
    if resp.status != 200:
        conn.close()
        raise http.client.HTTPException(f"HTTP {resp.status} {resp.reason}")
    return conn, resp


class MjpegSource(Source):
    """``multipart/x-mixed-replace`` JPEG stream over HTTP (IP Webcam, DroidCam)."""

    kind = "mjpeg"

    def __init__(self, location: str, fps_hint: float = 0.0, timeout_s: float = 5.0, *,
                 clock: Clock = SYSTEM) -> None:
        super().__init__(location, fps_hint, clock=clock)
        self.timeout_s = timeout_s

    def _connect_and_read(self) -> Iterator[Frame]:
        conn, resp = _http_get(self.location, self.timeout_s)
        try:
            ctype = resp.getheader("Content-Type", "")
            if ctype.lower().startswith("image/jpeg"):
                # A single picture: this is a still-image URL.
                yield self._make(resp.read(), "jpeg")
                return
            parser = MultipartParser(boundary_from_content_type(ctype))
            while not self.closed:
                chunk = resp.read1(256 * 1024)
                if not chunk:
                    raise ConnectionResetError(_("the camera closed the stream"))
                for part in parser.feed(chunk):
                    yield self._make(part, "jpeg")
                self.stats.skipped_parts = parser.skipped
        finally:
            conn.close()


class StillSource(Source):
    """A still-image URL (``/shot.jpg``) polled at *fps*."""

    kind = "still"

    def __init__(self, location: str, fps: float = 5.0, timeout_s: float = 5.0, *, clock: Clock = SYSTEM) -> None:
        super().__init__(location, fps, clock=clock)
        self.fps = fps
        self.timeout_s = timeout_s

    def _connect_and_read(self) -> Iterator[Frame]:
        period = 1.0 / self.fps if self.fps > 0 else 0.0
        next_t = self.clock.now()
        parts = urllib.parse.urlsplit(self.location)
        conn: http.client.HTTPConnection | None = None
        try:
            while not self.closed:
                if conn is None:
                    conn, resp = _http_get(self.location, self.timeout_s)
                else:
                    path = parts.path + ("?" + parts.query if parts.query else "")
                    conn.request("GET", path, headers={"User-Agent": "cagette"})
                    resp = conn.getresponse()
                    if resp.status != 200:
                        raise http.client.HTTPException(f"HTTP {resp.status} {resp.reason}")
                body = resp.read()
                if body[:2] != b"\xff\xd8":
                    raise http.client.HTTPException("not a JPEG image")
                yield self._make(body, "jpeg")
                next_t += period
                wait = next_t - self.clock.now()
                if wait > 0:
                    self.clock.wait(self._closed, wait)
                else:
                    next_t = self.clock.now()
        finally:
            if conn is not None:
                conn.close()


class FileSource(Source):
    """A video file (tests, replays): raw frames, paced at the file's rate
    when *realtime*, looped when *loop*."""

    kind = "file"
    reconnect = False

    def __init__(self, location: str, realtime: bool = True, loop: bool = False, *, clock: Clock = SYSTEM) -> None:
        super().__init__(location, clock=clock)
        self.realtime = realtime
        self.loop = loop
        if not Path(location).is_file():
            raise CaptureError(_("The video file {path} does not exist.").format(path=location),
                               _("Check the path."))

    def _connect_and_read(self) -> Iterator[Frame]:
        import av

        while True:
            try:
                container = av.open(self.location)
            except av.FFmpegError as exc:
                raise CaptureError(_("Cannot open {path} as a video: {error}").format(path=self.location, error=exc),
                                   _("Give a video file that ffmpeg can read.")) from exc
            try:
                stream = container.streams.video[0]
                rate = float(stream.average_rate or 25)
                self.fps_hint = rate
                start = self.clock.now()
                for n, vf in enumerate(container.decode(stream)):
                    if self.closed:
                        return
                    if self.realtime:
                        wait = start + n / rate - self.clock.now()
                        if wait > 0:
                            self.clock.wait(self._closed, wait)
                    yield self._make(vf.to_ndarray(format="bgr24"), "raw")
            finally:
                container.close()
            if not self.loop or self.closed:
                return


class V4l2Source(Source):
    """A V4L2 device (``/dev/videoN``): USB webcams, a phone in USB webcam
    mode, DroidCam's loopback. Raw frames through OpenCV."""

    kind = "v4l2"

    def __init__(self, location: str, width: int = 0, height: int = 0, fps: float = 0.0) -> None:
        super().__init__(location, fps)
        self.width, self.height, self.fps = width, height, fps

    def _connect_and_read(self) -> Iterator[Frame]:  # pragma: no cover - needs a device
        import cv2

        cap = cv2.VideoCapture(self.location, cv2.CAP_V4L2)
        if not cap.isOpened():
            raise OSError(_("cannot open {device}").format(device=self.location))
        try:
            if self.width and self.height:
                cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
                cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
            if self.fps:
                cap.set(cv2.CAP_PROP_FPS, self.fps)
            self.fps_hint = cap.get(cv2.CAP_PROP_FPS) or self.fps
            while not self.closed:
                ok, img = cap.read()
                if not ok:
                    raise OSError(_("{device} stopped sending frames").format(device=self.location))
                yield self._make(img, "raw")
        finally:
            cap.release()


class FfmpegCopySource(Source):
    """A stream ffmpeg reads itself (``rtsp://``, ``rtmp://``, ``srt://``,
    an HTTP MPEG-TS stream). Recording copies its packets with the ffmpeg
    binary (``-c copy``, see :mod:`cagette.capture.recorder`); frames for the
    live view and stop-motion are decoded by PyAV."""

    kind = "stream"

    def __init__(self, location: str, timeout_s: float = 5.0) -> None:
        super().__init__(location)
        self.timeout_s = timeout_s

    def input_args(self) -> list[str]:
        args: list[str] = []
        if self.location.startswith("rtsp"):
            args += ["-rtsp_transport", "tcp", "-timeout", str(int(self.timeout_s * 1e6))]
        elif self.location.startswith(("http:", "https:")):
            args += ["-rw_timeout", str(int(self.timeout_s * 1e6))]
        return [*args, "-i", self.location]

    def _connect_and_read(self) -> Iterator[Frame]:
        import av

        options = {"rtsp_transport": "tcp"} if self.location.startswith("rtsp") else {}
        try:
            container = av.open(self.location, options=options, timeout=self.timeout_s)
        except av.FFmpegError as exc:
            raise OSError(str(exc)) from exc
        try:
            stream = container.streams.video[0]
            self.fps_hint = float(stream.average_rate or 0)
            for vf in container.decode(stream):
                if self.closed:
                    return
                yield self._make(vf.to_ndarray(format="bgr24"), "raw")
        except av.FFmpegError as exc:
            raise OSError(str(exc)) from exc
        finally:
            container.close()


def open_source(location: str, fps: float = 0.0) -> Source:
    """The right :class:`Source` for a URL, a device or a file."""
    loc = location.strip()
    lower = loc.lower()
    if lower.startswith(("http://", "https://")):
        path = urllib.parse.urlsplit(loc).path.lower()
        if path.endswith((".jpg", ".jpeg")) or "still" in urllib.parse.urlsplit(loc).query:
            return StillSource(loc, fps or 5.0)
        if path.endswith((".ts", ".m3u8", ".flv", ".mkv", ".mp4")):
            return FfmpegCopySource(loc)
        return MjpegSource(loc, fps)
    if lower.startswith(("rtsp://", "rtsps://", "rtmp://", "srt://", "udp://", "tcp://")):
        return FfmpegCopySource(loc)
    if loc.startswith("/dev/video") or loc.isdigit():
        dev = loc if not loc.isdigit() else f"/dev/video{loc}"
        return V4l2Source(dev, fps=fps)
    if Path(loc).is_file():
        return FileSource(loc)
    raise CaptureError(
        _("{source!r} is neither a camera URL, a /dev/video device nor a video file.").format(source=location),
        _("Examples: http://192.168.1.20:8080/video, rtsp://192.168.1.20:8554/live, /dev/video0, clip.mp4. "
          "Run `cagette capture sources` to list local cameras."),
    )


@dataclass(frozen=True)
class LocalDevice:
    path: str
    name: str


def list_devices() -> list[LocalDevice]:
    """V4L2 capture devices present on this machine (Linux), with their names."""
    found = []
    for dev in sorted(Path("/dev").glob("video*"), key=lambda p: (len(p.name), p.name)):
        name_file = Path("/sys/class/video4linux") / dev.name / "name"
        try:
            name = name_file.read_text(encoding="utf-8").strip()
        except OSError:
            name = ""
        found.append(LocalDevice(str(dev), name))
    return found


def local_addresses() -> list[str]:
    """This machine's LAN IPv4 addresses (the phone must reach one of them)."""
    addrs: set[str] = set()
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            addrs.add(str(info[4][0]))
    except OSError:
        pass
    try:
        # No packet is sent: connecting a UDP socket only picks the route.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))
            addrs.add(s.getsockname()[0])
    except OSError:
        pass
    return sorted(a for a in addrs if not a.startswith("127."))


@dataclass(frozen=True)
class Microphone:
    backend: str  # "pulse" | "alsa"
    device: str  # what --device takes
    name: str


def list_microphones(timeout_s: float = 3.0) -> list[Microphone]:
    """Audio inputs: PulseAudio/PipeWire sources (``pactl``), else ALSA cards (``arecord -l``)."""
    import shutil
    import subprocess

    found: list[Microphone] = []
    if shutil.which("pactl"):
        try:
            res = subprocess.run(["pactl", "list", "short", "sources"], capture_output=True, text=True,
                                 timeout=timeout_s)
        except (OSError, subprocess.TimeoutExpired):
            res = None
        if res is not None and res.returncode == 0:
            for line in res.stdout.splitlines():
                parts = line.split("\t")
                if len(parts) >= 2:
                    found.append(Microphone("pulse", parts[1], parts[1]))
            if found:
                return found
    if shutil.which("arecord"):
        try:
            res = subprocess.run(["arecord", "-l"], capture_output=True, text=True, timeout=timeout_s)
        except (OSError, subprocess.TimeoutExpired):
            return found
        import re

        for m in re.finditer(r"^card (\d+): [^\[]*\[([^\]]*)\], device (\d+):", res.stdout, re.MULTILINE):
            found.append(Microphone("alsa", f"hw:{m.group(1)},{m.group(3)}", m.group(2)))
    return found
