"""Pictures of a project for the storyboard, drawn by the render's own code (never in the UI thread).

* :func:`shot_picture`: a shot alone at its in point, as the render draws it (rotation, fill, the
  text over it), with the video's cards, fades, captions, logo and music left out.
* :func:`frame_picture`: the video's frame at a moment (:func:`cagette.video.preview.preview_png`).

Both are small (a quarter of the draft preset) and written under the project's ``.cagette/``;
:class:`PictureCache` keeps what was drawn, so a picture is made once per shot and in point.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cagette.video.model import Shot
    from cagette.video.project import Project

SIZE = (320, 180)
MAX_CACHED = 64


def _preset() -> Any:
    from cagette.video.presets import get

    return get("draft").scaled(*SIZE)


def _work(project: Project) -> Path:
    from cagette.video.project import META_DIR

    folder = project.root / META_DIR / "work" / "pictures"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shot_key(shot: Shot) -> tuple[Any, ...]:
    """What a shot's picture depends on: the shot, its file and its in point (and how it is turned)."""
    return (shot.id, shot.kind, shot.source, shot.in_s, shot.rotation, shot.ken_burns)


def _load(path: Path) -> Any:
    from PIL import Image

    with Image.open(path) as image:
        return image.convert("RGB")


def shot_picture(project: Project, scene_slug: str, shot: Shot) -> Any:
    """A PIL image of *shot* at its in point, drawn as the render draws it."""
    from cagette.video.model import ImportedCaptions, Music, Scene
    from cagette.video.preview import preview_frame
    from cagette.video.timeline import build, gather

    data = project.data
    export = replace(data.export, title_card=False, end_card=False, fade_s=0.0, crossfade_s=0.0,
                     burn_captions=False, logo="")
    alone = replace(data, scenes=(Scene(slug=scene_slug, shots=(shot,)),), export=export, music=Music(),
                    captions=ImportedCaptions())
    timeline = build(project.root, alone, gather(project.root, alone), _preset())
    work = _work(project)
    out = work / f"shot-{shot.id}-{threading.get_ident()}.png"
    try:
        preview_frame(timeline, 0.0, out, work)
        return _load(out)
    finally:
        out.unlink(missing_ok=True)


def frame_picture(project: Project, at_s: float | None, scene_slug: str = "") -> tuple[Any, float, str]:
    """The video's frame at *at_s* seconds (None: where *scene_slug* starts), its moment and what it shows."""
    from cagette.video.preview import preview_png
    from cagette.video.render import make_timeline

    timeline = make_timeline(project, _preset())
    if at_s is None:
        starts = [g.start_s for g in timeline.groups if g.slug == scene_slug]
        at_s = float(starts[0]) if starts else 0.0
        at_s = min(at_s + timeline.crossfade_s, timeline.duration_s)  # past the cross-fade into it
    out = _work(project) / f"frame-{threading.get_ident()}.png"
    try:
        made = preview_png(project, at_s, out, preset=_preset(), force=True, timeline=timeline)
        return _load(out), made.at_s, made.what
    finally:
        out.unlink(missing_ok=True)


class PictureCache:
    """Pictures already drawn, by key (the oldest forgotten past :data:`MAX_CACHED`); ``made`` counts
    how many were drawn."""

    def __init__(self) -> None:
        self._pictures: dict[Any, Any] = {}
        self.made = 0

    def get(self, key: Any) -> Any | None:
        return self._pictures.get(key)

    def put(self, key: Any, picture: Any) -> None:
        self.made += 1
        self._pictures[key] = picture
        while len(self._pictures) > MAX_CACHED:
            self._pictures.pop(next(iter(self._pictures)))
