"""Finding the board: a port named by the user, else USB ids, then its hello.

Every MicroPython board (and a bare Pico) shows up as USB ``2E8A:0005``, so
the ids only give candidates; a candidate is our controller when it answers
``hello`` as ``cagette-studio`` speaking our protocol version. A port can also
be named: ``--port``, then ``CAGETTE_DEVICE_PORT`` (what ``cagette device
simulate`` prints: a pseudo-terminal has no USB id), then ``[device] port``
in the settings.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from cagette.device import protocol
from cagette.errors import DeviceError
from cagette.i18n import _

RPI_VID = 0x2E8A
MICROPYTHON_PID = 0x0005
BAUD = 115200  # ignored by USB CDC, used by real UARTs and ptys
HELLO_TIMEOUT_S = 3.0
PORT_ENV = "CAGETTE_DEVICE_PORT"


def configured_port(port: str | None = None) -> str | None:
    """The board's port as the user named it: *port* (``--port``), else ``CAGETTE_DEVICE_PORT``,
    else ``[device] port`` in the settings; None: look for it by USB id."""
    if port:
        return port
    if os.environ.get(PORT_ENV):
        return os.environ[PORT_ENV]
    from cagette import settings

    return settings.current().device.port or None


@dataclass(frozen=True)
class Candidate:
    device: str
    vid: int | None
    pid: int | None
    serial_number: str | None
    description: str

    @property
    def usb_id(self) -> str:
        if self.vid is None or self.pid is None:
            return ""
        return f"{self.vid:04X}:{self.pid:04X}"

    def to_dict(self) -> dict[str, Any]:
        return {"port": self.device, "usb_id": self.usb_id, "serial_number": self.serial_number,
                "description": self.description}


def candidates(include_all: bool = False, ports: Iterable[Any] | None = None) -> list[Candidate]:
    """Serial ports that may be the board (every port with *include_all*);
    *ports* are ``ListPortInfo``-like objects (default: the system's)."""
    if ports is None:
        from serial.tools import list_ports

        ports = list_ports.comports()
    found = []
    for port in sorted(ports, key=lambda p: p.device):
        if include_all or (port.vid == RPI_VID and port.pid == MICROPYTHON_PID):
            found.append(Candidate(port.device, port.vid, port.pid, port.serial_number,
                                   port.description or ""))
    return found


def open_port(device: str, timeout: float = 0.1) -> Any:
    """Open *device* exclusively (a second program cannot steal the board)."""
    import serial

    try:
        # POSIX: an advisory lock; Windows opens COM ports exclusively by itself
        extra = {"exclusive": True} if os.name == "posix" else {}
        return serial.Serial(device, BAUD, timeout=timeout, write_timeout=2, **extra)
    except (serial.SerialException, OSError, ValueError) as exc:
        busy = "lock" in str(exc).lower() or "busy" in str(exc).lower()
        raise DeviceError(
            _("Cannot open the port {port}: {error}").format(port=device, error=exc),
            _("Another program (the app, mpremote, Thonny) holds it: close it and try again.") if busy else
            _("Check the cable and the port name (cagette device list)."),
        ) from exc


def read_reply(ser: Any, req_id: int | str, timeout: float) -> protocol.Reply | None:
    """Read lines until the reply to *req_id* (events and noise are skipped)."""
    deadline = time.monotonic() + timeout
    buf = b""
    while time.monotonic() < deadline:
        chunk = ser.read(max(1, min(4096, ser.in_waiting or 1)))
        if not chunk:
            continue
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            msg = protocol.decode(line)
            if isinstance(msg, protocol.Reply) and msg.id == req_id:
                return msg
        if len(buf) > protocol.MAX_LINE:
            buf = b""
    return None


def probe(device: str, timeout: float = HELLO_TIMEOUT_S) -> protocol.DeviceInfo:
    """Ask *device* who it is; :class:`DeviceError` when it is not our board."""
    import serial

    ser = open_port(device)
    try:
        ser.reset_input_buffer()
        ser.write(b"\n" + protocol.encode("hello", "probe"))
        reply = read_reply(ser, "probe", timeout)
    except (serial.SerialException, OSError) as exc:
        raise DeviceError(
            _("The board on {port} went away while answering: {error}").format(port=device, error=exc),
            _("Check the cable, then try again."),
        ) from exc
    finally:
        ser.close()
    if reply is None:
        raise DeviceError(
            _("Nothing on {port} answered as a cagette studio controller.").format(port=device),
            _("A fresh Pico needs the firmware: cagette device flash --port {port}.").format(port=device),
        )
    return protocol.parse_hello(reply)


def find_board(port: str | None = None, among: Iterable[str] | None = None,
               timeout: float = HELLO_TIMEOUT_S) -> tuple[str, protocol.DeviceInfo]:
    """The port and identity of the board (*port* or ``CAGETTE_DEVICE_PORT``: only that one;
    else the first of *among*, by default the MicroPython ports, that says hello within *timeout*)."""
    port = port or os.environ.get(PORT_ENV) or None
    if port:
        return port, probe(port, timeout)
    tried = []
    for device in (among if among is not None else [c.device for c in candidates()]):
        try:
            return device, probe(device, timeout)
        except DeviceError as exc:
            tried.append(f"{device}: {exc.message}")
    if tried:
        raise DeviceError(
            _("No cagette studio controller among the MicroPython boards: {tried}").format(tried="; ".join(tried)),
            _("Flash the firmware with 'cagette device flash', or name the port with --port."),
        )
    raise DeviceError(
        _("No studio controller board is plugged in (no USB device 2E8A:0005)."),
        _("Plug the Pico in with a data USB cable, or name the port with --port. "
          "Without a board, a key or a USB foot pedal works as the shutter."),
    )


def port_lister(port: str | None = None) -> Callable[[], list[str]]:
    """What the controller calls on each (re)connection: the ports to try."""
    port = port or os.environ.get(PORT_ENV) or None
    if port:
        return lambda: [port]
    return lambda: [c.device for c in candidates()]
