"""A way out: the timeline as OpenTimelineIO, to go on in Kdenlive, DaVinci Resolve or another editor.

:func:`export_otio` writes what the render would draw (the same
:class:`~cagette.video.timeline.Timeline`), at the preset's frame rate:

* a video track ``Picture``: each piece as a clip pointing at the project's file (``ExternalReference``;
  a stop-motion folder as an ``ImageSequenceReference`` when its frames share one type), trimmed where the
  render trims it; a card or a title shot as a ``GeneratorReference`` (``SolidColor``) named by its text;
  a picture held under a long voice-over as a ``FreezeFrame`` clip; a cross-fade between scenes as an
  ``SMPTE_Dissolve`` transition centred on the cut (half of it taken from each side, so the track keeps the
  render's length); a changed speed as a ``LinearTimeWarp`` (the clip's range is its part of the file as it
  lasts on the timeline);
* audio tracks ``Voice``, ``Sound`` (the clips' own sound) and ``Music`` (looped under the video), their
  levels in each clip's metadata (``cagette.gain_db``; the music's volume, ducking and fades too);
* markers on the picture track: one per scene (``GREEN``, over the scene), one per caption (``YELLOW``, its
  text as the name).

Burned texts (lower thirds, titles over shots, the logo) are recorded in the clips' metadata: an editor
redraws them its own way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cagette.errors import UsageError
from cagette.fsutil import atomic_write_text
from cagette.i18n import _
from cagette.video.project import Project
from cagette.video.timeline import CARD_RGB, Group, Timeline, Visual, probe_cached


@dataclass(frozen=True)
class OtioExport:
    path: Path
    clips: int
    markers: int
    duration_s: float

    def to_dict(self) -> dict[str, Any]:
        return {"file": str(self.path), "clips": self.clips, "markers": self.markers, "duration_s": self.duration_s}


def _url(path: Path) -> str:
    return Path(path).absolute().as_uri()


class _Builder:
    def __init__(self, tl: Timeline) -> None:
        import opentimelineio as otio

        self.otio = otio
        self.tl = tl
        self.fps = tl.fps

    def t(self, seconds: float) -> Any:
        return self.otio.opentime.RationalTime(round(seconds * self.fps, 6), self.fps)

    def span(self, start_s: float, duration_s: float) -> Any:
        return self.otio.opentime.TimeRange(self.t(start_s), self.t(duration_s))

    def clip(self, v: Visual, start_s: float, duration_s: float, name: str = "") -> Any:
        """A clip of piece *v*: *duration_s* of it from *start_s* seconds into the piece."""
        otio = self.otio
        meta: dict[str, Any] = {"kind": v.kind}
        for key in ("text", "lower_third"):
            if getattr(v, key):
                meta[key] = getattr(v, key)
        if v.rotation:
            meta["rotation"] = v.rotation
        if v.kind == "card":
            ref = otio.schema.GeneratorReference(
                name=v.text.split("\n")[0], generator_kind="SolidColor",
                parameters={"color": "#" + "".join(f"{c:02x}" for c in CARD_RGB)},
                available_range=self.span(0, v.duration_s))
            clip = otio.schema.Clip(name or v.text.split("\n")[0] or "card", ref, self.span(start_s, duration_s))
        elif v.kind == "frames":
            clip = self._frames_clip(v, start_s, duration_s)
        elif v.kind == "still":
            ref = otio.schema.ExternalReference(_url(v.source or Path()), available_range=self.span(0, v.duration_s))
            meta["ken_burns"] = v.ken_burns
            clip = otio.schema.Clip(Path(v.source or "").name, ref, self.span(start_s, duration_s))
        else:
            info = probe_cached(v.source or Path())
            ref = otio.schema.ExternalReference(_url(v.source or Path()), available_range=self.span(0, info.duration_s))
            clip = otio.schema.Clip(Path(v.source or "").name, ref, self.span(v.in_s + start_s * v.speed, duration_s))
            if abs(v.speed - 1) > 1e-9:
                clip.effects.append(otio.schema.LinearTimeWarp(name="speed", time_scalar=v.speed))
        clip.metadata["cagette"] = meta
        return clip

    def _frames_clip(self, v: Visual, start_s: float, duration_s: float) -> Any:
        otio = self.otio
        suffixes = {f.suffix for f in v.frames}
        folder = v.frames[0].parent
        names = [f.stem for f in v.frames]
        if len(suffixes) == 1 and names == [f"{i:04d}" for i in range(1, len(names) + 1)]:
            ref = otio.schema.ImageSequenceReference(
                target_url_base=_url(folder) + "/", name_suffix=suffixes.pop(), start_frame=1,
                frame_zero_padding=4, rate=v.fps,
                available_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, v.fps),
                                                        otio.opentime.RationalTime(len(v.frames), v.fps)))
        else:  # frames of several types: the folder, with the list in the metadata
            ref = otio.schema.ExternalReference(_url(folder), available_range=self.span(0, v.duration_s))
            ref.metadata["cagette"] = {"frames": [f.name for f in v.frames], "fps": v.fps}
        return otio.schema.Clip(folder.name, ref, otio.opentime.TimeRange(
            otio.opentime.RationalTime(round(start_s * v.fps, 6), v.fps),
            otio.opentime.RationalTime(round(duration_s * v.fps, 6), v.fps)))

    def group_clips(self, g: Group, cut_in_s: float, cut_out_s: float) -> list[Any]:
        """The clips of group *g*, less *cut_in_s* at its start and *cut_out_s* at its end (cross-fades)."""
        out = []
        pieces = list(g.visuals)
        for i, v in enumerate(pieces):
            start = cut_in_s if i == 0 else 0.0
            end = v.duration_s - (cut_out_s if i == len(pieces) - 1 else 0.0)
            played = v.duration_s - v.hold_s
            if start < min(end, played) - 1e-9:
                out.append(self.clip(v, start, min(end, played) - start))
            if v.hold_s > 0 and end > max(start, played) + 1e-9:
                held = self.clip(v, max(played - 1 / self.fps, 0.0), end - max(start, played), "hold")
                held.effects.append(self.otio.schema.FreezeFrame(name="hold"))
                out.append(held)
        return out


def build(tl: Timeline, title: str = "") -> Any:
    """The OpenTimelineIO timeline of *tl*."""
    b = _Builder(tl)
    otio = b.otio
    timeline = otio.schema.Timeline(name=title or tl.title, global_start_time=otio.opentime.RationalTime(0, tl.fps))
    picture = otio.schema.Track(name="Picture", kind=otio.schema.TrackKind.Video)
    xf = tl.crossfade_s if len(tl.groups) > 1 else 0.0
    first_half = round(xf * tl.fps) // 2 / tl.fps
    second_half = xf - first_half
    for gi, g in enumerate(tl.groups):
        cut_in = second_half if gi > 0 and xf else 0.0
        cut_out = first_half if gi < len(tl.groups) - 1 and xf else 0.0
        if gi > 0 and xf:
            picture.append(otio.schema.Transition(name="crossfade", transition_type="SMPTE_Dissolve",
                                                  in_offset=b.t(first_half), out_offset=b.t(second_half)))
        for clip in b.group_clips(g, cut_in, cut_out):
            picture.append(clip)
        picture.markers.append(otio.schema.Marker(
            name=g.title or g.slug, marked_range=b.span(g.start_s, g.duration_s), color="GREEN",
            metadata={"cagette": {"kind": "scene", "slug": g.slug}}))
    for c in tl.captions:
        picture.markers.append(otio.schema.Marker(
            name=c.text.replace("\n", " "), marked_range=b.span(c.start_s, c.end_s - c.start_s), color="YELLOW",
            metadata={"cagette": {"kind": "caption", "lines": list(c.lines)}}))
    timeline.tracks.append(picture)
    for role, name in (("voice", "Voice"), ("sound", "Sound")):
        track = _audio_track(b, [a for a in tl.audio if a.role == role], name)
        if len(track):
            timeline.tracks.append(track)
    if tl.music is not None:
        timeline.tracks.append(_music_track(b))
    timeline.metadata["cagette"] = {"width": tl.width, "height": tl.height, "fps": tl.fps,
                                    "loudness_lufs": tl.loudness_lufs, "logo": str(tl.logo or ""),
                                    "burn_captions": tl.burn_captions, "fade_s": tl.fade_s}
    return timeline


def _audio_track(b: _Builder, items: list[Any], name: str) -> Any:
    otio = b.otio
    track = otio.schema.Track(name=name, kind=otio.schema.TrackKind.Audio)
    t = 0.0
    for a in sorted(items, key=lambda a: a.start_s):
        if a.start_s > t + 1e-9:
            track.append(otio.schema.Gap(source_range=b.span(0, a.start_s - t)))
        info = probe_cached(a.source)
        ref = otio.schema.ExternalReference(_url(a.source), available_range=b.span(0, info.duration_s))
        clip = otio.schema.Clip(a.source.name, ref, b.span(a.in_s, a.duration_s))
        clip.metadata["cagette"] = {"gain_db": a.gain_db, "role": a.role}
        if abs(a.speed - 1) > 1e-9:
            clip.effects.append(otio.schema.LinearTimeWarp(name="speed", time_scalar=a.speed))
        track.append(clip)
        t = max(t, a.start_s) + a.duration_s
    if items and t < b.tl.duration_s - 1e-9:  # every track lasts the video
        track.append(otio.schema.Gap(source_range=b.span(0, b.tl.duration_s - t)))
    return track


def _music_track(b: _Builder) -> Any:
    otio = b.otio
    m = b.tl.music
    assert m is not None
    track = otio.schema.Track(name="Music", kind=otio.schema.TrackKind.Audio)
    length = probe_cached(m.source).duration_s
    t = 0.0
    while t < b.tl.duration_s - 1e-6 and length > 0:
        part = min(length, b.tl.duration_s - t)
        ref = otio.schema.ExternalReference(_url(m.source), available_range=b.span(0, length))
        clip = otio.schema.Clip(m.source.name, ref, b.span(0, part))
        clip.metadata["cagette"] = {"volume_db": m.volume_db, "duck_db": m.duck_db, "fade_in_s": m.fade_in_s,
                                    "fade_out_s": m.fade_out_s}
        track.append(clip)
        t += part
    return track


def export_otio(project: Project, tl: Timeline, path: Path, force: bool = False) -> OtioExport:
    """Write *tl* (the timeline of *project*) to *path* (``.otio``); an existing file needs *force*."""
    import opentimelineio as otio

    path = Path(path)
    if path.suffix.lower() != ".otio":
        raise UsageError(_("{file} must end in .otio.").format(file=path),
                         _("Give a file name ending in .otio (OpenTimelineIO's JSON format)."))
    if path.exists() and not force:
        raise UsageError(_("{file} already exists.").format(file=path), _("Add --force to replace it."))
    timeline = build(tl, project.data.title)
    atomic_write_text(path, otio.adapters.write_to_string(timeline, "otio_json"))
    picture = timeline.tracks[0]
    clips = sum(1 for item in picture if isinstance(item, otio.schema.Clip))
    return OtioExport(path, clips, len(picture.markers), tl.duration_s)
