# SPDX-License-Identifier: EUPL-1.2
"""Light channels: levels in percent, gamma-corrected PWM, soft ramps."""

from cagette_fw import ticks

GAMMA = 2.2
MAX_DUTY = 65535
DEFAULT_RAMP_MS = 300
MAX_RAMP_MS = 60000


def duty_for(level):
    """PWM duty (0..65535) for a perceived level in percent (0..100).

    The eye sees brightness roughly as duty ** (1 / 2.2), so 50 % on the
    slider gives about 22 % duty and looks half as bright.
    """
    if level <= 0:
        return 0
    if level >= 100:
        return MAX_DUTY
    return int(MAX_DUTY * (level / 100.0) ** GAMMA + 0.5)


class Channel:
    """One LED strip behind a MOSFET; ``output(duty)`` drives its PWM."""

    def __init__(self, name, output, now):
        self.name = name
        self.output = output
        self.level = 0.0
        self.target = 0.0
        self._start = 0.0
        self._t0 = now
        self._ramp_ms = 0
        self.duty = -1
        self._apply()

    def _apply(self):
        duty = duty_for(self.level)
        if duty != self.duty:
            self.duty = duty
            self.output(duty)

    def set(self, target, ramp_ms, now):
        """Go to *target* percent, linearly in perceived level over *ramp_ms*."""
        self._start = self.level
        self.target = float(target)
        self._t0 = now
        self._ramp_ms = int(ramp_ms)
        if self._ramp_ms <= 0:
            self.level = self.target
            self._apply()

    def ramping(self):
        return self.level != self.target

    def tick(self, now):
        if self.level == self.target:
            return
        elapsed = ticks.diff(now, self._t0)
        if self._ramp_ms <= 0 or elapsed >= self._ramp_ms:
            self.level = self.target
        elif elapsed > 0:
            self.level = self._start + (self.target - self._start) * elapsed / self._ramp_ms
        self._apply()
