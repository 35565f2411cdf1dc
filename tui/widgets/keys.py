"""A translated key bar (Textual's Footer shows binding texts fixed at import)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from cagette.i18n import _


class KeysBar(Static):
    """Shows ``key label`` pairs; labels are translated at each render."""

    DEFAULT_CSS = """
    KeysBar { dock: bottom; height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    def __init__(self, keys: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.keys = keys

    def render(self) -> Text:
        text = Text()
        for n, (key, label) in enumerate(self.keys):
            if n:
                text.append("  ")
            text.append(f" {key} ", style="reverse bold")
            text.append(" " + _(label))
        return text
