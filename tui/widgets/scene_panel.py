"""The scene panel of the storyboard, under the script and notes: the lower third, the voice-over
(recorded with the script on screen, or imported: :class:`cagette_tui.screens.voice.VoiceDialog`), and
a preview of the video's frame at the scene's start or at a chosen second, drawn as the render draws it.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Static

from cagette.i18n import N_, _
from cagette_tui.widgets.fields import FieldRow, Spec
from cagette_tui.widgets.still import Still

LOWER_THIRD = Spec("scene-lower", N_("Lower third"), "lower_third")
PREVIEW_AT = Spec("preview-at", N_("At second"), "", "optional")


class ScenePanel(Vertical):
    DEFAULT_CSS = """
    ScenePanel { height: auto; }
    """

    def compose(self) -> ComposeResult:
        yield FieldRow(LOWER_THIRD, placeholder=_("a name and a role"))
        yield Static("", id="voice-state")
        yield Button(_("Record or import the voice-over (V)"), id="voice-record")
        yield Button(_("Remove the voice-over"), id="voice-remove")
        yield Static(_("Frame preview, as the render draws it"), classes="field-label")
        yield FieldRow(PREVIEW_AT, placeholder=_("empty: the scene's start"))
        yield Button(_("Show the frame (P)"), id="preview-show")
        yield Still(_("No frame shown yet: press P."), id="preview-picture")
        yield Static("", id="preview-state")

    def show(self, scene: Any | None) -> None:
        """The voice-over's state of *scene*, in words and a glyph."""
        if scene is None:
            text = ""
        elif scene.voice:
            text = _("✓ Voice-over: {file}").format(file=scene.voice)
        else:
            text = _("✗ No voice-over yet.")
        self.query_one("#voice-state", Static).update(text)
        self.query_one("#voice-remove", Button).disabled = scene is None or not scene.voice
