"""A level slider for the keyboard and the mouse: ←/→ (or a click on the bar) move it by steps.

The value is always written as a number beside the bar, never by colour alone.
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
                 **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.label = label
        self.step = step
        self.maximum = maximum
        self.set_reactive(Slider.value, value)

    def render(self) -> Text:
        filled = round(BAR_CELLS * self.value / self.maximum)
        text = Text(f"{self.label} ")
        text.append("█" * filled + "·" * (BAR_CELLS - filled))
        text.append(f" {self.value:.0f} %")
        return text

    def action_step(self, direction: int) -> None:
        self._set(self.value + direction * self.step)

    def action_set(self, value: float) -> None:
        self._set(value)

    def on_click(self, event: Click) -> None:
        start = len(self.label) + 1
        if start <= event.x < start + BAR_CELLS:
            self._set(round((event.x - start + 1) / BAR_CELLS * self.maximum))

    def _set(self, value: float) -> None:
        value = max(0.0, min(self.maximum, value))
        if value != self.value:
            self.value = value
            self.post_message(self.Changed(self, value))
