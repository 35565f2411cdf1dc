"""Syncing with a discovered HTTPS peer: a real ``cagette serve --tls`` in a subprocess; its certificate's
fingerprint is shown, asked about at first contact, remembered in the library, and a peer showing another
one is refused (the library on disk checked after each step).

Discovery itself (zeroconf over multicast) is tested in ``tests/library/test_sync_discover.py``: here the
screen is given what it announces (the address and fingerprint the server printed), the way
``cagette.sync.discover.browse`` would."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input

from cagette.library.library import Library
from cagette.sync.discover import Peer
from cagette_tui.app import CagetteApp
from cagette_tui.screens.dialogs import ConfirmDialog
from cagette_tui.screens.sync import SyncScreen
from tests.library.peer_helpers import free_port
from tests.library.sync_helpers import make_library, titles
from tests.tui.helpers import wait_for
from tests.tui.places import folder_state

pytestmark = pytest.mark.slow


@contextlib.contextmanager
def serving(library: Path, port: int) -> Iterator[str]:
    """``cagette serve --tls`` on *port* with read token ``r``: the fingerprint it printed."""
    proc = subprocess.Popen([sys.executable, "-m", "cagette", "--library", str(library), "serve", "--tls", "--port",
                             str(port), "--token", "r"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, CAGETTE_LANG="en"))
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        found = re.search(r"\?fp=([A-Z2-7-]{64})", line)
        assert found, line + (proc.stderr.read() if proc.stderr and proc.poll() is not None else "")
        yield found.group(1)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def announced(hub: Path, port: int, fingerprint: str) -> Peer:
    """What discovery shows of the hub: its address pinning *fingerprint*, its site id and name."""
    site = json.loads((hub / "local" / "site.json").read_text(encoding="utf-8"))
    return Peer("cagette-hub", f"https://127.0.0.1:{port}?fp={fingerprint}", site["site_id"], "Médiathèque", True,
                fingerprint)


def pins_of(library: Path) -> dict[str, str]:
    file = library / "local" / "peer-pins.json"
    if not file.exists():
        return {}
    return {k: v["fingerprint"] for k, v in json.loads(file.read_text(encoding="utf-8"))["peers"].items()}


async def test_a_discovered_peer_is_trusted_at_first_contact_then_refused_when_its_certificate_changed(
        tmp_path: Path) -> None:
    hub, ours = tmp_path / "hub", tmp_path / "ours"
    make_library(hub, "Médiathèque", 2)
    Library.create(ours, site_name="Ici")
    port = free_port()
    shown: list[Peer] = []
    app = CagetteApp(lang="en", library=str(ours))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = SyncScreen(ours, browse=lambda wait: list(shown))
        app.push_screen(screen)
        await wait_for(pilot, lambda: screen.query("#peers"), what="the sync screen")
        with serving(hub, port) as fingerprint:
            peer = announced(hub, port, fingerprint)
            shown[:] = [peer]
            screen.query_one("#peers").focus()
            await pilot.press("d")
            await wait_for(pilot, lambda: len(screen.query_one("#peers").children) == 1, what="the peer listed")
            assert "? first contact" in screen.query_one("#peers").children[0].text
            # first contact, not trusted: nothing pinned, nothing moved
            before = folder_state(ours)
            screen.choose_peer(peer)
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog) and app.screen.query("#confirm-text"),
                           what="the first-contact question")
            assert fingerprint in str(app.screen.query_one("#confirm-text").render())
            await pilot.press("n")
            await wait_for(pilot, lambda: app.screen is screen, what="back from the question")
            assert "is not trusted" in str(screen.query_one("#peer-text").render())
            assert pins_of(ours) == {} and folder_state(ours) == before
            # trusted: remembered in the library, then synced with the pinned address
            screen.query_one("#token", Input).value = "r"
            screen.choose_peer(peer)
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="asked again")
            await pilot.press("y")
            await wait_for(pilot, lambda: screen.prepared is not None, what="the plan")
            assert pins_of(ours) == {peer.site_id: fingerprint}
            assert screen.remote_spec.startswith(peer.url) and "🔒" in str(screen.query_one("#peer-text").render())
            assert "🔒 fingerprint trusted" in screen.query_one("#peers").children[0].text
            screen.action_apply()
            await wait_for(pilot, lambda: screen.outcome is not None, what="the sync")
            assert titles(ours) == titles(hub)
        # the hub's library gets a new certificate (its key folder lost): its announcement says so
        shutil.rmtree(hub / "local" / "serve-tls")
        with serving(hub, port) as changed:
            assert changed != fingerprint
            before = folder_state(ours)
            shown[:] = [announced(hub, port, changed)]
            await pilot.press("d")
            await wait_for(pilot, lambda: "✘ fingerprint changed" in screen.query_one("#peers").children[0].text,
                           what="the changed peer listed")
            screen.outcome = None
            screen.choose_peer(shown[0])
            await pilot.pause()
            said = str(screen.query_one("#peer-text").render())
            assert "refused, nothing was sent" in said and changed in said and fingerprint in said
            assert not isinstance(app.screen, ConfirmDialog) and screen.prepared is None
            assert folder_state(ours) == before and pins_of(ours) == {peer.site_id: fingerprint}
            # an announcement that lies (the old fingerprint) meets the new certificate: refused by the handshake
            screen.choose_peer(peer)
            await wait_for(pilot, lambda: app.errors_shown, what="the handshake's refusal")
            assert "not the pinned" in str(app.errors_shown[-1]) and folder_state(ours) == before
            app.errors_shown.clear()
            # forgotten after a question: asked about again
            screen.chosen = shown[0]
            await pilot.press("f")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="the forget question")
            await pilot.press("y")
            await wait_for(pilot, lambda: pins_of(ours) == {}, what="forgotten")
