"""Library at 10,000 resources: search, listing and reindex, against references measured in the same run.

* search in process: the in-memory token index (accent- and case-insensitive, prefix, with filters) against
  TinyDB's own ``Query`` over the same documents (a folded substring test). Target <= 20 ms.
* search per process: what a new ``cagette library search`` pays to load the index (``local/search.bin``)
  and answer (target <= 150 ms), and its whole run against ``cagette --help`` (the interpreter and the CLI).
* ``list --json``: in process (target <= 500 ms), and a whole run against ``cagette --help``.
* reindex: rebuilding ``local/index.json`` from the logs (read + validate + merge + ``insert_multiple`` +
  one atomic write) against TinyDB's one-by-one ``insert`` with its ``JSONStorage``, measured on inserts
  into a table already holding the 10,000 documents and extrapolated (each insert rewrites the whole file,
  so n inserts cost about n/2 times the cost at full size).
"""

from __future__ import annotations

import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from cagette.library.index import Filters, fold  # noqa: E402
from cagette.library.library import Library  # noqa: E402
from cagette.library.resources import KINDS  # noqa: E402

N = 10_000
_TEXT = ("démarche caméra éclairage scène découpage papier tournage montage voix sous-titres accueil mairie "
         "région département école collège santé emploi logement transport vélo énergie déchets eau forêt "
         "élection budget citoyen numérique formulaire rendez-vous guichet atelier tutoriel gabarit guide "
         "plan boîte étagère lumière téléphone tablette storyboard animation image son musique écran")
WORDS = _TEXT.split()
ORGS = ("Région Bretagne", "Ville de Lyon", "Département du Gers", "La 27e Région", "Mairie de Brest",
        "Communauté de communes du Pays de Morlaix")
LICENCES = ("CC-BY-SA-4.0", "CC-BY-4.0", "CC0-1.0", "etalab-2.0")


def build(path: Path, rng: random.Random) -> Library:
    """N resources in one signed segment (bench/bulk.py: written in bulk, not measured)."""
    from bulk import add_all

    lib = Library.create(path, site_name="Bench")

    def items() -> Any:
        for i in range(N):
            desc = {"title": " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 6))).capitalize(),
                    "description": " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 40))),
                    "tags": rng.sample(WORDS, 3),
                    "authors": [f"Auteur{rng.randint(1, 500)} Nom{rng.randint(1, 500)}"]}
            yield desc, {
                "kind": rng.choice(KINDS), "language": rng.choice(("fr", "en")), "licence": rng.choice(LICENCES),
                "organisation": rng.choice(ORGS),
                "files": [{"role": "main", "hash": f"{rng.getrandbits(256):064x}", "size": rng.randint(1, 10**8),
                           "media_type": "video/mp4", "name": f"video-{i}.mp4"}]}

    add_all(lib, items())
    return lib


def per_process(lib: Library) -> tuple[float, float, float, float]:
    """A new process: index load + first search (timed inside it); whole runs of search, list --json, --help."""
    import subprocess

    code = ("import time,sys; t=time.perf_counter(); from cagette.library.library import Library; "
            "l=Library.open(sys.argv[1]); t0=time.perf_counter(); l.search('camera', limit=50); "
            "print(time.perf_counter()-t0)")
    loads = [float(subprocess.run([sys.executable, "-c", code, str(lib.path)], capture_output=True, text=True,
                                  check=True).stdout) for _ in range(5)]

    def wall(*args: str) -> float:
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "cagette", *args], stdout=subprocess.DEVNULL, check=True)
            best = min(best, time.perf_counter() - t0)
        return best

    return (statistics.median(loads), wall("--library", str(lib.path), "library", "search", "caméra"),
            wall("--library", str(lib.path), "library", "list", "--json"), wall("--help"))


def timed(fn, runs: int = 1) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    best = float("inf")
    result = None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main() -> None:
    from tinydb import Query, TinyDB
    from tinydb.storages import JSONStorage

    rng = random.Random(5)
    tmp = Path(tempfile.mkdtemp(prefix="cagette-bench-"))
    try:
        t0 = time.perf_counter()
        lib = build(tmp / "lib", rng)
        size = sum(p.stat().st_size for p in (lib.log_dir / lib.site_id()).iterdir())
        print(f"built a signed log of {N} resources in {time.perf_counter() - t0:.1f} s ({size / 1e6:.1f} MB)")

        reindex_s, _ = timed(lambda: (setattr(lib, "_state", None), lib.reindex()), runs=3)
        build_s, _ = timed(lambda: (setattr(lib, "_search", None), lib.search_path.unlink(missing_ok=True),
                                    lib.search_index()), runs=3)

        # reference: TinyDB one-by-one inserts with JSONStorage, measured at full size
        ref_path = tmp / "ref.json"
        docs = [dict(d) for d in lib.search_index().docs.values()]
        seed = TinyDB(ref_path, storage=JSONStorage)
        seed.table("resources").insert_multiple(docs)
        sample = 10
        t0 = time.perf_counter()
        for d in docs[:sample]:
            seed.table("resources").insert(dict(d, id=d["id"] + "-x"))
        per_insert = (time.perf_counter() - t0) / sample
        one_by_one_s = per_insert * N / 2

        queries = [("camera", Filters()), ("éclairage scène", Filters()), ("DEMARCHE", Filters.of(kinds=["video"])),
                   ("mairie", Filters.of(licences=["CC-BY-SA-4.0"], languages=["fr"])),
                   ("vo", Filters()), ("", Filters.of(organisations=["La 27e Région"])),
                   ("auteur12", Filters()), ("tutoriel gabarit guide", Filters.of(kinds=["guide", "template"]))]
        index = lib.search_index()
        ours, full = [], []
        for q, f in queries:
            t, _hits = timed(lambda q=q, f=f: index.search(q, f, limit=50), runs=5)
            ours.append(t)
            t, _hits = timed(lambda q=q, f=f: index.search(q, f), runs=5)
            full.append(t)
        # reference: TinyDB's own Query over the same documents (first three queries, folded substring test)
        db = TinyDB(ref_path, storage=JSONStorage)
        table = db.table("resources", cache_size=0)  # no query cache: every search really runs
        theirs = []
        for q, _f in queries[:3]:
            words = fold(q).split()
            res = Query()

            def test(title, words=words):  # type: ignore[no-untyped-def]
                return all(w in fold(title) for w in words)

            t, _hits = timed(lambda res=res, test=test: table.search(res.title.test(test)), runs=3)
            theirs.append(t)
        med_ours, max_ours = statistics.median(ours), max(ours)
        med_theirs = statistics.median(theirs)
        print(f"search (token index)      median {med_ours * 1000:7.2f} ms  max {max_ours * 1000:6.2f} ms  "
              f"(top 50, as `cagette library search`)  target < 20 ms: {'ok' if max_ours < 0.020 else 'MISSED'}")
        print(f"search, every hit ranked  median {statistics.median(full) * 1000:7.2f} ms  "
              f"max {max(full) * 1000:6.2f} ms")
        print(f"search (TinyDB Query)     median {med_theirs * 1000:7.2f} ms (reference)  "
              f"ratio {med_theirs / med_ours:7.0f}x faster")
        print(f"search index build        {build_s * 1000:7.1f} ms (tokenise, then kept in local/search.bin)")
        import io

        def listing() -> None:
            from cagette.commands._output import emit_json_list

            emit_json_list(Library.open(lib.path).resource_json(), io.StringIO())
        list_s, _ = timed(listing, runs=3)
        load_s, search_wall, list_wall, help_wall = per_process(lib)
        print(f"search per process        {load_s * 1000:7.1f} ms (a new process: load search.bin, search)  "
              f"target <= 150 ms: {'ok' if load_s <= 0.150 else 'MISSED'}")
        print(f"list --json in process    {list_s * 1000:7.1f} ms  target <= 500 ms: "
              f"{'ok' if list_s <= 0.5 else 'MISSED'}")
        print(f"whole commands            search {search_wall:5.2f} s, list --json {list_wall:5.2f} s, "
              f"cagette --help {help_wall:5.2f} s (reference)  ratios {search_wall / help_wall:4.2f}, "
              f"{list_wall / help_wall:4.2f}")
        f = tmp / "one.txt"
        f.write_text("one more")
        lib.search_index()
        add_s, _r = timed(lambda: lib.add([("main", f)], kind="guide", title="Encore un"))
        fresh = Library.open(lib.path)
        cold_add_s, _r = timed(lambda: (f.write_text("and another"),
                                        fresh.add([("main", f)], kind="guide", title="Et un autre")))
        print(f"add one resource at {N}: {add_s:5.2f} s in a warm process, {cold_add_s:5.2f} s in a fresh one "
              f"(logs replayed and merged; the index is rebuilt later, by the next read)")
        print(f"reindex (insert_multiple) {reindex_s:7.2f} s")
        print(f"reindex (one-by-one)      {one_by_one_s:7.1f} s (reference, extrapolated from {sample} inserts "
              f"at full size)  ratio {one_by_one_s / reindex_s:6.0f}x faster")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
