"""A ``cagette serve`` peer as a remote (httpx).

The token comes from the URL's ``?token=`` or ``CAGETTE_TOKEN`` and travels
as ``Authorization: Bearer``. Every network failure becomes a
:class:`~cagette.errors.SyncError` naming the peer; a peer that stalls is
given up after ``[sync] timeout_s`` seconds. Small objects travel in batches
(one request for many); large ones one by one with HTTP Range, so a broken
transfer resumes where it stopped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from cagette.errors import SyncError
from cagette.i18n import _
from cagette.sync.base import CHUNK, ObjectMissing, Remote
from cagette.sync.plan import LogInfo, SideState, check_hash, check_site_id

BATCH = 2000
PREFIX = 8  # bytes of a hash naming an object in a batch request
HAS_BATCH = 5000


def split_token(url: str) -> tuple[str, str | None]:
    """The URL without its ``token`` query parameter, and that token."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    token = next((v for k, v in query if k == "token"), None)
    rest = urlencode([(k, v) for k, v in query if k != "token"])
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), rest, "")), token


class HttpRemote(Remote):
    def __init__(self, url: str, token: str | None = None, timeout_s: float = 30.0) -> None:
        import httpx

        super().__init__()
        base, url_token = split_token(url)
        self.name = base
        self.token = token or url_token or os.environ.get("CAGETTE_TOKEN") or None
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        self.timeout_s = timeout_s
        self.client = httpx.Client(base_url=base, headers=headers,
                                   timeout=httpx.Timeout(timeout_s), follow_redirects=False)

    # plumbing ----------------------------------------------------------------
    def _fail(self, exc: Exception) -> SyncError:
        import httpx

        if isinstance(exc, httpx.TimeoutException):
            return SyncError(
                _("{peer} did not answer within {n:g} s.").format(peer=self.name, n=self.timeout_s),
                _("Check the peer is running and reachable, or raise [sync] timeout_s in the settings."),
            )
        return SyncError(
            _("Cannot reach {peer}: {error}.").format(peer=self.name, error=str(exc) or type(exc).__name__),
            _("Check the address and that 'cagette serve' runs there."),
        )

    def _check(self, response: Any) -> Any:
        if response.status_code < 400:
            return response
        try:
            body = response.json()
            message, hint = str(body.get("error", "")), str(body.get("hint", ""))
        except ValueError:
            message, hint = response.text[:200], ""
        if response.status_code in (401, 403):
            raise SyncError(
                _("{peer} refused access: {message}").format(peer=self.name, message=message),
                hint or _("Set CAGETTE_TOKEN, or add ?token=… to the address."),
            )
        raise SyncError(
            _("{peer} answered {status}: {message}").format(peer=self.name, status=response.status_code,
                                                             message=message),
            hint or _("See the log of 'cagette serve' on that peer."),
        )

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
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
        try:
            response = self.client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise self._fail(exc) from exc
        self.counters.requests += 1
        self.counters.received += len(response.content)
        return self._check(response)

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._request(method, path, **kwargs)
        try:
            return response.json()
        except ValueError:
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
        except (KeyError, TypeError, AttributeError):
            raise SyncError(_("{peer} sent a malformed state.").format(peer=self.name),
                            _("Is that address a 'cagette serve' peer of the same version?")) from None
        return SideState(site, logs, str(digest) if digest else None)

    def read_log(self, site: str, start: int, end: int) -> bytes:
        check_site_id(site)
        data: bytes = self._request("GET", f"/api/log/{site}", params={"start": start, "end": end}).content
        return data

    def append_log(self, site: str, start: int, data: bytes) -> None:
        check_site_id(site)
        self._request("POST", f"/api/log/{site}", params={"start": start}, content=data,
                      headers={"content-type": "application/x-ndjson"})

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
                if response.status_code == 404:
                    raise ObjectMissing(digest)
                if response.status_code == 416:
                    return
                if response.status_code >= 400:
                    response.read()
                    self._check(response)
                if offset and response.status_code != 206:
                    raise SyncError(_("{peer} cannot resume a transfer.").format(peer=self.name),
                                    _("Delete the partial files in local/sync-partial/ and sync again."))
                self.counters.requests += 1
                for chunk in response.iter_bytes(CHUNK):
                    self.counters.received += len(chunk)
                    yield chunk
        except httpx.HTTPError as exc:
            raise self._fail(exc) from exc

    def read_objects(self, wants: Sequence[tuple[str, int]]) -> Iterator[tuple[str, Iterator[bytes] | None]]:
        fresh = [d for d, offset in wants if offset == 0]
        for digest, offset in wants:
            if offset:
                try:
                    yield digest, self.read_object(digest, offset)
                except ObjectMissing:
                    yield digest, None
        for i in range(0, len(fresh), BATCH):
            yield from self._batch(fresh[i:i + BATCH])

    def _batch(self, digests: list[str]) -> Iterator[tuple[str, Iterator[bytes] | None]]:
        import httpx

        body = b"".join(bytes.fromhex(d[: 2 * PREFIX]) for d in digests)
        self.counters.sent += len(body)
        try:
            with self.client.stream("POST", "/api/objects/batch", content=body,
                                    headers={"content-type": "application/octet-stream"}) as response:
                if response.status_code >= 400:
                    response.read()
                    self._check(response)
                self.counters.requests += 1
                reader = _StreamReader(response.iter_raw(CHUNK), self)
                for expected in digests:
                    header = reader.readline(24)
                    if header == b"-":
                        yield expected, None
                        continue
                    if not header.isdigit():
                        raise SyncError(
                            _("{peer} sent a malformed batch of objects.").format(peer=self.name),
                            _("The other side is damaged or hostile; nothing was changed here."))
                    chunks = reader.take(int(header))
                    yield expected, chunks
                    for _rest in chunks:  # drain what the consumer left
                        pass
        except httpx.HTTPError as exc:
            raise self._fail(exc) from exc

    def put_object(self, digest: str, size: int, path: Path) -> None:
        check_hash(digest)
        answer = self._json("GET", f"/api/upload/{digest}")
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

        self._request("PUT", f"/api/upload/{digest}", params={"offset": offset, "size": size}, content=body())

    def close(self) -> None:
        self.client.close()


class _StreamReader:
    """Lines and exact byte counts out of an iterator of chunks."""

    def __init__(self, chunks: Iterator[bytes], remote: HttpRemote) -> None:
        self.chunks = chunks
        self.buf = b""
        self.remote = remote

    def _more(self) -> bool:
        try:
            data = next(self.chunks)
        except StopIteration:
            return False
        self.remote.counters.received += len(data)
        self.buf += data
        return True

    def readline(self, limit: int) -> bytes:
        while b"\n" not in self.buf:
            if len(self.buf) > limit or not self._more():
                raise SyncError(
                    _("{peer} ended a batch of objects early.").format(peer=self.remote.name),
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
