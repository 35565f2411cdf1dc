"""The timeline: one immutable value saying what is shown and heard when.

:func:`gather` does the reading (probes every media file, lists frames,
finds the voice-over's speech segments); :func:`build` is pure: from the
project data, those facts and a preset it computes every segment's place,
the cards, captions, overlays and the audio plan. Both renderers (the ffmpeg
graph in :mod:`cagette.video.ffgraph` and the moviepy reference in
:mod:`cagette.video.reference`) draw this same value.

Durations are whole numbers of frames, so a render's length is exactly
known in advance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from cagette.errors import ProjectError
from cagette.i18n import _
from cagette.video.presets import Preset
from cagette.video.probe import MediaInfo, probe
from cagette.video.project import ProjectData, list_frames
from cagette.video.script import Caption, estimate_s, fix_timing, scene_captions, speech_segments

VOICE_TAIL_S = 0.5  # a scene lasts at least its voice-over plus this
DEFAULT_TITLE_S = 2.0
LOWER_THIRD_S = 3.5
CARD_RGB = (31, 42, 68)  # dark blue cards
CLIP_SOUND_UNDER_VOICE_DB = -12.0
BLUR_FILL_MIN_RATIO = 1.15  # aspect ratios further apart than this get a filled background


@dataclass(frozen=True)
class Visual:
    """A piece of picture, ``duration_s`` long on the timeline (a whole number of frames)."""

    kind: str  # "clip", "still", "frames", "card"
    duration_s: float
    source: Path | None = None
    in_s: float = 0.0  # clip: where it starts in the file
    speed: float = 1.0
    rotation: int = 0  # clockwise, applied to the stored picture (metadata or the shot's override)
    meta_rotation: int = 0  # what the file's own metadata says (players apply it by themselves)
    size: tuple[int, int] = (0, 0)  # picture size once rotated
    frames: tuple[Path, ...] = ()
    fps: float = 0.0  # frames: stop-motion rate
    ken_burns: bool = False
    text: str = ""  # card text, or a title drawn over the picture
    fill: str = "none"  # "blur", "bars" or "none" (same aspect)
    lower_third: str = ""  # shown for the first seconds of this piece
    hold_s: float = 0.0  # how much of duration_s holds the last picture
    hdr: bool = False  # a clip in HDR (PQ/HLG): tone-mapped to SDR BT.709


@dataclass(frozen=True)
class Group:
    """Pieces played back to back (a scene, a card); groups cross-fade into each other."""

    slug: str
    title: str
    start_s: float
    duration_s: float
    visuals: tuple[Visual, ...]


@dataclass(frozen=True)
class AudioItem:
    source: Path
    start_s: float  # on the timeline
    in_s: float  # in the file
    duration_s: float  # on the timeline
    speed: float = 1.0
    gain_db: float = 0.0
    role: str = "sound"  # "sound" (a clip's own), "voice"


@dataclass(frozen=True)
class MusicBed:
    source: Path
    volume_db: float
    duck_db: float


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    fps: int
    duration_s: float
    groups: tuple[Group, ...]
    crossfade_s: float
    fade_s: float
    audio: tuple[AudioItem, ...]
    music: MusicBed | None
    captions: tuple[Caption, ...]
    burn_captions: bool
    logo: Path | None
    loudness_lufs: float
    true_peak_db: float = -1.0
    title: str = ""
    language: str = "fr"
    transcript_scenes: tuple[tuple[str, str], ...] = ()
    footer: str = ""
    warnings: tuple[str, ...] = field(default=())

    @property
    def frame_count(self) -> int:
        return round(self.duration_s * self.fps)

    def visual_at(self, t: float) -> tuple[Group, Visual, float] | None:
        """The group, piece and local time shown at timeline time *t* (the later group during a cross-fade)."""
        for g in reversed(self.groups):
            if g.start_s <= t + 1e-9:
                local = t - g.start_s
                for v in g.visuals:
                    if local < v.duration_s - 1e-9:
                        return g, v, local
                    local -= v.duration_s
                return g, g.visuals[-1], g.visuals[-1].duration_s
        return None


@dataclass(frozen=True)
class Sources:
    """What :func:`gather` read from disk: media facts, frame lists, speech segments."""

    media: dict[Path, MediaInfo]
    frames: dict[str, tuple[Path, ...]]  # scene slug → its frame files
    speech: dict[str, tuple[tuple[float, float], ...]]  # scene slug → voice segments (voice-file seconds)


def gather(root: Path, data: ProjectData) -> Sources:
    """Probe every file the project uses (raises :class:`MediaError` naming a bad file)."""
    root = Path(root)
    media: dict[Path, MediaInfo] = {}
    frames: dict[str, tuple[Path, ...]] = {}
    speech: dict[str, tuple[tuple[float, float], ...]] = {}

    def need(rel: str) -> None:
        path = root / rel
        if path not in media:
            media[path] = probe(path)

    for sc in data.scenes:
        for sh in sc.shots:
            if sh.kind in ("clip", "still"):
                need(sh.source)
            elif sh.kind == "frames":
                files = tuple(list_frames(root / sh.source))
                frames[sh.source] = files
                if files:
                    need(str(files[0].relative_to(root)))
        if sc.voice:
            need(sc.voice)
            speech[sc.slug] = tuple(_speech(root / sc.voice))
    if data.music.source:
        need(data.music.source)
    if data.export.logo:
        need(data.export.logo)
    return Sources(media, frames, speech)


def _speech(path: Path) -> list[tuple[float, float]]:
    if path.suffix.lower() != ".wav":
        return []
    try:
        return speech_segments(path)
    except (OSError, EOFError, ValueError):
        return []


def _q(seconds: float, fps: int) -> float:
    """Round to a whole number of frames (at least one)."""
    return max(1, round(seconds * fps)) / fps


def _fill(size: tuple[int, int], w: int, h: int, mode: str) -> str:
    sw, sh = size
    if not sw or not sh:
        return "none"
    ratio = (sw / sh) / (w / h)
    if max(ratio, 1 / ratio) < BLUR_FILL_MIN_RATIO:
        return "none"
    return mode


def build(root: Path, data: ProjectData, sources: Sources, preset: Preset, *,
          words_per_minute: int = 130, burn_captions: bool | None = None) -> Timeline:
    """The timeline of *data* rendered with *preset* (pure: no file is read)."""
    root = Path(root)
    fps = preset.fps
    w, h = preset.width, preset.height
    ex = data.export
    xf = _q(ex.crossfade_s, fps) if ex.crossfade_s > 0 else 0.0
    groups: list[Group] = []
    audio: list[AudioItem] = []
    captions: list[Caption] = []
    warnings: list[str] = []
    t = 0.0

    def add_group(slug: str, title: str, visuals: list[Visual]) -> Group:
        nonlocal t
        start = t - xf if groups and xf else t
        dur = sum(v.duration_s for v in visuals)
        g = Group(slug, title, round(start, 6), round(dur, 6), tuple(visuals))
        groups.append(g)
        t = start + dur
        return g

    if ex.title_card:
        lines = [data.title] + ([data.organisation] if data.organisation else [])
        add_group("title-card", data.title, [Visual("card", _q(ex.title_card_s, fps), text="\n".join(lines))])

    for sc in data.scenes:
        visuals: list[Visual] = []
        sound: list[tuple[float, Visual, MediaInfo]] = []
        shot_caps: list[tuple[float, float, str]] = []
        for sh in sc.shots:
            local = sum(v.duration_s for v in visuals)
            if sh.kind == "title":
                vis = Visual("card", _q(sh.duration_s or DEFAULT_TITLE_S, fps), text=sh.title)
            elif sh.kind == "still":
                info = sources.media[root / sh.source]
                rot = sh.rotation if sh.rotation is not None else info.rotation
                size = (info.height, info.width) if rot in (90, 270) else (info.width, info.height)
                vis = Visual("still", _q(sh.duration_s or ex.still_s, fps), root / sh.source, rotation=rot,
                             meta_rotation=info.rotation,
                             size=size, ken_burns=sh.ken_burns, text=sh.title, fill=_fill(size, w, h, ex.portrait_fill))
            elif sh.kind == "frames":
                files = sources.frames.get(sh.source, ())
                if not files:
                    warnings.append(_("Scene {scene}: the frames folder {folder} is empty; skipped.").format(
                        scene=sc.slug, folder=sh.source))
                    continue
                info = sources.media[files[0]]
                rot = sh.rotation if sh.rotation is not None else info.rotation
                size = (info.height, info.width) if rot in (90, 270) else (info.width, info.height)
                rate = (sh.fps or ex.frames_fps) * sh.speed
                vis = Visual("frames", _q(len(files) / rate, fps), frames=files, fps=rate, rotation=rot, size=size,
                             meta_rotation=info.rotation,
                             text=sh.title, fill=_fill(size, w, h, ex.portrait_fill))
            else:  # clip
                info = sources.media[root / sh.source]
                rot = sh.rotation if sh.rotation is not None else info.rotation
                size = (info.height, info.width) if rot in (90, 270) else (info.width, info.height)
                start = min(sh.in_s, max(0.0, info.duration_s - 1 / fps))
                end = min(sh.out_s if sh.out_s is not None else info.duration_s, info.duration_s)
                if end <= start:
                    end = info.duration_s
                vis = Visual("clip", _q((end - start) / sh.speed, fps), root / sh.source, in_s=start, speed=sh.speed,
                             rotation=rot, meta_rotation=info.rotation, size=size, text=sh.title,
                             fill=_fill(size, w, h, ex.portrait_fill), hdr=info.hdr)
                if info.has_audio and 0.5 <= sh.speed <= 4:
                    sound.append((local, vis, info))
            if sh.caption:
                shot_caps.append((local, local + vis.duration_s, sh.caption))
            visuals.append(vis)
        voice_info = sources.media.get(root / sc.voice) if sc.voice else None
        need = (voice_info.duration_s + VOICE_TAIL_S) if voice_info else 0.0
        if not visuals:
            est = need or max(2.0, estimate_s(sc.script, words_per_minute))
            visuals.append(Visual("card", _q(est, fps), text=sc.title or sc.slug))
        have = sum(v.duration_s for v in visuals)
        if need > have + 1e-9:
            last = visuals[-1]
            extra = max(1, math.ceil((need - have) * fps - 1e-6)) / fps  # at least voice + tail
            visuals[-1] = replace(last, duration_s=last.duration_s + extra, hold_s=last.hold_s + extra)
        if sc.lower_third:
            first = visuals[0]
            visuals[0] = replace(first, lower_third=sc.lower_third)
        g = add_group(sc.slug, sc.title, visuals)
        has_voice = voice_info is not None
        for local, vis, _info in sound:
            audio.append(AudioItem(vis.source or Path(), g.start_s + local, vis.in_s,
                                   vis.duration_s - vis.hold_s, vis.speed,
                                   CLIP_SOUND_UNDER_VOICE_DB if has_voice else 0.0, "sound"))
        if voice_info is not None:
            audio.append(AudioItem(root / sc.voice, g.start_s, 0.0, min(voice_info.duration_s, g.duration_s),
                                   1.0, 0.0, "voice"))
        speech = [(g.start_s + a, g.start_s + b) for a, b in sources.speech.get(sc.slug, ())]
        end = g.start_s + g.duration_s - (xf if xf else 0.0)
        caps = scene_captions(sc.script, g.start_s, max(end, g.start_s + 0.5), speech or None)
        for a, b, text in shot_caps:
            a, b = g.start_s + a, g.start_s + b
            caps = [c for c in caps if c.end_s <= a or c.start_s >= b]
            caps += scene_captions(text, a, b)
        captions.extend(sorted(caps, key=lambda c: c.start_s))

    if ex.end_card:
        lines = []
        if data.authors:
            lines.append(", ".join(data.authors))
        if data.organisation:
            lines.append(data.organisation)
        if ex.credits:
            lines.extend(x for x in ex.credits.splitlines() if x.strip())
        lines.append(_("Licence: {licence}").format(licence=data.licence) if data.licence else "")
        add_group("end-card", "", [Visual("card", _q(ex.end_card_s, fps), text="\n".join(x for x in lines if x))])

    if not groups:
        raise ProjectError(_("The project has nothing to show: no scene and no cards."),
                           _("Add a scene with a shot, or turn on the title card."))
    duration = round(round(t * fps) / fps, 6)
    captions = fix_timing(sorted(captions, key=lambda c: c.start_s), (0.0, duration))
    music = None
    if data.music.source:
        music = MusicBed(root / data.music.source, data.music.volume_db, data.music.duck_db)
    logo = root / ex.logo if ex.logo else None
    footer = " · ".join(x for x in (", ".join(data.authors), data.organisation, data.licence) if x)
    return Timeline(
        w, h, fps, duration, tuple(groups), xf, min(ex.fade_s, duration / 4), tuple(audio), music,
        tuple(captions), ex.burn_captions if burn_captions is None else burn_captions, logo,
        -23.0 if ex.loudness == "lobby" else -16.0, -1.0, data.title, data.language,
        tuple((sc.title, sc.script) for sc in data.scenes), footer, tuple(warnings),
    )


def expected_duration(visual_lengths: Sequence[Sequence[float]], fps: int, crossfade_s: float = 0.0) -> float:
    """Length of groups of pieces, each rounded to frames, cross-faded (for tests and estimates)."""
    total = 0.0
    for i, group in enumerate(visual_lengths):
        total += sum(_q(x, fps) for x in group)
        if i and crossfade_s:
            total -= _q(crossfade_s, fps)
    return total
