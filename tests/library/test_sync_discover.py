"""``cagette serve --advertise`` and ``cagette sync discover`` over real mDNS multicast: the
announcement carries the certificate's fingerprint, and the address discover shows pins it.

They run inside a fresh network namespace (``unshare -n``) whose loopback
carries multicast, so nothing reaches the machine's real network.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cagette.library.library import Library
from tests.library.sync_helpers import make_library

pytestmark = pytest.mark.slow


def _netns_works() -> bool:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return False
    r = subprocess.run(["unshare", "-n", "ip", "link", "set", "lo", "up"], capture_output=True, timeout=10)
    return r.returncode == 0


@pytest.mark.skipif(not _netns_works(), reason="needs 'unshare -n' (root) to make a private network")
def test_discover_lists_an_advertised_peer(tmp_path: Path) -> None:
    make_library(tmp_path / "hub", "Médiathèque de Test", 1)
    Library.create(tmp_path / "b")
    script = textwrap.dedent(f"""
        set -e
        ip link set lo up
        ip link set lo multicast on
        ip route add 224.0.0.0/4 dev lo
        export CAGETTE_MDNS_INTERFACES=127.0.0.1
        {sys.executable} -m cagette --library {tmp_path / "hub"} serve --port 8470 --tls --token r --advertise \
            > serve.out 2>&1 &
        SERVE=$!
        trap 'kill -TERM $SERVE 2>/dev/null || true' EXIT
        for i in $(seq 100); do
            grep -q Serving serve.out && break
            sleep 0.1
        done
        {sys.executable} -m cagette sync discover --wait 2.5 --json > found.json
        {sys.executable} -m cagette sync discover --wait 2.5 > found.txt
        URL=$({sys.executable} -c 'import json; print(json.load(open("found.json"))[0]["url"])')
        {sys.executable} -m cagette --library {tmp_path / "b"} sync "$URL&token=r" --pull --json > pulled.json
        kill -TERM $SERVE
        wait $SERVE || true
    """)
    result = subprocess.run(["unshare", "-n", "bash", "-c", script], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr + (tmp_path / "serve.out").read_text()
    peers = json.loads((tmp_path / "found.json").read_text())
    assert len(peers) == 1, peers
    (peer,) = peers
    fingerprint = re.search(r"fingerprint: ([A-Z2-7-]+)", (tmp_path / "serve.out").read_text()).group(1)  # type: ignore[union-attr]
    assert peer["url"] == f"https://127.0.0.1:8470?fp={fingerprint}" and peer["fingerprint"] == fingerprint
    assert peer["site_name"] == "Médiathèque de Test" and peer["token_required"] is True
    assert fingerprint in (tmp_path / "found.txt").read_text()
    assert json.loads((tmp_path / "pulled.json").read_text())["plan"]["pull"]["objects"] == 1
