"""Running the served app: uvicorn in a thread, its limits, TLS, and ``cagette serve`` itself.

:class:`ServerThread` runs any ASGI app on a host and port (tests and
benchmarks use it with their own peers), with the connection cap and the
header deadline of :mod:`cagette.sync.guard`, and HTTPS when given a
certificate. :func:`serve_forever` is the command: a listener beyond
loopback is refused without a read token, and always serves HTTPS with the
library's own certificate, whose fingerprint it prints in the address.
"""

from __future__ import annotations

from typing import Any

from cagette.errors import SyncError, UsageError
from cagette.i18n import _
from cagette.sync.local import LocalLibrary
from cagette.sync.server import ServeConfig, build_app
from cagette.sync.tls import Certificate, ensure_certificate

LOOPBACK = ("127.0.0.1", "localhost", "::1")


class ServerThread:
    """Run the app with uvicorn in a thread.

    ``port=0`` takes a free port, read back once started. (Handing uvicorn a
    pre-bound socket instead costs ~40 ms a request here: delayed ACKs.)
    *config* gives the connection cap and the header deadline (default: the
    app's own, else :class:`ServeConfig`'s); *tls* serves HTTPS.
    """

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0, config: ServeConfig | None = None,
                 tls: Certificate | None = None) -> None:
        import threading

        import uvicorn

        from cagette.sync.guard import protocol

        config = config or getattr(getattr(app, "state", None), "config", None) or ServeConfig()
        self.host, self.port, self.tls = host, port, tls
        uconfig = uvicorn.Config(
            app, host=host, port=port, log_level="warning", access_log=False, lifespan="off",
            http=protocol(config.timeout_s), limit_concurrency=config.max_connections,
            timeout_keep_alive=5, ssl_certfile=str(tls.cert) if tls else None,
            ssl_keyfile=str(tls.key) if tls else None)
        self.server = uvicorn.Server(uconfig)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        if self.tls is not None:
            return f"https://{self.host}:{self.port}?fp={self.tls.fingerprint}"
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> ServerThread:
        import time

        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise SyncError(_("Cannot listen on {host}:{port}.").format(host=self.host, port=self.port),
                                _("Is another program using that port? Choose another with --port."))
            time.sleep(0.01)
        for srv in getattr(self.server, "servers", []):
            for sock in srv.sockets:
                self.port = sock.getsockname()[1]
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def check_exposure(host: str, config: ServeConfig) -> None:
    """Any listener beyond loopback needs a read token (a write token alone would let anyone read)."""
    if host not in LOOPBACK and not config.read_token:
        raise UsageError(
            _("Listening on {host} needs a read token, so that only your peers can read the library.").format(
                host=host),
            _("Add --token … (or set CAGETTE_TOKEN=…); the write token is another one."),
        )


def serve_forever(library: LocalLibrary, config: ServeConfig, host: str, port: int, advertise: bool,
                  tls: bool = False) -> int:
    """Run until interrupted (the ``cagette serve`` command); HTTPS whenever *host* is not loopback."""
    import signal
    import sys

    check_exposure(host, config)

    def _stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)  # stop as cleanly as on Ctrl-C (unannounce, close)
    cert = ensure_certificate(library.root, library.site_id or "") if tls or host not in LOOPBACK else None
    app = build_app(library, config)
    announcer = None
    with ServerThread(app, host, port, config, cert) as server:
        address = "127.0.0.1" if host in LOOPBACK else lan_address()
        url = f"{'https' if cert else 'http'}://{address}:{server.port}"
        if cert is not None:
            url += f"?fp={cert.fingerprint}"
        print(_("Serving {library} at {url} ({mode}). Ctrl-C stops.").format(
            library=library.root, url=url,
            mode=_("read and write") if config.write_token else _("read-only")), flush=True)
        if cert is not None:
            print(_("Certificate fingerprint: {fp} (peers check it; give them the address above).").format(
                fp=cert.fingerprint), flush=True)
        if advertise:
            from cagette.sync.discover import Announcer

            announcer = Announcer(server.port, library.site_id or "", token_required=config.read_token is not None,
                                  address=address, site_name=library.handle.site().site_name,
                                  fingerprint=cert.fingerprint if cert else "")
            announcer.start()
        try:
            server.thread.join()
        except KeyboardInterrupt:
            print(_("Stopped."), file=sys.stderr)
        finally:
            if announcer is not None:
                announcer.stop()
    return 0


def lan_address() -> str:
    import socket

    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
        return str(s.getsockname()[0])
    except OSError:
        return "127.0.0.1"
    finally:
        s.close()
