"""The sockets under the HTTP client: every wait paced, every certificate pinned.

httpx gives each read a timeout, which a peer defeats by sending one byte
just before it expires. Here the client's connections are made by a
network backend of ours (httpcore's documented extension point): each read,
write and TLS handshake step waits at most what :class:`~cagette.sync.limits.Pace`
allows, then reports the time waited and the bytes moved, so a trickling
peer is given up like a silent one, and no request outlives the sync's deadline.

With a pinned fingerprint (``https://host:port?fp=…``), the certificate is
not checked against any authority but against that fingerprint, during the
handshake, before a single byte of the request (and its token) is written.
"""

from __future__ import annotations

import contextlib
import select
import socket
import ssl
import typing
from typing import Any

import httpcore
import httpx

from cagette.errors import SyncError
from cagette.i18n import _
from cagette.sync.limits import Pace
from cagette.sync.tls import fingerprint

WRITE_PIECE = 256 * 1024
READ_MOST = 1024 * 1024


@contextlib.contextmanager
def _mapped(on_timeout: type[Exception], on_error: type[Exception]) -> typing.Iterator[None]:
    """Socket errors as the httpcore exceptions httpx expects (it turns them into its own)."""
    try:
        yield
    except TimeoutError as exc:
        raise on_timeout(str(exc) or "timed out") from exc
    except OSError as exc:
        raise on_error(str(exc) or type(exc).__name__) from exc


class _PacedStream(httpcore.NetworkStream):
    def __init__(self, sock: socket.socket, pace: Pace, pin: str | None, peer: str) -> None:
        self.sock, self.pace, self.pin, self.peer = sock, pace, pin, peer

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        """Wait (paced) for some bytes, then take what else is there already, up to :data:`READ_MOST`.

        Reading a megabyte at a time rather than 64 kB (16 kB, one TLS record, over HTTPS) is what lets
        a Python client keep up with a fast link; httpcore takes whatever size it is given.
        """
        want = max(max_bytes, READ_MOST)
        with _mapped(httpcore.ReadTimeout, httpcore.ReadError):
            wait = self.pace.timeout(timeout)
            self.sock.settimeout(wait)
            started = self.pace.clock()
            data = self.sock.recv(want)
            self.pace.moved(self.pace.clock() - started, len(data))
            if not data or len(data) >= want:
                return data
            parts, got = [data], len(data)
            self.sock.settimeout(0.0)
            try:
                while got < want and (more := self.sock.recv(want - got)):
                    parts.append(more)
                    got += len(more)
            except (BlockingIOError, ssl.SSLWantReadError):
                pass
            finally:
                self.sock.settimeout(wait)
            self.pace.moved(0.0, got - len(data))
            return b"".join(parts) if len(parts) > 1 else data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        view = memoryview(buffer)
        with _mapped(httpcore.WriteTimeout, httpcore.WriteError):
            while view:
                self.sock.settimeout(self.pace.timeout(timeout))
                piece = view[:WRITE_PIECE]
                started = self.pace.clock()
                sent = self.sock.send(piece)
                self.pace.moved(self.pace.clock() - started, sent)
                view = view[sent:]

    def close(self) -> None:
        self.sock.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        try:
            tls = ssl_context.wrap_socket(self.sock, server_hostname=server_hostname, do_handshake_on_connect=False)
            self._handshake(tls)
        except TimeoutError as exc:
            self.sock.close()
            raise httpcore.ConnectTimeout(str(exc)) from exc
        except ssl.SSLCertVerificationError as exc:
            self.sock.close()
            raise SyncError(
                _("The certificate of {peer} is not trusted ({error}).").format(peer=self.peer, error=exc.verify_message),
                _("For a 'cagette serve' peer, add ?fp=… to the address: the fingerprint it printed at start."),
            ) from None
        except (OSError, ssl.SSLError) as exc:
            self.sock.close()
            raise httpcore.ConnectError(str(exc)) from exc
        if self.pin is not None:
            der = tls.getpeercert(binary_form=True) or b""
            seen = fingerprint(der)
            if seen != self.pin:
                tls.close()
                raise SyncError(
                    _("{peer} showed the certificate {seen}, not the pinned {pinned}: refused, no token was sent.")
                    .format(peer=self.peer, seen=seen, pinned=self.pin),
                    _("Someone may stand between you and the peer; check the fingerprint that 'cagette serve' "
                      "prints on that machine."),
                )
        return _PacedStream(tls, self.pace, self.pin, self.peer)

    def _handshake(self, tls: ssl.SSLSocket) -> None:
        """The TLS handshake, each wait paced (a peer cannot stall it one byte at a time)."""
        tls.setblocking(False)
        while True:
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                want: tuple[list[Any], list[Any]] = ([tls], [])
            except ssl.SSLWantWriteError:
                want = ([], [tls])
            wait = self.pace.timeout()
            started = self.pace.clock()
            readable, writable, _x = select.select(want[0], want[1], [], wait)
            self.pace.moved(self.pace.clock() - started, 0)
            if not (readable or writable):
                raise TimeoutError("TLS handshake")
        tls.setblocking(True)

    def get_extra_info(self, info: str) -> typing.Any:
        if info == "ssl_object" and isinstance(self.sock, ssl.SSLSocket):
            return self.sock._sslobj  # type: ignore[attr-defined]  # what asyncio's own transports hand out (private in ssl)
        if info == "socket":
            return self.sock
        if info == "client_addr":
            return self.sock.getsockname()
        if info == "server_addr":
            return self.sock.getpeername()
        if info == "is_readable":
            try:
                readable, _w, _x = select.select([self.sock], [], [], 0)
            except (OSError, ValueError):
                return True
            return bool(readable)
        return None


class PacedBackend(httpcore.NetworkBackend):
    """Connections whose every wait goes through *pace*; TLS pinned to *pin* when given."""

    def __init__(self, pace: Pace, pin: str | None, peer: str) -> None:
        self.pace, self.pin, self.peer = pace, pin, peer

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: typing.Iterable[Any] | None = None) -> httpcore.NetworkStream:
        with _mapped(httpcore.ConnectTimeout, httpcore.ConnectError):
            sock = socket.create_connection((host, port), self.pace.timeout(timeout),
                                            source_address=None if local_address is None else (local_address, 0))
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return _PacedStream(sock, self.pace, self.pin, self.peer)

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: typing.Iterable[Any] | None = None) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not used by cagette sync")

    def sleep(self, seconds: float) -> None:
        import time

        time.sleep(min(seconds, self.pace.remaining()))


def ssl_context(pin: str | None) -> ssl.SSLContext:
    """Pinned: no authority, the fingerprint decides; else the system's authorities."""
    if pin is None:
        return ssl.create_default_context()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def client(base_url: str, headers: dict[str, str], pace: Pace, pin: str | None, peer: str) -> httpx.Client:
    """An httpx client whose connections go through :class:`PacedBackend`."""
    context = ssl_context(pin)
    transport = httpx.HTTPTransport(verify=context)
    # httpx builds its httpcore pool without a way to name the network backend; give it ours.
    transport._pool = httpcore.ConnectionPool(ssl_context=context, network_backend=PacedBackend(pace, pin, peer),
                                              max_connections=4, max_keepalive_connections=4, http1=True)
    return httpx.Client(base_url=base_url, headers=headers, transport=transport, follow_redirects=False,
                        timeout=httpx.Timeout(pace.limits.timeout_s))
