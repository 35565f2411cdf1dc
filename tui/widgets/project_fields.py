"""The fields of the project panel and how each is saved through the project API.

Three targets: the project's details (:meth:`Project.set_info`), the music's levels
(:meth:`Project.set_music`) and the export choices (:meth:`Project.set_export`). Typed values are
saved with a *group* (one undo step per visit of a field); a value the API refuses is not written
and its one-line message is returned for the panel to show under the field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cagette.errors import CagetteError
from cagette.i18n import N_
from cagette_tui.widgets.fields import NotANumber, Spec, parse

if TYPE_CHECKING:
    from cagette.video.project import Project

INFO, MUSIC, EXPORT = "info", "music", "export"

TYPED: dict[str, tuple[str, Spec]] = {spec.id: (target, spec) for target, spec in (
    (MUSIC, Spec("music-volume", N_("Music level (dB)"), "volume_db", "number")),
    (MUSIC, Spec("music-duck", N_("Under the voice (dB)"), "duck_db", "number")),
    (MUSIC, Spec("music-fade-in", N_("Fade in (s)"), "fade_in_s", "number")),
    (MUSIC, Spec("music-fade-out", N_("Fade out (s)"), "fade_out_s", "number")),
    (EXPORT, Spec("export-title-card-s", N_("Title card (s)"), "title_card_s", "number")),
    (EXPORT, Spec("export-end-card-s", N_("End card (s)"), "end_card_s", "number")),
    (EXPORT, Spec("export-crossfade", N_("Cross-fade (s)"), "crossfade_s", "number")),
    (EXPORT, Spec("export-fade", N_("Fade to black (s)"), "fade_s", "number")),
    (EXPORT, Spec("export-still", N_("A photo lasts (s)"), "still_s", "number")),
    (EXPORT, Spec("export-fps", N_("Stop-motion (fps)"), "frames_fps", "number")),
    (EXPORT, Spec("export-cps", N_("Reading (chars/s)"), "caption_cps", "number")),
    (INFO, Spec("info-title", N_("Title"), "title")),
    (INFO, Spec("info-authors", N_("Authors"), "authors", "list")),
    (INFO, Spec("info-organisation", N_("Organisation"), "organisation")),
)}
TEXTS = {"info-description": (INFO, "description"), "export-credits": (EXPORT, "credits")}
SWITCHES = {
    "export-title-card": ("title_card", N_("A title card at the start")),
    "export-end-card": ("end_card", N_("An end card (with the credits)")),
    "export-burn": ("burn_captions", N_("Captions drawn into the picture (burned in)")),
    "export-voice-cleanup": ("voice_cleanup", N_("Clean the voice-overs (rumble and hiss)")),
    "export-deflicker": ("deflicker", N_("Even out the brightness of stop-motion")),
}
CHOICES: dict[str, tuple[str, str, tuple[tuple[str, str], ...]]] = {
    "export-loudness": (EXPORT, "loudness", (("web", N_("web: −16 LUFS, for phones and sites")),
                                             ("lobby", N_("lobby: −23 LUFS, for a hall's screen")))),
    "export-fill": (EXPORT, "portrait_fill", (("blur", N_("blurred copy of the picture behind it")),
                                              ("bars", N_("black bars")))),
    "info-language": (INFO, "language", (("fr", N_("French")), ("en", N_("English")))),
}


def preset_choices() -> tuple[tuple[str, str], ...]:
    """The render presets offered (the settings' default first), each with what it is for."""
    from cagette.video.presets import PRESETS

    return (("", N_("the settings' default")), *((name, p.description) for name, p in PRESETS.items()))


def current(data: Any, target: str, field: str) -> Any:
    """What the project holds for *field* of *target*."""
    holder = data if target == INFO else data.music if target == MUSIC else data.export
    return getattr(holder, field)


def write(project: Project, target: str, field: str, value: Any, group: str = "") -> str:
    """Save *value*; the API's one-line message when it refuses it ("" when saved or already held)."""
    held = current(project.data, target, field)
    if held == value or (isinstance(held, tuple) and tuple(value) == held):
        return ""
    try:
        if target == INFO:
            project.set_info(group=group, **{field: value})
        elif target == MUSIC:
            project.set_music(None, group=group, **{field: value})
        else:
            project.set_export(group=group, **{field: value})
    except CagetteError as exc:
        return exc.message
    return ""


def write_typed(project: Project, widget_id: str, text: str, group: str) -> str:
    """Save what was typed into the field *widget_id*; the line to show under it."""
    target, spec = TYPED[widget_id]
    try:
        value = parse(spec, text)
    except NotANumber as exc:
        return str(exc)
    return write(project, target, spec.field, value, group)
