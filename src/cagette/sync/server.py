"""``cagette serve``: a library offered to peers over HTTP (Starlette).

Read-only unless a write token is set; bound to 127.0.0.1 unless ``--lan``,
which requires a read token. Tokens come as ``Authorization: Bearer TOKEN``
or ``?token=TOKEN``. Every body is capped: JSON requests, log appends and
object uploads (``[serve] max_object_mb``). Object uploads land in a partial
file (resumable with ``GET /api/upload/HASH`` giving the offset) and are
published into the store only once their hash is verified.

Routes (all JSON unless said):

* ``GET /api/info``: format, site id;
* ``POST /api/state`` ``{"known": {site: size}}``: logs, with prefix hashes;
* ``GET /api/log/SITE?start=&end=``: log bytes; ``POST /api/log/SITE?start=``: append (write);
* ``POST /api/objects/has`` ``{"hashes": [...]}`` or ``{"all": true}``;
* ``GET /objects/HASH``: one object (HTTP Range honoured);
* ``POST /api/objects/batch``, a body of 8-byte hash prefixes: for each, in order, ``SIZE\\n``
  then the bytes, or ``-\\n`` when absent (the client checks every full hash);
* ``GET|PUT /api/upload/HASH?offset=&size=``: resumable upload (write).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from cagette.errors import CagetteError
from cagette.sync.local import LocalLibrary
from cagette.sync.plan import check_hash, check_site_id

API_VERSION = 1
MAX_JSON = 32 * 1024 * 1024
MAX_LOG_APPEND = 256 * 1024 * 1024
BATCH_CHUNK = 256 * 1024
PREFIX = 8  # bytes of an object's hash that name it in a batch request (64 bits)
MAX_BATCH = 100_000
SMALL = 1024 * 1024


@dataclass(frozen=True)
class ServeConfig:
    read_token: str | None = None
    write_token: str | None = None
    max_object_bytes: int = 4096 * 1024 * 1024


def _token_of(request: Any) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.query_params.get("token")


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and hmac.compare_digest(a.encode(), b.encode())


def build_app(library: LocalLibrary, config: ServeConfig) -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
    from starlette.routing import Route

    def err(status: int, message: str, hint: str = "") -> JSONResponse:
        return JSONResponse({"error": message, "hint": hint}, status_code=status)

    def guard(write: bool) -> Callable[[Any], Any]:
        def wrap(handler: Callable[[Request], Any]) -> Callable[[Request], Any]:
            async def inner(request: Request) -> Response:
                token = _token_of(request)
                if write:
                    if config.write_token is None:
                        return err(403, "This peer is read-only.",
                                   "Start 'cagette serve' with --write-token to accept writes.")
                    if not _same(token, config.write_token):
                        return err(401, "A write token is needed.", "Pass it as CAGETTE_TOKEN or ?token=.")
                elif config.read_token is not None and not (
                        _same(token, config.read_token) or _same(token, config.write_token)):
                    return err(401, "A token is needed.", "Pass it as CAGETTE_TOKEN or ?token=.")
                try:
                    result: Response = await handler(request)
                    return result
                except CagetteError as exc:
                    return err(409 if write else 400, exc.message, exc.hint or "")
            return inner
        return wrap

    async def read_body(request: Request, limit: int) -> bytes | None:
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            return None
        chunks, total = [], 0
        async for chunk in request.stream():
            total += len(chunk)
            if total > limit:
                return None
            chunks.append(chunk)
        return b"".join(chunks)

    async def read_json(request: Request) -> Any:
        body = await read_body(request, MAX_JSON)
        if body is None:
            raise _Bad("Request too large.")
        try:
            return json.loads(body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise _Bad("Malformed JSON.") from None

    def run(fn: Callable[..., Any], *args: Any) -> Any:
        return asyncio.get_running_loop().run_in_executor(None, fn, *args)

    @guard(write=False)
    async def info(request: Request) -> Response:
        return JSONResponse({"cagette": API_VERSION, "site_id": library.site_id,
                             "writable": config.write_token is not None})

    @guard(write=False)
    async def state(request: Request) -> Response:
        try:
            data = await read_json(request)
            known = {check_site_id(str(k)): int(v) for k, v in dict(data.get("known", {})).items()}
        except (_Bad, TypeError, ValueError, AttributeError):
            return err(400, "Malformed state request.")
        st = await run(library.state, known)
        return JSONResponse({"cagette": API_VERSION, "site_id": st.site_id,
                             "objects_digest": st.objects_digest,
                             "logs": {s: i.to_dict() for s, i in st.logs.items()}})

    @guard(write=False)
    async def get_log(request: Request) -> Response:
        site = check_site_id(request.path_params["site"])
        try:
            start = int(request.query_params.get("start", "0"))
            end = int(request.query_params["end"]) if "end" in request.query_params else None
        except ValueError:
            return err(400, "Bad range.")
        data = await run(library.read_log, site, start, end)
        return Response(data, media_type="application/x-ndjson")

    @guard(write=True)
    async def post_log(request: Request) -> Response:
        site = check_site_id(request.path_params["site"])
        try:
            start = int(request.query_params["start"])
        except (KeyError, ValueError):
            return err(400, "The start offset is missing.")
        body = await read_body(request, MAX_LOG_APPEND)
        if body is None:
            return err(413, "Log append too large.")
        await run(library.append_log, site, start, body)
        return JSONResponse({"ok": True})

    @guard(write=False)
    async def has(request: Request) -> Response:
        try:
            data = await read_json(request)
        except _Bad as exc:
            return err(400, str(exc))
        if data.get("all"):
            present = await run(library.object_names)
            return JSONResponse({"has": sorted(present)})
        hashes = data.get("hashes", [])
        if not isinstance(hashes, list):
            return err(400, "Malformed request.")
        wanted = [check_hash(str(h)) for h in hashes]
        present = await run(lambda: [h for h in wanted if library.has_object(h)])
        return JSONResponse({"has": present})

    @guard(write=False)
    async def get_object(request: Request) -> Response:
        digest = check_hash(request.path_params["digest"])
        path = library.object_path(digest)
        if path is None:
            return err(404, "No such object.")
        if "range" not in request.headers and path.stat().st_size <= SMALL:
            # one write for a small object (a FileResponse sends headers and body apart)
            return Response(path.read_bytes(), media_type="application/octet-stream")
        return FileResponse(path, media_type="application/octet-stream")

    @guard(write=False)
    async def batch(request: Request) -> Response:
        body = await read_body(request, MAX_BATCH * PREFIX)
        if body is None or len(body) % PREFIX:
            return err(400, "Malformed batch request.")
        prefixes = [body[i:i + PREFIX].hex() for i in range(0, len(body), PREFIX)]

        async def stream() -> AsyncIterator[bytes]:
            pending: list[bytes] = []
            size_pending = 0
            for prefix in prefixes:
                path = await run(library.find_object, prefix)
                if path is None:
                    pending.append(b"-\n")
                    continue
                with open(path, "rb") as fh:
                    size = os.fstat(fh.fileno()).st_size
                    pending.append(b"%d\n" % size)
                    while chunk := fh.read(BATCH_CHUNK):
                        pending.append(chunk)
                        size_pending += len(chunk)
                if size_pending >= BATCH_CHUNK:
                    yield b"".join(pending)
                    pending, size_pending = [], 0
            if pending:
                yield b"".join(pending)

        return StreamingResponse(stream(), media_type="application/octet-stream")

    @guard(write=True)
    async def upload_offset(request: Request) -> Response:
        digest = check_hash(request.path_params["digest"])
        if library.has_object(digest):
            return JSONResponse({"offset": None, "done": True})
        part = library.upload_part(digest)
        return JSONResponse({"offset": part.stat().st_size if part.exists() else 0, "done": False})

    @guard(write=True)
    async def upload(request: Request) -> Response:
        digest = check_hash(request.path_params["digest"])
        try:
            offset = int(request.query_params.get("offset", "0"))
            size = int(request.query_params["size"])
        except (KeyError, ValueError):
            return err(400, "The size is missing.")
        if size < 0 or size > config.max_object_bytes:
            return err(413, "Object too large.")
        if library.has_object(digest):
            return JSONResponse({"ok": True, "already": True})
        part = library.upload_part(digest)
        have = part.stat().st_size if part.exists() else 0
        if offset != have:
            return JSONResponse({"error": "Wrong offset.", "offset": have}, status_code=416)
        remaining = size - offset
        with open(part, "ab") as fh:
            async for chunk in request.stream():
                remaining -= len(chunk)
                if remaining < 0:
                    fh.close()
                    part.unlink(missing_ok=True)
                    return err(413, "More bytes than announced.")
                fh.write(chunk)
        if remaining > 0:
            return JSONResponse({"ok": False, "offset": size - remaining}, status_code=202)
        await run(library.publish_part, digest, size, part)
        return JSONResponse({"ok": True}, status_code=201)

    routes = [
        Route("/api/info", info, methods=["GET"]),
        Route("/api/state", state, methods=["POST"]),
        Route("/api/log/{site}", get_log, methods=["GET"]),
        Route("/api/log/{site}", post_log, methods=["POST"]),
        Route("/api/objects/has", has, methods=["POST"]),
        Route("/api/objects/batch", batch, methods=["POST"]),
        Route("/objects/{digest}", get_object, methods=["GET", "HEAD"]),
        Route("/api/upload/{digest}", upload_offset, methods=["GET"]),
        Route("/api/upload/{digest}", upload, methods=["PUT"]),
    ]
    return Starlette(routes=routes)


class _Bad(Exception):
    pass


class ServerThread:
    """Run the app with uvicorn in a thread (tests, benchmarks, the ``serve`` command).

    ``port=0`` takes a free port, read back once started. (Handing uvicorn a
    pre-bound socket instead costs ~40 ms a request here: delayed ACKs.)
    """

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        import threading

        import uvicorn

        self.host, self.port = host, port
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                                lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> ServerThread:
        import time

        from cagette.errors import SyncError
        from cagette.i18n import _

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


def serve_forever(library: LocalLibrary, config: ServeConfig, host: str, port: int, advertise: bool) -> int:
    """Run until interrupted (the ``cagette serve`` command)."""
    import signal
    import sys

    from cagette.i18n import _

    def _stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)  # stop as cleanly as on Ctrl-C (unannounce, close)
    library.max_object_bytes = config.max_object_bytes
    app = build_app(library, config)
    announcer = None
    with ServerThread(app, host, port) as server:
        url = f"http://{'127.0.0.1' if host == '127.0.0.1' else _lan_address()}:{server.port}"
        print(_("Serving {library} at {url} ({mode}). Ctrl-C stops.").format(
            library=library.root, url=url,
            mode=_("read and write") if config.write_token else _("read-only")), flush=True)
        if advertise:
            from cagette.sync.discover import Announcer

            announcer = Announcer(server.port, library.site_id or "", token_required=config.read_token is not None,
                                  address=_lan_address() if host != "127.0.0.1" else "127.0.0.1",
                                  site_name=library.handle.site().site_name)
            announcer.start()
        try:
            server.thread.join()
        except KeyboardInterrupt:
            print(_("Stopped."), file=sys.stderr)
        finally:
            if announcer is not None:
                announcer.stop()
    return 0


def _lan_address() -> str:
    import socket

    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
        return str(s.getsockname()[0])
    except OSError:
        return "127.0.0.1"
    finally:
        s.close()
