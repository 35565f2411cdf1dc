"""``cagette device simulate``: the firmware on a simulated board, behind a pty, that the other
commands find through ``CAGETTE_DEVICE_PORT``, driven by lines (no terminal) or by keys (a terminal)."""

from __future__ import annotations

import json
import os
import pty
import queue
import re
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import run_cli


class Simulator:
    """``cagette device simulate`` in a subprocess, fed lines on its standard input."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "cagette", "device", "simulate", *args],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.said: list[str] = []
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        export = self.until(lambda line: line.startswith("export "))
        self.port = export.split("=", 1)[1]
        self.env = {"CAGETTE_DEVICE_PORT": self.port}

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def until(self, wanted: Callable[[str], bool], timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                continue
            if line is None:
                break
            self.said.append(line)
            if wanted(line):
                return line.strip()
        raise AssertionError(f"the simulator did not say it: {self.said}")

    def say(self, word: str) -> str:
        assert self.proc.stdin is not None
        self.proc.stdin.write(word + "\n")
        self.proc.stdin.flush()
        return self.until(lambda line: "press:" in line)

    def quit(self) -> tuple[int, str]:
        assert self.proc.stdin is not None and self.proc.stderr is not None
        self.proc.stdin.write("quit\n")
        self.proc.stdin.close()
        code = self.proc.wait(60)
        return code, self.proc.stderr.read()


@pytest.fixture
def simulator() -> Iterator[Simulator]:
    sim = Simulator()
    yield sim
    if sim.proc.poll() is None:
        sim.proc.kill()
        sim.proc.wait(30)


def test_simulate_prints_the_port_and_the_board_answers(simulator: Simulator) -> None:
    assert "runs on MicroPython 1.29" in simulator.said[0] and simulator.port in simulator.said[0]
    assert os.path.exists(simulator.port)
    lights = run_cli("device", "lights", "70", "20", "--ramp-ms", "0", env=simulator.env)
    assert lights.returncode == 0, lights.stderr
    status = run_cli("device", "status", "--json", env=simulator.env)
    assert status.returncode == 0, status.stderr
    data = json.loads(status.stdout)
    assert data["connected"] and data["port"] == simulator.port and data["board"]["firmware"] == "1.0.0"
    assert data["levels"] == {"key": 70.0, "fill": 20.0}
    listed = json.loads(run_cli("device", "list", "--json", env=simulator.env).stdout)["ports"]
    assert [(p["port"], p["board"]["device"]) for p in listed] == [(simulator.port, "cagette-studio")]
    assert "nothing was sent" in simulator.say("short")  # nobody listens now
    assert simulator.proc.stdin is not None
    simulator.proc.stdin.write("dance\n")
    code, err = simulator.quit()
    assert code == 0 and "Unknown command 'dance'" in err and "switched off" in err


def test_simulate_on_cpython_says_so() -> None:
    sim = Simulator("--python")
    try:
        assert "runs on CPython 3." in sim.said[0]
        status = run_cli("device", "status", "--json", env=sim.env)
        assert status.returncode == 0 and json.loads(status.stdout)["connected"], status.stderr
    finally:
        code, err = sim.quit()
    assert code == 0 and "switched off" in err


def test_without_micropython_the_firmware_runs_on_cpython(monkeypatch: pytest.MonkeyPatch) -> None:
    from cagette.device import simulator

    monkeypatch.delenv("CAGETTE_MICROPYTHON", raising=False)
    monkeypatch.setattr(simulator.shutil, "which", lambda *a, **k: None)
    monkeypatch.setattr(simulator.importlib.util, "find_spec", lambda name: None)
    assert simulator.micropython() is None
    assert simulator.choose().name == "cpython"
    with pytest.raises(simulator.DeviceError, match="not installed"):
        simulator.choose("micropython")


@pytest.mark.slow
def test_a_press_of_the_simulated_button_becomes_a_frame(simulator: Simulator, tmp_path: Path) -> None:
    """A live camera that never ends (a phone's MJPEG stream), not a short clip: a file source plays once in
    real time, and on a busy machine the press could come after the clip's end, with no camera live."""
    from cagette.video.project import create
    from tests.e2e.journeys.camera import MjpegCamera

    create(tmp_path / "film", "Essai").add_scene("Intro")
    with MjpegCamera(fps=10) as cam:
        frames = subprocess.Popen([sys.executable, "-m", "cagette", "capture", "frames", str(tmp_path / "film"),
                                   cam.url, "--scene", "intro", "--trigger", "device", "--count", "1", "--json"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env={**os.environ, **simulator.env})
        try:
            for _ in range(600):  # until the command listens (it opens the camera first)
                if "sent to cagette" in simulator.say("short") or frames.poll() is not None:
                    break
                time.sleep(0.1)
            try:
                out, err = frames.communicate(timeout=120)
            except subprocess.TimeoutExpired:
                frames.kill()
                out, err = frames.communicate()
                raise AssertionError(f"capture frames did not end: {err!r}; the simulator said {simulator.said}") from None
        finally:
            if frames.poll() is None:
                frames.kill()
                frames.wait(30)
    assert frames.returncode == 0, err
    data = json.loads(out)
    assert [a["action"] for a in data["actions"]] == ["take"]
    assert data["frames"] == ["frames/intro/0001.jpg"]
    assert (tmp_path / "film" / "frames" / "intro" / "0001.jpg").read_bytes()[:2] == b"\xff\xd8"


def test_in_a_terminal_keys_press_and_the_lights_are_bars() -> None:
    pid, fd = pty.fork()
    if pid == 0:  # the child: the simulator, its terminal a pty
        os.execv(sys.executable, [sys.executable, "-m", "cagette", "--lang", "en", "device", "simulate"])
    screen = b""

    def read_until(pattern: bytes, timeout: float = 60) -> bytes:
        nonlocal screen
        deadline = time.monotonic() + timeout
        while not re.search(pattern, screen):
            assert time.monotonic() < deadline, screen.decode(errors="replace")[-2000:]
            ready, _, _ = select.select([fd], [], [], 1)
            if ready:
                screen += os.read(fd, 65536)
        return screen

    try:
        port = re.search(rb"export CAGETTE_DEVICE_PORT=(\S+)", read_until(rb"export CAGETTE_DEVICE_PORT=\S+\r\n"))
        assert port is not None
        env = {"CAGETTE_DEVICE_PORT": port.group(1).decode()}
        read_until(rb"button: 0 press")
        assert run_cli("device", "lights", "80", "40", "--ramp-ms", "0", env=env).returncode == 0
        read_until("key light  ████████████████░░░░  80.0 %".encode())
        read_until("fill light ████████░░░░░░░░░░░░  40.0 %".encode())
        os.write(fd, b" ")  # Space: a short press
        read_until(rb"button: 1 press")
        os.write(fd, b"d")  # d: a long press
        read_until(rb"button: 2 press")
        os.write(fd, b"q")
        read_until(rb"switched off")
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_switches_the_board_off_and_leaves_no_process(tmp_path: Path, sig: int) -> None:
    flash = tmp_path / "board-flash"
    sim = Simulator("--flash", str(flash))
    assert _processes_mentioning(str(flash))  # the board's own process
    born = os.stat(sim.port).st_ctime_ns  # this pty, not another one given the same number later
    sim.proc.send_signal(sig)
    assert sim.proc.wait(60) in (0, 130)
    assert "switched off" in (sim.proc.stderr.read() if sim.proc.stderr else "")
    assert _processes_mentioning(str(flash)) == []  # no orphan board
    assert not os.path.exists(sim.port) or os.stat(sim.port).st_ctime_ns != born  # the pty is gone with it
    assert (flash / "flash.img").stat().st_size > 0  # its flash stays, for the next run
