"""A still picture in a panel: the terminal's own pictures where it draws them (Sixel, Kitty's protocol),
half blocks otherwise, a line of text before there is one. ``shown`` counts the pictures drawn."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical

from cagette_tui.widgets.picture import Picture, still_widget

CELLS = (32, 9)  # a 16:9 picture in 32 × 9 cells (two pixel rows a cell)


class Still(Vertical):
    DEFAULT_CSS = "Still { height: auto; width: 100%; } Still > Picture { width: 100%; height: auto; border: none; }"

    def __init__(self, text: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.text = text
        self.shown = 0
        self.image: Any = None

    def compose(self) -> ComposeResult:
        yield Picture(self.text)

    def show_text(self, text: str) -> None:
        self.image = None
        self.text = text
        self._clear_graphics()
        picture = self.query_one(Picture)
        picture.display = True
        picture.update(text)
        picture.refresh(layout=True)  # a line of text, then a picture: heights differ

    def show_image(self, image: Any) -> None:
        """Draw the PIL *image* (fitted into :data:`CELLS`)."""
        self.image = image
        self.shown += 1
        self._clear_graphics()
        graphic = still_widget(image)
        picture = self.query_one(Picture)
        if graphic is not None:
            graphic.styles.width, graphic.styles.height = CELLS
            picture.display = False
            self.mount(graphic)
            return
        picture.display = True
        picture.show_pil(image, *CELLS)
        picture.refresh(layout=True)

    def _clear_graphics(self) -> None:
        for child in list(self.children):
            if not isinstance(child, Picture):
                child.remove()
