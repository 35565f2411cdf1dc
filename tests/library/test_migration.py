"""A library made before keys (format 1) moves to signed segments, and its peers follow."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from cagette.errors import SyncError
from cagette.library.library import Library
from cagette.library.log import log_name
from cagette.library.site import machine_id
from cagette.sync.apply import sync
from cagette.sync.folder import FolderRemote
from tests.library.signed import legacy, sid
from tests.library.sync_helpers import local, snapshot

A, B = sid(0xA1), sid(0xB2)


def _v1_library(root: Path) -> dict[str, bytes]:
    """A format-1 library as cagette 1 left it: this site A, and B's log it had received."""
    root.mkdir(parents=True)
    (root / "library.json").write_text(json.dumps({"format": "cagette-library", "version": 1}) + "\n")
    objects = root / "objects"
    files = []
    for content in (b"old video", b"interview", b"starter guide"):
        digest = hashlib.sha256(content).hexdigest()
        (objects / digest[:2]).mkdir(parents=True, exist_ok=True)
        (objects / digest[:2] / digest[2:]).write_bytes(content)
        files.append([{"role": "main", "hash": digest, "size": len(content), "media_type": "video/mp4",
                       "name": "f.mp4"}])
    a = (legacy(A, 1, 1, "site", name="Ville A")
         + legacy(A, 2, 2, "add", "r1", title="Old", files=files[0])
         + legacy(A, 3, 3, "add", "r2", title="Interview de Mme Dupont", files=files[1])
         + legacy(A, 4, 4, "add", "starter-guide", title="Guide", files=files[2], imported_from="cagette.starter",
                  version=1)
         + legacy(A, 5, 5, "edit", "r1", title="Old, edited")
         + legacy(A, 6, 6, "retract", "r2", purge=True, reason="asked"))
    b = legacy(B, 1, 1, "site", name="Ville B") + legacy(B, 2, 7, "add", "rb", title="From B", files=files[0])
    (root / "log").mkdir()
    (root / "log" / log_name(A)).write_bytes(a)
    (root / "log" / log_name(B)).write_bytes(b)
    (root / "local").mkdir()
    (root / "local" / "site.json").write_text(json.dumps({
        "site_id": A, "site_name": "Ville A", "machine": machine_id(), "path": str(root.resolve()),
        "created": "2026-01-01T00:00:00Z", "moderators": [], "previous_site_ids": []}))
    (objects / files[1][0]["hash"][:2] / files[1][0]["hash"][2:]).unlink()  # purged when the line was written
    return {"a": a, "b": b}


def test_a_format_1_library_moves_to_signed_segments(tmp_path: Path) -> None:
    logs = _v1_library(tmp_path / "a")
    lib = Library.open(tmp_path / "a")
    assert json.loads((tmp_path / "a" / "library.json").read_text())["version"] == 2
    assert not list((tmp_path / "a" / "log").glob("*.jsonl"))  # every file became a segment
    assert (tmp_path / "a" / "log" / A / "000000000001-000000000006.jsonl").read_bytes() == logs["a"]
    pins = json.loads((tmp_path / "a" / "local" / "origins.json").read_text())
    assert pins == {"r1": A, "r2": A, "rb": B}
    assert lib.site_id() == A  # the same site, now with a key
    key_line = lib.read_site(A).events[6]
    assert key_line.signed and key_line.fields["covers"] == {
        "lines": 6, "sha256": hashlib.sha256(logs["a"]).hexdigest()}
    st = lib.state()
    assert st.resources["r1"].origin == A and lib.get("r1").title == "Old, edited"
    assert st.resources["starter-guide"].origin != A  # the starter now comes from this site's own package
    assert lib.get("starter-guide").title == "Guide"
    # its purge, unsigned, carried no authority: this site signed it again
    assert lib.read_site(A).events[7].op == "retract" and st.resources["r2"].purged
    rep = lib.fsck()
    assert rep.clean and rep.unsigned_logs == [B], rep.problems


def test_peers_take_exactly_the_lines_its_key_covers(tmp_path: Path) -> None:
    _v1_library(tmp_path / "a")
    Library.open(tmp_path / "a").site()
    stick = tmp_path / "stick"
    with FolderRemote(stick) as r:
        sync(local(tmp_path / "a"), r)
    assert not (stick / "log" / B).exists()  # B never signed: its lines are not passed on
    Library.create(tmp_path / "p", "P")
    with FolderRemote(stick) as r:
        sync(local(tmp_path / "p"), r)
    p = Library.open(tmp_path / "p")
    assert p.get("r1").title == "Old, edited" and p.get("r2").purged and "starter-guide" not in p.state().resources
    # a line slipped in among the covered ones, or an unsigned one after the key, is refused
    seg = stick / "log" / A / "000000000001-000000000008.jsonl"
    lines = seg.read_bytes().splitlines(keepends=True)
    for name, forged in (
            ("inserted", [*lines[:2], legacy(A, 3, 3, "edit", "r1", title="Slipped in"), *lines[2:]]),
            ("appended", [*lines, legacy(A, 9, 20, "edit", "r1", title="After the key")])):
        other = tmp_path / f"stick-{name}"
        other.mkdir()
        (other / "library.json").write_text(json.dumps({"format": "cagette-library", "version": 2}))
        (other / "log" / A).mkdir(parents=True)
        from cagette.library.segments import segment_name

        (other / "log" / A / segment_name(1, len(forged))).write_bytes(b"".join(forged))
        Library.create(tmp_path / f"q-{name}", "Q")
        before = snapshot(tmp_path / f"q-{name}")
        with pytest.raises(SyncError, match=r"line number|cover exactly|unsigned line"), FolderRemote(other) as r:
            sync(local(tmp_path / f"q-{name}"), r)
        assert snapshot(tmp_path / f"q-{name}") == before


def test_a_format_1_library_that_cannot_be_written_is_read_as_it_is(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from cagette.fsutil import FileLock

    logs = _v1_library(tmp_path / "a")

    def read_only(self: FileLock) -> None:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(FileLock, "acquire", read_only)  # a locked stick
    lib = Library.open(tmp_path / "a")
    assert lib.version == 1 and lib.get("r1").title == "Old, edited" and lib.get("r2").retracted
    assert (tmp_path / "a" / "log" / log_name(A)).read_bytes() == logs["a"]  # untouched


def test_a_site_that_signs_later_is_taken_from_the_lines_its_key_covers(tmp_path: Path) -> None:
    """Q holds B's unsigned log from before keys; when B moves to keys, Q takes B's key line and no more."""
    _v1_library(tmp_path / "q")  # Q is site A here; it holds B's two unsigned lines
    q = Library.open(tmp_path / "q")
    q.site()
    assert q.fsck().unsigned_logs == [B]
    # B's own library, as cagette 1 left it, moves to keys too
    b_root = tmp_path / "b"
    logs = _v1_library(b_root)
    (b_root / "log" / log_name(A)).unlink()
    (b_root / "log" / log_name(B)).write_bytes(logs["b"])
    site = json.loads((b_root / "local" / "site.json").read_text())
    site["site_id"] = B
    (b_root / "local" / "site.json").write_text(json.dumps(site))
    Library.open(b_root).site()
    with FolderRemote(tmp_path / "stick") as r:
        sync(local(b_root), r)
    with FolderRemote(tmp_path / "stick") as r:
        out = sync(local(tmp_path / "q"), r)
    q = Library.open(tmp_path / "q")
    assert [m.lines for m in out.plan.logs if m.site == B] == [3]  # offered from line 1…
    assert len(q.read_site(B).events) == 3 and q.read_site(B).events[2].signed  # …only the key line is new
    assert q.fsck().clean and q.fsck().unsigned_logs == []
