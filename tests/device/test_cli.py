"""``cagette device ...`` run for real (subprocess) against the simulated board."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import tty

import pytest

from tests.conftest import run_cli
from tests.device.sim import SimDevice, answer_on_pty


def test_status_and_lights(sim: SimDevice) -> None:
    result = run_cli("device", "lights", "80%", "40", "--ramp-ms", "0", "--port", sim.port, "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["targets"] == {"key": 80.0, "fill": 40.0}
    result = run_cli("device", "status", "--port", sim.port, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["connected"] and data["board"]["firmware"] == "1.0.0"
    assert data["levels"] == {"key": 80.0, "fill": 40.0}
    text = run_cli("device", "status", "--port", sim.port)
    assert "firmware 1.0.0" in text.stdout and "key 80.0 %" in text.stdout


def test_lights_refuses_bad_levels_before_touching_the_board(sim: SimDevice) -> None:
    result = run_cli("device", "lights", "120%", "10", "--port", sim.port)
    assert result.returncode == 2
    assert "between 0 and 100" in result.stderr and "Traceback" not in result.stderr
    assert sim.app["levels"] == {"key": 0.0, "fill": 0.0} and sim.hellos == 0


def test_watch_prints_presses(sim: SimDevice) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "cagette", "device", "watch", "--port", sim.port, "--json",
                             "--count", "2", "--timeout", "60"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        sim.wait_hellos(2)  # the probe's, then the controller's
        _, end = sim.press(50)
        sim.wait_board_time(end + 50)
        sim.press(1200)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    assert [e["press"] for e in events] == ["short", "long"]
    assert events[0]["board_ms"] < events[1]["board_ms"]


def test_no_board_is_a_clear_error() -> None:
    result = run_cli("device", "status", "--port", "/dev/cagette-nothing-here")
    assert result.returncode == 1
    assert "Cannot open the port /dev/cagette-nothing-here" in result.stderr
    assert "Hint:" in result.stderr and "Traceback" not in result.stderr


def test_flash_dry_run_lists_the_firmware_files() -> None:
    result = run_cli("device", "flash", "--dry-run", "--json", "--port", "/dev/ttyACM9")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    board = sorted(f["board"] for f in data["files"])
    assert board[:2] == ["cagette_fw/__init__.py", "cagette_fw/app.py"]
    assert {"main.py", "hw_pico.py", "cagette_fw/button.py", "cagette_fw/protocol.py"} <= set(board)
    assert not any("pycache" in b or "test" in b for b in board)
    cmd = data["command"]
    assert cmd[1:5] == ["-m", "mpremote", "connect", "/dev/ttyACM9"] and cmd[-1] == "reset"
    assert ":cagette_fw/" in cmd


def test_flash_without_a_board_says_so() -> None:
    result = run_cli("device", "flash", "--port", "/dev/cagette-nothing-here")
    assert result.returncode == 1
    assert "There is no port /dev/cagette-nothing-here" in result.stderr
    result = run_cli("device", "flash", "--source", "/nonexistent", "--dry-run")
    assert result.returncode == 1 and "No firmware found in /nonexistent" in result.stderr


def test_flash_on_a_silent_port_fails_clearly() -> None:
    """mpremote would wait forever on a silent port: cagette gives up with a message (within
    run_cli's time limit; how soon is not this test's business)."""
    master, slave = os.openpty()
    tty.setraw(master)
    name = os.ttyname(slave)
    os.close(slave)
    try:
        result = run_cli("device", "flash", "--port", name, timeout=60)
        assert result.returncode == 1
        assert "No MicroPython prompt answered" in result.stderr
    finally:
        os.close(master)


def test_flash_asks_our_firmware_for_maintenance_first(sim: SimDevice) -> None:
    result = run_cli("device", "flash", "--port", sim.port, timeout=60)
    # the simulated board reboots into maintenance mode, but offers no REPL: mpremote is never reached
    assert result.returncode == 1 and "No MicroPython prompt" in result.stderr
    state = sim.state()
    assert state["resets"] == 1 and state["maintenance"]


@pytest.mark.slow
def test_flash_reaches_mpremote_when_a_prompt_answers() -> None:
    """A port showing a REPL prompt gets mpremote; its failure is reported in one line."""
    master, slave = os.openpty()
    tty.setraw(master)
    name = os.ttyname(slave)
    os.close(slave)
    stop = threading.Event()

    answer_on_pty(master, stop, b"\x03", b"\r\n>>> ")  # a REPL prompt after Ctrl-C
    try:
        result = run_cli("device", "flash", "--port", name, env={"CAGETTE_MPREMOTE_TIMEOUT_S": "4"}, timeout=60)
        assert result.returncode == 1, result.stdout
        assert "mpremote did not finish within 4 s" in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    finally:
        stop.set()
        os.close(master)


def test_list_without_boards() -> None:
    result = run_cli("device", "list", "--json")
    assert result.returncode == 0, result.stderr
    ports = json.loads(result.stdout)["ports"]
    assert all(p["usb_id"] == "2E8A:0005" for p in ports)
