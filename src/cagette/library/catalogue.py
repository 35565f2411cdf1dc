"""A static website of the library that works opened from a USB stick.

``OUT/index.html`` lists every resource with a search box; ``OUT/r/<id>.html``
is a page per resource: an HTML5 player with its captions, the description,
licence and credits, and the attribution chain; ``OUT/files/`` holds copies
of the files. Nothing is fetched at run time (``file://`` pages may not use
``fetch()``, and Chromium refuses ``<track>`` files from ``file://``): the
search index is embedded in ``index.html`` as JSON, and captions are
embedded in the pages as ``data:`` URLs.
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

from cagette.fsutil import staged_dir
from cagette.i18n import _, current_language
from cagette.library.index import Filters
from cagette.library.resources import LICENCES, Resource
from cagette.progress import Progress

CSS = """
:root { font-family: system-ui, sans-serif; color: #222; background: #fafaf7; }
body { max-width: 60rem; margin: 0 auto; padding: 1rem; }
header a { color: inherit; text-decoration: none; }
input[type=search] { width: 100%; font-size: 1.2rem; padding: .5rem; box-sizing: border-box; }
ul.results { list-style: none; padding: 0; }
ul.results li { display: flex; gap: 1rem; padding: .6rem 0; border-bottom: 1px solid #ddd; }
ul.results img { width: 8rem; height: 4.5rem; object-fit: cover; background: #eee; }
.meta { color: #666; font-size: .9rem; }
video { width: 100%; max-height: 70vh; background: #000; }
.licence { padding: .5rem; background: #eef3ee; border-radius: .3rem; }
"""

SEARCH_JS = r"""
(function () {
  var data = JSON.parse(document.getElementById('catalogue-data').textContent);
  var fold = function (s) { return (s || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase(); };
  var words = function (s) { return fold(s).match(/[\p{L}\p{N}_]+/gu) || []; };
  data.forEach(function (d) {
    d._tokens = words([d.title, d.description, (d.tags || []).join(' '), (d.authors || []).join(' '),
                       d.organisation].join(' '));
  });
  var list = document.getElementById('results');
  var count = document.getElementById('count');
  function render(items) {
    list.innerHTML = '';
    items.forEach(function (d) {
      var li = document.createElement('li');
      li.className = 'result';
      if (d.thumb) { var img = document.createElement('img'); img.src = d.thumb; img.alt = ''; li.appendChild(img); }
      var div = document.createElement('div');
      var a = document.createElement('a'); a.href = d.page; a.textContent = d.title; div.appendChild(a);
      var p = document.createElement('div'); p.className = 'meta';
      p.textContent = [d.kind_label, d.organisation, d.licence, d.language].filter(Boolean).join(' · ');
      div.appendChild(p); li.appendChild(div); list.appendChild(li);
    });
    count.textContent = items.length;
  }
  function search() {
    var q = words(document.getElementById('q').value);
    var kind = document.getElementById('kind').value;
    render(data.filter(function (d) {
      if (kind && d.kind !== kind) return false;
      return q.every(function (w) { return d._tokens.some(function (t) { return t.indexOf(w) === 0; }); });
    }));
  }
  document.getElementById('q').addEventListener('input', search);
  document.getElementById('kind').addEventListener('change', search);
  var params = new URLSearchParams(location.search);
  if (params.get('q')) document.getElementById('q').value = params.get('q');
  search();
})();
"""

LICENCE_URLS = {
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "CC-BY-ND-4.0": "https://creativecommons.org/licenses/by-nd/4.0/",
    "CC-BY-NC-4.0": "https://creativecommons.org/licenses/by-nc/4.0/",
    "CC-BY-NC-SA-4.0": "https://creativecommons.org/licenses/by-nc-sa/4.0/",
    "CC-BY-NC-ND-4.0": "https://creativecommons.org/licenses/by-nc-nd/4.0/",
}


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _json_script(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def _page(title: str, body: str, css_href: str) -> str:
    lang = current_language()
    return (f'<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(title)}</title>\n<link rel=\"stylesheet\" href=\"{css_href}\">\n</head>\n"
            f"<body>\n{body}\n</body>\n</html>\n")


def _safe_name(name: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    return name[:80] or "file"


def page_name(rid: str) -> str:
    """The page of a resource: its id, with ':' (refused by FAT USB sticks) as '~' (never in an id)."""
    return rid.replace(":", "~") + ".html"


def _file_name(f: Any) -> str:
    return f"{f.hash[:16]}-{_safe_name(f.name or f.role)}"


def _vtt_text(raw: bytes, media_type: str) -> str:
    text = raw.decode("utf-8", errors="replace").lstrip("\ufeff")
    if media_type == "text/vtt" or text.startswith("WEBVTT"):
        return text
    # SubRip → WebVTT: a header, and commas → dots in the timings
    body = re.sub(r"(\d\d:\d\d:\d\d),(\d\d\d)", r"\1.\2", text)
    return "WEBVTT\n\n" + body


def write_catalogue(lib: Any, out: Path, title: str | None = None, filters: Filters | None = None,
                    force: bool = False, progress: Progress | None = None) -> Path:
    """Write the static website of *lib* into *out* (refused if not empty, unless *force*)."""
    progress = progress or Progress()
    resources: list[Resource] = lib.search("", filters)
    title = title or _("Library of {site}").format(site=lib.site_name() or _("this site"))
    with staged_dir(Path(out), force) as stage:
        (stage / "files").mkdir()
        (stage / "r").mkdir()
        (stage / "style.css").write_text(CSS, encoding="utf-8")
        progress.start(_("Writing the catalogue"), len(resources))
        docs = []
        for r in resources:
            present = {f.hash for f in r.files if lib.objects.has(f.hash)}
            for f in r.files:
                if f.hash in present and f.role != "captions":
                    dest = stage / "files" / _file_name(f)
                    if not dest.exists():
                        shutil.copyfile(lib.objects.path(f.hash), dest)
                        os.chmod(dest, 0o644)
            thumb = next((f for f in r.files if f.role == "thumbnail" and f.hash in present), None)
            docs.append({"id": r.id, "title": r.title, "description": r.description[:500], "tags": list(r.tags),
                         "authors": list(r.authors), "organisation": r.organisation, "kind": r.kind,
                         "kind_label": _(r.kind), "licence": r.licence, "language": r.language,
                         "page": f"r/{page_name(r.id)}",
                         "thumb": f"files/{_file_name(thumb)}" if thumb else ""})
            (stage / "r" / page_name(r.id)).write_text(_resource_page(lib, r, present), encoding="utf-8")
            progress.advance()
        kinds = sorted({r.kind for r in resources})
        options = "".join(f'<option value="{_e(k)}">{_e(_(k))}</option>' for k in kinds)
        body = (f"<header><h1>{_e(title)}</h1></header>\n"
                f'<label for="q">{_e(_("Search"))}</label>\n'
                f'<input id="q" type="search" autofocus placeholder="{_e(_("title, tag, author…"))}">\n'
                f'<select id="kind" aria-label="{_e(_("kind"))}"><option value="">{_e(_("every kind"))}</option>'
                f"{options}</select>\n"
                f'<p class="meta"><span id="count">{len(docs)}</span> {_e(_("resources"))}</p>\n'
                f'<ul id="results" class="results"></ul>\n'
                f'<script id="catalogue-data" type="application/json">{_json_script(docs)}</script>\n'
                f"<script>{SEARCH_JS}</script>")
        (stage / "index.html").write_text(_page(title, body, "style.css"), encoding="utf-8")
        progress.finish()
    return Path(out)


def _resource_page(lib: Any, r: Resource, present: set[str]) -> str:
    parts = [f'<header><a href="../index.html">← {_e(_("Catalogue"))}</a></header>', f"<h1>{_e(r.title)}</h1>"]
    main = next((f for f in r.files if f.role == "main" and f.hash in present), None)
    thumb = next((f for f in r.files if f.role == "thumbnail" and f.hash in present), None)
    if main and main.media_type.startswith(("video/", "audio/")):
        tag = "video" if main.media_type.startswith("video/") else "audio"
        poster = f' poster="../files/{_file_name(thumb)}"' if thumb and tag == "video" else ""
        tracks = []
        for i, f in enumerate(c for c in r.files if c.role == "captions" and c.hash in present):
            with lib.objects.open(f.hash) as fh:
                vtt = _vtt_text(fh.read(), f.media_type)
            src = "data:text/vtt;base64," + base64.b64encode(vtt.encode("utf-8")).decode("ascii")
            lang = r.language or "fr"
            tracks.append(f'<track kind="captions" srclang="{_e(lang)}" label="{_e(f.name or lang)}" '
                          f'src="{src}"{" default" if i == 0 else ""}>')
        parts.append(f'<{tag} id="player" controls preload="metadata"{poster}>'
                     f'<source src="../files/{_file_name(main)}" type="{_e(main.media_type)}">'
                     + "".join(tracks) + f"</{tag}>")
    elif thumb:
        parts.append(f'<img src="../files/{_file_name(thumb)}" alt="" style="max-width:100%">')
    if r.description:
        parts += [f"<p>{_e(p)}</p>" for p in r.description.split("\n\n") if p.strip()]
    url = LICENCE_URLS.get(r.licence)
    lic = f'<a href="{url}" rel="license">{_e(r.licence)}</a>' if url else _e(r.licence)
    who = ", ".join(r.authors)
    parts.append(f'<p class="licence" id="licence">{_e(_("Licence"))}: {lic} — {_e(LICENCES.get(r.licence, ""))}'
                 f'<br><span id="credits">{_e(_("Credits"))}: {_e(who or "-")}'
                 f'{" (" + _e(r.organisation) + ")" if r.organisation else ""}</span></p>')
    length = f"{int(r.duration // 60)}:{int(r.duration % 60):02d}" if r.duration else ""
    meta = [_(r.kind), length, r.language, ", ".join(r.tags), r.created[:10]]
    parts.append(f'<p class="meta">{_e(" · ".join(m for m in meta if m))}</p>')
    chain = lib.chain(r.id)[1:]
    if chain:
        items = "".join(f'<li><a href="{page_name(c.id)}">{_e(c.title)}</a> — {_e(c.credit())}</li>'
                        for c in chain)
        parts.append(f"<h2>{_e(_('Adapted from'))}</h2><ul id=\"chain\">{items}</ul>")
    files = "".join(f'<li><a href="../files/{_file_name(f)}" download>{_e(f.name or f.role)}</a> '
                    f'<span class="meta">({_e(_(f.role))}, {f.size} B)</span></li>'
                    for f in r.files if f.hash in present and f.role != "captions")
    if files:
        parts.append(f"<h2>{_e(_('Files'))}</h2><ul>{files}</ul>")
    return _page(r.title, "\n".join(parts), "../style.css")
