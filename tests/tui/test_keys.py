"""Every screen the app has, at 80 × 24 and 120 × 40: every control reached and seen, letters typed into a
text field stay text, and F2 loses nothing.

The screens come from the app itself (:mod:`cagette_tui.screens.catalogue`, which must name every
screen class of the package). On each one, at 80 × 24: Tab goes through every control, each one on
screen once focused (never an invisible container); every letter is typed into every text field,
then the active screen, the other widgets' values and the files on disk are compared with what
they were (the field's own text is saved into the project: that change, and only it, is allowed);
F2 draws the screen in the other language, every value and every file as it was. Then at 120 × 40
the focused control is on screen too.
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

from textual.containers import Container, HorizontalScroll, ScrollableContainer, VerticalScroll
from textual.widgets import Input, TextArea

from cagette.i18n import current_language
from cagette_tui.app import CagetteApp
from cagette_tui.screens import base
from cagette_tui.screens.catalogue import SCREENS, screen_classes
from tests.tui.helpers import wait_for
from tests.tui.places import folder_state, make_place, project_leaves, widget_values

TYPED = string.ascii_lowercase + " /?"  # every letter, Space, and the keys bound to search and help


async def type_text(pilot: Any, text: str) -> None:
    """Type *text* as fast as a person typing in a hurry: every key is queued, then the app catches up."""
    from textual import events
    from textual.keys import _character_to_key

    driver = pilot.app._driver
    for char in text:
        key = char if char.isalnum() else _character_to_key(char)
        event = events.Key(key, char)
        event.set_sender(pilot.app)
        driver.send_message(event)
    await settle(pilot)


def test_the_catalogue_names_every_screen_of_the_app(tmp_path: Path) -> None:
    classes = {c for c in screen_classes() if c.__module__ != base.__name__}
    assert len(classes) >= 15, classes  # the walk found the screens
    place = make_place(tmp_path)
    made = set()
    for make in SCREENS.values():
        made.add(type(make(None, place)))
    assert classes <= made, f"screens the catalogue does not open: {sorted(c.__name__ for c in classes - made)}"


def text_fields(screen: Any) -> list[Any]:
    return [w for w in screen.query("Input, TextArea") if w.id and not w.disabled and base.is_text_field(w)]


async def settle(pilot: Any) -> None:
    for _ in range(3):
        await pilot.pause()


def changed_leaves(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {k: after.get(k) for k in set(before) | set(after) if before.get(k) != after.get(k)}


async def test_every_screen_reached_typed_into_and_relabelled(tmp_path: Path) -> None:
    from textual.screen import Screen

    place = make_place(tmp_path)
    app = CagetteApp(lang="en", library=str(place.library))
    app.animation_level = "none"  # the scroll to a focused control is done at once
    typed_into, reached = [], {}
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(Screen())  # under each screen: nothing to draw again when it closes
        for name, make in SCREENS.items():
            screen = make(app, place)
            await app.push_screen(screen)
            await wait_for(pilot, lambda screen=screen: app.screen is screen and screen.focused is not None,
                           what=f"{name}: the focus on a control")
            await settle(pilot)
            reached[name] = await walk_every_control(pilot, name, screen, (80, 24))
            typed_into += await type_into_every_field(pilot, name, screen, place)
            await press_f2(pilot, name, screen, tmp_path)
            await pilot.resize_terminal(120, 40)
            await settle(pilot)
            assert_on_screen(screen, name, screen.focused, (120, 40))
            await pilot.resize_terminal(80, 24)
            await app.pop_screen()
            await pilot.pause()
        assert not app.errors_shown, app.errors_shown
    # the catalogue's text fields, by screen: a screen without one would make this test prove less
    screens = {n for n, _field in typed_into}
    assert {"storyboard", "capture", "guided-template", "guided-scripts", "publish", "library", "sync", "plans",
            "projects", "path-dialog", "text-dialog", "community", "project-panel"} <= screens, screens
    assert {("sync", "token"), ("community", "join-code"), ("community", "found-name")} <= set(typed_into)
    assert sum(n == "plans" for n, _field in typed_into) >= 35  # every parameter typed as text
    assert reached["guided-template"] >= 3 and reached["capture"] >= 6 and reached["publish"] >= 7, reached


CONTAINERS = {Container, HorizontalScroll, ScrollableContainer, VerticalScroll}  # they show nothing of their own
READING = ("help-body", "details")  # panes of text one scrolls with the keys (framed when focused)


def assert_on_screen(screen: Any, name: str, widget: Any, size: tuple[int, int]) -> None:
    region = screen.find_widget(widget).region
    width, height = size
    assert region.width > 0 and region.height > 0, (name, widget, size)
    assert region.x >= 0 and region.right <= width and 0 <= region.y < height, (name, widget, region, size)
    assert region.bottom <= height or region.height > 10, (name, widget, region, size)  # a small one: wholly seen


async def walk_every_control(pilot: Any, name: str, screen: Any, size: tuple[int, int]) -> int:
    """Tab through every control of *screen* (back to the first): each one on screen once focused."""
    first, seen = screen.focused, set()
    for _step in range(80):
        focused = screen.focused
        if focused in seen:
            break
        seen.add(focused)
        assert type(focused) not in CONTAINERS or focused.id in READING, (name, focused)
        await pilot.pause()
        assert_on_screen(screen, name, focused, size)
        screen.focus_next()  # what Tab does
    assert first in seen, name
    first.focus()
    await pilot.pause()
    return len(seen)


async def type_into_every_field(pilot: Any, name: str, screen: Any, place: Any) -> list[tuple[str, str]]:
    """Every letter into every text field of *screen*: text, never a command."""
    app, root, done = pilot.app, place.project.parents[1], []
    for field in text_fields(screen):
        others = widget_values(screen, skip=field.id)
        files = {k: v for k, v in folder_state(root).items() if not k.endswith("project.toml")}
        toml = project_leaves(place.project)
        field.focus()
        await pilot.pause()
        await type_text(pilot, TYPED)
        where = f"{name}, #{field.id}"
        assert app.screen is screen, f"{where}: typing opened {app.screen!r}"
        assert widget_values(screen, skip=field.id) == others, f"{where}: typing changed other widgets"
        value = field.value if isinstance(field, Input) else field.text
        assert TYPED in value, f"{where}: the field holds {value!r}"
        after = {k: v for k, v in folder_state(root).items() if not k.endswith("project.toml")}
        assert after == files, f"{where}: typing changed files"
        for key, new in changed_leaves(toml, project_leaves(place.project)).items():
            assert isinstance(new, str) and TYPED in new, f"{where}: typing changed {key} to {new!r}"
        done.append((name, field.id))
    return done


async def press_f2(pilot: Any, name: str, screen: Any, root: Path) -> None:
    """F2: the other language (French and English in turn, screen after screen); every value and every
    file as it was, the screen's own texts in the new language."""
    values, files, lang = widget_values(screen), folder_state(root), current_language()
    await pilot.press("f2")
    await settle(pilot)
    assert current_language() != lang and pilot.app.screen is screen, f"{name}: F2 did not switch"
    assert screen.composed_in == current_language(), f"{name}: not drawn again"
    assert widget_values(screen) == values, f"{name}: F2 changed what the screen holds"
    assert folder_state(root) == files, f"{name}: F2 changed files"


async def test_f2_then_c_on_the_storyboard_shoots_the_scene(tmp_path: Path) -> None:
    from cagette_tui.screens.capture import CaptureScreen

    place = make_place(tmp_path)
    app = CagetteApp(lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        app.open_project(place.project)
        await wait_for(pilot, lambda: type(app.screen).__name__ == "StoryboardScreen")
        await settle(pilot)
        before = folder_state(tmp_path)
        await pilot.press("down", "f2")
        await settle(pilot)
        assert app.screen.focused is not None and app.screen.focused.id == "scenes"
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CaptureScreen), what="capture")
        assert app.screen.scene_slug == "forms"  # the highlighted scene, not the first one
        assert folder_state(tmp_path) == before
        assert not app.errors_shown, app.errors_shown


def test_plain_keys_are_the_ones_a_text_field_takes() -> None:
    assert all(base.is_plain(k) for k in ("r", "o", "space", "delete", "left", "slash", "R"))
    assert not any(base.is_plain(k) for k in ("ctrl+z", "alt+up", "f2", "escape", "tab", "ctrl+n"))
    assert base.is_text_field(TextArea()) and not base.is_text_field(TextArea(read_only=True))
