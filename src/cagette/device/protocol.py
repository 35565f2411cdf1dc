"""The host side of the board's protocol: JSON lines, version 1.

See ``firmware/PROTOCOL.md``. :func:`encode` builds a request line;
:func:`decode` reads any line the board (or line noise) may send and never
raises: what it cannot read comes back as :class:`Garbage`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from cagette.errors import DeviceError, UsageError
from cagette.i18n import _

PROTOCOL_VERSION = 1
DEVICE_NAME = "cagette-studio"
CHANNELS = ("key", "fill")
MAX_REQUEST = 256  # the firmware's line limit, in bytes
MAX_LINE = 4096  # the longest line the host accepts from the board


@dataclass(frozen=True)
class DeviceInfo:
    device: str
    protocol: int
    firmware: str
    caps: tuple[str, ...] = ()
    channels: tuple[str, ...] = CHANNELS

    def to_dict(self) -> dict[str, Any]:
        return {"device": self.device, "protocol": self.protocol, "firmware": self.firmware,
                "caps": list(self.caps), "channels": list(self.channels)}


@dataclass(frozen=True)
class Reply:
    id: int | str | None
    ok: bool
    data: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    message: str = ""


@dataclass(frozen=True)
class ButtonEvent:
    press: str  # "short" or "long"
    board_ms: int
    n: int


@dataclass(frozen=True)
class OtherEvent:
    name: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Garbage:
    raw: bytes
    reason: str


Message = Reply | ButtonEvent | OtherEvent | Garbage


def encode(cmd: str, req_id: int | str | None = None, **fields: Any) -> bytes:
    """One request line (bytes, newline included)."""
    obj: dict[str, Any] = {"v": PROTOCOL_VERSION, "cmd": cmd}
    if req_id is not None:
        obj["id"] = req_id
    obj.update(fields)
    line = json.dumps(obj, separators=(",", ":"), ensure_ascii=True).encode() + b"\n"
    if len(line) > MAX_REQUEST:
        raise ValueError(f"request longer than {MAX_REQUEST} bytes")
    return line


def decode(line: bytes) -> Message:
    """Whatever one line from the board says; never raises."""
    raw = line.strip()
    if len(raw) > MAX_LINE:
        return Garbage(raw[:80], "too long")
    try:
        obj = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return Garbage(raw[:80], "not JSON")
    if not isinstance(obj, dict):
        return Garbage(raw[:80], "not an object")
    if "event" in obj:
        name = obj.get("event")
        if name == "button":
            press, t, n = obj.get("press"), obj.get("t"), obj.get("n", 0)
            if press in ("short", "long") and isinstance(t, int) and _is_int(t) and _is_int(n):
                return ButtonEvent(str(press), t, int(n))
            return Garbage(raw[:80], "bad button event")
        return OtherEvent(str(name), obj)
    ok = obj.get("ok")
    req_id = obj.get("id")
    if not isinstance(ok, bool) or not (req_id is None or isinstance(req_id, (int, str))) or isinstance(req_id, bool):
        return Garbage(raw[:80], "neither a reply nor an event")
    data = {k: v for k, v in obj.items() if k not in ("id", "ok", "error", "message")}
    error = obj.get("error")
    message = obj.get("message", "")
    return Reply(req_id, ok, data, str(error) if error is not None else None,
                 message if isinstance(message, str) else str(message))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_hello(reply: Reply) -> DeviceInfo:
    """Check a hello reply is our board speaking our protocol."""
    d = reply.data
    if not reply.ok or d.get("device") != DEVICE_NAME:
        raise DeviceError(
            _("The board answered, but it is not a cagette studio controller."),
            _("Flash the firmware with 'cagette device flash', or pick another port with --port."),
        )
    protocol = d.get("protocol")
    if not _is_int(protocol) or protocol != PROTOCOL_VERSION:
        raise DeviceError(
            _("The board speaks protocol {theirs}; this cagette speaks protocol {ours}.").format(
                theirs=protocol, ours=PROTOCOL_VERSION),
            _("Flash the firmware that comes with this cagette: 'cagette device flash'."),
        )
    caps_raw, channels_raw = d.get("caps"), d.get("channels")
    caps: list[Any] = caps_raw if isinstance(caps_raw, list) else []
    channels: list[Any] = channels_raw if isinstance(channels_raw, list) else list(CHANNELS)
    return DeviceInfo(DEVICE_NAME, protocol, str(d.get("firmware", "?")),
                      tuple(str(c) for c in caps), tuple(str(c) for c in channels))


def parse_percent(text: str, what: str) -> float:
    """``"40%"``, ``"40"`` or ``"12.5 %"`` -> 40.0; a usage error otherwise."""
    cleaned = text.strip().removesuffix("%").strip().replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        value = math.nan
    if not 0 <= value <= 100:
        raise UsageError(
            _("{what} must be a percentage between 0 and 100, not {value!r}.").format(what=what, value=text),
            _("For example: cagette device lights 80% 40%."),
        )
    return value
