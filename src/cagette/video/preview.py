"""One frame of a video, drawn exactly as the render draws it, as a PNG image.

:func:`preview_frame` compiles the timeline's stretch of that one frame with
the render's own compiler (:func:`cagette.video.ffgraph.compile_window`: the same
pieces, cross-fades, captions, logo and fades, each source read from just
before that moment), runs ffmpeg for that frame and converts it to RGB as a
BT.709 player shows it. The app calls it to show a moment of the video while it
is being edited; ``cagette project preview`` writes it to a file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cagette.errors import UsageError
from cagette.fsutil import atomic_write_bytes, scratch_dir
from cagette.i18n import _
from cagette.video.ffgraph import Workdir, compile_window
from cagette.video.ffrun import capture, ffmpeg_exe
from cagette.video.presets import Preset
from cagette.video.project import META_DIR, Project
from cagette.video.timeline import Timeline

TO_RGB = "scale=in_color_matrix=bt709:in_range=tv:out_range=pc,format=rgb24"  # as a BT.709 player shows it


@dataclass(frozen=True)
class Preview:
    path: Path
    at_s: float
    frame: int  # its number in the video (0 is the first)
    width: int
    height: int
    what: str  # the scene or card it shows

    def to_dict(self) -> dict[str, Any]:
        return {"file": str(self.path), "at_s": self.at_s, "frame": self.frame, "width": self.width,
                "height": self.height, "shows": self.what}


def frame_at(tl: Timeline, at_s: float) -> int:
    """The number of the frame on screen at *at_s* seconds (clamped to the video)."""
    return min(max(0, math.floor(at_s * tl.fps + 1e-9)), tl.frame_count - 1)


def preview_frame(tl: Timeline, at_s: float, out: Path, workdir: Path | None = None) -> Preview:
    """Write the frame of *tl* at *at_s* seconds to *out* (PNG, RGB), as the render draws it."""
    n = frame_at(tl, at_s)
    with scratch_dir("preview-", workdir) as work:
        inputs, graph = compile_window(tl, Workdir(work), n, n + 1)
        (work / "graph.txt").write_text(f"{graph};\n[vout]{TO_RGB}[png]", encoding="utf-8")
        res = capture([ffmpeg_exe(), "-nostdin", "-y", "-hide_banner", "-v", "error", *inputs,
                       "-/filter_complex", "graph.txt", "-map", "[png]", "-frames:v", "1", "-c:v", "png",
                       "-compression_level", "1", "-f", "image2pipe", "-"], cwd=work, binary=True)
        if res.returncode or not res.stdout:
            from cagette.errors import RenderError

            detail = res.stderr.decode("utf-8", "replace").strip()[-300:]
            raise RenderError(_("Could not draw the frame at {at:.2f} s: {error}").format(at=at_s, error=detail),
                              _("Run `cagette project check` on the project."))
        atomic_write_bytes(out, res.stdout)
    shown = tl.visual_at(n / tl.fps)
    return Preview(Path(out), n / tl.fps, n, tl.width, tl.height, shown[0].slug if shown else "")


def preview_png(project: Project, at_s: float, out: Path, *, preset: Preset, words_per_minute: int = 130,
                force: bool = False, timeline: Timeline | None = None) -> Preview:
    """The frame of *project* at *at_s* seconds with *preset*, written to *out* (``.png``); give the
    *timeline* already built to skip building it again (the app keeps it between two previews)."""
    from cagette.video.render import make_timeline

    out = Path(out)
    if out.suffix.lower() != ".png":
        raise UsageError(_("{file} must end in .png.").format(file=out), _("Give --out a file name ending in .png."))
    if out.exists() and not force:
        raise UsageError(_("{file} already exists.").format(file=out), _("Add --force to replace it."))
    tl = timeline or make_timeline(project, preset, words_per_minute)
    if not 0 <= at_s <= tl.duration_s:
        raise UsageError(_("--at must be between 0 and {end:.2f} s, the video's length (not {at:g}).").format(
            end=tl.duration_s, at=at_s), _("Give a moment of the video."))
    parent = project.root / META_DIR / "work"
    parent.mkdir(parents=True, exist_ok=True)
    return preview_frame(tl, at_s, out, parent)
