"""The stop-motion side of the capture screen: the frame strip, onion skin, playback, live or last frame,
and frame edits (delete, retake, move), each one undoable (Ctrl+Z) through the project API."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work

from cagette.errors import CagetteError
from cagette.i18n import _, ngettext
from cagette_tui.appref import from_worker
from cagette_tui.widgets.picture import Picture, renderable_from_bgr
from cagette_tui.widgets.strip import FrameStrip, thumbnail

if TYPE_CHECKING:
    from cagette.video.project import Project


class FramesMixin:
    """Mixed into :class:`~cagette_tui.screens.capture.CaptureScreen` (it provides project, scene_slug, app...)."""

    project: Project
    scene_slug: str
    mode: str
    app: Any
    hub: Any
    frame_index: int
    onion_opacity: int  # %
    onion_frames: int  # 0: onion skin off
    view: str  # "live", "last" or "playback"
    _onion_images: list[Any]

    def preview_cells(self) -> tuple[int, int]:
        raise NotImplementedError  # the screen's

    def refresh_status(self) -> None:
        raise NotImplementedError  # the screen's
    _thumbs: dict[tuple[str, int], Any]
    _playback_stop: threading.Event | None
    query_one: Any  # the screen's; refresh_status and preview_cells are the capture screen's

    # frames -------------------------------------------------------------------------------
    def frames(self) -> list[Path]:
        if not self.scene_slug or all(s.slug != self.scene_slug for s in self.project.data.scenes):
            return []
        return list(self.project.frames(self.scene_slug))

    def chosen_number(self) -> int | None:
        frames = self.frames()
        if not frames:
            return None
        return (self.frame_index if 0 <= self.frame_index < len(frames) else len(frames) - 1) + 1

    def refresh_strip(self) -> None:
        strip = self.query_one("#strip", FrameStrip)
        frames = self.frames()
        if self.mode != "stopmotion":
            strip.show_text("")
        elif not frames:
            strip.show_text(_("No frame yet in this scene: Space takes the first one."))
        else:
            chosen = self.chosen_number() or len(frames)
            slots = strip.slots()
            first = max(0, min(chosen - 1 - slots // 2, len(frames) - slots))
            shown = [(n + 1, frames[n]) for n in range(first, min(len(frames), first + slots))]
            strip.show([(n, self._thumbs.get((p.name, _mtime(p)))) for n, p in shown], chosen)
            self._load_thumbs(shown, chosen)
        self._load_onion(frames)
        self.refresh_status()

    @work(thread=True, exclusive=True, group="thumbs")
    def _load_thumbs(self, shown: list[tuple[int, Path]], chosen: int) -> None:
        thumbs, missing = [], False
        for number, path in shown:
            key = (path.name, _mtime(path))
            if key not in self._thumbs:
                missing = True
                try:
                    self._thumbs[key] = thumbnail(path)
                except (CagetteError, OSError):
                    self._thumbs[key] = None
            thumbs.append((number, self._thumbs[key]))
        if len(self._thumbs) > 400:
            self._thumbs.clear()
        if missing:
            from_worker(self, self._show_thumbs, thumbs, chosen)

    def _show_thumbs(self, thumbs: list[tuple[int, Any]], chosen: int) -> None:
        strip = self.query_one("#strip", FrameStrip)
        if strip.numbers == [n for n, _img in thumbs] and strip.chosen == chosen:
            strip.show(thumbs, chosen)

    def _load_onion(self, frames: list[Path]) -> None:
        if self.onion_frames <= 0 or self.mode != "stopmotion":
            self._onion_images = []
            return
        from cagette.capture.stopmotion import read_image

        images = []
        for path in frames[-self.onion_frames:]:
            try:
                images.append(read_image(path))
            except CagetteError:
                continue
        self._onion_images = images

    def transform(self, img: Any) -> Any:
        """The live view with the onion skin (the last frames blended over it at the chosen opacity)."""
        images = self._onion_images
        if self.mode != "stopmotion" or self.onion_frames <= 0 or not images or self.onion_opacity <= 0:
            return img
        from cagette.capture.stopmotion import onion_skin

        return onion_skin(img, images, self.onion_opacity / 100, self.onion_frames)

    def _stopmotion(self) -> Any:
        from cagette.capture.stopmotion import StopMotion

        return StopMotion(self.project, self.scene_slug, self.hub)

    # keys --------------------------------------------------------------------------------
    def action_select_frame(self, step: int) -> None:
        number = self.chosen_number()
        if number is None:
            return
        self.frame_index = max(0, min(len(self.frames()) - 1, number - 1 + step))
        self.refresh_strip()
        if self.view == "last":
            self._show_still()

    def action_delete_frame(self) -> None:
        number = self.chosen_number()
        if number is None:
            return
        if not self._edit(lambda: self._stopmotion().delete([number])):
            return
        self.frame_index = max(0, number - 2) if self.frame_index >= 0 else -1
        self.refresh_strip()
        self.app.notify(_("Frame {n} deleted: Ctrl+Z brings it back.").format(n=number))

    def action_retake(self) -> None:
        number = self.chosen_number()
        if number is None:
            return
        if self.hub is None:
            self.app.notify(_("Choose a camera first."), severity="warning")
            return
        if self._edit(lambda: self._stopmotion().retake(number)):
            self.refresh_strip()
            self.app.notify(_("Frame {n} retaken: Ctrl+Z brings the old one back.").format(n=number))

    def action_move_frame(self, step: int) -> None:
        number = self.chosen_number()
        count = len(self.frames())
        if number is None or not 1 <= number + step <= count:
            return
        order = list(range(1, count + 1))
        order[number - 1], order[number - 1 + step] = order[number - 1 + step], order[number - 1]
        if self._edit(lambda: self._stopmotion().reorder(order)):
            self.frame_index = number - 1 + step
            self.refresh_strip()

    def _edit(self, change: Any) -> bool:
        try:
            change()
        except CagetteError as exc:
            self.app.show_error(exc)
            return False
        return True

    def action_undo(self) -> None:
        self._history("undo")

    def action_redo(self) -> None:
        self._history("redo")

    def _history(self, which: str) -> None:
        from cagette_tui.screens.base import history

        if history(self, which):
            self.frame_index = -1
            self.refresh_strip()

    # what the preview shows: live, the chosen frame, or a playback ------------------------------
    def action_live_or_last(self) -> None:
        self.stop_playback()
        if self.view == "last":
            self.view = "live"
        elif self.frames():
            self.view = "last"
            self._show_still()
        else:
            self.app.notify(_("No frame yet to show."), severity="warning")
        self.refresh_status()

    def _show_still(self) -> None:
        number = self.chosen_number()
        if number is None:
            return
        from cagette.capture.stopmotion import read_image

        try:
            img = read_image(self.frames()[number - 1])
        except CagetteError as exc:
            self.app.show_error(exc)
            return
        self.query_one("#preview", Picture).update(renderable_from_bgr(img, *self.preview_cells()))

    def action_play(self) -> None:
        """Play the last frames at the scene's rate in the preview (P again stops)."""
        if self._playback_stop is not None:
            self.stop_playback()
            return
        frames = self.frames()
        if len(frames) < 2:
            self.app.notify(_("Take at least two frames to play them."), severity="warning")
            return
        count = max(2, self.playback_frames)
        stop = threading.Event()
        self._playback_stop = stop
        self.view = "playback"
        self.refresh_status()
        self._play(frames[-count:], self.frames_fps(), stop)

    def frames_fps(self) -> float:
        for scene in self.project.data.scenes:
            if scene.slug == self.scene_slug:
                for shot in scene.shots:
                    if shot.kind == "frames" and shot.fps:
                        return float(shot.fps)
        return float(self.project.data.export.frames_fps or 12.0)

    playback_frames = 24
    playback_clock: Any = None  # the capture Clock playback is paced by (None: the machine's); a test's own

    @work(thread=True, exclusive=True, group="playback")
    def _play(self, frames: list[Path], fps: float, stop: threading.Event) -> None:
        from cagette.capture.clock import SYSTEM
        from cagette.capture.stopmotion import playback

        shown = 0
        try:
            for _index, img in playback(frames, fps, clock=self.playback_clock or SYSTEM):
                if stop.is_set():
                    break
                picture = renderable_from_bgr(img, *self.preview_cells())
                from_worker(self, self._show_played, picture)
                shown += 1
        except CagetteError as exc:
            from_worker(self, self.app.show_error, exc)
        self.played = shown
        from_worker(self, self._played, stop)

    played = 0

    def _show_played(self, picture: Any) -> None:
        if self.view == "playback":
            self.query_one("#preview", Picture).update(picture)

    def _played(self, stop: threading.Event) -> None:
        if self._playback_stop is stop:
            self._playback_stop = None
            self.view = "live"
            self.refresh_status()

    def stop_playback(self) -> None:
        if self._playback_stop is not None:
            self._playback_stop.set()
            self._playback_stop = None
            self.view = "live"

    def frames_summary(self) -> str:
        count = len(self.frames())
        text = ngettext("{n} frame", "{n} frames", count).format(n=count)
        if self.onion_frames > 0:
            text += " · " + ngettext("onion skin {opacity} % over {n} frame", "onion skin {opacity} % over {n} frames",
                                     self.onion_frames).format(opacity=self.onion_opacity, n=self.onion_frames)
        else:
            text += " · " + _("onion skin off")
        return text


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0
