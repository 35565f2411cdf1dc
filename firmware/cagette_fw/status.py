# SPDX-License-Identifier: EUPL-1.2
"""The status LED: what the board is doing, at a glance.

* slow blink (1 s period): powered, no host has spoken for a while;
* steady on: a host is connected (spoke in the last ``HOST_TIMEOUT_MS``);
* short dark blip: a command was received or a press was sent;
* fast blink (5 per second): ``identify`` — "this is the board you mean".
"""

from cagette_fw import ticks

HOST_TIMEOUT_MS = 10000
BLINK_MS = 500
BLIP_MS = 60
IDENTIFY_MS = 100


class StatusLed:
    def __init__(self, write, now):
        self.write = write
        self.value = None
        self._last_host = None
        self._blip_until = now
        self._identify_until = now
        self._identifying = False

    def host_seen(self, now):
        self._last_host = now
        self._blip_until = ticks.add(now, BLIP_MS)

    def activity(self, now):
        self._blip_until = ticks.add(now, BLIP_MS)

    def identify(self, now, ms):
        self._identify_until = ticks.add(now, ms)
        self._identifying = True

    def connected(self, now):
        return self._last_host is not None and ticks.diff(now, self._last_host) < HOST_TIMEOUT_MS

    def mode(self, now):
        if self._identifying and ticks.diff(self._identify_until, now) > 0:
            return "identify"
        self._identifying = False
        return "connected" if self.connected(now) else "waiting"

    def tick(self, now):
        mode = self.mode(now)
        if mode == "identify":
            on = (now // IDENTIFY_MS) % 2 == 0
        elif mode == "connected":
            on = ticks.diff(self._blip_until, now) <= 0
        else:
            on = (now // BLINK_MS) % 2 == 0
        if on != self.value:
            self.value = on
            self.write(on)
