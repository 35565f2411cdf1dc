"""Thin bridges from the screens to the core areas, imported only when a screen needs them.

Each function names what the screen needs in its own words, so a screen does
not depend on where in the core a figure is computed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One problem of a project, as shown beside the scene it concerns."""

    severity: str  # "error" or "warning"
    message: str
    hint: str = ""
    scene: str = ""  # scene slug, "" for the whole project


def words_per_minute() -> int:
    from cagette import settings

    try:
        return int(settings.current().video.words_per_minute) or 130
    except Exception:  # noqa: BLE001 - a broken settings file is reported elsewhere; the estimate still shows
        return 130


def script_seconds(text: str) -> float:
    """The time a voice takes to say *text* (the video area's estimate when it has one)."""
    try:
        from cagette.video import captions

        estimate = getattr(captions, "estimate_duration_s", None) or getattr(captions, "speech_duration_s", None)
    except ImportError:
        estimate = None
    if estimate is not None:
        return float(estimate(text))
    words = len(re.findall(r"\w+", text))
    return words * 60.0 / words_per_minute()


def project_problems(project: Any) -> list[Problem]:
    """The problems ``cagette project check`` reports, if the video area can check."""
    try:
        from cagette.video import check as video_check
    except ImportError:
        return []
    found = video_check.check(project)
    out = []
    for p in found:
        out.append(Problem(str(getattr(p, "severity", "error")), str(getattr(p, "message", p)),
                           str(getattr(p, "hint", "") or ""), str(getattr(p, "scene", "") or "")))
    return out
