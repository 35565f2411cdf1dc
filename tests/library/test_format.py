"""The on-disk format: objects, logs, sites, and the pure merge."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cagette.errors import IntegrityError, LibraryError, UsageError
from cagette.library import log as logmod
from cagette.library.library import Library
from cagette.library.log import Event, LogError, make_event, parse_line, read_log
from cagette.library.objects import ObjectStore, hash_bytes
from cagette.library.resources import check_licence, check_licence_compatible
from cagette.library.site import SiteFile
from cagette.library.state import merge

H = "a" * 64
FILES = [{"role": "main", "hash": H, "size": 3, "media_type": "video/mp4", "name": "x.mp4"}]


def sid(n: int) -> str:
    return f"{n:08x}-0000-4000-8000-000000000000"


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


# logs ---------------------------------------------------------------------------
def test_log_round_trip_and_torn_line(tmp_path: Path) -> None:
    s = sid(1)
    path = tmp_path / logmod.log_name(s)
    e1 = make_event(s, 1, 1, "add", "r1", {"kind": "video", "title": "T", "licence": "CC-BY-4.0", "files": FILES})
    e2 = make_event(s, 2, 2, "edit", "r1", {"title": "T2"})
    logmod.append(path, [e1, e2])
    with open(path, "ab") as fh:
        fh.write(b'{"v":1,"site":"')  # a crash mid-append
    r = read_log(path)
    assert [e.seq for e in r.events] == [1, 2] and r.torn_bytes == 15
    assert logmod.repair(path) == 15
    assert path.read_bytes().endswith(b"\n")
    logmod.append(path, [make_event(s, 3, 3, "retract", "r1", purge=True)])
    assert [e.op for e in read_log(path).events] == ["add", "edit", "retract"]


@pytest.mark.parametrize("line, needle", [
    (b"{not json", "not valid JSON"),
    (b"[1,2]", "not a JSON object"),
    (b'{"v":9,"site":"S","seq":1,"clock":1,"op":"edit","id":"r","fields":{}}', "newer cagette"),
    (b'{"v":1,"site":"OTHER","seq":1,"clock":1,"op":"edit","id":"r","fields":{}}', "in the log of site"),
    (b'{"v":1,"site":"S","seq":5,"clock":1,"op":"edit","id":"r","fields":{}}', "line number"),
    (b'{"v":1,"site":"S","seq":1,"clock":0,"op":"edit","id":"r","fields":{}}', "bad clock"),
    (b'{"v":1,"site":"S","seq":1,"clock":1,"op":"drop","id":"r"}', "unknown operation"),
    (b'{"v":1,"site":"S","seq":1,"clock":1,"op":"edit","id":"../x","fields":{}}', "not a valid resource id"),
    (b'{"v":1,"site":"S","seq":1,"clock":1,"op":"edit","id":"r","fields":{"files":[{"role":"main",'
     b'"hash":"zz","size":1,"media_type":"video/mp4","name":"a"}]}}', "bad hash"),
    (b'{"v":1,"site":"S","seq":1,"clock":1,"op":"edit","id":"r","fields":{"files":[{"role":"main",'
     b'"hash":"' + H.encode() + b'","size":1,"media_type":"video/mp4","name":"../../a"}]}}', "bad file name"),
    (b'{"v":1,"site":"S","seq":1,"clock":1,"op":"edit","id":"r","fields":{"licence":"WTFPL-9"}}', "SPDX"),
    (b'{"v":1,"site":"S","seq":1,"clock":1,"op":"edit","id":"r","fields":{"evil":1}}', "unknown field"),
    (b'{"v":1,"site":"S","seq":1,"clock":1,"op":"add","id":"r","fields":{"title":"x"}}', "required"),
])
def test_hostile_lines_are_refused_clearly(line: bytes, needle: str) -> None:
    s = sid(7)
    line = line.replace(b'"S"', f'"{s}"'.encode())
    with pytest.raises(LogError) as err:
        parse_line(line, s, 1, "log/x.jsonl:1")
    assert needle in err.value.message and "x.jsonl:1" in err.value.message
    assert err.value.hint


def test_malformed_middle_line_names_file_and_line(tmp_path: Path) -> None:
    s = sid(2)
    path = tmp_path / logmod.log_name(s)
    logmod.append(path, [make_event(s, 1, 1, "site", fields={"name": "A"})])
    with open(path, "ab") as fh:
        fh.write(b"garbage\n")
    with pytest.raises(LogError, match=r"jsonl:2"):
        read_log(path)


# merge ----------------------------------------------------------------------------
def _ev(site: int, seq: int, clock: int, op: str, rid: str = "r", **fields: object) -> Event:
    purge = bool(fields.pop("purge", False))
    return Event(sid(site), seq, clock, op, "t", rid, dict(fields), purge)


def _add(site: int, seq: int, clock: int, rid: str = "r", **fields: object) -> Event:
    base = {"kind": "video", "title": "T", "licence": "CC-BY-SA-4.0", "files": FILES}
    base.update(fields)
    return _ev(site, seq, clock, "add", rid, **base)


def test_only_origin_or_moderator_edits() -> None:
    evs = [_add(1, 1, 1), _ev(2, 1, 5, "edit", title="hijack"), _ev(3, 1, 6, "edit", title="moderated")]
    assert merge(evs).get("r").title == "T"  # type: ignore[union-attr]
    assert merge(evs, moderators=[sid(3)]).get("r").title == "moderated"  # type: ignore[union-attr]
    assert merge(evs).ignored  # the hijack is recorded as ignored


def test_imports_with_same_source_are_co_origins() -> None:
    evs = [_add(1, 1, 1, imported_from="cagette.starter", version=1),
           _add(2, 1, 2, imported_from="cagette.starter", version=2, title="v2"),
           _add(3, 1, 3, title="not an import")]
    r = merge(evs).get("r")
    assert r is not None and r.title == "v2" and r.version == 2


def test_purge_lists_only_unshared_objects() -> None:
    other = {"role": "main", "hash": "b" * 64, "size": 1, "media_type": "video/mp4", "name": "y.mp4"}
    evs = [_add(1, 1, 1, "r1"), _add(1, 2, 2, "r2", files=[FILES[0], other]),
           _ev(1, 3, 3, "retract", "r2", purge=True)]
    state = merge(evs)
    assert state.purged_hashes == {"b" * 64}
    assert [r.id for r in state.live()] == ["r1"]


edit_ops = st.lists(st.tuples(st.sampled_from([1, 2, 3]), st.sampled_from(["title", "description"]),
                              st.text(max_size=5), st.integers(0, 3)), max_size=12)


@settings(max_examples=150, deadline=None)
@given(edit_ops, st.randoms(use_true_random=False), st.booleans())
def test_any_delivery_order_converges(ops: list[tuple[int, str, str, int]], rnd: object, with_retract: bool) -> None:
    """Sites 1 (origin), 2 (moderator), 3 (neither) edit concurrently; every order of
    delivery, and any grouping into logs, gives one state."""
    logs: dict[int, list[Event]] = {1: [_add(1, 1, 1)], 2: [], 3: []}
    clocks = {1: 1, 2: 1, 3: 1}
    for site, name, value, bump in ops:
        clocks[site] += 1 + bump
        logs[site].append(_ev(site, len(logs[site]) + 1, clocks[site], "edit", **{name: value}))
    if with_retract:
        logs[1].append(_ev(1, len(logs[1]) + 1, clocks[1] + 2, "retract"))
    everything = [e for evs in logs.values() for e in evs]
    reference = merge(everything, moderators=[sid(2)]).fingerprint()
    shuffled = list(everything)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert merge(shuffled, moderators=[sid(2)]).fingerprint() == reference
    assert merge({sid(k): v for k, v in logs.items()}, moderators=[sid(2)]).fingerprint() == reference


# sites and licences -----------------------------------------------------------------
def test_copied_library_takes_a_new_site_id(tmp_path: Path) -> None:
    import shutil

    lib = Library.create(tmp_path / "a", site_name="Ville A")
    first = lib.site_id()
    assert Library.open(tmp_path / "a").site_id() == first
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    copy = Library.open(tmp_path / "b")
    second = copy.site_id()
    assert second != first
    site = SiteFile(tmp_path / "b", tmp_path / "b" / "local").read()
    assert site is not None and site.previous_site_ids == (first,) and site.path == str((tmp_path / "b").resolve())


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


def test_accept_log_refuses_own_site_and_altered_prefix(tmp_path: Path) -> None:
    a = Library.create(tmp_path / "a", site_name="A")
    b = Library.create(tmp_path / "b", site_name="B")
    a_site = a.site_id()
    data = a.log_path(a_site).read_bytes()
    assert b.accept_log(a_site, data, 1) == 1
    assert b.accept_log(a_site, data, 1) == 0  # already there
    assert b.state().site_names[a_site] == "A"
    with pytest.raises(LogError, match="own site id"):
        b.accept_log(b.site_id(), b.log_path(b.site_id()).read_bytes(), 1)
    forged = data.replace(b'"A"', b'"Z"')
    with pytest.raises(LogError, match="differs from ours"):
        b.accept_log(a_site, forged, 1)
    with pytest.raises(LogError):
        b.accept_log(a_site, b"{bad\n", 2)
    assert b.log_path(a_site).read_bytes() == data  # unchanged by refused offers
    with pytest.raises(LibraryError):
        Library.open(tmp_path / "nowhere")


def test_log_lines_are_canonical_json() -> None:
    e = make_event(sid(1), 1, 1, "site", fields={"name": "Région"})
    line = e.to_line()
    assert line.endswith(b"\n") and b" " not in line.replace(b"R\xc3\xa9gion", b"")
    assert json.loads(line)["fields"]["name"] == "Région"


def test_a_copy_goes_on_editing_what_it_took_over(tmp_path: Path) -> None:
    import shutil

    f = tmp_path / "f.txt"
    f.write_text("x")
    a = Library.create(tmp_path / "a", site_name="Ville A")
    r = a.add([("main", f)], kind="guide", title="Avant la copie")
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    b = Library.open(tmp_path / "b")
    assert b.edit(r.id, title="Après la copie").title == "Après la copie"
    first = b.log_path(b.site_id()).read_bytes().splitlines()[0]
    assert json.loads(first)["fields"]["succeeds"] == [a.site_id()]
    # a third library that receives both logs applies the copy's edit too
    c = Library.create(tmp_path / "c")
    for lib in (a, b):
        for site in lib.read_logs():
            c.accept_log(site, lib.log_path(site).read_bytes(), 1)
    assert c.get(r.id).title == "Après la copie"
    # but a stranger cannot claim to succeed itself, nor list garbage
    s = sid(9)
    for bad in ([s], ["not-a-site"]):
        line = json.dumps({"v": 1, "site": s, "seq": 1, "clock": 1, "op": "site",
                           "fields": {"name": "x", "succeeds": bad}}).encode()
        with pytest.raises(LogError, match="succeeds"):
            parse_line(line, s, 1)
