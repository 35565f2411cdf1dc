"""Sync through ``cagette serve`` on 127.0.0.1, against references measured in the same run.

Four parts, each a function (other parts may be added beside them):

* :func:`bench_many` — a 10,000-resource library of tiny blobs: bytes moved ÷ bytes missing of a first
  sync (target ≤ 1.02), counting every body both ways; the time of a no-op sync (target < 1 s); sync
  throughput ÷ a plain HTTP download of the same blobs from the same server (one GET per blob with a
  keep-alive client, written to files) (target ≥ 0.8).
* :func:`bench_large` — one large object (1 GB by default), over HTTP and over HTTPS (``serve --tls``,
  the certificate pinned): ``cagette sync`` ÷ a plain download of the same file over the same scheme,
  by curl and by httpx (streamed to a file), each in its own process, best of ``CAGETTE_BENCH_ROUNDS``
  (3) interleaved rounds (target ≥ 0.8); the peak memory (``ru_maxrss``) of the ``cagette sync``
  process (target < 100 MB).
* :func:`two_way` — two libraries each lacking the other's 500 resources, synced both ways at once over
  HTTP and over S3 (SeaweedFS): bytes that crossed ÷ bytes missing (target ≤ 1.02), planned by
  high-water marks (no hash list crosses).
* :func:`soak_s3` — 50 runs of three pushers that all read a bucket before any writes: lines lost (target 0).

Usage: ``python bench/sync.py [many|large|two-way|soak|all] [N] [BLOB_BYTES]`` (``two-way N``: resources
per side; ``soak N``: runs); ``CAGETTE_BENCH_LARGE_MB`` sizes the large object (default 1024),
``CAGETTE_BENCH_SOAK_RUNS`` the soak of ``all`` (50); ``CAGETTE_BENCH_DIR``: where to work.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PARTS = ("many", "large", "two-way", "soak", "all")


def build(root: Path, n: int, blob: int, name: str = "Hub", seed: int = 1) -> tuple[int, int]:
    """A library of *n* resources with one blob each, in one signed segment (bench/bulk.py, not measured).
    Returns the bytes of its objects (blobs and descriptive objects) and of its log."""
    from bulk import add_all, put

    from cagette.library.library import Library

    lib = Library.create(root, site_name=name)
    rng = random.Random(seed)
    items = []
    for i in range(n):
        digest = put(lib, rng.randbytes(blob))
        items.append(({"title": f"{name} {i}", "tags": ["bench"]},
                      {"kind": "guide", "licence": "CC-BY-SA-4.0",
                       "files": [{"role": "main", "hash": digest, "size": blob, "media_type": "application/pdf",
                                  "name": f"fiche-{i}.pdf"}]}))
    add_all(lib, items)
    lib.reindex()
    return (sum(lib.objects.size(h) for h in lib.objects),
            sum(map(len, lib.read_site(lib.site_id()).lines)))


def build_large(root: Path, size: int) -> str:
    """A library holding one random object of *size* bytes, added as a user would; its hash."""
    from cagette.library.library import Library

    lib = Library.create(root, site_name="Hub")
    source = root.parent / "large.bin"
    with open(source, "wb") as fh:
        left = size
        while left:
            piece = min(left, 64 * 1024 * 1024)
            fh.write(os.urandom(piece))
            left -= piece
    r = lib.add([("main", source)], kind="video", title="Grand fichier")
    source.unlink()
    return str(r.files[0].hash)  # (its title lives in a small descriptive object beside it)


class Served:
    """``cagette serve`` in its own process, as a peer would run it."""

    def __init__(self, library: Path, *extra: str) -> None:
        import socket

        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        self.library, self.extra = library, extra
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Served:
        self.proc = subprocess.Popen([sys.executable, "-m", "cagette", "--library", str(self.library), "serve",
                                      "--port", str(self.port), *self.extra],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                     env=dict(os.environ, CAGETTE_LANG="en"))
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        found = re.search(r"at (\S+) \(", line)
        if not found:
            raise RuntimeError(f"cagette serve did not start: {line!r}")
        self.url = found.group(1)
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


LAUNCH = """
import resource, subprocess, sys, time
t0 = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
elapsed = time.perf_counter() - t0
if done.returncode:
    sys.exit(done.stderr.decode())
print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
"""


def _timed_child(args: list[str]) -> tuple[float, int]:
    """Run *args* as a child process: wall time and its peak memory (bytes).

    Through a small launcher: a child forked from this (large) benchmark process would count the
    benchmark's own pages in its peak until it execs; forked from the launcher it counts ~10 MB more at most.
    """
    done = subprocess.run([sys.executable, "-c", LAUNCH, *args], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{args[:4]} failed: {done.stderr}")
    elapsed, rss = done.stdout.split()
    return float(elapsed), int(rss)


HTTPX_GET = """
import sys, httpx
url, out = sys.argv[1], sys.argv[2]
with httpx.Client(verify=False, timeout=60) as c, c.stream("GET", url) as r, open(out, "wb") as fh:
    for chunk in r.iter_raw(256 * 1024):
        fh.write(chunk)
"""


def bench_large(size_mb: int, work: Path) -> None:
    from cagette.library.library import Library

    size = size_mb * 1024 * 1024
    t0 = time.perf_counter()
    digest = build_large(work / "hub-large", size)
    print(f"built a library holding one {size_mb} MB object in {time.perf_counter() - t0:.1f} s")
    rounds = int(os.environ.get("CAGETTE_BENCH_ROUNDS", "3"))
    for scheme, extra in (("HTTP", ()), ("HTTPS", ("--tls",))):
        times: dict[str, list[float]] = {"sync": [], "curl": [], "httpx": []}
        peak = 0
        with Served(work / "hub-large", *extra) as srv:
            base, _sep, _query = srv.url.partition("?")
            object_url = f"{base}/objects/{digest}"
            out = work / "plain.bin"
            for _round in range(rounds):  # interleaved, best of each: the machine is shared
                if shutil.which("curl"):
                    times["curl"].append(_timed_child(["curl", "-sf", "-k", "-o", str(out), object_url])[0])
                    out.unlink()
                times["httpx"].append(_timed_child([sys.executable, "-c", HTTPX_GET, object_url, str(out)])[0])
                out.unlink()
                target = work / f"b-{scheme.lower()}"
                Library.create(target, site_name="B")
                t_sync, rss = _timed_child([sys.executable, "-m", "cagette", "--library", str(target), "sync",
                                            srv.url, "--pull", "--json"])
                assert Library.open(target).objects.verify(digest)
                shutil.rmtree(target)
                times["sync"].append(t_sync)
                peak = max(peak, rss)
        t_sync = min(times["sync"])
        print(f"{scheme:5} cagette sync of {size_mb} MB:       {t_sync:6.2f} s  {size / t_sync / 1e6:7.1f} MB/s  "
              f"peak memory {peak / 1e6:5.1f} MB  target < 100 MB: {'ok' if peak < 100e6 else 'MISSED'}")
        for ref in ("curl", "httpx"):
            if not times[ref]:
                continue
            t_ref = min(times[ref])
            ratio = t_ref / t_sync
            print(f"{scheme:5} plain download ({ref:5}):     {t_ref:6.2f} s  {size / t_ref / 1e6:7.1f} MB/s  "
                  f"sync / plain = {ratio:4.2f}  target >= 0.8: {'ok' if ratio >= 0.8 else 'MISSED'}")
    shutil.rmtree(work / "hub-large")


def bench_many(n: int, blob: int, work: Path) -> None:
    import httpx

    from cagette.library.library import Library
    from cagette.sync.apply import sync
    from cagette.sync.http import HttpRemote
    from cagette.sync.local import LocalLibrary
    from cagette.sync.plan import Direction

    t0 = time.perf_counter()
    object_bytes, log_bytes = build(work / "hub", n, blob)
    print(f"built a library of {n} resources ({blob} B blobs) in {time.perf_counter() - t0:.1f} s")
    hub = LocalLibrary(work / "hub", ours=True)
    with Served(work / "hub") as srv:
        # reference: a plain HTTP download of the same blobs, one GET each, to files
        names = sorted(hub.object_names())  # the blobs and the descriptive objects, as the sync moves them
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
        assert len(set(Library.open(work / "b").objects)) == 2 * n  # the blobs and their titles

        t0 = time.perf_counter()
        with HttpRemote(srv.url) as remote:
            again = sync(LocalLibrary(work / "b", ours=True), remote, Direction.PULL)
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
    print(f"no-op sync:                         {t_noop:6.2f} s  target < 1 s: {'ok' if t_noop < 1 else 'MISSED'}")
    tr = sync_rate / plain_rate
    print(f"sync throughput / plain download:   {tr:6.2f}  target >= 0.8: {'ok' if tr >= 0.8 else 'MISSED'}")


def _missing(a: Path, b: Path) -> int:
    """Bytes each side lacks of the other (objects and log lines): what a two-way sync must move."""
    from cagette.library.library import Library
    from cagette.library.log import STARTER_SITE

    la, lb = Library.open(a), Library.open(b)
    oa, ob = set(la.objects), set(lb.objects)
    total = sum(la.objects.size(h) for h in oa - ob) + sum(lb.objects.size(h) for h in ob - oa)
    for x, y in ((la, lb), (lb, la)):
        for site, read in x.read_logs().items():
            if site != STARTER_SITE:
                total += sum(map(len, read.lines[len(y.read_site(site).lines):]))
    return total


def two_way(n: int = 500, blob: int = 1024) -> None:
    """Two libraries that each lack the other's *n* resources, synced both ways at once: bytes that
    crossed ÷ bytes missing (target <= 1.02), over S3 (SeaweedFS) and over HTTP (cagette serve)."""
    from cagette.sync.apply import sync
    from cagette.sync.http import HttpRemote
    from cagette.sync.local import LocalLibrary
    from cagette.sync.s3 import S3Remote
    from cagette.sync.server import ServeConfig, build_app
    from cagette.sync.serving import ServerThread
    from tests.library.conftest import make_bucket
    from tests.library.seaweed import seaweed, weed_binary

    work = Path(tempfile.mkdtemp(prefix="cagette-bench-twoway-"))
    build(work / "a", n, blob, "A", 1)
    build(work / "b", n, blob, "B", 2)
    missing = _missing(work / "a", work / "b")
    with ServerThread(build_app(LocalLibrary(work / "b", ours=True), ServeConfig(write_token="w"))) as srv, \
            HttpRemote(srv.url, token="w") as r:
        sync(LocalLibrary(work / "a", ours=True), r)
        moved = r.counters.received + r.counters.sent
    ratio = moved / missing
    print(f"two-way over HTTP, bytes / missing:  {ratio:6.3f}  ({moved} / {missing}, {r.counters.requests} requests)"
          f"  target <= 1.02: {'ok' if ratio <= 1.02 else 'MISSED'}")
    binary = weed_binary()
    if binary is None:
        print("two-way over S3: skipped (no weed binary)")
        return
    build(work / "c", n, blob, "C", 3)
    build(work / "d", n, blob, "D", 4)
    with seaweed(work / "weed", binary) as server:
        for k, v in server.env().items():
            os.environ[k] = v
        make_bucket(server, "twoway")
        with S3Remote("s3://twoway/d", endpoint=server.endpoint_url) as r:
            sync(LocalLibrary(work / "d", ours=True), r)  # the bucket holds D
        missing = _missing(work / "c", work / "d")
        with S3Remote("s3://twoway/d", endpoint=server.endpoint_url) as r:
            sync(LocalLibrary(work / "c", ours=True), r)
            moved = r.counters.received + r.counters.sent
    ratio = moved / missing
    print(f"two-way over S3, bytes / missing:    {ratio:6.3f}  ({moved} / {missing}, {r.counters.requests} requests)"
          f"  target <= 1.02: {'ok' if ratio <= 1.02 else 'MISSED'}")


def soak_s3(runs: int = 50) -> None:
    """The interleaving a bucket used to lose lines to (1 run in 20 before segments), *runs* times against
    SeaweedFS: three pushers each read the bucket before any writes; a fresh library then counts the lines."""
    from cagette.library.library import Library
    from cagette.sync.apply import apply, prepare, sync
    from cagette.sync.local import LocalLibrary
    from cagette.sync.s3 import S3Remote
    from tests.library.conftest import make_bucket
    from tests.library.seaweed import seaweed, weed_binary
    from tests.library.test_s3_concurrency import _lines, _world

    binary = weed_binary()
    if binary is None:
        print("S3 soak: skipped (no weed binary)")
        return
    work = Path(tempfile.mkdtemp(prefix="cagette-bench-soak-"))
    lost = lines = 0
    t0 = time.perf_counter()
    with seaweed(work / "weed", binary) as server:
        for k, v in server.env().items():
            os.environ[k] = v
        make_bucket(server, "soak")
        for run in range(runs):
            rnd = random.Random(run)
            root = work / f"run{run}"
            paths = _world(root, 3, rnd)
            url = f"s3://soak/run{run}"
            remotes = [S3Remote(url, endpoint=server.endpoint_url) for _p in paths]
            prepared = [prepare(LocalLibrary(p, ours=True), r) for p, r in zip(paths, remotes, strict=True)]
            order = list(range(len(paths)))
            rnd.shuffle(order)
            for i in order:
                apply(LocalLibrary(paths[i], ours=True), remotes[i], prepared[i])
            Library.create(root / "fresh", "Fresh")
            with S3Remote(url, endpoint=server.endpoint_url) as r:
                sync(LocalLibrary(root / "fresh", ours=True), r)
            got = _lines(root / "fresh")
            for p in paths:
                for site, n in _lines(p).items():
                    lines += n
                    lost += max(0, n - got.get(site, 0))
    print(f"S3 soak (SeaweedFS, 3 pushers reading before writing): {runs} runs, {lines} lines pushed, "
          f"{lost} lost  target 0: {'ok' if lost == 0 else 'MISSED'}  ({time.perf_counter() - t0:.0f} s)")


def main() -> None:
    args = sys.argv[1:]
    if any(a in ("-h", "--help") for a in args) or any(not a.isdigit() for a in args[1:]) \
            or (args and args[0] not in PARTS and not args[0].isdigit()):
        sys.exit(f"usage: python bench/sync.py [{'|'.join(PARTS)}] [N] [BLOB_BYTES]  (see the docstring)")
    part = args.pop(0) if args and args[0] in PARTS else "all"
    if part == "soak":
        soak_s3(int(args[0]) if args else 50)
        return
    if part == "two-way":
        two_way(int(args[0]) if args else 500)
        return
    n = int(args[0]) if args else 10_000
    blob = int(args[1]) if len(args) > 1 else 1024
    base = os.environ.get("CAGETTE_BENCH_DIR")
    if base:
        Path(base).mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="cagette-bench-sync-", dir=base))
    try:
        if part in ("many", "all"):
            bench_many(n, blob, work)
        if part in ("large", "all"):
            bench_large(int(os.environ.get("CAGETTE_BENCH_LARGE_MB", "1024")), work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if part == "all":
        two_way()
        soak_s3(int(os.environ.get("CAGETTE_BENCH_SOAK_RUNS", "50")))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.library: the S3 server fixtures
    os.environ.setdefault("CAGETTE_HOME", tempfile.mkdtemp(prefix="cagette-bench-home-"))
    main()
