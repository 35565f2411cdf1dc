"""A static website of the library that people browse by sight, and that works opened from a USB stick.

``OUT/index.html`` is a grid of thumbnails (title, duration, kind, organisation, language, licence) with a
search box and four facets; only one page of cards is in the document at a time, so 10,000 resources stay
fast. ``OUT/r/<id>.html`` is a page per resource: the player with its captions labelled by language, the
description, the transcript, the credits (written out properly when fields are missing), the licence,
whether people appear and their consent, the attribution chain as links, and the downloads;
``OUT/list.html`` lists every resource without JavaScript.

Nothing is fetched at run time (``file://`` pages may not use ``fetch()``, and Chromium refuses
``<track>`` files from ``file://``): the search data is ``OUT/data.js``, loaded by a ``<script>`` tag,
and captions are ``data:`` URLs. The pages are Jinja2 templates (``catalogue_site/``, autoescaped);
every text a person reads is translated here (:func:`ui_texts`).
"""

from __future__ import annotations

import functools
import json
import math
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cagette.fsutil import staged_dir
from cagette.i18n import _, current_language
from cagette.library.catalogue_pages import (
    LICENCE_URLS,
    duration_text,
    file_name,
    language_name,
    page_name,
    resource_context,
    thumbnail,
    tr,
)
from cagette.library.index import TOKEN_RE, Filters, fold
from cagette.library.resources import KIND_LABELS, Resource
from cagette.progress import Progress

if TYPE_CHECKING:
    from cagette.library.library import Library

__all__ = ["LICENCE_URLS", "PER_PAGE", "page_name", "write_catalogue"]

SITE = Path(__file__).with_name("catalogue_site")
PER_PAGE = 24
FACETS = ("kind", "organisation", "language", "licence")
FIELDS = ("page", "title", "thumb", "duration", "kind", "kind_label", "organisation", "language",
          "language_label", "licence", "people", "hay")


@functools.lru_cache(maxsize=1)
def environment() -> Any:
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(SITE)), autoescape=True,
                              trim_blocks=False, lstrip_blocks=False, undefined=jinja2.StrictUndefined)


def ui_texts() -> dict[str, str]:
    """Every word of the site's frame, in the current language."""
    return {
        "skip": _("Skip to the content"), "footer": _("Made with cagette. Each resource keeps its own licence."),
        "search_label": _("Search the catalogue"), "search": _("Search"),
        "search_help": _("Words of the title, the description, the tags or the authors; accents and case do "
                         "not matter."),
        "filters": _("Filters"), "clear_all": _("Clear the search and the filters"), "results": _("Resources"),
        "pages": _("Pages of results"), "previous": _("Previous page"), "next": _("Next page"),
        "noscript": _("Without JavaScript, the search does not work:"), "full_list": _("every resource in one list"),
        "breadcrumb": _("You are here"), "catalogue": _("Catalogue"),
        "no_player": _("This browser cannot play it here."), "download_it": _("Download the file."),
        "about": _("About"), "transcript": _("Transcript"), "credits_title": _("Credits and licence"),
        "licence": _("Licence:"), "adapted_from": _("Adapted from"), "downloads": _("Downloads"),
    }


def _count_texts() -> dict[str, str]:
    return {"none": _("No resource matches."), "one": _("1 resource"), "many": _("{n} resources"),
            "page": _("Page {page} of {pages}")}


def _count_text(n: int) -> str:
    from babel.numbers import format_decimal

    t = _count_texts()
    return t["none"] if n == 0 else t["one"] if n == 1 else t["many"].format(
        n=format_decimal(n, locale=current_language()))  # as the page's script writes it (toLocaleString)


def _hay(r: Resource) -> str:
    """The folded words a search matches, each after a space (prefix match: ``indexOf(' ' + word)``)."""
    text = " ".join([r.title, r.description[:2000], " ".join(r.tags), " ".join(r.authors), r.organisation])
    return " " + " ".join(dict.fromkeys(fold(w) for w in TOKEN_RE.findall(text)))


def _item(r: Resource, thumb: str, ui: str) -> dict[str, Any]:
    return {"page": f"r/{page_name(r.id)}", "title": r.title, "thumb": thumb, "duration": duration_text(r.duration),
            "kind": r.kind, "kind_label": tr(ui, KIND_LABELS.get(r.kind, r.kind)), "organisation": r.organisation,
            "language": r.language, "language_label": language_name(r.language, ui) if r.language else "",
            "licence": r.licence, "people": r.people, "hay": _hay(r)}


def _facets(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    labels = {"kind": (_("Kind"), _("every kind"), "kind_label"),
              "organisation": (_("Organisation"), _("every organisation"), "organisation"),
              "language": (_("Language"), _("every language"), "language_label"),
              "licence": (_("Licence"), _("every licence"), "licence")}
    out = []
    for key in FACETS:
        label, every, shown = labels[key]
        counts: dict[str, int] = {}
        names: dict[str, str] = {}
        for item in items:
            if item[key]:
                counts[item[key]] = counts.get(item[key], 0) + 1
                names[item[key]] = item[shown] or item[key]
        options = sorted(((v, names[v], n) for v, n in counts.items()), key=lambda o: fold(o[1]))
        out.append({"key": key, "label": label, "all": every, "options": options})
    return out


def _copy(src: Path, dest: Path) -> None:
    if not dest.exists():
        shutil.copyfile(src, dest)
        os.chmod(dest, 0o644)


def write_catalogue(lib: Library, out: Path, title: str | None = None, filters: Filters | None = None,
                    force: bool = False, progress: Progress | None = None) -> Path:
    """Write the static website of *lib* into *out* (refused if not empty, unless *force*)."""
    progress = progress or Progress()
    resources: list[Resource] = lib.search("", filters)
    ui = current_language()
    title = title or _("Library of {site}").format(site=lib.site_name() or _("this site"))
    env = environment()
    t = ui_texts()
    in_catalogue = {r.id for r in resources}
    with staged_dir(Path(out), force) as stage:
        for sub in ("files", "r", "thumbs"):
            (stage / sub).mkdir()
        shutil.copyfile(SITE / "style.css", stage / "style.css")
        shutil.copyfile(SITE / "catalogue.js", stage / "catalogue.js")
        progress.start(_("Writing the catalogue"), len(resources))
        page = env.get_template("resource.html")
        items = []
        for r in resources:
            present = {f.hash for f in r.files if lib.objects.has(f.hash)}
            for f in r.files:
                if f.hash in present:
                    _copy(lib.objects.path(f.hash), stage / "files" / file_name(f))
            thumb = thumbnail(lib, r, present, stage / "thumbs")
            items.append(_item(r, f"thumbs/{thumb}" if thumb else "", ui))
            context = resource_context(lib, r, present, in_catalogue, ui, thumb)
            html = page.render(lang=ui, root="../", t=t, page_title=f"{r.title} — {title}", **context)
            (stage / "r" / page_name(r.id)).write_text(html, encoding="utf-8")
            progress.advance()
        pages = max(1, math.ceil(len(items) / PER_PAGE))
        organisations = len({i["organisation"] for i in items if i["organisation"]})
        summary = (_("{count} from {orgs} organisations, to watch, download and adapt.") if organisations > 1 else
                   _("{count} to watch, download and adapt.")).format(count=_count_text(len(items)), orgs=organisations)
        index = env.get_template("index.html").render(
            lang=ui, root="", t=t, page_title=title, title=title, summary=summary, facets=_facets(items),
            first_page=items[:PER_PAGE], count_text=_count_text(len(items)), pages=pages,
            page_of=_count_texts()["page"].format(page=1, pages=pages))
        (stage / "index.html").write_text(index, encoding="utf-8")
        listing = env.get_template("list.html").render(lang=ui, root="", t=t, items=items,
                                                       page_title=_("Every resource of {title}").format(title=title))
        (stage / "list.html").write_text(listing, encoding="utf-8")
        data = {"lang": ui, "perPage": PER_PAGE, "facets": list(FACETS), "fields": list(FIELDS),
                "texts": _count_texts(), "items": [[i[k] for k in FIELDS] for i in items]}
        (stage / "data.js").write_text("window.CAGETTE_CATALOGUE = " + json.dumps(
            data, ensure_ascii=False, separators=(",", ":")) + ";\n", encoding="utf-8")
        progress.finish()
    return Path(out)

