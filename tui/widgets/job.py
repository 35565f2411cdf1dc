"""Long work in a thread, drawn as a progress bar with an ETA and a Cancel button.

``JobPanel.start(fn, done)`` runs ``fn(progress)`` in a worker thread
(``thread=True``): the :class:`~cagette.progress.Progress` it receives posts
each event to the UI, the Cancel button (or Esc on the panel) sets its
:class:`~cagette.progress.CancelToken`, and the outcome comes back on the UI
thread: ``done(result)`` on success, a notification on error or cancel.
The state is always written in words too, never by colour alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, ProgressBar, Static

from cagette.errors import CagetteError, Cancelled
from cagette.i18n import _
from cagette.progress import CancelToken, Progress, ProgressEvent, format_duration
from cagette_tui.appref import app_of, from_worker, on_screen


def describe(event: ProgressEvent) -> str:
    """``Rendering — 12/40 frames — 30 % — 0:12 left``, in words."""
    parts = [event.task] if event.task else []
    if event.total:
        unit = f" {event.unit}" if event.unit else ""
        done = int(event.done) if float(event.done).is_integer() else round(event.done, 1)
        total = int(event.total) if float(event.total).is_integer() else round(event.total, 1)
        parts.append(f"{done}/{total}{unit}")
        if event.fraction is not None:
            parts.append(f"{event.fraction * 100:.0f} %")
        parts.append(_("{eta} left").format(eta=format_duration(event.eta_s)))
    if event.message:
        parts.append(event.message)
    return " — ".join(parts)


class JobPanel(Vertical):
    """Progress of one job at a time; hidden while idle."""

    def cancel_or(self, leave: Callable[[], object]) -> None:
        """Esc on a screen with a job: cancel the running job, else *leave* the screen."""
        if self.running:
            self.cancel()
        else:
            leave()

    DEFAULT_CSS = """
    JobPanel { height: auto; padding: 0 2; display: none; }
    JobPanel.-running, JobPanel.-ended { display: block; }
    JobPanel #job-row { height: auto; }
    JobPanel ProgressBar { width: 1fr; }
    JobPanel #job-cancel { min-width: 12; }
    JobPanel.-ended #job-cancel { display: none; }
    """

    class Finished(Message):
        """Posted when a job ends: ``outcome`` is ``done``, ``cancelled`` or ``failed``."""

        def __init__(self, panel: JobPanel, outcome: str, result: Any = None) -> None:
            super().__init__()
            self.panel = panel
            self.outcome = outcome
            self.result = result

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.token: CancelToken | None = None
        self.last_event: ProgressEvent | None = None
        self.outcome = ""

    def compose(self) -> ComposeResult:
        yield Static("", id="job-text")
        with Horizontal(id="job-row"):
            yield ProgressBar(total=None, show_eta=False, id="job-bar")
            yield Button(_("Cancel"), id="job-cancel", variant="error")

    @property
    def running(self) -> bool:
        return self.token is not None

    def start(self, fn: Callable[[Progress], Any], done: Callable[[Any], None] | None = None,
              title: str = "") -> None:
        if self.token is not None:
            self.app.notify(_("Wait for the current work to finish, or cancel it."), severity="warning")
            return
        self.token = CancelToken()
        self.outcome = ""
        self.remove_class("-ended")
        self.add_class("-running")
        self.query_one("#job-text", Static).update(title or _("Working…"))
        bar = self.query_one("#job-bar", ProgressBar)
        bar.update(total=None, progress=0)
        self._run(fn, done, self.token)

    def cancel(self) -> None:
        if self.token is not None:
            self.token.cancel()
            self.query_one("#job-text", Static).update(_("Cancelling…"))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "job-cancel":
            event.stop()
            self.cancel()

    @work(thread=True, group="job")
    def _run(self, fn: Callable[[Progress], Any], done: Callable[[Any], None] | None, token: CancelToken) -> None:
        progress = Progress(callback=lambda ev: from_worker(self, self._show, ev), token=token)
        try:
            result = fn(progress)
        except Cancelled:
            self.app.call_from_thread(self._end, "cancelled", None, None)
        except CagetteError as exc:
            self.app.call_from_thread(self._end, "failed", exc, None)
        except Exception as exc:  # noqa: BLE001 - shown to the person as a notification, never a traceback
            self.app.call_from_thread(self._end, "failed", exc, None)
        else:
            self.app.call_from_thread(self._done, done, result)

    def _done(self, done: Callable[[Any], None] | None, result: Any) -> None:
        """The work's own ending first, then the panel's: the screen redraws once the panel says it ended
        (:class:`Finished`), and a form redrawn before its ending ran would tell it to nobody (a video
        published in the library, and the guided flow never told so)."""
        try:
            if done is not None:
                done(result)
        finally:
            self._end("done", None, result)

    def _show(self, event: ProgressEvent) -> None:
        self.last_event = event
        bar = self.query_one("#job-bar", ProgressBar)
        if event.total:
            bar.update(total=event.total, progress=event.done)
        self.query_one("#job-text", Static).update(describe(event))

    def _end(self, outcome: str, error: BaseException | None, result: Any) -> None:
        self.token = None
        self.outcome = outcome
        if not on_screen(self):  # its screen was left while the work ran: the app still says how it ended
            if outcome == "cancelled":
                self.app.notify(_("Cancelled: nothing was kept of the unfinished work."), severity="warning")
            elif outcome == "failed":
                app_of(self).show_error(error)
            return
        self.remove_class("-running")
        self.add_class("-ended")
        text = self.query_one("#job-text", Static)
        if outcome == "done":
            bar = self.query_one("#job-bar", ProgressBar)
            bar.update(total=100, progress=100)
            text.update(_("Done."))
        elif outcome == "cancelled":
            text.update(_("Cancelled: nothing was kept of the unfinished work."))
            self.app.notify(_("Cancelled: nothing was kept of the unfinished work."), severity="warning")
        else:
            text.update(_("Failed."))
            app_of(self).show_error(error)
        self.post_message(self.Finished(self, outcome, result))
