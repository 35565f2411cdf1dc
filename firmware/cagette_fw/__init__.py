# SPDX-License-Identifier: EUPL-1.2
"""cagette studio controller firmware: board-independent logic.

Every module here runs on MicroPython (RP2040) and also on CPython: no type
annotations, no module or method that only CPython has (the tests run it on
MicroPython's Unix port, and a standing test shows they catch one). The
hardware is reached only through the board object of ``hw_pico.py``, on the
Pico or on the stand-in of ``firmware/sim/``.
"""

VERSION = "1.0.0"
PROTOCOL = 1
DEVICE = "cagette-studio"
