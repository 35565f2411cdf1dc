"""Labelled fields of the storyboard's panels: each saved at once through the project API, with the
API's one-line message beside it when it refuses a value (then nothing is written).

A number is typed as text (``1.5`` or ``1,5``); what is not a number is refused here with a line
saying so, before the API is asked. The fields of a panel are described by :class:`Spec` rows, so
the panel, its saving and its tests read the same table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from cagette.i18n import _

PROBLEM = "✗ "


@dataclass(frozen=True)
class Spec:
    """One field: its widget id, its label (marked for translation), the API's name for it, and how the
    typed text is read: ``text``, ``number``, ``optional`` (a number, empty for the default) or ``list``
    (comma-separated)."""

    id: str
    label: str
    field: str
    parse: str = "text"
    kinds: frozenset[str] = frozenset()  # shot kinds it applies to (empty: every one)


class NotANumber(ValueError):
    pass


def parse(spec: Spec, text: str) -> Any:
    """The value *text* stands for (raises :class:`NotANumber` with the line to show)."""
    if spec.parse == "text":
        return text
    if spec.parse == "list":
        return [part.strip() for part in text.split(",") if part.strip()]
    raw = text.strip().replace(",", ".").replace("\u202f", "").replace(" ", "")
    if not raw and spec.parse == "optional":
        return None
    try:
        value = float(raw)
    except ValueError:
        if spec.parse == "optional":
            raise NotANumber(_("Type a number (such as 1.5), or leave it empty for the default.")) from None
        raise NotANumber(_("Type a number (such as 1.5).")) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise NotANumber(_("Type a number (such as 1.5)."))
    return value


def shown(value: Any) -> str:
    """A value as its field shows it."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class FieldRow(Vertical):
    """A label and its input on one line, the problem (if any) on the line below."""

    DEFAULT_CSS = """
    FieldRow { height: auto; }
    FieldRow > Horizontal { height: auto; }
    FieldRow .field-name { width: 16; padding: 1 1 0 0; color: $text-muted; }
    FieldRow Input { width: 1fr; }
    FieldRow .field-problem { color: $error; height: auto; }
    """

    def __init__(self, spec: Spec, value: str = "", placeholder: str = "", off: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(id=f"{spec.id}-row", **kwargs)
        self.spec = spec
        self.value = value
        self.placeholder = placeholder
        self.off = off

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label(_(self.spec.label), classes="field-name")
            yield Input(self.value, id=self.spec.id, placeholder=self.placeholder, disabled=self.off)
        yield problem_line(self.spec.id)


def problem_line(field_id: str) -> Static:
    """The line under a field where its problem shows (hidden while there is none)."""
    line = Static("", id=f"{field_id}-problem", classes="field-problem", markup=False)
    line.display = False
    return line


def show_problem(root: Widget, field_id: str, message: str) -> None:
    """Write *message* under the field (``✗`` first, so it is not told by colour alone); "" clears it."""
    for line in root.query(f"#{field_id}-problem").results(Static):
        line.update(PROBLEM + message if message else "")
        line.display = bool(message)


def problem_of(root: Widget, field_id: str) -> str:
    """The problem shown under a field ("" when none)."""
    for line in root.query(f"#{field_id}-problem").results(Static):
        return str(line.render()).removeprefix(PROBLEM)
    return ""


def set_value(field: Input, value: str) -> None:
    """Put *value* in *field* (its change message held back: this is not typing)."""
    if field.value != value:
        with field.prevent(Input.Changed):
            field.value = value
