"""What every screen of the app shares: where the focus starts, keys that never fire while typing,
and a language switch (F2) that draws the screen again without touching its data.

* ``AUTO_FOCUS`` names the main control of each screen (the focus starts there, never on an
  invisible container).
* A binding on a plain key (a letter, Space, Delete, an arrow...) is off while a text field has
  the focus: letters typed into a script or a camera's address are text, never commands. Keys
  with a modifier (Ctrl+…, Alt+…, F1…) and Esc work everywhere.
* :meth:`CagetteScreen.relabel` (F2) composes the screen again in the new language, then puts
  back what every field, list, table and switch held, with their change messages held back, and
  with saving off meanwhile: nothing is written, nothing is lost.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.containers import ScrollableContainer
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Checkbox, DataTable, Input, ListView, RadioButton, RadioSet, Select, TextArea

from cagette.i18n import _, current_language

MODIFIERS = ("ctrl+", "alt+", "meta+", "super+", "hyper+")
ALWAYS = {"escape", "tab", "shift+tab", "enter"}


def is_plain(key: str) -> bool:
    """A key that types something or moves a text cursor: no modifier, not a function key, not Esc."""
    key = key.strip()
    if key in ALWAYS or key.startswith(MODIFIERS):
        return False
    return not (key.startswith("f") and key[1:].isdigit())


def is_text_field(widget: Widget | None) -> bool:
    return isinstance(widget, (Input, TextArea)) and not getattr(widget, "read_only", False)


def _value_messages() -> tuple[type[Any], ...]:
    from cagette_tui.widgets.slider import Slider

    return (Input.Changed, TextArea.Changed, Checkbox.Changed, RadioButton.Changed, RadioSet.Changed,
            Select.Changed, ListView.Highlighted, DataTable.RowHighlighted, DataTable.CellHighlighted,
            Slider.Changed)


def snapshot(root: Widget) -> dict[str, tuple[str, Any]]:
    """What the widgets with an id under *root* hold: (kind, value) by id."""
    from cagette_tui.widgets.slider import Slider

    out: dict[str, tuple[str, Any]] = {}
    for w in root.query("*"):
        if not w.id:
            continue
        if isinstance(w, Input):
            out[w.id] = ("input", (w.value, w.cursor_position))
        elif isinstance(w, TextArea):
            out[w.id] = ("text", (w.text, w.selection))
        elif isinstance(w, (Checkbox, RadioButton)):
            out[w.id] = ("toggle", w.value)
        elif isinstance(w, Select):
            out[w.id] = ("select", w.value)
        elif isinstance(w, ListView):
            out[w.id] = ("list", w.index)
        elif isinstance(w, DataTable):
            out[w.id] = ("table", w.cursor_coordinate)
        elif isinstance(w, Slider):
            out[w.id] = ("slider", w.value)
        elif isinstance(w, ScrollableContainer):
            out[w.id] = ("scroll", (w.scroll_x, w.scroll_y))
    return out


def restore(root: Widget, saved: dict[str, tuple[str, Any]]) -> None:
    """Put back what :func:`snapshot` saw, in the widgets of the same id and kind."""
    from cagette_tui.widgets.slider import Slider

    for w in root.query("*"):
        if not w.id or w.id not in saved:
            continue
        kind, value = saved[w.id]
        if kind == "input" and isinstance(w, Input):
            w.value, w.cursor_position = value[0], value[1]
        elif kind == "text" and isinstance(w, TextArea):
            if w.text != value[0]:
                w.load_text(value[0])
            w.selection = value[1]
        elif (kind == "toggle" and isinstance(w, (Checkbox, RadioButton))) or (kind == "select" and isinstance(w, Select)):
            w.value = value
        elif kind == "list" and isinstance(w, ListView) and value is not None and value < len(w.children):
            w.index = value
        elif kind == "table" and isinstance(w, DataTable) and value.row < w.row_count:
            w.cursor_coordinate = value
        elif kind == "slider" and isinstance(w, Slider):
            w.set_reactive(Slider.value, value)
            w.refresh()
        elif kind == "scroll" and isinstance(w, ScrollableContainer):
            w.scroll_to(value[0], value[1], animate=False)


class LanguageAware:
    """The relabelling shared by full screens and dialogs."""

    relabeling = False
    _composed_in = ""
    _pending_redraw: bool | None = None

    def _plain_actions(self) -> set[str]:
        """Actions every binding of which is a plain key (they stay off while a text field has the focus)."""
        plain: dict[str, bool] = {}
        for binding in getattr(self, "BINDINGS", []):
            if not isinstance(binding, Binding):
                continue
            action = binding.action.split("(")[0]
            keys = [k for k in binding.key.split(",") if k.strip()]
            plain[action] = plain.get(action, True) and all(is_plain(k) for k in keys)
        return {a for a, all_plain in plain.items() if all_plain}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action in self._plain_actions() and is_text_field(getattr(self, "focused", None)))

    def refill(self) -> None:
        """Fill what compose leaves empty (lists, tables, texts made from the data); called on mount and after F2."""

    async def relabel(self) -> None:
        """Draw the screen again in the current language; every field keeps its value, nothing is saved."""
        await self._redraw(keep_values=True)

    async def rebuild(self) -> None:
        """Draw the screen again from the data (after an undo, or back from another screen), saving off."""
        await self._redraw(keep_values=False)

    async def _redraw(self, keep_values: bool) -> None:
        from cagette_tui.widgets.job import JobPanel

        screen: Any = self
        if any(panel.running for panel in screen.query(JobPanel)):
            # never while work runs (its worker belongs to the panel): once it ends
            self._pending_redraw = keep_values or bool(getattr(self, "_pending_redraw", False))
            return
        focused = screen.focused.id if screen.focused is not None else None
        saved = snapshot(screen)
        if not keep_values:  # what the data says wins; only where the person was is kept
            saved = {k: v for k, v in saved.items() if v[0] in ("list", "table", "scroll")}
        self.relabeling = True
        try:
            with screen.prevent(*_value_messages()):
                await screen.recompose()
                self.refill()
                restore(screen, saved)
            if focused:
                for widget in screen.query(f"#{focused}"):
                    if widget.focusable:
                        # at once: a deferred focus() would land after whatever the caller focuses next
                        screen.set_focus(widget)
                        widget.scroll_visible(animate=False)
                        break
        finally:
            self.relabeling = False
            self._composed_in = current_language()

    async def on_job_panel_finished(self) -> None:
        pending = getattr(self, "_pending_redraw", None)
        if pending is not None:
            self._pending_redraw = None
            await self._redraw(keep_values=pending)

    @property
    def composed_in(self) -> str:
        """The language the screen was last drawn in."""
        return self._composed_in

    def stale_language(self) -> bool:
        return bool(self._composed_in) and self._composed_in != current_language()


class CagetteScreen(LanguageAware, Screen[Any]):
    """A full screen of the app (Textual calls these handlers as well as the subclass's own)."""

    AUTO_FOCUS: ClassVar[str | None] = ""

    _away = False

    def on_mount(self) -> None:
        self._composed_in = current_language()

    def on_screen_suspend(self) -> None:
        self._away = True

    def on_resize(self) -> None:
        # a smaller or larger terminal: the focused control stays in sight
        if self.focused is not None:
            self.call_after_refresh(self.focused.scroll_visible, animate=False)

    async def on_screen_resume(self) -> None:
        came_back, self._away = self._away, False
        if came_back:
            await self.returned()

    async def returned(self) -> None:
        """Back from another screen (or a dialog): what it changed shows. By default: the language only."""
        if self.stale_language():  # F2 was pressed while another screen was on top
            await self.relabel()


class ProjectScreen(CagetteScreen):
    """A screen about one project, drawn again by :meth:`rebuild`: Ctrl+Z and Ctrl+Y undo and redo its edits."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+z", "undo", show=False, priority=True),
        Binding("ctrl+y", "redo", show=False, priority=True),
    ]

    def action_undo(self) -> None:
        if history(self, "undo"):
            self.call_later(self.rebuild)

    def action_redo(self) -> None:
        if history(self, "redo"):
            self.call_later(self.rebuild)


def history(screen: Any, which: str) -> bool:
    """Undo or redo the project's last edit, say which, and draw the screen again; False when nothing was done."""
    from cagette.errors import CagetteError

    try:
        label = screen.project.undo() if which == "undo" else screen.project.redo()
    except CagetteError as exc:
        screen.app.notify(exc.message, severity="warning")
        return False
    text = _("Undone: {what}") if which == "undo" else _("Redone: {what}")
    screen.app.notify(text.format(what=label))
    return True


class CagetteDialog(LanguageAware, ModalScreen[Any]):
    """A dialog of the app (a question over the screen that opened it)."""

    AUTO_FOCUS: ClassVar[str | None] = ""

    def on_mount(self) -> None:
        self._composed_in = current_language()
