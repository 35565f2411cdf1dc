"""Concurrent edits on three real libraries converge whatever order their logs travel in."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cagette.errors import UsageError
from cagette.library.library import Library
from cagette.library.log import STARTER_SITE

ops = st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.sampled_from(["title", "description", "tags"]),
                         st.text("abcdéè ", min_size=1, max_size=6)), min_size=1, max_size=8)


def _exchange(libs: dict[str, Library], rnd: random.Random) -> None:
    """Copy every log to every library, one (source, destination) pair at a time, in a random order."""
    pairs = [(s, d) for s in libs for d in libs if s != d]
    rnd.shuffle(pairs)
    for _round in range(2):  # twice: lines relayed through a third library arrive too
        for src, dst in pairs:
            for h in set(libs[src].objects) - set(libs[dst].objects):  # the descriptive objects travel too
                libs[dst].objects.put_file(libs[src].objects.path(h))
            for site, read in libs[src].read_logs().items():
                if site == libs[dst].site_id() or site == STARTER_SITE:
                    continue
                libs[dst].accept_log(site, b"".join(read.lines), 1)


@pytest.mark.slow
@settings(max_examples=8, deadline=None)
@given(ops, st.integers(0, 2**32 - 1))
def test_edits_converge_over_any_sync_order(edits: list[tuple[str, str, str]], seed: int) -> None:
    rnd = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        libs = {n: Library.create(root / n, site_name=f"Site {n}") for n in "abc"}
        f = root / "f.txt"
        f.write_text("content")
        r = libs["a"].add([("main", f)], kind="guide", title="Origine", tags=["x"])
        code = libs["a"].found_community("Test")  # b moderates the community a founded
        libs["a"].set_moderators([libs["b"].site_id()])
        _exchange(libs, rnd)
        libs["c"].join_community(code)
        for who, name, value in edits:  # a: origin, b: moderator, c: neither (its edits are ignored)
            if rnd.random() < 0.3:
                _exchange(libs, rnd)
            fields = {name: [value] if name == "tags" else value}
            lib = libs[who]
            if who == "c":  # neither origin nor moderator: refused before anything is written
                with pytest.raises(UsageError, match="only it or a moderator"):
                    lib.edit(r.id, **fields)
                continue
            lib.edit(r.id, **fields)
        _exchange(libs, rnd)
        states = [lib.state().fingerprint() for lib in libs.values()]
        assert states[0] == states[1] == states[2]
        assert {lib.get(r.id).title for lib in libs.values()} == {libs["a"].get(r.id).title}
