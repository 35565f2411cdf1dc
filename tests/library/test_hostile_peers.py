"""A hostile peer, over a folder, HTTP and S3: every forgery refused, naming its cause.

The world: a victim site V (a resource "Interview de Mme Dupont", the community it founded),
a target site T that holds V's log, and a courier (a folder, served over HTTP, copied to a
bucket) that also carries an honest newcomer's lines T has not seen. Each attack adds lines
to the courier; T's pull must be refused with an error naming the cause, T left exactly as it
was (logs, objects, index; fsck clean; ``list --json`` identical), and the same courier minus
the attack must then sync (the control run).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cagette.errors import SyncError
from cagette.library.keys import SiteKey
from cagette.library.library import Library
from cagette.library.log import line_hash, make_event
from cagette.library.segments import segment_name
from cagette.sync.apply import sync
from cagette.sync.folder import FolderRemote
from cagette.sync.local import LocalLibrary
from cagette.sync.plan import Direction
from tests.library.signed import Writer, by_reference
from tests.library.sync_helpers import add, local, make_library, snapshot, titles

pytestmark = pytest.mark.slow


@dataclass
class World:
    root: Path
    rid: str
    victim: str  # V's site id
    lines: list[bytes]  # V's log as the courier holds it

    @property
    def target(self) -> Path:
        return self.root / "t"

    @property
    def hub(self) -> Path:
        return self.root / "hub"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("world")
    v = make_library(root / "v", "Victime", 0)
    r = add(v, root, "Interview de Mme Dupont", tags=["témoignage"])
    v.found_community("Commune")
    Library.create(root / "t", "Cible")
    with FolderRemote(root / "hub") as hub:
        sync(local(root / "v"), hub)
    with FolderRemote(root / "hub") as hub:
        sync(local(root / "t"), hub)
    make_library(root / "h", "Nouveau", 1)
    with FolderRemote(root / "hub") as hub:  # lines T has not seen: the control run brings them
        sync(local(root / "h"), hub, Direction.PUSH)
    (root / "rid").write_text(r.id)
    return root


@pytest.fixture
def world(template: Path, tmp_path: Path) -> World:
    shutil.copytree(template, tmp_path / "w", symlinks=True)
    root = tmp_path / "w"
    Library.open(root / "t").site()  # copied to a new path, T takes a new site id (succeeding its old one)
    site = json.loads((template / "v" / "local" / "site.json").read_text())["site_id"]
    return World(root, (root / "rid").read_text(), site, Library.open(root / "hub").read_site(site).lines)


def _forge(site: str, lines: list[bytes], key: SiteKey, op: str, rid: str = "", fields: dict[str, Any] | None = None,
           purge: bool = False) -> bytes:
    """A line numbered after *lines* in *site*'s log, linked to them, signed by *key*."""
    last = json.loads(lines[-1])
    return make_event(site, len(lines) + 1, last["clock"] + 1, op, rid, fields or {}, purge, key=key,
                      prev=line_hash(lines[-1])).to_line()


def forged_signature(w: World) -> dict[str, tuple[int, bytes]]:
    line = _forge(w.victim, w.lines, SiteKey.generate(), "edit", w.rid, by_reference(w.rid, {"title": "Renamed"}))
    return {w.victim: (len(w.lines) + 1, line)}


def key_change(w: World) -> dict[str, tuple[int, bytes]]:
    new = SiteKey.generate()
    line = _forge(w.victim, w.lines, new, "site", fields={"name": "Victime", "key": new.public_hex})
    return {w.victim: (len(w.lines) + 1, line)}


def replayed_line(w: World) -> dict[str, tuple[int, bytes]]:
    x = Writer(0xE1)
    x.start()
    d = json.loads(w.lines[1])  # V's add, signed by V's key, replayed as the attacker's second line
    d.update(site=x.id, seq=2, prev=line_hash(x.lines[0]))
    line = json.dumps(d, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode() + b"\n"
    return {x.id: (1, x.lines[0] + line)}


def _rogue(w: World, with_succession: bool) -> Writer:
    x = Writer(0xE2, "Usurpateur")
    if with_succession:
        fake = Writer(0, key=SiteKey.generate())
        fake.id = w.victim  # the victim's id, with a key that is not the victim's
        x.start(succeeds=fake)
    x.edit(w.rid, title="Renamed by a stranger")
    x.retract(w.rid, purge=True)
    return x


def rogue_succession_edit_purge(w: World) -> dict[str, tuple[int, bytes]]:
    return {(x := _rogue(w, True)).id: (1, x.data)}


def edit_purge_without_authority(w: World) -> dict[str, tuple[int, bytes]]:
    return {(x := _rogue(w, False)).id: (1, x.data)}


def forged_starter_add(w: World) -> dict[str, tuple[int, bytes]]:
    x = Writer(0xE3)
    x.add(rid="starter-guide", title="Faux guide", imported_from="cagette.starter", version=99)
    return {x.id: (1, x.data)}


def forged_moderation(w: World) -> dict[str, tuple[int, bytes]]:
    x = Writer(0xE4)
    x.policy(w.victim, 2, [x.id], name="Commune")
    x.retract(w.rid, purge=True)
    return {x.id: (1, x.data)}


def copied_id_earlier_clock(w: World) -> dict[str, tuple[int, bytes]]:
    x = Writer(0xE5)
    x.add(rid=w.rid, clock=2, title="Mine now")
    return {x.id: (1, x.data)}


ATTACKS: dict[str, tuple[Callable[[World], dict[str, tuple[int, bytes]]], str]] = {
    "forged signature": (forged_signature, "bad signature on line"),
    "replayed line under another site id": (replayed_line, "bad signature on line 2"),
    "key change": (key_change, "key changed at line"),
    "rogue succession, edit and purge": (rogue_succession_edit_purge, "without that site's key signature"),
    "edit and purge without authority": (edit_purge_without_authority, "without any authority"),
    "forged starter add": (forged_starter_add, "claims a starter resource"),
    "forged moderation": (forged_moderation, "neither founded nor moderates"),
    "a copied id with an earlier clock": (copied_id_earlier_clock, "an id first added by site"),
}


# transports ------------------------------------------------------------------------------------
class Folder:
    def __init__(self, w: World, request: Any) -> None:
        self.w = w

    def put(self, segments: dict[str, tuple[int, bytes]]) -> None:
        for site, (first, data) in segments.items():
            d = self.w.hub / "log" / site
            d.mkdir(parents=True, exist_ok=True)
            (d / segment_name(first, first + data.count(b"\n") - 1)).write_bytes(data)

    def remove(self, segments: dict[str, tuple[int, bytes]]) -> None:
        for site, (first, data) in segments.items():
            (self.w.hub / "log" / site / segment_name(first, first + data.count(b"\n") - 1)).unlink()

    def remote(self) -> Any:
        return FolderRemote(self.w.hub)

    def close(self) -> None:
        pass


class Http(Folder):
    def __init__(self, w: World, request: Any) -> None:
        super().__init__(w, request)
        self.server = self._start()

    def _start(self) -> Any:
        from cagette.sync.server import ServeConfig, build_app
        from cagette.sync.serving import ServerThread

        return ServerThread(build_app(LocalLibrary(self.w.hub, ours=False), ServeConfig())).__enter__()

    def remove(self, segments: dict[str, tuple[int, bytes]]) -> None:
        super().remove(segments)  # segments are never removed from a live library: serve it afresh
        self.server.__exit__(None, None, None)
        self.server = self._start()

    def remote(self) -> Any:
        from cagette.sync.http import HttpRemote

        return HttpRemote(self.server.url)

    def close(self) -> None:
        self.server.__exit__(None, None, None)


class Bucket(Folder):
    def __init__(self, w: World, request: Any) -> None:
        from cagette.sync.s3 import S3Remote

        super().__init__(w, request)
        self.server = request.getfixturevalue("s3")
        self.name = request.getfixturevalue("use_s3")(self.server)
        self.url = f"s3://{self.name}/hostile"
        with S3Remote(self.url, endpoint=self.server.endpoint_url) as r:
            sync(LocalLibrary(w.hub, ours=False), r, Direction.PUSH)

    def _key(self, site: str, first: int, data: bytes) -> str:
        return f"hostile/log/{site}/" + segment_name(first, first + data.count(b"\n") - 1)

    def put(self, segments: dict[str, tuple[int, bytes]]) -> None:
        with self.remote() as r:
            for site, (first, data) in segments.items():
                r.client.put_object(Bucket=self.name, Key=self._key(site, first, data), Body=data)

    def remove(self, segments: dict[str, tuple[int, bytes]]) -> None:
        with self.remote() as r:
            for site, (first, data) in segments.items():
                r.client.delete_object(Bucket=self.name, Key=self._key(site, first, data))

    def remote(self) -> Any:
        from cagette.sync.s3 import S3Remote

        return S3Remote(self.url, endpoint=self.server.endpoint_url)


TRANSPORTS = {"folder": Folder, "http": Http, "s3": Bucket}


def _listing(path: Path) -> list[dict[str, Any]]:
    """What `cagette library list --json --all` prints, in process."""
    return [r.to_dict() for r in Library.open(path).resources(include_retracted=True)]


@pytest.fixture(params=sorted(TRANSPORTS))
def transport(request: pytest.FixtureRequest, world: World) -> Iterator[Folder]:
    t = TRANSPORTS[request.param](world, request)
    yield t
    t.close()


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_a_hostile_peer_is_refused_and_the_control_syncs(world: World, transport: Folder, attack: str) -> None:
    make, cause = ATTACKS[attack]
    segments = make(world)
    transport.put(segments)
    listed = _listing(world.target)
    before = snapshot(world.target)
    with pytest.raises(SyncError) as info, transport.remote() as r:
        sync(local(world.target), r, Direction.PULL)
    assert cause in info.value.message and info.value.hint, info.value.message
    assert snapshot(world.target) == before and _listing(world.target) == listed
    assert Library.open(world.target).fsck().clean
    # the control: the same peer without the attack syncs, and brings the newcomer's resource
    transport.remove(segments)
    with transport.remote() as r:
        sync(local(world.target), r, Direction.PULL)
    got = Library.open(world.target)
    assert "Nouveau 0" in titles(world.target) and got.fsck().clean
    assert got.get(world.rid).title == "Interview de Mme Dupont" and not got.get(world.rid).retracted


def test_unsigned_lines_before_a_key_line_carry_no_authority(world: World) -> None:
    """A peer's log begun "before keys": forged unsigned lines (a succession, an edit, a purge of the
    victim's resource) covered by its own key line are taken — and change nothing."""
    from tests.library.signed import legacy

    x = Writer(0xE6, "Ancien")
    forged = [legacy(x.id, 1, 40, "site", name="Ancien", succeeds=[world.victim]),
              legacy(x.id, 2, 41, "edit", world.rid, title="Renamed before keys"),
              legacy(x.id, 3, 42, "retract", world.rid, purge=True)]
    x.start(covers=forged, clock=43)
    Folder(world, None).put({x.id: (1, x.data)})
    with FolderRemote(world.hub) as r:
        sync(local(world.target), r, Direction.PULL)
    lib = Library.open(world.target)
    r = lib.get(world.rid)
    assert r.title == "Interview de Mme Dupont" and not r.retracted and all(lib.objects.has(f.hash) for f in r.files)
    assert len(lib.read_site(x.id).events) == 4 and world.victim not in lib.state().heirs
