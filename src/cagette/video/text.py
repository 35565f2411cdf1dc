"""Burned text: what people typed, made safe to draw, measured with the font that draws it.

Every text drawn into the picture (titles, lower thirds, captions, cards) goes
through :func:`clean` and then reaches ffmpeg's ``drawtext`` as a *file*
(``textfile=``) with ``expansion=none``: no character of it is ever parsed by
ffmpeg (a ``%`` stays a ``%``, ``%{pts}`` stays those seven characters,
quotes, colons, backslashes and braces are plain text). ``clean`` only turns
what a line of text cannot hold into something it can: line breaks of every
kind become ``\\n``, a tab a space, other control characters go.

Sizes are measured with Pillow on the same font file (FreeType, with
HarfBuzz/FriBiDi shaping through libraqm when Pillow has it, as ffmpeg's
drawtext does), so a line laid out here is the line ffmpeg draws.
:func:`missing_glyphs` lists the characters the font cannot draw (read from
its character map with fontTools), for ``cagette project check``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

from cagette import locations

_BREAKS = re.compile(r"\r\n|[\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
MAX_TEXT = 2000  # characters of one burned text: more cannot be read on screen anyway


def clean(text: str) -> str:
    """*text* as drawtext will show it: NFC, one kind of line break, no control characters, bounded."""
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates cannot reach a file
    text = unicodedata.normalize("NFC", _BREAKS.sub("\n", text)).replace("\t", " ")
    text = "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) != "Cc")
    lines = [line.strip() for line in text[:MAX_TEXT].split("\n")]
    return "\n".join(lines).strip("\n")


def font_file(bold: bool) -> Path:
    return locations.font_path(bold=bold)


@lru_cache(maxsize=64)
def font(size: int, bold: bool) -> Any:
    """The Pillow font drawtext uses, at *size* pixels (shaped like drawtext's when libraqm is there)."""
    from PIL import ImageFont, features

    engine = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
    return ImageFont.truetype(str(font_file(bold)), size, layout_engine=engine)


@lru_cache(maxsize=65536)
def width(text: str, size: int, bold: bool) -> int:
    """Advance width of one line, in pixels (rounded up)."""
    import math

    return math.ceil(font(size, bold).getlength(text)) if text else 0


def metrics(size: int, bold: bool) -> tuple[int, int]:
    """Ascent and descent of the font at *size* (pixels): a line's box is ascent + descent high."""
    ascent, descent = font(size, bold).getmetrics()
    return int(ascent), int(descent)


@lru_cache(maxsize=4)
def _cmap(bold: bool) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(str(font_file(bold)), lazy=True) as tt:
        return frozenset(tt.getBestCmap())


def missing_glyphs(text: str, bold: bool = True) -> list[str]:
    """Characters of *text* the font has no glyph for (in order, once each).

    Format characters (joiners, direction marks, variation selectors) and spaces
    are never drawn by themselves, so they are not counted."""
    have = _cmap(bold)
    out: list[str] = []
    for ch in clean(text):
        if ch.isspace() or unicodedata.category(ch) == "Cf" or _selector(ch):
            continue
        if ord(ch) not in have and ch not in out:
            out.append(ch)
    return out


def _selector(ch: str) -> bool:
    return 0xFE00 <= ord(ch) <= 0xFE0F or 0xE0100 <= ord(ch) <= 0xE01EF


def describe(chars: list[str]) -> str:
    """``"漢 (U+6F22), 🦩 (U+1F9A9)"``."""
    return ", ".join(f"{c} (U+{ord(c):04X})" for c in chars)
