"""Recording a source into short segments, joined at the end.

* JPEG frames (MJPEG streams, still URLs) are appended, byte for byte, to
  ``seg_NNNNN.mjpeg`` with an index line per frame (offset, size, arrival
  time). Each write is flushed, and a segment is fsynced when it closes,
  so a lost connection or even a crash loses nothing already received. At
  the end the segments are muxed into one Matroska file with PyAV — packets
  copied, never re-encoded — with each frame at its arrival time.
* Raw frames (V4L2, files) are piped to the ffmpeg binary, encoded once to
  H.264 (``-preset fast``), one segment per connection; joined with the
  concat demuxer and ``-c copy``.
* :class:`FfmpegCopySource` streams (RTSP…) are copied by the ffmpeg binary
  itself (``-c copy -f segment``), restarted with back-off when the stream
  breaks, and joined the same way.

:class:`FrameHub` runs a source in its own thread and hands each frame to
the recorder's queue and to the latest-frame slot the live view reads, so a
slow preview never slows the recording.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import IO, Any

from cagette.capture.sources import FfmpegCopySource, Frame, Source, SourceStats
from cagette.errors import CaptureError
from cagette.i18n import _
from cagette.progress import Progress


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


class FrameHub:
    """Runs ``source.frames()`` in a thread; subscribers get every frame,
    :meth:`latest` gives the newest one (for the live view)."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self._subs: list[queue.Queue[Frame | None]] = []
        self._lock = threading.Lock()
        self._latest: Frame | None = None
        self._new = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None
        self.finished = threading.Event()
        self.live_since: float | None = None  # time.monotonic() of the first frame

    def subscribe(self) -> queue.Queue[Frame | None]:
        q: queue.Queue[Frame | None] = queue.Queue()
        with self._lock:
            self._subs.append(q)
        return q

    def unsubscribe(self, q: queue.Queue[Frame | None]) -> None:
        with self._lock:
            if q in self._subs:
                self._subs.remove(q)

    def latest(self) -> Frame | None:
        with self._lock:
            return self._latest

    def wait_new(self, after_index: int, timeout: float) -> Frame | None:
        """The newest frame with an index above *after_index* (waits up to *timeout*)."""
        deadline = time.monotonic() + timeout
        with self._new:
            while (self._latest is None or self._latest.index <= after_index) and not self.finished.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._new.wait(left)
            return self._latest if self._latest and self._latest.index > after_index else None

    def start(self) -> FrameHub:
        self._thread = threading.Thread(target=self._run, name=f"cagette-source-{self.source.kind}", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            for frame in self.source.frames():
                with self._new:
                    if self.live_since is None:
                        self.live_since = frame.time_s
                    self._latest = frame
                    subs = list(self._subs)
                    self._new.notify_all()
                for q in subs:
                    q.put(frame)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer thread
            self.error = exc
        finally:
            self.finished.set()
            with self._new:
                subs = list(self._subs)
                self._new.notify_all()
            for q in subs:
                q.put(None)

    def stop(self) -> None:
        self.source.close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> FrameHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass
class RecordResult:
    path: Path | None
    frames: int
    duration_s: float
    segments: int
    codec: str
    stats: SourceStats = field(default_factory=SourceStats)

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path) if self.path else None, "frames": self.frames,
                "duration_s": round(self.duration_s, 3), "segments": self.segments, "codec": self.codec,
                "source": self.stats.to_dict()}


class _JpegSegments:
    def __init__(self, work: Path, segment_s: float) -> None:
        self.work = work
        self.segment_s = segment_s
        self.count = 0
        self.frames = 0
        self._fh: IO[bytes] | None = None
        self._idx: IO[str] | None = None
        self._started = 0.0
        self._offset = 0
        self.size: tuple[int, int] | None = None

    def _open(self, now: float) -> None:
        self.count += 1
        stem = self.work / f"seg_{self.count:05d}"
        self._fh = open(stem.with_suffix(".mjpeg"), "wb")  # noqa: SIM115 - closed in _close
        self._idx = open(stem.with_suffix(".idx"), "w", encoding="ascii")  # noqa: SIM115
        self._started = now
        self._offset = 0

    def _close(self) -> None:
        for fh in (self._fh, self._idx):
            if fh is not None:
                fh.flush()
                os.fsync(fh.fileno())
                fh.close()
        self._fh = self._idx = None

    def add(self, frame: Frame, t0: float, new_segment: bool) -> None:
        if self._fh is None or new_segment or frame.time_s - self._started >= self.segment_s:
            self._close()
            self._open(frame.time_s)
        assert self._fh is not None and self._idx is not None
        data = frame.data
        if self.size is None:
            self.size = jpeg_size(data)
        self._fh.write(data)
        self._fh.flush()
        self._idx.write(f"{self._offset} {len(data)} {round((frame.time_s - t0) * 1000)}\n")
        self._idx.flush()
        self._offset += len(data)
        self.frames += 1

    def finish(self) -> None:
        self._close()


def read_jpeg_segments(work: Path) -> list[tuple[bytes, int]]:
    """Every (jpeg bytes, time ms) in the segments of *work*, in order.
    A last index line without its bytes (a crash mid-write) is ignored."""
    out: list[tuple[bytes, int]] = []
    for idx in sorted(work.glob("seg_*.idx")):
        data = idx.with_suffix(".mjpeg").read_bytes()
        for line in idx.read_text(encoding="ascii").splitlines():
            parts = line.split()
            if len(parts) != 3:
                continue
            off, size, t_ms = (int(p) for p in parts)
            if off + size <= len(data):
                out.append((data[off: off + size], t_ms))
    return out


def jpeg_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a JPEG's SOF marker, without decoding."""
    i = 2
    n = len(data)
    while i + 9 < n:
        if data[i] != 0xFF:
            i += 1
            continue
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
            i += 1 if marker == 0xFF else 2
            continue
        length = int.from_bytes(data[i + 2: i + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            h = int.from_bytes(data[i + 5: i + 7], "big")
            w = int.from_bytes(data[i + 7: i + 9], "big")
            return w, h
        i += 2 + length
    return None


def join_jpeg_segments(work: Path, target: Path, fps_hint: float = 30.0) -> int:
    """Mux the JPEG segments of *work* into the Matroska file *target*
    (packets copied as they are). Returns the number of frames."""
    import av

    frames = read_jpeg_segments(work)
    if not frames:
        raise CaptureError(_("No frame was received from the camera."),
                           _("Check the address, and that the phone's camera app is streaming."))
    size = jpeg_size(frames[0][0]) or (0, 0)
    with av.open(str(target), "w", format="matroska") as out:
        st = out.add_stream("mjpeg", rate=max(1, round(fps_hint or 30)))
        st.width, st.height = size
        st.pix_fmt = "yuvj420p"
        tb = Fraction(1, 1000)
        st.time_base = tb
        last = -1
        for data, t_ms in frames:
            t_ms = max(t_ms, last + 1)  # strictly increasing
            last = t_ms
            pkt = av.Packet(data)
            pkt.stream = st
            pkt.time_base = tb
            pkt.pts = pkt.dts = t_ms
            out.mux(pkt)
    return len(frames)


class _RawSegments:
    """Raw BGR frames piped to ffmpeg (H.264 fast), one process per segment."""

    def __init__(self, work: Path, fps: float) -> None:
        self.work = work
        self.fps = fps or 30.0
        self.count = 0
        self.frames = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._shape: tuple[int, ...] | None = None

    def add(self, frame: Frame, new_segment: bool) -> None:
        img = frame.data
        if self._proc is None or new_segment or img.shape != self._shape:
            self._close()
            self.count += 1
            h, w = img.shape[:2]
            self._shape = img.shape
            cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgr24",
                   "-s", f"{w}x{h}", "-r", f"{self.fps:g}", "-i", "-", "-c:v", "libx264", "-preset", "fast",
                   "-pix_fmt", "yuv420p", "-f", "matroska", str(self.work / f"seg_{self.count:05d}.mkv")]
            self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(img.tobytes())
        except BrokenPipeError as exc:
            err = self._proc.stderr.read().decode(errors="replace") if self._proc.stderr else ""
            raise CaptureError(_("The H.264 encoder stopped: {error}").format(error=err.strip() or exc),
                               _("Run `cagette doctor` to check ffmpeg.")) from exc
        self.frames += 1

    def _close(self) -> None:
        if self._proc is None:
            return
        _out, err = self._proc.communicate(timeout=120)  # closes stdin: the end of the segment
        if self._proc.returncode != 0:
            raise CaptureError(_("The H.264 encoder failed: {error}").format(error=err.decode(errors="replace")[-400:]),
                               _("Run `cagette doctor` to check ffmpeg."))
        self._proc = None

    def finish(self) -> None:
        self._close()


def concat_segments(segments: list[Path], target: Path) -> None:
    """Join segment files with ffmpeg's concat demuxer, ``-c copy``."""
    if not segments:
        raise CaptureError(_("No frame was received from the camera."),
                           _("Check the address, and that the camera is streaming."))
    listing = target.parent / f".{target.name}.concat.txt"
    listing.write_text("".join(f"file '{s.resolve()}'\n" for s in segments), encoding="utf-8")
    try:
        proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "concat", "-safe", "0",
                               "-i", str(listing), "-c", "copy", "-f", "matroska", str(target)],
                              capture_output=True, timeout=600)
    finally:
        listing.unlink(missing_ok=True)
    if proc.returncode != 0:
        raise CaptureError(_("Joining the recorded segments failed: {error}").format(
            error=proc.stderr.decode(errors="replace")[-400:]), _("The segments are kept in {work}.").format(
            work=segments[0].parent))


class Recorder:
    """Records one source into *work* (a scratch folder) then joins into *target*.

    Stop with :meth:`stop` (another thread), *duration_s*, or the progress's
    cancel token (then nothing is kept).
    """

    def __init__(self, source: Source, work: Path, segment_s: float = 2.0) -> None:
        self.source = source
        self.work = Path(work)
        self.segment_s = segment_s
        self._stop = threading.Event()
        self.hub: FrameHub | None = None
        self.frames = 0
        self.codec = "mjpeg"

    def stop(self) -> None:
        self._stop.set()

    def run(self, target: Path, duration_s: float | None = None, progress: Progress | None = None,
            on_hub: Callable[[FrameHub], None] | None = None) -> RecordResult:
        progress = progress or Progress()
        self.work.mkdir(parents=True, exist_ok=True)
        if isinstance(self.source, FfmpegCopySource):
            return self._run_ffmpeg_copy(target, duration_s, progress)
        hub = FrameHub(self.source)
        self.hub = hub
        q = hub.subscribe()
        hub.start()
        if on_hub:
            on_hub(hub)
        jpeg = _JpegSegments(self.work, self.segment_s)
        raw: _RawSegments | None = None
        t0: float | None = None
        start = time.monotonic()
        progress.start(_("recording"), duration_s, "s")
        last_reconnects = 0
        try:
            while True:
                now = time.monotonic()
                if self._stop.is_set() or (duration_s is not None and now - start >= duration_s):
                    break
                try:
                    frame = q.get(timeout=0.1)
                except queue.Empty:
                    progress.update(now - start if duration_s else self.frames, self._status())
                    continue
                if frame is None:
                    break
                if t0 is None:
                    t0 = frame.time_s
                new_segment = self.source.stats.reconnects != last_reconnects
                last_reconnects = self.source.stats.reconnects
                if frame.kind == "jpeg":
                    jpeg.add(frame, t0, new_segment)
                else:
                    if raw is None:
                        raw = _RawSegments(self.work, self.source.fps_hint)
                    self.codec = "h264"
                    raw.add(frame, new_segment)
                self.frames += 1
                progress.update(time.monotonic() - start if duration_s else self.frames, self._status())
        finally:
            hub.stop()
            jpeg.finish()
            if raw is not None:
                raw.finish()
        if isinstance(hub.error, CaptureError) and self.frames == 0:
            raise hub.error
        elapsed = time.monotonic() - start
        progress.check()
        progress.start(_("joining segments"))
        if raw is not None:
            segments = sorted(self.work.glob("seg_*.mkv"))
            concat_segments(segments, target)
            nseg = len(segments)
        else:
            join_jpeg_segments(self.work, target, self.source.fps_hint or _fps_from(self.work))
            nseg = jpeg.count
        progress.finish()
        return RecordResult(target, self.frames, elapsed, nseg, self.codec, self.source.stats)

    def _status(self) -> str:
        st = self.source.stats
        text = _("{n} frames").format(n=self.frames)
        if st.reconnects:
            text += " · " + _("{n} reconnections").format(n=st.reconnects)
        if not self.source.connected.is_set():
            text += " · " + _("waiting for the camera…")
        return text

    def _run_ffmpeg_copy(self, target: Path, duration_s: float | None, progress: Progress) -> RecordResult:
        src = self.source
        assert isinstance(src, FfmpegCopySource)
        self.codec = "copy"
        start = time.monotonic()
        delay = src.backoff_start_s
        run = 0
        progress.start(_("recording"), duration_s, "s")
        while not self._stop.is_set():
            left = None if duration_s is None else duration_s - (time.monotonic() - start)
            if left is not None and left <= 0:
                break
            run += 1
            cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *src.input_args(),
                   "-map", "0:v:0", "-map", "0:a?", "-c", "copy"]
            if left is not None:
                cmd += ["-t", f"{left:.3f}"]
            cmd += ["-f", "segment", "-segment_time", f"{self.segment_s:g}", "-segment_format", "matroska",
                    "-reset_timestamps", "1", str(self.work / f"seg_{run:03d}_%05d.mkv")]
            t_run = time.monotonic()
            proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
            try:
                while proc.poll() is None:
                    if self._stop.is_set() or progress.cancelled:
                        assert proc.stdin is not None
                        with contextlib.suppress(BrokenPipeError):
                            proc.stdin.write(b"q")
                            proc.stdin.close()
                        break
                    progress.update(time.monotonic() - start if duration_s else 0)
                    time.sleep(0.1)
                proc.wait(timeout=15)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            if time.monotonic() - t_run > 2 * src.backoff_max_s:
                delay = src.backoff_start_s
            if self._stop.is_set() or progress.cancelled:
                break
            if duration_s is not None and time.monotonic() - start >= duration_s - 0.2:
                break
            if proc.returncode != 0:
                src.stats.errors.append(err.strip()[-300:])
            src.stats.reconnects += 1
            self._stop.wait(delay)
            delay = min(src.backoff_max_s, delay * 2)
        progress.check()
        segments = [s for s in sorted(self.work.glob("seg_*.mkv")) if s.stat().st_size > 0]
        if not segments:
            detail = src.stats.errors[-1] if src.stats.errors else ""
            raise CaptureError(_("Nothing could be recorded from {where}. {detail}").format(
                where=src.location, detail=detail), _("Check the address and that the stream is running."))
        concat_segments(segments, target)
        frames = _count_frames(target)
        src.stats.frames = frames
        self.frames = frames
        progress.finish()
        return RecordResult(target, frames, time.monotonic() - start, len(segments), "copy", src.stats)


def _fps_from(work: Path) -> float:
    times = [t for _, t in read_jpeg_segments(work)[:200]]
    if len(times) < 2 or times[-1] == times[0]:
        return 30.0
    return 1000.0 * (len(times) - 1) / (times[-1] - times[0])


def _count_frames(path: Path) -> int:
    import av

    with av.open(str(path)) as c:
        return sum(1 for p in c.demux(c.streams.video[0]) if p.size)


def clean_work(work: Path) -> None:
    shutil.rmtree(work, ignore_errors=True)
