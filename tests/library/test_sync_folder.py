"""Libraries syncing through another folder (a USB stick), for real."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cagette.errors import SyncError
from cagette.library.library import Library
from cagette.library.objects import hash_file
from cagette.sync.apply import prepare, sync
from cagette.sync.folder import FolderRemote
from cagette.sync.plan import Direction
from tests.conftest import run_cli
from tests.library.sync_helpers import add, files, fingerprint, local, make_library, objects, snapshot, titles


def test_two_libraries_through_a_stick(tmp_path: Path) -> None:
    make_library(tmp_path / "a", "Région A", 3)
    make_library(tmp_path / "b", "Ville B", 2)
    stick = tmp_path / "stick"
    with FolderRemote(stick) as r:
        out = sync(local(tmp_path / "a"), r)
    # three files, and the three objects that hold their titles (what a purge erases)
    assert out.plan.to_dict()["push"]["objects"] == 6 and out.plan.to_dict()["pull"]["objects"] == 0
    with FolderRemote(stick) as r:
        sync(local(tmp_path / "b"), r)
    with FolderRemote(stick) as r:
        sync(local(tmp_path / "a"), r)
    assert titles(tmp_path / "a") == titles(tmp_path / "b") == titles(stick)
    assert len(titles(tmp_path / "a")) == 5
    assert objects(tmp_path / "a") == objects(tmp_path / "b") == objects(stick)
    assert fingerprint(tmp_path / "a") == fingerprint(tmp_path / "b")
    # a second sync transfers nothing, and says so before doing anything
    with FolderRemote(stick) as r:
        again = sync(local(tmp_path / "b"), r)
        assert again.plan.empty and r.counters.received == 0 and r.counters.sent == 0


def test_three_libraries_meet_through_one_stick(tmp_path: Path) -> None:
    names = ["a", "b", "c"]
    for n in names:
        make_library(tmp_path / n, n.upper(), 2)
    stick = tmp_path / "stick"
    for _round in range(2):
        for n in names:
            with FolderRemote(stick) as r:
                sync(local(tmp_path / n), r)
    prints = [fingerprint(tmp_path / n) for n in names]
    assert prints[0] == prints[1] == prints[2]
    assert len(titles(tmp_path / "c")) == 6
    for n in names:  # every object is there, and its bytes hash to its name
        lib = Library.open(tmp_path / n)
        assert lib.state().referenced_hashes() <= set(lib.objects)
        assert all(lib.objects.verify(h) for h in lib.objects)


def test_only_a_tag_and_metadata_only(tmp_path: Path) -> None:
    a = make_library(tmp_path / "a", "A", 0)
    add(a, tmp_path, "film", tags=["video"], seed="v")
    add(a, tmp_path, "notice", tags=["guide"], seed="g")
    Library.create(tmp_path / "b", "B")
    with FolderRemote(tmp_path / "a") as r:
        out = sync(local(tmp_path / "b"), r, Direction.PULL, only=["video"])
    assert titles(tmp_path / "b") == ["film", "notice"]  # all metadata travels
    film = next(x for x in Library.open(tmp_path / "b").resources() if x.title == "film")
    assert files(tmp_path / "b") == {f.hash for f in film.files}
    assert out.plan.to_dict()["pull"]["objects"] == 1  # the film (titles and tags came with the lines)
    c = Library.create(tmp_path / "c", "C")
    with FolderRemote(tmp_path / "a") as r:
        meta = sync(local(tmp_path / "c"), r, Direction.PULL, metadata_only=True)
    assert titles(tmp_path / "c") == ["film", "notice"] and files(tmp_path / "c") == set()
    assert meta.plan.deferred_objects == 2
    # the files follow at the next sync
    with FolderRemote(tmp_path / "a") as r:
        sync(local(tmp_path / "c"), r, Direction.PULL)
    assert objects(tmp_path / "c") == objects(tmp_path / "a")
    assert c.state().fingerprint()[:-1] == a.state().fingerprint()[:-1]  # C pulled only: A lacks C's name


def test_dry_run_changes_nothing(tmp_path: Path) -> None:
    make_library(tmp_path / "a", "A", 2)
    Library.create(tmp_path / "b", "B")
    before = snapshot(tmp_path / "b")
    with FolderRemote(tmp_path / "a") as r:
        out = sync(local(tmp_path / "b"), r, dry_run=True)
    assert out.plan.to_dict()["pull"]["objects"] == 2  # (their titles were read with the lines, in memory)
    assert snapshot(tmp_path / "b") == before


def test_purge_travels_and_erases_the_files(tmp_path: Path) -> None:
    a = make_library(tmp_path / "a", "A", 2)
    Library.create(tmp_path / "b", "B")
    with FolderRemote(tmp_path / "a") as r:
        sync(local(tmp_path / "b"), r)
    victim = a.resources()[0]
    a.retract(victim.id, purge=True, reason="asked to be removed")
    gone = {f.hash for f in victim.files}
    assert not gone & objects(tmp_path / "a")
    with FolderRemote(tmp_path / "a") as r:
        sync(local(tmp_path / "b"), r)
    assert not gone & objects(tmp_path / "b")
    c = Library.create(tmp_path / "c", "C")
    with FolderRemote(tmp_path / "b") as r:
        sync(local(tmp_path / "c"), r)
    assert not gone & objects(tmp_path / "c") and len(c.resources()) == 1


# -- hostile folders --------------------------------------------------------------

@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    make_library(tmp_path / "evil", "Evil", 2, size=3000)
    Library.create(tmp_path / "b", "B")
    yield tmp_path / "evil", tmp_path / "b"


def _foreign_log(evil: Path) -> Path:
    """The last segment of the evil library's log."""
    return sorted(next((evil / "log").iterdir()).iterdir())[-1]


def _an_object(evil: Path) -> Path:
    lib = Library.open(evil)
    return lib.objects.path(sorted(lib.objects)[0])


def _tamper_object(p: Path, data: bytes | None = None, append: bytes = b"", cut: int = 0) -> None:
    os.chmod(p, 0o644)
    raw = p.read_bytes()
    if data is not None:
        raw = data
    raw = raw[: len(raw) - cut] + append
    p.write_bytes(raw)


def _edit_first_line(log: Path, old: bytes, new: bytes) -> None:
    raw = log.read_bytes()
    first, rest = raw.split(b"\n", 1)
    log.write_bytes(first.replace(old, new, 1) + b"\n" + rest)


def _first_line(evil: Path) -> bytes:
    return sorted(next((evil / "log").iterdir()).iterdir())[0].read_bytes().split(b"\n")[0] + b"\n"


def _next_segment(evil: Path, data: bytes) -> None:
    from cagette.library.segments import parse_segment_name, segment_name

    last = _foreign_log(evil)
    span = parse_segment_name(last.name)
    assert span
    (last.parent / segment_name(span[1] + 1, span[1] + data.count(b"\n"))).write_bytes(data)


def _rename_segment(evil: Path, more: int) -> None:
    from cagette.library.segments import parse_segment_name, segment_name

    last = _foreign_log(evil)
    span = parse_segment_name(last.name)
    assert span
    last.rename(last.parent / segment_name(span[0], span[1] + more))


HOSTILE = {
    "symlinked log": lambda evil, b: (lambda lg: (lg.unlink(), lg.symlink_to("/etc/hostname")))(_foreign_log(evil)),
    "symlinked log folder": lambda evil, b: (lambda d: (os.rename(d, evil / "elsewhere"), d.symlink_to(
        evil / "elsewhere")))(next((evil / "log").iterdir())),
    "symlinked object": lambda evil, b: (lambda p: (p.unlink(), p.symlink_to("/etc/hostname")))(_an_object(evil)),
    "symlinked objects folder": lambda evil, b: (
        os.rename(evil / "objects", evil / "real-objects"), (evil / "objects").symlink_to(evil / "real-objects")),
    "blob with another hash": lambda evil, b: _tamper_object(_an_object(evil), data=b"x" * 3000),
    "truncated blob": lambda evil, b: _tamper_object(_an_object(evil), cut=10),
    "oversized blob": lambda evil, b: _tamper_object(_an_object(evil), append=b"more"),
    "malformed line": lambda evil, b: _next_segment(evil, b'{"not": "a cagette line"}\n'),
    "line of another site": lambda evil, b: _next_segment(evil, _first_line(evil).replace(b'"seq":1', b'"seq":9')),
    "non-canonical line": lambda evil, b: _edit_first_line(_foreign_log(evil), b'{"at"', b'{ "at"'),
    "segment holding fewer lines than its name": lambda evil, b: _rename_segment(evil, +1),
}


@pytest.mark.parametrize("attack", sorted(HOSTILE))
def test_a_hostile_folder_is_refused_and_nothing_changes(pair: tuple[Path, Path], attack: str) -> None:
    evil, b = pair
    HOSTILE[attack](evil, b)
    before = snapshot(b)
    with pytest.raises(SyncError) as info, FolderRemote(evil) as r:
        sync(local(b), r)
    assert info.value.hint
    after = snapshot(b)
    assert {k: v for k, v in after.items() if k.startswith("log") or k == "index"} == \
        {k: v for k, v in before.items() if k.startswith("log") or k == "index"}
    lib = Library.open(b)
    assert all(lib.objects.verify(h) for h in lib.objects), "a bad object was published"
    assert lib.resources() == []


def _segment_with_line(log_dir: Path, n: int) -> Path:
    from cagette.library.segments import parse_segment_name

    for p in sorted(log_dir.iterdir()):
        span = parse_segment_name(p.name)
        if span and span[0] <= n <= span[1]:
            return p
    raise AssertionError(n)


def _alter_line(seg: Path, n: int, old: bytes, new: bytes) -> None:
    from cagette.library.segments import parse_segment_name

    span = parse_segment_name(seg.name)
    assert span
    lines = seg.read_bytes().split(b"\n")
    lines[n - span[0]] = lines[n - span[0]].replace(old, new, 1)
    seg.write_bytes(b"\n".join(lines))


def test_a_log_whose_known_prefix_differs_is_refused(tmp_path: Path) -> None:
    make_library(tmp_path / "a", "A", 1)
    Library.create(tmp_path / "b", "B")
    with FolderRemote(tmp_path / "a") as r:
        sync(local(tmp_path / "b"), r)
    held = len(Library.open(tmp_path / "b").read_site(Library.open(tmp_path / "a").site_id()).events)
    add(Library.open(tmp_path / "a"), tmp_path, "later")
    # the stick's copy of A's log is altered in the last line B already holds
    stick = tmp_path / "stick"
    with FolderRemote(stick) as r:
        sync(local(tmp_path / "a"), r)
    a_site = Library.open(tmp_path / "a").site_id()
    _alter_line(_segment_with_line(stick / "log" / a_site, held), held, b'"at":"', b'"at":"1')
    before = snapshot(tmp_path / "b")
    with pytest.raises(SyncError, match="differs from ours"), FolderRemote(stick) as r:
        sync(local(tmp_path / "b"), r)
    assert snapshot(tmp_path / "b") == before
    # and a site that holds nothing of that log yet refuses the altered line: its signature no longer holds
    Library.create(tmp_path / "c", "C")
    before = snapshot(tmp_path / "c")
    with pytest.raises(SyncError, match="bad signature on line"), FolderRemote(stick) as r:
        sync(local(tmp_path / "c"), r)
    assert snapshot(tmp_path / "c") == before


def test_lines_offered_for_our_own_site_are_refused(tmp_path: Path) -> None:
    a = make_library(tmp_path / "a", "A", 1)
    stick = tmp_path / "stick"
    with FolderRemote(stick) as r:
        sync(local(tmp_path / "a"), r)
    site = a.site_id()
    last = json.loads(sorted((stick / "log" / site).iterdir())[-1].read_bytes().splitlines()[-1])
    forged = dict(last, seq=last["seq"] + 1, clock=last["clock"] + 1, op="site", fields={"name": "Forged"})
    for key in ("id", "nonce"):
        forged.pop(key, None)
    from cagette.library.segments import segment_name

    (stick / "log" / site / segment_name(last["seq"] + 1, last["seq"] + 1)).write_bytes(
        json.dumps(forged, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode() + b"\n")
    before = snapshot(tmp_path / "a")
    with pytest.raises(SyncError, match="bad signature"), FolderRemote(stick) as r:
        sync(local(tmp_path / "a"), r)
    assert snapshot(tmp_path / "a") == before


# -- resuming ---------------------------------------------------------------------

class CutFolder(FolderRemote):
    """A folder whose transfers of large objects break after the first chunk."""

    def read_object(self, digest: str, offset: int = 0) -> Iterator[bytes]:
        chunks = super().read_object(digest, offset)
        path = self.lib.object_path(digest)
        if path is None or path.stat().st_size < 1024 * 1024:
            return chunks

        def cut() -> Iterator[bytes]:
            yield next(chunks)
            raise SyncError("cable pulled", "plug it back")

        return cut()


def test_a_broken_transfer_resumes_where_it_stopped(tmp_path: Path) -> None:
    size = 3 * 1024 * 1024
    make_library(tmp_path / "a", "A", 1, size=size)
    Library.create(tmp_path / "b", "B")
    with pytest.raises(SyncError, match="cable pulled"), CutFolder(tmp_path / "a") as r:
        sync(local(tmp_path / "b"), r)
    parts = list((tmp_path / "b" / "local" / "sync-partial").iterdir())
    assert len(parts) == 1 and 0 < parts[0].stat().st_size < size
    kept = parts[0].stat().st_size
    assert titles(tmp_path / "b") == []  # the log waits for its objects
    logs = sum(p.stat().st_size for p in (tmp_path / "a" / "log").rglob("*.jsonl"))
    lib_a = Library.open(tmp_path / "a")
    logs += sum(lib_a.objects.size(h) for h in objects(tmp_path / "a") - files(tmp_path / "a"))  # its title
    with FolderRemote(tmp_path / "a") as r:
        sync(local(tmp_path / "b"), r)
        received = r.counters.received
    assert titles(tmp_path / "b") == ["A 0"]
    (digest,) = files(tmp_path / "b")
    assert hash_file(Library.open(tmp_path / "b").objects.path(digest))[0] == digest
    assert received == size - kept + logs
    assert not parts[0].exists()


def test_a_corrupt_partial_file_is_dropped_not_published(tmp_path: Path) -> None:
    size = 2 * 1024 * 1024
    make_library(tmp_path / "a", "A", 1, size=size)
    Library.create(tmp_path / "b", "B")
    (digest,) = files(tmp_path / "a")
    part = tmp_path / "b" / "local" / "sync-partial" / f"{digest}.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(b"\0" * 1000)
    with pytest.raises(SyncError), FolderRemote(tmp_path / "a") as r:
        sync(local(tmp_path / "b"), r)
    assert not part.exists() and files(tmp_path / "b") == set()
    with FolderRemote(tmp_path / "a") as r:
        sync(local(tmp_path / "b"), r)
    assert files(tmp_path / "b") == {digest}


# -- convergence ----------------------------------------------------------------------

OPS = st.lists(st.one_of(
    st.tuples(st.just("edit"), st.sampled_from([0, 1]), st.sampled_from(["title", "description"]),
              st.text("abcdé ", min_size=1, max_size=6)),
    st.tuples(st.just("sync"), st.sampled_from([0, 1, 2]), st.sampled_from([0, 1, 2]),
              st.sampled_from(["both", "pull", "push"])),
), min_size=1, max_size=10)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_concurrent_edits_converge_whatever_the_sync_order(tmp_path_factory: pytest.TempPathFactory,
                                                           ops: list[tuple]) -> None:
    root = tmp_path_factory.mktemp("conv")
    paths = [root / n for n in "abc"]
    libs = [Library.create(p, n) for p, n in zip(paths, "ABC", strict=True)]
    rid = add(libs[0], root, "shared", tags=["x"]).id
    moderator = libs[1].site_id()
    code = libs[0].found_community("Test")  # B moderates the community A founded
    libs[0].set_moderators([moderator])
    with FolderRemote(paths[0]) as r:
        sync(local(paths[1]), r)
    for op in ops:
        if op[0] == "edit":
            _, who, key, value = op
            libs[who].edit(rid, **{key: value})
        else:
            _, x, y, way = op
            if x != y:
                with FolderRemote(paths[y]) as r:
                    sync(local(paths[x]), r, Direction(way))
    for _round in range(2):
        for x, y in ((0, 1), (1, 2), (2, 0)):
            with FolderRemote(paths[y]) as r:
                sync(local(paths[x]), r)
    prints = [Library.open(p).state().fingerprint() for p in paths]
    assert prints[0] == prints[1] == prints[2]
    # and it is the merge of every line written, whatever the order they travelled in
    from cagette.library.state import merge

    events = {s: r.events for s, r in Library.open(paths[2]).read_logs().items()}
    assert merge(events, Library.open(paths[2]).pins()).fingerprint() == prints[0]
    assert code
    for p in paths:
        with FolderRemote(paths[0] if p != paths[0] else paths[1]) as r:
            assert prepare(local(p), r).plan.empty


def test_cli_sync_to_a_stick_and_back(tmp_path: Path) -> None:
    make_library(tmp_path / "a", "A", 2)
    stick = tmp_path / "usb-stick"
    first = run_cli("--library", str(tmp_path / "a"), "sync", str(stick), "--json")
    assert first.returncode == 0, first.stderr
    data = json.loads(first.stdout)
    assert data["plan"]["push"]["objects"] == 2 + 2 and data["plan"]["pull"]["objects"] == 0  # and 2 titles
    missing = run_cli("--library", str(tmp_path / "b"), "sync", str(stick))
    assert missing.returncode == 1 and "library init" in missing.stderr  # never created behind one's back
    Library.create(tmp_path / "b", "B")
    dry = run_cli("--library", str(tmp_path / "b"), "sync", str(stick), "--dry-run")
    assert dry.returncode == 0 and "receive: 3 log lines, 2 files" in dry.stdout, dry.stdout + dry.stderr
    assert titles(tmp_path / "b") == []
    back = run_cli("--library", str(tmp_path / "b"), "sync", str(stick), "--pull")
    assert back.returncode == 0, back.stderr
    assert titles(tmp_path / "b") == ["A 0", "A 1"]
    again = run_cli("--library", str(tmp_path / "b"), "sync", str(stick), "--pull", "--json")
    assert json.loads(again.stdout)["plan"]["total_bytes"] == 0
    bad = run_cli("--library", str(tmp_path / "b"), "sync", str(tmp_path / "a" / "log"))
    assert bad.returncode == 1 and "Hint:" in bad.stderr and "Traceback" not in bad.stderr


def test_a_cancelled_sync_leaves_no_half_written_library(tmp_path: Path) -> None:
    from cagette.errors import Cancelled
    from cagette.progress import Progress

    make_library(tmp_path / "a", "A", 3, size=3000)
    Library.create(tmp_path / "b", "B")
    before = snapshot(tmp_path / "b")
    progress = Progress(min_interval_s=0)
    progress.callback = lambda ev: progress.token.cancel() if ev.done > 0 else None
    with pytest.raises(Cancelled), FolderRemote(tmp_path / "a") as r:
        sync(local(tmp_path / "b"), r, progress=progress)
    after = snapshot(tmp_path / "b")
    assert {k: v for k, v in after.items() if k.startswith("log")} == \
        {k: v for k, v in before.items() if k.startswith("log")}
    lib = Library.open(tmp_path / "b")
    assert lib.resources() == [] and all(lib.objects.verify(h) for h in lib.objects)
    assert not list((tmp_path / "b" / "objects").rglob("*.tmp"))
    with FolderRemote(tmp_path / "a") as r:  # and the next sync completes it
        sync(local(tmp_path / "b"), r)
    assert len(titles(tmp_path / "b")) == 3
