# SPDX-License-Identifier: EUPL-1.2
"""A stand-in for MicroPython's ``machine`` module: the simulated Pico.

Placed first on the path by ``studio.py``, it shadows the built-in ``machine`` of MicroPython's Unix
port, so ``hw_pico.py`` and ``cagette_fw`` run unchanged. Written for MicroPython (and plain enough
for CPython): no annotations, no CPython-only module.

* :class:`Pin`: outputs record their level and how often it changed; inputs play a *waveform* of
  ``(board ms, level)`` changes, read by polling (``value()``) at the board's time;
* :class:`PWM`: frequency and 16-bit duty, checked against the RP2040's ranges;
* :class:`WDT`: fed by the loop; :func:`watchdog_bites` says when the board resets;
* :func:`reset`: raises :class:`Reset`, which the simulator catches to boot the board again;
* :class:`Flash`: the Pico's flash as a file: a LittleFS image on MicroPython (the file system the
  Pico uses), a folder on CPython, mounted as the current directory;
* the board's clock: virtual milliseconds moved by :func:`advance` (one per turn of the loop), so
  button waveforms play the same however busy the computer is; ``ticks_ms()`` wraps at 2**30.
"""

import os

PERIOD = 1 << 30
_board = {"t": 0, "resets": 0}
pins = {}
pwms = {}
watchdogs = []


def ticks_ms():
    return _board["t"] & (PERIOD - 1)


def total_ms():
    """Board time without wrapping (for waveforms and the bench)."""
    return _board["t"]


def advance(ms):
    _board["t"] += ms
    return _board["t"]


def set_time(ms):
    _board["t"] = ms


def resets():
    return _board["resets"]


def power_on():
    """A fresh board: no pin, PWM or watchdog configured yet (the clock keeps running)."""
    pins.clear()
    pwms.clear()
    del watchdogs[:]


class Reset(BaseException):
    """``machine.reset()`` was called: the simulator boots the board again."""


def reset():
    _board["resets"] += 1
    raise Reset()


class Pin:
    IN = 0
    OUT = 1
    OPEN_DRAIN = 2
    PULL_UP = 1
    PULL_DOWN = 2

    def __init__(self, pin_id, mode=-1, pull=-1, value=None):
        self.id = pin_id
        self.mode = mode
        self.pull = pull
        self._value = 1 if pull == Pin.PULL_UP else 0
        if value is not None:
            self._value = 1 if value else 0
        self.toggles = 0
        self.waveform = []  # [(total ms, level)], sorted
        pins[pin_id] = self

    def play(self, changes):
        """Schedule level changes at board times (an input pin's contact)."""
        wave = self.waveform + [(int(t), 1 if v else 0) for t, v in changes]
        wave.sort()
        self.waveform = wave

    def value(self, v=None):
        if v is None:
            now = _board["t"]
            while self.waveform and self.waveform[0][0] <= now:
                self._value = self.waveform.pop(0)[1]
            return self._value
        v = 1 if v else 0
        if v != self._value:
            self.toggles += 1
        self._value = v
        return None

    def on(self):
        self.value(1)

    def off(self):
        self.value(0)

    def info(self):
        return {"mode": self.mode, "pull": self.pull, "value": self._value, "toggles": self.toggles}


class PWM:
    def __init__(self, pin, freq=None, duty_u16=None):
        self.pin = pin
        self._freq = 0
        self._duty = 0
        self.writes = 0
        pwms[pin.id] = self
        if freq is not None:
            self.freq(freq)
        if duty_u16 is not None:
            self.duty_u16(duty_u16)

    def freq(self, f=None):
        if f is None:
            return self._freq
        if not 8 <= f <= 62500000:
            raise ValueError("freq out of range")
        self._freq = f
        return None

    def duty_u16(self, d=None):
        if d is None:
            return self._duty
        if not isinstance(d, int) or not 0 <= d <= 65535:
            raise ValueError("duty out of range")
        self._duty = d
        self.writes += 1
        return None

    def deinit(self):
        self._duty = 0

    def info(self):
        return {"freq": self._freq, "duty": self._duty, "writes": self.writes}


class WDT:
    """Once started it cannot be stopped; the board resets when a feed comes too late."""

    def __init__(self, id=0, timeout=5000):
        if not 1 <= timeout <= 8388:
            raise ValueError("timeout out of range for the RP2040")
        self.timeout = timeout
        self.last = _board["t"]
        self.feeds = 0
        watchdogs.append(self)

    def feed(self):
        self.last = _board["t"]
        self.feeds += 1

    def info(self):
        return {"timeout": self.timeout, "feeds": self.feeds, "late_ms": _board["t"] - self.last - self.timeout}


def watchdog_bites():
    """True when a watchdog was fed too late: the board resets (count it in :func:`resets`)."""
    for wdt in watchdogs:
        if _board["t"] - wdt.last > wdt.timeout:
            _board["resets"] += 1
            return True
    return False


# -- the flash -------------------------------------------------------------------------------

BLOCK = 4096


class BlockDevice:
    """A file holding the flash's blocks, counting what a real chip would wear on."""

    def __init__(self, path, blocks):
        self.blocks = blocks
        try:
            self.f = open(path, "r+b")  # noqa: SIM115 - the chip stays open while the board runs
        except OSError:
            with open(path, "wb") as fh:
                empty = b"\xff" * BLOCK
                for _ in range(blocks):
                    fh.write(empty)
            self.f = open(path, "r+b")  # noqa: SIM115
        self.writes = 0
        self.erases = 0

    def readblocks(self, block, buf, offset=0):
        self.f.seek(block * BLOCK + offset)
        self.f.readinto(buf)

    def writeblocks(self, block, buf, offset=None):
        self.writes += 1
        self.f.seek(block * BLOCK + (offset or 0))
        self.f.write(buf)
        self.f.flush()

    def ioctl(self, op, arg):
        if op == 4:  # block count
            return self.blocks
        if op == 5:  # block size
            return BLOCK
        if op == 6:  # erase a block
            self.erases += 1
        return 0


class Flash:
    """The board's flash, mounted as the current directory (where ``levels.json`` lives)."""

    def __init__(self, path, blocks=64):
        self.path = path
        self.device = None
        if hasattr(os, "VfsLfs2"):  # MicroPython: a LittleFS image, as on the Pico
            self.device = BlockDevice(path, blocks)
            try:
                vfs = os.VfsLfs2(self.device)
            except OSError:  # a blank chip
                os.VfsLfs2.mkfs(self.device)
                vfs = os.VfsLfs2(self.device)
            os.mount(vfs, "/flash")
            os.chdir("/flash")
            self.kind = "littlefs"
        else:  # CPython: a folder
            try:
                os.mkdir(path)
            except OSError:
                pass
            os.chdir(path)
            self.kind = "folder"

    def files(self):
        out = {}
        for name in os.listdir():
            try:
                with open(name) as fh:
                    out[name] = fh.read()
            except (OSError, UnicodeError):
                out[name] = None
        return out

    def erase(self):
        for name in os.listdir():
            os.remove(name)

    def info(self):
        data = {"kind": self.kind, "files": self.files()}
        if self.device is not None:
            data["block_writes"] = self.device.writes
            data["erases"] = self.device.erases
        return data
