"""Small modal questions: a file path (typed or picked in a tree), a line of text, a yes/no."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DirectoryTree, Input, Label, Static

from cagette.i18n import _

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{ width: 80%; max-width: 100; height: auto; max-height: 90%;
    border: thick $primary; background: $surface; padding: 1 2; }}
{name} .dialog-title {{ text-style: bold; padding-bottom: 1; }}
{name} .dialog-error {{ color: $error; }}
{name} DirectoryTree {{ height: 12; }}
{name} Horizontal {{ height: auto; padding-top: 1; }}
"""


class PathDialog(ModalScreen[Path | None]):
    """Ask for an existing file: type its path, or pick it in the tree below."""

    DEFAULT_CSS = DIALOG_CSS.format(name="PathDialog")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False)]

    def __init__(self, title: str, prompt: str, start: Path | None = None, folder: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.prompt = prompt
        self.start = start or Path.home()
        self.folder = folder

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, classes="dialog-title")
            yield Label(self.prompt)
            yield Input(id="path", placeholder=str(self.start))
            yield Static("", id="path-error", classes="dialog-error")
            yield DirectoryTree(self.start, id="tree")
            with Horizontal():
                yield Button(_("OK"), id="ok", variant="primary")
                yield Button(_("Cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()

    def on_directory_tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        self.query_one("#path", Input).value = str(event.path)

    def on_directory_tree_directory_selected(self, event: DirectoryTree.DirectorySelected) -> None:
        if self.folder:
            self.query_one("#path", Input).value = str(event.path)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._accept()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self._accept()
        else:
            self.dismiss(None)

    def _accept(self) -> None:
        raw = self.query_one("#path", Input).value.strip().strip('"').strip("'")
        if not raw:
            self.query_one("#path-error", Static).update(_("Type a path, or pick one in the list."))
            return
        path = Path(raw).expanduser()
        ok = path.is_dir() if self.folder else path.is_file()
        if not ok:
            what = _("No folder at {path}.") if self.folder else _("No file at {path}.")
            self.query_one("#path-error", Static).update(what.format(path=path))
            return
        self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextDialog(ModalScreen[str | None]):
    """Ask for one line of text."""

    DEFAULT_CSS = DIALOG_CSS.format(name="TextDialog")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False)]

    def __init__(self, title: str, prompt: str, value: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.prompt = prompt
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, classes="dialog-title")
            yield Label(self.prompt)
            yield Input(self.value, id="text")
            with Horizontal():
                yield Button(_("OK"), id="ok", variant="primary")
                yield Button(_("Cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#text", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(self.query_one("#text", Input).value if event.button.id == "ok" else None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question (Enter: yes, Esc: no)."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ConfirmDialog")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "no", show=False), Binding("y", "yes", show=False)]

    def __init__(self, title: str, text: str, yes: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, classes="dialog-title")
            yield Static(self.text)
            with Horizontal():
                yield Button(self.yes or _("Yes"), id="yes", variant="primary")
                yield Button(_("No"), id="no")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_yes(self) -> None:
        self.dismiss(True)

    def action_no(self) -> None:
        self.dismiss(False)
