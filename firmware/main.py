# SPDX-License-Identifier: EUPL-1.2
"""Boot: run the controller, unless a host asked for maintenance mode."""

import hw_pico

if hw_pico.maintenance_requested():
    print("cagette: maintenance mode, REPL free for mpremote")
else:
    import time

    import micropython
    from cagette_fw.app import App

    micropython.kbd_intr(-1)  # Ctrl-C bytes are data, not an interrupt
    App(hw_pico.Board(), hw_pico.UsbIO(), "levels.json").run(time.sleep_ms)
