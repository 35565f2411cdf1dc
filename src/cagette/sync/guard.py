"""What ``cagette serve`` asks of every client before and while it serves it.

* **Host** (DNS rebinding): a web page the user visits may point its own
  domain name at this peer's address; its requests then carry that name as
  ``Host``. Only IP addresses, ``localhost``, this machine's name (and
  ``.local``) and ``[serve] allowed_hosts`` are answered.
* **Slow clients**: a request's body is received and its answer sent
  through a :class:`~cagette.sync.limits.Pace` on the event loop's clock: a
  client that stays silent for ``timeout_s``, or moves less than
  ``min_rate_kb_s`` while the server waits on it, is cut off (``408`` before
  the answer started, the connection closed after).
* **Headers**: a connection must finish each request's headers within
  ``timeout_s`` (:func:`protocol`, a small extension of uvicorn's h11
  protocol), so a client trickling header bytes does not hold a connection.
  Connections and requests at once are capped by uvicorn's
  ``limit_concurrency`` (``[serve] max_connections``: beyond, ``503``).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from functools import cache
from typing import Any

from cagette.errors import SyncError
from cagette.sync.limits import Limits, Pace


class _TooSlow(Exception):
    pass


@cache
def _own_names() -> frozenset[str]:
    name = socket.gethostname().lower().rstrip(".")
    short = name.split(".")[0]
    return frozenset({"localhost", name, short, f"{short}.local"})


def host_of(header: str) -> str:
    """The host part of a ``Host`` header (no port, no brackets, lower case)."""
    value = header.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else ""
    if value.count(":") == 1:
        value = value.split(":")[0]
    return value.rstrip(".")


def host_allowed(header: str, extra: tuple[str, ...] = ()) -> bool:
    host = host_of(header)
    if not host:
        return False
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    return host in _own_names() or host in {h.lower().rstrip(".") for h in extra}


class Guard:
    """ASGI middleware: the Host check, then the request's body and answer paced."""

    def __init__(self, app: Any, config: Any) -> None:
        self.app = app
        self.config = config
        self.limits = Limits(timeout_s=config.timeout_s, min_rate_bytes_s=config.min_rate_bytes_s)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        host = headers.get(b"host", b"").decode("latin-1")
        if not host_allowed(host, self.config.allowed_hosts):
            await _reply(send, 400, f"Refused the Host {host_of(host)!r}: this peer answers to its address only.",
                         "Use the peer's IP address, or add the name to [serve] allowed_hosts (--allow-host).")
            return
        loop = asyncio.get_running_loop()
        client = scope.get("client") or ("?", 0)
        pace = Pace(self.limits, f"{client[0]}:{client[1]}", loop.time)
        started = False

        async def paced(awaitable: Any, size: Any) -> Any:
            t0 = loop.time()
            try:
                async with asyncio.timeout(pace.timeout()):  # (no task per message, unlike wait_for)
                    result = await awaitable
                pace.moved(loop.time() - t0, size(result))
            except (TimeoutError, SyncError) as exc:
                raise _TooSlow(str(exc)) from exc
            return result

        body_done = False

        async def paced_receive() -> Any:
            nonlocal body_done
            if body_done:  # the body is in: what is left to hear is a disconnect, whenever it comes
                return await receive()
            message = await paced(receive(), lambda m: len(m.get("body", b"")))
            body_done = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        async def paced_send(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                await send(message)
                return
            await paced(send(message), lambda _r: len(message.get("body", b"")))

        try:
            await self.app(scope, paced_receive, paced_send)
        except _TooSlow:
            if not started:
                await _reply(send, 408, "Too slow: the request was given up.", "Check the network.")
            # else: the answer stays unfinished, and uvicorn closes the connection


async def _reply(send: Any, status: int, message: str, hint: str) -> None:
    import json

    body = json.dumps({"error": message, "hint": hint}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body)),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def protocol(timeout_s: float) -> type:
    """uvicorn's h11 protocol, closing a connection that does not finish a request's headers in time."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class HeadersInTime(H11Protocol):
        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._arm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._arm()

        def _arm(self) -> None:
            waiting_after = self.cycle  # a new request replaces it once its headers are complete

            def expire() -> None:
                if self.cycle is waiting_after and not self.transport.is_closing():
                    self.transport.close()

            self.loop.call_later(timeout_s, expire)

    return HeadersInTime
