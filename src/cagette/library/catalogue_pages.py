"""What a resource page of the catalogue shows, worked out from the resource and its files.

Credits written as a sentence whatever fields are missing, captions labelled by their language's name
(Babel) and embedded as ``data:`` URLs, the transcript's text, the attribution chain with links to the
pages this catalogue has, the downloads with readable sizes, and small thumbnails for the grid.
"""

from __future__ import annotations

import base64
import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cagette.i18n import N_, _
from cagette.library.resources import KIND_LABELS, LANG_RE, LICENCES, PEOPLE_LABELS, ROLE_LABELS, FileRef, Resource

if TYPE_CHECKING:
    from cagette.library.library import Library

LICENCE_URLS = {
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "CC-BY-ND-4.0": "https://creativecommons.org/licenses/by-nd/4.0/",
    "CC-BY-NC-4.0": "https://creativecommons.org/licenses/by-nc/4.0/",
    "CC-BY-NC-SA-4.0": "https://creativecommons.org/licenses/by-nc-sa/4.0/",
    "CC-BY-NC-ND-4.0": "https://creativecommons.org/licenses/by-nc-nd/4.0/",
    "etalab-2.0": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    "LO-2.0": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
THUMB_SIZE = (320, 180)
MAX_TEXT = 256 * 1024  # a transcript or caption file read into a page, at most


@functools.lru_cache(maxsize=4096)
def tr(ui: str, message: str) -> str:
    """``_(message)`` in *ui*, looked up once per text (a catalogue asks for the same words 10,000 times)."""
    from cagette.i18n import language

    with language(ui):
        return _(message)


def page_name(rid: str) -> str:
    """The page of a resource: its id, with ':' (refused by FAT USB sticks) as '~' (never in an id)."""
    return rid.replace(":", "~") + ".html"


def _safe_name(name: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    return name[:80] or "file"


def file_name(f: FileRef) -> str:
    return f"{f.hash[:16]}-{_safe_name(f.name or f.role)}"


def licence_url(spdx: str) -> str:
    return LICENCE_URLS.get(spdx) or (f"https://spdx.org/licenses/{spdx}.html" if spdx in LICENCES else "")


def duration_text(seconds: float | None) -> str:
    """``1:05``, ``1:02:07``, or "" when unknown."""
    if not seconds:
        return ""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


@functools.lru_cache(maxsize=512)
def language_name(code: str, ui: str) -> str:
    """``fr`` → "Français" (in *ui*'s language), or the code itself when Babel does not know it."""
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(ui) or code
    except (ValueError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:]


@functools.lru_cache(maxsize=8)
def _decimal(ui: str) -> str:
    from babel.numbers import get_decimal_symbol

    return str(get_decimal_symbol(ui))


def human_size(n: int, ui: str) -> str:
    for unit, size in ((N_("GB"), 1e9), (N_("MB"), 1e6), (N_("kB"), 1e3)):
        if n >= size:
            return f"{n / size:.1f}".replace(".", _decimal(ui)) + "\u00a0" + tr(ui, unit)
    return tr(ui, N_("{n}\u00a0bytes")).format(n=n)


def who(r: Resource, ui: str) -> str:
    """The authors and the organisation as words: "Ana et Bo (Mairie)", "Mairie", or "" when neither."""
    from babel.lists import format_list

    names = format_list(list(r.authors), locale=ui) if r.authors else ""
    if names and r.organisation:
        return f"{names} ({r.organisation})"
    return names or r.organisation


def credits_text(r: Resource, ui: str) -> str:
    by = who(r, ui)
    return tr(ui, N_("By {who}.")).format(who=by) if by else tr(ui, N_("The author is not stated."))


def credit_line(r: Resource, ui: str) -> str:
    """How to credit it: ``« Title », Ana (Mairie), CC-BY-SA-4.0``."""
    by = who(r, ui) or tr(ui, N_("author not stated"))
    return tr(ui, N_("“{title}”, {who}, {licence}")).format(title=r.title, who=by, licence=r.licence)


def people_text(r: Resource, ui: str) -> str:
    if r.people in PEOPLE_LABELS:
        return tr(ui, N_("People: {state}.")).format(state=tr(ui, PEOPLE_LABELS[r.people]))
    return tr(ui, N_("Whether people appear in it is not stated."))


def _read(lib: Library, f: FileRef) -> str:
    with lib.objects.open(f.hash) as fh:
        return fh.read(MAX_TEXT).decode("utf-8", errors="replace").lstrip("\ufeff")


def vtt_text(raw: str, media_type: str) -> str:
    if media_type == "text/vtt" or raw.startswith("WEBVTT"):
        return raw
    # SubRip → WebVTT: a header, and commas → dots in the timings
    return "WEBVTT\n\n" + re.sub(r"(\d\d:\d\d:\d\d),(\d\d\d)", r"\1.\2", raw)


def caption_language(f: FileRef, fallback: str) -> str:
    """The language a caption file names (``video.en.vtt`` → ``en``), else the resource's."""
    parts = (f.name or "").rsplit(".", 2)
    if len(parts) == 3 and LANG_RE.match(parts[1]) and len(parts[1]) <= 3:
        return parts[1]
    return fallback


def tracks(lib: Library, r: Resource, present: set[str], ui: str) -> list[dict[str, str]]:
    """One ``<track>`` per caption language (WebVTT preferred over its SubRip twin), labelled by name."""
    captions = sorted((f for f in r.files if f.role == "captions" and f.hash in present),
                      key=lambda f: (f.media_type != "text/vtt", f.name))
    out: list[dict[str, str]] = []
    seen: dict[str, int] = {}
    stems: set[tuple[str, str]] = set()
    for f in captions:
        lang = caption_language(f, r.language or ui)
        stem = (f.name or "").split(".")[0]
        if (lang, stem) in stems:
            continue  # the .srt beside a .vtt of the same captions
        stems.add((lang, stem))
        seen[lang] = seen.get(lang, 0) + 1
        label = language_name(lang, ui) + (f" ({seen[lang]})" if seen[lang] > 1 else "")
        data = base64.b64encode(vtt_text(_read(lib, f), f.media_type).encode("utf-8")).decode("ascii")
        out.append({"lang": lang, "label": label, "src": "data:text/vtt;base64," + data})
    return out


def thumbnail(lib: Library, r: Resource, present: set[str], folder: Path) -> str:
    """A 320×180 JPEG for the grid (from the thumbnail, else an image main file) in *folder*; its name."""
    source = next((f for f in r.files if f.role == "thumbnail" and f.hash in present), None)
    if source is None:
        source = next((f for f in r.files if f.role == "main" and f.hash in present
                       and f.media_type in ("image/jpeg", "image/png", "image/webp")), None)
    if source is None:
        return ""
    name = f"{source.hash[:20]}.jpg"
    dest = folder / name
    if dest.exists():
        return name
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(lib.objects.path(source.hash)) as img:
            img.draft("RGB", (THUMB_SIZE[0] * 2, THUMB_SIZE[1] * 2))  # JPEG: decode at a fraction of its size
            rgb = img.convert("RGB")
        w, h = rgb.size
        cw, ch = min(w, round(h * 16 / 9)), min(h, round(w * 9 / 16))  # the middle 16:9 of the picture
        small = rgb.crop(((w - cw) // 2, (h - ch) // 2, (w + cw) // 2, (h + ch) // 2))
        small.thumbnail(THUMB_SIZE, Image.Resampling.BILINEAR, reducing_gap=1.0)  # box-reduce, then resample
    except (OSError, UnidentifiedImageError, ValueError):
        return ""  # not a picture after all: the card shows its kind instead
    small.save(dest, quality=82, optimize=True)
    return name


def transcript_blocks(text: str, title: str) -> list[dict[str, str]]:
    """A plain-text transcript as blocks: ``{"heading": …}`` for an underlined line (``----``), else
    ``{"text": …}``; the underlined title that repeats the page's is left out."""
    out: list[dict[str, str]] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
        if len(lines) >= 2 and re.fullmatch(r"[=\-~]{3,}", lines[1]):
            if not (lines[1].startswith("=") and lines[0] == title):
                out.append({"heading": lines[0]})
            lines = lines[2:]
        if lines:
            out.append({"text": " ".join(lines)})
    return out


def _chain(lib: Library, r: Resource, in_catalogue: set[str], ui: str) -> list[dict[str, str]]:
    if not r.derived_from:
        return []
    out = []
    for c in lib.chain(r.id)[1:]:
        if c.tombstone:  # purged: only its id and licence remain, and it says so
            out.append({"title": tr(ui, N_("(erased at the request of its site)")), "page": "",
                        "credit": c.licence, "tombstone": "1"})
            continue
        out.append({"title": c.title or tr(ui, N_("(its description has not arrived yet)")),
                    "page": page_name(c.id) if c.id in in_catalogue and c.title else "",
                    "credit": credit_line(c, ui), "tombstone": ""})
    missing = [s for s in r.derived_from if lib.find(s) is None]
    out += [{"title": s, "page": "", "credit": tr(ui, N_("not in this library")), "tombstone": ""} for s in missing]
    return out


def resource_context(lib: Library, r: Resource, present: set[str], in_catalogue: set[str], ui: str,
                     thumb: str) -> dict[str, Any]:
    """Everything ``resource.html`` shows for *r*."""
    main = next((f for f in r.files if f.role == "main" and f.hash in present), None)
    poster = next((f for f in r.files if f.role == "thumbnail" and f.hash in present), None)
    player: dict[str, Any] | None = None
    picture: str | None = None
    captions: list[dict[str, str]] = []
    if main and main.media_type.startswith(("video/", "audio/")):
        tag = "video" if main.media_type.startswith("video/") else "audio"
        captions = tracks(lib, r, present, ui)
        player = {"tag": tag, "src": f"../files/{file_name(main)}", "type": main.media_type,
                  "poster": f"../files/{file_name(poster)}" if poster and tag == "video" else "",
                  "tracks": captions}
    elif main and main.media_type.startswith("image/"):
        picture = f"../files/{file_name(main)}"
    elif thumb:
        picture = f"../thumbs/{thumb}"
    transcript_file = next((f for f in r.files if f.role == "transcript" and f.hash in present), None)
    transcript = transcript_blocks(_read(lib, transcript_file), r.title) if transcript_file else []
    meta = [tr(ui, KIND_LABELS.get(r.kind, r.kind)), duration_text(r.duration),
            language_name(r.language, ui) if r.language else "", r.created[:10]]
    return {
        "r": r, "meta": " · ".join(m for m in meta if m), "player": player, "picture": picture,
        "picture_alt": tr(ui, N_("Picture of {title}")).format(title=r.title),
        "captions_note": tr(ui, N_("Captions: {languages}. Turn them on in the player's menu.")).format(
            languages=", ".join(c["label"] for c in captions)),
        "description": [p.strip() for p in r.description.split("\n\n") if p.strip()],
        "transcript": transcript, "credits": credits_text(r, ui), "licence_url": licence_url(r.licence),
        "licence_name": LICENCES.get(r.licence, ""), "people": people_text(r, ui),
        "reuse": tr(ui, N_("To reuse it, credit: {line}.")).format(line=credit_line(r, ui)),
        "chain": _chain(lib, r, in_catalogue, ui),
        "downloads": [{"href": f"../files/{file_name(f)}", "name": f.name or file_name(f),
                       "what": f"{tr(ui, ROLE_LABELS.get(f.role, f.role))}, {f.media_type}, {human_size(f.size, ui)}"}
                      for f in r.files if f.hash in present],
    }
