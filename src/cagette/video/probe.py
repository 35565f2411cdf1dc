"""What a media file really is, read with PyAV (never by parsing ffmpeg's log).

:func:`probe` opens the container, decodes the first video frame (so a
truncated or fake file is caught here, naming the file), and returns a
:class:`MediaInfo`: kind, duration, size, display rotation, frame rate,
variable frame rate, audio presence and rate, HDR transfer.

It is the one place that decides whether a file is a clip or a still
(:func:`shot_kind`), for import, :meth:`~cagette.video.project.Project.add_shot`,
``project check``, the render and the app alike. The decision comes from the
pictures the file really holds, never from its name or from the container's
frame count (Matroska and WebM leave it at 0, so a phone's MJPEG recording
looked like a photo): a picture stream that decodes to two pictures or more
is a clip; one that decodes to a single picture is a still, whatever the
container (a JPEG, a PNG, a HEIC photo, a one-frame MP4). Cover art inside a
sound file (an MP3's attached picture) is not a picture stream: the file is a
sound.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cagette.errors import MediaError
from cagette.i18n import _

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
    matrix: str = ""  # YUV matrix the picture is stored in: "bt709", "bt601", "bt2020", "rgb"; "" untagged
    full_range: bool = False  # YUV levels 0–255 (JPEG) rather than 16–235
    announced_s: float = 0.0  # a truncated clip: the duration its container claims (duration_s is what plays)

    @property
    def truncated(self) -> bool:
        return self.announced_s > self.duration_s

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
    if is_heif(path):
        return _probe_heif(path)
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


def _picture_stream(container: Any) -> Any:
    """The first video stream that is not cover art (an attached picture), or None."""
    from av.stream import Disposition

    for stream in container.streams.video:
        if not stream.disposition & Disposition.attached_pic:
            return stream
    return None


def _probe_open(path: Path, container: Any) -> MediaInfo:
    v = _picture_stream(container)
    astreams = list(container.streams.audio)
    audio = astreams[0] if astreams else None
    if v is None:
        if audio is None:
            raise _unreadable(path, _("no picture and no sound inside"))
        dur = _duration(container, audio)
        if dur <= 0:
            dur = _decode_duration(container, audio)
        return MediaInfo(path, "audio", dur, has_audio=True, audio_rate=audio.rate or 0,
                         audio_channels=audio.channels or 0, codec=audio.codec_context.name)
    codec = v.codec_context.name
    pictures = container.decode(v)
    frame = next(pictures, None)
    if frame is None:
        raise _unreadable(path, _("no picture could be decoded"))
    rotation = round(-float(getattr(frame, "rotation", 0) or 0)) % 360
    rotation = min((0, 90, 180, 270), key=lambda r: min(abs(r - rotation), 360 - abs(r - rotation)))
    dur = _duration(container, v)
    if next(pictures, None) is None:  # a single picture: a still, whatever the container
        rate = float(v.average_rate or v.guessed_rate or 0)
        if dur > 0.5 and rate and dur > 2 / rate:  # it announces more than the one picture it holds
            raise _unreadable(path, _("it holds only part of its {d:.1f} s (truncated copy)").format(d=dur))
        return MediaInfo(path, "image", 0.0, frame.width, frame.height, rotation, codec=codec)
    if dur <= 0:
        dur = _demux_duration(path, v.index)
    if dur <= 0:
        raise _unreadable(path, _("its duration is unknown"))
    avg = float(v.average_rate or 0)
    base = float(v.base_rate or v.guessed_rate or 0)
    vfr = bool(avg and base and abs(avg - base) / base > 0.05)
    transfer = str(getattr(frame, "color_trc", "") or "").lower()
    plays = _decodable_end(container, v, dur)
    return MediaInfo(
        path, "video", min(dur, plays), frame.width, frame.height, rotation, avg or base, vfr,
        audio is not None, (audio.rate or 0) if audio else 0, (audio.channels or 0) if audio else 0, codec,
        any(t in transfer for t in HDR_TRANSFERS) or transfer in ("16", "18"),
        *_colour(frame), announced_s=dur if plays < dur - 0.1 else 0.0,
    )


def shot_kind(info: MediaInfo) -> str:
    """``clip`` for a video, ``still`` for a single picture; refuses a sound, naming the file."""
    if info.kind == "video":
        return "clip"
    if info.kind == "image":
        return "still"
    raise MediaError(_("{file} is a sound, not a video or a photo.").format(file=info.path),
                     _("Use it as a scene's voice-over or as the music."))


def _detail(exc: BaseException) -> str:
    return str(getattr(exc, "strerror", None) or exc).split(": '")[0]


def _duration(container: Any, stream: Any) -> float:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return float(container.duration) / 1_000_000
    return 0.0


def _decode_duration(container: Any, stream: Any) -> float:
    end = 0.0
    container.seek(0)
    for frame in container.decode(stream):
        if frame.pts is not None and frame.time_base is not None:
            end = float(frame.pts * frame.time_base) + frame.samples / (frame.sample_rate or 1)
    return end


def _demux_duration(path: Path, index: int) -> float:
    """The end of the last packet of stream *index*, read without decoding (a file that announces no duration)."""
    import av

    end = 0.0
    with av.open(str(path)) as container:
        stream = container.streams[index]
        for packet in container.demux(stream):
            if packet.pts is not None and packet.time_base is not None:
                end = max(end, float((packet.pts + (packet.duration or 0)) * packet.time_base))
    return end


def _colour(frame: Any) -> tuple[str, bool]:
    """The YUV matrix and range a decoded picture is stored in (from its tags; "" when untagged)."""
    space = int(getattr(frame, "colorspace", 2) or 2)
    fmt = frame.format.name
    matrix = {0: "rgb", 1: "bt709", 5: "bt601", 6: "bt601", 9: "bt2020", 10: "bt2020"}.get(space, "")
    if fmt.startswith(("rgb", "bgr", "gbr", "argb", "abgr", "pal8", "gray")):
        matrix = "rgb"
    full = int(getattr(frame, "color_range", 0) or 0) == 2 or fmt.startswith("yuvj")
    return matrix, full


def _decodable_end(container: Any, stream: Any, duration_s: float) -> float:
    """Where the picture really stops: the end of the last whole packet that can be read.

    A copy cut short keeps its index (with ``+faststart`` the index comes first), so the container
    announces the full duration while the data stops earlier. The tail is read first (a seek to
    the last seconds); only a file whose tail is missing is read from the start."""
    tb = stream.time_base
    if tb is None or duration_s <= 0:
        return duration_s
    first = float(stream.start_time * tb) if stream.start_time is not None else 0.0
    frame_s = 1 / float(stream.average_rate or stream.guessed_rate or 25)
    end = _last_packet_end(container, stream, max(0.0, first + duration_s - 2.0))
    if end is not None and end >= first + duration_s - 2 * frame_s:
        return duration_s
    end = _last_packet_end(container, stream, None)
    return max(0.0, (end or 0.0) - first)


def _last_packet_end(container: Any, stream: Any, seek_s: float | None) -> float | None:
    import av

    tb = stream.time_base
    end: float | None = None
    try:
        container.seek(int((seek_s or 0.0) / tb) if seek_s else 0, stream=stream, backward=True, any_frame=False)
        for packet in container.demux(stream):
            if packet.size == 0 or packet.pts is None or packet.is_corrupt:
                continue
            stop = float((packet.pts + (packet.duration or 0)) * tb)
            end = stop if end is None else max(end, stop)
    except av.error.FFmpegError:
        pass  # the data stops here: what was read is what plays
    return end


HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif")


def is_heif(path: Path) -> bool:
    """A HEIF/HEIC (or AVIF) still, from its first bytes (an ``ftyp`` box with an image brand)."""
    try:
        with open(path, "rb") as f:
            head = f.read(32)
    except OSError:
        return False
    return len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS


def _probe_heif(path: Path) -> MediaInfo:
    """A HEIC/HEIF photo, read with libheif (pillow-heif): grids of tiles and rotations included."""
    import pillow_heif

    try:
        heif = pillow_heif.open_heif(str(path), convert_hdr_to_8bit=True)
        size = heif.size  # upright: libheif applies the picture's own rotation and mirror
    except (ValueError, OSError, RuntimeError) as exc:
        raise _unreadable(path, str(exc)[:120]) from None
    return MediaInfo(path, "image", 0.0, size[0], size[1], 0, codec="heif", matrix="rgb", full_range=True)
