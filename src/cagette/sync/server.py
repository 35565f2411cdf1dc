"""``cagette serve``: a library offered to peers over HTTP (Starlette).

Read-only unless a write token is set; bound to 127.0.0.1 unless ``--lan``,
which requires a read token and serves HTTPS (:mod:`cagette.sync.tls`).
Tokens come as ``Authorization: Bearer TOKEN`` or ``?token=TOKEN``. Every
body is capped: JSON requests and log appends (``[serve] max_request_mb``),
object uploads (``[serve] max_object_mb``). Objects and batches are streamed
from disk, a chunk at a time, whatever their size. Object uploads are hashed
as they arrive into a partial file (resumable with ``GET /api/upload/HASH``
giving the offset) and published only once their hash is verified. Hosts,
slow clients and connection counts are the business of :mod:`cagette.sync.guard`.

Routes (all JSON unless said):

* ``GET /api/info``: format, site id, whether this token may write;
* ``POST /api/state`` ``{"known": {site: lines}}``: logs (high-water marks, the hash of the last
  line, and of the line the asker holds last), and ``writable``;
* ``GET /api/log/SITE?start=&end=``: log lines ``start + 1`` … ``end`` (line numbers, not bytes);
  ``POST /api/log/SITE?start=``: append lines after the first *start* (write);
* ``POST /api/objects/has`` ``{"hashes": [...]}`` or ``{"all": true}``;
* ``GET /objects/HASH``: one object (HTTP Range honoured);
* ``POST /api/objects/batch``, a body of 8-byte hash prefixes: for each, in order, ``SIZE\\n``
  then the bytes, or ``-\\n`` when absent (the client checks every full hash);
* ``GET|PUT /api/upload/HASH?offset=&size=``: resumable upload (write);
* ``POST /api/upload-batch``: small objects in one request (write), a body of ``SIZE\\n`` then the
  bytes for each; every object is stored under the hash of its bytes, and the answer says how many
  and the SHA-256 of their hashes, for the client to check against what it sent.
"""

from __future__ import annotations

import functools
import hmac
import json
import os
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cagette.errors import CagetteError
from cagette.sync.local import LocalLibrary
from cagette.sync.plan import check_hash, check_site_id

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response

API_VERSION = 1
BATCH_CHUNK = 256 * 1024
PREFIX = 8  # bytes of an object's hash that name it in a batch request (64 bits)
MAX_BATCH = 100_000
SMALL = 1024 * 1024
MIB = 1024 * 1024

Handler = Callable[["Request"], Awaitable["Response"]]


@dataclass(frozen=True)
class ServeConfig:
    read_token: str | None = None
    write_token: str | None = None
    max_object_bytes: int = 4096 * MIB
    max_request_bytes: int = 64 * MIB
    max_connections: int = 32
    timeout_s: float = 30.0
    min_rate_bytes_s: float = 1000.0
    allowed_hosts: tuple[str, ...] = ()
    keep_free_bytes: int = 100 * MIB

    @classmethod
    def from_settings(cls, conf: Any, keep_free_mb: int = 100, **tokens: str | None) -> ServeConfig:
        """From ``[serve]`` settings (*conf*), with the tokens given."""
        return cls(read_token=tokens.get("read_token"), write_token=tokens.get("write_token"),
                   max_object_bytes=conf.max_object_mb * MIB, max_request_bytes=conf.max_request_mb * MIB,
                   max_connections=conf.max_connections, timeout_s=conf.timeout_s,
                   min_rate_bytes_s=conf.min_rate_kb_s * 1000, allowed_hosts=tuple(conf.allowed_hosts),
                   keep_free_bytes=keep_free_mb * MIB)


class _Bad(Exception):
    pass


# plumbing ------------------------------------------------------------------------------------

def _token_of(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return str(auth[7:].strip())
    token = request.query_params.get("token")
    return None if token is None else str(token)


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and hmac.compare_digest(a.encode(), b.encode())


def _lib(request: Request) -> LocalLibrary:
    lib: LocalLibrary = request.app.state.library
    return lib


def _config(request: Request) -> ServeConfig:
    config: ServeConfig = request.app.state.config
    return config


def may_write(request: Request) -> bool:
    config = _config(request)
    return config.write_token is not None and _same(_token_of(request), config.write_token)


def err(status: int, message: str, hint: str = "") -> Response:
    from starlette.responses import JSONResponse

    return JSONResponse({"error": message, "hint": hint}, status_code=status)


def _run(fn: Callable[..., Any], *args: Any) -> Awaitable[Any]:
    from starlette.concurrency import run_in_threadpool

    return run_in_threadpool(fn, *args)


def guarded(write: bool) -> Callable[[Handler], Handler]:
    """A handler that needs the read token (or the write token, *write*); library errors as JSON."""
    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def inner(request: Request) -> Response:
            config = _config(request)
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
                return await handler(request)
            except CagetteError as exc:
                return err(409 if write else 400, exc.message, exc.hint or "")
        return inner
    return wrap


async def read_body(request: Request, limit: int) -> bytes | None:
    """The request body, or None when it is (or announces itself) larger than *limit*."""
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
    body = await read_body(request, _config(request).max_request_bytes)
    if body is None:
        raise _Bad("Request too large.")
    try:
        return json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise _Bad("Malformed JSON.") from None


# handlers ------------------------------------------------------------------------------------

@guarded(write=False)
async def info(request: Request) -> Response:
    from starlette.responses import JSONResponse

    return JSONResponse({"cagette": API_VERSION, "site_id": _lib(request).site_id, "writable": may_write(request)})


@guarded(write=False)
async def state(request: Request) -> Response:
    from starlette.responses import JSONResponse

    try:
        data = await read_json(request)
        known = {check_site_id(str(k)): int(v) for k, v in dict(data.get("known", {})).items()}
    except (_Bad, TypeError, ValueError, AttributeError):
        return err(400, "Malformed state request.")
    st = await _run(_lib(request).state, known)
    return JSONResponse({"cagette": API_VERSION, "site_id": st.site_id, "objects_digest": st.objects_digest,
                         "writable": may_write(request), "logs": {s: i.to_dict() for s, i in st.logs.items()}})


@guarded(write=False)
async def get_log(request: Request) -> Response:
    from starlette.responses import Response

    site = check_site_id(request.path_params["site"])
    try:
        start = int(request.query_params.get("start", "0"))
        end = int(request.query_params["end"]) if "end" in request.query_params else None
    except ValueError:
        return err(400, "Bad range.")
    data = await _run(_lib(request).read_log, site, start, end)
    return Response(data, media_type="application/x-ndjson")


@guarded(write=True)
async def post_log(request: Request) -> Response:
    from starlette.responses import JSONResponse

    site = check_site_id(request.path_params["site"])
    try:
        start = int(request.query_params["start"])
    except (KeyError, ValueError):
        return err(400, "The start line is missing.")
    body = await read_body(request, _config(request).max_request_bytes)
    if body is None:
        return err(413, "Log append too large.", "Push again with a newer cagette (it sends lines in pieces).")
    await _run(_lib(request).append_log, site, start, body)
    return JSONResponse({"ok": True})


@guarded(write=False)
async def has(request: Request) -> Response:
    from starlette.responses import JSONResponse

    library = _lib(request)
    try:
        data = await read_json(request)
    except _Bad as exc:
        return err(400, str(exc))
    if data.get("all"):
        present = await _run(library.object_names)
        return JSONResponse({"has": sorted(present)})
    hashes = data.get("hashes", [])
    if not isinstance(hashes, list):
        return err(400, "Malformed request.")
    wanted = [check_hash(str(h)) for h in hashes]
    present = await _run(lambda: [h for h in wanted if library.has_object(h)])
    return JSONResponse({"has": present})


@guarded(write=False)
async def get_object(request: Request) -> Response:
    from starlette.responses import FileResponse, Response

    digest = check_hash(request.path_params["digest"])
    path = _lib(request).object_path(digest)
    if path is None:
        return err(404, "No such object.")
    if "range" not in request.headers and path.stat().st_size <= SMALL:
        # one write for a small object (a FileResponse sends headers and body apart)
        return Response(await _run(path.read_bytes), media_type="application/octet-stream")
    return FileResponse(path, media_type="application/octet-stream", stat_result=path.stat())


def batch_chunks(library: LocalLibrary, prefixes: list[str]) -> Iterator[bytes]:
    """The body of a batch, read from disk a chunk at a time (at most two chunks held at once)."""
    pending = bytearray()
    for prefix in prefixes:
        path = library.find_object(prefix)
        if path is None:
            pending += b"-\n"
            continue
        with open(path, "rb") as fh:
            pending += b"%d\n" % os.fstat(fh.fileno()).st_size
            while chunk := fh.read(BATCH_CHUNK):
                pending += chunk
                if len(pending) >= BATCH_CHUNK:
                    yield bytes(pending)
                    pending.clear()
    if pending:
        yield bytes(pending)


@guarded(write=False)
async def batch(request: Request) -> Response:
    from starlette.responses import StreamingResponse

    body = await read_body(request, MAX_BATCH * PREFIX)
    if body is None or len(body) % PREFIX:
        return err(400, "Malformed batch request.")
    prefixes = [body[i:i + PREFIX].hex() for i in range(0, len(body), PREFIX)]
    return StreamingResponse(batch_chunks(_lib(request), prefixes), media_type="application/octet-stream")


@guarded(write=True)
async def upload_offset(request: Request) -> Response:
    from starlette.responses import JSONResponse

    library = _lib(request)
    digest = check_hash(request.path_params["digest"])
    if library.has_object(digest):
        return JSONResponse({"offset": None, "done": True})
    part = library.upload_part(digest)
    return JSONResponse({"offset": part.stat().st_size if part.exists() else 0, "done": False})


@guarded(write=True)
async def upload(request: Request) -> Response:
    from starlette.responses import JSONResponse

    from cagette.sync.limits import free_bytes
    from cagette.sync.sink import ObjectSink

    library, config = _lib(request), _config(request)
    digest = check_hash(request.path_params["digest"])
    try:
        offset = int(request.query_params.get("offset", "0"))
        size = int(request.query_params["size"])
    except (KeyError, ValueError):
        return err(400, "The size is missing.")
    if size < 0 or size > config.max_object_bytes:
        return err(413, "Object too large.", "Raise [serve] max_object_mb on this peer if it is expected.")
    if library.has_object(digest):
        return JSONResponse({"ok": True, "already": True})
    part = library.upload_part(digest)
    have = part.stat().st_size if part.exists() else 0
    if offset != have:
        return JSONResponse({"error": "Wrong offset.", "offset": have}, status_code=416)
    if free_bytes(library.root) - (size - offset) < config.keep_free_bytes:
        return err(507, "Not enough free space on this peer for that object.", "Free some space there.")
    sink = await _run(ObjectSink, library.store, digest, size, size, part, "the peer")
    try:
        async for chunk in request.stream():
            if sink.offset + len(chunk) > size:
                await _run(sink.abort, True)
                return err(413, "More bytes than announced.")
            await _run(sink.write, chunk)
    except BaseException:
        await _run(sink.abort)
        raise
    if not await _run(sink.finish):
        return JSONResponse({"ok": False, "offset": sink.offset}, status_code=202)
    return JSONResponse({"ok": True}, status_code=201)


def store_batch(library: LocalLibrary, body: bytes, most: int) -> list[str]:
    """Store the objects of an upload batch (``SIZE\\n`` + bytes each, each at most *most* bytes), each
    stored under the hash of its bytes, written once, then all published together; their hashes, in order."""
    import hashlib

    from cagette.sync.sink import stage_bytes

    hashes: list[str] = []
    staged: list[tuple[Path, str]] = []
    seen: set[str] = set()
    pos = 0
    while pos < len(body):
        end = body.find(b"\n", pos, pos + 24)
        if end < 0 or not body[pos:end].isdigit():
            raise _Bad("Malformed batch upload.")
        size = int(body[pos:end])
        if size > most or end + 1 + size > len(body):
            raise _Bad("An object of the batch upload is too large or cut short.")
        data = body[end + 1:end + 1 + size]
        digest = hashlib.sha256(data).hexdigest()
        if digest not in seen and not library.has_object(digest):
            part = library.upload_part(digest)
            stage_bytes(part, digest, data, "the peer")
            staged.append((part, digest))
        seen.add(digest)
        hashes.append(digest)
        pos = end + 1 + size
    library.store.adopt_all(staged)
    return hashes


@guarded(write=True)
async def upload_batch(request: Request) -> Response:
    import hashlib

    from starlette.responses import JSONResponse

    from cagette.sync.limits import free_bytes

    library, config = _lib(request), _config(request)
    declared = request.headers.get("content-length", "")
    if not declared.isdigit():
        return err(411, "A batch upload needs its length.")
    if int(declared) > config.max_request_bytes:
        return err(413, "Batch upload too large.", "Send the objects one by one.")
    if free_bytes(library.root) - int(declared) < config.keep_free_bytes:
        return err(507, "Not enough free space on this peer for those objects.", "Free some space there.")
    body = await read_body(request, config.max_request_bytes)
    if body is None:
        return err(413, "Batch upload too large.", "Send the objects one by one.")
    try:
        hashes = await _run(store_batch, library, body, min(SMALL, config.max_object_bytes))
    except _Bad as exc:
        return err(400, str(exc))
    digest = hashlib.sha256(b"".join(bytes.fromhex(h) for h in hashes)).hexdigest()
    return JSONResponse({"stored": len(hashes), "sha256": digest}, status_code=201)


ROUTES: tuple[tuple[str, Handler, tuple[str, ...]], ...] = (
    ("/api/info", info, ("GET",)),
    ("/api/state", state, ("POST",)),
    ("/api/log/{site}", get_log, ("GET",)),
    ("/api/log/{site}", post_log, ("POST",)),
    ("/api/objects/has", has, ("POST",)),
    ("/api/objects/batch", batch, ("POST",)),
    ("/objects/{digest}", get_object, ("GET", "HEAD")),
    ("/api/upload/{digest}", upload_offset, ("GET",)),
    ("/api/upload/{digest}", upload, ("PUT",)),
    ("/api/upload-batch", upload_batch, ("POST",)),
)


def build_app(library: LocalLibrary, config: ServeConfig) -> Starlette:
    """The Starlette app serving *library*, behind the guard (hosts, pace)."""
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.routing import Route

    from cagette.sync.guard import Guard

    library.max_object_bytes = config.max_object_bytes
    app = Starlette(routes=[Route(path, handler, methods=list(methods)) for path, handler, methods in ROUTES],
                    middleware=[Middleware(Guard, config=config)])
    app.state.library = library
    app.state.config = config
    return app
