"""A level slider for the keyboard and the mouse: ←/→ (or a click on the bar) move it by steps.

The value is always written as a number beside the bar, never by colour alone, and the focused
slider is marked ``▶``.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.events import Click
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

BAR_CELLS = 20


class Slider(Widget, can_focus=True):
    DEFAULT_CSS = """
    Slider { height: 1; width: 100%; }
    Slider:focus { text-style: bold; background: $boost; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "step(-1)", show=False),
        Binding("right", "step(1)", show=False),
        Binding("home", "set(0)", show=False),
        Binding("end", "set(100)", show=False),
    ]

    value: reactive[float] = reactive(0.0)

    class Changed(Message):
        def __init__(self, slider: Slider, value: float) -> None:
            super().__init__()
            self.slider = slider
            self.value = value

    def __init__(self, label: str, value: float = 0.0, step: float = 5.0, maximum: float = 100.0,
                 unit: str = "%", **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]  # Widget's own keywords (id, classes…) pass through
        self.label = label
        self.step = step
        self.maximum = maximum
        self.unit = unit
        self.set_reactive(Slider.value, value)

    def cells(self) -> int:
        """The bar's length: what the width leaves after the label and the value."""
        room = (self.content_size.width or 40) - self._bar_start() - 7
        return max(4, min(BAR_CELLS, room))

    def _bar_start(self) -> int:
        return 2 + len(self.label) + 1

    def render(self) -> Text:
        cells = self.cells()
        filled = round(cells * self.value / self.maximum)
        text = Text("▶ " if self.has_focus else "  ")
        text.append(f"{self.label} ")
        text.append("█" * filled + "·" * (cells - filled))
        text.append(f" {self.value:.0f}" + (f" {self.unit}" if self.unit else ""))
        return text

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def action_step(self, direction: int) -> None:
        self._set(self.value + direction * self.step)

    def action_set(self, value: float) -> None:
        self._set(value)

    def on_click(self, event: Click) -> None:
        start, cells = self._bar_start(), self.cells()
        if start <= event.x < start + cells:
            self._set(round((event.x - start + 1) / cells * self.maximum / self.step) * self.step)

    def _set(self, value: float) -> None:
        value = max(0.0, min(self.maximum, value))
        if value != self.value:
            self.value = value
            self.post_message(self.Changed(self, value))
