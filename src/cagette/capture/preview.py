"""A live view for the TUI: downscaled frames at a steady rate.

:class:`Preview` reads the newest frame of a
:class:`~cagette.capture.recorder.FrameHub` in its own thread, at most *fps*
times a second, decodes and shrinks it, and keeps only the last result. It
never queues frames, so a slow screen never slows the recording: frames the
view had no time for are simply not shown.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cagette.capture.clock import SYSTEM, Clock

if TYPE_CHECKING:
    from cagette.capture.recorder import FrameHub


class Preview:
    def __init__(self, hub: FrameHub, width: int = 320, fps: float = 12.0,
                 transform: Callable[[Any], Any] | None = None, clock: Clock = SYSTEM) -> None:
        self.hub = hub
        self.clock = clock
        self.width = width
        self.fps = fps
        self.transform = transform  # e.g. onion skin or keystone, applied to the small image
        self._image: Any = None
        self._index = -1
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.shown = 0  # images produced
        self.times: deque[float] = deque(maxlen=120)  # when the last images were produced

    def start(self) -> Preview:
        self._thread = threading.Thread(target=self._run, name="cagette-preview", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Preview:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def rate(self) -> float:
        """Images per second over the recent images."""
        t = list(self.times)
        return (len(t) - 1) / (t[-1] - t[0]) if len(t) >= 2 and t[-1] > t[0] else 0.0

    def image(self) -> tuple[int, Any]:
        """(source frame index, small BGR image) of the newest view; (-1, None) before the first."""
        with self._lock:
            return self._index, self._image

    def _run(self) -> None:
        period = 1.0 / self.fps
        next_t = self.clock.now()
        while not self._stop.is_set():
            frame = self.hub.latest()
            if frame is not None and frame.index != self._index:
                self._show(frame)
            next_t += period
            wait = next_t - self.clock.now()
            if wait < 0:  # late (a slow transform): start a new period, never catch up with a burst
                next_t = self.clock.now()
                wait = 0
            self.clock.wait(self._stop, wait)

    def _show(self, frame: Any) -> None:
        import cv2

        if frame.kind == "jpeg":
            # decode at reduced size straight away: much cheaper
            import numpy as np

            img = cv2.imdecode(np.frombuffer(frame.data, np.uint8), cv2.IMREAD_REDUCED_COLOR_2)
        else:
            img = frame.data
        if img is None:
            return
        h, w = img.shape[:2]
        if w > self.width:
            img = cv2.resize(img, (self.width, max(1, h * self.width // w)), interpolation=cv2.INTER_AREA)
        if self.transform is not None:
            img = self.transform(img)
        with self._lock:
            self._image, self._index = img, frame.index
        self.shown += 1
        self.times.append(self.clock.now())
