"""Sound as it comes: any audio file read one way, voice-overs converted once, and the mix's filters.

A voice-over may arrive as a WAV of any sample format (16/24/32-bit integer,
32/64-bit float, ``WAVE_FORMAT_EXTENSIBLE``), any rate, mono or stereo, or as
MP3, AAC/M4A, Opus, Ogg Vorbis or FLAC. :func:`stage_voice` converts it once,
when it is set, to the project's voice format (WAV, 16-bit, 48 kHz, mono);
:func:`decode_mono` reads any of them (PyAV) for speech detection, so a file
put in ``audio/`` by hand works too. Music is kept as it came: ffmpeg decodes
it during the render.

The mix's filters live here too: the voice clean-up (a high-pass under the
voice and a light spectral denoise) and the ducking envelope, a gain drawn
from the speech segments, so the music lies exactly ``duck_db`` lower while
someone speaks.
"""

from __future__ import annotations

import subprocess
import wave
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cagette.errors import MediaError
from cagette.i18n import _

VOICE_RATE = 48000
MAX_DECODE_S = 4 * 3600  # a voice-over longer than this is not read for speech detection
DUCK_ATTACK_S = 0.12  # the music is down by the time the voice starts
DUCK_RELEASE_S = 0.45  # and comes back up after it stops
HIGHPASS_HZ = 80  # below the lowest voice; takes away hum, handling noise and wind rumble
HIGHPASS = f"highpass=f={HIGHPASS_HZ}:poles=2,highpass=f={HIGHPASS_HZ}:poles=2"  # 4th order: −16 dB at 50 Hz
DENOISE_DB = 10  # "light": at most this much less noise


def cleanup(noise_db: float | None) -> str:
    """The voice clean-up: a 4th-order high-pass (about −16 dB at 50 Hz mains hum, −3 dB at 100 Hz),
    then a spectral denoise set on the recording's own noise floor (a floor given to ffmpeg's ``afftdn``
    far from the real one removes almost nothing)."""
    if noise_db is None:
        return HIGHPASS
    floor = round(min(-30.0, max(-80.0, noise_db)))
    return f"{HIGHPASS},afftdn=nr={DENOISE_DB}:nf={floor}"


def _ffmpeg() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def is_voice_format(path: Path) -> bool:
    """True for a WAV already in the voice format (16-bit PCM, 48 kHz, mono): it is copied as it is."""
    try:
        with wave.open(str(path), "rb") as wf:
            return wf.getsampwidth() == 2 and wf.getframerate() == VOICE_RATE and wf.getnchannels() == 1 \
                and wf.getnframes() > 0
    except (OSError, EOFError, wave.Error):
        return False


def convert_voice(src: Path, dst: Path) -> Path:
    """Decode *src* (any audio ffmpeg reads) into *dst*: WAV, 16-bit, 48 kHz, mono."""
    if not Path(src).is_file():
        raise MediaError(_("{file} does not exist or is not a file.").format(file=src),
                         _("Check the path of the file to add."))
    dst.parent.mkdir(parents=True, exist_ok=True)
    cmd = [_ffmpeg(), "-nostdin", "-v", "error", "-y", "-i", str(src), "-vn", "-ac", "1", "-ar", str(VOICE_RATE),
           "-c:a", "pcm_s16le", "-f", "wav", str(dst)]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode or not is_voice_format(dst):
        dst.unlink(missing_ok=True)
        raise MediaError(_("Cannot read the audio file {file}: {error}").format(
            file=src, error=res.stderr.strip()[-300:] or _("no sound inside")),
            _("Record it again, or export it as WAV or MP3."))
    return dst


def decode_mono(path: Path, rate: int = 16000, max_s: float = MAX_DECODE_S) -> tuple[int, Any]:
    """The first audio stream of *path* as mono float32 samples in [-1, 1] at *rate* Hz (PyAV)."""
    import av
    import numpy as np

    parts: list[Any] = []
    total = 0
    limit = int(max_s * rate)
    with av.open(str(path)) as container:
        if not container.streams.audio:
            return rate, np.zeros(0, "float32")
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        for frame in container.decode(stream):
            for out in resampler.resample(frame):
                parts.append(out.to_ndarray().reshape(-1))
                total += parts[-1].size
            if total >= limit:
                break
        for out in resampler.resample(None):
            parts.append(out.to_ndarray().reshape(-1))
    data = np.concatenate(parts) if parts else np.zeros(0, "float32")
    return rate, data[:limit].astype("float32")


def duck_gain(spans: Sequence[tuple[float, float]], depth_db: float) -> str:
    """A ``volume`` expression (of ``t``): 1 outside *spans*, ``depth_db`` inside, with short ramps."""
    if not spans or depth_db >= 0:
        return "1"
    g = 10 ** (-abs(depth_db) / 20)
    terms = []
    for a, b in _merge(spans):
        terms.append(f"clip((t-{a - DUCK_ATTACK_S:.3f})/{DUCK_ATTACK_S},0,1)*clip(({b + DUCK_RELEASE_S:.3f}-t)"
                     f"/{DUCK_RELEASE_S},0,1)")
    return f"1-{1 - g:.6f}*clip({'+'.join(terms)},0,1)"


def _merge(spans: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Spans closer than a ramp merged (the music does not bob up between two words)."""
    out: list[tuple[float, float]] = []
    for a, b in sorted(spans):
        if out and a - out[-1][1] < DUCK_ATTACK_S + DUCK_RELEASE_S:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def fades(duration_s: float, fade_in_s: float, fade_out_s: float) -> str:
    """``afade`` filters for a music bed (empty when both are 0); each fade takes at most a third."""
    parts = []
    fi, fo = min(fade_in_s, duration_s / 3), min(fade_out_s, duration_s / 3)
    if fi > 0:
        parts.append(f"afade=t=in:st=0:d={fi:.3f}:curve=tri")
    if fo > 0:
        parts.append(f"afade=t=out:st={duration_s - fo:.3f}:d={fo:.3f}:curve=tri")
    return ",".join(parts)
