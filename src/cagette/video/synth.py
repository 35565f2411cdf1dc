"""Small synthetic media: coloured numbered frames, tones, speech, clips, paper shapes.

Used by the tests, the demo and the starter area, so nothing depends on
downloaded media. Every function writes one file and returns its path.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import wave
from collections.abc import Sequence
from pathlib import Path

from cagette import locations
from cagette.errors import MediaError
from cagette.i18n import _

PALETTE = [(220, 60, 50), (40, 140, 220), (60, 170, 90), (240, 190, 40), (150, 80, 200), (30, 180, 180)]


def colour(n: int) -> tuple[int, int, int]:
    return PALETTE[n % len(PALETTE)]


def frame_image(path: Path, number: int, size: tuple[int, int] = (320, 180),
                rgb: tuple[int, int, int] | None = None, text: str | None = None) -> Path:
    """A flat-colour image with a big number (or text) in the middle, and a white square in a corner.

    The corner square shows rotation and flips at a glance."""
    from PIL import Image, ImageDraw, ImageFont

    w, h = size
    img = Image.new("RGB", size, rgb or colour(number))
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(locations.font_path(bold=True)), max(8, h // 3))
    label = str(number) if text is None else text
    box = draw.textbbox((0, 0), label, font=font)
    draw.text(((w - box[2] + box[0]) / 2 - box[0], (h - box[3] + box[1]) / 2 - box[1]), label,
              fill=(255, 255, 255), font=font)
    s = max(4, min(w, h) // 8)
    draw.rectangle((2, 2, 2 + s, 2 + s), fill=(255, 255, 255))
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path)
    return path


def paper_shape(path: Path, kind: str = "circle", size: tuple[int, int] = (320, 180), seed: int = 0) -> Path:
    """A paper-like cut-out on a light stage: a shape with a shadow, on off-white paper texture."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter

    rng = np.random.default_rng(seed)
    w, h = size
    paper = (235 + rng.normal(0, 4, (h, w, 1))).clip(0, 255).astype("uint8").repeat(3, axis=2)
    img = Image.fromarray(paper)
    shadow = Image.new("L", size, 0)
    sd = ImageDraw.Draw(shadow)
    cx, cy, r = w // 2 + (seed * 13) % (w // 4) - w // 8, h // 2, min(w, h) // 4
    box = (cx - r, cy - r, cx + r, cy + r)
    shifted = (box[0] + 4, box[1] + 4, box[2] + 4, box[3] + 4)
    draw = ImageDraw.Draw(img)
    if kind == "circle":
        sd.ellipse(shifted, fill=90)
    elif kind == "square":
        sd.rectangle(shifted, fill=90)
    else:
        sd.polygon([(cx + 4, cy - r + 4), (cx + r + 4, cy + r + 4), (cx - r + 4, cy + r + 4)], fill=90)
    img.paste((90, 90, 90), mask=shadow.filter(ImageFilter.GaussianBlur(3)))
    fill = colour(seed)
    if kind == "circle":
        draw.ellipse(box, fill=fill)
    elif kind == "square":
        draw.rectangle(box, fill=fill)
    else:
        draw.polygon([(cx, cy - r), (cx + r, cy + r), (cx - r, cy + r)], fill=fill)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path)
    return path


def tone_wav(path: Path, duration_s: float, freq: float = 440.0, rate: int = 48000,
             amplitude: float = 0.3, channels: int = 1) -> Path:
    """A sine tone, 16-bit PCM."""
    import numpy as np

    n = round(duration_s * rate)
    t = np.arange(n) / rate
    y = (amplitude * np.sin(2 * math.pi * freq * t) * 32767).astype("<i2")
    if channels > 1:
        y = np.repeat(y[:, None], channels, axis=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as wf:
        wf.setnchannels(channels)
        wf.setsampwidth(2)
        wf.setframerate(rate)
        wf.writeframes(y.tobytes())
    return path


def music_wav(path: Path, duration_s: float, rate: int = 44100) -> Path:
    """A gentle chord progression (stereo), for a music bed."""
    import numpy as np

    n = round(duration_s * rate)
    t = np.arange(n) / rate
    chords = [(261.6, 329.6, 392.0), (220.0, 261.6, 329.6), (174.6, 220.0, 261.6), (196.0, 246.9, 293.7)]
    y = np.zeros(n)
    for i in range(math.ceil(duration_s / 2)):
        seg = (t >= 2 * i) & (t < 2 * i + 2)
        for f in chords[i % 4]:
            y[seg] += np.sin(2 * math.pi * f * t[seg])
    y = 0.12 * y * (0.6 + 0.4 * np.sin(2 * math.pi * 0.5 * t) ** 2)
    data = (np.stack([y, y], axis=1) * 32767).astype("<i2")
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as wf:
        wf.setnchannels(2)
        wf.setsampwidth(2)
        wf.setframerate(rate)
        wf.writeframes(data.tobytes())
    return path


def speech_wav(path: Path, text: str, lang: str = "fr", speed_wpm: int = 150, pad_s: float = 0.0) -> Path:
    """Speech from espeak-ng (22050 Hz mono), optionally padded with *pad_s* of silence at both ends."""
    exe = shutil.which("espeak-ng") or shutil.which("espeak")
    if not exe:
        raise MediaError(_("espeak-ng is not installed."), _("Install it (Debian: apt install espeak-ng)."))
    path.parent.mkdir(parents=True, exist_ok=True)
    res = subprocess.run([exe, "-v", lang, "-s", str(speed_wpm), "-w", str(path), text],
                         capture_output=True, text=True)
    if res.returncode:
        raise MediaError(_("espeak-ng failed: {error}").format(error=res.stderr.strip()),
                         _("Check the voice {lang} is installed.").format(lang=lang))
    if pad_s > 0:
        with wave.open(str(path), "rb") as rf:
            params = rf.getparams()
            frames = rf.readframes(rf.getnframes())
        silence = b"\x00" * (int(params.framerate * pad_s) * params.sampwidth * params.nchannels)
        with wave.open(str(path), "wb") as wf:
            wf.setparams(params)
            wf.writeframes(silence + frames + silence)
    return path


def wav_duration(path: Path) -> float:
    with wave.open(str(path), "rb") as rf:
        return rf.getnframes() / rf.getframerate()


def clip(path: Path, duration_s: float, size: tuple[int, int] = (320, 180), fps: float = 25, *,
         number: int = 1, audio_rate: int | None = 48000, freq: float = 440.0, rotation: int = 0,
         vfr: bool = False, codec: str = "libx264", extra: Sequence[str] = (), hdr: bool = False) -> Path:
    """A test clip: moving colour bars (testsrc2) with a number, and a tone (or no audio).

    ``rotation`` writes phone-style display-matrix metadata; ``vfr`` drops frames irregularly."""
    import imageio_ffmpeg

    w, h = size
    font = locations.font_path(bold=True).as_posix().replace(":", r"\:")
    vf = (f"drawtext=fontfile='{font}':text='{number}':fontsize={h // 3}:fontcolor=white:"
          f"x=(w-text_w)/2:y=(h-text_h)/2:box=1:boxcolor={'#{:02x}{:02x}{:02x}'.format(*colour(number))}")
    if vfr:
        vf += ",select='not(eq(mod(n\\,5)\\,3))+not(eq(mod(n\\,7)\\,2))-1'"
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-v", "error", "-y",
           "-f", "lavfi", "-i", f"testsrc2=s={w}x{h}:r={fps}:d={duration_s}"]
    if audio_rate:
        cmd += ["-f", "lavfi", "-i", f"sine=f={freq}:r={audio_rate}:d={duration_s}"]
    if hdr:  # HEVC 10-bit tagged PQ / BT.2020, like an iPhone's HDR video
        cmd += ["-vf", vf, "-c:v", "libx265", "-preset", "ultrafast", "-pix_fmt", "yuv420p10le",
                "-x265-params", "log-level=error:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc", "-tag:v", "hvc1", "-color_primaries", "bt2020",
                "-color_trc", "smpte2084", "-colorspace", "bt2020nc"]
    else:
        cmd += ["-vf", vf, "-c:v", codec, "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    if vfr:
        cmd += ["-fps_mode", "vfr"]
    if audio_rate:
        cmd += ["-c:a", "aac", "-b:a", "96k"]
    cmd += [*extra, str(path)]
    path.parent.mkdir(parents=True, exist_ok=True)
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode:
        raise MediaError(_("Could not make the test clip {file}: {error}").format(file=path, error=res.stderr[-400:]),
                         _("Check the ffmpeg binary."))
    if rotation:
        _set_rotation(path, rotation)
    return path


def _set_rotation(path: Path, rotation: int) -> None:
    """Tag *path* with phone-style rotation metadata (a display matrix), without re-encoding."""
    import imageio_ffmpeg

    tmp = path.with_name(path.stem + ".rot" + path.suffix)
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-v", "error", "-y",
           "-display_rotation", str(-rotation % 360), "-i", str(path), "-c", "copy", str(tmp)]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode:
        raise MediaError(f"rotation tagging failed: {res.stderr[-300:]}")
    tmp.replace(path)
