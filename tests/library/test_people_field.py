"""The ``people`` field: whether people appear in a resource and whether their consent is on file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cagette.errors import LibraryError
from cagette.library.library import Library
from cagette.library.resources import PEOPLE, check_fields


def test_people_is_validated_like_every_field() -> None:
    for value in ("", *PEOPLE):
        assert check_fields({"people": value}, adding=False) == {"people": value}
    for bad in ("yes", "Consent", 1, None, ["none"]):
        with pytest.raises(LibraryError) as err:
            check_fields({"people": bad}, adding=False)
        assert "people" in err.value.message and err.value.hint


def last_line(lib: Library) -> dict[str, object]:
    """The last line this site wrote in its log, as written on disk (a signed JSON line)."""
    _n, line, _size = lib.site_log(lib.site_id()).tail()
    assert line is not None
    parsed: dict[str, object] = json.loads(line)
    return parsed


def test_people_travels_in_the_log_and_back(tmp_path: Path) -> None:
    lib = Library.create(tmp_path / "lib", site_name="Mairie")
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\0" * 100)
    r = lib.add([("main", clip)], kind="video", title="Accueil", people="consent")
    assert r.people == "consent"
    line = last_line(lib)
    assert line["fields"]["people"] == "consent"
    assert lib.edit(r.id, people="no-consent").people == "no-consent"
    again = Library.open(tmp_path / "lib")
    again.reindex()
    assert again.get(r.id).people == "no-consent"
    assert again.get(r.id).to_dict()["people"] == "no-consent"
    plain = lib.add([("main", clip)], kind="video", title="Sans réponse")
    assert plain.people == "" and "people" not in last_line(lib)["fields"]
