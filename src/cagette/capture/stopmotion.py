"""Stop-motion: a frame per shutter press, onion skin, frame editing.

Frames are numbered image files in the project's ``frames/<slug>/``, written
and renumbered through the project API (:mod:`cagette.video.project`), so
each take, delete or reorder is atomic and undoable, and the render engine
reads them as the scene's ``frames`` shot.

* :func:`onion_skin` blends previous frames over the live view (a pure
  function on numpy images, for the TUI and the CLI);
* :class:`StopMotion` takes frames from a :class:`~cagette.capture.recorder.FrameHub`
  on the events of a :class:`~cagette.capture.trigger.Trigger`: a short
  press takes a frame, a long press removes the last one;
* :func:`playback` paces a scene's frames at the chosen rate.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cagette.capture.clock import SYSTEM, Clock
from cagette.capture.trigger import Press, ShutterEvent, Trigger
from cagette.errors import CaptureError, UsageError
from cagette.i18n import _, ngettext

if TYPE_CHECKING:
    from cagette.capture.keystone import StageMarkers
    from cagette.capture.preview import Preview
    from cagette.capture.recorder import FrameHub
    from cagette.video.project import Project


def onion_skin(live: Any, previous: Sequence[Any], alpha: float = 0.35, count: int = 2) -> Any:
    """*live* with the last *count* of *previous* blended over it.

    The most recent frame weighs *alpha*, each older one half of the one
    after it. Images of another size are resized to *live*'s. Returns a new
    array; the inputs are not modified.
    """
    import cv2
    import numpy as np

    if not 0.0 <= alpha <= 1.0:
        raise UsageError(_("The onion-skin opacity must be between 0 and 1, not {alpha}.").format(alpha=alpha),
                         _("Try 0.3."))
    out = live.astype(np.float32)
    chosen = list(previous)[-count:] if count > 0 else []
    weight = alpha
    for img in reversed(chosen):  # newest first
        if img.shape[:2] != live.shape[:2]:
            img = cv2.resize(img, (live.shape[1], live.shape[0]), interpolation=cv2.INTER_AREA)
        if img.ndim == 2 and live.ndim == 3:
            img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
        out = out * (1.0 - weight) + img.astype(np.float32) * weight
        weight /= 2
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def read_image(path: Path) -> Any:
    import cv2
    import numpy as np

    data = np.fromfile(str(path), np.uint8)
    img = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if img is None:
        raise CaptureError(_("{path} is not a readable image.").format(path=path), _("Delete that frame."))
    return img


@dataclass(frozen=True)
class Taken:
    path: Path | None  # the new frame, or the removed one for a long press
    action: str  # "take" | "remove" | "none" | "dropped" (no camera was live)
    latency_s: float  # from the shutter event to the frame saved
    notice: str = ""  # why a press was dropped, for the person pressing


LOST_CAMERA_LIMIT_S = 120.0
"""How long a run of presses waits, by default, for a camera that has stopped sending (a network camera
reconnects by itself meanwhile); ``capture frames --wait-camera`` chooses it."""


class ShutterDropped(CaptureError):
    """A press came while no camera was live: it is dropped, never kept to become a frame later."""


class StopMotion:
    """Frames of one scene, taken from a live source."""

    def __init__(self, project: Project, scene: str, hub: FrameHub | None = None, *,
                 stage: StageMarkers | None = None, fps: float | None = None, quality: int = 92) -> None:
        self.project = project
        # import's rule: a new slug or the next position is a scene created with the first frame taken
        self.target = project.data.scene_target(scene)
        self.scene = self.target.slug
        self.hub = hub
        self.stage = stage
        self.fps = fps
        self.quality = quality

    # frames ---------------------------------------------------------------------
    def frames(self) -> list[Path]:
        if self.target.new and all(s.slug != self.scene for s in self.project.data.scenes):
            return []  # the scene is made with its first frame
        return self.project.frames(self.scene)

    def previous_images(self, count: int) -> list[Any]:
        return [read_image(p) for p in self.frames()[-count:]] if count > 0 else []

    def _encoded(self, timeout: float = 5.0) -> bytes:
        if self.hub is None:
            raise CaptureError(_("No camera is open."), _("Give a SOURCE to take frames from."))
        frame = self.hub.latest() or self.hub.wait_new(-1, timeout)
        if frame is None:
            raise CaptureError(_("The camera sent no picture in {s} seconds.").format(s=timeout),
                               _("Check that the phone's camera app is streaming."))
        if self.stage is None:
            return frame.jpeg(self.quality)  # the camera's own JPEG, not re-encoded
        import cv2

        from cagette.capture.keystone import correct

        fixed = correct(frame.image(), self.stage)
        img = fixed if fixed is not None else frame.image()
        ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, self.quality])
        if not ok:
            raise CaptureError(_("Could not encode a frame as JPEG."), None)
        return bytes(buf.tobytes())

    def take(self) -> Path:
        """Save the newest live frame as the scene's next frame (creating the scene with its first frame)."""
        data = self._encoded()
        if self.target.new:
            self.scene = self.project.ensure_scene(self.target)
        return self.project.add_frame_data(self.scene, data, ".jpg", fps=self.fps)

    def remove_last(self) -> Path | None:
        return self.project.delete_last_frame(self.scene)

    def retake(self, number: int) -> Path:
        """Replace frame *number* (1-based) with the newest live frame."""
        frames = self.frames()
        if not 1 <= number <= len(frames):
            raise UsageError(_("There is no frame {n}: the scene has {count}.").format(n=number, count=len(frames)),
                             _("Give a number between 1 and {count}.").format(count=len(frames)))
        # one undoable step: the old picture goes to the trash, the new one takes its number
        return self.project.replace_frame_data(self.scene, frames[number - 1].name, self._encoded(), ".jpg")

    def delete(self, numbers: Sequence[int]) -> None:
        frames = self.frames()
        bad = [n for n in numbers if not 1 <= n <= len(frames)]
        if bad:
            raise UsageError(_("There is no frame {n}: the scene has {count}.").format(n=bad[0], count=len(frames)),
                             _("Give a number between 1 and {count}.").format(count=len(frames)))
        self.project.delete_frames(self.scene, [frames[n - 1].name for n in numbers])

    def reorder(self, order: Sequence[int]) -> None:
        """New order as 1-based numbers of the current frames (each once)."""
        frames = self.frames()
        if sorted(order) != list(range(1, len(frames) + 1)):
            raise UsageError(_("The new order must name every frame once (1 to {count}).").format(count=len(frames)),
                             _("Example for 3 frames: 3,1,2."))
        self.project.reorder_frames(self.scene, [frames[n - 1].name for n in order])

    def duplicate(self, number: int, copies: int = 1) -> None:
        frames = self.frames()
        if not 1 <= number <= len(frames):
            raise UsageError(_("There is no frame {n}: the scene has {count}.").format(n=number, count=len(frames)),
                             _("Give a number between 1 and {count}.").format(count=len(frames)))
        self.project.duplicate_frames(self.scene, frames[number - 1].name, copies)

    # the live view -------------------------------------------------------------
    def live_view(self, width: int = 320, fps: float = 12.0, alpha: float = 0.35, count: int = 2) -> Preview:
        """A started :class:`~cagette.capture.preview.Preview` of the camera with
        the last *count* frames blended over it (onion skin), for the TUI."""
        from cagette.capture.preview import Preview

        if self.hub is None:
            raise CaptureError(_("No camera is open."), _("Give a SOURCE to take frames from."))
        cache: dict[str, Any] = {"key": None, "images": [], "checked": 0.0}

        def blend(small: Any) -> Any:
            now = time.monotonic()
            if now - cache["checked"] > 0.3:
                cache["checked"] = now
                files = self.frames()[-count:] if count > 0 else []
                key = tuple((f.name, f.stat().st_mtime_ns) for f in files)
                if key != cache["key"]:
                    import cv2

                    cache["key"] = key
                    cache["images"] = [cv2.resize(read_image(f), (small.shape[1], small.shape[0]),
                                                  interpolation=cv2.INTER_AREA) for f in files]
            return onion_skin(small, cache["images"], alpha, count)

        return Preview(self.hub, width=width, fps=fps, transform=blend).start()

    # the shutter ---------------------------------------------------------------
    def live_since(self) -> float | None:
        """Since when the camera has been sending pictures (``time.monotonic()``); None: not now."""
        hub = self.hub
        if hub is None or hub.finished.is_set():
            return None
        connected = getattr(hub.source, "connected", None)
        if connected is not None and not connected.is_set():
            return None  # reconnecting: its last picture is not the scene any more
        return getattr(hub, "live_since", None)

    def _check_camera(self, lost_since: float | None, limit_s: float, clock: Clock) -> float | None:
        """Since when no camera has been live (None: one is); raises once that has lasted *limit_s*, or at
        once when the camera failed for good. Presses made meanwhile are dropped with a notice."""
        hub = self.hub
        if hub is not None and hub.finished.is_set() and isinstance(hub.error, CaptureError):
            raise hub.error
        if self.live_since() is not None:
            return None
        now = clock.now()
        if lost_since is None:
            return now
        if now - lost_since >= limit_s:
            if hub is not None and hub.finished.is_set():
                why = _("The camera's stream has ended.")
            else:
                why = _("The camera has sent no picture for {s:.0f} seconds.").format(s=now - lost_since)
            raise CaptureError(self._kept(why),
                               _("Check the phone's camera app and the Wi-Fi, then run the same command again: "
                                 "new frames follow the last one."))
        return lost_since

    def _kept(self, why: str) -> str:
        n = len(self.frames())
        return why + " " + ngettext("{n} frame is kept in scene {scene}.", "{n} frames are kept in scene {scene}.",
                                    n).format(n=n, scene=self.scene)

    def handle(self, event: ShutterEvent) -> Taken:
        """Take a frame (short press) or remove the last one (long press); a press made while no
        camera was live raises :class:`ShutterDropped`."""
        since = self.live_since()
        if since is None or event.time_s < since:
            raise ShutterDropped(_("A shutter press came while no camera was live: it was ignored, "
                                   "not kept for later."),
                                 _("Wait for the camera's picture, then press again."))
        if event.press == Press.LONG:
            removed = self.remove_last()
            return Taken(removed, "remove" if removed else "none", time.monotonic() - event.time_s)
        path = self.take()
        return Taken(path, "take", time.monotonic() - event.time_s)

    def run(self, trigger: Trigger, *, on_taken: Callable[[Taken], None] | None = None,
            max_frames: int | None = None, should_stop: Callable[[], bool] | None = None,
            lost_limit_s: float = LOST_CAMERA_LIMIT_S, clock: Clock = SYSTEM) -> list[Taken]:
        """Handle shutter events until the trigger closes (or *max_frames* taken).

        A camera that has not been live for *lost_limit_s* (read on *clock*: ended, or reconnecting all that
        time), or that failed for good, ends the run with a :class:`CaptureError`; the frames taken so far
        are already saved."""
        done: list[Taken] = []
        taken = 0
        lost_since: float | None = None
        while True:
            if should_stop is not None and should_stop():
                break
            lost_since = self._check_camera(lost_since, lost_limit_s, clock)
            event = trigger.get(timeout=0.2)
            if event is None:
                if getattr(trigger, "closed", False):
                    break
                continue
            try:
                result = self.handle(event)
            except ShutterDropped as exc:
                result = Taken(None, "dropped", 0.0, f"{exc.message} {exc.hint}")
            done.append(result)
            if on_taken:
                on_taken(result)
            if result.action == "take":
                taken += 1
                if max_frames is not None and taken >= max_frames:
                    break
        return done


def playback(frames: Sequence[Path], fps: float, loop: bool = False,
             clock: Clock = SYSTEM) -> Iterator[tuple[int, Any]]:
    """Yield (index, image) for each frame at *fps*, on time (late frames are skipped)."""
    if fps <= 0:
        raise UsageError(_("The playback rate must be positive, not {fps}.").format(fps=fps), _("Try 12."))
    if not frames:
        return
    cache: dict[int, Any] = {}
    never = threading.Event()
    while True:
        start = clock.now()
        for i in range(len(frames)):
            due = start + i / fps
            now = clock.now()
            if now > due + 1.0 / fps and i + 1 < len(frames):
                continue  # late: skip to keep the rate
            if due > now:
                clock.wait(never, due - now)
            if i not in cache:
                cache[i] = read_image(frames[i])
            yield i, cache[i]
        if not loop:
            return
