"""Turning what cagette makes into pictures: the plans kit's drawings, PDF cards and video frames.

* :func:`kit_picture` finds a picture in a plans kit folder from a list of candidates (a PNG the kit
  writes, a drawing of its ``guide.html`` named by its ``aria-label``, a PDF card), first found wins,
  so a newer kit's own picture (``view-from-lens.png``) replaces a stand-in by adding its name.
* SVG line drawings (the kit's hidden-line views: paths of straight segments) are drawn with Pillow at
  twice the size then reduced (anti-aliasing); PDF cards are rasterised by poppler's ``pdftoppm``.
* Small drawing helpers: captions over a frame as a player shows them, a waveform, labels.
"""

from __future__ import annotations

import base64
import io
import itertools
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cagette.errors import CagetteError
from cagette.i18n import _

WHITE = (255, 255, 255)
INK = (34, 34, 34)

_SVG_RE = re.compile(r"<svg\b(?P<head>[^>]*)>(?P<body>.*?)</svg>", re.S)
_IMG_RE = re.compile(r'<img\b[^>]*src="data:image/(?:png|jpeg);base64,(?P<data>[A-Za-z0-9+/=]+)"[^>]*>')
_ATTR_RE = re.compile(r'([\w:-]+)="([^"]*)"')
_NUM_RE = re.compile(r"-?\d*\.?\d+(?:[eE][-+]?\d+)?")


class PictureError(CagetteError):
    """A picture the guide needs could not be made."""


def font(size: int, bold: bool = False) -> Any:
    from PIL import ImageFont

    from cagette.locations import font_path

    return ImageFont.truetype(str(font_path(bold=bold)), size)


# ------------------------------------------------------------------ the kit


def kit_picture(kit: Path, candidates: Sequence[str], width: int = 1200) -> tuple[Any, str] | None:
    """The first of *candidates* found in *kit*: (Pillow image, the candidate), or None when none is there.

    A candidate is a file name (``view-from-lens.png``, ``framing-card.pdf``) or
    ``guide.html#LABEL``: the drawing of the kit's guide whose ``aria-label`` is LABEL.
    """
    from PIL import Image

    for name in candidates:
        file, _sep, label = name.partition("#")
        path = kit / file
        if not path.is_file():
            continue
        if label:
            found = html_picture(path.read_text(encoding="utf-8"), label, width)
            if found is not None:
                return found, name
        elif path.suffix.lower() == ".pdf":
            return pdf_picture(path, width), name
        else:
            with Image.open(path) as img:
                return img.convert("RGB"), name
    return None


def pdf_page_mm(pdf: Path) -> tuple[float, float]:
    """The first page's size in millimetres (its ``/MediaBox``)."""
    match = re.search(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]", pdf.read_bytes())
    if not match:
        raise PictureError(_("{pdf} has no page size.").format(pdf=pdf), _("Build the plans kit again."))
    x0, y0, x1, y1 = (float(v) for v in match.groups())
    return (x1 - x0) * 25.4 / 72, (y1 - y0) * 25.4 / 72


def html_picture(page: str, label: str, width: int) -> Any | None:
    """The drawing labelled *label* in an HTML page: an inline SVG, or an ``<img>`` with a data URL."""
    from PIL import Image

    for match in _SVG_RE.finditer(page):
        attrs = dict(_ATTR_RE.findall(match.group("head")))
        if attrs.get("aria-label") == label:
            return svg_picture(match.group(0), width)
    for match in _IMG_RE.finditer(page):
        attrs = dict(_ATTR_RE.findall(match.group(0)))
        if label in (attrs.get("alt"), attrs.get("id"), attrs.get("aria-label")):
            return Image.open(io.BytesIO(base64.b64decode(match.group("data")))).convert("RGB")
    return None


def _path_lines(d: str) -> list[list[tuple[float, float]]]:
    """The polylines of an SVG path made of straight moves (M, L, H, V, Z, absolute or relative)."""
    lines: list[list[tuple[float, float]]] = []
    x = y = 0.0
    start = (0.0, 0.0)
    for cmd, args in re.findall(r"([MmLlHhVvZzCcSsQqTt])([^MmLlHhVvZzCcSsQqTt]*)", d):
        nums = [float(n) for n in _NUM_RE.findall(args)]
        rel = cmd.islower()
        c = cmd.upper()
        if c == "Z":
            if lines:
                lines[-1].append(start)
            x, y = start
            continue
        step = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2}[c]
        for i in range(0, len(nums) - step + 1, step):
            chunk = nums[i:i + step]
            if c == "H":
                x = x + chunk[0] if rel else chunk[0]
            elif c == "V":
                y = y + chunk[0] if rel else chunk[0]
            else:  # curves are drawn as a straight line to their end point (the kit draws none)
                ex, ey = chunk[-2], chunk[-1]
                x, y = (x + ex, y + ey) if rel else (ex, ey)
            if c == "M" and i == 0:
                lines.append([(x, y)])
                start = (x, y)
            elif lines:
                lines[-1].append((x, y))
            else:
                lines.append([(x, y)])
    return [line for line in lines if len(line) > 1]


def _dashed(line: list[tuple[float, float]], dash: tuple[float, float]) -> list[list[tuple[float, float]]]:
    on, off = dash
    out: list[list[tuple[float, float]]] = []
    for (x0, y0), (x1, y1) in itertools.pairwise(line):
        length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
        t = 0.0
        while t < length:
            a, b = t / length, min(t + on, length) / length
            out.append([(x0 + (x1 - x0) * a, y0 + (y1 - y0) * a), (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b)])
            t += on + off
    return out


def svg_picture(svg: str, width: int = 1200) -> Any:
    """A line drawing (``<path>``, ``<line>``, ``<polyline>`` with strokes) drawn on white."""
    from PIL import Image, ImageDraw

    head = dict(_ATTR_RE.findall(svg[:svg.index(">")]))
    try:
        vx, vy, vw, vh = (float(v) for v in head["viewBox"].replace(",", " ").split())
    except (KeyError, ValueError):
        raise PictureError(_("A drawing of the plans kit has no viewBox."),
                           _("Build the kit again with `cagette plans build`.")) from None
    big = 2 * width
    scale = big / vw
    img = Image.new("RGB", (big, max(1, round(vh * scale))), WHITE)
    d = ImageDraw.Draw(img)
    for tag, attrs_text in re.findall(r"<(path|line|polyline|polygon)\b([^>]*)/?>", svg):
        attrs = dict(_ATTR_RE.findall(attrs_text))
        if tag == "path":
            lines = _path_lines(attrs.get("d", ""))
        elif tag == "line":
            lines = [[(float(attrs.get("x1", 0)), float(attrs.get("y1", 0))),
                      (float(attrs.get("x2", 0)), float(attrs.get("y2", 0)))]]
        else:
            nums = [float(n) for n in _NUM_RE.findall(attrs.get("points", ""))]
            pts = list(zip(nums[::2], nums[1::2], strict=False))
            lines = [pts + pts[:1] if tag == "polygon" else pts]
        colour = _colour(attrs.get("stroke", "#222"))
        if colour is None:
            continue
        stroke = float(attrs.get("stroke-width", 1) or 1)
        dash = [float(n) for n in _NUM_RE.findall(attrs.get("stroke-dasharray", ""))]
        if len(dash) >= 2:
            lines = [part for line in lines for part in _dashed(line, (dash[0], dash[1]))]
        px = max(2, round(stroke * scale))
        for line in lines:
            d.line([((px_x - vx) * scale, (px_y - vy) * scale) for px_x, px_y in line], fill=colour, width=px)
    img = img.resize((width, max(1, img.height // 2)), Image.Resampling.LANCZOS)
    return trim(img)


def _colour(value: str) -> tuple[int, int, int] | None:
    value = value.strip()
    if value in ("none", "transparent"):
        return None
    if re.fullmatch(r"#[0-9a-fA-F]{3}", value):
        return tuple(int(c * 2, 16) for c in value[1:])  # type: ignore[return-value]
    if re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        return tuple(int(value[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]
    return INK


def pdf_picture(pdf: Path, width: int = 1200, page: int = 1, trim_margin: int | None = 16) -> Any:
    """Page *page* of *pdf* rasterised by ``pdftoppm`` (poppler-utils), *width* pixels wide, trimmed to
    its drawing with *trim_margin* pixels around (None: the whole page)."""
    from PIL import Image

    exe = shutil.which("pdftoppm")
    if exe is None:
        raise PictureError(_("pdftoppm is missing: the guide's pictures of the plans' cards need it."),
                           _("Install the Debian package poppler-utils (scripts/system-deps.sh demo)."))
    with tempfile.TemporaryDirectory(prefix="cagette-pdf-") as tmp:
        out = Path(tmp) / "page"
        res = subprocess.run([exe, "-png", "-f", str(page), "-l", str(page), "-scale-to-x", str(width),
                              "-scale-to-y", "-1", "-singlefile", str(pdf), str(out)], capture_output=True,
                             text=True, timeout=120)
        png = out.with_suffix(".png")
        if res.returncode or not png.is_file():
            raise PictureError(_("pdftoppm could not read {pdf}: {error}").format(pdf=pdf, error=res.stderr[-300:]),
                               _("Build the plans kit again with `cagette plans build`."))
        with Image.open(png) as img:
            rgb = img.convert("RGB")
    return rgb if trim_margin is None else trim(rgb, trim_margin)


def trim(img: Any, margin: int = 16) -> Any:
    """*img* cropped to what is not white, with a white margin."""
    from PIL import ImageChops, ImageOps

    box = ImageChops.invert(ImageOps.grayscale(img)).point(lambda v: 255 if v > 12 else 0).getbbox()
    if not box:
        return img
    x0, y0, x1, y1 = box
    return ImageOps.expand(img.crop(box), border=margin, fill=WHITE) if (x1 - x0) * (y1 - y0) else img


# ------------------------------------------------------------------ drawing helpers


def wrap_lines(text: str, fnt: Any, width: float) -> list[str]:
    """*text* cut into lines that fit *width* pixels in *fnt*."""
    lines: list[str] = []
    for word in text.split():
        if lines and fnt.getlength(lines[-1] + " " + word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def caption_overlay(frame: Any, lines: Sequence[str]) -> Any:
    """*frame* with caption *lines* at the bottom, white on a dark box, as a video player shows them."""
    from PIL import Image, ImageDraw

    img = frame.convert("RGBA")
    size = max(14, img.height // 16)
    fnt = font(size)
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    y = img.height - img.height // 12 - len(lines) * (size + 8)
    for line in lines:
        w = fnt.getlength(line)
        x = (img.width - w) / 2
        d.rectangle((x - 8, y - 3, x + w + 8, y + size + 5), fill=(0, 0, 0, 200))
        d.text((x, y), line, font=fnt, fill=(255, 255, 255, 255))
        y += size + 8
    return Image.alpha_composite(img, layer).convert("RGB")


def waveform(samples: Sequence[float], size: tuple[int, int], colour: tuple[int, int, int] = (29, 94, 140)) -> Any:
    """A waveform of *samples* (−1..1): the peak of each column, mirrored, on white."""
    from PIL import Image, ImageDraw

    w, h = size
    img = Image.new("RGB", size, WHITE)
    d = ImageDraw.Draw(img)
    d.line((0, h / 2, w, h / 2), fill=(200, 200, 200), width=1)
    n = max(1, len(samples) // w)
    for x in range(w):
        chunk = samples[x * n:(x + 1) * n]
        peak = max((abs(s) for s in chunk), default=0.0)
        d.line((x, h / 2 - peak * h * 0.45, x, h / 2 + peak * h * 0.45), fill=colour, width=1)
    return img


def label(img: Any, text: str, at: tuple[float, float], size: int = 22, fill: tuple[int, int, int] = INK,
          box: tuple[int, int, int] | None = WHITE) -> None:
    """Write *text* at *at* on *img* (in place), on a light box so it reads over a drawing."""
    from PIL import ImageDraw

    d = ImageDraw.Draw(img)
    fnt = font(size, bold=True)
    x, y = at
    if box is not None:
        left, top, right, bottom = d.textbbox((x, y), text, font=fnt)
        d.rectangle((left - 5, top - 4, right + 5, bottom + 4), fill=box)
    d.text((x, y), text, font=fnt, fill=fill)
