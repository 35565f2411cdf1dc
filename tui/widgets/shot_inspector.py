"""The shot inspector of the storyboard: every field of the chosen shot, and its picture at its in point.

Each field is saved as it is typed through :meth:`Project.update_shot` (one undo step per visit of
the field, the storyboard gives the group); a value the API refuses shows its one-line message under
the field and nothing is written. Only the fields that apply to the shot's kind are enabled (a
title card has no in point, a clip no duration).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, RadioSet, Static

from cagette.errors import CagetteError
from cagette.i18n import N_, _
from cagette_tui.widgets.fields import FieldRow, NotANumber, Spec, parse, problem_line, set_value, show_problem, shown
from cagette_tui.widgets.marks import Check, Radio
from cagette_tui.widgets.still import Still

if TYPE_CHECKING:
    from cagette.video.model import Shot
    from cagette.video.project import Project

CLIP, STILL, FRAMES, TITLE = "clip", "still", "frames", "title"
PICTURED = frozenset({CLIP, STILL, FRAMES})

SPECS = (
    Spec("shot-in", N_("In (s)"), "in_s", "number", frozenset({CLIP})),
    Spec("shot-out", N_("Out (s)"), "out_s", "optional", frozenset({CLIP})),
    Spec("shot-speed", N_("Speed (×)"), "speed", "number", frozenset({CLIP, FRAMES})),
    Spec("shot-duration", N_("Duration (s)"), "duration_s", "optional", frozenset({STILL, TITLE})),
    Spec("shot-fps", N_("Frames a second"), "fps", "optional", frozenset({FRAMES})),
    Spec("shot-volume", N_("Sound (dB)"), "volume_db", "number", frozenset({CLIP})),
    Spec("shot-title", N_("Text shown"), "title", "text"),
    Spec("shot-caption", N_("Caption"), "caption", "text"),
)
BY_ID = {spec.id: spec for spec in SPECS}
PLACEHOLDERS = {
    "shot-out": N_("empty: to the end"), "shot-duration": N_("empty: the project's"),
    "shot-fps": N_("empty: the project's"), "shot-title": N_("over the picture, or the card"),
    "shot-caption": N_("empty: from the script"),
}
ROTATIONS = (("rot-auto", None, N_("as the file says")), ("rot-0", 0, "0°"), ("rot-90", 90, "90°"),
             ("rot-180", 180, "180°"), ("rot-270", 270, "270°"))


def save(project: Project, shot: Shot, spec: Spec, text: str, group: str) -> str:
    """Save the typed *text* of *spec* into *shot*; the line to show under the field ("" when saved or
    when it is what the shot holds already)."""
    try:
        value = parse(spec, text)
    except NotANumber as exc:
        return str(exc)
    if getattr(shot, spec.field) == value:
        return ""
    try:
        project.update_shot(shot.id, group=group, **{spec.field: value})
    except CagetteError as exc:
        return exc.message
    return ""


def save_choice(project: Project, shot: Shot, **change: Any) -> str:
    """Save a switch or a choice of *shot* (rotation, Ken Burns) unless it holds it already."""
    if all(getattr(shot, k) == v for k, v in change.items()):
        return ""
    try:
        project.update_shot(shot.id, **change)
    except CagetteError as exc:
        return exc.message
    return ""


def rotation_of(radio_id: str) -> Any:
    return next((value for rid, value, _label in ROTATIONS if rid == radio_id), None)


class ShotInspector(Vertical):
    DEFAULT_CSS = """
    ShotInspector { height: auto; }
    ShotInspector #shot-rotation { width: 100%; height: auto; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="shot-heading", classes="field-label")
        yield Still(_("No shot chosen."), id="shot-picture")
        for spec in SPECS:
            yield FieldRow(spec, placeholder=_(PLACEHOLDERS[spec.id]) if spec.id in PLACEHOLDERS else "")
        yield Label(_("Rotation (clockwise)"), classes="field-label", id="shot-rotation-label")
        with RadioSet(id="shot-rotation"):
            for rid, _value, label in ROTATIONS:
                yield Radio(_(label), id=rid)
        yield problem_line("shot-rotation")
        yield Check(_("Ken Burns: a slow pan over the photo"), id="shot-kenburns")
        yield problem_line("shot-kenburns")

    def show(self, shot: Shot | None, n: int = 0) -> None:
        """Fill the fields with *shot* (the *n*-th of its scene), the ones that do not apply disabled."""
        kind = shot.kind if shot is not None else ""
        heading = _("Chosen shot: none (import a clip or a photo with I).") if shot is None else \
            _("Chosen shot {n}: {kind}").format(n=n, kind=_(kind))
        self.query_one("#shot-heading", Static).update(heading)
        for spec in SPECS:
            field = self.query_one(f"#{spec.id}", Input)
            applies = shot is not None and (not spec.kinds or kind in spec.kinds)
            field.disabled = not applies
            self.query_one(f"#{spec.id}-row").display = applies  # only what applies to this kind shows
            set_value(field, shown(getattr(shot, spec.field)) if applies else "")
            show_problem(self, spec.id, "")
        rotation = self.query_one("#shot-rotation", RadioSet)
        rotation.disabled = kind not in PICTURED
        rotation.display = self.query_one("#shot-rotation-label").display = kind in PICTURED
        chosen = next(rid for rid, value, _l in ROTATIONS if value == (shot.rotation if shot is not None else None))
        for radio in rotation.query(Radio):  # the storyboard saves nothing when the shot holds it already
            if radio.id == chosen and not radio.value:
                radio.value = True
        kenburns = self.query_one("#shot-kenburns", Check)
        kenburns.disabled = kind != STILL
        kenburns.display = kind == STILL
        with kenburns.prevent(Check.Changed):
            kenburns.value = bool(shot is not None and shot.ken_burns)
        for which in ("shot-rotation", "shot-kenburns"):
            show_problem(self, which, "")
        if shot is None:
            self.query_one("#shot-picture", Still).show_text(_("No shot chosen."))
