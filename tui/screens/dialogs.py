"""Small modal questions: a file path (typed or picked in a tree), a line of text, a yes/no.

A file dialog opens in the folder last used for the same purpose (importing media, a voice-over,
publishing...), else in the project's folder; the tree hides dot files and can go up a folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DirectoryTree, Input, Label, Static

from cagette.i18n import _
from cagette_tui import memory
from cagette_tui.screens.base import CagetteDialog

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{ width: 90%; max-width: 100; height: auto; max-height: 100%;
    border: thick $primary; background: $surface; padding: 0 1; }}
{name} .dialog-title {{ text-style: bold; padding-bottom: 1; }}
{name} .dialog-error {{ color: $error; }}
{name} DirectoryTree {{ height: 1fr; min-height: 4; max-height: 12; }}
{name} Horizontal {{ height: auto; }}
{name} Horizontal Button {{ margin-right: 1; }}
"""


class FileTree(DirectoryTree):
    """A folder tree without dot files (and, when *exts* is given, only files of those kinds)."""

    def __init__(self, path: Path, exts: Iterable[str] | None = None, **kwargs: Any) -> None:
        super().__init__(path, **kwargs)
        self.exts = {e.lower() for e in exts} if exts else None

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        for p in paths:
            if p.name.startswith("."):
                continue
            if self.exts is not None and not p.is_dir() and p.suffix.lower() not in self.exts:
                continue
            yield p


def start_folder(purpose: str, fallback: Path | None) -> Path:
    """Where a dialog for *purpose* opens: the folder last used for it, else *fallback*, else the home folder."""
    chosen = memory.load().folder_for(purpose, fallback) if purpose else fallback
    return Path(chosen) if chosen is not None and Path(chosen).is_dir() else Path.home()


class PathDialog(CagetteDialog):
    """Ask for an existing file (or folder): type its path, or pick it in the tree below."""

    DEFAULT_CSS = DIALOG_CSS.format(name="PathDialog")
    AUTO_FOCUS = "#path"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False),
                                             Binding("ctrl+u", "up", show=False)]

    def __init__(self, title: str, prompt: str, start: Path | None = None, folder: bool = False, *,
                 purpose: str = "", exts: Iterable[str] | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.prompt = prompt
        self.purpose = purpose
        self.start = start_folder(purpose, start)
        self.folder = folder
        self.exts = list(exts) if exts else None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, classes="dialog-title")
            yield Label(self.prompt)
            yield Input(str(self.start) + os.sep, id="path")
            yield Static("", id="path-error", classes="dialog-error")
            yield FileTree(self.start, self.exts, id="tree")
            with Horizontal():
                yield Button(_("OK"), id="ok", variant="primary")
                yield Button(_("Parent folder (Ctrl+U)"), id="up")
                yield Button(_("Cancel"), id="cancel")

    def on_directory_tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        self.query_one("#path", Input).value = str(event.path)
        if not self.folder:
            self._accept()

    def on_directory_tree_directory_selected(self, event: DirectoryTree.DirectorySelected) -> None:
        self.query_one("#path", Input).value = str(event.path) + os.sep

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._accept()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self._accept()
        elif event.button.id == "up":
            self.action_up()
        else:
            self.dismiss(None)

    def action_up(self) -> None:
        tree = self.query_one("#tree", FileTree)
        parent = Path(tree.path).parent
        tree.path = parent
        self.query_one("#path", Input).value = str(parent) + os.sep

    def _accept(self) -> None:
        raw = self.query_one("#path", Input).value.strip().strip('"').strip("'")
        if not raw:
            self.query_one("#path-error", Static).update(_("Type a path, or pick one in the list."))
            return
        path = Path(raw).expanduser()
        if not self.folder and path.is_dir():  # a folder typed: show its files in the tree
            self.query_one("#tree", FileTree).path = path
            self.query_one("#path-error", Static).update(_("Choose a file in {folder}.").format(folder=path))
            return
        ok = path.is_dir() if self.folder else path.is_file()
        if not ok:
            what = _("No folder at {path}.") if self.folder else _("No file at {path}.")
            self.query_one("#path-error", Static).update(what.format(path=path))
            return
        if self.purpose:
            folder = path if self.folder else path.parent
            memory.remember(lambda s: s.with_folder(self.purpose, folder))
        self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextDialog(CagetteDialog):
    """Ask for one line of text."""

    DEFAULT_CSS = DIALOG_CSS.format(name="TextDialog")
    AUTO_FOCUS = "#text"
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

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(self.query_one("#text", Input).value if event.button.id == "ok" else None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(CagetteDialog):
    """A yes/no question (Enter on the focused button; Y: yes, N or Esc: no)."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ConfirmDialog")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,n", "no", show=False), Binding("y", "yes", show=False)]

    def __init__(self, title: str, text: str, yes: str = "", no: str = "", default_no: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.yes = yes
        self.no = no
        self.AUTO_FOCUS = "#no" if default_no else "#yes"

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, classes="dialog-title")
            yield Static(self.text, markup=False, id="confirm-text")
            with Horizontal():
                yield Button(self.yes or _("Yes (Y)"), id="yes", variant="primary")
                yield Button(self.no or _("No (N)"), id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_yes(self) -> None:
        self.dismiss(True)

    def action_no(self) -> None:
        self.dismiss(False)
