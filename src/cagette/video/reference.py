"""The reference renderer: the same timeline drawn by composing moviepy clips.

It shares no filter code with :mod:`cagette.video.ffgraph`: pictures are
moviepy clips (``VideoFileClip``, ``ImageClip``, ``ImageSequenceClip``,
``TextClip``, ``ColorClip``) resized, rotated, positioned and composed by
moviepy. It is slow (Python compositing) and serves two purposes: tests
compare its frames with the ffmpeg render's at sampled times (so the fast
path cannot drift), and the app asks it for single-frame previews
(:func:`preview_frame`). Its sound is mixed without ducking or loudness
normalisation.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from cagette import locations
from cagette.video.timeline import CARD_RGB, LOWER_THIRD_S, Timeline, Visual


def _fit_size(size: tuple[int, int], w: int, h: int) -> tuple[int, int]:
    sw, sh = size
    scale = min(w / sw, h / sh)
    fw, fh = int(sw * scale) // 2 * 2 or 2, int(sh * scale) // 2 * 2 or 2
    if abs(fw - w) <= 1:
        fw = w
    if abs(fh - h) <= 1:
        fh = h
    return fw, fh


def _blurred_background(frame: Any, w: int, h: int) -> Any:
    import numpy as np
    from PIL import Image, ImageFilter

    img = Image.fromarray(frame)
    bw, bh = max(2, w // 8 // 2 * 2), max(2, h // 8 // 2 * 2)
    scale = max(bw / img.width, bh / img.height)
    small = img.resize((max(bw, math.ceil(img.width * scale)), max(bh, math.ceil(img.height * scale))))
    left, top = (small.width - bw) // 2, (small.height - bh) // 2
    small = small.crop((left, top, left + bw, top + bh)).filter(ImageFilter.BoxBlur(4)).filter(ImageFilter.BoxBlur(4))
    return np.asarray(small.resize((w, h), Image.Resampling.BILINEAR))


def _placed(clip: Any, v: Visual, w: int, h: int) -> Any:
    """A picture clip fitted into w×h: letterboxed, or over its own blurred copy."""
    from moviepy import ColorClip, CompositeVideoClip

    fw, fh = _fit_size((clip.w, clip.h), w, h)
    fg = clip.resized(new_size=(fw, fh)).with_position(((w - fw) // 2, (h - fh) // 2))
    if v.fill == "blur":
        bg = clip.image_transform(lambda f: _blurred_background(f, w, h))
        bg = bg.resized(new_size=(w, h))
    else:
        bg = ColorClip((w, h), color=(0, 0, 0)).with_duration(clip.duration)
    return CompositeVideoClip([bg, fg], size=(w, h)).with_duration(clip.duration)


def _rotated(clip: Any, clockwise: int) -> Any:
    return clip.rotated(-clockwise) if clockwise % 360 else clip


def _text(text: str, size: int, w: int, bg: tuple[int, int, int] | None = None) -> Any:
    from moviepy import TextClip

    return TextClip(font=str(locations.font_path(bold=True)), text=text, font_size=size, color="white",
                    bg_color=bg, text_align="center", method="label", margin=(size // 4, size // 4))


def visual_clip(v: Visual, w: int, h: int, fps: int) -> Any:
    """One piece of the timeline as a moviepy clip exactly ``v.duration_s`` long."""
    from moviepy import (
        ColorClip,
        CompositeVideoClip,
        ImageClip,
        ImageSequenceClip,
        VideoFileClip,
        concatenate_videoclips,
    )

    d = v.duration_s
    if v.kind == "card":
        bg = ColorClip((w, h), color=CARD_RGB).with_duration(d)
        lines = v.text.splitlines() or [""]
        size = max(8, min(h // 11, int(w / max(8, max(len(x) for x in lines)) * 1.6)))
        txt = _text(v.text or " ", size, w).with_duration(d).with_position("center")
        clip = CompositeVideoClip([bg, txt], size=(w, h)).with_duration(d)
    elif v.kind == "still":
        img = _rotated(ImageClip(str(v.source)), v.rotation)  # images are read as stored
        if v.ken_burns:
            cw, ch = int(math.ceil(w * 1.12 / 2) * 2), int(math.ceil(h * 1.12 / 2) * 2)
            scale = max(cw / img.w, ch / img.h)
            big = img.resized(new_size=(math.ceil(img.w * scale), math.ceil(img.h * scale)))
            ox, oy = (big.w - cw) // 2, (big.h - ch) // 2
            n = max(1, round(d * fps) - 1)

            def pos(t: float) -> tuple[int, int]:
                k = min(round(t * fps) / n, 1.0)
                return -(ox + math.floor((cw - w) * k)), -(oy + math.floor((ch - h) * k / 2))

            clip = CompositeVideoClip([big.with_duration(d).with_position(pos)], size=(w, h)).with_duration(d)
        else:
            clip = _placed(img.with_duration(d), v, w, h)
    elif v.kind == "frames":
        seq = ImageSequenceClip([str(f) for f in v.frames], fps=v.fps)
        seq = _rotated(seq, v.rotation)
        seq = _placed(seq, v, w, h)
        if seq.duration < d:
            last = seq.to_ImageClip(t=max(0.0, seq.duration - 1 / v.fps)).with_duration(d - seq.duration)
            seq = concatenate_videoclips([seq, last])
        clip = seq.with_duration(d)
    else:
        # moviepy's ffmpeg applies the file's rotation metadata, then scales to the size it was told:
        # give it the upright size, then apply only the difference the shot's override asks for.
        stored = v.size if v.rotation in (0, 180) else (v.size[1], v.size[0])
        upright = stored if v.meta_rotation in (0, 180) else (stored[1], stored[0])
        src = VideoFileClip(str(v.source), audio=False, target_resolution=upright)
        span = (v.duration_s - v.hold_s) * v.speed
        sub = src.subclipped(v.in_s, min(src.duration, v.in_s + span))
        if abs(v.speed - 1.0) > 1e-6:
            sub = sub.with_speed_scaled(v.speed)
        sub = _placed(_rotated(sub, v.rotation - v.meta_rotation), v, w, h)
        played = v.duration_s - v.hold_s
        if sub.duration < d - 1e-6:
            last_t = max(0.0, min(sub.duration, played) - 1 / fps)
            parts = [sub.with_duration(min(sub.duration, played)),
                     sub.to_ImageClip(t=last_t).with_duration(d - min(sub.duration, played))]
            sub = concatenate_videoclips(parts)
        clip = sub.with_duration(d)
    layers = [clip]
    if v.text and v.kind != "card":
        layers.append(_text(v.text, max(8, h // 14), w, (0, 0, 0)).with_duration(d)
                      .with_position(("center", h // 12)))
    if v.lower_third:
        layers.append(_text(v.lower_third, max(8, h // 20), w, CARD_RGB).with_duration(min(d, LOWER_THIRD_S))
                      .with_position((w // 20, h * 3 // 5)))
    if len(layers) > 1:
        clip = CompositeVideoClip(layers, size=(w, h)).with_duration(d)
    return clip


def timeline_clip(tl: Timeline) -> Any:
    """The whole timeline as one moviepy clip (picture; sound when the timeline has some)."""
    from moviepy import AudioFileClip, CompositeAudioClip, CompositeVideoClip, ImageClip, concatenate_videoclips, vfx

    w, h, fps = tl.width, tl.height, tl.fps
    layers = []
    for i, g in enumerate(tl.groups):
        clip = concatenate_videoclips([visual_clip(v, w, h, fps) for v in g.visuals])
        clip = clip.with_start(g.start_s).with_duration(g.duration_s)
        if i and tl.crossfade_s:
            clip = clip.with_effects([vfx.CrossFadeIn(tl.crossfade_s)])
        layers.append(clip)
    if tl.burn_captions:
        size = max(8, h // 18) if w >= h else max(8, w // 18)
        for c in tl.captions:
            txt = _text(c.text, size, w, (0, 0, 0)).with_start(c.start_s).with_duration(c.end_s - c.start_s)
            layers.append(txt.with_position(("center", h - txt.h - h // 14)))
    if tl.logo is not None:
        lh = max(8, h // 10 // 2 * 2)
        logo = ImageClip(str(tl.logo)).resized(height=lh)
        layers.append(logo.with_duration(tl.duration_s).with_position((w - logo.w - h // 30, h // 30)))
    video = CompositeVideoClip(layers, size=(w, h)).with_duration(tl.duration_s)
    if tl.fade_s > 0:
        video = video.with_effects([vfx.FadeIn(tl.fade_s), vfx.FadeOut(tl.fade_s)])
    sounds = []
    for a in tl.audio:
        snd = AudioFileClip(str(a.source))
        snd = snd.subclipped(a.in_s, min(snd.duration, a.in_s + a.duration_s * a.speed))
        if abs(a.speed - 1) > 1e-6:
            snd = snd.with_speed_scaled(a.speed)
        sounds.append(snd.with_volume_scaled(10 ** (a.gain_db / 20)).with_start(a.start_s))
    if tl.music is not None:
        from moviepy import afx

        music = AudioFileClip(str(tl.music.source))
        music = music.with_effects([afx.AudioLoop(duration=tl.duration_s)])
        sounds.append(music.with_volume_scaled(10 ** (tl.music.volume_db / 20)))
    if sounds:
        video = video.with_audio(CompositeAudioClip(sounds).with_duration(tl.duration_s))
    return video


def preview_frame(tl: Timeline, t: float, full: bool = False) -> Any:
    """The picture at *t* seconds, as an RGB numpy array (height × width × 3).

    By default only the piece shown at *t* is built (fast enough for an app's preview; no cross-fade,
    fade, logo or burned caption); ``full=True`` composes the whole timeline."""
    t = min(max(0.0, t), max(0.0, tl.duration_s - 1 / tl.fps))
    if not full:
        hit = tl.visual_at(t)
        if hit is not None:
            _group, visual, local = hit
            piece = visual_clip(visual, tl.width, tl.height, tl.fps)
            try:
                return piece.get_frame(min(local, max(0.0, visual.duration_s - 1 / tl.fps)))
            finally:
                piece.close()
    clip = timeline_clip(tl)
    try:
        return clip.get_frame(t)
    finally:
        clip.close()


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
