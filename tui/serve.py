"""Helpers of ``cagette web`` (the app served in a browser by textual-serve)."""

from __future__ import annotations

from cagette.errors import UsageError
from cagette.i18n import _


def check_port_free(host: str, port: int) -> None:
    """Refuse early, with a readable message, a port that is taken or invalid."""
    import socket

    if not 0 < port < 65536:
        raise UsageError(
            _("The port {port} is not a valid port number.").format(port=port),
            _("Choose a number between 1024 and 65535, for example --port 8472."),
        )
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise UsageError(
                _("Cannot listen on {host}:{port}: {error}.").format(host=host, port=port, error=exc.strerror),
                _("Another program uses that port: choose another one with --port."),
            ) from exc
