"""A small PDF content-stream reader: enough to find rectangles drawn with ``re``."""

from __future__ import annotations

import base64
import re
import zlib
from pathlib import Path

STREAM = re.compile(rb"\bobj\s*<<((?:(?!endobj).)*?)>>\s*stream\r?\n(.*?)\s*endstream", re.S)
RE_OP = re.compile(rb"(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+re\b")


def page_streams(path: Path) -> list[bytes]:
    """Decoded content streams (those that draw: they contain operators)."""
    data = Path(path).read_bytes()
    out = []
    for head, body in STREAM.findall(data):
        if b"/Subtype" in head or b"/Length1" in head:
            continue  # images, fonts
        if b"ASCII85Decode" in head:
            body = body.strip()
            body = base64.a85decode(body[:-2] if body.endswith(b"~>") else body, ignorechars=b" \t\n\r")
        if b"FlateDecode" in head:
            try:
                body = zlib.decompress(body)
            except zlib.error:
                continue
        out.append(body)
    return out


def rectangles(path: Path) -> list[list[tuple[float, float, float, float]]]:
    """Per content stream, the (x, y, w, h) of every ``re`` operator."""
    return [[tuple(float(v) for v in m.groups()) for m in RE_OP.finditer(s)] for s in page_streams(path)]  # type: ignore[misc]


def page_count(path: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", Path(path).read_bytes()))


MEDIABOX = re.compile(rb"/MediaBox\s*\[\s*(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s*\]")


def page_sizes(path: Path) -> list[tuple[float, float]]:
    """(width, height) in points of every page's MediaBox."""
    return [(float(c) - float(a), float(d) - float(b)) for a, b, c, d in MEDIABOX.findall(Path(path).read_bytes())]
