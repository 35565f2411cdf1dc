"""The reference renderer: the same timeline drawn frame by frame in Python, as a moviepy clip.

It shares no filter code with :mod:`cagette.video.ffgraph`: sources are
decoded with PyAV (pictures as stored, so a file's rotation is applied here,
once, like the shot asks), turned, fitted, panned, blurred, deflickered and
composed with numpy and Pillow, text drawn with Pillow from the timeline's
laid-out blocks; moviepy carries the result (a ``VideoClip`` with the sound)
to write a file. It is slow and serves two purposes: tests compare its frames
with the ffmpeg render's at sampled times (so the fast path cannot drift),
and the app can ask it for a single frame (:func:`preview_frame`). Its sound
is mixed without ducking or loudness normalisation.

The arithmetic follows ffmpeg's documented behaviour where it decides what a
frame shows: ``fps`` keeps the nearest earlier picture, ``pad``, ``crop`` and
Ken Burns offsets fall on even pixels (4:2:0 chroma), ``deflicker`` scales
the luma by the mean brightness of the next five pictures over its own.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Any

from cagette.video import text as textmod
from cagette.video.layout import TextBlock
from cagette.video.timeline import CARD_RGB, KEN_BURNS_ZOOM, LOWER_THIRD_S, Timeline, Visual, blur_radius

KR, KB = 0.2126, 0.0722  # BT.709 luma weights
DEFLICKER_SIZE = 5


def _even(x: int) -> int:
    return x & ~1


def _centre(size: int, crop: int) -> int:
    """Where ffmpeg's ``crop`` starts a centred window: (in − out)/2 rounded half to even, then even."""
    return _even(round((size - crop) / 2))


def _rescale(a: int, b: int, c: int) -> int:
    """a·b/c rounded to nearest (half away from zero), as ffmpeg's av_rescale."""
    return (a * b + c // 2) // c


def _image(path: Path) -> Any:
    import numpy as np
    from PIL import Image

    from cagette.video.probe import is_heif

    if is_heif(path):
        from pillow_heif import register_heif_opener

        register_heif_opener()
    with Image.open(path) as img:
        return np.asarray(img.convert("RGB"))


def _rotated(frame: Any, clockwise: int) -> Any:
    import numpy as np

    return np.rot90(frame, k=-(clockwise // 90) % 4) if clockwise % 360 else frame


def _resize(frame: Any, w: int, h: int, bilinear: bool = False) -> Any:
    import numpy as np
    from PIL import Image

    if frame.shape[1] == w and frame.shape[0] == h:
        return frame
    method = Image.Resampling.BILINEAR if bilinear else Image.Resampling.BICUBIC
    return np.asarray(Image.fromarray(np.ascontiguousarray(frame)).resize((w, h), method))


def _fit(frame: Any, v: Visual, w: int, h: int) -> Any:
    """Like ffmpeg's ``scale=…:force_original_aspect_ratio=decrease`` then ``pad`` (or over a blurred copy)."""
    import numpy as np
    from PIL import Image

    ih, iw = frame.shape[:2]
    fw, fh = min(w, _rescale(h, iw, ih)), min(h, _rescale(w, ih, iw))
    fg = _resize(frame, max(1, fw), max(1, fh))
    if v.fill == "blur":
        bw, bh = max(2, w // 8 // 2 * 2), max(2, h // 8 // 2 * 2)
        sw, sh = max(bw, _rescale(bh, iw, ih)), max(bh, _rescale(bw, ih, iw))
        small = _resize(frame, sw, sh)
        x0, y0 = _centre(sw, bw), _centre(sh, bh)
        small = _box_blur(small[y0:y0 + bh, x0:x0 + bw], blur_radius(bw, bh))
        out = np.array(Image.fromarray(small).resize((w, h), Image.Resampling.BILINEAR))
        x, y = _even((w - fg.shape[1]) // 2), _even((h - fg.shape[0]) // 2)  # overlay: truncated, even
    else:
        out = np.zeros((h, w, 3), "uint8")
        x, y = _even((w - fg.shape[1]) // 2), _even((h - fg.shape[0]) // 2)
    out[y:y + fg.shape[0], x:x + fg.shape[1]] = fg
    return out


def _box_blur(frame: Any, r: int, power: int = 2) -> Any:
    """ffmpeg's ``boxblur``: a (2r+1) box, *power* times across then *power* times down; its edges mirror
    the picture (without the edge pixel on the left and top, with it on the right and bottom)."""
    import numpy as np

    out = frame.astype("float32")
    for axis in (1, 0):
        for _ in range(power):
            n = out.shape[axis]
            left = np.take(out, range(r, 0, -1), axis=axis)
            right = np.take(out, range(n - 1, n - 1 - r, -1), axis=axis)
            padded = np.concatenate([left, out, right], axis=axis)
            c = np.cumsum(padded, axis=axis, dtype="float64")
            c = np.concatenate([np.zeros_like(np.take(c, [0], axis=axis)), c], axis=axis)
            hi = np.take(c, range(2 * r + 1, n + 2 * r + 1), axis=axis)
            lo = np.take(c, range(0, n), axis=axis)
            out = np.floor((hi - lo) / (2 * r + 1) + 0.5).astype("float32")
    return np.clip(out, 0, 255).astype("uint8")


def _ken_burns(frame: Any, n: int, v: Visual, w: int, h: int, fps: int) -> Any:
    ih, iw = frame.shape[:2]
    cw, ch = int(math.ceil(w * KEN_BURNS_ZOOM / 2) * 2), int(math.ceil(h * KEN_BURNS_ZOOM / 2) * 2)
    sw, sh = max(cw, _rescale(ch, iw, ih)), max(ch, _rescale(cw, ih, iw))
    big = _resize(frame, sw, sh)
    x0, y0 = _centre(sw, cw), _centre(sh, ch)
    total = max(1, round(v.duration_s * fps) - 1)
    k = min(n / total, 1.0)
    x, y = _even(math.floor((cw - w) * k)), _even(math.floor((ch - h) * k / 2))
    return big[y0 + y:y0 + y + h, x0 + x:x0 + x + w]


def _to_yuv(frame: Any) -> tuple[Any, Any, Any]:
    f = frame.astype("float32")
    y = KR * f[..., 0] + (1 - KR - KB) * f[..., 1] + KB * f[..., 2]
    return 16 + 219 * y / 255, (f[..., 2] - y) / (2 * (1 - KB)), (f[..., 0] - y) / (2 * (1 - KR))


def _from_yuv(y: Any, cb: Any, cr: Any) -> Any:
    import numpy as np

    luma = (y - 16) * 255 / 219
    r = luma + 2 * (1 - KR) * cr
    b = luma + 2 * (1 - KB) * cb
    g = (luma - KR * r - KB * b) / (1 - KR - KB)
    return np.clip(np.stack([r, g, b], axis=-1) + 0.5, 0, 255).astype("uint8")


def _luma_mean(frame: Any) -> float:
    return float(_to_yuv(frame)[0].round().mean())


def _deflickered(frames: list[Any], i: int) -> Any:
    """ffmpeg's ``deflicker`` (arithmetic mean of the next five pictures' brightness over this one's)."""
    import numpy as np

    lum = [_luma_mean(frames[min(j, len(frames) - 1)]) for j in range(i, i + DEFLICKER_SIZE)]
    f = (sum(lum) / DEFLICKER_SIZE) / max(lum[0], 1e-6)
    y, cb, cr = _to_yuv(frames[i])
    return _from_yuv(np.clip(np.round(y) * f, 0, 255), cb, cr)


def _draw(frame: Any, block: TextBlock | None) -> Any:
    """Draw a laid-out text: its box (alpha-blended), then each line at its baseline."""
    import numpy as np
    from PIL import Image, ImageDraw

    if block is None:
        return frame
    out = frame.astype("float32")
    if block.box_rgb is not None:
        a = block.area
        y0, y1, x0, x1 = max(0, a.y), min(out.shape[0], a.bottom), max(0, a.x), min(out.shape[1], a.right)
        out[y0:y1, x0:x1] = out[y0:y1, x0:x1] * (1 - block.box_alpha) + np.array(block.box_rgb) * block.box_alpha
    img = Image.fromarray(np.clip(out + 0.5, 0, 255).astype("uint8"))
    draw = ImageDraw.Draw(img)
    font = textmod.font(block.size, block.bold)
    for line in block.lines:
        if line.text:
            draw.text((line.x, line.baseline), line.text, font=font, fill=(255, 255, 255), anchor="ls")
    return np.asarray(img)


class _Clips:
    """Decoded pictures of the clips, a few at a time (PyAV, no automatic rotation)."""

    def __init__(self) -> None:
        self.cache: OrderedDict[tuple[Path, int], Any] = OrderedDict()

    def picture(self, v: Visual, n: int, fps: int) -> Any:
        """The picture the fast path shows at frame *n* of clip piece *v*: times count from ``in_s`` (its
        ``fps`` keeps the picture nearest before each frame's middle, the first one before any; the input
        stops 2 frames after the played span)."""
        import av

        played = v.duration_s - v.hold_s
        target = v.in_s + v.speed * (n + 0.5) / fps
        target = min(target, v.in_s + played * v.speed + 2 / fps)
        key = (v.source or Path(), round(target * 1e4))
        if key in self.cache:
            self.cache.move_to_end(key)
            return self.cache[key]
        colorspace = {"bt601": "ITU601", "bt709": "ITU709", "bt2020": "BT2020"}.get(v.matrix)
        best = None
        with av.open(str(v.source)) as c:
            stream = c.streams.video[0]
            c.seek(max(0, int(v.in_s / (stream.time_base or 1)) - 1), stream=stream, backward=True)
            for frame in c.decode(stream):
                t = float(frame.time or 0.0)
                if t < v.in_s - 1e-3:
                    continue
                if t >= target - 1e-9 and best is not None:
                    break
                best = frame
        if best is None:
            raise ValueError(f"no picture in {v.source} at {target:.3f} s")
        kwargs: dict[str, Any] = {"format": "rgb24"}
        if colorspace:
            kwargs.update(src_colorspace=colorspace, src_color_range="JPEG" if v.full_range else "MPEG")
        picture = best.to_ndarray(**kwargs)
        self.cache[key] = picture
        while len(self.cache) > 16:
            self.cache.popitem(last=False)
        return picture


class Reference:
    """Frames of a timeline, computed on demand."""

    def __init__(self, tl: Timeline) -> None:
        self.tl = tl
        self.clips = _Clips()
        self._sequences: dict[tuple[Path, ...], list[Any]] = {}

    def _sequence(self, v: Visual) -> list[Any]:
        if v.frames not in self._sequences:
            w, h = self.tl.width, self.tl.height
            self._sequences[v.frames] = [_fit(_rotated(_image(f), v.rotation), v, w, h) for f in v.frames]
        return self._sequences[v.frames]

    def piece(self, v: Visual, n: int) -> Any:
        """Frame *n* (0-based, counted from the piece's start) of one piece, its titles included."""
        import numpy as np

        w, h, fps = self.tl.width, self.tl.height, self.tl.fps
        if v.kind == "card":
            frame = np.empty((h, w, 3), "uint8")
            frame[:] = CARD_RGB
        elif v.kind == "still":
            img = _rotated(_still(v.source or Path()), v.rotation)
            frame = _ken_burns(img, n, v, w, h, fps) if v.ken_burns else _fit(img, v, w, h)
        elif v.kind == "frames":
            seq = self._sequence(v)
            i = min(len(seq) - 1, max(0, math.ceil((n + 0.5) * v.fps / fps) - 1))
            frame = _deflickered(seq, i) if v.deflicker and len(seq) > 2 else seq[i]
        else:
            frame = _fit(_rotated(self.clips.picture(v, n, fps), v.rotation), v, w, h)
        frame = _draw(frame, v.text_block)
        if n / fps < LOWER_THIRD_S:
            frame = _draw(frame, v.lower_block)
        return frame

    def group_frame(self, gi: int, n: int) -> Any:
        g = self.tl.groups[gi]
        for v in g.visuals:
            count = round(v.duration_s * self.tl.fps)
            if n < count:
                return self.piece(v, n)
            n -= count
        last = g.visuals[-1]
        return self.piece(last, round(last.duration_s * self.tl.fps) - 1)

    def frame(self, t: float) -> Any:
        """The whole composition at *t* seconds (RGB, height × width × 3)."""
        import numpy as np

        tl, fps = self.tl, self.tl.fps
        n = min(max(0, round(t * fps)), tl.frame_count - 1)
        t = n / fps
        gi = max(i for i, g in enumerate(tl.groups) if round(g.start_s * fps) <= n)
        frame = self.group_frame(gi, n - round(tl.groups[gi].start_s * fps)).astype("float32")
        if gi > 0 and tl.crossfade_s:
            g, prev = tl.groups[gi], tl.groups[gi - 1]
            p = min(1.0, max(0.0, (t - g.start_s) / tl.crossfade_s))
            if p < 1:
                before = self.group_frame(gi - 1, n - round(prev.start_s * fps)).astype("float32")
                frame = before * (1 - p) + frame * p
        out = np.clip(frame + 0.5, 0, 255).astype("uint8")
        if tl.logo is not None and tl.logo_rect is not None:
            out = _with_logo(out, tl.logo, tl.logo_rect.x, tl.logo_rect.y, tl.logo_rect.w, tl.logo_rect.h)
        for c in tl.burned:
            if c.start_s <= t <= c.end_s - 0.001:
                out = _draw(out, c.block)
        if tl.fade_s > 0:
            k = min(1.0, t / tl.fade_s, (tl.duration_s - t) / tl.fade_s)
            out = np.clip(out.astype("float32") * max(0.0, k) + 0.5, 0, 255).astype("uint8")
        return out


@lru_cache(maxsize=16)
def _still(path: Path) -> Any:
    return _image(path)


@lru_cache(maxsize=4)
def _logo(path: Path, w: int, h: int) -> Any:
    import numpy as np
    from PIL import Image

    with Image.open(path) as img:
        return np.asarray(img.convert("RGBA").resize((w, h), Image.Resampling.BICUBIC)).astype("float32")


def _with_logo(frame: Any, path: Path, x: int, y: int, w: int, h: int) -> Any:
    import numpy as np

    logo = _logo(path, w, h)
    alpha = logo[..., 3:4] / 255
    region = frame[y:y + h, x:x + w].astype("float32")
    out = frame.copy()
    out[y:y + h, x:x + w] = np.clip(region * (1 - alpha) + logo[..., :3] * alpha + 0.5, 0, 255).astype("uint8")
    return out


def timeline_clip(tl: Timeline) -> Any:
    """The whole timeline as one moviepy clip (picture; sound when the timeline has some)."""
    from moviepy import AudioFileClip, CompositeAudioClip, VideoClip, afx

    ref = Reference(tl)
    video = VideoClip(ref.frame, duration=tl.duration_s).with_fps(tl.fps)
    sounds = []
    for a in tl.audio:
        snd = AudioFileClip(str(a.source))
        snd = snd.subclipped(a.in_s, min(snd.duration, a.in_s + a.duration_s * a.speed))
        if abs(a.speed - 1) > 1e-6:
            snd = snd.with_speed_scaled(a.speed)
        sounds.append(snd.with_volume_scaled(10 ** (a.gain_db / 20)).with_start(a.start_s))
    if tl.music is not None:
        music = AudioFileClip(str(tl.music.source))
        music = music.with_effects([afx.AudioLoop(duration=tl.duration_s)])
        sounds.append(music.with_volume_scaled(10 ** (tl.music.volume_db / 20)))
    if sounds:
        video = video.with_audio(CompositeAudioClip(sounds).with_duration(tl.duration_s))
    return video


def preview_frame(tl: Timeline, t: float, full: bool = False) -> Any:
    """The picture at *t* seconds, as an RGB numpy array (height × width × 3).

    By default only the piece shown at *t* is drawn, with its own titles (no cross-fade, fade, logo
    or burned caption); ``full=True`` composes everything."""
    ref = Reference(tl)
    if full:
        return ref.frame(t)
    fps = tl.fps
    n = min(max(0, round(t * fps)), tl.frame_count - 1)
    gi = max(i for i, g in enumerate(tl.groups) if round(g.start_s * fps) <= n)
    return ref.group_frame(gi, n - round(tl.groups[gi].start_s * fps))


def render(tl: Timeline, out: Path, preset_crf: int = 23, x264_preset: str = "ultrafast") -> Path:
    """Write the reference render of *tl* (slow; for comparisons)."""
    clip = timeline_clip(tl)
    try:
        clip.write_videofile(str(out), fps=tl.fps, codec="libx264", preset=x264_preset,
                             ffmpeg_params=["-crf", str(preset_crf), "-pix_fmt", "yuv420p"],
                             audio_codec="aac", logger=None)
    finally:
        clip.close()
    return out
