"""The timeline: one immutable value saying what is shown and heard when.

:func:`gather` does the reading (probes every media file, lists frames,
finds the voice-over's speech segments); :func:`build` is pure: from the
project data, those facts and a preset it computes every segment's place,
the cards, captions, overlays and the audio plan. Both renderers (the ffmpeg
graph in :mod:`cagette.video.ffgraph` and the reference in
:mod:`cagette.video.reference`) draw this same value, text included: every
burned text is laid out here once (:mod:`cagette.video.layout`), so the two
draw the same lines at the same places.

Durations are whole numbers of frames, so a render's length is exactly
known in advance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from cagette.errors import ProjectError
from cagette.i18n import _
from cagette.video.layout import Rect, TextBlock
from cagette.video.presets import Preset
from cagette.video.probe import MediaInfo, probe
from cagette.video.project import ProjectData, Scene, list_frames
from cagette.video.script import Caption, estimate_s, fix_timing, scene_captions, voice_facts

VOICE_TAIL_S = 0.5  # a scene lasts at least its voice-over plus this
DEFAULT_TITLE_S = 2.0
LOWER_THIRD_S = 3.5
CARD_RGB = (31, 42, 68)  # dark blue cards
CLIP_SOUND_UNDER_VOICE_DB = -12.0
BLUR_FILL_MIN_RATIO = 1.15  # aspect ratios further apart than this get a filled background
SD_MAX_LINES = 719  # an untagged clip smaller than 720 lines is taken as BT.601 (SD), else BT.709
KEN_BURNS_ZOOM = 1.12  # a panned photo covers a frame this much larger than the video's
FLICKER_MAX = 0.2  # a frame this much brighter or darker than the next ones is a new picture, not flicker
DEFLICKER_WINDOW = 5  # frames ffmpeg's deflicker averages (this one and the next four)


def blur_radius(bw: int, bh: int) -> int:
    """The box blur's radius for a bw×bh blurred background: 4, less when it is tiny (its chroma is half)."""
    return max(1, min(4, (min(bw, bh) // 2 - 1) // 2))


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
    deflicker: bool = False  # frames: their brightness is evened out (they flicker, and the project wants it)
    matrix: str = ""  # the YUV matrix of the source ("bt601", "bt709", "bt2020"; "" lets the decoder's tags say)
    full_range: bool = False  # the source's YUV levels are 0–255
    text_block: TextBlock | None = None  # ``text`` laid out (a card's text, or a title over the picture)
    lower_block: TextBlock | None = None  # ``lower_third`` laid out


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
    noise_db: float | None = None  # a voice's noise floor (dBFS), which its clean-up's denoise follows


@dataclass(frozen=True)
class MusicBed:
    source: Path
    volume_db: float
    duck_db: float
    fade_in_s: float = 0.0
    fade_out_s: float = 0.0


@dataclass(frozen=True)
class Burned:
    """A caption drawn into the picture: its time and its laid-out text."""

    start_s: float
    end_s: float
    block: TextBlock


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
    transcript_scenes: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    footer: str = ""
    warnings: tuple[str, ...] = field(default=())
    logo_rect: Rect | None = None  # where the logo goes (its size included)
    burned: tuple[Burned, ...] = ()
    voice_spans: tuple[tuple[float, float], ...] = ()  # when a voice speaks (timeline seconds): ducking
    voice_cleanup: bool = True
    deflicker: bool = True
    safe: Rect | None = None  # the title-safe area
    cards: tuple[str, str] = ("", "")  # the title card's and the end card's texts (for the transcript)

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
    noise: dict[str, float] = field(default_factory=dict)  # scene slug → the voice's noise floor (dBFS)
    flicker: dict[str, bool] = field(default_factory=dict)  # frames folder → its brightness flickers


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


@lru_cache(maxsize=512)
def _probe_once(path: Path, stamp: tuple[int, int] | None) -> MediaInfo:
    return probe(path)


@lru_cache(maxsize=128)
def _voice_once(path: Path, stamp: tuple[int, int] | None) -> tuple[tuple[tuple[float, float], ...], float | None]:
    segments, floor = _speech(path)
    return tuple(segments), floor


def probe_cached(path: Path) -> MediaInfo:
    """:func:`probe`, remembered while the file keeps its size and modification time (check, timeline and
    render of the same project read each file once)."""
    return _probe_once(Path(path), _stamp(Path(path)))


def gather(root: Path, data: ProjectData) -> Sources:
    """Probe every file the project uses (raises :class:`MediaError` naming a bad file)."""
    root = Path(root)
    media: dict[Path, MediaInfo] = {}
    frames: dict[str, tuple[Path, ...]] = {}
    speech: dict[str, tuple[tuple[float, float], ...]] = {}
    noise: dict[str, float] = {}
    flicker: dict[str, bool] = {}

    def need(rel: str) -> None:
        path = root / rel
        if path not in media:
            media[path] = probe_cached(path)

    for sc in data.scenes:
        for sh in sc.shots:
            if sh.kind in ("clip", "still"):
                need(sh.source)
            elif sh.kind == "frames":
                files = tuple(list_frames(root / sh.source))
                frames[sh.source] = files
                if files:
                    need(str(files[0].relative_to(root)))
                if files and data.export.deflicker:
                    flicker[sh.source] = flickers([_luma_once(f, _stamp(f)) for f in files])
        if sc.voice:
            need(sc.voice)
            segments, floor = _voice_once(root / sc.voice, _stamp(root / sc.voice))
            speech[sc.slug] = segments
            if floor is not None:
                noise[sc.slug] = floor
    if data.music.source:
        need(data.music.source)
    if data.export.logo:
        need(data.export.logo)
    return Sources(media, frames, speech, noise, flicker)


@lru_cache(maxsize=8192)
def _luma_once(path: Path, stamp: tuple[int, int] | None) -> float:
    """The mean brightness (0–255) of a picture, read small (JPEGs are decoded at 1/8 size)."""
    from PIL import Image, ImageStat

    try:
        with Image.open(path) as img:
            img.draft("L", (96, 96))
            small = img.convert("L")
            small.thumbnail((96, 96))
            return float(ImageStat.Stat(small).mean[0])
    except (OSError, ValueError):
        return 0.0


def flickers(lumas: Sequence[float]) -> bool:
    """Whether a stop-motion sequence flickers: its brightness wavers from frame to frame (by more than 1 %),
    but no frame stands out from the next ones by more than :data:`FLICKER_MAX` (that is a new picture:
    evening it out would spoil it, so such a sequence is left as it is)."""
    if len(lumas) < 3 or min(lumas) <= 0:
        return False
    n, half = len(lumas), DEFLICKER_WINDOW // 2
    ratios = []
    for i in range(n):  # against the frames around it
        window = [lumas[min(max(j, 0), n - 1)] for j in range(i - half, i + half + 1)]
        ratios.append(sum(window) / len(window) / lumas[i])
    return all(abs(r - 1) <= FLICKER_MAX for r in ratios) and any(abs(r - 1) > 0.01 for r in ratios)


def _speech(path: Path) -> tuple[list[tuple[float, float]], float | None]:
    """Speech segments and noise floor of any voice-over file (none when it cannot be decoded: the check
    says why)."""
    import av

    try:
        return voice_facts(path)
    except (OSError, EOFError, ValueError, av.error.FFmpegError):
        return [], None


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


def clip_matrix(info: MediaInfo) -> str:
    """The YUV matrix to read a clip with: its tag, else BT.601 below 720 lines (SD), else BT.709."""
    if info.matrix in ("bt601", "bt709", "bt2020"):
        return info.matrix
    return "bt601" if min(info.width, info.height) <= SD_MAX_LINES else "bt709"


def _upright(info: MediaInfo, rot: int) -> tuple[int, int]:
    return (info.height, info.width) if rot in (90, 270) else (info.width, info.height)


@dataclass
class _Scene:
    """What building one scene makes."""

    visuals: list[Visual]
    sound: list[tuple[float, Visual, float]]  # (local start, piece, gain dB)
    shot_caps: list[tuple[float, float, str]]


def _scene_pieces(root: Path, sc: Scene, data: ProjectData, sources: Sources, preset: Preset,
                  warnings: list[str]) -> _Scene:
    fps, w, h, ex = preset.fps, preset.width, preset.height, data.export
    out = _Scene([], [], [])
    for sh in sc.shots:
        local = sum(v.duration_s for v in out.visuals)
        if sh.kind == "title":
            vis = Visual("card", _q(sh.duration_s or DEFAULT_TITLE_S, fps), text=sh.title)
        elif sh.kind == "still":
            info = sources.media[root / sh.source]
            rot = sh.rotation if sh.rotation is not None else info.rotation
            size = _upright(info, rot)
            vis = Visual("still", _q(sh.duration_s or ex.still_s, fps), root / sh.source, rotation=rot,
                         meta_rotation=info.rotation, size=size, ken_burns=sh.ken_burns, text=sh.title,
                         fill=_fill(size, w, h, ex.portrait_fill))
        elif sh.kind == "frames":
            files = sources.frames.get(sh.source, ())
            if not files:
                warnings.append(_("Scene {scene}: the frames folder {folder} is empty; skipped.").format(
                    scene=sc.slug, folder=sh.source))
                continue
            info = sources.media[files[0]]
            rot = sh.rotation if sh.rotation is not None else info.rotation
            size = _upright(info, rot)
            rate = (sh.fps or ex.frames_fps) * sh.speed
            vis = Visual("frames", _q(len(files) / rate, fps), frames=files, fps=rate, rotation=rot, size=size,
                         meta_rotation=info.rotation, text=sh.title, fill=_fill(size, w, h, ex.portrait_fill),
                         deflicker=ex.deflicker and sources.flicker.get(sh.source, False))
        else:  # clip
            info = sources.media[root / sh.source]
            rot = sh.rotation if sh.rotation is not None else info.rotation
            size = _upright(info, rot)
            if info.truncated:
                warnings.append(_("{file} stops at {plays:.1f} s although it announces {claims:.1f} s (a truncated "
                                  "copy): only what plays is used.").format(
                                      file=sh.source, plays=info.duration_s, claims=info.announced_s))
            start = min(sh.in_s, max(0.0, info.duration_s - 1 / fps))
            end = min(sh.out_s if sh.out_s is not None else info.duration_s, info.duration_s)
            if end <= start:
                end = info.duration_s
            vis = Visual("clip", _q((end - start) / sh.speed, fps), root / sh.source, in_s=start, speed=sh.speed,
                         rotation=rot, meta_rotation=info.rotation, size=size, text=sh.title,
                         fill=_fill(size, w, h, ex.portrait_fill), hdr=info.hdr,
                         matrix="bt709" if info.hdr else clip_matrix(info),
                         full_range=info.full_range and not info.hdr)
            if info.has_audio and 0.5 <= sh.speed <= 4:
                out.sound.append((local, vis, sh.volume_db))
        if sh.caption:
            out.shot_caps.append((local, local + vis.duration_s, sh.caption))
        out.visuals.append(vis)
    return out


def build(root: Path, data: ProjectData, sources: Sources, preset: Preset, *,
          words_per_minute: int = 130, burn_captions: bool | None = None) -> Timeline:
    """The timeline of *data* rendered with *preset* (pure: no media file is read).

    A cross-fade is at most half as long as the shortest scene or card (two cross-fades of one scene
    never overlap): a longer one is shortened, with a warning."""
    fps = preset.fps
    tl = _build(root, data, sources, preset, words_per_minute, burn_captions)
    frames = [round(g.duration_s * fps) for g in tl.groups]
    most = min(frames) // 2
    if len(frames) > 1 and round(tl.crossfade_s * fps) > most:
        shorter = replace(data, export=replace(data.export, crossfade_s=most / fps))
        tl = _build(root, shorter, sources, preset, words_per_minute, burn_captions)
        tl = replace(tl, warnings=(*tl.warnings, _(
            "The cross-fade ({asked:g} s) is longer than half of the shortest scene or card: it lasts {got:g} s."
        ).format(asked=data.export.crossfade_s, got=most / fps)))
    return tl


def _held(visuals: list[Visual], sc: Scene, voice_info: MediaInfo | None, words_per_minute: int,
          fps: int) -> list[Visual]:
    """A scene's pieces, the last held while the voice-over goes on (a card when it has none)."""
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
        visuals[0] = replace(visuals[0], lower_third=sc.lower_third)
    return visuals


def _scene_sound(g: Group, sc: Scene, made: _Scene, voice_info: MediaInfo | None, root: Path, sources: Sources,
                 audio: list[AudioItem], voice_spans: list[tuple[float, float]]) -> None:
    """The clips' own sound (lower under a voice-over) and the voice-over of a placed scene."""
    for local, vis, gain in made.sound:
        audio.append(AudioItem(vis.source or Path(), g.start_s + local, vis.in_s, vis.duration_s - vis.hold_s,
                               vis.speed, gain + (CLIP_SOUND_UNDER_VOICE_DB if voice_info else 0.0), "sound"))
    if voice_info is not None:
        length = min(voice_info.duration_s, g.duration_s)
        audio.append(AudioItem(root / sc.voice, g.start_s, 0.0, length, 1.0, 0.0, "voice", sources.noise.get(sc.slug)))
        found = [(g.start_s + a, g.start_s + min(b, length)) for a, b in sources.speech.get(sc.slug, ()) if a < length]
        voice_spans.extend(found or [(g.start_s, g.start_s + length)])


def _scene_captions(g: Group, sc: Scene, made: _Scene, sources: Sources, cps: float, xf: float,
                    warnings: list[str]) -> list[Caption]:
    """A placed scene's captions: from its script, on its speech, replaced during shots with their own."""
    from cagette.video import overlays

    speech = [(g.start_s + a, g.start_s + b) for a, b in sources.speech.get(sc.slug, ())]
    end = g.start_s + g.duration_s - (xf if xf else 0.0)
    caps = scene_captions(sc.script, g.start_s, max(end, g.start_s + 0.5), speech or None, cps)
    for a, b, text in made.shot_caps:
        a, b = g.start_s + a, g.start_s + b
        caps = [c for c in caps if c.end_s <= a or c.start_s >= b]
        caps += scene_captions(text, a, b, cps=cps)
    overlays.warn_reading_speed(sc.slug, caps, cps, warnings)
    return sorted(caps, key=lambda c: c.start_s)


def _build(root: Path, data: ProjectData, sources: Sources, preset: Preset, words_per_minute: int,
           burn_captions: bool | None) -> Timeline:
    from cagette.video import overlays

    root = Path(root)
    fps = preset.fps
    ex = data.export
    xf = _q(ex.crossfade_s, fps) if ex.crossfade_s > 0 else 0.0
    groups: list[Group] = []
    audio: list[AudioItem] = []
    captions: list[Caption] = []
    warnings: list[str] = []
    voice_spans: list[tuple[float, float]] = []
    t = 0.0

    def add_group(slug: str, title: str, visuals: list[Visual]) -> Group:
        nonlocal t
        start = t - xf if groups and xf else t
        dur = sum(v.duration_s for v in visuals)
        g = Group(slug, title, round(start, 6), round(dur, 6), tuple(visuals))
        groups.append(g)
        t = start + dur
        return g

    opening, closing = overlays.card_texts(data)
    if ex.title_card:
        add_group("title-card", data.title, [Visual("card", _q(ex.title_card_s, fps), text=opening)])

    for sc in data.scenes:
        made = _scene_pieces(root, sc, data, sources, preset, warnings)
        voice_info = sources.media.get(root / sc.voice) if sc.voice else None
        g = add_group(sc.slug, sc.title, _held(made.visuals, sc, voice_info, words_per_minute, fps))
        _scene_sound(g, sc, made, voice_info, root, sources, audio, voice_spans)
        captions.extend(_scene_captions(g, sc, made, sources, ex.caption_cps, xf, warnings))

    if ex.end_card:
        add_group("end-card", "", [Visual("card", _q(ex.end_card_s, fps), text=closing)])

    if not groups:
        raise ProjectError(_("The project has nothing to show: no scene and no cards."),
                           _("Add a scene with a shot, or turn on the title card."))
    duration = round(round(t * fps) / fps, 6)
    if data.captions.cues:
        captions = overlays.imported_captions(data, duration)
    captions = fix_timing(sorted(captions, key=lambda c: c.start_s), (0.0, duration))
    music = None
    if data.music.source:
        m = data.music
        music = MusicBed(root / m.source, m.volume_db, m.duck_db, m.fade_in_s, m.fade_out_s)
    logo = root / ex.logo if ex.logo else None
    logo_info = sources.media.get(logo) if logo else None
    burn = ex.burn_captions if burn_captions is None else burn_captions
    laid = overlays.lay_out(tuple(groups), tuple(captions), preset, logo_info, burn, warnings)
    footer = " · ".join(x for x in (", ".join(data.authors), data.organisation, data.licence) if x)
    return Timeline(
        preset.width, preset.height, fps, duration, laid.groups, xf, min(ex.fade_s, duration / 4), tuple(audio),
        music, tuple(captions), burn, logo, -23.0 if ex.loudness == "lobby" else -16.0, -1.0, data.title,
        data.language, overlays.transcript_scenes(data), footer, tuple(warnings), laid.frame.logo, laid.burned,
        tuple(voice_spans), ex.voice_cleanup, ex.deflicker, laid.frame.safe,
        (opening if ex.title_card else "", closing if ex.end_card else ""),
    )


def expected_duration(visual_lengths: Sequence[Sequence[float]], fps: int, crossfade_s: float = 0.0) -> float:
    """Length of groups of pieces, each rounded to frames, cross-faded (for tests and estimates)."""
    total = 0.0
    for i, group in enumerate(visual_lengths):
        total += sum(_q(x, fps) for x in group)
        if i and crossfade_s:
            total -= _q(crossfade_s, fps)
    return total
