"""The host's encoder and decoder against the shared examples, and hostile lines."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cagette.device import protocol
from cagette.errors import DeviceError, UsageError
from tests.device.sim import FIRMWARE

EXAMPLES = [json.loads(x) for x in (FIRMWARE / "protocol-examples.jsonl").read_text().splitlines() if x.strip()]


@pytest.mark.parametrize("ex", EXAMPLES, ids=[e["name"] for e in EXAMPLES])
def test_examples_decode(ex: dict) -> None:
    if "event" in ex:
        msg = protocol.decode(json.dumps(ex["event"]).encode())
        assert isinstance(msg, protocol.ButtonEvent)
        assert (msg.press, msg.board_ms, msg.n) == (ex["event"]["press"], ex["event"]["t"], ex["event"]["n"])
        return
    reply = protocol.decode(json.dumps(ex["reply"]).encode())
    assert isinstance(reply, protocol.Reply)
    assert reply.ok is ex["reply"]["ok"] and reply.id == ex["reply"]["id"]
    assert reply.error == ex["reply"].get("error")
    sent = ex.get("send")
    if sent and ex["reply"]["ok"]:
        obj = json.loads(sent)
        fields = {k: v for k, v in obj.items() if k not in ("cmd", "id", "v")}
        ours = json.loads(protocol.encode(obj["cmd"], obj["id"], **fields))
        assert {k: v for k, v in ours.items() if k != "v"} == {k: v for k, v in obj.items() if k != "v"}
        assert ours["v"] == protocol.PROTOCOL_VERSION


def test_hello_example_gives_device_info() -> None:
    hello = next(e for e in EXAMPLES if e["name"] == "hello")
    info = protocol.parse_hello(protocol.decode(json.dumps(hello["reply"]).encode()))  # type: ignore[arg-type]
    assert info.firmware == "1.0.0" and info.channels == ("key", "fill")


def test_wrong_device_or_protocol_is_refused() -> None:
    with pytest.raises(DeviceError, match="not a cagette"):
        protocol.parse_hello(protocol.Reply(1, True, {"device": "other", "protocol": 1}))
    with pytest.raises(DeviceError, match="protocol 2"):
        protocol.parse_hello(protocol.Reply(1, True, {"device": "cagette-studio", "protocol": 2}))


def test_requests_stay_under_the_firmware_limit() -> None:
    with pytest.raises(ValueError):
        protocol.encode("set", 1, pad="x" * 300)


@pytest.mark.parametrize(("text", "value"), [("40%", 40.0), ("0", 0.0), ("100 %", 100.0), ("12,5%", 12.5)])
def test_parse_percent(text: str, value: float) -> None:
    assert protocol.parse_percent(text, "key") == value


@pytest.mark.parametrize("text", ["101%", "-1", "half", "nan", ""])
def test_parse_percent_refuses(text: str) -> None:
    with pytest.raises(UsageError, match="percentage"):
        protocol.parse_percent(text, "key")


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=600), st.text(max_size=200).map(str.encode),
                 st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                              lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
                              max_leaves=10).map(lambda o: json.dumps(o).encode())))
def test_decode_never_raises(line: bytes) -> None:
    msg = protocol.decode(line)
    assert isinstance(msg, (protocol.Reply, protocol.ButtonEvent, protocol.OtherEvent, protocol.Garbage))
