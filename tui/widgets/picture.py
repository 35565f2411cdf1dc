"""Pictures drawn with coloured half-block characters, the same in any terminal.

Two pixels per cell (▀ with a foreground and a background colour), so the
snapshots are identical inside and outside a terminal. Still pictures go
through rich-pixels; the live camera view uses :class:`HalfBlocks`, a numpy
version about ten times faster, built in a worker thread so the UI thread
only swaps it in.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.color import Color
from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style
from textual.widget import Widget


class HalfBlocks:
    """A renderable of an RGB numpy image (height even): one ▀ cell per two pixel rows."""

    _styles: ClassVar[dict[tuple[int, ...], Style]] = {}

    def __init__(self, rgb: Any) -> None:
        self.lines: list[list[Segment]] = []
        h = rgb.shape[0] - rgb.shape[0] % 2
        quantised = rgb[:h] & 0xF8  # 32 levels a channel: far fewer distinct styles to build
        top = quantised[0:h:2].tolist()
        bottom = quantised[1:h:2].tolist()
        styles = self._styles
        for trow, brow in zip(top, bottom, strict=True):
            line = []
            for t, b in zip(trow, brow, strict=True):
                key = (*t, *b)
                style = styles.get(key)
                if style is None:
                    style = Style(color=Color.from_rgb(*t), bgcolor=Color.from_rgb(*b))
                    if len(styles) < 50000:
                        styles[key] = style
                line.append(Segment("▀", style))
            self.lines.append(line)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.lines:
            yield from line
            yield Segment.line()


def fit(width: int, height: int, max_cells_w: int, max_cells_h: int) -> tuple[int, int]:
    """Pixel size (even height) of a *width* × *height* image fitted into cells, proportions kept."""
    scale = min(max_cells_w / max(1, width), (2 * max_cells_h) / max(1, height))
    return max(1, int(width * scale)), max(2, int(height * scale) // 2 * 2)


def renderable_from_bgr(img: Any, width: int, height: int) -> HalfBlocks:
    """A BGR numpy image (OpenCV's order) as half blocks of at most *width* × *height* cells."""
    import cv2

    w, h = fit(img.shape[1], img.shape[0], width, height)
    small = cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA)
    if small.ndim == 2:
        small = cv2.cvtColor(small, cv2.COLOR_GRAY2BGR)
    return HalfBlocks(small[:, :, ::-1])


def renderable_from_pil(image: Any, width: int, height: int) -> Any:
    """A PIL image fitted into *width* × *height* cells with rich-pixels (half blocks)."""
    from rich_pixels import Pixels

    return Pixels.from_image(image.convert("RGB"), resize=fit(image.size[0], image.size[1], width, height))


class Picture(Widget):
    """Shows a renderable (a picture, or a line of text before there is one) without re-laying out the screen."""

    DEFAULT_CSS = "Picture { width: 1fr; height: auto; } Picture:focus { border: round $accent; }"

    def __init__(self, content: Any = "", *, focusable: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.content = content
        self.can_focus = focusable

    def render(self) -> Any:
        return self.content

    def update(self, content: Any) -> None:
        self.content = content
        self.refresh()

    def show_pil(self, image: Any, width: int, height: int) -> None:
        self.update(renderable_from_pil(image, width, height))


# -- terminal graphics (Sixel, Kitty's protocol) where the terminal draws them -------------------

PICTURES_ENV = "CAGETTE_PICTURES"  # "halfblocks" never asks the terminal
_graphics: Any = None  # textual-image's widget class when the terminal draws real pictures


def may_draw_pictures(env: dict[str, str]) -> bool:
    """Whether the terminal (as its environment names it) may draw real pictures: only then is it asked,
    so every other terminal starts as fast as before."""
    if env.get(PICTURES_ENV, "").lower() == "halfblocks":
        return False
    term, program = env.get("TERM", ""), env.get("TERM_PROGRAM", "")
    return (term in ("xterm-kitty", "foot", "foot-extra", "mlterm", "xterm-sixel") or "KITTY_WINDOW_ID" in env
            or "KONSOLE_VERSION" in env or program in ("WezTerm", "iTerm.app", "mintty", "ghostty"))


def prepare_graphics(env: dict[str, str] | None = None) -> str:
    """Ask the terminal, before the app takes it, whether it draws pictures; returns "sixel", "tgp" or
    "halfblocks" (what the still pictures will use; the live view is always half blocks)."""
    import os

    global _graphics
    if not may_draw_pictures(dict(os.environ) if env is None else env):
        return "halfblocks"
    from textual_image import renderable
    from textual_image.widget import SixelImage, TGPImage

    if renderable.Image is renderable.SixelImage:
        _graphics = SixelImage
        return "sixel"
    if renderable.Image is renderable.TGPImage:
        _graphics = TGPImage
        return "tgp"
    return "halfblocks"


def still_widget(image: Any, **kwargs: Any) -> Any:
    """A widget showing the PIL *image*: the terminal's own pictures when it draws them, else None
    (the caller draws half blocks)."""
    if _graphics is None:
        return None
    return _graphics(image, **kwargs)
