"""Hostile peers, over a stick (a folder), HTTP and HTTPS, each written here for the attack it makes.

Every attack is refused with a one-line error naming its cause, leaves the library as it was (fsck
clean, ``library list --json`` identical, the same files), and the same peer minus the attack then
syncs (the control). The caps are set to a few MB so that the attacks stay small and fast.
"""

from __future__ import annotations

import asyncio
import gzip
import os
import re
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from cagette.errors import SyncError
from cagette.library.library import Library
from cagette.sync.apply import sync
from cagette.sync.base import CHUNK
from cagette.sync.folder import FolderRemote
from cagette.sync.http import HttpRemote
from cagette.sync.limits import MIB, Limits
from cagette.sync.plan import Direction
from cagette.sync.serving import ServerThread
from cagette.sync.tls import ensure_certificate
from tests.library.peer_helpers import Counted, app_for, hostile, observed, on_file_batches, serve
from tests.library.sync_helpers import add, local, make_library, objects, titles

pytestmark = pytest.mark.timeout(120)

LARGE = 2 * MIB
LIMITS = Limits(timeout_s=10.0, min_rate_bytes_s=1000, max_object_bytes=4 * MIB, max_response_bytes=2 * MIB,
                keep_free_bytes=0)
TRICKLE = replace(LIMITS, timeout_s=1.0)  # its window: a peer moving less than 1 kB while we wait 1 s is given up


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    """A hub holding a small (500 B) and a large (2 MiB) file, and an empty library B."""
    hub = make_library(tmp_path / "hub", "Hub", 1, size=500)
    add(hub, tmp_path, "Large", size=LARGE, seed="large")
    Library.create(tmp_path / "b", "B")
    local(tmp_path / "b")  # B has claimed its site (its first line), as any library that synced once
    return tmp_path / "hub", tmp_path / "b"


def large_hash(hub: Path) -> str:
    lib = Library.open(hub)
    return next(h for h in lib.objects if lib.objects.size(h) == LARGE)


def refused(b: Path, attempt: Callable[[], Any], cause: str) -> SyncError:
    """*attempt* raises a one-line SyncError matching *cause*, with a hint, and B is as it was."""
    before = observed(b)
    assert before["fsck_clean"]
    with pytest.raises(SyncError) as info:
        attempt()
    error = info.value
    assert re.search(cause, error.message), error.message
    assert error.hint and "\n" not in error.message
    assert observed(b) == before
    return error


def controlled(b: Path, hub: Path) -> None:
    """The control: the honest peer syncs, and B then holds what the hub holds."""
    assert titles(b) == titles(hub) and objects(b) == objects(hub)
    assert observed(b)["fsck_clean"]


def pull(b: Path, url: str, limits: Limits = LIMITS) -> Callable[[], Any]:
    def run() -> Any:
        with HttpRemote(url, limits=limits) as remote:
            return sync(local(b), remote, Direction.PULL)
    return run


# -- what hostile HTTP peers send ------------------------------------------------------------

@cache
def _bomb() -> bytes:
    return gzip.compress(b" " * (40 * MIB), 6)  # 40 MB of spaces in ~40 kB


def _raw(body: bytes, **headers: str) -> Any:
    from starlette.responses import Response

    return Response(body, headers=headers, media_type="application/octet-stream")


def _gzip_bomb(hub: Path) -> Callable[[Any], Any]:
    bomb = _bomb()

    async def handler(request: Any) -> Any:
        return _raw(bomb, **{"content-encoding": "gzip"})
    return handler


async def _huge_batch_header(request: Any) -> Any:
    from starlette.responses import StreamingResponse

    async def body() -> Any:  # streamed: no Content-Length to give it away before the header
        yield b"1000000000000\n"
        while True:
            await asyncio.sleep(0.01)  # (a peer that never awaits would keep the test server from stopping)
            yield b"x" * CHUNK
    return StreamingResponse(body())


def _trickle(first: bytes = b"") -> Callable[[Any], Any]:
    async def handler(request: Any) -> Any:
        from starlette.responses import StreamingResponse

        async def body() -> Any:
            if first:
                yield first
            while True:  # one byte every 50 ms, for ever: a per-read timeout never fires
                await asyncio.sleep(0.05)
                yield b" "
        return StreamingResponse(body(), media_type="application/json")
    return handler


def _longer_object(hub: Path) -> Callable[[Any], Any]:
    data = Library.open(hub).objects.path(large_hash(hub)).read_bytes()

    async def handler(request: Any) -> Any:
        return _raw(data + b"+" * MIB)
    return handler


HTTP_ATTACKS: dict[str, tuple[str, Callable[[Path], Callable[[Any], Any]], str]] = {
    "gzip bomb as the state": ("/api/state", _gzip_bomb,
                               r"sent more than 2\.1 MB in one answer \(once decompressed\)"),
    "gzip bomb as a log": ("/api/log/{site}", _gzip_bomb, r"more than 2\.1 MB in one answer"),
    "a batch header announcing 10^12 bytes": ("/api/objects/batch",
                                              lambda hub: on_file_batches(hub, _huge_batch_header),
                                              r"announced 1000000000000 bytes for object \w+, where the plan "
                                              r"says 500"),
    "an object longer than its plan": ("/objects/{digest}", _longer_object,
                                       rf"sent more than the {LARGE} bytes of object"),
    "a peer trickling its state": ("/api/state", lambda hub: _trickle(),
                                   r"moved \d+ bytes in 1\.\d s, below the minimum of 1\.0 kB/s: given up"),
}


@pytest.mark.parametrize("scheme", ["http", "https"])
@pytest.mark.parametrize("attack", sorted(HTTP_ATTACKS))
def test_a_hostile_http_peer_is_refused_then_the_honest_one_syncs(pair: tuple[Path, Path], attack: str,
                                                                  scheme: str) -> None:
    hub, b = pair
    path, make, cause = HTTP_ATTACKS[attack]
    app = hostile(app_for(hub), path, make(hub))
    tls = ensure_certificate(hub, "hub-site") if scheme == "https" else None
    with ServerThread(app, tls=tls) as srv:
        remote = HttpRemote(srv.url, limits=TRICKLE if "trickling" in attack else LIMITS)

        def attempt() -> None:
            with remote:
                sync(local(b), remote, Direction.PULL)
        refused(b, attempt, cause)
        assert remote.counters.received <= LIMITS.max_response_bytes + LARGE + CHUNK  # bounded, not 40 MB
    with serve(hub, tls=tls) as srv:
        pull(b, srv.url)()
    controlled(b, hub)


def test_a_file_larger_than_the_cap_is_refused_before_anything_is_written(pair: tuple[Path, Path]) -> None:
    hub, b = pair
    small = replace(LIMITS, max_object_bytes=MIB)
    with serve(hub) as srv:
        refused(b, pull(b, srv.url, small), r"declares 2\.1 MB, more than the 1\.0 MB allowed")
        refused(b, lambda: _folder_pull(b, hub, small), r"declares 2\.1 MB, more than the 1\.0 MB allowed")
        pull(b, srv.url)()
    controlled(b, hub)


def _folder_pull(b: Path, stick: Path, limits: Limits = LIMITS) -> Any:
    with FolderRemote(stick, limits=limits) as remote:
        return sync(local(b), remote, Direction.PULL)


# -- HTTPS: the pinned certificate -------------------------------------------------------------

def test_a_peer_without_the_pinned_certificate_never_sees_the_token(pair: tuple[Path, Path], tmp_path: Path) -> None:
    hub, b = pair
    ours = ensure_certificate(hub, "hub-site")
    other = ensure_certificate(tmp_path / "elsewhere", "another-site")
    app = Counted(app_for(hub, read_token="r"))
    with ServerThread(app, tls=ours) as srv:
        base = f"https://127.0.0.1:{srv.port}"
        refused(b, pull(b, f"{base}?token=r&fp={other.fingerprint}"),
                rf"showed the certificate {ours.fingerprint}, not the pinned {other.fingerprint}")
        refused(b, pull(b, f"{base}?token=r"), r"is not trusted")
        assert app.paths == []  # no request, hence no token, ever reached it
        pull(b, f"{base}?token=r&fp={ours.fingerprint.lower().replace('-', '')}")()
        assert "/api/state" in app.paths
    controlled(b, hub)


# -- sticks ------------------------------------------------------------------------------------

def _stick(tmp_path: Path, hub: Path) -> Path:
    stick = tmp_path / "stick"
    with FolderRemote(stick) as remote:
        sync(local(hub), remote, Direction.PUSH)
    return stick


def _a_log_file(stick: Path) -> Path:
    return next(p for p in sorted((stick / "log").rglob("*")) if p.is_file())


def _swap(path: Path, make: Callable[[Path], None]) -> Callable[[], None]:
    """Replace *path* by what *make* makes there; return how to put the original back."""
    saved = path.with_name(path.name + ".saved")
    os.rename(path, saved)
    make(path)

    def restore() -> None:
        os.unlink(path)
        os.rename(saved, path)
    return restore


STICK_ATTACKS: dict[str, tuple[Callable[[Path, Path], Callable[[], None]], str]] = {
    "a FIFO named like a log": (lambda stick, hub: _swap(_a_log_file(stick), os.mkfifo),
                                r"Refused .*log.*: it is a special file"),
    "a FIFO named like the library file": (lambda stick, hub: _swap(stick / "library.json", os.mkfifo),
                                           r"Refused .*library\.json: it is a special file"),
    "a log larger than the cap": (lambda stick, hub: _swap(_a_log_file(stick), lambda p: p.write_bytes(
        p.with_name(p.name + ".saved").read_bytes() + b"\n" * (3 * MIB))), r"more than the 2\.1 MB a log may have"),
    "an object longer than its plan": (lambda stick, hub: _swap(
        Library.open(stick).objects.path(large_hash(hub)), lambda p: p.write_bytes(b"+" * (3 * MIB))),
        rf"sent more than the {LARGE} bytes of object"),
}


@pytest.mark.parametrize("attack", sorted(STICK_ATTACKS))
def test_a_hostile_stick_is_refused_at_once_then_the_honest_one_syncs(pair: tuple[Path, Path], tmp_path: Path,
                                                                       attack: str) -> None:
    hub, b = pair
    stick = _stick(tmp_path, hub)
    make, cause = STICK_ATTACKS[attack]
    restore = make(stick, hub)
    refused(b, lambda: _folder_pull(b, stick), cause)
    restore()
    _folder_pull(b, stick)
    controlled(b, hub)


AFTER_INSPECTION: dict[str, tuple[Callable[[Path], None], str]] = {
    "a FIFO": (os.mkfifo, r"log/\S+\.jsonl is not a plain file"),
    "a segment larger than the cap": (lambda p: p.write_bytes(p.with_name(p.name + ".saved").read_bytes() + b"\n"
                                                              * (3 * MIB)), r"Refused .*log.*: \d+ bytes, more than"),
}


@pytest.mark.parametrize("attack", sorted(AFTER_INSPECTION))
def test_a_segment_swapped_after_the_stick_was_looked_over_is_refused_not_waited_on(
        pair: tuple[Path, Path], tmp_path: Path, attack: str) -> None:
    """The stick passes its inspection, then a segment becomes a FIFO (or grows past the cap) before the
    sync reads it: the read itself refuses it (a FIFO is never opened for reading, nothing blocks)."""
    hub, b = pair
    stick = _stick(tmp_path, hub)
    make, cause = AFTER_INSPECTION[attack]
    remote = FolderRemote(stick, limits=LIMITS)  # looked over now: plain files only
    restore = _swap(_a_log_file(stick), make)

    def attempt() -> None:
        with remote:
            sync(local(b), remote, Direction.PULL)
    refused(b, attempt, cause)
    restore()
    _folder_pull(b, stick)
    controlled(b, hub)
