"""Peers for the transport tests: the real server, the same with one route turned hostile, and what
"the library is unchanged" means (fsck clean, ``library list --json`` identical, files identical)."""

from __future__ import annotations

import contextlib
import io
import json
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cagette.sync.local import LocalLibrary
from cagette.sync.server import ServeConfig, build_app
from cagette.sync.serving import ServerThread
from cagette.sync.tls import Certificate
from tests.library.sync_helpers import snapshot


def cli_json(*args: str) -> Any:
    """Run a cagette command in this process and parse what it printed (a quick ``--json`` read)."""
    from cagette.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(list(args))
    assert code in (0, 1), out.getvalue()
    return json.loads(out.getvalue())


def observed(path: Path) -> dict[str, Any]:
    """What must not move when a hostile peer is refused: files, the listing, and fsck's verdict.

    (Objects that arrived whole and checked before the refusal stay staged in ``local/sync-partial/``,
    invisible, for a later sync to resume from: fsck counts them, ``library gc`` removes orphans.)
    """
    fsck = cli_json("--library", str(path), "library", "fsck", "--json")
    listing = cli_json("--library", str(path), "library", "list", "--json")
    return {"list": listing, "fsck_clean": fsck["clean"], "fsck_problems": fsck["problems"], "files": snapshot(path)}


def cut_transfer(tmp_path: Path, size: int, kept: int) -> tuple[str, Path]:
    """A hub holding one object of *size* bytes, and B, empty but for the first *kept* bytes of it,
    left by a cut sync in its partial file: the object's hash and that file."""
    from cagette.library.library import Library
    from tests.library.sync_helpers import files, make_library

    make_library(tmp_path / "hub", "Hub", 1, size=size)
    Library.create(tmp_path / "b", "B")
    (digest,) = files(tmp_path / "hub")
    data = Library.open(tmp_path / "hub").objects.path(digest).read_bytes()
    part = tmp_path / "b" / "local" / "sync-partial" / f"{digest}.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(data[:kept])
    return digest, part


def app_for(path: Path, **config: Any) -> Any:
    return build_app(LocalLibrary(path, ours=True), ServeConfig(**config))


def serve(path: Path, tls: Certificate | None = None, **config: Any) -> ServerThread:
    return ServerThread(app_for(path, **config), tls=tls)


def hostile(app: Any, path: str, handler: Callable[[Any], Any], methods: tuple[str, ...] = ("GET", "POST")) -> Any:
    """*app* with the route *path* answered by *handler* instead (everything else stays honest)."""
    from starlette.routing import Route

    app.router.routes.insert(0, Route(path, handler, methods=list(methods)))
    return app


def on_file_batches(hub: Path, handler: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A batch route answered by *handler* when it asks for a resource's file, honestly otherwise: a
    pull fetches the descriptive objects (titles, tags) with the lines first, in a batch of their own,
    and an attack on the files must reach the files."""
    from cagette.sync import server
    from tests.library.sync_helpers import files

    wanted = {bytes.fromhex(h[: 2 * server.PREFIX]) for h in files(hub)}

    async def route(request: Any) -> Any:
        body = await request.body()  # kept by Starlette for the honest handler to read again
        asked = {body[i:i + server.PREFIX] for i in range(0, len(body), server.PREFIX)}
        return await (handler if asked & wanted else server.batch)(request)
    return route


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = int(s.getsockname()[1])
    s.close()
    return port


class Counted:
    """An ASGI app that records the path of every request reaching it."""

    def __init__(self, app: Any) -> None:
        self.app, self.state, self.paths = app, app.state, []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.paths.append(scope["path"])
        await self.app(scope, receive, send)


class RawClient:
    """A socket that talks HTTP as slowly as a test wants."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def closed_by_server(self) -> bool:
        """True once the server closed the connection (whatever it answered first)."""
        try:
            while self.sock.recv(65536):
                pass
        except (ConnectionResetError, TimeoutError):
            return True
        return True

    def answer(self) -> bytes:
        data = b""
        with contextlib.suppress(TimeoutError, ConnectionResetError):
            while chunk := self.sock.recv(65536):
                data += chunk
                if b"\r\n\r\n" in data and b"content-length" in data.lower():
                    head, _sep, body = data.partition(b"\r\n\r\n")
                    length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
                    if len(body) >= length:
                        break
        return data

    def close(self) -> None:
        self.sock.close()


def background(fn: Callable[[], None]) -> threading.Thread:
    t = threading.Thread(target=fn, daemon=True)
    t.start()
    return t
