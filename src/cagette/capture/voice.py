"""Voice-over: the microphone through the ffmpeg binary, with a level meter.

ffmpeg reads PulseAudio (``-f pulse``, PipeWire's pulse server too) or ALSA
(``-f alsa``) and writes raw 16-bit mono samples to a pipe; we measure their
level for the meter and write the WAV ourselves (atomically). The count-in
starts only once ffmpeg sends its first samples (its start-up and the sound
server's can take seconds) and is counted in samples, not on the clock, so
"Recording in 1" is followed by exactly one second of sound before the
recording starts, and the first word said after it is never cut; what the
microphone hears during the count-in is dropped.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import threading
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cagette.errors import CaptureError
from cagette.fsutil import atomic_writer
from cagette.i18n import _
from cagette.progress import Progress

RATE = 48000


@dataclass(frozen=True)
class VoiceResult:
    path: Path
    duration_s: float
    peak_dbfs: float
    rms_dbfs: float
    backend: str

    def to_dict(self) -> dict[str, object]:
        return {"path": str(self.path), "duration_s": round(self.duration_s, 3),
                "peak_dbfs": round(self.peak_dbfs, 1), "rms_dbfs": round(self.rms_dbfs, 1), "backend": self.backend}


def level_dbfs(samples: bytes) -> tuple[float, float]:
    """(peak, rms) in dBFS of 16-bit little-endian mono samples."""
    import numpy as np

    a = np.frombuffer(samples[: len(samples) // 2 * 2], "<i2").astype(np.float32)
    if a.size == 0:
        return -120.0, -120.0
    peak = float(np.max(np.abs(a))) / 32768.0
    rms = float(np.sqrt(np.mean(a * a))) / 32768.0
    return (20 * math.log10(peak) if peak > 0 else -120.0, 20 * math.log10(rms) if rms > 0 else -120.0)


def meter(dbfs: float, width: int = 30) -> str:
    """A text level bar: -60 dBFS empty, 0 dBFS full."""
    filled = max(0, min(width, round((dbfs + 60) / 60 * width)))
    return "█" * filled + "░" * (width - filled)


def _backend(requested: str) -> str:
    if requested in ("pulse", "alsa"):
        return requested
    if os.environ.get("PULSE_SERVER") or Path(os.environ.get("XDG_RUNTIME_DIR", "/nonexistent"), "pulse").exists():
        return "pulse"
    return "alsa"


def _command(backend: str, device: str) -> list[str]:
    import imageio_ffmpeg

    exe = imageio_ffmpeg.get_ffmpeg_exe()
    if backend == "alsa":
        # The bundled ffmpeg may lack ALSA input; the system one usually has it.
        exe = shutil.which("ffmpeg") or exe
    return [exe, "-hide_banner", "-loglevel", "error", "-nostdin", "-f", backend, "-i", device or "default",
            "-ac", "1", "-ar", str(RATE), "-f", "s16le", "-"]


def _read(proc: subprocess.Popen[bytes], size: int) -> bytes:
    """Up to *size* bytes of samples; the microphone stopping is an error naming what ffmpeg said."""
    assert proc.stdout is not None
    data = proc.stdout.read(size)
    if not data:
        err = proc.stderr.read().decode(errors="replace").strip() if proc.stderr else ""
        raise CaptureError(_("The microphone stopped: {error}").format(error=err[-300:] or "EOF"),
                           _("Check the microphone with `cagette capture sources`, or choose "
                             "another with --device."))
    return data


def record_voice(target: Path, *, duration_s: float | None = None, count_in: int = 3, backend: str = "auto",
                 device: str = "", stop: threading.Event | None = None, progress: Progress | None = None,
                 on_count: Callable[[int], None] | None = None,
                 on_level: Callable[[float, float], None] | None = None) -> VoiceResult:
    """Record the microphone into the WAV file *target* (mono, 48 kHz).

    Stops after *duration_s* or when *stop* is set; cancelling *progress*
    leaves nothing behind.
    """
    progress = progress or Progress()
    stop = stop or threading.Event()
    chosen = _backend(backend)
    cmd = _command(chosen, device)
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    except OSError as exc:
        raise CaptureError(_("Cannot start ffmpeg to record: {error}").format(error=exc),
                           _("Run `cagette doctor`.")) from exc
    assert proc.stdout is not None
    chunk_bytes = RATE // 20 * 2  # 50 ms
    peak_all, sum_sq, n_samples = -120.0, 0.0, 0
    try:
        first = _read(proc, chunk_bytes)  # the microphone is live: the count-in can start
        for n in range(count_in, 0, -1):  # one second of samples each, dropped
            if on_count:
                on_count(n)
            left = RATE * 2 - len(first)
            first = b""
            while left > 0:
                left -= len(_read(proc, min(chunk_bytes, left)))
                progress.check()
        progress.start(_("recording the voice-over"), duration_s, "s")
        started = time.monotonic()
        with atomic_writer(target, "wb") as fh, wave.open(fh, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(RATE)
            want = None if duration_s is None else int(duration_s * RATE) * 2
            got = 0
            while not stop.is_set():
                size = chunk_bytes if want is None else min(chunk_bytes, want - got)
                if size <= 0:
                    break
                data = first[:size] if first else _read(proc, size)  # without a count-in, the first samples
                first = first[len(data):]
                w.writeframes(data)
                got += len(data)
                peak, rms = level_dbfs(data)
                peak_all = max(peak_all, peak)
                import numpy as np

                a = np.frombuffer(data[: len(data) // 2 * 2], "<i2").astype(np.float64)
                sum_sq += float(np.sum(a * a))
                n_samples += a.size
                if on_level:
                    on_level(peak, rms)
                progress.update(time.monotonic() - started if duration_s else got / 2 / RATE,
                                f"{meter(peak, 20)} {peak:5.1f} dBFS")
        progress.finish()
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    rms_all = math.sqrt(sum_sq / n_samples) / 32768.0 if n_samples else 0.0
    return VoiceResult(target, n_samples / RATE, peak_all, 20 * math.log10(rms_all) if rms_all > 0 else -120.0,
                       chosen)
