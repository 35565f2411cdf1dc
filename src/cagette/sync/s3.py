"""A prefix in an S3-compatible bucket as a remote (boto3, path addressing).

``s3://bucket/prefix`` holds a copy of a library's synced part under ``prefix/``, in the
library's own layout: ``log/<site>/<first>-<last>.jsonl`` (immutable segments, see
:mod:`cagette.library.segments`) and ``objects/ab/cdef…``. The endpoint comes from
``--endpoint`` or ``[sync] s3_endpoint``; credentials from the standard AWS variables.

No site ever rewrites an object another writer may write: a push adds one new segment per
site (its name fixes its content, so two pushers never write different bytes under one
key), sent with ``If-None-Match: *`` where the server honours it; objects are named by their
hash. Two pushers interleaving their reads and writes therefore lose nothing: the bucket
holds the union of what they wrote. Large objects go up in parts
(``[sync] s3_multipart_mb``, ``s3_part_mb``), remembered in the cache folder, so a cut push
resumes; an upload the server no longer knows is started again, never a blocker. Objects
are read with ranged GETs; a range starting at the end (a pull killed after its last byte)
reads nothing instead of failing. Everything read from a bucket is checked here exactly as
from any peer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from cagette.errors import SyncError
from cagette.i18n import _
from cagette.sync.base import CHUNK, ObjectMissing, Remote
from cagette.sync.plan import HASH_RE, LogInfo, SideState, check_hash, check_site_id

MIB = 1024 * 1024


def split_s3_url(url: str) -> tuple[str, str]:
    rest = url[len("s3://"):]
    bucket, _sep, prefix = rest.partition("/")
    prefix = prefix.strip("/")
    if len(bucket) < 3 or any(p in ("..", ".") for p in prefix.split("/")):
        raise SyncError(_("{url} is not a valid S3 address.").format(url=url),
                        _("Write it s3://bucket/prefix (a bucket name has at least 3 characters)."))
    return bucket, (prefix + "/" if prefix else "")


_SESSIONS: dict[tuple[str, ...], Any] = {}
_CREDENTIAL_VARS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                    "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_EC2_METADATA_DISABLED")


def _session() -> Any:
    """A boto3 session for the credentials the environment names now (one per set of them: making
    one loads botocore's models, a quarter of a second)."""
    import os

    import boto3

    key = tuple(os.environ.get(v, "") for v in _CREDENTIAL_VARS)
    if key not in _SESSIONS:
        _SESSIONS.clear()
        _SESSIONS[key] = boto3.session.Session()
    return _SESSIONS[key]


class _Precondition(Exception):
    """The key exists already (412 to an ``If-None-Match: *`` write)."""


class S3Remote(Remote):
    def __init__(self, url: str, endpoint: str | None = None, region: str = "us-east-1",
                 timeout_s: float = 30.0, multipart_bytes: int | None = None, part_bytes: int | None = None,
                 uploads_dir: Path | None = None) -> None:
        from botocore.config import Config

        from cagette import locations, settings

        super().__init__()
        conf = settings.current().sync
        self.name = url
        self.bucket, self.prefix = split_s3_url(url)
        config = Config(s3={"addressing_style": "path"}, connect_timeout=timeout_s, read_timeout=timeout_s,
                        retries={"max_attempts": 2}, request_checksum_calculation="when_required",
                        response_checksum_validation="when_required")
        self.client = _session().client("s3", endpoint_url=endpoint or None, region_name=region or None,
                                     config=config)
        self.endpoint = endpoint or ""
        self.part_bytes = max(5 * MIB, part_bytes or conf.s3_part_mb * MIB)
        self.multipart_bytes = max(self.part_bytes + 1, multipart_bytes or conf.s3_multipart_mb * MIB)
        self.uploads_dir = uploads_dir or locations.cache_dir() / "s3-uploads"
        self.conditional = True  # If-None-Match: * honoured, until the server says otherwise
        self._segments: dict[str, dict[str, int]] | None = None  # site -> {segment name: size}
        self._listing: set[str] | None = None

    # plumbing ----------------------------------------------------------------
    def _call(self, fn: Any, **kwargs: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

        try:
            result = fn(Bucket=self.bucket, **kwargs)
        except NoCredentialsError as exc:
            raise SyncError(_("No S3 credentials for {url}.").format(url=self.name),
                            _("Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.")) from exc
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code in ("NoSuchKey", "404", "NotFound"):
                raise ObjectMissing(kwargs.get("Key", "")) from exc
            if code in ("PreconditionFailed", "412") or status == 412:
                raise _Precondition(kwargs.get("Key", "")) from exc
            if code == "NoSuchBucket":
                raise SyncError(_("The bucket {bucket} does not exist.").format(bucket=self.bucket),
                                _("Create it first, or check the address.")) from exc
            if code in ("AccessDenied", "SignatureDoesNotMatch", "InvalidAccessKeyId", "403"):
                raise SyncError(_("{url} refused access ({code}).").format(url=self.name, code=code),
                                _("Check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.")) from exc
            raise SyncError(_("{url} answered an error: {code}.").format(url=self.name, code=code or exc),
                            _("Check the endpoint and the bucket.")) from exc
        except BotoCoreError as exc:
            raise SyncError(_("Cannot reach the S3 server of {url}: {error}.").format(url=self.name, error=exc),
                            _("Check --endpoint or [sync] s3_endpoint, and the network.")) from exc
        self.counters.requests += 1
        return result

    def _keys(self, sub: str) -> Iterator[tuple[str, int]]:
        token = None
        while True:
            kwargs: dict[str, Any] = {"Prefix": self.prefix + sub}
            if token:
                kwargs["ContinuationToken"] = token
            page = self._call(self.client.list_objects_v2, **kwargs)
            for item in page.get("Contents", []):
                yield item["Key"][len(self.prefix):], int(item["Size"])
            if not page.get("IsTruncated"):
                return
            token = page.get("NextContinuationToken")

    def _get(self, key: str, start: int = 0) -> Any:
        kwargs: dict[str, Any] = {"Key": self.prefix + key}
        if start:
            kwargs["Range"] = f"bytes={start}-"
        return self._call(self.client.get_object, **kwargs)

    def _read(self, key: str) -> bytes:
        data: bytes = self._get(key)["Body"].read()
        self.counters.received += len(data)
        return data

    def _put_new(self, key: str, body: Any, **kwargs: Any) -> bool:
        """Write *key* unless it exists (``If-None-Match: *``); False when it was there already."""
        from botocore.exceptions import ClientError

        if self.conditional:
            try:
                self._call(self.client.put_object, Key=self.prefix + key, Body=body, IfNoneMatch="*", **kwargs)
                return True
            except _Precondition:
                return False
            except SyncError as exc:
                cause = exc.__cause__
                if not isinstance(cause, ClientError) or cause.response.get("Error", {}).get("Code") not in (
                        "NotImplemented", "InvalidArgument", "InvalidRequest"):
                    raise
                self.conditional = False  # a server without conditional writes: same name, same bytes
                if hasattr(body, "seek"):
                    body.seek(0)
        self._call(self.client.put_object, Key=self.prefix + key, Body=body, **kwargs)
        return True

    # logs ----------------------------------------------------------------------
    def _log_segments(self) -> dict[str, dict[str, int]]:
        from cagette.library.log import site_of_log
        from cagette.library.segments import parse_segment_name, split_lines

        if self._segments is not None:
            return self._segments
        out: dict[str, dict[str, int]] = {}
        where = _(" in {url}").format(url=self.name)
        for key, size in self._keys("log/"):
            rest = key[len("log/"):]
            site, sep, name = rest.partition("/")
            if not sep and site_of_log(rest):  # a format-1 log file: read as lines 1…N
                site = str(site_of_log(rest))
                check_site_id(site, where)
                n = len(split_lines(self._read(key)))
                if n:
                    out.setdefault(site, {})[f"legacy:{n}"] = size
                continue
            if not sep or parse_segment_name(name) is None or "/" in name:
                raise SyncError(
                    _("Refused {url}: it holds {key!r}, which is not a log.").format(url=self.name, key=key),
                    _("Remove that key from the bucket; nothing was changed here."),
                )
            check_site_id(site, where)
            out.setdefault(site, {})[name] = size
        self._segments = out
        return out

    @staticmethod
    def _segs(names: Mapping[str, int]) -> list[Any]:
        from cagette.library.segments import Segment, parse_segment_name

        out = []
        for name in names:
            if name.startswith("legacy:"):
                out.append(Segment(1, int(name.split(":")[1]), name))
            else:
                first, last = parse_segment_name(name) or (0, 0)
                out.append(Segment(first, last, name))
        return out

    def state(self, known: Mapping[str, int]) -> SideState:
        from cagette.library.segments import cover

        logs: dict[str, LogInfo] = {}
        for site, names in self._log_segments().items():
            chosen = cover(self._segs(names))
            if chosen:
                logs[site] = LogInfo(site, chosen[-1].last, None, sum(names[s.name] for s in chosen))
        return SideState(None, logs, None)

    def read_log(self, site: str, start: int, end: int) -> bytes:
        """Lines ``start + 1`` … ``end`` of *site*'s log, from the segments that cover them."""
        from cagette.library.log import LogError, log_name
        from cagette.library.segments import cover, join_lines, split_lines

        check_site_id(site)
        names = self._log_segments().get(site, {})
        got = []
        for seg in cover(self._segs(names), start):
            key = f"log/{log_name(site)}" if seg.name.startswith("legacy:") else f"log/{site}/{seg.name}"
            try:
                got.append((seg, split_lines(self._read(key))))
            except ObjectMissing:
                raise SyncError(_("The log {site} in {url} changed during the sync.").format(
                    site=site, url=self.name), _("Run the sync again.")) from None
            if seg.last >= end:
                break
        try:
            lines = join_lines(got, start, f"{self.name}/log/{site[:8]}")
        except LogError as exc:
            raise SyncError(exc.message, exc.hint) from exc
        return b"".join(lines[: end - start])

    def append_log(self, site: str, start: int, data: bytes) -> None:
        """Add lines ``start + 1`` … as one new segment (never rewriting one another pusher wrote)."""
        from cagette.library.segments import segment_name

        check_site_id(site)
        n = data.count(b"\n")
        if not n:
            return
        name = segment_name(start + 1, start + n)
        key = f"log/{site}/{name}"
        if not self._put_new(key, data, ContentType="application/x-ndjson"):
            try:
                there = self._read(key)
            except ObjectMissing:
                there = b""
            if there != data:
                raise SyncError(
                    _("{url} holds other lines under {key}: refused.").format(url=self.name, key=key),
                    _("Someone wrote two different lines under one number; run `cagette library fsck`."))
        self.counters.sent += len(data)
        if self._segments is not None:
            self._segments.setdefault(site, {})[name] = len(data)

    # objects -------------------------------------------------------------------
    def listing(self) -> set[str]:
        if self._listing is None:
            names = set()
            for key, _size in self._keys("objects/"):
                name = key[len("objects/"):].replace("/", "")
                if HASH_RE.match(name) and key == f"objects/{name[:2]}/{name[2:]}":
                    names.add(name)
            self._listing = names
        return self._listing

    def has_objects(self, hashes: Sequence[str] | None) -> set[str]:
        names = self.listing()
        return set(names) if hashes is None else names & set(hashes)

    def read_object(self, digest: str, offset: int = 0) -> Iterator[bytes]:
        from botocore.exceptions import ClientError

        check_hash(digest)
        try:
            body = self._get(f"objects/{digest[:2]}/{digest[2:]}", offset)["Body"]
        except SyncError as exc:
            cause = exc.__cause__
            if offset and isinstance(cause, ClientError) and cause.response.get("Error", {}).get(
                    "Code") == "InvalidRange":
                return iter(())  # every byte is here already (a pull killed before it published)
            raise
        return self._stream(body)

    def _stream(self, body: Any) -> Iterator[bytes]:
        from botocore.exceptions import BotoCoreError

        try:
            for chunk in body.iter_chunks(CHUNK):
                self.counters.received += len(chunk)
                yield chunk
        except BotoCoreError as exc:
            raise SyncError(_("The transfer from {url} was cut: {error}.").format(url=self.name, error=exc),
                            _("Run the sync again: it resumes.")) from exc
        finally:
            body.close()

    def put_object(self, digest: str, size: int, path: Path) -> None:
        check_hash(digest)
        key = f"objects/{digest[:2]}/{digest[2:]}"
        if size >= self.multipart_bytes:
            self._put_parts(key, size, path)
        else:
            with open(path, "rb") as fh:
                self._put_new(key, fh, ContentLength=size)
            self.counters.sent += size
        if self._listing is not None:
            self._listing.add(digest)

    # resumable multipart uploads ----------------------------------------------------
    def _upload_record(self, key: str) -> Path:
        name = hashlib.sha256(f"{self.endpoint}\n{self.bucket}\n{self.prefix}{key}".encode()).hexdigest()[:32]
        return self.uploads_dir / f"{name}.json"

    def _resume(self, key: str, size: int) -> tuple[str, dict[int, str]]:
        """The upload to continue (its id and the parts the server holds), or a new one."""
        record = self._upload_record(key)
        try:
            saved = json.loads(record.read_text(encoding="utf-8"))
            if saved.get("key") == self.prefix + key and saved.get("size") == size \
                    and saved.get("part") == self.part_bytes:
                done: dict[int, str] = {}
                pages = self._call(self.client.list_parts, Key=self.prefix + key, UploadId=saved["upload_id"])
                for p in pages.get("Parts", []):
                    done[int(p["PartNumber"])] = str(p["ETag"])
                return str(saved["upload_id"]), done
        except (OSError, ValueError, KeyError, TypeError, ObjectMissing, SyncError):
            pass  # no record, or an upload the server forgot: start again (never a blocker)
        upload = self._call(self.client.create_multipart_upload, Key=self.prefix + key)
        from cagette.fsutil import atomic_write_text

        atomic_write_text(record, json.dumps({"key": self.prefix + key, "size": size, "part": self.part_bytes,
                                              "upload_id": upload["UploadId"]}))
        return str(upload["UploadId"]), {}

    def _put_parts(self, key: str, size: int, path: Path) -> None:
        for attempt in range(2):
            upload_id, done = self._resume(key, size)
            parts = []
            with open(path, "rb") as fh:
                number = 0
                while True:
                    chunk = fh.read(self.part_bytes)
                    if not chunk:
                        break
                    number += 1
                    etag = f'"{hashlib.md5(chunk, usedforsecurity=False).hexdigest()}"'
                    if done.get(number) != etag:
                        answer = self._call(self.client.upload_part, Key=self.prefix + key, UploadId=upload_id,
                                            PartNumber=number, Body=chunk)
                        etag = str(answer["ETag"])
                        self.counters.sent += len(chunk)
                    parts.append({"PartNumber": number, "ETag": etag})
            try:
                self._call(self.client.complete_multipart_upload, Key=self.prefix + key, UploadId=upload_id,
                           MultipartUpload={"Parts": parts})
            except (SyncError, ObjectMissing):
                self._upload_record(key).unlink(missing_ok=True)
                if attempt:
                    raise
                continue  # the server lost that upload: once more from the start
            self._upload_record(key).unlink(missing_ok=True)
            return

    def erase_objects(self, hashes: set[str]) -> int:
        present = sorted(self.has_objects(sorted(hashes)))
        for i in range(0, len(present), 1000):
            keys = [{"Key": f"{self.prefix}objects/{h[:2]}/{h[2:]}"} for h in present[i:i + 1000]]
            self._call(self.client.delete_objects, Delete={"Objects": keys, "Quiet": True})
        if self._listing is not None:
            self._listing -= set(present)
        return len(present)

    def close(self) -> None:
        self.client.close()
