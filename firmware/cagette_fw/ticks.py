# SPDX-License-Identifier: EUPL-1.2
"""Millisecond tick arithmetic that survives wrap-around.

MicroPython's ``time.ticks_ms()`` wraps at 2**30 on the RP2040; every
duration in the firmware is computed with :func:`diff`, never with ``-``.
"""

PERIOD = 1 << 30
_HALF = PERIOD // 2
_MASK = PERIOD - 1


def diff(end, start):
    """``end - start`` in ms, correct across one wrap of the tick counter."""
    return ((end - start + _HALF) & _MASK) - _HALF


def add(start, delta):
    return (start + delta) & _MASK
