"""Controls whose state is written in a glyph as well as shown in colour.

Textual draws a radio button and a checkbox with the same glyph on and off (only the colour
changes) and a list's highlight as a background shade. Here a radio button is ``(●)`` on and
``( )`` off, a checkbox ``[✔]`` or ``[ ]``, and the highlighted item of a list starts with ``▶``:
readable in any theme, on a monochrome screen, or by someone who does not see colours.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.content import Content
from textual.geometry import Size
from textual.widgets import Checkbox, Label, ListItem, RadioButton

MARK = "▶ "
NO_MARK = "  "


class Wrapping:
    """A switch whose label wraps onto more lines instead of being cut at the edge (Textual keeps one line)."""

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self.render().wrap(max(1, width))))  # type: ignore[attr-defined]  # a mixin: render() is the toggle button's it is mixed into


class Check(Wrapping, Checkbox):
    """A checkbox whose box holds ``✔`` when on and nothing when off."""

    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = "✔" if self.value else " "
        return super()._button


class Radio(Wrapping, RadioButton):
    """A radio button whose button holds ``●`` when chosen and nothing when not."""

    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = "●" if self.value else " "
        return super()._button


class Item(ListItem):
    """A list item of one line of text, marked ``▶`` while highlighted."""

    def __init__(self, text: str, *, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self.text = text

    def compose(self) -> ComposeResult:
        yield Label(self._line(), markup=False)

    def _line(self) -> str:
        return (MARK if self.highlighted else NO_MARK) + self.text

    def set_text(self, text: str) -> None:
        self.text = text
        for label in self.query(Label):
            label.update(self._line())

    def watch_highlighted(self, value: bool) -> None:
        super().watch_highlighted(value)
        for label in self.query(Label):
            label.update(self._line())
