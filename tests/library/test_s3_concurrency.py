"""Buckets shared by several pushers at once, cut pushes and pulls, against SeaweedFS and moto.

The interleaving a bucket used to lose lines to is forced here: every pusher reads the bucket
(plans) before any of them writes (applies), and they carry one site's log at different
lengths — the shorter used to overwrite the longer. Each run counts the lines a fresh library
then pulls: every line any pusher held must be there.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cagette.errors import SyncError
from cagette.library.library import Library
from cagette.sync.apply import apply, prepare, sync
from cagette.sync.s3 import MIB, S3Remote
from tests.library.seaweed import S3Server
from tests.library.sync_helpers import add, files, local, make_library, titles

pytestmark = pytest.mark.slow
RUNS = 3


def _lines(path: Path) -> dict[str, int]:
    lib = Library.open(path)
    return {s: len(r.events) for s, r in lib.read_logs().items()}


def _world(root: Path, pushers: int, rnd: random.Random) -> list[Path]:
    """A shared site C whose log each pusher holds at its own length (some equal, at times), and each
    pusher's own lines: only lines (renames), no object — lines are what a bucket used to lose."""
    c = Library.create(root / "c", "C")
    c_lines = c.read_site(c.site_id()).lines
    for n in range(6):
        c.set_site_name(f"C {n}")
    c_lines = c.read_site(c.site_id()).lines
    paths = []
    for i in range(pushers):
        p = root / f"p{i}"
        lib = Library.create(p, f"P{i}")
        for n in range(rnd.randint(0, 3)):
            lib.set_site_name(f"P{i} {n}")
        lib.accept_log(c.site_id(), b"".join(c_lines[: rnd.choice((2, 4, 4, 7))]), 1)
        paths.append(p)
    return paths


@pytest.mark.parametrize("server_name", ["seaweedfs", "moto"])
@pytest.mark.parametrize("pushers", [2, 3])
def test_interleaved_pushers_lose_no_line(tmp_path: Path, s3_servers: dict[str, S3Server],
                                          use_s3: Callable[[S3Server], str], server_name: str,
                                          pushers: int) -> None:
    server = s3_servers[server_name]
    bucket = use_s3(server)
    lost = 0
    for run in range(RUNS):
        rnd = random.Random(f"{server_name}-{pushers}-{run}")
        root = tmp_path / f"run{run}"
        paths = _world(root, pushers, rnd)
        url = f"s3://{bucket}/run{run}"
        remotes = [S3Remote(url, endpoint=server.endpoint_url) for _p in paths]
        prepared = [prepare(local(p), r) for p, r in zip(paths, remotes, strict=True)]  # every read first
        order = list(range(pushers))
        rnd.shuffle(order)
        for i in order:  # then every write
            apply(local(paths[i]), remotes[i], prepared[i])
        for r in remotes:
            r.close()
        Library.create(root / "fresh", "Fresh")
        with S3Remote(url, endpoint=server.endpoint_url) as r:
            sync(local(root / "fresh"), r)
        got = _lines(root / "fresh")
        for p in paths:
            for site, n in _lines(p).items():
                lost += max(0, n - got.get(site, 0))
        assert Library.open(root / "fresh").fsck().clean
    assert lost == 0


class CutS3(S3Remote):
    """A bucket whose multipart uploads break after *parts* parts."""

    def __init__(self, *args: Any, parts: int = 1, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parts_left = parts
        self.uploaded = 0
        upload = self.client.upload_part

        def cut(**kw: Any) -> Any:
            if self.parts_left == 0:
                raise SyncError("network cut", "plug it back")
            self.parts_left -= 1
            self.uploaded += 1
            return upload(**kw)

        self.client.upload_part = cut  # type: ignore[method-assign]


@pytest.mark.parametrize("server_name", ["seaweedfs", "moto"])
def test_a_cut_multipart_push_resumes_and_a_lost_upload_never_blocks(
        tmp_path: Path, s3_servers: dict[str, S3Server], use_s3: Callable[[S3Server], str], server_name: str) -> None:
    server = s3_servers[server_name]
    bucket = use_s3(server)
    size = 11 * MIB + 12345  # three parts of 5 MiB (the least S3 takes), the last one short
    make_library(tmp_path / "a", "A", 1, size=size)
    url = f"s3://{bucket}/big"
    caps = {"endpoint": server.endpoint_url, "multipart_bytes": 6 * MIB, "part_bytes": 5 * MIB}
    with pytest.raises(SyncError, match="network cut"), CutS3(url, parts=1, **caps) as r:
        sync(local(tmp_path / "a"), r)
    with CutS3(url, parts=99, **caps) as r:  # resumes: only the two missing parts go up
        sync(local(tmp_path / "a"), r)
        assert r.uploaded == 2 and r.counters.sent < size
    Library.create(tmp_path / "b", "B")
    with S3Remote(url, endpoint=server.endpoint_url) as r:
        sync(local(tmp_path / "b"), r)
    assert files(tmp_path / "b") == files(tmp_path / "a") and titles(tmp_path / "b") == ["A 0"]
    # an upload the server no longer knows (aborted, expired) is started again, never a blocker
    c = make_library(tmp_path / "c", "C", 0)
    add(c, tmp_path, "C big", size=size, seed="other")
    url2 = f"s3://{bucket}/big2"
    with pytest.raises(SyncError, match="network cut"), CutS3(url2, parts=1, **caps) as r:
        sync(local(tmp_path / "c"), r)
    import json

    data = json.loads(next(r.uploads_dir.iterdir()).read_text())
    with S3Remote(url2, **caps) as r:
        r.client.abort_multipart_upload(Bucket=bucket, Key=data["key"], UploadId=data["upload_id"])
    with CutS3(url2, parts=99, **caps) as r:
        sync(local(tmp_path / "c"), r)
        assert r.uploaded == 3
    assert not list(r.uploads_dir.iterdir())


@pytest.mark.parametrize("server_name", ["seaweedfs", "moto"])
def test_a_pull_killed_after_its_last_byte_does_not_fail_later(
        tmp_path: Path, s3_servers: dict[str, S3Server], use_s3: Callable[[S3Server], str], server_name: str) -> None:
    server = s3_servers[server_name]
    bucket = use_s3(server)
    make_library(tmp_path / "a", "A", 1, size=2 * MIB)
    url = f"s3://{bucket}/killed"
    with S3Remote(url, endpoint=server.endpoint_url) as r:
        sync(local(tmp_path / "a"), r)
    Library.create(tmp_path / "b", "B")
    (digest,) = files(tmp_path / "a")
    part = tmp_path / "b" / "local" / "sync-partial" / f"{digest}.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(Library.open(tmp_path / "a").objects.path(digest).read_bytes())  # every byte, not yet published
    for _again in range(2):
        with S3Remote(url, endpoint=server.endpoint_url) as r:
            sync(local(tmp_path / "b"), r)
    assert files(tmp_path / "b") == {digest} and not part.exists() and titles(tmp_path / "b") == ["A 0"]
