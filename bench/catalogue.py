"""The static catalogue at 10,000 resources: write time, index size, keystroke time in Chromium.

* write: ``write_catalogue`` (a page per resource from Jinja2 templates, thumbnails, the search data)
  against a floor measured in the same run: the same items dumped as JSON and one bare HTML page per
  resource written with ``str.format``. Files are shared between resources (200 thumbnails, 50 videos),
  so the copies do not hide the cost of the pages.
* size: ``index.html`` (one page of cards) and ``data.js`` (every resource's search fields).
* keystroke: in Chromium, from file://, the time from an ``input`` event to the grid and the count
  updated and laid out (``performance.now()`` around the event and a forced layout), for each prefix of
  a few words, against the same filter over the same array without touching the page. Target ≤ 100 ms.
"""

from __future__ import annotations

import io
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from cagette.library.catalogue import write_catalogue  # noqa: E402
from cagette.library.library import Library  # noqa: E402
from tests.library.helpers import Entry  # noqa: E402  (what cagette.starter.resources() yields)

N = 10_000
WORDS = [
    "démarche", "caméra", "éclairage", "scène", "découpage", "papier", "tournage", "montage", "voix",
    "sous-titres", "accueil", "mairie", "région", "école", "santé", "emploi", "logement", "transport",
    "vélo", "énergie", "déchets", "eau", "forêt", "élection", "budget", "citoyen", "numérique",
    "formulaire", "rendez-vous", "guichet", "atelier", "tutoriel", "gabarit", "guide", "plan", "lumière",
    "téléphone", "animation",
]
ORGS = ("Région Bretagne", "Ville de Lyon", "Département du Gers", "La 27e Région", "Mairie de Brest")
LICENCES = ("CC-BY-SA-4.0", "CC-BY-4.0", "CC0-1.0", "etalab-2.0")
QUERIES = ("mairie", "eau forêt", "tutoriel vélo")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]


def media(folder: Path, rng: random.Random) -> tuple[list[Path], list[Path], list[Path]]:
    from PIL import Image, ImageDraw

    folder.mkdir(parents=True)
    thumbs, videos, captions = [], [], []
    for n in range(200):
        img = Image.new("RGB", (640, 360), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
        ImageDraw.Draw(img).ellipse((200, 80, 440, 280), fill=(250, 240, 200))
        path = folder / f"thumb-{n}.jpg"
        img.save(path, quality=85)
        thumbs.append(path)
    for n in range(50):
        videos.append(folder / f"video-{n}.mp4")
        videos[-1].write_bytes(bytes(rng.randrange(256) for _ in range(4096)))
        captions.append(folder / f"video-{n}.vtt")
        captions[-1].write_text(f"WEBVTT\n\n00:00.000 --> 00:02.000\n{' '.join(rng.sample(WORDS, 5))}\n",
                                encoding="utf-8")
    return thumbs, videos, captions


def build(path: Path, rng: random.Random) -> Library:
    lib = Library.create(path / "lib", site_name="Bench")
    thumbs, videos, captions = media(path / "media", rng)
    entries = []
    for i in range(N):
        v = rng.randrange(len(videos))
        entries.append(Entry(
            id=f"r{i:05d}", kind="video", title=" ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 6))).capitalize(),
            files=[("main", videos[v]), ("captions", captions[v]), ("thumbnail", rng.choice(thumbs))],
            description=" ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 40))), tags=rng.sample(WORDS, 3),
            language=rng.choice(("fr", "en")), licence=rng.choice(LICENCES), organisation=rng.choice(ORGS),
            authors=[f"Auteur{rng.randint(1, 500)}"]))
    lib.import_entries(entries, source="bench")
    return lib


def floor(lib: Library, out: Path) -> None:
    out.mkdir()
    (out / "r").mkdir()
    items = []
    for r in lib.search(""):
        items.append([r.id, r.title, r.kind, r.organisation, r.language, r.licence])
        (out / "r" / f"{r.id}.html").write_text(
            f"<!doctype html><html lang=fr><title>{r.title}</title><h1>{r.title}</h1><p>{r.licence}</p></html>",
            encoding="utf-8")
    (out / "data.js").write_text("window.D=" + json.dumps(items, ensure_ascii=False), encoding="utf-8")


KEYSTROKE_JS = """
(queries) => {
  const q = document.getElementById('q');
  const times = [], bare = [];
  const C = window.CAGETTE_CATALOGUE, hay = C.fields.indexOf('hay');
  for (const text of queries) {
    for (let n = 1; n <= text.length; n++) {
      const t0 = performance.now();
      q.value = text.slice(0, n);
      q.dispatchEvent(new Event('input'));
      document.body.offsetHeight;  // the new grid laid out
      times.push(performance.now() - t0);
      const words = text.slice(0, n).toLowerCase().split(/\\s+/).filter(Boolean);
      const t1 = performance.now();
      C.items.filter(it => words.every(w => it[hay].indexOf(' ' + w) !== -1));
      bare.push(performance.now() - t1);
    }
  }
  return {times, bare, shown: document.querySelectorAll('#results li').length,
          count: document.getElementById('count').textContent};
}
"""


def keystrokes(index: Path) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        try:
            page = browser.new_page()
            start = time.perf_counter()
            page.goto(index.as_uri())
            page.wait_for_selector("#results li")
            load = time.perf_counter() - start
            result = page.evaluate(KEYSTROKE_JS, list(QUERIES))
        finally:
            browser.close()
    return {**result, "load": load}


def main() -> None:
    rng = random.Random(19)
    with tempfile.TemporaryDirectory(prefix="bench-catalogue-") as tmp_name:
        tmp = Path(tmp_name)
        start = time.perf_counter()
        lib = build(tmp, rng)
        made = time.perf_counter() - start
        lib.search("")
        start = time.perf_counter()
        floor(lib, tmp / "floor")
        ref = time.perf_counter() - start
        start = time.perf_counter()
        out = write_catalogue(lib, tmp / "site")
        ours = time.perf_counter() - start
        index_kb = (out / "index.html").stat().st_size / 1024
        data_kb = (out / "data.js").stat().st_size / 1024
        pages_kb = sum(p.stat().st_size for p in (out / "r").iterdir()) / 1024
        found = keystrokes(out / "index.html")
    times, bare = found["times"], found["bare"]
    assert isinstance(times, list) and isinstance(bare, list)
    med, worst, bare_med = statistics.median(times), max(times), statistics.median(bare)
    buf = io.StringIO()
    buf.write(f"library of {N} resources built in {made:.1f} s (import_entries, shared files)\n")
    buf.write(f"floor: json.dump + {N} bare pages        {ref:6.2f} s (reference)\n")
    buf.write(f"write_catalogue: {N} pages, thumbs, data {ours:6.2f} s  ratio {ours / ref:5.2f}x\n")
    buf.write(f"index.html {index_kb:.0f} kB (one page of {found['shown']} cards), data.js {data_kb:.0f} kB "
              f"({data_kb * 1024 / N:.0f} B a resource), resource pages {pages_kb / N:.1f} kB each\n")
    buf.write(f"Chromium, file://: load {found['load']:.2f} s; keystroke median {med:.1f} ms, worst {worst:.1f} ms "
              f"over {len(times)} keystrokes; the bare filter {bare_med:.1f} ms (reference), ratio "
              f"{med / max(bare_med, 0.01):.1f}x; target ≤ 100 ms: {'ok' if worst <= 100 else 'MISSED'}\n")
    print(buf.getvalue(), end="")


if __name__ == "__main__":
    main()
