# SPDX-License-Identifier: EUPL-1.2
"""Light levels kept in flash across power cycles.

Flash wears out with writes, so a change is written at most once every
``MIN_INTERVAL_MS``: a slider dragged for ten seconds costs two or three
writes, and the last value is always the one kept. Writes go to a temporary
file renamed over the old one, so a power cut never leaves half a file.
"""

import json
import os

from cagette_fw import ticks

MIN_INTERVAL_MS = 5000


def _valid(data, names):
    out = {}
    if not isinstance(data, dict):
        return out
    for name in names:
        value = data.get(name)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 100:
            out[name] = float(value)
    return out


class Store:
    def __init__(self, path, names):
        self.path = path
        self.names = names
        self.saved = None
        self.pending = None
        self._last_write = None
        self.writes = 0
        self.failed = False

    def load(self):
        """The saved levels (missing or damaged file: nothing)."""
        try:
            with open(self.path) as fh:
                data = json.loads(fh.read())
        except (OSError, ValueError):
            return {}
        levels = _valid(data, self.names)
        self.saved = levels
        return levels

    def want(self, levels):
        if levels != self.saved:
            self.pending = dict(levels)
        else:
            self.pending = None

    def tick(self, now, force=False):
        if self.pending is None:
            return False
        if not force and self._last_write is not None and ticks.diff(now, self._last_write) < MIN_INTERVAL_MS:
            return False
        tmp = self.path + ".tmp"
        try:
            with open(tmp, "w") as fh:
                fh.write(json.dumps(self.pending))
            try:
                os.rename(tmp, self.path)  # LittleFS (the Pico's) replaces the old file
            except OSError:
                os.remove(self.path)  # FAT does not: make room, then rename
                os.rename(tmp, self.path)
        except OSError:
            self.failed = True
            self._last_write = now  # retry later, not in a tight loop
            return False
        self.failed = False
        self.saved = self.pending
        self.pending = None
        self._last_write = now
        self.writes += 1
        return True
