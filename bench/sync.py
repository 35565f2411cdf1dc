"""Sync of a 10,000-resource library (tiny blobs) through ``cagette serve`` on 127.0.0.1.

Prints, against references measured in the same run:

* bytes moved ÷ bytes missing of a first sync (target ≤ 1.02), counting every
  body both ways (log lines, objects, and the protocol's own JSON);
* the time of a no-op sync (target < 2 s);
* sync throughput ÷ a plain HTTP download of the same blobs from the same
  server (one GET per blob with a keep-alive client, written to files) (target ≥ 0.8).

Usage: ``python bench/sync.py [N] [BLOB_BYTES]`` (``CAGETTE_BENCH_DIR``: where to work).
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from pathlib import Path


def build(root: Path, n: int, blob: int) -> tuple[int, int]:
    """A library of *n* resources with one blob each, written in bulk (not what is measured)."""
    import hashlib

    from cagette.library import log as logmod
    from cagette.library.library import Library

    lib = Library.create(root, site_name="Hub")
    site = lib.site_id()
    rng = random.Random(1)
    events = []
    seq = len(logmod.read_log(lib.log_path(site), site).events)
    total = 0
    for i in range(n):
        data = rng.randbytes(blob)
        digest = hashlib.sha256(data).hexdigest()
        path = lib.objects.path(digest)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        total += blob
        seq += 1
        fields = {"kind": "guide", "title": f"Fiche {i}", "licence": "CC-BY-SA-4.0", "tags": ["bench"],
                  "files": [{"role": "main", "hash": digest, "size": blob, "media_type": "application/pdf",
                             "name": f"fiche-{i}.pdf"}]}
        events.append(logmod.make_event(site, seq, seq, "add", f"r{i:05d}", fields))
    logmod.append(lib.log_path(site), events)
    lib.reindex()
    return total, lib.log_path(site).stat().st_size


class Served:
    """``cagette serve`` in its own process, as a peer would run it."""

    def __init__(self, library: Path) -> None:
        import socket

        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        self.url = f"http://127.0.0.1:{self.port}"
        self.library = library

    def __enter__(self) -> Served:
        import subprocess

        import httpx

        self.proc = subprocess.Popen([sys.executable, "-m", "cagette", "--library", str(self.library), "serve",
                                      "--port", str(self.port)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                httpx.get(self.url + "/api/info", timeout=0.5)
                return self
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("cagette serve did not start")

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    blob = int(sys.argv[2]) if len(sys.argv) > 2 else 1024
    os.environ.setdefault("CAGETTE_HOME", tempfile.mkdtemp(prefix="cagette-bench-home-"))
    import httpx

    from cagette.library.library import Library
    from cagette.sync.apply import sync
    from cagette.sync.http import HttpRemote
    from cagette.sync.local import LocalLibrary
    from cagette.sync.plan import Direction

    base = os.environ.get("CAGETTE_BENCH_DIR")
    if base:
        Path(base).mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="cagette-bench-sync-", dir=base))
    t0 = time.perf_counter()
    object_bytes, log_bytes = build(work / "hub", n, blob)
    print(f"built a library of {n} resources ({blob} B blobs) in {time.perf_counter() - t0:.1f} s")
    hub = LocalLibrary(work / "hub", ours=True)
    with Served(work / "hub") as srv:
        # reference: a plain HTTP download of the same blobs, one GET each, to files
        names = sorted(hub.object_names())
        out = work / "plain"
        out.mkdir()
        t0 = time.perf_counter()
        with httpx.Client(base_url=srv.url) as client:
            for name in names:
                (out / name).write_bytes(client.get(f"/objects/{name}").content)
        t_plain = time.perf_counter() - t0

        Library.create(work / "b", site_name="")
        t0 = time.perf_counter()
        with HttpRemote(srv.url) as remote:
            outcome = sync(LocalLibrary(work / "b", ours=True), remote, Direction.PULL)
            moved = remote.counters.received + remote.counters.sent
        t_sync = time.perf_counter() - t0
        missing = object_bytes + log_bytes
        assert len(Library.open(work / "b").objects and set(Library.open(work / "b").objects)) == n

        t0 = time.perf_counter()
        with HttpRemote(srv.url) as remote:
            again = sync(LocalLibrary(work / "b", ours=True), remote)
        t_noop = time.perf_counter() - t0
        assert again.plan.empty

    plain_rate = object_bytes / t_plain
    sync_rate = missing / t_sync
    print(f"plain HTTP download of the {n} blobs: {t_plain:6.2f} s  {plain_rate / 1e6:6.2f} MB/s (reference)")
    print(f"first sync (logs + blobs):          {t_sync:6.2f} s  {sync_rate / 1e6:6.2f} MB/s  "
          f"{outcome.plan.to_dict()['pull']['objects']} objects")
    ratio = moved / missing
    print(f"bytes moved / bytes missing:        {ratio:6.3f}  ({moved} / {missing})  target <= 1.02: "
          f"{'ok' if ratio <= 1.02 else 'MISSED'}")
    print(f"no-op sync:                         {t_noop:6.2f} s  target < 2 s: {'ok' if t_noop < 2 else 'MISSED'}")
    tr = sync_rate / plain_rate
    print(f"sync throughput / plain download:   {tr:6.2f}  target >= 0.8: {'ok' if tr >= 0.8 else 'MISSED'}")


if __name__ == "__main__":
    main()
