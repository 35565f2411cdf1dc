"""The link to the board: one reader thread, requests, events, reconnection.

:class:`Controller` opens the board's port exclusively, says hello, then
reads every line in a thread: replies wake the caller waiting for them, and
button events become :class:`~cagette.capture.trigger.ShutterEvent` values
pushed into a :class:`~cagette.capture.trigger.QueueTrigger` (short press:
take a frame; long press: the second action). When the cable is pulled the
thread closes the port and looks again, waiting a little longer each time
(``backoff``), until the board is back; a caller meanwhile gets a clear
:class:`DeviceError`, never a hang.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from typing import Any

from cagette.capture.trigger import Press, QueueTrigger
from cagette.device import protocol
from cagette.device.finder import open_port
from cagette.errors import DeviceError
from cagette.i18n import _

EventCallback = Callable[[protocol.ButtonEvent], None]


class Controller:
    def __init__(self, ports: Callable[[], list[str]], trigger: QueueTrigger | None = None,
                 on_event: EventCallback | None = None, *, backoff_s: tuple[float, float] = (0.05, 2.0),
                 hello_timeout_s: float = 3.0, keepalive_s: float = 3.0,
                 wait: Callable[[float], bool] | None = None) -> None:
        self.ports = ports
        self.trigger = trigger
        self.on_event = on_event
        self.backoff_s = backoff_s
        self.hello_timeout_s = hello_timeout_s
        self.keepalive_s = keepalive_s
        self.info: protocol.DeviceInfo | None = None
        self.port: str | None = None
        self.connections = 0
        self.garbage = 0
        self.board_errors: list[protocol.Reply] = []
        self.last_error: str = ""
        self.internal_errors = 0
        self._ser: Any = None
        self._ids = itertools.count(1)
        self._pending: dict[int, list[Any]] = {}
        self._lock = threading.Lock()
        self._connected = threading.Event()
        self._stop = threading.Event()
        self._wait = wait or self._stop.wait  # between looks for the board; True: stop looking
        self._thread: threading.Thread | None = None
        self._hello_id: int | None = None
        self._greeted = False

    # -- life -------------------------------------------------------------------
    def start(self) -> Controller:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="cagette-device", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
        self._close()

    def __enter__(self) -> Controller:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def wait_connected(self, timeout: float = 5.0) -> protocol.DeviceInfo:
        if not self._connected.wait(timeout) or self.info is None:
            raise DeviceError(
                _("The studio controller did not answer within {s:g} s.").format(s=timeout)
                + (f" ({self.last_error})" if self.last_error else ""),
                _("Check the USB cable and that the board runs the cagette firmware (cagette device status)."),
            )
        return self.info

    def status(self) -> dict[str, Any]:
        return {"connected": self.connected, "port": self.port,
                "board": self.info.to_dict() if self.info else None, "connections": self.connections,
                "garbage_lines": self.garbage, "board_errors": len(self.board_errors),
                "last_error": self.last_error or None}

    # -- requests -----------------------------------------------------------------
    def request(self, cmd: str, timeout: float = 5.0, **fields: Any) -> protocol.Reply:
        """Send one command and wait for its reply (an error reply is returned, not raised)."""
        if not self._connected.is_set():
            raise DeviceError(_("The studio controller is not connected."),
                              _("Plug the board in; cagette reconnects by itself."))
        req_id = next(self._ids)
        slot: list[Any] = [threading.Event(), None]
        with self._lock:
            self._pending[req_id] = slot
        try:
            self._write(protocol.encode(cmd, req_id, **fields))
            if not slot[0].wait(timeout) or slot[1] is None:
                raise DeviceError(
                    _("The studio controller did not answer '{cmd}' within {s:g} s.").format(cmd=cmd, s=timeout),
                    _("It may have been unplugged; cagette reconnects by itself. Try again."),
                )
            reply: protocol.Reply = slot[1]
            return reply
        finally:
            with self._lock:
                self._pending.pop(req_id, None)

    def _checked(self, cmd: str, **fields: Any) -> protocol.Reply:
        reply = self.request(cmd, **fields)
        if not reply.ok:
            raise DeviceError(
                _("The studio controller refused '{cmd}': {message} ({error}).").format(
                    cmd=cmd, message=reply.message, error=reply.error),
                _("Check the values (levels are 0 to 100 %), or update the firmware."),
            )
        return reply

    def set_lights(self, key: float | None = None, fill: float | None = None,
                   ramp_ms: int | None = None) -> dict[str, float]:
        fields: dict[str, Any] = {}
        if key is not None:
            fields["key"] = round(float(key), 1)
        if fill is not None:
            fields["fill"] = round(float(fill), 1)
        if ramp_ms is not None:
            fields["ramp_ms"] = int(ramp_ms)
        targets: dict[str, float] = self._checked("set", **fields).data.get("targets", {})
        return targets

    def levels(self) -> dict[str, Any]:
        return self._checked("get").data

    def ping(self) -> float:
        start = time.monotonic()
        self._checked("ping")
        return time.monotonic() - start

    def identify(self, ms: int = 2000) -> None:
        self._checked("identify", ms=int(ms))

    # -- the reader thread --------------------------------------------------------
    def _write(self, data: bytes) -> None:
        import serial

        with self._lock:
            ser = self._ser
        if ser is None:
            raise DeviceError(_("The studio controller is not connected."),
                              _("Plug the board in; cagette reconnects by itself."))
        try:
            with self._lock:
                ser.write(data)
        except (serial.SerialException, OSError) as exc:
            self._drop(str(exc))
            raise DeviceError(_("The studio controller was unplugged."),
                              _("Plug it back in; cagette reconnects by itself.")) from exc

    def _close(self) -> None:
        with self._lock:
            ser, self._ser = self._ser, None
        if ser is not None:
            try:
                ser.close()
            except OSError:
                pass  # already gone with the cable

    def _drop(self, why: str) -> None:
        self._connected.clear()
        self.last_error = why
        with self._lock:
            for slot in self._pending.values():
                slot[0].set()  # the waiters see no reply: DeviceError

    def _run(self) -> None:
        delay = self.backoff_s[0]
        while not self._stop.is_set():
            delay = self.backoff_s[0] if self._session() else min(delay * 2, self.backoff_s[1])
            if self._wait(delay):
                return

    def _session(self) -> bool:
        """One connection, from opening to unplugging; True if it said hello."""
        import serial

        greeted = False
        for port in self.ports():
            if self._stop.is_set():
                return greeted
            try:
                ser = open_port(port)
            except DeviceError as exc:
                self.last_error = exc.message
                continue
            with self._lock:
                self._ser = ser
            self.port = port
            self._greeted = False
            try:
                self._talk(ser)
            except (serial.SerialException, OSError) as exc:
                self.last_error = str(exc)
            except Exception as exc:  # noqa: BLE001 - kept and shown by status(); the link restarts
                self.last_error = f"{type(exc).__name__}: {exc}"
                self.internal_errors += 1
            finally:
                greeted = self._greeted
                self._drop(self.last_error or "closed")
                self._close()
            if greeted:
                return True
        return greeted

    def _talk(self, ser: Any) -> None:
        hello_id = next(self._ids)
        self._hello_id = hello_id
        ser.write(b"\n" + protocol.encode("hello", hello_id))
        sent = time.monotonic()
        last_keepalive = sent
        buf = b""
        while not self._stop.is_set():
            now = time.monotonic()
            if not self._greeted and now - sent > self.hello_timeout_s:
                self.last_error = _("no hello from {port}").format(port=self.port)
                return
            if self._greeted and now - last_keepalive > self.keepalive_s:
                last_keepalive = now
                with self._lock:
                    ser.write(protocol.encode("ping", "keepalive"))
            chunk = ser.read(max(1, min(4096, ser.in_waiting)))
            if not chunk:
                continue
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                if line.strip() and self._dispatch(protocol.decode(line), hello_id):
                    self._greeted = True
            if len(buf) > protocol.MAX_LINE:
                buf = b""
                self.garbage += 1

    def _dispatch(self, msg: protocol.Message, hello_id: int) -> bool:
        """Handle one message; True when it is the hello reply of this session."""
        if isinstance(msg, protocol.ButtonEvent):
            if self.trigger is not None:
                self.trigger.push(Press.SHORT if msg.press == "short" else Press.LONG, "device", msg.board_ms)
            if self.on_event is not None:
                self.on_event(msg)
            return False
        if isinstance(msg, protocol.Garbage):
            self.garbage += 1
            return False
        if isinstance(msg, protocol.OtherEvent):
            return False
        if msg.id == hello_id:
            try:
                self.info = protocol.parse_hello(msg)
            except DeviceError as exc:
                self.last_error = exc.message
                raise OSError(exc.message) from exc  # not our board: leave this port
            self.connections += 1
            self._connected.set()
            return True
        if msg.id is None:
            self.board_errors.append(msg)
            del self.board_errors[:-50]
        with self._lock:
            slot = self._pending.get(msg.id) if isinstance(msg.id, int) else None
        if slot is not None:
            slot[1] = msg
            slot[0].set()
        return False


class DeviceTrigger(QueueTrigger):
    """A shutter fed by the board's button; closing it lets go of the board."""

    def __init__(self, ports: Callable[[], list[str]], **kwargs: Any) -> None:
        super().__init__()
        self.controller = Controller(ports, self, **kwargs)

    def start(self, timeout: float = 5.0) -> DeviceTrigger:
        self.controller.start()
        try:
            self.controller.wait_connected(timeout)
        except DeviceError:
            self.controller.stop()
            raise
        return self

    def close(self) -> None:
        self.controller.stop()
        super().close()
