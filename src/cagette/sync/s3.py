"""A prefix in an S3-compatible bucket as a remote (boto3, path addressing).

``s3://bucket/prefix`` holds the library's synced part under ``prefix/``:
``log/<site>.jsonl`` (each with ``x-amz-meta-sha256`` and ``-lines``) and
``objects/ab/cdef…``. The endpoint comes from ``--endpoint`` or
``[sync] s3_endpoint``; credentials from the standard AWS variables
(``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, profiles...). A bucket has
no site of its own and computes nothing: a log we extend is read, checked and
written back whole (S3 has no append), and what we read from it is checked
here exactly as from any peer. Objects are read with ranged GETs, so a broken
transfer resumes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from cagette.errors import SyncError
from cagette.i18n import _
from cagette.sync.base import CHUNK, ObjectMissing, Remote
from cagette.sync.plan import HASH_RE, LogInfo, SideState, check_hash, check_site_id


def split_s3_url(url: str) -> tuple[str, str]:
    rest = url[len("s3://"):]
    bucket, _sep, prefix = rest.partition("/")
    prefix = prefix.strip("/")
    if len(bucket) < 3 or any(p in ("..", ".") for p in prefix.split("/")):
        raise SyncError(_("{url} is not a valid S3 address.").format(url=url),
                        _("Write it s3://bucket/prefix (a bucket name has at least 3 characters)."))
    return bucket, (prefix + "/" if prefix else "")


class S3Remote(Remote):
    def __init__(self, url: str, endpoint: str | None = None, region: str = "us-east-1",
                 timeout_s: float = 30.0) -> None:
        import boto3
        from botocore.config import Config

        super().__init__()
        self.name = url
        self.bucket, self.prefix = split_s3_url(url)
        config = Config(s3={"addressing_style": "path"}, connect_timeout=timeout_s, read_timeout=timeout_s,
                        retries={"max_attempts": 2}, request_checksum_calculation="when_required",
                        response_checksum_validation="when_required")
        session = boto3.session.Session()  # fresh: credentials are read from the environment now
        self.client = session.client("s3", endpoint_url=endpoint or None, region_name=region or None,
                                     config=config)
        self._logs: dict[str, bytes] = {}
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
            if code in ("NoSuchKey", "404", "NotFound"):
                raise ObjectMissing(kwargs.get("Key", "")) from exc
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

    # the interface -------------------------------------------------------------
    def state(self, known: Mapping[str, int]) -> SideState:
        from cagette.library.log import site_of_log

        logs: dict[str, LogInfo] = {}
        where = _(" in {url}").format(url=self.name)
        for key, size in self._keys("log/"):
            name = key[len("log/"):]
            site = site_of_log(name)
            if site is None:
                raise SyncError(
                    _("Refused {url}: it holds {key!r}, which is not a log.").format(url=self.name, key=key),
                    _("Remove that key from the bucket; nothing was changed here."),
                )
            check_site_id(site, where)
            if size > known.get(site, -1):
                data = self._get(key)["Body"].read()
                self.counters.received += len(data)
                data = data[: data.rfind(b"\n") + 1]
                self._logs[site] = data
                mine = known.get(site)
                logs[site] = LogInfo(site, len(data), data.count(b"\n"), hashlib.sha256(data).hexdigest(),
                                     mine if mine is not None and mine < len(data) else None,
                                     hashlib.sha256(data[:mine]).hexdigest()
                                     if mine is not None and mine < len(data) else None)
            else:
                head = self._call(self.client.head_object, Key=self.prefix + key)
                meta = head.get("Metadata", {})
                try:
                    logs[site] = LogInfo(site, int(head["ContentLength"]), int(meta["lines"]), str(meta["sha256"]))
                except (KeyError, ValueError):
                    data = self._get(key)["Body"].read()
                    self.counters.received += len(data)
                    data = data[: data.rfind(b"\n") + 1]
                    self._logs[site] = data
                    logs[site] = LogInfo(site, len(data), data.count(b"\n"), hashlib.sha256(data).hexdigest())
        return SideState(None, logs, None)

    def read_log(self, site: str, start: int, end: int) -> bytes:
        check_site_id(site)
        data = self._logs.get(site)
        if data is None:
            from cagette.library.log import log_name

            data = self._get("log/" + log_name(site))["Body"].read()
            self.counters.received += len(data)
            self._logs[site] = data
        return data[start:end]

    def append_log(self, site: str, start: int, data: bytes) -> None:
        from cagette.library.log import log_name

        check_site_id(site)
        key = "log/" + log_name(site)
        try:
            current = self._get(key)["Body"].read()
            self.counters.received += len(current)
        except ObjectMissing:
            current = b""
        current = current[: current.rfind(b"\n") + 1]
        if len(current) != start:
            raise SyncError(
                _("The log {site} in {url} changed during the sync.").format(site=site, url=self.name),
                _("Run the sync again."),
            )
        whole = current + data
        self._call(self.client.put_object, Key=self.prefix + key, Body=whole,
                   Metadata={"sha256": hashlib.sha256(whole).hexdigest(), "lines": str(whole.count(b"\n"))})
        self.counters.sent += len(whole)
        self._logs[site] = whole

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
        check_hash(digest)
        body = self._get(f"objects/{digest[:2]}/{digest[2:]}", offset)["Body"]
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
        with open(path, "rb") as fh:
            self._call(self.client.put_object, Key=f"{self.prefix}objects/{digest[:2]}/{digest[2:]}", Body=fh,
                       ContentLength=size)
        self.counters.sent += size
        if self._listing is not None:
            self._listing.add(digest)

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
