"""Libraries syncing through ``cagette serve`` on 127.0.0.1, for real."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cagette.errors import SyncError
from cagette.library.library import Library
from cagette.sync.apply import sync
from cagette.sync.http import HttpRemote
from cagette.sync.local import LocalLibrary
from cagette.sync.plan import Direction
from cagette.sync.server import ServeConfig, build_app
from cagette.sync.serving import ServerThread
from tests.conftest import run_cli
from tests.library.peer_helpers import cut_transfer, on_file_batches, serve
from tests.library.sync_helpers import files, fingerprint, local, make_library, objects, snapshot, titles


def test_two_and_three_libraries_through_serve(tmp_path: Path) -> None:
    make_library(tmp_path / "hub", "Hub", 2)
    make_library(tmp_path / "a", "A", 2)
    make_library(tmp_path / "b", "B", 1, size=2 * 1024 * 1024)  # a large one travels alone
    with serve(tmp_path / "hub", write_token="w") as srv:
        for _round in range(2):
            for n in ("a", "b"):
                with HttpRemote(srv.url + "?token=w") as r:
                    sync(local(tmp_path / n), r)
        with HttpRemote(srv.url, token="w") as r:
            again = sync(local(tmp_path / "a"), r)
            assert again.plan.empty
    assert fingerprint(tmp_path / "a") == fingerprint(tmp_path / "b") == fingerprint(tmp_path / "hub")
    assert objects(tmp_path / "a") == objects(tmp_path / "b") == objects(tmp_path / "hub")
    assert len(titles(tmp_path / "b")) == 5


def test_read_only_by_default_and_tokens(tmp_path: Path) -> None:
    make_library(tmp_path / "hub", "Hub", 1)
    make_library(tmp_path / "a", "A", 1)
    with serve(tmp_path / "hub") as srv:
        with HttpRemote(srv.url) as r:  # pulling from a read-only peer works
            sync(local(tmp_path / "a"), r, Direction.PULL)
        assert len(titles(tmp_path / "a")) == 2
        before = snapshot(tmp_path / "hub")
        with pytest.raises(SyncError, match="read-only"), HttpRemote(srv.url) as r:
            sync(local(tmp_path / "a"), r, Direction.PUSH)
        assert snapshot(tmp_path / "hub") == before and r.counters.requests == 1  # the state, then nothing
    with serve(tmp_path / "hub", read_token="r", write_token="w") as srv:
        with pytest.raises(SyncError, match="refused access"), HttpRemote(srv.url) as r:
            sync(local(tmp_path / "a"), r, Direction.PULL)
        with pytest.raises(SyncError, match="takes no writes from here"), HttpRemote(srv.url, token="r") as r:
            sync(local(tmp_path / "a"), r, Direction.PUSH)  # a read token: refused before anything moves
        os.environ["CAGETTE_TOKEN"] = "w"
        try:
            with HttpRemote(srv.url) as r:
                sync(local(tmp_path / "a"), r)
        finally:
            del os.environ["CAGETTE_TOKEN"]
        assert httpx.get(srv.url + "/api/info").status_code == 401
        assert httpx.get(srv.url + "/api/info?token=r").json()["cagette"] == 1
    assert fingerprint(tmp_path / "a") == fingerprint(tmp_path / "hub")


def test_log_lines_pushed_in_pieces_each_start_at_their_line_number(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A push sends a log in pieces (8 MB each; 1 kB here): each piece names the lines before it, not
    the bytes (logs are addressed by line numbers), and the peer ends with every line, in order."""
    from cagette.sync import http

    monkeypatch.setattr(http, "LOG_PIECE", 1024)
    a = make_library(tmp_path / "a", "A", 12)
    Library.create(tmp_path / "hub", "Hub")
    with serve(tmp_path / "hub", write_token="w") as srv, HttpRemote(srv.url, token="w") as r:
        sync(local(tmp_path / "a"), r, Direction.PUSH)
        sent = a.read_site(a.site_id()).lines
        assert r.counters.requests >= 2 + sum(map(len, sent)) // 1024  # several pieces went
    assert Library.open(tmp_path / "hub").read_site(a.site_id()).lines == sent
    assert titles(tmp_path / "hub") == titles(tmp_path / "a")


def test_sizes_are_capped(tmp_path: Path) -> None:
    Library.create(tmp_path / "hub", "Hub")
    with serve(tmp_path / "hub", write_token="w", max_object_bytes=1000) as srv:
        digest = "ab" * 32
        r = httpx.put(f"{srv.url}/api/upload/{digest}?offset=0&size=5000&token=w", content=b"x" * 5000)
        assert r.status_code == 413
        r = httpx.put(f"{srv.url}/api/upload/{digest}?offset=0&size=10&token=w", content=b"x" * 50)
        assert r.status_code == 413
        r = httpx.put(f"{srv.url}/api/upload/{digest}?offset=0&size=10&token=w", content=b"x" * 10)
        assert r.status_code == 409 and "hash" in r.json()["error"]  # a wrong hash is never published
        r = httpx.post(f"{srv.url}/api/state", content=b"{" * (33 * 1024 * 1024))
        assert r.status_code == 400
    assert objects(tmp_path / "hub") == set()


def test_an_upload_resumes_at_its_offset(tmp_path: Path) -> None:
    size = 2 * 1024 * 1024
    make_library(tmp_path / "a", "A", 1, size=size)
    Library.create(tmp_path / "hub", "Hub")
    (digest,) = files(tmp_path / "a")
    data = Library.open(tmp_path / "a").objects.path(digest).read_bytes()
    with serve(tmp_path / "hub", write_token="w") as srv:
        url = f"{srv.url}/api/upload/{digest}"
        r = httpx.put(url, params={"offset": 0, "size": size, "token": "w"}, content=data[:700_000])
        assert r.status_code == 202 and r.json()["offset"] == 700_000
        assert httpx.get(url, params={"token": "w"}).json()["offset"] == 700_000
        with HttpRemote(srv.url, token="w") as r2:
            sync(local(tmp_path / "a"), r2, Direction.PUSH)
            assert size - 700_000 <= r2.counters.sent < size
    assert files(tmp_path / "hub") == {digest}


def test_small_objects_are_pushed_many_to_a_request_and_checked_by_the_peer(tmp_path: Path) -> None:
    make_library(tmp_path / "a", "A", 40, size=700)
    Library.create(tmp_path / "hub", "Hub")
    with serve(tmp_path / "hub", write_token="w") as srv, HttpRemote(srv.url, token="w") as r:
        done = sync(local(tmp_path / "a"), r, Direction.PUSH)
        pushed = done.plan.to_dict()["push"]["objects"]
        assert pushed == 80  # 40 files and their 40 descriptive objects...
        assert r.counters.requests <= 4  # ...in one upload (state, the log lines, the batch, then at most one more)
    assert objects(tmp_path / "hub") == objects(tmp_path / "a") and titles(tmp_path / "hub") == titles(tmp_path / "a")
    assert Library.open(tmp_path / "hub").fsck().clean


def _batch_upload(url: str, body: bytes, token: str = "w") -> httpx.Response:
    return httpx.post(f"{url}/api/upload-batch", params={"token": token}, content=body)


@pytest.mark.parametrize(("body", "status", "error"), [
    (b"12x\n" + b"a" * 12, 400, "Malformed batch upload"),
    (b"100\n" + b"a" * 50, 400, "cut short"),
    (b"%d\n" % (2 * 1024 * 1024) + b"a" * 10, 400, "too large"),
    (b"5\nhello" + b"4\n" + b"x" * (2 * 1024 * 1024), 413, "too large"),
])
def test_a_hostile_batch_upload_is_refused_and_stores_nothing(tmp_path: Path, body: bytes, status: int,
                                                              error: str) -> None:
    make_library(tmp_path / "hub", "Hub", 1)
    before, objects_before = snapshot(tmp_path / "hub"), objects(tmp_path / "hub")
    with serve(tmp_path / "hub", write_token="w", max_request_bytes=1024 * 1024) as srv:
        answer = _batch_upload(srv.url, body)
        assert answer.status_code == status and error in answer.json()["error"]
        assert _batch_upload(srv.url, b"5\nhello", token="r").status_code == 401  # a write needs the write token
        assert snapshot(tmp_path / "hub") == before
        ok = _batch_upload(srv.url, b"5\nhello")  # the control
    assert ok.status_code == 201 and ok.json()["stored"] == 1
    assert ok.json()["sha256"] == hashlib.sha256(hashlib.sha256(b"hello").digest()).hexdigest()
    assert objects(tmp_path / "hub") == {*objects_before, hashlib.sha256(b"hello").hexdigest()}


def test_a_peer_that_stores_other_objects_than_it_was_sent_is_caught(tmp_path: Path) -> None:
    from starlette.responses import JSONResponse

    from tests.library.peer_helpers import app_for, hostile

    make_library(tmp_path / "a", "A", 3)
    Library.create(tmp_path / "hub", "Hub")

    async def liar(request: Any) -> Any:
        await request.body()
        return JSONResponse({"stored": 6, "sha256": "0" * 64}, status_code=201)

    app = hostile(app_for(tmp_path / "hub", write_token="w"), "/api/upload-batch", liar, ("POST",))
    with ServerThread(app) as srv, HttpRemote(srv.url, token="w") as r, \
            pytest.raises(SyncError, match="did not store the 6 objects it was sent") as info:
        sync(local(tmp_path / "a"), r, Direction.PUSH)
    assert info.value.hint
    assert titles(tmp_path / "hub") == []  # no line points at objects the peer may not hold


def test_a_peer_without_batch_uploads_takes_them_one_by_one(tmp_path: Path) -> None:
    from starlette.responses import JSONResponse

    from tests.library.peer_helpers import app_for, hostile

    make_library(tmp_path / "a", "A", 3)
    Library.create(tmp_path / "hub", "Hub")

    async def absent(request: Any) -> Any:
        return JSONResponse({"error": "Not Found"}, status_code=404)

    app = hostile(app_for(tmp_path / "hub", write_token="w"), "/api/upload-batch", absent, ("POST",))
    with ServerThread(app) as srv, HttpRemote(srv.url, token="w") as r:
        sync(local(tmp_path / "a"), r, Direction.PUSH)
    assert objects(tmp_path / "hub") == objects(tmp_path / "a") and len(titles(tmp_path / "hub")) == 3


def test_a_download_resumes_with_http_range(tmp_path: Path) -> None:
    size = 2 * 1024 * 1024
    digest, part = cut_transfer(tmp_path, size, 1_500_000)
    with serve(tmp_path / "hub") as srv, HttpRemote(srv.url) as r:
        sync(local(tmp_path / "b"), r, Direction.PULL)
        assert r.counters.received < size - 1_500_000 + 10_000
    assert files(tmp_path / "b") == {digest} and not part.exists()


# -- hostile peers -------------------------------------------------------------------

def _fake_peer(routes: dict[str, Any]) -> ServerThread:
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    def make(value: Any) -> Any:
        async def handler(request: Any) -> Any:
            v = value(request) if callable(value) else value
            return v if isinstance(v, Response) else JSONResponse(v)
        return handler

    return ServerThread(Starlette(routes=[Route(p, make(v), methods=["GET", "POST", "PUT"])
                                          for p, v in routes.items()]))


def _evil_line() -> tuple[str, bytes]:
    """The first line of a real library's log: signed by its own key."""
    import tempfile

    lib = Library.create(Path(tempfile.mkdtemp(prefix="evil-")), "Evil")
    site = lib.site_id()
    return site, lib.read_site(site).lines[0]


SITE, LINE = _evil_line()


def _state(logs: dict[str, bytes], site: str = "bbbbbbbb-0000-4000-8000-000000000002",
           head: str | None = None) -> dict[str, Any]:
    from cagette.library.log import line_hash

    return {"cagette": 1, "site_id": site, "objects_digest": None,
            "logs": {s: {"size": len(d), "lines": d.count(b"\n"),
                         "sha256": head or line_hash(d.splitlines(keepends=True)[-1])}
                     for s, d in logs.items()}}


HOSTILE: dict[str, tuple[dict[str, Any], str]] = {
    "path traversal in a log name": ({"/api/state": {**_state({}), "logs": {"../../../etc/passwd": {
        "size": 3, "lines": 1, "sha256": "0" * 64}}}}, "not a valid site id"),
    "malformed log line": ({"/api/state": _state({SITE: b"{oops\n"}),
                            f"/api/log/{SITE}": lambda rq: _raw(b"{oops\n")}, "malformed line"),
    "lines for our own site": ({"/api/state": lambda rq: _state({_own(rq): OWN["log"] + LINE}),
                                "/api/log/{site}": lambda rq: _raw(LINE)}, "refused"),
    "a log that is not what it announced": ({"/api/state": _state({SITE: LINE}, head="0" * 64),
                                             f"/api/log/{SITE}": lambda rq: _raw(LINE)},
                                            "does not match the hash"),
    "a short log": ({"/api/state": _state({SITE: LINE}), f"/api/log/{SITE}": lambda rq: _raw(LINE[:20])},
                    "lines of the log"),
    "malformed state": ({"/api/state": {"logs": [1, 2]}}, "malformed state"),
    "not a cagette peer": ({"/api/state": lambda rq: _raw(b"<html>hello</html>")}, "not JSON"),
}

OWN: dict[str, Any] = {}


def _own(request: Any) -> str:
    return OWN["site"]


def _raw(data: bytes) -> Any:
    from starlette.responses import Response

    return Response(data, media_type="application/octet-stream")


@pytest.mark.parametrize("attack", sorted(HOSTILE))
def test_a_hostile_peer_is_refused_and_nothing_changes(tmp_path: Path, attack: str) -> None:
    lib = make_library(tmp_path / "b", "B", 1)
    OWN["site"] = lib.site_id()
    OWN["log"] = b"".join(lib.read_site(lib.site_id()).lines)  # type: ignore[assignment]
    before = snapshot(tmp_path / "b")
    routes, message = HOSTILE[attack]
    with _fake_peer(routes) as srv, pytest.raises(SyncError, match=message) as info, HttpRemote(srv.url) as r:
        sync(local(tmp_path / "b"), r, Direction.PULL)
    assert info.value.hint
    assert snapshot(tmp_path / "b") == before


@pytest.mark.parametrize("attack", ["wrong hash", "truncated", "oversized", "malformed batch"])
def test_hostile_objects_over_http_are_refused(tmp_path: Path, attack: str) -> None:
    make_library(tmp_path / "src", "Src", 1, size=500)
    Library.create(tmp_path / "b", "B")
    src = LocalLibrary(tmp_path / "src", ours=True)
    (digest,) = files(tmp_path / "src")
    real = src.object_path(digest).read_bytes()  # type: ignore[union-attr]
    body = {"wrong hash": real[:-1] + b"!", "truncated": real[:-50], "oversized": real + b"+++"}.get(attack, real)
    expected = {"malformed batch": "malformed", "wrong hash": "bad copy", "truncated": "announced 450 bytes",
                "oversized": "announced 503 bytes"}[attack]
    header = b"12x\n" if attack == "malformed batch" else f"{len(body)}\n".encode()
    app = build_app(src, ServeConfig())
    from starlette.routing import Route

    async def evil_batch(request: Any) -> Any:
        return _raw(header + body)

    app.router.routes.insert(0, Route("/api/objects/batch", on_file_batches(tmp_path / "src", evil_batch),
                                      methods=["POST"]))
    before = snapshot(tmp_path / "b")
    with ServerThread(app) as srv, pytest.raises(SyncError) as info, HttpRemote(srv.url) as r:
        sync(local(tmp_path / "b"), r, Direction.PULL)
    assert info.value.hint
    assert expected in info.value.message
    assert snapshot(tmp_path / "b") == before


def test_a_peer_that_stalls_is_given_up(tmp_path: Path) -> None:
    Library.create(tmp_path / "b", "B")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(5)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        sock.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
                held.append(conn)  # read nothing, answer nothing
            except OSError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    before = snapshot(tmp_path / "b")
    try:
        with pytest.raises(SyncError, match=r"did not answer within 0\.5 s"), \
                HttpRemote(f"http://127.0.0.1:{sock.getsockname()[1]}", timeout_s=0.5) as r:
            sync(local(tmp_path / "b"), r)
    finally:
        stop.set()
        t.join()
        for c in held:
            c.close()
        sock.close()
    assert len(held) == 1  # one connection, given up, never retried
    assert snapshot(tmp_path / "b") == before


def test_no_peer_at_all(tmp_path: Path) -> None:
    Library.create(tmp_path / "b", "B")
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    with pytest.raises(SyncError, match="Cannot reach"), HttpRemote(f"http://127.0.0.1:{port}") as r:
        sync(local(tmp_path / "b"), r)


# -- the real command ------------------------------------------------------------------------

@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    make_library(tmp_path / "hub", "Hub", 2)
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cagette", "--library", str(tmp_path / "hub"), "serve", "--port", str(port),
         "--write-token", "secret-w"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ), start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/api/info", timeout=0.5)
                break
            except httpx.HTTPError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(proc.stderr.read() if proc.stderr else "serve did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", tmp_path
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_cagette_serve_and_cagette_sync(served: tuple[str, Path]) -> None:
    url, tmp_path = served
    make_library(tmp_path / "a", "A", 1)
    push = run_cli("--library", str(tmp_path / "a"), "sync", url + "?token=secret-w", "--json")
    assert push.returncode == 0, push.stderr
    result = json.loads(push.stdout)
    # two files and their titles come, one file and its title go (the titles pulled came with the lines)
    assert result["plan"]["pull"]["objects"] == 2 and result["plan"]["push"]["objects"] == 1 + 1
    assert httpx.get(url + "/api/info?token=secret-w").json()["writable"] is True
    assert httpx.get(url + "/api/info").json()["writable"] is False  # what this request's token may do
    assert len(titles(tmp_path / "a")) == 3
    make_library(tmp_path / "c", "C", 1)
    ro = run_cli("--library", str(tmp_path / "c"), "sync", url, "--push")
    assert ro.returncode == 1 and "token" in ro.stderr.lower()
    lan = run_cli("serve", "--lan", "--port", "0", "--write-token", "w", env={"CAGETTE_TOKEN": ""})
    assert lan.returncode == 2 and "--lan needs a read token" in lan.stderr, lan.stderr
    assert "Traceback" not in lan.stderr


def test_a_two_way_sync_with_a_read_only_peer_pulls_and_says_the_push_was_not_allowed(tmp_path: Path) -> None:
    make_library(tmp_path / "hub", "Hub", 2)
    make_library(tmp_path / "a", "A", 1)
    hub_before = snapshot(tmp_path / "hub")
    with serve(tmp_path / "hub") as srv:  # the default: read-only
        done = run_cli("--library", str(tmp_path / "a"), "sync", srv.url)
        assert done.returncode == 0, done.stderr
        assert "takes no writes from here (read-only): nothing was sent." in done.stdout
        again = run_cli("--library", str(tmp_path / "a"), "sync", srv.url, "--json")
    assert again.returncode == 0, again.stderr
    result = json.loads(again.stdout)
    assert result["plan"]["pull"]["objects"] == 0 and result["plan"]["push"]["objects"] == 0  # all was applied
    assert "read-only" in result["push_refused"]
    assert len(titles(tmp_path / "a")) == 3 and snapshot(tmp_path / "hub") == hub_before
