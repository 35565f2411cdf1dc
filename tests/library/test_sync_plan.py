"""The plan of a sync as a pure value: every rule on plain inputs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cagette.errors import SyncError
from cagette.sync.plan import (
    Direction,
    LogInfo,
    ObjectRef,
    OwnLogDiverged,
    SideState,
    make_plan,
    plan_logs,
    plan_objects,
    push_candidates,
)

A = "aaaaaaaa-0000-4000-8000-000000000001"
B = "bbbbbbbb-0000-4000-8000-000000000002"
C = "cccccccc-0000-4000-8000-000000000003"


def info(site: str, data: bytes, other: int | None = None) -> LogInfo:
    """A log's state by high-water mark: its lines, the hash of the last, and of the other side's last."""
    from cagette.library.log import line_hash
    from cagette.library.segments import split_lines

    lines = split_lines(data)  # only "\n" ends a log line
    n = len(lines)
    head = line_hash(lines[-1]) if n else None
    if other is not None and other < n:
        return LogInfo(site, n, head, len(data), other, line_hash(lines[other - 1]) if other else None,
                       sum(map(len, lines[:other])))
    return LogInfo(site, n, head, len(data))


def sides(mine: dict[str, bytes], theirs: dict[str, bytes], me: str = A, them: str | None = B
          ) -> tuple[SideState, SideState]:
    count = lambda d: d.count(b"\n")  # noqa: E731
    local = SideState(me, {s: info(s, d, count(theirs[s]) if s in theirs else None) for s, d in mine.items()})
    remote = SideState(them, {s: info(s, d, count(mine[s]) if s in mine else None) for s, d in theirs.items()})
    return local, remote


def test_high_water_marks_each_way() -> None:
    local, remote = sides({A: b"a1\na2\n", C: b"c1\n"}, {A: b"a1\n", B: b"b1\nb2\n", C: b"c1\nc2\n"})
    moves = {(m.site, m.direction): m for m in plan_logs(local, remote)}
    assert (moves[(A, Direction.PUSH)].start, moves[(A, Direction.PUSH)].end) == (1, 2)
    assert moves[(A, Direction.PUSH)].lines == 1 and moves[(A, Direction.PUSH)].bytes == 3
    assert moves[(B, Direction.PULL)].start == 0 and moves[(B, Direction.PULL)].bytes == 6
    assert (moves[(C, Direction.PULL)].start, moves[(C, Direction.PULL)].end) == (1, 2)
    assert len(moves) == 3


def test_equal_logs_move_nothing() -> None:
    local, remote = sides({A: b"x\n", B: b"y\n"}, {A: b"x\n", B: b"y\n"})
    assert plan_logs(local, remote) == ()


def test_pull_only_and_push_only_keep_one_way() -> None:
    local, remote = sides({A: b"a1\na2\n"}, {A: b"a1\n", B: b"b1\n"})
    assert {m.direction for m in plan_logs(local, remote, Direction.PULL)} == {Direction.PULL}
    assert {m.direction for m in plan_logs(local, remote, Direction.PUSH)} == {Direction.PUSH}


@pytest.mark.parametrize(("mine", "theirs"), [
    (b"c1\nc2\n", b"c1\nXX\n"),          # same length, different last line
    (b"c1\n", b"XX\nc2\n"),              # theirs longer, differs at our last line
    (b"XX\nc2\n", b"c1\n"),              # ours longer, differs at their last line
])
def test_a_diverged_log_is_refused(mine: bytes, theirs: bytes) -> None:
    local, remote = sides({C: mine}, {C: theirs})
    with pytest.raises(SyncError, match="differs from ours"):
        plan_logs(local, remote)


def test_our_own_log_comes_back_but_never_diverges() -> None:
    local, remote = sides({A: b"a1\n"}, {A: b"a1\na2\n"})  # a library restored from an older backup
    (move,) = plan_logs(local, remote)
    assert (move.site, move.direction, move.start, move.end) == (A, Direction.PULL, 1, 2)
    local, remote = sides({A: b"a1\nmine\n"}, {A: b"a1\ntheirs\nmore\n"})  # and it wrote since
    with pytest.raises(OwnLogDiverged) as info_:
        plan_logs(local, remote)
    assert info_.value.site == A and info_.value.hint


def test_a_side_that_lost_its_own_lines_gets_them_back() -> None:
    local, remote = sides({B: b"b1\nb2\n"}, {B: b"b1\n"})
    (move,) = plan_logs(local, remote)
    assert move.direction is Direction.PUSH and (move.start, move.end) == (1, 2)


def test_a_bucket_says_only_how_many_lines() -> None:
    local = SideState(A, {C: info(C, b"c1\nc2\nc3\n")})
    bucket = SideState(None, {C: LogInfo(C, 1)})  # no hash: a bucket is not read to plan
    (move,) = plan_logs(local, bucket)
    assert (move.direction, move.start, move.end) == (Direction.PUSH, 1, 3)


def test_a_site_id_that_is_a_path_is_refused() -> None:
    bad = SideState(B, {"../../etc/passwd": LogInfo("../../etc/passwd", 1, "0" * 64)})
    with pytest.raises(SyncError, match="not a valid site id"):
        plan_logs(SideState(A, {}), bad)


def test_a_malformed_state_is_refused() -> None:
    with pytest.raises(SyncError, match="malformed"):
        LogInfo.from_dict(C, {"lines": 2, "sha256": "not a hash"})
    with pytest.raises(SyncError, match="malformed"):
        LogInfo.from_dict(C, {"lines": 2, "known_lines": 5})
    assert LogInfo.from_dict(C, LogInfo(C, 2, "0" * 64, 10, 1, "1" * 64, 4).to_dict()) == \
        LogInfo(C, 2, "0" * 64, 10, 1, "1" * 64, 4)


def h(n: int) -> str:
    return f"{n:064x}"


def test_objects_each_way_with_tags_purges_and_metadata_only() -> None:
    refs = [ObjectRef(h(1), 10, frozenset({"video"})), ObjectRef(h(2), 20, frozenset({"guide"})),
            ObjectRef(h(3), 30, frozenset({"video"})), ObjectRef(h(4), 40, frozenset(), live=False)]
    local_has, remote_has = {h(1), h(4)}, {h(2), h(3), h(4)}
    moves, deferred = plan_objects(refs, local_has, remote_has, None)
    assert {(m.hash, m.direction) for m in moves} == {(h(1), Direction.PUSH), (h(2), Direction.PULL),
                                                       (h(3), Direction.PULL)}
    moves, _ = plan_objects(refs, local_has, remote_has, None, only=["VIDEO"])
    assert {m.hash for m in moves} == {h(1), h(3)}
    moves, deferred = plan_objects(refs, local_has, remote_has, None, metadata_only=True)
    assert moves == () and deferred == 2


def test_unknown_remote_holdings_pull_on_trust_and_push_nothing_unasked() -> None:
    refs = [ObjectRef(h(1), 10), ObjectRef(h(2), 20)]
    moves, _ = plan_objects(refs, {h(1)}, set(), asked=[])
    assert [(m.hash, m.direction) for m in moves] == [(h(2), Direction.PULL)]
    moves, _ = plan_objects(refs, {h(1)}, set(), asked=[h(1)])
    assert {(m.hash, m.direction) for m in moves} == {(h(1), Direction.PUSH), (h(2), Direction.PULL)}


def test_pushes_by_marks_ask_the_remote_nothing() -> None:
    refs = [ObjectRef(h(1), 10), ObjectRef(h(2), 20), ObjectRef(h(3), 30, meta=True), ObjectRef(h(4), 40)]
    candidates = push_candidates({h(1), h(3), h(4)}, held_by_remote={h(4)})
    assert candidates == {h(1), h(3)}
    moves, _ = plan_objects(refs, {h(1), h(3), h(4)}, push_candidates=candidates)
    assert {(m.hash, m.direction) for m in moves} == {(h(1), Direction.PUSH), (h(3), Direction.PUSH),
                                                       (h(2), Direction.PULL)}
    # descriptive objects travel even with --metadata-only and --only (a resource's tags are in one)
    moves, deferred = plan_objects(refs, {h(1), h(3), h(4)}, push_candidates=candidates, metadata_only=True,
                                   only=["nothing"])
    assert [(m.hash, m.direction) for m in moves] == [(h(3), Direction.PUSH)] and deferred == 0


def test_plan_totals_and_json() -> None:
    local, remote = sides({A: b"a1\n"}, {B: b"b1\nb2\n"})
    plan = make_plan(local, remote, [ObjectRef(h(1), 100)], {h(1)}, set(), asked=None)
    d = plan.to_dict()
    assert d["push"]["bytes"] == 3 + 100 and d["pull"]["bytes"] == 6
    assert plan.total_bytes == 109 and not plan.empty


@given(st.lists(st.binary(min_size=0, max_size=5).map(lambda b: b.replace(b"\n", b"") + b"\n"),
                min_size=0, max_size=6), st.integers(0, 6), st.integers(0, 6))
def test_any_two_prefixes_of_one_log_sync_to_the_longer(lines: list[bytes], i: int, j: int) -> None:
    mine, theirs = b"".join(lines[:i]), b"".join(lines[:j])
    local, remote = sides({C: mine}, {C: theirs})
    moves = plan_logs(local, remote)
    if len(lines[:i]) == len(lines[:j]):
        assert moves == ()
    else:
        (m,) = moves
        assert m.start == min(len(lines[:i]), len(lines[:j])) and m.end == max(len(lines[:i]), len(lines[:j]))
        assert m.bytes == len(b"".join(lines[m.start:m.end]))
