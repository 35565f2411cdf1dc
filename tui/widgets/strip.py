"""The frame strip of the capture screen: small pictures of the frames around the chosen one.

Each thumbnail is drawn in half blocks (the same in every terminal, so snapshots are stable), with
its number under it; the chosen frame is framed ``▶ n ◀`` and its picture underlined by ``▔``
marks, never told by colour alone. Thumbnails are made in a worker (``thumbnail``) and cached by
file name and modification time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style
from textual.widgets import Static

from cagette_tui.widgets.picture import HalfBlocks

THUMB_CELLS = (12, 4)  # width, height in cells (12 × 8 pixels)
GAP = 1


def thumbnail(path: Path, cells: tuple[int, int] = THUMB_CELLS) -> Any:
    """An RGB numpy image of *path* fitted to *cells* (twice as many pixel rows)."""
    import cv2

    from cagette.capture.stopmotion import read_image

    img = read_image(path)
    small = cv2.resize(img, (cells[0], cells[1] * 2), interpolation=cv2.INTER_AREA)
    return small[:, :, ::-1].copy()


class StripPicture:
    """A renderable: thumbnails side by side, their numbers under them, the chosen one marked."""

    def __init__(self, thumbs: list[tuple[int, Any]], chosen: int, cells: tuple[int, int] = THUMB_CELLS) -> None:
        self.thumbs = thumbs  # (frame number, RGB image or None)
        self.chosen = chosen
        self.cells = cells

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width, height = self.cells
        blocks = [HalfBlocks(img).lines if img is not None else None for _n, img in self.thumbs]
        blank = Segment(" " * width)
        gap = Segment(" " * GAP)
        for row in range(height):
            for k, lines in enumerate(blocks):
                if k:
                    yield gap
                if lines is None or row >= len(lines):
                    yield blank
                else:
                    yield from lines[row][:width]
            yield Segment.line()
        bold = Style(bold=True, reverse=True)
        for k, (number, _img) in enumerate(self.thumbs):
            if k:
                yield gap
            if number == self.chosen:
                yield Segment(f"▶ {number} ◀".center(width)[:width], bold)
            else:
                yield Segment(str(number).center(width)[:width])
        yield Segment.line()
        for k, (number, _img) in enumerate(self.thumbs):
            if k:
                yield gap
            yield Segment(("▔" * width) if number == self.chosen else blank.text)
        yield Segment.line()


class FrameStrip(Static):
    """Shows a :class:`StripPicture` (or a line of text when there is no frame)."""

    DEFAULT_CSS = "FrameStrip { height: auto; width: 1fr; }"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self.numbers: list[int] = []
        self.chosen = 0
        self.picture: StripPicture | None = None

    def slots(self) -> int:
        """How many thumbnails fit in the strip's width."""
        width = self.content_size.width or self.size.width or 60
        return max(1, (width + GAP) // (THUMB_CELLS[0] + GAP))

    def show(self, thumbs: list[tuple[int, Any]], chosen: int) -> None:
        self.numbers = [n for n, _img in thumbs]
        self.chosen = chosen
        self.picture = StripPicture(thumbs, chosen)
        self.update(self.picture)

    def show_text(self, text: str) -> None:
        self.numbers, self.chosen, self.picture = [], 0, None
        self.update(text)
