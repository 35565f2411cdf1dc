# SPDX-License-Identifier: EUPL-1.2
"""The shutter button (or foot pedal): debounced, short and long presses."""

from cagette_fw import ticks

DEBOUNCE_MS = 20  # a change counts once the contact stays put this long
LONG_MS = 800  # held this long: a long press (sent while still held)


class Button:
    """Feed :meth:`poll` with the time; it returns ``None`` or an event
    ``(press, t_ms)`` where *press* is ``"short"`` (sent on release) or
    ``"long"`` (sent when the hold reaches ``LONG_MS``) and *t_ms* is the
    board time the press began."""

    def __init__(self, is_down, now):
        self.is_down = is_down
        raw = bool(is_down())
        self.stable = raw
        self._candidate = raw
        self._since = now
        self._down_at = None
        self._long_sent = raw  # held at boot: not a press
        self.presses = 0

    def poll(self, now):
        raw = bool(self.is_down())
        event = None
        if raw != self._candidate:
            self._candidate = raw
            self._since = now
        elif raw != self.stable and ticks.diff(now, self._since) >= DEBOUNCE_MS:
            self.stable = raw
            if raw:
                self._down_at = self._since
                self._long_sent = False
            else:
                if self._down_at is not None and not self._long_sent:
                    event = ("short", self._down_at)
                self._down_at = None
        if (self.stable and self._down_at is not None and not self._long_sent
                and ticks.diff(now, self._down_at) >= LONG_MS):
            self._long_sent = True
            event = ("long", self._down_at)
        if event is not None:
            self.presses += 1
        return event
