"""The bar at the top of every screen: the app's name and where you are.

Textual's Header updates its title from a watcher that fails when a screen is drawn again at once
(F2, or coming back to a screen); this bar is plain text, drawn with the screen.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static


class TitleBar(Static):
    DEFAULT_CSS = """
    TitleBar { dock: top; height: 1; background: $panel; color: $foreground; text-align: center; }
    """

    def render(self) -> Any:
        app = self.app
        text = Text(str(app.title), style="bold")
        if app.sub_title:
            text.append(f" — {app.sub_title}")
        return text
