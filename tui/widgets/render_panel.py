"""The render panel: what `project check` finds first, the preset, captions burned or not, Render.

A project with errors is rendered only after a question (a draft of an unfinished project is
useful, but the person decides). The last render, when there is one, is named with its size and
time; the chosen preset and the captions switch are saved into the project at once (undoable).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Label, RadioSet, Static

from cagette.errors import CagetteError
from cagette.i18n import _, ngettext
from cagette_tui import adapters, publishing
from cagette_tui.appref import app_of, from_worker
from cagette_tui.widgets.job import JobPanel
from cagette_tui.widgets.marks import Check, Radio

if TYPE_CHECKING:
    from cagette.video.project import Project


def problems_text(problems: list[adapters.Problem]) -> str:
    if not problems:
        return _("✓ `project check` finds no problem.")
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    head = _("`project check` finds {errors} and {warnings}:").format(
        errors=ngettext("{n} error", "{n} errors", errors).format(n=errors),
        warnings=ngettext("{n} warning", "{n} warnings", warnings).format(n=warnings))
    lines = [head]
    for p in problems:
        mark = _("✗ error") if p.severity == "error" else _("⚠ warning")
        where = _("scene {slug}").format(slug=p.scene) if p.scene else _("project")
        lines.append(f"  {mark} ({where}) {p.message}")
    return "\n".join(lines)


class RenderPanel(Vertical):
    DEFAULT_CSS = """
    RenderPanel { height: auto; }
    RenderPanel #render-problems { padding: 0 0 1 0; }
    RenderPanel RadioSet { width: 100%; }
    RenderPanel RadioSet > RadioButton { width: 100%; }
    RenderPanel #render-actions { height: auto; padding: 1 0 0 0; }
    RenderPanel #render-actions Button { margin-right: 2; }
    """

    class Rendered(Message):
        def __init__(self, panel: RenderPanel, output: Path) -> None:
            super().__init__()
            self.panel = panel
            self.output = output

    def __init__(self, project: Project, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.project = project
        self.problems: list[adapters.Problem] | None = None  # None: not checked yet
        self._ask_when_checked = False
        self.output: Path | None = adapters.last_render(project)

    def compose(self) -> ComposeResult:
        yield Static(_("Checking the project…"), id="render-problems", markup=False)
        yield Label(_("How the video will be used:"))
        chosen = self.project.data.export.preset or adapters.default_preset()
        with RadioSet(id="presets"):
            for name, description in adapters.render_presets():
                yield Radio(f"{name} — {description}", value=name == chosen, name=name)
        yield Check(_("Burn the captions into the picture (else they are a separate file)"),
                    self.project.data.export.burn_captions, id="burn")
        with Horizontal(id="render-actions"):
            yield Button(_("Render (G)"), id="render", variant="primary")
        yield JobPanel(id="job")
        yield Static(self.output_text(), id="output")

    def on_mount(self) -> None:
        self.check()

    @work(thread=True, exclusive=True, group="check")
    def check(self) -> None:
        """`project check` in a thread (it probes every media file)."""
        try:
            problems = adapters.project_problems(self.project)
        except CagetteError as exc:
            problems = [adapters.Problem("error", exc.message, exc.hint or "")]
        from_worker(self, self._show_problems, problems)

    def _show_problems(self, problems: list[adapters.Problem]) -> None:
        self.problems = problems
        for shown in self.query("#render-problems").results(Static):
            shown.update(problems_text(problems))
        focused = self.screen.focused
        if focused is not None:  # the problems pushed the controls down: the focused one stays in sight
            self.call_after_refresh(focused.scroll_visible, animate=False)
        if self._ask_when_checked:
            self._ask_when_checked = False
            self.ask()

    def output_text(self) -> str:
        best = publishing.best_export(self.project)
        if self.output is None and best is None:
            return _("Not rendered yet.")
        lines = []
        if self.output is not None and self.output.exists():
            lines.append(_("Last render: {file} ({size:.1f} MB)").format(
                file=self.output.relative_to(self.project.root) if self.output.is_relative_to(self.project.root)
                else self.output.name, size=self.output.stat().st_size / 1e6))
        if best is not None and best.video != self.output:
            lines.append(_("Best render so far: {what}").format(what=best.label()))
        return "\n".join(lines) or _("Not rendered yet.")

    def preset(self) -> str:
        pressed = self.query_one("#presets", RadioSet).pressed_button
        return pressed.name if pressed is not None and pressed.name else adapters.default_preset()

    # saved at once ------------------------------------------------------------------------
    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        if event.radio_set.id == "presets" and event.pressed.name and not getattr(self.screen, "relabeling", False):
            event.stop()
            if event.pressed.name != self.project.data.export.preset:
                self._set_export(preset=event.pressed.name)

    def on_checkbox_changed(self, event: Check.Changed) -> None:
        if event.checkbox.id == "burn" and not getattr(self.screen, "relabeling", False):
            event.stop()
            if event.value != self.project.data.export.burn_captions:
                self._set_export(burn_captions=event.value)

    def _set_export(self, **choices: Any) -> None:
        try:
            self.project.set_export(**choices)
        except CagetteError as exc:
            app_of(self).show_error(exc)

    # rendering -------------------------------------------------------------------------------
    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "render":
            event.stop()
            self.ask()

    def ask(self) -> None:
        """Render; when `project check` finds errors, ask first (No is the default answer)."""
        from cagette_tui.screens.dialogs import ConfirmDialog

        if self.problems is None:  # G pressed before `project check` answered: ask once it has
            self._ask_when_checked = True
            self.app.notify(_("Checking the project first…"))
            return
        errors = [p for p in self.problems if p.severity == "error"]
        if not errors:
            self.start()
            return
        text = ngettext("The project has {n} error:", "The project has {n} errors:", len(errors)).format(
            n=len(errors)) + "\n" + "\n".join(f"• {p.message}" for p in errors[:5])
        text += "\n\n" + _("The video would not show everything the storyboard holds. Render it anyway?")
        self.app.push_screen(ConfirmDialog(_("Render a project with errors?"), text, yes=_("Render anyway (Y)"),
                                           no=_("Not now (N)"), default_no=True),
                             lambda yes: self.start() if yes else None)

    def start(self) -> None:
        project, preset = self.project, self.preset()
        self.query_one("#job", JobPanel).start(
            lambda progress: (adapters.render_video(project, preset, progress), adapters.render_errors(project)),
            self._rendered, _("Rendering with {preset}…").format(preset=preset))

    def _rendered(self, made: tuple[Path, list[str]]) -> None:
        output, errors = made
        self.output = Path(output)
        self.query_one("#output", Static).update(self.output_text())
        if errors:  # rendered anyway: never say "ready" for a video that misses part of the storyboard
            self.app.notify(ngettext(
                "The video {file} is made, but the project has {n} error, so it may not show what the "
                "storyboard holds: {first}",
                "The video {file} is made, but the project has {n} errors, so it may not show what the "
                "storyboard holds. The first: {first}", len(errors)).format(
                    file=self.output.name, n=len(errors), first=errors[0]), severity="warning")
        else:
            self.app.notify(_("The video is ready: {file}").format(file=self.output.name))
        self.check()
        self.post_message(self.Rendered(self, self.output))
