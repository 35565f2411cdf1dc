# SPDX-License-Identifier: EUPL-1.2
"""cagette studio controller firmware: board-independent logic.

Every module here runs both on MicroPython (RP2040) and on CPython (tests):
no type annotations, no f-strings, no CPython-only modules. The hardware is
reached only through the board object of ``hw_pico.py`` (or a fake one).
"""

VERSION = "1.0.0"
PROTOCOL = 1
DEVICE = "cagette-studio"
