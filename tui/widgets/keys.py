"""A translated key bar (Textual's Footer shows binding texts fixed at import).

Key names are translated too (Space → Espace, Del → Suppr, Esc → Échap…), and the bar wraps
onto as many lines as its keys need: no key is ever hidden off the edge.
"""

from __future__ import annotations

import re

from rich.text import Text
from textual.geometry import Size
from textual.widgets import Static

from cagette.i18n import N_, _

# The names of keys as the bars and the help write them, translated when shown.
KEY_NAMES = {
    "Space": N_("Space"), "Del": N_("Del"), "Esc": N_("Esc"), "Enter": N_("Enter"), "Shift": N_("Shift"),
    "Tab": N_("Tab"), "Home": N_("Home (key)"), "End": N_("End"), "Backspace": N_("Backspace"),
    "PgUp": N_("PgUp"), "PgDn": N_("PgDn"),
}
_TOKEN = re.compile(r"[A-Za-z]{2,}")


def key_name(key: str) -> str:
    """*key* (``Ctrl+Space``, ``Shift+↑/↓``, ``Del``) with each named key in the current language."""
    return _TOKEN.sub(lambda m: _(KEY_NAMES[m.group(0)]) if m.group(0) in KEY_NAMES else m.group(0), key)


def chips(keys: list[tuple[str, str]]) -> list[Text]:
    out = []
    for key, label in keys:
        chip = Text()
        chip.append(f" {key_name(key)} ", style="reverse bold")
        chip.append(" " + _(label))
        out.append(chip)
    return out


def lines(keys: list[tuple[str, str]], width: int) -> list[Text]:
    """The key chips laid out in lines of at most *width* cells (a chip is never cut in two)."""
    rows: list[Text] = []
    row = Text()
    for chip in chips(keys):
        if row.cell_len and row.cell_len + 2 + chip.cell_len > width:
            rows.append(row)
            row = Text()
        if row.cell_len:
            row.append("  ")
        row.append_text(chip)
    if row.cell_len or not rows:
        rows.append(row)
    return rows


class KeysBar(Static):
    """Shows ``key label`` pairs; labels and key names are translated at each render."""

    DEFAULT_CSS = """
    KeysBar { dock: bottom; height: auto; max-height: 4; background: $panel; color: $text; padding: 0 1; }
    """

    def __init__(self, keys: list[tuple[str, str]], only: tuple[str, ...] = (), **kwargs: object) -> None:
        """*only*: the keys of *keys* the bar shows (every one when empty), then "F1 every key";
        the help screen lists them all."""
        super().__init__(**kwargs)  # type: ignore[arg-type]  # Widget's own keywords (id, classes…) pass through
        if only:
            keys = [k for k in keys if k[0] in only]
            if not any(k == "F1" for k, _label in keys):
                keys.append(("F1", N_("every key")))
        self.keys = keys

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(lines(self.keys, max(1, width)))

    def render(self) -> Text:
        width = max(1, self.content_size.width or self.size.width or 80)
        return Text("\n").join(lines(self.keys, width))

    def text(self) -> str:
        """Every key and label of the bar in one line (for tests and the help screen)."""
        return "  ".join(chip.plain for chip in chips(self.keys))
