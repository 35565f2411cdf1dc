"""What a merge brought to a resource, for the library screen: values lost to concurrent edits (and a
way to restore one), licences that conflict with a source's.

The values come from :meth:`cagette.library.library.Library.conflicts` and the flags from
:meth:`~cagette.library.library.Library.licence_flags`, the same calls ``cagette library show``
makes; a value is restored through :meth:`~cagette.library.library.Library.edit`, as the
``cagette library edit`` command that ``show`` prints would, after a question.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, ListView, Static

from cagette.i18n import _
from cagette_tui.screens.base import CagetteDialog
from cagette_tui.screens.dialogs import DIALOG_CSS
from cagette_tui.widgets.marks import Item


def value_text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or "—"
    text = str(value) if value not in (None, "") else "—"
    return text if len(text) <= 80 else text[:79] + "…"


def lost_line(c: dict[str, Any]) -> str:
    """One lost value: the field, the value, who wrote it and when."""
    return _("{field} = “{value}”, by {site} on {at}").format(
        field=c["field"], value=value_text(c["value"]), site=c["site_name"] or c["site"][:8], at=c["at"])


def merge_lines(library: Any, rid: str) -> list[str]:
    """The licence problems and the lost values of *rid*, in words and glyphs (⚠, ⇄)."""
    lines: list[str] = []
    for flag in library.licence_flags(rid):
        lines += ["", "⚠ " + _("Its licence conflicts with its source {source} ({licence}): {problem}").format(
            source=flag["source"], licence=flag["source_licence"], problem=flag["problem"])]
    lost = library.conflicts(rid)
    if lost:
        lines += ["", "⇄ " + _("Values lost to a concurrent edit (kept here; R restores one):")]
        lines += [f"  {n}. {lost_line(c)}" for n, c in enumerate(lost, start=1)]
    return lines


def restore_question(resource: Any, c: dict[str, Any]) -> str:
    current = getattr(resource, c["field"], None)
    return _("Set {field} of “{title}” back to “{value}” (written by {site} on {at})? Its value now, “{current}”, "
             "is replaced.").format(field=c["field"], title=resource.title, value=value_text(c["value"]),
                                    site=c["site_name"] or c["site"][:8], at=c["at"], current=value_text(current))


class RestoreDialog(CagetteDialog):
    """The lost values of a resource: choose the one to restore (Enter), or Esc."""

    DEFAULT_CSS = DIALOG_CSS.format(name="RestoreDialog") + "RestoreDialog ListView { height: auto; max-height: 10; }"
    AUTO_FOCUS = "#lost"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False)]

    def __init__(self, title: str, lost: list[dict[str, Any]]) -> None:
        super().__init__()
        self.title_text = title
        self.lost = lost

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(_("Restore a lost value of “{title}”").format(title=self.title_text), classes="dialog-title")
            yield Label(_("These values lost to an edit made at the same time elsewhere. Choose one to put it back:"))
            yield ListView(*[Item(lost_line(c), name=str(n)) for n, c in enumerate(self.lost)], id="lost")
            with Horizontal():
                yield Button(_("Restore this value"), id="ok", variant="primary")
                yield Button(_("Cancel"), id="cancel")

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        event.stop()
        self._choose()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self._choose()
        else:
            self.dismiss(None)

    def _choose(self) -> None:
        index = self.query_one("#lost", ListView).index
        self.dismiss(self.lost[index] if index is not None and 0 <= index < len(self.lost) else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
