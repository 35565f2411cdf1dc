"""Host driver <-> firmware over a REAL pseudo-terminal pair with pyserial.

The board runs the firmware on MicroPython's Unix port; the tests marked ``BOTH`` also run it on
CPython. No test measures time: board time is counted by the simulator, and waits only bound how
long a broken link may take to show."""

from __future__ import annotations

import os
import select
import threading
import time
import tty
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cagette.capture.trigger import Press, QueueTrigger
from cagette.device import finder
from cagette.device.controller import Controller
from cagette.errors import DeviceError
from tests.device.sim import BOTH, SimDevice, answer_on_pty
from tests.device.test_firmware import gamma_duty

both = pytest.mark.parametrize("interpreter", BOTH)


def board_noise(sim: SimDevice, data: bytes) -> None:
    """Bytes on the line as if the board sent them (the host holds the pty's master side too)."""
    while data:
        select.select([], [sim.master], [], 5)
        try:
            data = data[os.write(sim.master, data):]
        except BlockingIOError:
            continue


def wait_for(cond: Any, timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


@both
def test_hello_over_the_pty(controller: Controller, sim: SimDevice, interpreter: str) -> None:
    assert sim.impl["impl"] == interpreter
    assert controller.info is not None
    assert controller.info.firmware == "1.0.0" and controller.info.protocol == 1
    assert "button" in controller.info.caps
    assert controller.port == sim.port and sim.app["session"]
    assert controller.ping() >= 0  # it answers


@both
def test_set_and_read_levels_and_ramps_reach_their_target(controller: Controller, sim: SimDevice) -> None:
    targets = controller.set_lights(key=75, fill=30.25, ramp_ms=250)
    assert targets == {"key": 75.0, "fill": 30.2} or targets == {"key": 75.0, "fill": 30.3}
    first = controller.levels()
    assert first["targets"]["key"] == 75.0
    wait_for(lambda: not controller.levels()["ramping"], what="the ramp to end")
    levels = controller.levels()["levels"]
    assert levels["key"] == 75.0 and abs(levels["fill"] - 30.25) < 0.1
    assert sim.state()["pwm"]["16"]["duty"] == gamma_duty(75.0)
    controller.set_lights(key=0, ramp_ms=0)
    assert controller.levels()["levels"]["key"] == 0.0 and sim.state()["pwm"]["16"]["duty"] == 0


def test_bad_values_are_a_device_error_not_a_crash(controller: Controller) -> None:
    with pytest.raises(DeviceError, match="bad_value"):
        controller.set_lights(key=150)
    assert controller.request("dance").error == "unknown_command"
    assert controller.ping() >= 0


@both
def test_button_presses_arrive_in_order_debounced(controller: Controller, sim: SimDevice) -> None:
    trigger = controller.trigger
    assert isinstance(trigger, QueueTrigger)
    starts = []
    for hold in (40, 60, 90, 50, 70):
        start, end = sim.press(hold)  # each edge bounces for ~11 ms
        starts.append(start)
        sim.wait_board_time(end + 60)
    start, _ = sim.press(1000)
    starts.append(start)
    events = [trigger.get(timeout=10) for _ in range(6)]
    assert all(e is not None and e.source == "device" for e in events)
    assert [e.press for e in events if e] == [Press.SHORT] * 5 + [Press.LONG]
    board = [e.board_ms for e in events if e]
    assert board == sorted(board)
    assert [b - s for b, s in zip(board, starts, strict=True)] == [11] * 6  # the time the contact settled
    app = sim.app
    assert app["presses"] == app["events_sent"] == 6  # the bounces gave nothing extra
    assert trigger.get(timeout=0) is None


@both
def test_unplug_and_replug_reconnects(controller: Controller, sim: SimDevice) -> None:
    old_port = sim.port
    sim.unplug()
    wait_for(lambda: not controller.connected, 5, "the controller to notice the unplug")
    with pytest.raises(DeviceError):
        controller.ping()
    time.sleep(0.3)  # a few failed attempts: the back-off grows
    new_port = sim.plug()
    assert sim.port == new_port and old_port
    controller.wait_connected(10)
    assert controller.connections == 2 and controller.port == new_port
    assert controller.ping() >= 0
    assert sim.boots == 1  # a USB-powered board: a new boot on the new port
    sim.press(50)
    event = controller.trigger.get(timeout=10)  # type: ignore[union-attr]
    assert event is not None and event.press is Press.SHORT


def test_the_port_is_opened_exclusively(controller: Controller, sim: SimDevice) -> None:
    with pytest.raises(DeviceError, match="exclusively") as err:
        finder.open_port(sim.port)
    assert err.value.hint and "Another program" in err.value.hint


def test_probe_confirms_the_board_by_its_hello(sim: SimDevice) -> None:
    info = finder.probe(sim.port)
    assert info.device == "cagette-studio"
    port, info2 = finder.find_board(sim.port)
    assert port == sim.port and info2 == info


def _silent_pty() -> tuple[int, str]:
    master, slave = os.openpty()
    tty.setraw(master)
    name = os.ttyname(slave)
    os.close(slave)
    return master, name


def test_probe_refuses_a_silent_or_foreign_board() -> None:
    master, name = _silent_pty()
    try:
        with pytest.raises(DeviceError, match="answered"):
            finder.probe(name, timeout=0.3)
        stop = threading.Event()

        # a MicroPython board running something else
        answer_on_pty(master, stop, b"probe", b'{"id": "probe", "ok": true, "device": "thermostat"}\n')
        with pytest.raises(DeviceError, match="not a cagette"):
            finder.probe(name, timeout=2)
        stop.set()
    finally:
        os.close(master)


def test_controller_keeps_looking_when_no_board_answers() -> None:
    master, name = _silent_pty()
    try:
        ctl = Controller(lambda: [name], hello_timeout_s=0.2, backoff_s=(0.01, 0.05)).start()
        with pytest.raises(DeviceError, match="did not answer"):
            ctl.wait_connected(0.8)
        ctl.stop()
        assert not ctl.connected
    finally:
        os.close(master)


@pytest.mark.slow
@both
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(noise=st.lists(st.binary(min_size=1, max_size=700), min_size=1, max_size=3),
       to_board=st.binary(max_size=600))
def test_fuzz_both_ways_over_the_pty(controller: Controller, sim: SimDevice, noise: list[bytes],
                                     to_board: bytes) -> None:
    """Noise from the board to the host, and from the host to the board:
    neither side stops answering."""
    for chunk in noise:
        board_noise(sim, chunk + b"\n")
    controller._write(to_board + b"\n")  # raw bytes, past the encoder
    assert controller.ping() >= 0
    assert controller.connected and controller._thread is not None and controller._thread.is_alive()


def test_shutter_trigger_for_capture(sim: SimDevice) -> None:
    """What ``cagette capture frames --trigger device`` calls."""
    from cagette.device import shutter_trigger

    trigger = shutter_trigger(sim.port)
    try:
        sim.press(40)
        event = trigger.get(timeout=10)
        assert event is not None and event.press is Press.SHORT and event.source == "device"
    finally:
        trigger.close()
    assert not trigger.controller.connected
    assert trigger.get(timeout=0.1) is None  # closed
    finder.open_port(sim.port).close()  # the port is free again


def test_reconnection_backs_off() -> None:
    """Each failed look doubles the wait, up to the cap; a session that said hello starts it again
    (the waits are counted through an injected ``wait``, not timed)."""
    sessions = iter([False, False, False, False, False, True, False])
    waits: list[float] = []

    def wait(seconds: float) -> bool:
        waits.append(seconds)
        return len(waits) >= 7  # True: stop looking

    ctl = Controller(lambda: [], backoff_s=(0.01, 0.16), wait=wait)
    ctl._session = lambda: next(sessions)  # type: ignore[method-assign]
    ctl._run()
    assert waits == [0.02, 0.04, 0.08, 0.16, 0.16, 0.01, 0.02]


def test_a_board_that_never_answers_is_looked_for_with_growing_waits() -> None:
    """The real loop, on a port list that stays empty: it waits between looks, never spins."""
    looks: list[int] = []
    waits: list[float] = []
    done = threading.Event()

    def wait(seconds: float) -> bool:
        waits.append(seconds)
        if len(waits) >= 6:
            done.set()
            return True
        return False

    ctl = Controller(lambda: looks.append(1) or [], backoff_s=(0.01, 0.05), wait=wait).start()
    assert done.wait(10)
    ctl.stop()
    assert len(looks) == len(waits) == 6 and waits == [0.02, 0.04, 0.05, 0.05, 0.05, 0.05]


def test_huge_lines_and_a_failing_callback_do_not_kill_the_link(sim: SimDevice) -> None:
    seen: list[Any] = []

    def flaky(event: Any) -> None:
        seen.append(event)
        if len(seen) == 1:
            raise RuntimeError("a consumer bug")

    ctl = Controller(lambda: [sim.port], on_event=flaky, backoff_s=(0.02, 0.2)).start()
    try:
        ctl.wait_connected(10)
        board_noise(sim, b"x" * 20000 + b"\n")  # far past the host's 4 KiB line limit
        assert ctl.ping() >= 0
        assert ctl.garbage >= 1
        _, end = sim.press(40)
        wait_for(lambda: ctl.internal_errors == 1, what="the callback error to be recorded")
        ctl.wait_connected(10)  # reconnected by itself
        assert "a consumer bug" in (ctl.status()["last_error"] or "")
        sim.wait_board_time(end + 50)
        sim.press(40)
        wait_for(lambda: len(seen) == 2, what="the next press")
    finally:
        ctl.stop()


def test_candidates_are_the_micropython_usb_ids() -> None:
    from types import SimpleNamespace

    ports = [SimpleNamespace(device="/dev/ttyACM1", vid=0x2E8A, pid=0x0005, serial_number="E66", description="Board in FS mode"),
             SimpleNamespace(device="/dev/ttyACM0", vid=0x2341, pid=0x0043, serial_number="A1", description="Arduino Uno"),
             SimpleNamespace(device="/dev/ttyS0", vid=None, pid=None, serial_number=None, description="n/a")]
    found = finder.candidates(ports=ports)
    assert [(c.device, c.usb_id) for c in found] == [("/dev/ttyACM1", "2E8A:0005")]
    assert [c.device for c in finder.candidates(include_all=True, ports=ports)] == ["/dev/ttyACM0", "/dev/ttyACM1", "/dev/ttyS0"]


def test_find_board_skips_a_board_that_is_not_ours(sim: SimDevice) -> None:
    master, silent = _silent_pty()
    try:
        port, info = finder.find_board(among=[silent, sim.port], timeout=0.5)
        assert port == sim.port and info.firmware == "1.0.0"
        with pytest.raises(DeviceError, match="No cagette studio controller among") as err:
            finder.find_board(among=[silent], timeout=0.5)
        assert err.value.hint and "cagette device flash" in err.value.hint
    finally:
        os.close(master)


def test_the_simulators_port_is_found_through_the_environment(sim: SimDevice, monkeypatch: pytest.MonkeyPatch,
                                                             isolated_home: Any) -> None:
    """A pseudo-terminal has no USB id: ``CAGETTE_DEVICE_PORT`` names it, before the settings."""
    from cagette import settings

    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "settings.toml").write_text('[device]\nport = "/dev/no"\n', encoding="utf-8")
    settings.current.cache_clear()
    monkeypatch.setenv(finder.PORT_ENV, sim.port)
    assert finder.configured_port() == sim.port
    assert finder.configured_port("/dev/ttyACM3") == "/dev/ttyACM3"  # --port first
    port, info = finder.find_board()
    assert port == sim.port and info.device == "cagette-studio"
    assert finder.port_lister()() == [sim.port]
    monkeypatch.delenv(finder.PORT_ENV)
    assert finder.configured_port() == "/dev/no"
