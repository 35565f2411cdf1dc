"""A worker's result that arrives after its screen was left is dropped, never a crash of the app.

Found by the loaded CI: the capture screen's thumbnails, loaded in a thread, came back while the app
was closing and looked up a frame strip that was gone (``NoMatches``), which stopped the app."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from textual import work
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from cagette_tui.appref import from_worker, on_screen
from tests.tui.helpers import wait_for


class _Watcher(Static):
    """Records, as it is removed with its screen, whether the screen still counted as in the app."""

    def __init__(self, seen: list[bool], release: threading.Event | None = None,
                 finished: threading.Event | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seen = seen
        self.release = release
        self.finished = finished

    async def on_unmount(self) -> None:
        self.seen.append(on_screen(self.screen))
        if self.release is not None and self.finished is not None:
            # the result comes back right now, as the screen's widgets go and before the screen itself
            # (whose workers are then cancelled) does: the worker ends first, with whatever it raised
            self.release.set()
            for _i in range(6000):  # a hang guard on a count, not a measure
                if self.finished.is_set():
                    break
                await asyncio.sleep(0.01)
            for _i in range(10):
                await asyncio.sleep(0)


class _Thumbs(Screen[None]):
    def __init__(self, go: threading.Event, seen: list[bool], release_on_unmount: bool = False) -> None:
        super().__init__()
        self.go = go
        self.release_on_unmount = release_on_unmount
        self.seen = seen
        self.shown: list[str] = []
        self.finished = threading.Event()

    def compose(self) -> ComposeResult:
        yield Static("", id="strip")
        yield _Watcher(self.seen, self.go if self.release_on_unmount else None, self.finished, id="watcher")

    @work(thread=True)
    def load(self) -> None:
        try:
            self.go.wait(60)  # a hang guard: the test sets it
            from_worker(self, self.show, "thumbnails")
        finally:
            self.finished.set()

    def show(self, text: str) -> None:
        self.query_one("#strip", Static).update(text)
        self.shown.append(text)


async def _opened(app: App[None], go: threading.Event, seen: list[bool], **kwargs: Any) -> _Thumbs:
    """The screen shown, its worker started and waiting for *go*."""
    screen = _Thumbs(go, seen, **kwargs)
    await app.push_screen(screen)
    screen.load()
    return screen


async def test_a_result_for_a_screen_still_shown_arrives() -> None:
    go, seen = threading.Event(), []
    app: App[None] = App()
    async with app.run_test() as pilot:
        screen = await _opened(app, go, seen)
        go.set()
        await wait_for(pilot, lambda: screen.shown, what="the thumbnails")
        assert screen.shown == ["thumbnails"]
        assert str(screen.query_one("#strip", Static).render()) == "thumbnails"


async def test_a_result_for_a_screen_left_is_dropped_and_the_app_goes_on() -> None:
    go, seen = threading.Event(), []
    app: App[None] = App()
    async with app.run_test() as pilot:
        screen = await _opened(app, go, seen)
        await app.pop_screen()
        go.set()
        await wait_for(pilot, screen.finished.is_set, what="the worker's end")
        await pilot.pause()
        assert seen == [False]  # while its widgets were being removed, the screen no longer counted
        assert screen.shown == [] and app.is_running
    assert app.return_code in (None, 0)


async def test_a_result_arriving_as_the_app_closes_is_dropped() -> None:
    """The CI's case: the app closes (its screens' widgets removed first) as the worker's result comes."""
    go, seen = threading.Event(), []
    app: App[None] = App()
    async with app.run_test():
        screen = await _opened(app, go, seen, release_on_unmount=True)
    assert screen.finished.wait(60)  # a hang guard
    assert seen == [False] and screen.shown == []
