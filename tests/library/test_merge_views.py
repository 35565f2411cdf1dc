"""What a merge brings, shown: lost concurrent values, licence conflicts, and purges that leave nothing."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from cagette.library.library import Library
from cagette.library.segments import segment_name
from cagette.sync.apply import sync
from cagette.sync.folder import FolderRemote
from tests.conftest import run_cli
from tests.library.signed import Writer
from tests.library.sync_helpers import add, local


def _pair(tmp_path: Path) -> tuple[Library, Library, str]:
    a = Library.create(tmp_path / "a", "Ville A")
    b = Library.create(tmp_path / "b", "Ville B")
    r = add(a, tmp_path, "Horaires", tags=["mairie"])
    code = a.found_community("Réseau")
    with FolderRemote(tmp_path / "a") as remote:
        sync(local(tmp_path / "b"), remote)
    b.join_community(code)
    a.set_moderators([b.site_id()])
    with FolderRemote(tmp_path / "a") as remote:
        sync(local(tmp_path / "b"), remote)
    return a, b, r.id


def test_show_lists_a_value_lost_to_a_concurrent_edit_and_the_command_that_restores_it(tmp_path: Path) -> None:
    a, b, rid = _pair(tmp_path)
    a.edit(rid, title="Horaires d'été")
    b.edit(rid, title="Horaires d'hiver")  # neither had seen the other's
    with FolderRemote(tmp_path / "a") as remote:
        sync(local(tmp_path / "b"), remote)
    lib = str(tmp_path / "a")
    winner = Library.open(tmp_path / "a").get(rid).title
    loser = ({"Horaires d'été", "Horaires d'hiver"} - {winner}).pop()
    shown = run_cli("--library", lib, "library", "show", rid)
    assert shown.returncode == 0 and loser in shown.stdout, shown.stdout
    data = json.loads(run_cli("--library", lib, "library", "show", rid, "--json").stdout)
    (lost,) = data["lost_values"]
    assert lost["field"] == "title" and lost["value"] == loser and lost["restore"] in shown.stdout
    listed = run_cli("--library", lib, "library", "list")
    assert "⇄" in listed.stdout
    # the command it shows restores the value, and then nothing is listed as lost any more
    cmd = shlex.split(lost["restore"])
    assert cmd[:3] == ["cagette", "library", "edit"]
    restored = run_cli("--library", lib, *cmd[1:])
    assert restored.returncode == 0, restored.stderr
    assert Library.open(tmp_path / "a").get(rid).title == loser
    assert json.loads(run_cli("--library", lib, "library", "show", rid, "--json").stdout)["lost_values"] == []


def test_an_adaptation_whose_licence_breaks_its_source_is_flagged_not_hidden(tmp_path: Path) -> None:
    a, b, rid = _pair(tmp_path)
    # another site adapts A's CC-BY-SA resource under CC0 (its own cagette would refuse: a hand-made log)
    x = Writer(0xD1)
    derived = x.add(title="Adaptation", licence="CC0-1.0", derived_from=[rid]).id
    stick = tmp_path / "stick"
    with FolderRemote(stick) as remote:
        sync(local(tmp_path / "a"), remote)
    (stick / "log" / x.id).mkdir()
    (stick / "log" / x.id / segment_name(1, len(x.lines))).write_bytes(x.data)
    from tests.library.signed import OBJECTS

    stick_lib = Library.open(stick)
    for data in OBJECTS.values():
        stick_lib.objects.put_bytes(data)
    with FolderRemote(stick) as remote:
        sync(local(tmp_path / "a"), remote)
    lib = Library.open(tmp_path / "a")
    assert lib.get(derived).licence_flags == ((rid, "CC-BY-SA-4.0"),)
    listed = run_cli("--library", str(tmp_path / "a"), "library", "list")
    assert "⚠" in listed.stdout
    shown = run_cli("--library", str(tmp_path / "a"), "library", "show", derived)
    assert "conflicts with its source" in shown.stdout and "CC-BY-SA-4.0" in shown.stdout
    rep = lib.fsck()
    assert rep.clean and len(rep.flags) == 1 and derived in rep.flags[0]
    # a source relicensed after its adaptation is flagged the same way
    d2 = b.add([("main", tmp_path / "a" / "library.json")], kind="guide", title="Adaptation B",
               derived_from=[rid], licence="CC-BY-SA-4.0")
    a.edit(rid, licence="CC-BY-ND-4.0")
    with FolderRemote(tmp_path / "a") as remote:
        sync(local(tmp_path / "b"), remote)
    assert Library.open(tmp_path / "b").get(d2.id).licence_flags == ((rid, "CC-BY-ND-4.0"),)


def test_a_purge_leaves_no_trace_of_its_text_on_any_site(tmp_path: Path) -> None:
    a, b, _rid = _pair(tmp_path)
    victim = add(a, tmp_path, "Interview de Mme Dupont", tags=["Dupont"])
    a.edit(victim.id, description="Mme Dupont raconte sa démarche.")
    derived = add(b, tmp_path, "Reprise")  # b adapts it, before the purge
    with FolderRemote(tmp_path / "a") as remote:
        sync(local(tmp_path / "b"), remote)
    b.edit(derived.id, derived_from=[victim.id])
    a.retract(victim.id, purge=True, reason="Mme Dupont a demandé le retrait")
    with FolderRemote(tmp_path / "a") as remote:
        sync(local(tmp_path / "b"), remote)
    for site in ("a", "b"):
        for p in (tmp_path / site).rglob("*"):
            if p.is_file():
                assert b"Dupont" not in p.read_bytes(), p  # logs, objects, index: gone
    shown = run_cli("--library", str(tmp_path / "b"), "library", "show", victim.id)
    assert shown.returncode == 0 and "purged" in shown.stdout and "Dupont" not in shown.stdout
    listed = run_cli("--library", str(tmp_path / "b"), "library", "list", "--all")
    assert "(purged)" in listed.stdout
    out = tmp_path / "site"
    cat = run_cli("--library", str(tmp_path / "b"), "library", "catalogue", str(out))
    assert cat.returncode == 0, cat.stderr
    from cagette.library.catalogue import page_name

    page = (out / "r" / page_name(derived.id)).read_text(encoding="utf-8")
    assert 'class="tombstone"' in page and "erased at the request of its site" in page
    assert not any(b"Dupont" in p.read_bytes() for p in out.rglob("*") if p.is_file())
