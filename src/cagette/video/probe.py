"""What a media file really is, read with PyAV (never by parsing ffmpeg's log).

:func:`probe` opens the container, decodes the first video frame (so a
truncated or fake file is caught here, naming the file), and returns a
:class:`MediaInfo`: kind, duration, size, display rotation, frame rate,
variable frame rate, audio presence and rate, HDR transfer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cagette.errors import MediaError
from cagette.i18n import _

IMAGE_CODECS = {"mjpeg", "png", "webp", "bmp", "tiff", "hevc_image", "heif", "gif", "jpegls", "jpeg2000"}
HDR_TRANSFERS = {"smpte2084", "arib-std-b67"}


@dataclass(frozen=True)
class MediaInfo:
    path: Path
    kind: str  # "video", "image" or "audio"
    duration_s: float  # 0 for an image
    width: int = 0  # as stored (before rotation)
    height: int = 0
    rotation: int = 0  # clockwise degrees to display it upright (0, 90, 180, 270)
    fps: float = 0.0
    vfr: bool = False
    has_audio: bool = False
    audio_rate: int = 0
    audio_channels: int = 0
    codec: str = ""
    hdr: bool = False

    @property
    def display_size(self) -> tuple[int, int]:
        """Width and height once rotated upright."""
        if self.rotation in (90, 270):
            return self.height, self.width
        return self.width, self.height

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["path"] = str(self.path)
        return d


def _unreadable(path: Path, detail: str) -> MediaError:
    return MediaError(
        _("{file} cannot be read as a video, photo or sound: {detail}.").format(file=path, detail=detail),
        _("The file may be truncated (copy it again from the phone) or not a media file; remove it from the project."),
    )


def probe(path: Path) -> MediaInfo:
    """Probe *path*; raises :class:`MediaError` naming the file when it is not usable media."""
    import av

    path = Path(path)
    if not path.is_file():
        raise MediaError(_("{file} is missing.").format(file=path),
                         _("Put the file back, or remove the shot that uses it."))
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError, UnicodeDecodeError) as exc:
        raise _unreadable(path, _detail(exc)) from None
    try:
        return _probe_open(path, container)
    except av.error.FFmpegError as exc:
        raise _unreadable(path, _detail(exc)) from None
    finally:
        container.close()


def _probe_open(path: Path, container: Any) -> MediaInfo:
    vstreams = list(container.streams.video)
    astreams = list(container.streams.audio)
    audio = astreams[0] if astreams else None
    if not vstreams:
        if audio is None:
            raise _unreadable(path, _("no picture and no sound inside"))
        dur = _duration(container, audio)
        if dur <= 0:
            dur = _decode_duration(container, audio)
        return MediaInfo(path, "audio", dur, has_audio=True, audio_rate=audio.rate or 0,
                         audio_channels=audio.channels or 0, codec=audio.codec_context.name)
    v = vstreams[0]
    codec = v.codec_context.name
    frame = next(iter(container.decode(video=0)), None)
    if frame is None:
        raise _unreadable(path, _("no picture could be decoded"))
    rotation = round(-float(getattr(frame, "rotation", 0) or 0)) % 360
    rotation = min((0, 90, 180, 270), key=lambda r: min(abs(r - rotation), 360 - abs(r - rotation)))
    fmt = getattr(container.format, "name", "")
    is_image = codec in IMAGE_CODECS and ("image2" in fmt or "_pipe" in fmt or (v.frames or 0) <= 1)
    if is_image:
        return MediaInfo(path, "image", 0.0, frame.width, frame.height, rotation, codec=codec)
    dur = _duration(container, v)
    if dur <= 0:
        raise _unreadable(path, _("its duration is unknown"))
    avg = float(v.average_rate or 0)
    base = float(v.base_rate or v.guessed_rate or 0)
    vfr = bool(avg and base and abs(avg - base) / base > 0.05)
    transfer = str(getattr(frame, "color_trc", "") or "").lower()
    _check_tail(path, container, v, dur)
    return MediaInfo(
        path, "video", dur, frame.width, frame.height, rotation, avg or base, vfr,
        audio is not None, (audio.rate or 0) if audio else 0, (audio.channels or 0) if audio else 0, codec,
        any(t in transfer for t in HDR_TRANSFERS) or transfer in ("16", "18"),
    )


def _detail(exc: BaseException) -> str:
    return str(getattr(exc, "strerror", None) or exc).split(": '")[0]


def _duration(container: Any, stream: Any) -> float:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / 1_000_000
    return 0.0


def _decode_duration(container: Any, stream: Any) -> float:
    end = 0.0
    container.seek(0)
    for frame in container.decode(stream):
        if frame.pts is not None and frame.time_base is not None:
            end = float(frame.pts * frame.time_base) + frame.samples / (frame.sample_rate or 1)
    return end


def _check_tail(path: Path, container: Any, stream: Any, duration_s: float) -> None:
    """Refuse a file whose data stops well before its announced duration (a truncated copy)."""
    size = path.stat().st_size
    bitrate = container.bit_rate or 0
    if bitrate and duration_s > 1 and size * 8 < 0.5 * bitrate * duration_s:
        raise _unreadable(path, _("it holds only part of its {d:.1f} s (truncated copy)").format(d=duration_s))
