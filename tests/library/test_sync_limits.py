"""The limits of a sync proven without waiting: an injected clock for time, counts for sizes, and a
real small file system (tmpfs in a private mount namespace) for free space; partial transfers kept,
resumed, counted and collected."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cagette.errors import SettingsError, SyncError
from cagette.library.library import Library
from cagette.sync.apply import sync
from cagette.sync.folder import FolderRemote
from cagette.sync.http import HttpRemote
from cagette.sync.limits import MIB, Limits, Pace, check_free_space
from cagette.sync.plan import Direction
from tests.conftest import run_cli
from tests.library.peer_helpers import cli_json, cut_transfer, observed, serve
from tests.library.sync_helpers import add, files, local, make_library, objects, titles


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_one_byte_every_one_and_a_half_seconds_does_not_defeat_a_timeout_of_three() -> None:
    clock = Clock()
    pace = Pace(Limits(timeout_s=3.0, min_rate_bytes_s=1000), "peer", clock)
    reads = 0
    with pytest.raises(SyncError, match=r"peer moved 2 bytes in 3\.0 s, below the minimum of 1\.0 kB/s") as info:
        for _ in range(1000):
            assert pace.timeout() <= 3.0  # no single read may wait longer than the silence allowed
            clock.now += 1.5
            pace.moved(1.5, 1)
            reads += 1
    assert reads == 1 and info.value.hint  # the second trickled byte is the last one taken


def test_time_not_spent_waiting_on_the_peer_is_not_its_fault_and_a_complete_answer_starts_afresh() -> None:
    clock = Clock()
    pace = Pace(Limits(timeout_s=3.0, min_rate_bytes_s=1000, deadline_s=10_000), "peer", clock)
    for _ in range(50):
        clock.now += 100.0  # hashing, writing, planning here
        clock.now += 1.0
        pace.moved(1.0, 2000)  # the peer itself is fast
    for _ in range(50):  # a peer that thinks 2.9 s, then answers 100 bytes in full
        clock.now += 2.9
        pace.moved(2.9, 100)
        pace.settle()


def test_the_deadline_bounds_the_whole_sync_and_every_wait() -> None:
    clock = Clock()
    pace = Pace(Limits(timeout_s=30.0, deadline_s=100.0), "peer", clock)
    clock.now += 90.0
    assert pace.timeout() == pytest.approx(10.0)  # a read never waits past the deadline
    assert pace.timeout(2.0) == 2.0
    clock.now += 10.5
    with pytest.raises(SyncError, match=r"went past its deadline of 100 s"):
        pace.moved(0.1, 10_000)


def test_a_sync_past_its_deadline_is_given_up_and_the_same_sync_on_time_completes(tmp_path: Path) -> None:
    make_library(tmp_path / "hub", "Hub", 2)
    Library.create(tmp_path / "b", "B")
    local(tmp_path / "b")
    clock = Clock()

    def slow_clock() -> float:  # every look at the clock finds 40 s more gone
        clock.now += 40.0
        return clock.now

    before = observed(tmp_path / "b")
    with serve(tmp_path / "hub") as srv:
        with pytest.raises(SyncError, match=r"went past its deadline of 200 s"), \
                HttpRemote(srv.url, limits=Limits(deadline_s=200.0), clock=slow_clock) as r:
            sync(local(tmp_path / "b"), r, Direction.PULL)
        assert observed(tmp_path / "b") == before
        with HttpRemote(srv.url, limits=Limits(deadline_s=200.0)) as r:
            sync(local(tmp_path / "b"), r, Direction.PULL)
    assert titles(tmp_path / "b") == titles(tmp_path / "hub")


def test_free_space_is_checked_with_the_numbers() -> None:
    check_free_space(10 * MIB, 5 * MIB, MIB, "here")
    with pytest.raises(SyncError, match=r"Not enough space on here: the sync needs 5\.2 MB, 5\.2 MB are free and "
                                        r"1\.0 MB must stay free"):
        check_free_space(5 * MIB, 5 * MIB, MIB, "here")


def test_limits_come_from_the_settings_and_refuse_nonsense() -> None:
    from cagette.settings import SyncSettings

    limits = Limits.from_settings(SyncSettings(max_object_mb=3, min_rate_kb_s=2.5), timeout_s=7)
    assert (limits.max_object_bytes, limits.min_rate_bytes_s, limits.timeout_s) == (3 * MIB, 2500, 7)
    with pytest.raises(SettingsError, match=r"\[sync\] deadline_s must be a positive number"):
        Limits.from_settings(SyncSettings(), deadline_s=-1)


def test_the_command_line_sets_the_limits(tmp_path: Path) -> None:
    make_library(tmp_path / "hub", "Hub", 1, size=3 * MIB)
    Library.create(tmp_path / "b", "B")
    refused = run_cli("--library", str(tmp_path / "b"), "sync", str(tmp_path / "hub"), "--max-object-mb", "1")
    assert refused.returncode == 1
    assert "declares 3.1 MB, more than the 1.0 MB allowed: refused" in refused.stderr
    assert "Hint:" in refused.stderr and "Traceback" not in refused.stderr
    bad = run_cli("--library", str(tmp_path / "b"), "sync", str(tmp_path / "hub"), "--deadline", "0")
    assert bad.returncode == 2 and "deadline_s must be a positive number" in bad.stderr


# -- partial transfers ---------------------------------------------------------------------------

def test_a_cut_transfer_is_kept_counted_resumed_and_its_orphans_collected(tmp_path: Path) -> None:
    size = 3 * MIB
    digest, part = cut_transfer(tmp_path, size, MIB)
    orphan = part.with_name("ab" * 32 + ".part")
    orphan.write_bytes(b"no resource wants this")
    fsck = cli_json("--library", str(tmp_path / "b"), "library", "fsck", "--json")
    stats = cli_json("--library", str(tmp_path / "b"), "library", "stats", "--json")
    assert fsck["clean"] and (fsck["partials"], fsck["partial_bytes"]) == (2, MIB + 22)
    assert (stats["partials"], stats["partial_bytes"]) == (2, MIB + 22)
    with FolderRemote(tmp_path / "hub") as r:
        sync(local(tmp_path / "b"), r, Direction.PULL)
        assert size - MIB <= r.counters.received < size - MIB + 100_000  # only what was missing moved
    assert files(tmp_path / "b") == {digest} and objects(tmp_path / "b") == objects(tmp_path / "hub")
    assert not part.exists()
    gc = cli_json("--library", str(tmp_path / "b"), "library", "gc", "--json")
    assert (gc["partials"], gc["partial_bytes"], gc["kept_partials"]) == (1, 22, 0) and not orphan.exists()
    assert cli_json("--library", str(tmp_path / "b"), "library", "fsck", "--json")["partials"] == 0


def test_gc_keeps_what_a_later_sync_resumes_and_deletes_unreferenced_files_only_when_asked(tmp_path: Path) -> None:
    lib = make_library(tmp_path / "b", "B", 2, size=100)
    present, missing = sorted(files(tmp_path / "b"))
    descriptive = objects(tmp_path / "b") - {present, missing}  # the titles and tags, one object a resource
    assert len(descriptive) == 2
    lib.objects.delete(missing)  # referenced, not here: a sync will fetch it
    stray, _size = lib.objects.put_bytes(b"an object no resource uses")
    partials = tmp_path / "b" / "local" / "sync-partial"
    partials.mkdir(parents=True)
    orphan = partials / f"{present}.part"  # its object is here already
    orphan.write_bytes(b"12")
    kept = partials / f"{missing}.part"  # what the next sync resumes from
    kept.write_bytes(b"345")
    gc = cli_json("--library", str(tmp_path / "b"), "library", "gc", "--json")
    assert (gc["partials"], gc["kept_partials"], gc["objects"]) == (1, 1, [])
    assert not orphan.exists() and kept.exists() and stray in objects(tmp_path / "b")
    gc = cli_json("--library", str(tmp_path / "b"), "library", "gc", "--unreferenced", "--json")
    assert gc["objects"] == [stray] and objects(tmp_path / "b") == {present} | descriptive


def test_gc_unreferenced_keeps_the_descriptive_objects_of_every_version(tmp_path: Path) -> None:
    """A resource's title, tags and description live in objects its lines name (``fields.meta``):
    gc --unreferenced must keep them, the ones of earlier versions too (a lost value is restorable)."""
    lib = make_library(tmp_path / "b", "B", 1, size=100)
    (rid,) = [r.id for r in lib.resources()]
    lib.edit(rid, title="Renamed", tags=["other"])
    kept = objects(tmp_path / "b")
    assert len(kept - files(tmp_path / "b")) == 2  # the first version's fields and the edited ones
    stray, _size = lib.objects.put_bytes(b"an object no resource uses")
    gc = cli_json("--library", str(tmp_path / "b"), "library", "gc", "--unreferenced", "--json")
    assert gc["objects"] == [stray] and objects(tmp_path / "b") == kept
    shown = cli_json("--library", str(tmp_path / "b"), "library", "show", rid, "--json")
    assert shown["title"] == "Renamed" and shown["tags"] == ["other"]
    assert cli_json("--library", str(tmp_path / "b"), "library", "fsck", "--json")["clean"]


# -- a real small disk, a read-only stick ---------------------------------------------------------

@pytest.mark.slow
def test_a_disk_too_small_for_the_plan_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    """In a private mount namespace: B on a 6 MB tmpfs, the hub offering 8 MB, by stick and by HTTP;
    then a stick mounted read-only: a two-way sync pulls, says the push was not allowed, and exits 0."""
    hub = make_library(tmp_path / "hub", "Hub", 1, size=100)
    add(hub, tmp_path, "Big", size=8 * MIB, seed="big")
    Library.create(tmp_path / "b", "B")
    make_library(tmp_path / "ro", "Stick", 1)
    with serve(tmp_path / "hub") as srv:
        script = textwrap.dedent(f"""
            set -e
            mkdir -p {tmp_path}/small {tmp_path}/ro-mount
            mount -t tmpfs -o size=6m tmpfs {tmp_path}/small
            cp -a {tmp_path}/b {tmp_path}/small/b
            mount --bind {tmp_path}/ro {tmp_path}/ro-mount && mount -o remount,bind,ro {tmp_path}/ro-mount
            run() {{ {sys.executable} -m cagette --library "$1" sync "$2" --keep-free-mb 0 "${{@:3}}"; }}
            run {tmp_path}/small/b {tmp_path}/hub --pull > folder.out 2> folder.err && exit 10
            run {tmp_path}/small/b {srv.url} --pull > http.out 2> http.err && exit 11
            ls -A {tmp_path}/small/b/objects | grep -v '^.tmp$' > objects.txt || true
            run {tmp_path}/small/b {tmp_path}/ro-mount > ro.out 2> ro.err
            run {tmp_path}/small/b {tmp_path}/ro-mount --json > ro.json
        """)
        done = subprocess.run(["unshare", "-m", "bash", "-c", script], cwd=tmp_path, capture_output=True,
                              text=True, timeout=120)
    assert done.returncode == 0, done.stderr + done.stdout
    for name in ("folder", "http"):
        err = (tmp_path / f"{name}.err").read_text()
        assert "Not enough space on" in err and "the sync needs 8.4 MB" in err and "must stay free" in err, err
        assert err.count("\n") == 1 and "Traceback" not in err
    assert (tmp_path / "objects.txt").read_text() == ""  # nothing was written
    assert "takes no writes from here" in (tmp_path / "ro.out").read_text()
    again = json.loads((tmp_path / "ro.json").read_text())
    assert again["plan"]["pull"]["objects"] == 0 and again["push_refused"]
