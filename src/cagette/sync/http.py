"""A ``cagette serve`` peer as a remote (httpx), held to the sync's limits.

The token comes from the URL's ``?token=`` or ``CAGETTE_TOKEN`` and travels
as ``Authorization: Bearer``; ``https://host:port?fp=…`` pins the peer's
certificate (:mod:`cagette.sync.tls`), checked before the token is sent.
Every network failure becomes a :class:`~cagette.errors.SyncError` naming
the peer. Every wait is paced (:mod:`cagette.sync.transport`): a peer silent
for ``timeout_s``, slower than ``min_rate_kb_s`` or past ``deadline_s`` is
given up. Every answer is read as a stream and capped once decompressed
(``max_response_mb``; an object: the size its plan gives, never more), so a
gzip bomb or an endless body costs a few chunks of memory, not gigabytes.

Small objects travel in batches both ways (one request for many, each
announced by its size, which must be the plan's; a peer's answer to a batch
upload names the hashes it stored, checked against ours); large ones one by
one with HTTP Range, so a broken transfer resumes where it stopped.
"""

from __future__ import annotations

import os
import time
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from cagette.errors import SyncError
from cagette.i18n import _
from cagette.sync.base import CHUNK, ObjectMissing, Remote, WriteRefused
from cagette.sync.limits import Limits, Pace, human_size
from cagette.sync.plan import LogInfo, SideState, check_hash, check_site_id

BATCH = 2000
PREFIX = 8  # bytes of a hash naming an object in a batch request
HAS_BATCH = 5000
LOG_PIECE = 8 * 1024 * 1024  # log lines are pushed in pieces of at most this much
UPLOAD_SMALL = 1024 * 1024  # objects smaller than this are pushed many to a request
UPLOAD_PIECE = 8 * 1024 * 1024  # ... of at most this much


def split_url(url: str) -> tuple[str, str | None, str | None]:
    """The URL without its ``token`` and ``fp`` query parameters, the token, and the pinned fingerprint."""
    from cagette.sync.tls import parse_fingerprint

    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    token = next((v for k, v in query if k == "token"), None)
    fp = next((v for k, v in query if k == "fp"), None)
    rest = urlencode([(k, v) for k, v in query if k not in ("token", "fp")])
    base = urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), rest, ""))
    if fp is not None and parts.scheme != "https":
        raise SyncError(_("A fingerprint (?fp=) only makes sense with https://: {url}.").format(url=base),
                        _("Write https://host:port?fp=… as 'cagette serve --lan' printed it."))
    return base, token, None if fp is None else parse_fingerprint(fp)


def split_token(url: str) -> tuple[str, str | None]:
    """The URL without its ``token`` (and ``fp``) query parameters, and that token."""
    base, token, _fp = split_url(url)
    return base, token


@dataclass
class _Answer:
    status: int
    headers: Any
    body: bytes

    def json(self) -> Any:
        import json

        return json.loads(self.body)


class _Decoder:
    """A response body decoded chunk by chunk, never more than *cap* bytes out (a gzip bomb stops here)."""

    def __init__(self, encoding: str, cap: int, peer: str) -> None:
        codings = [c.strip().lower() for c in encoding.split(",") if c.strip() and c.strip().lower() != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise SyncError(
                _("{peer} sent its answer encoded as {encoding!r}: refused.").format(peer=peer, encoding=encoding),
                _("The other side is damaged or hostile; nothing was changed here."),
            )
        self.zlib = None
        if codings:
            self.zlib = zlib.decompressobj(16 + zlib.MAX_WBITS if "gzip" in codings[0] else zlib.MAX_WBITS)
        self.cap, self.peer, self.out = cap, peer, 0

    def _count(self, data: bytes) -> bytes:
        self.out += len(data)
        if self.out > self.cap:
            raise SyncError(
                _("{peer} sent more than {cap} in one answer (once decompressed): refused.").format(
                    peer=self.peer, cap=human_size(self.cap)),
                _("The other side is damaged or hostile; nothing was changed here. If it is a very large "
                  "library, raise [sync] max_response_mb (--max-response-mb)."),
            )
        return data

    def feed(self, raw: bytes) -> Iterator[bytes]:
        if self.zlib is None:
            if raw:
                yield self._count(raw)
            return
        data = raw
        try:
            while True:
                out = self.zlib.decompress(data, CHUNK)
                if out:
                    yield self._count(out)
                data = self.zlib.unconsumed_tail
                if not data and (not out or self.zlib.eof):
                    return
        except zlib.error:
            raise SyncError(_("{peer} sent a corrupt compressed answer: refused.").format(peer=self.peer),
                            _("The other side is damaged or hostile; nothing was changed here.")) from None


class HttpRemote(Remote):
    def __init__(self, url: str, token: str | None = None, timeout_s: float | None = None,
                 limits: Limits | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        from cagette.sync.transport import client

        super().__init__(limits)
        base, url_token, self.pin = split_url(url)
        self.name = base
        if timeout_s is not None:
            self.limits = replace(self.limits, timeout_s=timeout_s)
        self.pace = Pace(self.limits, base, clock)
        self.token = token or url_token or os.environ.get("CAGETTE_TOKEN") or None
        headers = {"Accept-Encoding": "identity"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        self.client = client(base, headers, self.pace, self.pin, base)

    # plumbing ----------------------------------------------------------------
    def _fail(self, exc: Exception) -> SyncError:
        import httpx

        if isinstance(exc, httpx.TimeoutException):
            return SyncError(
                _("{peer} did not answer within {n:g} s.").format(peer=self.name, n=self.limits.timeout_s),
                _("Check the peer is running and reachable, or raise [sync] timeout_s (--timeout)."),
            )
        return SyncError(
            _("Cannot reach {peer}: {error}.").format(peer=self.name, error=str(exc) or type(exc).__name__),
            _("Check the address and that 'cagette serve' runs there."),
        )

    def _check(self, status: int, body: bytes, write: bool = False) -> None:
        if status < 400:
            return
        import json

        try:
            data = json.loads(body)
            message, hint = str(data.get("error", "")), str(data.get("hint", ""))
        except (ValueError, AttributeError):
            message, hint = body[:200].decode("utf-8", "replace"), ""
        if status in (401, 403):
            raise (WriteRefused if write else SyncError)(
                _("{peer} refused access: {message}").format(peer=self.name, message=message),
                hint or _("Set CAGETTE_TOKEN, or add ?token=… to the address."),
            )
        raise SyncError(
            _("{peer} answered {status}: {message}").format(peer=self.name, status=status, message=message),
            hint or _("See the log of 'cagette serve' on that peer."),
        )

    def _decoded(self, response: Any, cap: int) -> Iterator[bytes]:
        """The body of a streamed response, decoded, at most *cap* bytes (raises beyond)."""
        declared = response.headers.get("content-length")
        encoding = response.headers.get("content-encoding", "")
        if declared is not None and declared.isdigit() and not encoding and int(declared) > cap:
            raise SyncError(
                _("{peer} announced an answer of {size}, more than the {cap} allowed: refused.").format(
                    peer=self.name, size=human_size(int(declared)), cap=human_size(cap)),
                _("The other side is damaged or hostile; nothing was changed here."),
            )
        decoder = _Decoder(encoding, cap, self.name)
        for raw in response.iter_raw():  # as read (up to a megabyte: see transport.READ_MOST), no re-chunking
            for data in decoder.feed(raw):
                self.counters.received += len(data)
                yield data

    def _request(self, method: str, path: str, write: bool = False, allow: tuple[int, ...] = (),
                 **kwargs: Any) -> _Answer:
        """One request, its answer decoded under the cap; an error status raises, unless in *allow*."""
        import httpx

        body = kwargs.get("content")
        if isinstance(body, (bytes, bytearray)):
            self.counters.sent += len(body)
        elif "json" in kwargs:
            import json

            data = json.dumps(kwargs.pop("json")).encode()
            kwargs["content"] = data
            kwargs.setdefault("headers", {})["content-type"] = "application/json"
            self.counters.sent += len(data)
        cap = self.limits.max_response_bytes
        try:
            with self.client.stream(method, path, **kwargs) as response:
                self.counters.requests += 1
                answer = _Answer(response.status_code, response.headers,
                                 b"".join(self._decoded(response, cap if response.status_code < 400 else 65536)))
            self.pace.settle()
        except httpx.HTTPError as exc:
            raise self._fail(exc) from exc
        if answer.status not in allow:
            self._check(answer.status, answer.body, write)
        return answer

    def _json(self, method: str, path: str, write: bool = False, **kwargs: Any) -> Any:
        answer = self._request(method, path, write, **kwargs)
        try:
            return answer.json()
        except (ValueError, UnicodeDecodeError):
            raise SyncError(_("{peer} answered something that is not JSON.").format(peer=self.name),
                            _("Is that address a 'cagette serve' peer?")) from None

    # the interface -------------------------------------------------------------
    def state(self, known: Mapping[str, int]) -> SideState:
        data = self._json("POST", "/api/state", json={"known": dict(known)})
        where = _(" on {peer}").format(peer=self.name)
        try:
            site = data.get("site_id")
            if site is not None:
                check_site_id(str(site), where)
            logs_raw = data["logs"]
            if not isinstance(logs_raw, dict):
                raise TypeError
            logs = {str(s): LogInfo.from_dict(str(s), v, where) for s, v in logs_raw.items()}
            digest = data.get("objects_digest")
            self.writable = data.get("writable") is not False
        except (KeyError, TypeError, AttributeError):
            raise SyncError(_("{peer} sent a malformed state.").format(peer=self.name),
                            _("Is that address a 'cagette serve' peer of the same version?")) from None
        return SideState(site, logs, str(digest) if digest else None)

    def read_log(self, site: str, start: int, end: int) -> bytes:
        check_site_id(site)
        return self._request("GET", f"/api/log/{site}", params={"start": start, "end": end}).body

    def append_log(self, site: str, start: int, data: bytes) -> None:
        check_site_id(site)
        held = start  # logs are addressed by line numbers: each piece says how many lines precede it
        for _offset, piece in _pieces(data, LOG_PIECE):
            self._request("POST", f"/api/log/{site}", True, params={"start": held}, content=piece,
                          headers={"content-type": "application/x-ndjson"})
            held += piece.count(b"\n")

    def has_objects(self, hashes: Sequence[str] | None) -> set[str]:
        if hashes is None:
            answer = self._json("POST", "/api/objects/has", json={"all": True})
            return {check_hash(str(h)) for h in answer.get("has", [])}
        out: set[str] = set()
        hashes = list(hashes)
        for i in range(0, len(hashes), HAS_BATCH):
            answer = self._json("POST", "/api/objects/has", json={"hashes": hashes[i:i + HAS_BATCH]})
            out |= {check_hash(str(h)) for h in answer.get("has", [])} & set(hashes[i:i + HAS_BATCH])
        return out

    def read_object(self, digest: str, offset: int = 0) -> Iterator[bytes]:
        import httpx

        check_hash(digest)
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        try:
            with self.client.stream("GET", f"/objects/{digest}", headers=headers) as response:
                self.counters.requests += 1
                if response.status_code == 404:
                    raise ObjectMissing(digest)
                if response.status_code == 416:
                    return
                if response.status_code >= 400:
                    self._check(response.status_code, b"".join(self._decoded(response, 65536)))
                if offset and response.status_code != 206:
                    raise SyncError(_("{peer} cannot resume a transfer.").format(peer=self.name),
                                    _("Delete the partial files with 'cagette library gc', then sync again."))
                # the consumer stops at the plan's size; this cap only bounds a peer that sends on and on
                yield from self._decoded(response, self.limits.max_object_bytes + CHUNK)
            self.pace.settle()
        except httpx.HTTPError as exc:
            raise self._fail(exc) from exc

    def read_objects(self, wants: Sequence[tuple[str, int, int]]) -> Iterator[tuple[str, Iterator[bytes] | None]]:
        fresh = [(d, size) for d, offset, size in wants if offset == 0]
        for digest, offset, _size in wants:
            if offset:
                try:
                    yield digest, self.read_object(digest, offset)
                except ObjectMissing:
                    yield digest, None
        for i in range(0, len(fresh), BATCH):
            yield from self._batch(fresh[i:i + BATCH])

    def _batch(self, wants: list[tuple[str, int]]) -> Iterator[tuple[str, Iterator[bytes] | None]]:
        import httpx

        body = b"".join(bytes.fromhex(d[: 2 * PREFIX]) for d, _size in wants)
        self.counters.sent += len(body)
        # each object is held to its own size below; this only bounds a body that goes on after them
        cap = sum(size or self.limits.max_object_bytes for _d, size in wants) + 24 * len(wants) + CHUNK
        try:
            with self.client.stream("POST", "/api/objects/batch", content=body,
                                    headers={"content-type": "application/octet-stream"}) as response:
                self.counters.requests += 1
                if response.status_code >= 400:
                    self._check(response.status_code, b"".join(self._decoded(response, 65536)))
                reader = _StreamReader(self._decoded(response, cap), self.name)
                for expected, size in wants:
                    header = reader.readline(24)
                    if header == b"-":
                        yield expected, None
                        continue
                    announced = self._announced(header, expected, size)
                    chunks = reader.take(announced)
                    yield expected, chunks
                    for _rest in chunks:  # drain what the consumer left
                        pass
            self.pace.settle()
        except httpx.HTTPError as exc:
            raise self._fail(exc) from exc

    def _announced(self, header: bytes, digest: str, size: int) -> int:
        """The size a batch announces for an object: digits, and the plan's size (or within the cap)."""
        if not header.isdigit():
            raise SyncError(
                _("{peer} sent a malformed batch of objects.").format(peer=self.name),
                _("The other side is damaged or hostile; nothing was changed here."))
        announced = int(header)
        if (size and announced != size) or announced > self.limits.max_object_bytes:
            raise SyncError(
                _("{peer} announced {got} bytes for object {digest}, where the plan says {size}: refused.").format(
                    peer=self.name, got=announced, digest=digest[:12],
                    size=size if size else _("at most {cap}").format(cap=human_size(self.limits.max_object_bytes))),
                _("The other side is damaged or hostile; nothing was changed here."),
            )
        return announced

    def put_object(self, digest: str, size: int, path: Path) -> None:
        check_hash(digest)
        answer = self._json("GET", f"/api/upload/{digest}", True)
        if answer.get("done"):
            return
        offset = int(answer.get("offset") or 0)
        if offset > size:
            offset = 0

        def body() -> Iterator[bytes]:
            with open(path, "rb") as fh:
                fh.seek(offset)
                while data := fh.read(CHUNK):
                    self.counters.sent += len(data)
                    yield data

        self._request("PUT", f"/api/upload/{digest}", True, params={"offset": offset, "size": size},
                      content=body())

    def put_objects(self, items: Sequence[tuple[str, int, Path]], done: Callable[[str], None] | None = None) -> None:
        """Small objects many to a request (``POST /api/upload-batch``), large ones resumably one by one."""
        piece: list[tuple[str, int, Path]] = []
        held = 0
        for digest, size, path in items:
            if size >= UPLOAD_SMALL:
                self.put_object(digest, size, path)
                if done is not None:
                    done(digest)
                continue
            if piece and (held + size > UPLOAD_PIECE or len(piece) >= BATCH):
                self._put_batch(piece, done)
                piece, held = [], 0
            piece.append((check_hash(digest), size, path))
            held += size
        if piece:
            self._put_batch(piece, done)

    def _put_batch(self, piece: list[tuple[str, int, Path]], done: Callable[[str], None] | None) -> None:
        import hashlib

        body = bytearray()
        for _digest, size, path in piece:
            data = path.read_bytes()
            if len(data) != size:
                raise SyncError(_("{path} changed during the sync.").format(path=path), _("Run the sync again."))
            body += b"%d\n" % size + data
        answer = self._request("POST", "/api/upload-batch", True, allow=(404, 405, 413), content=bytes(body),
                               headers={"content-type": "application/octet-stream"})
        if answer.status in (404, 405, 413):  # a peer without batch uploads, or a small request cap
            super().put_objects(piece, done)
            return
        sent = hashlib.sha256(b"".join(bytes.fromhex(d) for d, _size, _path in piece)).hexdigest()
        try:
            reply = answer.json()
            ok = reply.get("stored") == len(piece) and reply.get("sha256") == sent
        except (ValueError, UnicodeDecodeError, AttributeError):
            ok = False
        if not ok:
            raise SyncError(_("{peer} did not store the {n} objects it was sent.").format(peer=self.name, n=len(piece)),
                            _("The other side is damaged or hostile; run the sync again."))
        if done is not None:
            for digest, _size, _path in piece:
                done(digest)

    def close(self) -> None:
        self.client.close()


def _pieces(data: bytes, most: int) -> Iterator[tuple[int, bytes]]:
    """*data* (complete lines) cut at line ends into pieces of about *most* bytes: (offset, piece)."""
    start = 0
    while start < len(data):
        end = len(data) if len(data) - start <= most else data.rfind(b"\n", start, start + most) + 1
        if end <= start:  # one line longer than a piece: send it whole
            end = data.index(b"\n", start) + 1
        yield start, data[start:end]
        start = end


class _StreamReader:
    """Lines and exact byte counts out of an iterator of chunks."""

    def __init__(self, chunks: Iterator[bytes], peer: str) -> None:
        self.chunks = chunks
        self.buf = b""
        self.peer = peer

    def _more(self) -> bool:
        try:
            data = next(self.chunks)
        except StopIteration:
            return False
        self.buf += data
        return True

    def readline(self, limit: int) -> bytes:
        while b"\n" not in self.buf:
            if len(self.buf) > limit:
                raise SyncError(
                    _("{peer} sent a malformed batch of objects.").format(peer=self.peer),
                    _("The other side is damaged or hostile; nothing was changed here."))
            if not self._more():
                raise SyncError(
                    _("{peer} ended a batch of objects early.").format(peer=self.peer),
                    _("The transfer was cut; run the sync again."))
        line, _sep, self.buf = self.buf.partition(b"\n")
        return line

    def take(self, n: int) -> Iterator[bytes]:
        while n > 0:
            if not self.buf and not self._more():
                return  # truncated: the consumer sees fewer bytes than announced
            piece, self.buf = self.buf[:n], self.buf[n:]
            n -= len(piece)
            yield piece
