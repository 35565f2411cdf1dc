"""Where burned text and the logo go in a frame: inside the title-safe area, never on top of each other.

The safe area is EBU R 95's graphics-safe area: 90 % of the width and of the
height, centred (5 % margins), applied to every preset whatever its shape.
Inside it each element has a zone of its own, computed once per frame size:

* the **logo** in the top-right corner;
* **titles** drawn over a shot at the top, kept clear of the logo on both sides (so they stay centred);
* **captions** at the bottom (when burned);
* the **lower third** just above the captions, on the left;
* **cards** (title, end and title shots) in the middle, clear of the logo band, the captions and a lower third.

:func:`fit` wraps a text to its zone's width and scales it down (never
below a readable floor) until it fits the zone's height; only a text that
still does not fit at the floor is shortened, with an ellipsis, and says so.
Sizes follow the smaller side of the frame, so a title is as big in a 9:16
story as in a 16:9 video, and wraps instead of shrinking.
"""

from __future__ import annotations

import itertools
import unicodedata
from dataclasses import dataclass

from cagette.video import phrases
from cagette.video import text as textmod

SAFE_MARGIN = 0.05  # EBU R 95 graphics-safe area: 90 % × 90 %
MIN_FONT_PX = 8
ELLIPSIS = "…"


@dataclass(frozen=True)
class Rect:
    x: int
    y: int
    w: int
    h: int

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h

    def overlaps(self, other: Rect) -> bool:
        return self.x < other.right and other.x < self.right and self.y < other.bottom and other.y < self.bottom

    def inside(self, other: Rect) -> bool:
        return self.x >= other.x and self.y >= other.y and self.right <= other.right and self.bottom <= other.bottom


@dataclass(frozen=True)
class Style:
    name: str
    bold: bool
    size: float  # preferred font size, as a fraction of the frame's smaller side
    min_size: float  # the floor, same unit
    max_lines: int
    align: str  # "center" or "left"
    anchor: str  # "top", "bottom" or "middle" of the zone
    box_rgb: tuple[int, int, int] | None = None
    box_alpha: float = 0.0


TITLE = Style("title", True, 1 / 14, 1 / 30, 3, "center", "top", (0, 0, 0), 0.55)
LOWER_THIRD = Style("lower_third", True, 1 / 20, 1 / 34, 2, "left", "bottom", (31, 42, 68), 0.85)
CAPTION = Style("caption", False, 1 / 18, 1 / 30, 2, "center", "bottom", (0, 0, 0), 0.6)
CARD = Style("card", True, 1 / 11, 1 / 30, 8, "center", "middle")


@dataclass(frozen=True)
class Line:
    text: str
    x: int  # left end of the line (drawtext's x)
    baseline: int  # drawtext's y with y_align=baseline
    width: int


@dataclass(frozen=True)
class TextBlock:
    """A text laid out: its lines, font size, and the area it covers (its background box, if any)."""

    lines: tuple[Line, ...]
    size: int
    bold: bool
    area: Rect
    box_rgb: tuple[int, int, int] | None = None
    box_alpha: float = 0.0
    shortened: bool = False

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass(frozen=True)
class Frame:
    """The zones of one frame size (see the module's description)."""

    width: int
    height: int
    safe: Rect
    logo: Rect | None
    title: Rect
    lower_third: Rect
    captions: Rect | None
    gap: int
    scale: float = 1.0  # < 1 when the frame is too small for the preferred sizes

    @property
    def unit(self) -> float:
        return min(self.width, self.height) * self.scale

    def card(self, lower_third: bool = False) -> Rect:
        """The zone of a card's text: centred, clear of the logo band, the captions and a lower third."""
        s = self.safe
        top = self.logo.h + self.gap if self.logo else 0
        bottom = s.bottom - self.captions.y + self.gap if self.captions else 0
        if lower_third:
            bottom = s.bottom - self.lower_third.y + self.gap
        inset = max(top, bottom)
        if s.h - 2 * inset >= _height(CARD, _px(CARD.size, self.unit), 2):
            return Rect(s.x, s.y + inset, s.w, s.h - 2 * inset)  # centred in the frame
        return Rect(s.x, s.y + top, s.w, max(1, s.h - top - bottom))  # centred between its neighbours


def _px(fraction: float, unit: float) -> int:
    return max(MIN_FONT_PX, round(fraction * unit))


def _pads(size: int) -> tuple[int, int]:
    return max(2, round(size * 0.35)), max(1, round(size * 0.2))


def _pitch(size: int, bold: bool) -> int:
    ascent, descent = textmod.metrics(size, bold)
    return ascent + descent + round(size * 0.08)


def _height(style: Style, size: int, lines: int) -> int:
    ascent, descent = textmod.metrics(size, style.bold)
    pad_y = _pads(size)[1] if style.box_rgb else 0
    return (lines - 1) * _pitch(size, style.bold) + ascent + descent + 2 * pad_y


def title_lines_for(width: int, height: int) -> int:
    """Lines a title over a shot may take: 3 in a landscape frame, 4 in a portrait or square one."""
    return 3 if width >= height * 1.2 else 4


def caption_lines(width: int, height: int) -> int:
    """Lines a burned caption may take: 2 in a landscape frame, 3 in a portrait or square one."""
    return 2 if width >= height * 1.2 else 3


def _even(x: float) -> int:
    return max(2, int(x) // 2 * 2)


def frame_layout(width: int, height: int, logo_size: tuple[int, int] | None = None,
                 captions: bool = False) -> Frame:
    """The zones of a *width* × *height* frame, with a logo of *logo_size* pixels and burned captions."""
    scale = 1.0
    while True:
        f = _frame(width, height, logo_size, captions, scale)
        title_floor = _height(TITLE, _px(TITLE.min_size, f.unit), 1)
        card_floor = _height(CARD, _px(CARD.min_size, f.unit), 1)
        if (f.title.h >= title_floor and f.card(lower_third=True).h >= card_floor) or scale < 0.3:
            return f
        scale *= 0.85


def _frame(width: int, height: int, logo_size: tuple[int, int] | None, captions: bool, scale: float) -> Frame:
    sx, sy = round(width * SAFE_MARGIN), round(height * SAFE_MARGIN)
    safe = Rect(sx, sy, width - 2 * sx, height - 2 * sy)
    unit = min(width, height) * scale
    gap = max(2, round(unit * 0.02))
    logo = None
    if logo_size and logo_size[0] > 0 and logo_size[1] > 0:
        lw0, lh0 = logo_size
        lh = _even(unit * 0.09)
        lw = _even(lh * lw0 / lh0)
        if lw > safe.w * 0.3:
            lw = _even(safe.w * 0.3)
            lh = _even(lw * lh0 / lw0)
        logo = Rect(safe.right - lw, safe.y, lw, lh)
    cap = None
    if captions:
        ch = _height(CAPTION, _px(CAPTION.size, unit), caption_lines(width, height))
        cap = Rect(safe.x, safe.bottom - ch, safe.w, ch)
    lh3 = _height(LOWER_THIRD, _px(LOWER_THIRD.size, unit), LOWER_THIRD.max_lines)
    title_lines = title_lines_for(width, height)
    lower_bottom = cap.y - gap if cap else safe.bottom
    lower = Rect(safe.x, lower_bottom - lh3, round(safe.w * 0.8), lh3)
    inset = logo.w + gap if logo else 0
    th = min(_height(TITLE, _px(TITLE.size, unit), title_lines), lower.y - gap - safe.y)
    title = Rect(safe.x + inset, safe.y, max(1, safe.w - 2 * inset), max(1, th))
    return Frame(width, height, safe, logo, title, lower, cap, gap, scale)


# --- fitting a text -------------------------------------------------------------------


def _clusters(word: str) -> list[str]:
    """*word* cut where it may be cut: never inside a base + combining marks, an emoji sequence or a flag."""
    out: list[str] = []
    join = False
    for ch in word:
        cat = unicodedata.category(ch)
        attach = out and (join or cat in ("Mn", "Me", "Cf") or 0xFE00 <= ord(ch) <= 0xFE0F
                          or 0x1F3FB <= ord(ch) <= 0x1F3FF
                          or (0x1F1E6 <= ord(ch) <= 0x1F1FF and len(out[-1]) == 1
                              and 0x1F1E6 <= ord(out[-1]) <= 0x1F1FF))
        if attach:
            out[-1] += ch
        else:
            out.append(ch)
        join = ch == "\u200d"
    return out


def _greedy(paragraph: str, size: int, bold: bool, max_w: int) -> list[str]:
    """Greedy wrap to *max_w* pixels; a word wider than a line is cut between characters."""
    lines: list[str] = []
    current = ""
    for word in (w for w in paragraph.split(" ") if w):
        candidate = f"{current} {word}" if current else word
        if textmod.width(candidate, size, bold) <= max_w:
            current = candidate
            continue
        if current:
            lines.append(current)
            current = ""
        if textmod.width(word, size, bold) <= max_w:
            current = word
            continue
        for piece in _clusters(word):
            if current and textmod.width(current + piece, size, bold) > max_w:
                lines.append(current)
                current = ""
            current += piece
    if current:
        lines.append(current)
    return lines


def wrap(paragraph: str, size: int, bold: bool, max_w: int, max_lines: int | None = None) -> list[str]:
    """One paragraph in few lines of at most *max_w* pixels, broken where a reader pauses
    (see :mod:`cagette.video.phrases`) and balanced; a word wider than a line is cut. More than
    *max_lines* lines are only laid out greedily (the caller will not use them)."""
    toks = phrases.tokens(paragraph)
    lines = phrases.balanced(toks, lambda x: textmod.width(x, size, bold), max_w, max_lines)
    if lines is not None and all(textmod.width(x, size, bold) <= max_w for x in lines):
        return lines
    return _greedy(paragraph, size, bold, max_w)


def _wrap_all(text: str, size: int, bold: bool, max_w: int, keep_lines: bool = False,
              max_lines: int | None = None) -> list[str]:
    """Every paragraph wrapped; with *keep_lines* (captions), lines that fit are kept as they are,
    else the whole text is wrapped again as one paragraph."""
    paragraphs = text.split("\n")
    if keep_lines:
        if all(textmod.width(p, size, bold) <= max_w for p in paragraphs):
            return paragraphs
        paragraphs = [" ".join(paragraphs)]
    out: list[str] = []
    for paragraph in paragraphs:
        out.extend(wrap(paragraph, size, bold, max_w, max_lines) or ([""] if out else []))
    while out and not out[-1]:
        out.pop()
    return out


def _bad_break(lines: list[str]) -> bool:
    """A line that ends on an article, a preposition or a pronoun (``… de la | mairie``)."""
    return any(phrases.break_cost(a.split(" ")[-1], b.split(" ")[0]) >= phrases.BAD_BREAK
               for a, b in itertools.pairwise(lines) if a and b)


def _shorten(line: str, size: int, bold: bool, max_w: int) -> str:
    pieces = _clusters(line)
    while pieces and textmod.width("".join(pieces).rstrip() + ELLIPSIS, size, bold) > max_w:
        pieces.pop()
    return "".join(pieces).rstrip() + ELLIPSIS


def fit(text: str, style: Style, zone: Rect, unit: float, max_lines: int | None = None,
        keep_lines: bool = False) -> TextBlock | None:
    """*text* wrapped and sized to *zone* (``None`` for an empty text); *keep_lines* keeps the text's own
    line breaks when its lines fit (captions). The preferred size when it fits, else the largest that
    does (never below the style's floor), else the floor with the text shortened."""
    text = textmod.clean(text)
    if not text:
        return None
    limit = max_lines or style.max_lines
    pref = _px(style.size, unit)
    floor = min(pref, _px(style.min_size, unit))

    def attempt(size: int, strict: bool = True) -> tuple[list[str], int] | None:
        pad_x = _pads(size)[0] if style.box_rgb else 0
        max_w = max(1, zone.w - 2 * pad_x)
        lines = _wrap_all(text, size, style.bold, max_w, keep_lines, limit)
        if len(lines) > limit and "\n" in text:  # more lines than room: the breaks give way first
            lines = _wrap_all(" ".join(text.split("\n")), size, style.bold, max_w, max_lines=limit)
        if len(lines) > limit or _height(style, size, len(lines)) > zone.h:
            return None
        if strict and _bad_break(lines):
            return None  # a smaller size may break the text where it reads well
        return lines, max_w

    done = attempt(pref)
    if done:
        return _place(done[0], style, zone, pref, shortened=False)
    # the largest size that breaks well (down to 80 %), else the largest that fits at all
    for low, strict in ((max(floor, round(pref * 0.8)), True), (floor, False)):
        lo, hi, found = low, pref, None
        while lo <= hi:
            mid = (lo + hi) // 2
            got = attempt(mid, strict)
            if got:
                found, lo = (mid, got[0]), mid + 1
            else:
                hi = mid - 1
        if found:
            return _place(found[1], style, zone, found[0], shortened=False)
    pad_x = _pads(floor)[0] if style.box_rgb else 0
    max_w = max(1, zone.w - 2 * pad_x)
    lines = _greedy(" ".join(text.split("\n")), floor, style.bold, max_w)
    room = 1
    while room < limit and _height(style, floor, room + 1) <= zone.h:
        room += 1
    kept = lines[:room]
    kept[-1] = _shorten(kept[-1], floor, style.bold, max_w)
    return _place(kept, style, zone, floor, shortened=True)


def _place(lines: list[str], style: Style, zone: Rect, size: int, shortened: bool) -> TextBlock:
    ascent = textmod.metrics(size, style.bold)[0]
    pad_x, pad_y = _pads(size) if style.box_rgb else (0, 0)
    pitch = _pitch(size, style.bold)
    height = _height(style, size, len(lines))
    if style.anchor == "top":
        top = zone.y
    elif style.anchor == "bottom":
        top = zone.bottom - height
    else:
        top = zone.y + (zone.h - height) // 2
    widths = [min(textmod.width(x, size, style.bold), zone.w - 2 * pad_x) for x in lines]
    placed = []
    for i, (line, w) in enumerate(zip(lines, widths, strict=True)):
        x = zone.x + pad_x if style.align == "left" else zone.x + (zone.w - w) // 2
        placed.append(Line(line, x, top + pad_y + ascent + i * pitch, w))
    left = min(p.x for p in placed) - pad_x
    right = max(p.x + p.width for p in placed) + pad_x
    area = Rect(left, top, right - left, height)
    return TextBlock(tuple(placed), size, style.bold, area, style.box_rgb, style.box_alpha, shortened)

