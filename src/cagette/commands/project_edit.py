"""``cagette project scene|shot|title|voice|music|logo|cards|export|info|undo|redo``: every choice of a project
without a text editor.

Each command changes one part of ``project.toml`` through :class:`cagette.video.project.Project` (locked,
atomic, undoable), prints the part as it now is (``--json``: as JSON), and prints it unchanged when given
no option. A bad value exits with status 2 and one line naming the field and the values it allows.
:data:`FIELD_OPTIONS` says which command and option sets each field of the format (a test checks that
every field of the model has one).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cagette.commands import command
from cagette.commands._output import add_json, emit_json, table
from cagette.i18n import _

if TYPE_CHECKING:
    from cagette.cli import Context
    from cagette.commands import SubParsers
    from cagette.commands.args import (
        ProjectCardsArgs,
        ProjectExportArgs,
        ProjectInfoArgs,
        ProjectLogoArgs,
        ProjectMusicArgs,
        ProjectSceneArgs,
        ProjectShotArgs,
        ProjectTitleArgs,
        ProjectUndoArgs,
        ProjectVoiceArgs,
    )
    from cagette.video.model import ProjectData

# Every field of the project model → the command and option that set it.
FIELD_OPTIONS: dict[str, tuple[str, str]] = {
    "ProjectData.title": ("info", "--title"), "ProjectData.slug": ("info", "--slug"),
    "ProjectData.authors": ("info", "--author"), "ProjectData.organisation": ("info", "--organisation"),
    "ProjectData.language": ("info", "--language"), "ProjectData.licence": ("info", "--licence"),
    "ProjectData.description": ("info", "--description"), "ProjectData.derived_from": ("info", "--derived-from"),
    "ProjectData.template": ("new", "--template"), "ProjectData.schema": ("new", "path"),
    "ProjectData.scenes": ("scene", "scene"), "ProjectData.music": ("music", "file"),
    "ProjectData.export": ("export", "--preset"), "ProjectData.captions": ("captions", "--import"),
    "Scene.slug": ("scene", "scene"), "Scene.title": ("scene", "--title"), "Scene.script": ("scene", "--script"),
    "Scene.shots": ("shot", "shot"), "Scene.voice": ("voice", "file"), "Scene.lower_third": ("scene", "--lower-third"),
    "Scene.notes": ("scene", "--notes"),
    "Shot.id": ("import", "files"), "Shot.kind": ("import", "files"), "Shot.source": ("import", "files"),
    "Shot.in_s": ("shot", "--in"), "Shot.out_s": ("shot", "--out"), "Shot.speed": ("shot", "--speed"),
    "Shot.rotation": ("shot", "--rotation"), "Shot.duration_s": ("shot", "--duration"), "Shot.fps": ("shot", "--fps"),
    "Shot.ken_burns": ("shot", "--ken-burns"), "Shot.title": ("shot", "--title"), "Shot.caption": ("shot", "--caption"),
    "Shot.volume_db": ("shot", "--volume"),
    "Music.source": ("music", "file"), "Music.volume_db": ("music", "--volume"), "Music.duck_db": ("music", "--duck"),
    "Music.fade_in_s": ("music", "--fade-in"), "Music.fade_out_s": ("music", "--fade-out"),
    "ExportChoices.preset": ("export", "--preset"), "ExportChoices.burn_captions": ("export", "--burn-captions"),
    "ExportChoices.portrait_fill": ("export", "--portrait-fill"), "ExportChoices.title_card": ("cards", "--title-card"),
    "ExportChoices.end_card": ("cards", "--end-card"), "ExportChoices.credits": ("cards", "--credits"),
    "ExportChoices.logo": ("logo", "file"), "ExportChoices.loudness": ("export", "--loudness"),
    "ExportChoices.crossfade_s": ("export", "--crossfade"), "ExportChoices.fade_s": ("export", "--fade"),
    "ExportChoices.title_card_s": ("cards", "--title-card-s"), "ExportChoices.end_card_s": ("cards", "--end-card-s"),
    "ExportChoices.still_s": ("export", "--still-s"), "ExportChoices.frames_fps": ("export", "--frames-fps"),
    "ExportChoices.voice_cleanup": ("export", "--voice-cleanup"), "ExportChoices.deflicker": ("export", "--deflicker"),
    "ExportChoices.caption_cps": ("export", "--caption-cps"),
    "ImportedCaptions.file": ("captions", "--import"), "ImportedCaptions.scripts": ("captions", "--import"),
    "ImportedCaptions.cues": ("captions", "--import"), "Cue.start_s": ("captions", "--import"),
    "Cue.end_s": ("captions", "--import"), "Cue.text": ("captions", "--import"),
}

SCRIPT_FILE_MAX = 200_000  # bytes of a --script-file


def _word_or_number(words: dict[str, object], what: str) -> Any:
    """An argparse type: a number, or one of *words* (mapped to its value)."""
    def parse(text: str) -> object:
        if text in words:
            return words[text]
        try:
            return float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(_("{what} is a number or {words} (not {value!r})").format(
                what=what, words=", ".join(words), value=text)) from None
    return parse


def _project_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("project", metavar="PROJECT", help=_("project folder"))


def _toggle(p: argparse.ArgumentParser, name: str, help_text: str) -> None:
    p.add_argument(name, action=argparse.BooleanOptionalAction, default=None, help=help_text)


def register(inner: SubParsers) -> None:
    _register_scene(inner)
    _register_shot(inner)
    _register_audio(inner)
    _register_export(inner)
    _register_info(inner)


def _register_scene(inner: SubParsers) -> None:
    p = command(inner, "scene", _("create, change, move or remove a scene (title, script, notes, lower third)"),
                run_scene)
    _project_arg(p)
    p.add_argument("scene", metavar="S", help=_("scene slug or 1-based position; a new slug or the next position "
                                                "creates the scene"))
    p.add_argument("--title", help=_("the scene's title (its slug, and so its file names, stay)"))
    script = p.add_mutually_exclusive_group()
    script.add_argument("--script", help=_("what the voice says in this scene (the captions are made from it)"))
    script.add_argument("--script-file", metavar="FILE", help=_("read the script from a UTF-8 text file"))
    p.add_argument("--notes", help=_("storyboard notes: what to lay on the stage"))
    p.add_argument("--lower-third", help=_("a name or a role shown at the bottom when the scene starts"))
    p.add_argument("--position", type=int, metavar="N", help=_("move the scene to 1-based position N"))
    p.add_argument("--remove", action="store_true",
                   help=_("remove the scene (its frames and voice-over go to the trash; undo brings them back)"))
    add_json(p)


def _register_shot(inner: SubParsers) -> None:
    p = command(inner, "shot", _("change, move or remove a shot (trim, speed, rotation, Ken Burns, texts, volume)"),
                run_shot)
    _project_arg(p)
    p.add_argument("shot", metavar="SHOT", help=_("the shot: SCENE.N (the N-th shot of a scene, e.g. 2.1) or its id "
                                                  "(`cagette project show` lists them)"))
    p.add_argument("--in", dest="in_s", type=float, metavar="S", help=_("clip: start at S seconds of the file"))
    p.add_argument("--out", dest="out_s", type=_word_or_number({"end": None}, "--out"), metavar="S|end",
                   default=argparse.SUPPRESS,
                   help=_("clip: stop at S seconds of the file (end: play to its end)"))
    p.add_argument("--speed", type=float, metavar="X", help=_("pace, 0.1 to 10 (a clip's sound follows)"))
    p.add_argument("--rotation", choices=["0", "90", "180", "270", "auto"],
                   help=_("turn the picture clockwise, replacing the file's rotation (auto: the file's own)"))
    p.add_argument("--duration", dest="duration_s", type=_word_or_number({"default": None}, "--duration"),
                   metavar="S|default", default=argparse.SUPPRESS,
                   help=_("photo or title: seconds on screen (default: the export's still_s)"))
    p.add_argument("--fps", type=_word_or_number({"default": None}, "--fps"), metavar="F|default",
                   default=argparse.SUPPRESS,
                   help=_("stop-motion: frames per second (default: the export's frames_fps)"))
    _toggle(p, "--ken-burns", _("photo: a slow zoom and pan over it"))
    p.add_argument("--title", help=_("a title card's text; on another shot, a text drawn over it (\"\" removes it)"))
    p.add_argument("--caption", help=_("replaces the captions made from the script during this shot (\"\": none)"))
    p.add_argument("--volume", dest="volume_db", type=float, metavar="DB",
                   help=_("clip: level of its own sound, -60 to 20 dB (0: as recorded)"))
    p.add_argument("--scene", metavar="S", help=_("move the shot to this scene (slug or position)"))
    p.add_argument("--position", type=int, metavar="N", help=_("move the shot to 1-based position N in its scene"))
    p.add_argument("--remove", action="store_true", help=_("remove the shot (its file stays in rushes/)"))
    add_json(p)

    p = command(inner, "title", _("add a title card (a shot showing a text) to a scene"), run_title)
    _project_arg(p)
    p.add_argument("text", metavar="TEXT", help=_("the text of the card"))
    p.add_argument("--scene", metavar="S", help=_("scene slug or position (default: the last scene; a new slug or the "
                                                  "next position creates it)"))
    p.add_argument("--duration", type=float, metavar="S", help=_("seconds on screen (default: 2)"))
    p.add_argument("--position", type=int, metavar="N", help=_("1-based position in the scene (default: the end)"))
    add_json(p)


def _register_audio(inner: SubParsers) -> None:
    p = command(inner, "voice", _("set or remove a scene's voice-over (any audio file, converted once)"), run_voice)
    _project_arg(p)
    p.add_argument("scene", metavar="S", help=_("scene slug or 1-based position"))
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("file", metavar="FILE", nargs="?", help=_("the recording (WAV, MP3, M4A, Ogg, Opus, FLAC)"))
    what.add_argument("--clear", action="store_true", help=_("remove the voice-over (undo brings it back)"))
    add_json(p)

    p = command(inner, "music", _("set, change or remove the music bed (level, ducking under the voice, fades)"),
                run_music)
    _project_arg(p)
    what = p.add_mutually_exclusive_group()
    what.add_argument("file", metavar="FILE", nargs="?", help=_("a music file (WAV, MP3, M4A, Ogg, Opus, FLAC)"))
    what.add_argument("--clear", action="store_true", help=_("remove the music (undo brings it back)"))
    p.add_argument("--volume", dest="volume_db", type=float, metavar="DB",
                   help=_("level of the music alone, -60 to 20 dB (default -14)"))
    p.add_argument("--duck", dest="duck_db", type=float, metavar="DB",
                   help=_("lowered further while a voice speaks, -60 to 0 dB (default -14)"))
    p.add_argument("--fade-in", dest="fade_in_s", type=float, metavar="S", help=_("rise from silence, 0 to 30 s"))
    p.add_argument("--fade-out", dest="fade_out_s", type=float, metavar="S", help=_("fade out at the end, 0 to 30 s"))
    add_json(p)

    p = command(inner, "logo", _("set or remove the logo shown in the top-right corner"), run_logo)
    _project_arg(p)
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("file", metavar="FILE", nargs="?", help=_("an image (PNG with transparency is best)"))
    what.add_argument("--clear", action="store_true", help=_("no logo"))
    add_json(p)


def _register_export(inner: SubParsers) -> None:
    from cagette.video.model import LOUDNESS_TARGETS, PORTRAIT_FILLS
    from cagette.video.presets import PRESETS

    p = command(inner, "cards", _("the title card and the end card: on or off, durations, credits"), run_cards)
    _project_arg(p)
    _toggle(p, "--title-card", _("a card with the title and the organisation at the start"))
    p.add_argument("--title-card-s", type=float, metavar="S", help=_("its duration, 0.5 to 60 s"))
    _toggle(p, "--end-card", _("a card with the authors, organisation, licence and credits at the end"))
    p.add_argument("--end-card-s", type=float, metavar="S", help=_("its duration, 0.5 to 60 s"))
    p.add_argument("--credits", metavar="TEXT", help=_("extra lines on the end card (\\n between lines)"))
    add_json(p)

    p = command(inner, "export", _("export choices: preset, burned captions, loudness, transitions and fades, "
                                   "voice clean-up, deflicker, reading speed"), run_export)
    _project_arg(p)
    p.add_argument("--preset", choices=[*PRESETS, "default"], help=_("the preset a render uses (default: the "
                                                                     "settings')"))
    _toggle(p, "--burn-captions", _("draw the captions into the picture"))
    p.add_argument("--portrait-fill", choices=PORTRAIT_FILLS, help=_("portrait media in a landscape frame: a blurred "
                                                                     "copy behind, or black bars"))
    p.add_argument("--loudness", choices=LOUDNESS_TARGETS, help=_("web: -16 LUFS; lobby: -23 LUFS"))
    p.add_argument("--crossfade", dest="crossfade_s", type=float, metavar="S",
                   help=_("cross-fade between scenes, 0 to 5 s (0: cuts)"))
    p.add_argument("--fade", dest="fade_s", type=float, metavar="S",
                   help=_("fade from and to black at the start and the end, 0 to 10 s"))
    p.add_argument("--still-s", type=float, metavar="S", help=_("default duration of a photo, 0.2 to 600 s"))
    p.add_argument("--frames-fps", type=float, metavar="F", help=_("default stop-motion rate, 0.5 to 60"))
    _toggle(p, "--voice-cleanup", _("high-pass and light denoise on the voice-overs"))
    _toggle(p, "--deflicker", _("even out the brightness of stop-motion frames that flicker"))
    p.add_argument("--caption-cps", type=float, metavar="N",
                   help=_("reading speed limit of the captions, 5 to 40 characters per second"))
    add_json(p)


def _register_info(inner: SubParsers) -> None:
    from cagette.video.model import LANGUAGES

    p = command(inner, "info", _("the project's details: title, description, authors, organisation, language, "
                                 "licence, sources"), run_info)
    _project_arg(p)
    p.add_argument("--title", help=_("the video's title (on the title card)"))
    p.add_argument("--slug", help=_("names the exported files"))
    p.add_argument("--description", help=_("a few lines about the video (the library shows them)"))
    p.add_argument("--author", action="append", metavar="NAME", help=_("an author (repeat for several; replaces the "
                                                                       "list)"))
    p.add_argument("--no-authors", action="store_true", help=_("empty the list of authors"))
    p.add_argument("--organisation", help=_("the administration or association that makes it"))
    p.add_argument("--language", choices=LANGUAGES, help=_("the video's language: captions, voice, card texts"))
    p.add_argument("--licence", metavar="SPDX", help=_("an SPDX licence identifier, e.g. CC-BY-SA-4.0"))
    p.add_argument("--derived-from", action="append", metavar="ID",
                   help=_("a library resource this video adapts (repeat for several; replaces the list)"))
    p.add_argument("--no-derived-from", action="store_true", help=_("empty the list of sources"))
    add_json(p)

    for name, help_text in (("undo", _("undo the last edit of a project (its files too)")),
                            ("redo", _("redo the edit undone last"))):
        p = command(inner, name, help_text, run_undo)
        _project_arg(p)
        add_json(p)


# ---------------------------------------------------------------------------
# handlers
# ---------------------------------------------------------------------------


def _open(ns: ProjectInfoArgs | ProjectLogoArgs | ProjectMusicArgs | ProjectSceneArgs | ProjectShotArgs | ProjectTitleArgs | ProjectUndoArgs | ProjectVoiceArgs) -> Any:
    from cagette.video.project import Project

    return Project.open(Path(ns.project))


def _given(ns: ProjectCardsArgs | ProjectExportArgs | ProjectInfoArgs | ProjectMusicArgs | ProjectSceneArgs | ProjectShotArgs, names: tuple[str, ...]) -> dict[str, Any]:
    return {k: getattr(ns, k) for k in names if getattr(ns, k) is not None}


def _show(ns: ProjectCardsArgs | ProjectExportArgs | ProjectInfoArgs | ProjectMusicArgs, data: dict[str, Any], title: str) -> int:
    if ns.json:
        emit_json(data)
        return 0
    print(title)
    table([(k, _value(v)) for k, v in data.items() if k not in ("shots",)])
    return 0


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return _("yes") if v else _("no")
    if isinstance(v, (list, tuple)):
        return ", ".join(str(x) for x in v) or "—"
    if v is None or v == "":
        return "—"
    return str(v).replace("\n", " / ")


def _read_script(path: str) -> str:
    from cagette.errors import UsageError
    from cagette.fsutil import read_regular

    try:
        data = read_regular(Path(path), SCRIPT_FILE_MAX)
        return data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(_("Cannot read the script file {file}: {error}.").format(file=path, error=exc),
                         _("Give a UTF-8 text file.")) from None


def run_scene(ns: ProjectSceneArgs, ctx: Context) -> int:
    p = _open(ns)
    if ns.remove:
        slug = p.data.scene(ns.scene).slug
        p.remove_scene(slug)
        if ns.json:
            emit_json({"removed": slug})
        else:
            print(_("Removed the scene {scene} (undo: `cagette project undo`).").format(scene=slug))
        return 0
    slug = p.ensure_scene(ns.scene)
    changes = _given(ns, ("title", "script", "notes", "lower_third"))
    if ns.script_file:
        changes["script"] = _read_script(ns.script_file)
    scene = p.update_scene(slug, **changes) if changes else p.data.scene(slug)
    if ns.position is not None:
        p.move_scene(slug, ns.position)
        scene = p.data.scene(slug)
    position = p.data.scene_index(slug) + 1
    if ns.json:
        emit_json({**scene.to_dict(), "position": position})
    else:
        print(_("Scene {n} {scene}: {title}").format(n=position, scene=scene.slug, title=scene.title or "—"))
        table([(_("script"), _value(scene.script)), (_("notes"), _value(scene.notes)),
               (_("lower third"), _value(scene.lower_third)), (_("voice-over"), _value(scene.voice)),
               (_("shots"), len(scene.shots))])
    return 0


def _shot_ref(data: ProjectData, shot_id: str) -> str:
    for n, sc in enumerate(data.scenes, 1):
        for m, sh in enumerate(sc.shots, 1):
            if sh.id == shot_id:
                return f"{n}.{m}"
    return shot_id


def _print_shot(ns: ProjectShotArgs | ProjectTitleArgs, p: Any, shot_id: str) -> int:
    sc, sh = p.data.find_shot(shot_id)
    ref = _shot_ref(p.data, shot_id)
    if ns.json:
        emit_json({**sh.to_dict(), "ref": ref, "scene": sc.slug})
        return 0
    print(_("Shot {ref} ({id}, {kind}) of scene {scene}").format(ref=ref, id=sh.id, kind=sh.kind, scene=sc.slug))
    rows = [(k, _value(v)) for k, v in sh.to_dict().items() if k not in ("id", "kind")]
    if sh.rotation is None and sh.kind != "title":
        rows.append(("rotation", "auto"))
    table(rows)
    return 0


def run_shot(ns: ProjectShotArgs, ctx: Context) -> int:
    p = _open(ns)
    _sc, sh = p.data.find_shot(ns.shot)
    if ns.remove:
        p.remove_shot(sh.id)
        if ns.json:
            emit_json({"removed": sh.id})
        else:
            print(_("Removed the shot {ref} ({id}); its file stays in rushes/.").format(ref=ns.shot, id=sh.id))
        return 0
    changes = _given(ns, ("in_s", "speed", "ken_burns", "title", "caption", "volume_db"))
    for key in ("out_s", "duration_s", "fps"):  # absent unless given ("end" / "default" give None)
        if hasattr(ns, key):
            changes[key] = getattr(ns, key)
    if ns.rotation is not None:
        changes["rotation"] = None if ns.rotation == "auto" else int(ns.rotation)
    if changes:
        p.update_shot(sh.id, **changes)
    if ns.scene is not None or ns.position is not None:
        p.move_shot(sh.id, ns.scene, ns.position)
    return _print_shot(ns, p, sh.id)


def run_title(ns: ProjectTitleArgs, ctx: Context) -> int:
    p = _open(ns)
    slug = p.ensure_scene(p.data.scene_target(ns.scene))
    shot = p.add_title(slug, ns.text, duration_s=ns.duration, position=ns.position)
    return _print_shot(ns, p, shot.id)


def run_voice(ns: ProjectVoiceArgs, ctx: Context) -> int:
    p = _open(ns)
    slug = p.data.scene(ns.scene).slug
    p.set_voiceover(slug, None if ns.file is None else Path(ns.file))  # FILE or --clear: argparse asks one
    voice = p.data.scene(slug).voice
    if ns.json:
        emit_json({"scene": slug, "voice": voice})
    elif voice:
        print(_("{file} is now the voice-over of scene {scene} ({rel}).").format(file=Path(ns.file or voice).name,
                                                                                 scene=slug, rel=voice))
    else:
        print(_("Scene {scene} has no voice-over now (undo: `cagette project undo`).").format(scene=slug))
    return 0


def run_music(ns: ProjectMusicArgs, ctx: Context) -> int:
    p = _open(ns)
    levels = _given(ns, ("volume_db", "duck_db", "fade_in_s", "fade_out_s"))
    if ns.clear:
        p.clear_music()
    elif ns.file or levels:
        p.set_music(Path(ns.file) if ns.file else None, **levels)
    music = p.data.music
    data = music.to_dict() if music.source else {"source": ""}
    return _show(ns, data, _("Music: {source}").format(source=music.source) if music.source else _("No music."))


def run_logo(ns: ProjectLogoArgs, ctx: Context) -> int:
    p = _open(ns)
    p.set_logo(None if ns.file is None else Path(ns.file))  # FILE or --clear: argparse asks one
    logo = p.data.export.logo
    if ns.json:
        emit_json({"logo": logo})
    else:
        print(_("Logo: {file}").format(file=logo) if logo else _("No logo."))
    return 0


CARD_FIELDS = ("title_card", "title_card_s", "end_card", "end_card_s", "credits")
EXPORT_FIELDS = ("preset", "burn_captions", "portrait_fill", "loudness", "crossfade_s", "fade_s", "still_s",
                 "frames_fps", "voice_cleanup", "deflicker", "caption_cps")


def _set_export(ns: ProjectCardsArgs | ProjectExportArgs, names: tuple[str, ...], title: str) -> int:
    p = _open(ns)
    choices = _given(ns, names)
    if "credits" in choices:
        choices["credits"] = choices["credits"].replace("\\n", "\n")
    if choices.get("preset") == "default":
        choices["preset"] = ""
    if choices:
        p.set_export(**choices)
    export = p.data.export.to_dict()
    return _show(ns, {k: export[k] for k in names}, title)


def run_cards(ns: ProjectCardsArgs, ctx: Context) -> int:
    return _set_export(ns, CARD_FIELDS, _("Title and end cards:"))


def run_export(ns: ProjectExportArgs, ctx: Context) -> int:
    return _set_export(ns, EXPORT_FIELDS, _("Export choices:"))


INFO_FIELDS = ("title", "slug", "description", "authors", "organisation", "language", "licence", "derived_from")


def run_info(ns: ProjectInfoArgs, ctx: Context) -> int:
    p = _open(ns)
    fields = _given(ns, ("title", "slug", "description", "organisation", "language", "licence"))
    if ns.author or ns.no_authors:
        fields["authors"] = [] if ns.no_authors else ns.author
    if ns.derived_from or ns.no_derived_from:
        fields["derived_from"] = [] if ns.no_derived_from else ns.derived_from
    if fields:
        p.set_info(**fields)
    d = p.data
    return _show(ns, {k: getattr(d, k) for k in INFO_FIELDS}, _("Project {folder}:").format(folder=p.root))


def run_undo(ns: ProjectUndoArgs, ctx: Context) -> int:
    p = _open(ns)
    which = ns.project_command
    label = p.undo() if which == "undo" else p.redo()
    if ns.json:
        emit_json({which: label})
    else:
        print((_("Undone: {label}") if which == "undo" else _("Redone: {label}")).format(label=_(label)))
    return 0
