"""A fake MicroPython ``machine`` module (Pin, PWM, WDT, reset) and clock.

Installed as ``sys.modules["machine"]`` by :func:`install`, so the real
``firmware/hw_pico.py`` runs unchanged on CPython. Time is a :class:`FakeClock`
the test moves by hand (or a device thread moves 1 ms per turn). Input pins
play a *waveform*: a list of ``(t_ms, value)`` changes, so button bounces are
described in board time and are exactly reproducible.
"""

from __future__ import annotations

import sys
import threading
import types
from pathlib import Path
from typing import Any

FIRMWARE = Path(__file__).resolve().parents[2] / "firmware"


class FakeClock:
    """Milliseconds that only move when told (wraps like the RP2040's ticks)."""

    PERIOD = 1 << 30

    def __init__(self, start: int = 0) -> None:
        self._t = start
        self._lock = threading.Lock()

    def __call__(self) -> int:
        with self._lock:
            return self._t % self.PERIOD

    @property
    def total(self) -> int:
        """Elapsed ms without wrapping (for waveforms)."""
        with self._lock:
            return self._t

    def advance(self, ms: int = 1) -> int:
        with self._lock:
            self._t += ms
            return self._t


class State:
    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.pins: dict[int, Pin] = {}
        self.pwms: dict[int, PWM] = {}
        self.wdt: WDT | None = None
        self.resets = 0


_state = State(FakeClock())


def reset_state(clock: FakeClock | None = None) -> State:
    global _state
    _state = State(clock or FakeClock())
    return _state


def state() -> State:
    return _state


class Pin:
    IN = 0
    OUT = 1
    PULL_UP = 1
    PULL_DOWN = 2

    def __init__(self, pin_id: int, mode: int = -1, pull: int | None = None) -> None:
        self.id = pin_id
        self.mode = mode
        self.pull = pull
        self._value = 1 if pull == Pin.PULL_UP else 0
        self.history: list[tuple[int, int]] = []
        self.waveform: list[tuple[int, int]] = []  # (total ms, level), sorted
        self._lock = threading.Lock()
        _state.pins[pin_id] = self

    def play(self, changes: list[tuple[int, int]]) -> None:
        """Schedule level changes at absolute clock times (input pins)."""
        with self._lock:
            self.waveform = sorted(self.waveform + list(changes))

    def value(self, v: int | None = None) -> int | None:
        if v is None:
            now = _state.clock.total
            with self._lock:
                while self.waveform and self.waveform[0][0] <= now:
                    self._value = self.waveform.pop(0)[1]
            return self._value
        self._value = 1 if v else 0
        self.history.append((_state.clock.total, self._value))
        return None


class PWM:
    def __init__(self, pin: Pin) -> None:
        self.pin = pin
        self._freq = 0
        self._duty = 0
        self.writes = 0
        _state.pwms[pin.id] = self

    def freq(self, f: int | None = None) -> int | None:
        if f is None:
            return self._freq
        if not 8 <= f <= 62_500_000:
            raise ValueError("freq out of range")
        self._freq = f
        return None

    def duty_u16(self, d: int | None = None) -> int | None:
        if d is None:
            return self._duty
        if not 0 <= d <= 65535 or not isinstance(d, int):
            raise ValueError(f"duty out of range: {d!r}")
        self._duty = d
        self.writes += 1
        return None


class WDT:
    """Records feeds; ``expired`` says whether a gap ever exceeded the timeout."""

    def __init__(self, id: int = 0, timeout: int = 5000) -> None:
        if not 1 <= timeout <= 8388:
            raise ValueError("timeout out of range for the RP2040")
        self.timeout = timeout
        self.last = _state.clock.total
        self.feeds = 0
        self.expired = False
        _state.wdt = self

    def feed(self) -> None:
        now = _state.clock.total
        if now - self.last > self.timeout:
            self.expired = True
        self.last = now
        self.feeds += 1

    def check(self) -> bool:
        """Would the board have been reset by now?"""
        return self.expired or _state.clock.total - self.last > self.timeout


def reset() -> None:
    _state.resets += 1


def install() -> types.ModuleType:
    """Make ``import machine`` give this module and the firmware importable."""
    module = sys.modules[__name__]
    sys.modules["machine"] = module
    if str(FIRMWARE) not in sys.path:
        sys.path.append(str(FIRMWARE))  # last: its main.py must never shadow another "main"
    return module


def firmware_modules() -> dict[str, Any]:
    install()
    import hw_pico
    from cagette_fw import app

    return {"hw_pico": hw_pico, "app": app}
