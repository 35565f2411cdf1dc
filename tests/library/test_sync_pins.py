"""The fingerprints a library trusts (``local/peer-pins.json``): remembered, compared, forgotten; a file
that is not what cagette writes is refused with the way out and left as it is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cagette.errors import SyncError, UsageError
from cagette.sync import pins

FP = "-".join(["ABCD"] * 13)
OTHER = "-".join(["WXYZ"] * 13)


def test_trusted_then_same_then_changed_then_forgotten(tmp_path: Path) -> None:
    assert pins.load(tmp_path) == {}
    key = pins.peer_key("https://192.168.1.20:8470?fp=x", "")
    assert key == "192.168.1.20:8470" and pins.peer_key("https://h:1", "site-1") == "site-1"
    assert pins.check(pins.load(tmp_path), key, FP) == pins.NEW
    pins.trust(tmp_path, key, FP.lower().replace("-", ""), "Médiathèque")  # as typed: case and dashes ignored
    on_disk = json.loads((tmp_path / "local" / "peer-pins.json").read_text(encoding="utf-8"))
    assert on_disk["peers"] == {key: {"fingerprint": FP, "name": "Médiathèque"}}
    assert pins.check(pins.load(tmp_path), key, FP) == pins.SAME
    assert pins.check(pins.load(tmp_path), key, OTHER) == pins.CHANGED
    assert pins.forget(tmp_path, key) and not pins.forget(tmp_path, key)
    assert pins.load(tmp_path) == {}
    with pytest.raises(UsageError):
        pins.trust(tmp_path, key, "not a fingerprint")


@pytest.mark.parametrize("content", [b"{not json", json.dumps({"format": "other", "version": 1}).encode(),
                                     json.dumps({"format": pins.FORMAT, "version": 1,
                                                 "peers": {"a": {"fingerprint": "short"}}}).encode(),
                                     b" " * (pins.MAX_BYTES + 1)],
                         ids=["not-json", "another-format", "a-bad-fingerprint", "too-large"])
def test_a_file_cagette_did_not_write_is_refused_and_kept(tmp_path: Path, content: bytes) -> None:
    file = tmp_path / "local" / "peer-pins.json"
    file.parent.mkdir()
    file.write_bytes(content)
    with pytest.raises(SyncError) as refused:
        pins.trust(tmp_path, "site", FP)
    assert "peer-pins.json" in refused.value.message and refused.value.hint
    assert file.read_bytes() == content
