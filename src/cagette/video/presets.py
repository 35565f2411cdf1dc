"""Render presets: frame size, rate and encoder settings for each use.

The x264 preset, CRF and audio settings here are also what the benchmark's
hand-written ffmpeg command uses, so the comparison is fair.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from cagette.errors import UsageError
from cagette.i18n import N_, _


@dataclass(frozen=True)
class Preset:
    name: str
    width: int
    height: int
    fps: int
    x264_preset: str
    crf: int
    audio_bitrate_k: int
    description: str = ""

    @property
    def portrait(self) -> bool:
        return self.height > self.width

    def scaled(self, width: int, height: int, name: str | None = None) -> Preset:
        """The same settings at another size (tests use tiny frames)."""
        return replace(self, width=width, height=height, name=name or self.name)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["description"] = _(self.description)
        return d


PRESETS: dict[str, Preset] = {
    p.name: p for p in (
        Preset("web-16x9", 1920, 1080, 30, "veryfast", 21, 160, N_("intranet and web sites, 1920×1080")),
        Preset("story-9x16", 1080, 1920, 30, "veryfast", 21, 160, N_("phone stories and reels, 1080×1920")),
        Preset("square-1x1", 1080, 1080, 30, "veryfast", 21, 160, N_("social network feeds, 1080×1080")),
        Preset("draft", 640, 360, 25, "ultrafast", 28, 96, N_("quick check, low resolution, fast")),
    )
}


def get(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise UsageError(
            _("Unknown preset {name!r}.").format(name=name),
            _("Choose one of: {names}.").format(names=", ".join(PRESETS)),
        ) from None
