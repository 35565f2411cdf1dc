"""The plan of a sync as a pure value: every rule on plain inputs."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cagette.errors import SyncError
from cagette.sync.plan import (
    Direction,
    LogInfo,
    ObjectRef,
    SideState,
    make_plan,
    plan_logs,
    plan_objects,
)

A = "aaaaaaaa-0000-4000-8000-000000000001"
B = "bbbbbbbb-0000-4000-8000-000000000002"
C = "cccccccc-0000-4000-8000-000000000003"


def info(site: str, data: bytes, other: int | None = None) -> LogInfo:
    prefix = other if other is not None and other < len(data) else None
    return LogInfo(site, len(data), data.count(b"\n"), hashlib.sha256(data).hexdigest(),
                   prefix, hashlib.sha256(data[:prefix]).hexdigest() if prefix is not None else None)


def sides(mine: dict[str, bytes], theirs: dict[str, bytes], me: str = A, them: str | None = B
          ) -> tuple[SideState, SideState]:
    local = SideState(me, {s: info(s, d, len(theirs[s]) if s in theirs else None) for s, d in mine.items()})
    remote = SideState(them, {s: info(s, d, len(mine[s]) if s in mine else None) for s, d in theirs.items()})
    return local, remote


def test_prefixes_each_way() -> None:
    local, remote = sides({A: b"a1\na2\n", C: b"c1\n"}, {A: b"a1\n", B: b"b1\nb2\n", C: b"c1\nc2\n"})
    moves = {(m.site, m.direction): m for m in plan_logs(local, remote)}
    assert moves[(A, Direction.PUSH)].start == 3 and moves[(A, Direction.PUSH)].lines == 1
    assert moves[(B, Direction.PULL)].start == 0 and moves[(B, Direction.PULL)].bytes == 6
    assert moves[(C, Direction.PULL)].start == 3 and moves[(C, Direction.PULL)].end == 6
    assert len(moves) == 3


def test_equal_logs_move_nothing() -> None:
    local, remote = sides({A: b"x\n", B: b"y\n"}, {A: b"x\n", B: b"y\n"})
    assert plan_logs(local, remote) == ()


def test_pull_only_and_push_only_keep_one_way() -> None:
    local, remote = sides({A: b"a1\na2\n"}, {A: b"a1\n", B: b"b1\n"})
    assert {m.direction for m in plan_logs(local, remote, Direction.PULL)} == {Direction.PULL}
    assert {m.direction for m in plan_logs(local, remote, Direction.PUSH)} == {Direction.PUSH}


@pytest.mark.parametrize(("mine", "theirs"), [
    (b"c1\nc2\n", b"c1\nXX\n"),          # same length, different bytes
    (b"c1\n", b"XX\nc2\n"),              # theirs longer, prefix differs
    (b"XX\nc2\n", b"c1\n"),              # ours longer, prefix differs
])
def test_a_diverged_log_is_refused(mine: bytes, theirs: bytes) -> None:
    local, remote = sides({C: mine}, {C: theirs})
    with pytest.raises(SyncError, match="differs from ours"):
        plan_logs(local, remote)


def test_lines_for_our_own_site_are_refused() -> None:
    local, remote = sides({A: b"a1\n"}, {A: b"a1\na2\n"})
    with pytest.raises(SyncError, match="our own site"):
        plan_logs(local, remote)
    local, remote = sides({}, {A: b"a1\n"})
    with pytest.raises(SyncError, match="our own site"):
        plan_logs(local, remote)


def test_we_never_extend_the_remotes_own_log() -> None:
    local, remote = sides({B: b"b1\nb2\n"}, {B: b"b1\n"})
    with pytest.raises(SyncError, match="own log"):
        plan_logs(local, remote)
    # a bare bucket has no site: any log may be extended there
    local, remote = sides({B: b"b1\nb2\n"}, {B: b"b1\n"}, them=None)
    assert plan_logs(local, remote)[0].direction is Direction.PUSH


def test_a_site_id_that_is_a_path_is_refused() -> None:
    bad = SideState(B, {"../../etc/passwd": LogInfo("../../etc/passwd", 3, 1, "0" * 64)})
    with pytest.raises(SyncError, match="not a valid site id"):
        plan_logs(SideState(A, {}), bad)


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


def test_plan_totals_and_json() -> None:
    local, remote = sides({A: b"a1\n"}, {B: b"b1\nb2\n"})
    plan = make_plan(local, remote, [ObjectRef(h(1), 100)], {h(1)}, set(), asked=None)
    d = plan.to_dict()
    assert d["push"]["bytes"] == 3 + 100 and d["pull"]["bytes"] == 6
    assert plan.total_bytes == 109 and not plan.empty


@given(st.lists(st.binary(min_size=0, max_size=5).map(lambda b: b.replace(b"\n", b"") + b"\n"),
                min_size=0, max_size=6), st.integers(0, 6), st.integers(0, 6))
def test_any_two_prefixes_of_one_log_sync_to_the_longer(lines: list[bytes], i: int, j: int) -> None:
    whole = b"".join(lines)
    mine, theirs = b"".join(lines[:i]), b"".join(lines[:j])
    local, remote = sides({C: mine}, {C: theirs})
    moves = plan_logs(local, remote)
    if len(mine) == len(theirs):
        assert moves == ()
    else:
        (m,) = moves
        longer = max(mine, theirs, key=len)
        assert m.start == min(len(mine), len(theirs)) and m.end == len(longer)
        assert longer[m.start:m.end] == whole[m.start:m.end]
