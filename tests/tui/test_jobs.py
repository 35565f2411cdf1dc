"""The job panel: progress drawn with an ETA, Cancel stops the work, errors become readable notifications."""

from __future__ import annotations

import threading
from typing import Any

from cagette.errors import RenderError
from cagette_tui.app import CagetteApp
from cagette_tui.widgets.job import JobPanel, describe
from tests.tui.helpers import wait_for


class JobApp(CagetteApp):
    def after_home(self) -> None:
        self.screen.mount(JobPanel(id="job"))


def slow_job(started: threading.Event) -> Any:
    def run(progress: Any) -> str:
        progress.start("Counting", total=1000, unit="steps")
        started.set()
        for _ in range(1000):
            threading.Event().wait(0.02)
            progress.advance(1)
        return "finished"
    return run


async def test_progress_then_cancel_leaves_a_cancelled_outcome() -> None:
    app = JobApp(lang="en")
    finished: list[Any] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.screen.query("#job"))
        panel = app.screen.query_one("#job", JobPanel)
        started = threading.Event()
        panel.start(slow_job(started), finished.append, "Counting…")
        await wait_for(pilot, lambda: panel.last_event is not None and panel.last_event.done >= 5, what="progress")
        text = str(panel.query_one("#job-text").render())
        assert "Counting" in text and "/1000 steps" in text and "left" in text
        await pilot.click("#job-cancel")
        await wait_for(pilot, lambda: panel.outcome == "cancelled", what="cancelled")
        assert finished == []
        assert "Cancelled" in str(panel.query_one("#job-text").render())
        assert not panel.running


async def test_an_error_is_a_notification_not_a_traceback() -> None:
    app = JobApp(lang="fr")

    def failing(progress: Any) -> None:
        raise RenderError("ffmpeg a refusé le fichier.", "Vérifiez le clip.")

    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.screen.query("#job"))
        panel = app.screen.query_one("#job", JobPanel)
        panel.start(failing)
        await wait_for(pilot, lambda: panel.outcome == "failed", what="failure")
        assert app.errors_shown == ["ffmpeg a refusé le fichier.\n→ Vérifiez le clip."]
        assert "Échec" in str(panel.query_one("#job-text").render())


def test_describe_says_everything_in_words() -> None:
    from cagette.progress import ProgressEvent

    text = describe(ProgressEvent("Rendering", 30, 120, "frames", 10.0, "scene 2"))
    assert text == "Rendering — 30/120 frames — 25 % — 0:30 left — scene 2"


async def test_the_works_ending_runs_before_the_panel_says_it_ended() -> None:
    """A screen redraws once a panel says it ended: the work's own ending (a form saying "published")
    must have run by then, on the widgets that asked for it."""
    app = JobApp(lang="en")
    seen: list[tuple[str, bool, bool]] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.screen.query("#job"))
        panel = app.screen.query_one("#job", JobPanel)
        panel.start(lambda progress: "made", lambda result: seen.append((result, panel.running, panel.is_attached)))
        await wait_for(pilot, lambda: panel.outcome == "done", what="the end")
        assert seen == [("made", True, True)]
        assert not panel.running
