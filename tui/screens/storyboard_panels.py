"""What the storyboard's panels do: the shot inspector's saving and picture, the scene panel's
voice-over and frame preview (a mixin of :class:`cagette_tui.screens.storyboard.StoryboardScreen`).

Pictures are drawn in worker threads (never in the UI thread) and kept in a
:class:`cagette_tui.pictures.PictureCache`: a shot's picture is drawn once per shot and in point,
whatever is typed elsewhere; after F2 the pictures are shown again from the cache.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.widgets import Button, Checkbox, Input, RadioSet, Static

from cagette.errors import CagetteError
from cagette.i18n import _
from cagette_tui import pictures
from cagette_tui.appref import from_worker
from cagette_tui.widgets import shot_inspector
from cagette_tui.widgets.fields import NotANumber, parse, show_problem
from cagette_tui.widgets.scene_panel import PREVIEW_AT
from cagette_tui.widgets.still import Still

if TYPE_CHECKING:
    from cagette.video.model import Shot
    from cagette.video.project import Project

FOLLOW_DELAY_S = 0.6  # after the last change, before a shown frame is drawn again


class StoryboardPanels:
    """The inspector and panels' behaviour; the screen provides ``project``, ``scene()``, ``_chosen_shot()``,
    ``_visit`` and ``_after_edit()``."""

    project: Project
    _visit: int
    relabeling: bool
    app: Any
    # what the screen provides (this is a mixin of a Textual Screen, typed here for the checker)
    query: Any
    query_one: Any
    scene: Any
    _chosen_shot: Any
    _after_edit: Any
    _edit: Any
    action_voiceover: Any
    action_project_panel: Any
    set_timer: Any

    def _panels_init(self) -> None:
        self.shot_pictures = pictures.PictureCache()
        self.frame: tuple[Any, float, str] | None = None  # the last frame preview, its moment, what it shows
        self._follow: Any = None  # the timer of the next redraw of a shown frame

    # the shot inspector ------------------------------------------------------------------
    def _show_shot(self) -> None:
        shot, scene = self._chosen_shot(), self.scene()
        n = [s.id for s in scene.shots].index(shot.id) + 1 if shot is not None and scene is not None else 0
        self.query_one(shot_inspector.ShotInspector).show(shot, n)
        self._request_shot_picture()

    def _request_shot_picture(self) -> None:
        shot, scene = self._chosen_shot(), self.scene()
        if shot is None or scene is None:
            return
        still = self.query_one("#shot-picture", Still)
        key = pictures.shot_key(shot)
        cached = self.shot_pictures.get(key)
        if cached is not None:
            if still.image is not cached:
                still.show_image(cached)
            return
        still.show_text(_("Drawing the shot…"))
        self._draw_shot(scene.slug, shot, key)

    @work(thread=True, exclusive=True, group="shot-picture")
    def _draw_shot(self, slug: str, shot: Shot, key: Any) -> None:
        try:
            image = pictures.shot_picture(self.project, slug, shot)
        except CagetteError as exc:
            from_worker(self, self._shot_picture_failed, key, exc.message)
            return
        from_worker(self, self._shot_picture_made, key, image)

    def _shot_picture_made(self, key: Any, image: Any) -> None:
        self.shot_pictures.put(key, image)
        shot = self._chosen_shot()
        if shot is not None and pictures.shot_key(shot) == key and not self.relabeling:
            self.query_one("#shot-picture", Still).show_image(image)

    def _shot_picture_failed(self, key: Any, message: str) -> None:
        shot = self._chosen_shot()
        if shot is not None and pictures.shot_key(shot) == key and not self.relabeling:
            self.query_one("#shot-picture", Still).show_text(
                _("✗ No picture: {error}").format(error=message))

    def save_shot_field(self, widget_id: str, text: str) -> None:
        """A field of the inspector typed: saved at once (one undo step per visit), or its problem shown."""
        shot, scene = self._chosen_shot(), self.scene()
        if self.relabeling or shot is None or scene is None:
            return
        spec = shot_inspector.BY_ID[widget_id]
        problem = shot_inspector.save(self.project, shot, spec, text, f"{shot.id}:{widget_id}:{self._visit}")
        show_problem(self, widget_id, problem)  # type: ignore[arg-type]  # self is the Screen this mixin is part of
        if not problem:
            self._after_edit(keep_fields=True)
            self._request_shot_picture()

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        if event.radio_set.id != "shot-rotation" or self.relabeling or event.pressed is None:
            return
        self._shot_choice("rotation", rotation=shot_inspector.rotation_of(event.pressed.id or ""))

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        if event.checkbox.id == "shot-kenburns" and not self.relabeling:
            self._shot_choice("kenburns", ken_burns=event.value)

    def _shot_choice(self, which: str, **change: Any) -> None:
        shot = self._chosen_shot()
        if shot is None:
            return
        problem = shot_inspector.save_choice(self.project, shot, **change)
        show_problem(self, f"shot-{which}", problem)  # type: ignore[arg-type]  # self is the Screen this mixin is part of
        if not problem:
            self._after_edit(keep_fields=True)
            self._request_shot_picture()

    # the scene panel ---------------------------------------------------------------------
    def on_button_pressed(self, event: Button.Pressed) -> None:
        which = event.button.id
        if which == "voice-record":
            self.action_voiceover()
        elif which == "voice-remove":
            self._remove_voice()
        elif which == "preview-show":
            self.action_preview()
        elif which == "project-options":
            self.action_project_panel()

    def _remove_voice(self) -> None:
        scene = self.scene()
        if scene is not None and scene.voice:
            self._edit(lambda: self.project.set_voiceover(scene.slug, None), scene.slug)
            self.app.notify(_("Voice-over removed: Ctrl+Z brings it back."))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == PREVIEW_AT.id:
            self.action_preview()

    def follow_frame(self) -> None:
        """Once a frame is shown, it follows the work: drawn again a moment after the highlighted scene or
        the project changed (a quiet moment, so that typing does not draw at every key)."""
        if self.frame is None or self.relabeling or not self.query("#preview-picture"):
            return
        if self._follow is not None:
            self._follow.stop()
        self._follow = self.set_timer(FOLLOW_DELAY_S, self._follow_now)

    def _follow_now(self) -> None:
        self._follow = None
        if self.query("#preview-picture"):
            self.action_preview()

    def action_preview(self) -> None:
        """Show the video's frame at the chosen second (empty: where the highlighted scene starts)."""
        scene = self.scene()
        try:
            at = parse(PREVIEW_AT, self.query_one(f"#{PREVIEW_AT.id}", Input).value)
        except NotANumber as exc:
            show_problem(self, PREVIEW_AT.id, str(exc))  # type: ignore[arg-type]  # self is the Screen this mixin is part of
            return
        show_problem(self, PREVIEW_AT.id, "")  # type: ignore[arg-type]  # self is the Screen this mixin is part of
        self.query_one("#preview-state", Static).update(_("Drawing the frame…"))
        self._draw_frame(at, scene.slug if scene is not None else "")

    @work(thread=True, exclusive=True, group="frame-preview")
    def _draw_frame(self, at: float | None, slug: str) -> None:
        try:
            image, at_s, what = pictures.frame_picture(self.project, at, slug)
        except CagetteError as exc:
            from_worker(self, self._frame_failed, exc.message)
            return
        from_worker(self, self._frame_made, image, at_s, what)

    def _frame_made(self, image: Any, at_s: float, what: str) -> None:
        self.frame = (image, at_s, what)
        self._show_frame()

    def _show_frame(self) -> None:
        if self.frame is None or not self.query("#preview-picture"):
            return
        picture, at_s, what = self.frame
        self.query_one("#preview-picture", Still).show_image(picture)
        line = _("The frame at {at} s ({what}).").format(at=f"{at_s:.2f}", what=what or "—")
        self.query_one("#preview-state", Static).update(line)

    def _frame_failed(self, message: str) -> None:
        if not self.query("#preview-state"):
            return
        self.query_one("#preview-state", Static).update(
            _("✗ No frame: {error}").format(error=message))
