# SPDX-License-Identifier: EUPL-1.2
"""The thin hardware layer for a Raspberry Pi Pico (RP2040).

Everything that touches ``machine`` lives here; the logic in ``cagette_fw``
only sees a :class:`Board` and an :class:`UsbIO`. Pins (see README.md):

* GP16: key light PWM  -> 220 ohm -> MOSFET gate (10 kohm gate pull-down)
* GP17: fill light PWM -> 220 ohm -> MOSFET gate (10 kohm gate pull-down)
* GP15: shutter button / foot pedal to GND (internal pull-up)
* GP14: status LED -> 330 ohm -> GND (the on-board LED, GP25, mirrors it)
"""

import os

import machine

KEY_PIN = 16
FILL_PIN = 17
BUTTON_PIN = 15
LED_PIN = 14
ONBOARD_LED_PIN = 25
PWM_FREQ = 20000  # Hz: no banding on phone video (rolling shutter), inaudible; ~12 bits of duty
WDT_MS = 5000  # the RP2040 allows up to 8388 ms
MAINTENANCE_FLAG = "maintenance"


def _ticks_ms():
    import time
    return time.ticks_ms()


class Board:
    def __init__(self, clock=None, watchdog=True, onboard_led=True, flag=MAINTENANCE_FLAG):
        self.now = clock or _ticks_ms
        self.flag = flag
        self.pwm = {}
        for name, pin in (("key", KEY_PIN), ("fill", FILL_PIN)):
            pwm = machine.PWM(machine.Pin(pin))
            pwm.freq(PWM_FREQ)
            pwm.duty_u16(0)
            self.pwm[name] = pwm
        self.button = machine.Pin(BUTTON_PIN, machine.Pin.IN, machine.Pin.PULL_UP)
        self.leds = [machine.Pin(LED_PIN, machine.Pin.OUT)]
        if onboard_led:
            self.leds.append(machine.Pin(ONBOARD_LED_PIN, machine.Pin.OUT))
        self.wdt = machine.WDT(timeout=WDT_MS) if watchdog else None

    def output(self, name):
        pwm = self.pwm[name]

        def write(duty):
            pwm.duty_u16(duty)
        return write

    def button_down(self):
        return self.button.value() == 0  # pulled up; the button shorts to GND

    def set_led(self, on):
        for led in self.leds:
            led.value(1 if on else 0)

    def feed(self):
        if self.wdt is not None:
            self.wdt.feed()

    def maintenance(self):
        """Reboot into a plain REPL (no watchdog) so mpremote can copy files."""
        with open(self.flag, "w") as fh:
            fh.write("1")
        machine.reset()


class UsbIO:
    """USB serial (the REPL's stdin/stdout), read without blocking."""

    def __init__(self):
        import select
        import sys
        self.inp = getattr(sys.stdin, "buffer", sys.stdin)
        self.out = getattr(sys.stdout, "buffer", None)
        self.text_out = sys.stdout
        self.poller = select.poll()
        self.poller.register(sys.stdin, select.POLLIN)

    def read(self):
        data = b""
        while len(data) < 512 and self.poller.poll(0):
            chunk = self.inp.read(1)
            if not chunk:
                break
            data += chunk
        return data

    def write(self, data):
        if self.out is not None:
            self.out.write(data)
        else:  # a port without byte streams: our lines are ASCII JSON anyway
            self.text_out.write(data.decode())


def maintenance_requested():
    """True once after ``maintenance``: the flag is consumed."""
    try:
        os.stat(MAINTENANCE_FLAG)
    except OSError:
        return False
    os.remove(MAINTENANCE_FLAG)
    return True
