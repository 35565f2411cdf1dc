"""A library restored from a backup at the same place: never refused for ever by its peers.

Its peers hold later lines of its own log. If it wrote nothing since, it takes them back;
if it did, it takes a new site id that succeeds its old one (signed by the old key) and
writes again under it what it had written, and every site ends up with everything.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from cagette.library.library import Library
from cagette.sync.apply import prepare, sync
from cagette.sync.folder import FolderRemote
from tests.library.sync_helpers import add, fingerprint, local, titles


def _lived_then_restored(tmp_path: Path) -> tuple[Path, Path, str]:
    lib = Library.create(tmp_path / "lib", "Mairie")
    add(lib, tmp_path, "Avant la sauvegarde")
    stick = tmp_path / "stick"
    with FolderRemote(stick) as r:
        sync(local(tmp_path / "lib"), r)
    shutil.copytree(tmp_path / "lib", tmp_path / "backup")
    add(lib, tmp_path, "Après la sauvegarde 1")
    add(lib, tmp_path, "Après la sauvegarde 2")
    with FolderRemote(stick) as r:
        sync(local(tmp_path / "lib"), r)
    site = lib.site_id()
    shutil.rmtree(tmp_path / "lib")  # the disk died; the backup goes back where the library was
    shutil.copytree(tmp_path / "backup", tmp_path / "lib")
    return tmp_path / "lib", stick, site


def test_a_restored_library_takes_back_what_it_had_written(tmp_path: Path) -> None:
    lib, stick, site = _lived_then_restored(tmp_path)
    assert titles(lib) == ["Avant la sauvegarde"]
    with FolderRemote(stick) as r:
        sync(local(lib), r)
    assert Library.open(lib).site_id() == site  # the same site, whole again
    assert titles(lib) == ["Après la sauvegarde 1", "Après la sauvegarde 2", "Avant la sauvegarde"]
    add(Library.open(lib), tmp_path, "Et ensuite")  # and it goes on writing its own log
    with FolderRemote(stick) as r:
        sync(local(lib), r)
    assert len(titles(stick)) == 4 and Library.open(stick).fsck().clean


def test_a_restored_library_that_wrote_since_takes_a_signed_successor_id(tmp_path: Path) -> None:
    lib, stick, site = _lived_then_restored(tmp_path)
    mine = add(Library.open(lib), tmp_path, "Écrit après la restauration")  # line numbers the peers hold already
    with FolderRemote(stick) as r:
        out = sync(local(lib), r)
    restored = Library.open(lib)
    new = restored.site_id()
    assert new != site and restored.state().heirs[site] == {new}
    assert sorted(titles(lib)) == sorted(["Avant la sauvegarde", "Après la sauvegarde 1", "Après la sauvegarde 2",
                                          "Écrit après la restauration"])
    assert restored.get(mine.id).origin == new  # the same id, written again by the successor
    assert list((lib / "local" / "diverged").iterdir())  # the lines set aside are kept
    assert out.plan.log_moves  # and nothing is refused: the next sync moves nothing
    with FolderRemote(stick) as r:
        assert prepare(local(lib), r).plan.empty
    # a third site gets everything, and the successor goes on editing the old site's resources
    Library.create(tmp_path / "other", "Autre")
    with FolderRemote(stick) as r:
        sync(local(tmp_path / "other"), r)
    first = next(x for x in restored.resources() if x.title == "Avant la sauvegarde")
    restored.edit(first.id, title="Renommé par le successeur")
    for path in (lib, tmp_path / "other"):
        with FolderRemote(stick) as r:
            sync(local(path), r)
    assert fingerprint(lib) == fingerprint(tmp_path / "other")
    assert "Renommé par le successeur" in titles(tmp_path / "other")
