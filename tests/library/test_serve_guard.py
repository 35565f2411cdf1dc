"""``cagette serve`` against hostile clients: a rebinding page, slow headers, a slow body, too many
connections, a LAN listener without a read token, and large objects streamed from disk (peak memory
measured, with counts). Each attack is refused or cut off, the served library is unchanged, and the
same request made honestly is answered (the control)."""

from __future__ import annotations

import json
import os
import re
import select
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from cagette.errors import SyncError, UsageError
from cagette.library.library import Library
from cagette.sync import pins
from cagette.sync.apply import sync
from cagette.sync.http import HttpRemote
from cagette.sync.plan import Direction
from cagette.sync.server import ServeConfig
from cagette.sync.serving import check_exposure
from tests.conftest import run_cli
from tests.library.peer_helpers import RawClient, free_port, observed, serve
from tests.library.sync_helpers import add, local, make_library, titles

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def hub(tmp_path: Path) -> Path:
    make_library(tmp_path / "hub", "Hub", 1)
    return tmp_path / "hub"


def test_a_page_that_rebinds_its_name_to_this_peer_is_refused(hub: Path) -> None:
    before = observed(hub)
    with serve(hub, write_token="w") as srv:
        url = f"{srv.url}/api/log/{'a' * 8}-0000-4000-8000-000000000001?start=0&token=w"
        for host in ("evil.example", "evil.example:8470", "127.0.0.1.evil.example"):
            answer = httpx.post(url, content=b"{}\n", headers={"Host": host})
            assert answer.status_code == 400, host
            assert re.match(r"Refused the Host '[a-z0-9.]+': this peer answers to its address only\.",
                            answer.json()["error"])
        assert httpx.get(f"{srv.url}/api/info", headers={"Host": "evil.example"}).status_code == 400
        for host in (f"127.0.0.1:{srv.port}", f"localhost:{srv.port}", socket.gethostname()):  # the control
            assert httpx.get(f"{srv.url}/api/info", headers={"Host": host}).status_code == 200, host
    assert observed(hub) == before
    with serve(hub, allowed_hosts=("cagette.example",)) as srv:
        assert httpx.get(f"{srv.url}/api/info", headers={"Host": "cagette.example"}).status_code == 200


def _trickle_until_closed(client: RawClient, byte: bytes, most: int) -> int:
    """Send *byte* every 50 ms until the server closes the connection; how many were sent."""
    for sent in range(most):
        readable, _w, _x = select.select([client.sock], [], [], 0.05)
        if readable:
            return sent
        try:
            client.send(byte)
        except (BrokenPipeError, ConnectionResetError):
            return sent
    return most


def test_a_client_trickling_its_headers_is_cut_off(hub: Path) -> None:
    with serve(hub, timeout_s=0.5) as srv:
        slow = RawClient(srv.port)
        slow.send(b"GET /api/info HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        sent = _trickle_until_closed(slow, b"a", 400)
        assert sent < 400, "the server waited for ever"  # closed after ~10 bytes (0.5 s), whatever the load
        assert slow.closed_by_server()
        slow.close()
        honest = RawClient(srv.port)  # the control: the same request, at once
        honest.send(b"GET /api/info HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a\r\n\r\n")
        assert honest.answer().startswith(b"HTTP/1.1 200")
        honest.close()


def test_a_client_trickling_its_body_gets_408(hub: Path) -> None:
    before = observed(hub)
    with serve(hub, timeout_s=0.5) as srv:
        slow = RawClient(srv.port)
        slow.send(b"POST /api/state HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 2000\r\n\r\n{")
        sent = _trickle_until_closed(slow, b" ", 1999)
        assert sent < 1999
        answer = slow.answer()
        assert answer.startswith(b"HTTP/1.1 408") and b"Too slow" in answer
        slow.close()
        assert httpx.post(f"{srv.url}/api/state", json={"known": {}}).status_code == 200  # the control
    assert observed(hub) == before


def test_a_push_the_peer_has_no_room_for_is_refused_there(tmp_path: Path) -> None:
    make_library(tmp_path / "hub", "Hub", 1)
    make_library(tmp_path / "a", "A", 1, size=5000)
    before = observed(tmp_path / "hub")
    full = serve(tmp_path / "hub", write_token="w", keep_free_bytes=10**18)  # a disk that is always full
    with full as srv, pytest.raises(SyncError, match="answered 507: Not enough free space on this peer"), \
            HttpRemote(srv.url, token="w") as r:
        sync(local(tmp_path / "a"), r, Direction.PUSH)
    assert observed(tmp_path / "hub") == before
    with serve(tmp_path / "hub", write_token="w") as srv, HttpRemote(srv.url, token="w") as r:  # the control
        sync(local(tmp_path / "a"), r, Direction.PUSH)
    assert len(titles(tmp_path / "hub")) == 2


@pytest.mark.slow
def test_a_client_reading_an_object_too_slowly_is_cut_off(tmp_path: Path) -> None:
    size = 16 * 1024 * 1024
    lib = make_library(tmp_path / "hub", "Hub", 1, size=100)
    add(lib, tmp_path, "Large", size=size, seed="large")
    (digest,) = [h for h in lib.objects if lib.objects.size(h) == size]
    with serve(tmp_path / "hub", timeout_s=0.5, min_rate_bytes_s=1_000_000) as srv:
        slow = socket.socket()
        slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        slow.connect(("127.0.0.1", srv.port))
        slow.sendall(f"GET /objects/{digest} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        got = 0
        for _ in range(150):  # a kilobyte every 10 ms (~100 kB/s, below the 1 MB/s asked)...
            got += len(slow.recv(1024))
            time.sleep(0.01)
        slow.settimeout(10)
        while data := slow.recv(1 << 20):  # ...then all that is left, at once, until the server's close
            got += len(data)
        slow.close()
        assert got < size, "the slow reader got the whole object: it was never cut off"
        with httpx.stream("GET", f"{srv.url}/objects/{digest}") as answer:  # the control, read at once
            assert sum(len(c) for c in answer.iter_raw()) == size


def test_connections_beyond_the_cap_are_asked_to_come_back(hub: Path) -> None:
    with serve(hub, max_connections=3, timeout_s=60) as srv:
        idle = [RawClient(srv.port) for _ in range(3)]
        busy = httpx.get(f"{srv.url}/api/info")
        assert busy.status_code == 503
        for c in idle:
            c.close()
        answers = []
        for _ in range(200):  # the server notices the closed connections soon; count tries, not seconds
            answers.append(httpx.get(f"{srv.url}/api/info").status_code)
            if answers[-1] == 200:
                break
            time.sleep(0.02)
        assert answers[-1] == 200


def test_a_listener_beyond_loopback_needs_a_read_token() -> None:
    with pytest.raises(UsageError, match=r"Listening on 0\.0\.0\.0 needs a read token"):
        check_exposure("0.0.0.0", ServeConfig(write_token="w"))
    check_exposure("0.0.0.0", ServeConfig(read_token="r", write_token="w"))  # the control
    check_exposure("127.0.0.1", ServeConfig(write_token="w"))
    refused = run_cli("serve", "--lan", "--port", "0", "--write-token", "w", env={"CAGETTE_TOKEN": ""})
    assert refused.returncode == 2 and "--lan needs a read token" in refused.stderr, refused.stderr


def _vmhwm_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))  # type: ignore[union-attr]


@pytest.mark.slow
def test_batches_of_a_large_object_are_streamed_from_disk(tmp_path: Path) -> None:
    size = 30 * 1024 * 1024
    lib = make_library(tmp_path / "hub", "Hub", 1, size=100)
    add(lib, tmp_path, "Large", size=size, seed="large")
    (digest,) = [h for h in lib.objects if lib.objects.size(h) == size]
    small = next(h for h in lib.objects if h != digest)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "cagette", "--library", str(tmp_path / "hub"), "serve", "--port",
                             str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ))
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(400):
            try:
                httpx.get(url + "/api/info", timeout=1)
                break
            except httpx.HTTPError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                time.sleep(0.05)
        # warm up every code path with a small object, then measure three batches of the large one at once
        assert httpx.post(url + "/api/objects/batch", content=bytes.fromhex(small[:16])).status_code == 200
        baseline = _vmhwm_kb(proc.pid)
        received: list[int] = []

        def fetch() -> None:
            with httpx.Client(timeout=60) as client, client.stream(
                    "POST", url + "/api/objects/batch", content=bytes.fromhex(digest[:16])) as answer:
                received.append(sum(len(c) for c in answer.iter_raw(1024 * 1024)))

        threads = [threading.Thread(target=fetch) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        growth_mb = (_vmhwm_kb(proc.pid) - baseline) / 1024
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert received == [size + len(f"{size}\n")] * 3  # 90 MB went out...
    assert growth_mb < 12, f"the server's peak memory grew by {growth_mb:.1f} MB for 3 × 30 MB"  # ...a chunk at a time


def test_serve_tls_prints_a_fingerprint_that_sync_pins(tmp_path: Path) -> None:
    make_library(tmp_path / "hub", "Hub", 2)
    Library.create(tmp_path / "b", "B")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "cagette", "--library", str(tmp_path / "hub"), "serve", "--tls",
                             "--port", str(port), "--token", "r"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=dict(os.environ, CAGETTE_LANG="en"))
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        address = re.search(r"at (https://127\.0\.0\.1:\d+\?fp=[A-Z2-7-]{64})", line)
        assert address, line
        fingerprint = proc.stdout.readline()
        assert address.group(1).endswith(fingerprint.split("fingerprint: ")[1].split(" ")[0])
        bare = f"https://127.0.0.1:{port}?token=r"
        # a library that never saw the fingerprint refuses the certificate
        Library.create(tmp_path / "c", "C")
        wrong = run_cli("--library", str(tmp_path / "c"), "sync", bare)
        assert wrong.returncode == 1 and "is not trusted" in wrong.stderr
        done = run_cli("--library", str(tmp_path / "b"), "sync", address.group(1) + "&token=r")
        assert done.returncode == 0, done.stderr
        assert f"remembered for 127.0.0.1:{port}" in done.stderr
        # ...and once given, the address alone will do, with the same certificate checked
        again = run_cli("--library", str(tmp_path / "b"), "sync", bare)
        assert again.returncode == 0 and "fingerprint trusted" in again.stderr, again.stderr
        listed = run_cli("--library", str(tmp_path / "b"), "sync", "trusted", "--json")
        assert [(p["peer"], p["fingerprint"], p["address"]) for p in json.loads(listed.stdout)] == [
            (f"127.0.0.1:{port}", fingerprint.split("fingerprint: ")[1].split(" ")[0].strip(), f"127.0.0.1:{port}")]
        # a fingerprint trusted in the app that the peer no longer shows: refused, nothing synced
        pins.trust(tmp_path / "c", "site-of-the-hub", "-".join(["ABCD"] * 13), "Hub", f"127.0.0.1:{port}")
        changed = run_cli("--library", str(tmp_path / "c"), "sync", bare)
        assert changed.returncode == 1 and "is not trusted" not in changed.stderr, changed.stderr
        assert "not the pinned ABCD-ABCD" in changed.stderr and "no token was sent" in changed.stderr
        forgot = run_cli("--library", str(tmp_path / "b"), "sync", "trusted", "--forget", f"127.0.0.1:{port}")
        assert forgot.returncode == 0, forgot.stderr
        assert run_cli("--library", str(tmp_path / "b"), "sync", bare).returncode == 1
        unknown = run_cli("--library", str(tmp_path / "b"), "sync", "trusted", "--forget", "nobody")
        assert unknown.returncode == 2 and "nobody" in unknown.stderr
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert titles(tmp_path / "b") == titles(tmp_path / "hub")
