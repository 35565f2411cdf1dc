"""The on-disk format: objects, logs, sites, and the pure merge."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cagette.errors import IntegrityError, LibraryError, UsageError
from cagette.library import log as logmod
from cagette.library.library import Library
from cagette.library.log import STARTER_SITE, Event, LogError, make_event, parse_line, read_log
from cagette.library.objects import ObjectStore, hash_bytes
from cagette.library.resources import check_licence, check_licence_compatible
from cagette.library.segments import COMPACT_AT, Segment, SiteLog, cover, segment_name
from cagette.library.site import SiteFile
from cagette.library.state import State, merge
from tests.library.signed import FILES, Writer, legacy, resolve, sid


# objects ------------------------------------------------------------------------
def test_objects_are_content_addressed_and_verified(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path / "objects")
    digest, size = store.put_bytes(b"hello")
    assert digest == hash_bytes(b"hello") and size == 5
    p = store.path(digest)
    assert p == tmp_path / "objects" / digest[:2] / digest[2:]
    assert p.read_bytes() == b"hello" and store.verify(digest)
    assert list(store) == [digest]
    # a wrong announced hash publishes nothing
    with pytest.raises(IntegrityError):
        store.put_stream(io.BytesIO(b"other"), expected="b" * 64)
    assert not store.has("b" * 64)
    assert list((tmp_path / "objects" / ".tmp").iterdir()) == []
    with pytest.raises(IntegrityError):
        store.put_stream(io.BytesIO(b"x" * 100), max_size=10)
    with pytest.raises(IntegrityError):
        store.put_stream(io.BytesIO(b"abc"), expected_size=4)
    with pytest.raises(IntegrityError):
        store.path("../../etc/passwd")
    # corruption is detected
    os.chmod(p, 0o644)
    p.write_bytes(b"hellO")
    assert not store.verify(digest)


# segments -----------------------------------------------------------------------
def test_segments_are_immutable_overlap_and_stop_at_a_gap(tmp_path: Path) -> None:
    w = Writer(1)
    for n in range(5):
        w.add(rid=f"r{n}")
    log = SiteLog(tmp_path / "log", w.id)
    log.write(1, b"".join(w.lines[:3]))
    log.write(3, b"".join(w.lines[2:6]))  # two pushers extended one copy at once: they overlap
    assert [p.name for p in sorted(log.dir.iterdir())] == ["000000000001-000000000003.jsonl",
                                                          "000000000003-000000000006.jsonl"]
    read = log.read()
    assert [e.seq for e in read.events] == [1, 2, 3, 4, 5, 6] and read.lines == w.lines
    log.write(1, b"".join(w.lines[:3]))  # the same name again: the same bytes, nothing changes
    with pytest.raises(LogError, match="already holds other lines"):
        log.write(1, b"".join(w.lines[1:4]))
    # a segment after a gap is not read (until the lines between arrive)
    w.add(rid="late")
    w.add(rid="later")
    log.write(8, w.lines[7])
    assert len(log.read().events) == 6
    log.write(7, w.lines[6])
    assert len(log.read().events) == 8
    # overlapping segments that disagree are refused
    other = SiteLog(tmp_path / "log2", w.id)
    other.write(1, b"".join(w.lines[:2]))
    other.write(2, w.lines[2] + w.lines[3])
    with pytest.raises(LogError, match="disagree on line 2"):
        other.read()


def test_a_segment_must_hold_what_its_name_says(tmp_path: Path) -> None:
    w = Writer(1)
    w.add(rid="r")
    log = SiteLog(tmp_path / "log", w.id)
    log.dir.mkdir(parents=True)
    (log.dir / segment_name(1, 3)).write_bytes(w.data)
    with pytest.raises(LogError, match="holds 2 lines, its name says 3"):
        log.read()
    assert cover([Segment(1, 3, "a"), Segment(2, 9, "b"), Segment(4, 5, "c"), Segment(11, 12, "d")]) == [
        Segment(1, 3, "a"), Segment(2, 9, "b")]


def test_own_segments_are_compacted(tmp_path: Path) -> None:
    lib = Library.create(tmp_path / "lib", site_name="A")
    f = tmp_path / "f.txt"
    for n in range(COMPACT_AT + 3):
        f.write_text(str(n))
        lib.add([("main", f)], kind="guide", title=f"N{n}")
    names = sorted(p.name for p in (tmp_path / "lib" / "log" / lib.site_id()).iterdir())
    assert len(names) <= COMPACT_AT and names[0].startswith("000000000001-")
    assert len(Library.open(tmp_path / "lib").resources()) == COMPACT_AT + 3
    assert Library.open(tmp_path / "lib").fsck().clean


def test_a_legacy_log_is_read_and_its_torn_line_ignored(tmp_path: Path) -> None:
    s = sid(1)
    path = tmp_path / logmod.log_name(s)
    path.write_bytes(legacy(s, 1, 1, "add", "r1") + legacy(s, 2, 2, "edit", "r1", title="T2")
                     + b'{"v":1,"site":"')  # a crash mid-append
    r = read_log(path)
    assert [e.seq for e in r.events] == [1, 2] and r.torn_bytes == 15 and not r.events[0].signed
    assert len(SiteLog(tmp_path, s).read().events) == 2


@pytest.mark.parametrize("mutate, needle", [
    (lambda d: b"{not json", "not valid JSON"),
    (lambda d: b"[1,2]", "not a JSON object"),
    (lambda d: d.replace(b'"v":2', b'"v":9'), "newer cagette"),
    (lambda d: d.replace(b'"seq":2', b'"seq":5'), "line number"),
    (lambda d: d.replace(b'"clock":2', b'"clock":0'), "bad clock"),
    (lambda d: d.replace(b'"op":"edit"', b'"op":"drop"'), "unknown operation"),
    (lambda d: d.replace(b'"id":"r"', b'"id":"../x"'), "not a valid resource id"),
    (lambda d: d.replace(b'"sig":"', b'"sig":"zz'), "no valid signature"),
    (lambda d: d.replace(b'"prev":"', b'"prev":"x'), "bad link"),
    (lambda d: d.replace(b'"fields":{', b'"fields":{"title":"inline",'), "kept by reference"),
    (lambda d: d.replace(b'"fields":{', b'"fields":{"evil":1,'), "unknown field"),
    (lambda d: d.replace(b'"fields":{', b'"fields":{"licence":"WTFPL-9",'), "SPDX"),
    (lambda d: d.replace(b'"op":"edit"', b'"op":"edit","reason":"x"'), "unknown keys reason"),
    (lambda d: d.replace(b'"v":2', b'"v":2,"extra":1'), "unknown keys"),
])
def test_hostile_lines_are_refused_clearly(mutate: Any, needle: str) -> None:
    w = Writer(7)
    w.edit("r", language="fr")
    line = mutate(w.lines[1][:-1])
    with pytest.raises(LogError) as err:
        parse_line(line, w.id, 2, "log/x.jsonl:2")
    assert needle in err.value.message and "x.jsonl:2" in err.value.message
    assert err.value.hint


def test_a_line_of_another_site_is_refused() -> None:
    a, b = Writer(1), Writer(2)
    a.start()
    with pytest.raises(LogError, match="in the log of site"):
        parse_line(a.lines[0][:-1], b.id, 1)


def test_malformed_middle_line_names_file_and_line(tmp_path: Path) -> None:
    w = Writer(2)
    w.add(rid="r")
    log = SiteLog(tmp_path / "log", w.id)
    log.write(1, w.lines[0] + b"garbage\n")
    with pytest.raises(LogError, match=r"log/00000002:2"):
        log.read()


def test_log_lines_are_canonical_json() -> None:
    w = Writer(1, name="Région")
    line = w.start().to_line()
    assert line.endswith(b"\n") and b" " not in line.replace("Région".encode(), b"")
    d = json.loads(line)
    assert d["fields"]["name"] == "Région" and list(d) == sorted(d)


# merge ----------------------------------------------------------------------------
def _state(*writers: Writer, pins: dict[str, str] | None = None, extra: list[Event] = ()) -> State:
    events = [e for w in writers for e in w.events] + list(extra)
    return merge(events, pins, resolve)


def test_only_origin_successor_or_moderator_edits() -> None:
    a, b, c = Writer(1), Writer(2), Writer(3)
    rid = a.add(title="Original").id
    b.edit(rid, title="hijack", clock=5)
    assert _state(a, b).get(rid).title == "Original"  # type: ignore[union-attr]
    assert _state(a, b).ignored
    # a community founded by C, which A joined, and whose policy names B
    c.policy(c.id, 1, [])
    a.join(c)
    c.policy(c.id, 2, [b.id])
    b.edit(rid, title="moderated", clock=20)
    st = _state(a, b, c)
    assert st.get(rid).title == "moderated" and st.moderators_of(a.id) == {b.id, c.id}  # type: ignore[union-attr]
    # a policy signed by a site that is neither founder nor moderator changes nothing
    evil = Writer(4)
    evil.policy(c.id, 3, [evil.id], clock=30)
    evil.edit(rid, title="forged moderation", clock=31)
    st = _state(a, b, c, evil)
    assert st.get(rid).title == "moderated" and st.communities[c.id].version == 2  # type: ignore[union-attr]


def test_a_bound_id_cannot_be_taken_by_an_earlier_clock() -> None:
    a, evil = Writer(1), Writer(2)
    rid = a.add(title="Mine", clock=10).id
    evil.add(rid=rid, clock=1, title="Stolen")  # a copy of the id, claiming an earlier clock
    st = _state(a, evil)
    assert st.resources[rid].origin == a.id and st.get(rid).title == "Mine"  # type: ignore[union-attr]
    # an id made before keys keeps the origin the library had seen (its pins)
    evil.add(rid="legacy-id", clock=2, title="Stolen too")
    old = Writer(3)
    old.add(rid="legacy-id", clock=5, title="Old")
    assert _state(a, evil, old, pins={"legacy-id": old.id}).resources["legacy-id"].origin == old.id


def test_starter_resources_come_only_from_the_local_starter_log() -> None:
    starter = [make_event(STARTER_SITE, 1, 1, "add", "starter-guide",
                          {"kind": "guide", "title": "Guide", "licence": "CC-BY-SA-4.0", "files": FILES,
                           "imported_from": "cagette.starter", "version": 1})]
    evil = Writer(2)
    evil.add(rid="starter-guide", title="Hijacked", imported_from="cagette.starter", version=9)
    evil.edit("starter-guide", title="Renamed")
    evil.add(rid="starter-new", title="Fake starter", imported_from="cagette.starter")
    st = _state(evil, extra=starter)
    assert st.get("starter-guide").title == "Guide" and "starter-new" not in st.resources  # type: ignore[union-attr]


def test_unsigned_lines_carry_no_succession_moderation_nor_purge() -> None:
    from cagette.library.log import parse_log_bytes

    a = Writer(1)
    rid = a.add(title="Victim").id
    x = sid(9)
    forged = (legacy(x, 1, 50, "site", name="X", succeeds=[a.id]) + legacy(x, 2, 51, "edit", rid, title="Renamed")
              + legacy(x, 3, 52, "retract", rid, purge=True))
    events = parse_log_bytes(forged, x).events
    st = _state(a, extra=events)
    assert st.get(rid).title == "Victim" and not st.resources[rid].retracted  # type: ignore[union-attr]
    assert not st.purged_hashes and not st.heirs
    # a site's own unsigned retraction withdraws, but never purges
    own = parse_log_bytes(legacy(sid(5), 1, 1, "add", "r5") + legacy(sid(5), 2, 2, "retract", "r5", purge=True),
                          sid(5)).events
    st = merge(own)
    assert st.resources["r5"].retracted and not st.resources["r5"].purged and not st.purged_hashes


def test_a_purge_erases_files_and_descriptive_objects_no_one_else_uses() -> None:
    other = {"role": "main", "hash": "b" * 64, "size": 1, "media_type": "video/mp4", "name": "y.mp4"}
    a = Writer(1)
    r1 = a.add(title="Keep").id
    r2 = a.add(title="Interview de Mme Dupont", files=[FILES[0], other]).id
    a.edit(r2, description="Elle parle de sa démarche.")
    a.retract(r2, purge=True, reason="Mme Dupont a demandé le retrait")
    st = _state(a)
    metas = {str(e.fields["meta"]["hash"]) for e in a.events if e.id == r2 and "meta" in e.fields}
    assert len(metas) == 3 and st.purged_hashes == {"b" * 64} | metas
    assert [r.id for r in st.live()] == [r1]
    tomb = st.get(r2)
    assert tomb is not None and tomb.tombstone and tomb.title == "" and tomb.description == ""


def test_a_value_lost_to_a_concurrent_edit_is_kept() -> None:
    a, c = Writer(1), Writer(3)
    rid = a.add(title="Start").id
    c.policy(c.id, 1, [])
    a.join(c)
    add_ref = a.events[-2].ref if a.events[-2].op == "add" else a.events[1].ref
    c.edit(rid, title="C's title", clock=10, base={"title": add_ref})  # C had seen only the add
    a.edit(rid, title="A's title", clock=11, base={"title": add_ref})  # and so had A
    a.edit(rid, description="later", clock=12)
    st = _state(a, c)
    r = st.resources[rid]
    assert st.get(rid).title == "A's title"  # type: ignore[union-attr]
    lost = r.conflicts()
    assert [(name, ev.site) for name, ev, _v in lost] == [("title", c.id)]
    # an edit that had seen the other value replaces it knowingly: no conflict
    a.edit(rid, title="Final", clock=13, base={"title": a.events[-2].ref})
    assert [(n, ev.site) for n, ev, _v in _state(a, c).resources[rid].conflicts()] == [("title", c.id)]


edit_ops = st.lists(st.tuples(st.sampled_from([1, 2, 3]), st.sampled_from(["title", "description"]),
                              st.text(max_size=5), st.integers(0, 3)), max_size=12)


@settings(max_examples=60, deadline=None)
@given(edit_ops, st.randoms(use_true_random=False), st.booleans())
def test_any_delivery_order_converges(ops: list[tuple[int, str, str, int]], rnd: Any, with_retract: bool) -> None:
    """Sites 1 (origin), 2 (moderator of 3's community), 3 (founder) and 4 (neither) edit
    concurrently; every order of delivery, and any grouping into logs, gives one state."""
    sites = {n: Writer(n) for n in (1, 2, 3, 4)}
    rid = sites[1].add(title="T").id
    sites[3].policy(sites[3].id, 1, [sites[2].id])
    sites[1].join(sites[3])
    for n, name, value, bump in ops:
        w = sites[n if n != 3 or bump else 4]
        w.edit(rid, clock=w.clock + 1 + bump, **{name: value})
    if with_retract:
        sites[2].retract(rid, purge=True, clock=sites[2].clock + 2)
    everything = [e for w in sites.values() for e in w.events]
    reference = merge(everything).fingerprint()
    shuffled = list(everything)
    rnd.shuffle(shuffled)
    assert merge(shuffled).fingerprint() == reference
    assert merge({w.id: w.events for w in sites.values()}).fingerprint() == reference


# sites -------------------------------------------------------------------------------
def test_copied_library_takes_a_new_site_id_and_proves_it(tmp_path: Path) -> None:
    import shutil

    lib = Library.create(tmp_path / "a", site_name="Ville A")
    first = lib.site_id()
    assert Library.open(tmp_path / "a").site_id() == first
    key_file = tmp_path / "a" / "local" / "keys" / f"{first}.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    copy = Library.open(tmp_path / "b")
    second = copy.site_id()
    assert second != first
    site = SiteFile(tmp_path / "b", tmp_path / "b" / "local").read()
    assert site is not None and site.previous_site_ids == (first,) and site.path == str((tmp_path / "b").resolve())
    head = copy.read_site(second).events[0]
    assert head.fields["succeeds"][0]["site"] == first and head.fields["key"] != lib.state().keys[first]
    assert copy.state().heirs == {first: {second}}
    assert not (tmp_path / "b" / "local" / "keys" / f"{first}.key").exists()  # the copy keeps only its own


def test_licences_known_and_compatibility() -> None:
    assert check_licence("cc-by-sa-4.0") == "CC-BY-SA-4.0"
    with pytest.raises(UsageError, match="Unknown licence"):
        check_licence("Beerware")
    check_licence_compatible("CC-BY-SA-4.0", [("a", "CC-BY-SA-4.0"), ("b", "CC-BY-4.0"), ("c", "CC0-1.0")])
    for narrower in ("CC-BY-NC-SA-4.0", "CC-BY-4.0", "CC0-1.0", "CC-BY-ND-4.0"):
        with pytest.raises(UsageError, match="incompatible"):
            check_licence_compatible(narrower, [("a", "CC-BY-SA-4.0")])
    with pytest.raises(UsageError, match="forbids adaptations"):
        check_licence_compatible("CC-BY-ND-4.0", [("a", "CC-BY-ND-4.0")])
    with pytest.raises(UsageError, match="non-commercial"):
        check_licence_compatible("CC-BY-4.0", [("a", "CC-BY-NC-4.0")])


def test_accept_log_checks_every_line_and_the_known_prefix(tmp_path: Path) -> None:
    a = Library.create(tmp_path / "a", site_name="A")
    b = Library.create(tmp_path / "b", site_name="B")
    a_site = a.site_id()
    data = b"".join(a.read_site(a_site).lines)
    assert b.accept_log(a_site, data, 1) == 1
    assert b.accept_log(a_site, data, 1) == 0  # already there
    assert b.state().site_names[a_site] == "A"
    forged = data.replace(b'"A"', b'"Z"')
    with pytest.raises(LogError, match="differs from ours"):
        b.accept_log(a_site, forged, 1)
    with pytest.raises(LogError):
        b.accept_log(a_site, b"{bad\n", 2)
    c = Library.create(tmp_path / "c", site_name="C")
    with pytest.raises(LogError, match="bad signature"):
        c.accept_log(a_site, forged, 1)
    assert b"".join(b.read_site(a_site).lines) == data  # unchanged by refused offers
    assert c.read_site(a_site).lines == []
    with pytest.raises(LibraryError):
        Library.open(tmp_path / "nowhere")


def test_a_copy_goes_on_editing_what_it_took_over(tmp_path: Path) -> None:
    import shutil

    f = tmp_path / "f.txt"
    f.write_text("x")
    a = Library.create(tmp_path / "a", site_name="Ville A")
    r = a.add([("main", f)], kind="guide", title="Avant la copie")
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    b = Library.open(tmp_path / "b")
    assert b.edit(r.id, title="Après la copie").title == "Après la copie"
    # a third library that receives both logs (and their objects) applies the copy's edit too
    c = Library.create(tmp_path / "c")
    for lib in (a, b):
        for h in lib.objects:
            c.objects.put_file(lib.objects.path(h))
        for site, read in lib.read_logs().items():
            c.accept_log(site, b"".join(read.lines), 1)
    assert c.get(r.id).title == "Après la copie"
