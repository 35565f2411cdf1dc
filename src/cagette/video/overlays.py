"""What is written over the picture: card texts, titles, lower thirds and burned captions, laid out once.

Used by :func:`cagette.video.timeline.build`. Card texts and the
transcript's labels are in the *project's* language (a French video made
with an English interface still says « Licence »). Every text is laid out
for the preset's frame (:mod:`cagette.video.layout`); a text that had to be
shortened, a glyph the font lacks and captions shown faster than the
reading-speed limit each become a warning of the timeline (``cagette render``
prints them, ``cagette project check`` lists them).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from cagette.i18n import LANGUAGES, N_, _, language
from cagette.video import layout
from cagette.video import text as textmod
from cagette.video.presets import Preset
from cagette.video.script import Caption, fix_timing, too_fast

if TYPE_CHECKING:
    from cagette.video.probe import MediaInfo
    from cagette.video.project import ProjectData
    from cagette.video.timeline import Burned, Group


ELEMENTS = {"title": N_("titles"), "lower_third": N_("lower thirds"), "caption": N_("captions"),
            "card": N_("cards")}


@contextlib.contextmanager
def project_language(data: ProjectData) -> Iterator[None]:
    """Speak the project's language inside the block (the interface's when cagette has no catalogue for it)."""
    code = data.language.strip().lower()[:2]
    if code in LANGUAGES:
        with language(code):
            yield
    else:
        yield


def card_texts(data: ProjectData) -> tuple[str, str]:
    """The title card's and the end card's texts."""
    opening = "\n".join([data.title] + ([data.organisation] if data.organisation else []))
    lines = []
    if data.authors:
        lines.append(", ".join(data.authors))
    if data.organisation:
        lines.append(data.organisation)
    lines.extend(x for x in data.export.credits.splitlines() if x.strip())
    if data.licence:
        with project_language(data):
            lines.append(_("Licence: {licence}").format(licence=data.licence))
    return opening, "\n".join(x for x in lines if x)


def on_screen_label(data: ProjectData) -> str:
    with project_language(data):
        return _("[On screen: {text}]")


def transcript_scenes(data: ProjectData) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """Each scene's title, spoken text and written texts (lower third, titles, title shots)."""
    out = []
    for sc in data.scenes:
        shown = [sc.lower_third] if sc.lower_third else []
        shown += [sh.title for sh in sc.shots if sh.title]
        if not sc.shots and sc.title:
            shown.append(sc.title)
        out.append((sc.title, sc.script, tuple(x for x in shown if x.strip())))
    return tuple(out)


def warn_reading_speed(slug: str, caps: Sequence[Caption], cps: float, warnings: list[str]) -> None:
    fast = too_fast(caps, cps)
    if fast:
        warnings.append(_("Scene {scene}: {n} caption(s) stay on screen less than their reading time at {cps:g} "
                          "characters a second; shorten the script or make the scene longer.").format(
                              scene=slug, n=len(fast), cps=cps))


def imported_captions(data: ProjectData, duration_s: float) -> list[Caption]:
    """The imported cues as captions, inside the video."""
    caps = [Caption(c.start_s, min(c.end_s, duration_s), tuple(x for x in c.text.split("\n") if x.strip()))
            for c in data.captions.cues if c.start_s < duration_s]
    return fix_timing([c for c in caps if c.lines], (0.0, duration_s))


@dataclass(frozen=True)
class Laid:
    groups: tuple[Group, ...]
    burned: tuple[Burned, ...]
    frame: layout.Frame


def lay_out(groups: tuple[Group, ...], captions: tuple[Caption, ...], preset: Preset, logo: MediaInfo | None,
            burn: bool, warnings: list[str]) -> Laid:
    """Every text of *groups* (and the captions when *burn*) laid out for *preset*'s frame."""
    from cagette.video.timeline import Burned

    logo_size = logo.display_size if logo is not None else None
    frame = layout.frame_layout(preset.width, preset.height, logo_size, burn)
    unit = frame.unit
    missing: dict[str, tuple[list[str], str]] = {}

    def fit(text: str, style: layout.Style, zone: layout.Rect, max_lines: int | None = None,
            keep_lines: bool = False) -> layout.TextBlock | None:
        block = layout.fit(text, style, zone, unit, max_lines, keep_lines)
        if block is not None and block.shortened:
            warnings.append(_("This text is too long for the {preset} frame and was shortened: {text!r}.").format(
                preset=preset.name, text=" ".join(text.split())[:80]))
        lacking = textmod.missing_glyphs(text, style.bold) if text else []
        if lacking:
            chars = missing.setdefault(style.name, ([], text))[0]
            chars.extend(c for c in lacking if c not in chars)
        return block

    out = []
    for g in groups:
        visuals = []
        for v in g.visuals:
            if v.kind == "card":
                block = fit(v.text, layout.CARD, frame.card(bool(v.lower_third)))
            else:
                block = fit(v.text, layout.TITLE, frame.title, layout.title_lines_for(preset.width, preset.height))
            lower = fit(v.lower_third, layout.LOWER_THIRD, frame.lower_third) if v.lower_third else None
            visuals.append(replace(v, text_block=block, lower_block=lower))
        out.append(replace(g, visuals=tuple(visuals)))
    burned: list[Burned] = []
    if burn and frame.captions is not None:
        lines = layout.caption_lines(preset.width, preset.height)
        for c in captions:
            block = fit(c.text, layout.CAPTION, frame.captions, lines, keep_lines=True)
            if block is not None:
                burned.append(Burned(c.start_s, c.end_s, block))
    for name, (chars, example) in missing.items():
        warnings.append(_("The font cannot draw {chars} in the {element} (e.g. {text!r}): they would show as "
                          "boxes.").format(chars=textmod.describe(chars), element=_(ELEMENTS[name]),
                                           text=" ".join(example.split())[:60]))
    return Laid(tuple(out), tuple(burned), frame)
