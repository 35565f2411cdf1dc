"""Every choice of a project without a text editor: `cagette project scene|shot|title|voice|music|logo|cards|
export|info|undo|redo`, each checked against the project.toml it writes (read back with tomllib), with bad
values refused in one line naming the field and what it allows (exit 2)."""

from __future__ import annotations

import dataclasses
import json
import re
import tomllib
from pathlib import Path

import pytest

from cagette.cli import build_parser, main
from cagette.video import model, synth
from cagette.video.project import Project
from tests.conftest import ROOT, run_cli


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the command line in this process (the same parser and handlers as `cagette`)."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def toml(root: Path) -> dict:
    return tomllib.loads((root / "project.toml").read_text(encoding="utf-8"))


def refused(capsys: pytest.CaptureFixture[str], needle: str, *args: str) -> str:
    code, _out, err = cli(capsys, *args)
    assert code == 2, err
    line = err.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in line, line
    assert needle in line, line
    return line


@pytest.fixture
def project(tmp_path: Path, media: dict[str, Path]) -> Path:
    p = Project.create(tmp_path / "p", "Édition")
    p.add_scene("Accueil", "Bonjour.")
    p.add_shot(1, media["clip"])
    p.add_shot(1, media["still"])
    return p.root


def test_scenes_are_created_changed_moved_and_removed(project: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    root = str(project)
    script = tmp_path / "script.txt"
    script.write_bytes("Première ligne.\r\nDeuxième ligne, 50 % plus courte.\r\n".encode())
    code, out, _ = cli(capsys, "project", "scene", root, "demarche", "--title", "La démarche", "--script-file",
                       str(script), "--notes", "Le formulaire", "--lower-third", "Camille, accueil", "--json")
    assert code == 0
    shown = json.loads(out)
    raw = toml(project)["scenes"][1]
    assert raw["slug"] == shown["slug"] == "demarche" and shown["position"] == 2
    assert raw["script"] == "Première ligne.\nDeuxième ligne, 50 % plus courte.\n"  # newlines normalised
    assert (raw["title"], raw["notes"], raw["lower_third"]) == ("La démarche", "Le formulaire", "Camille, accueil")
    code, out, _ = cli(capsys, "project", "scene", root, "demarche", "--position", "1")
    assert code == 0 and "Scene 1 demarche" in out
    assert [s["slug"] for s in toml(project)["scenes"]] == ["demarche", "accueil"]
    code, out, _ = cli(capsys, "project", "scene", root, "2", "--title", "Bienvenue")  # by position
    assert toml(project)["scenes"][1]["title"] == "Bienvenue" and toml(project)["scenes"][1]["slug"] == "accueil"
    refused(capsys, "scene.title must be at most 200 characters", "project", "scene", root, "1", "--title", "x" * 201)
    code, out, _ = cli(capsys, "project", "scene", root, "demarche", "--remove")
    assert code == 0 and [s["slug"] for s in toml(project)["scenes"]] == ["accueil"]
    code, out, _ = cli(capsys, "project", "undo", root)
    assert code == 0 and "Remove a scene" in out and len(toml(project)["scenes"]) == 2


def test_shots_are_trimmed_turned_and_moved(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = str(project)
    code, out, _ = cli(capsys, "project", "shot", root, "1.1", "--in", "0.4", "--out", "1.5", "--speed", "2",
                       "--rotation", "90", "--title", "Le guichet", "--caption", "Au guichet", "--volume", "-6",
                       "--json")
    assert code == 0
    shot = toml(project)["scenes"][0]["shots"][0]
    assert json.loads(out)["ref"] == "1.1"
    assert (shot["in_s"], shot["out_s"], shot["speed"], shot["rotation"], shot["title"], shot["caption"],
            shot["volume_db"]) == (0.4, 1.5, 2.0, 90, "Le guichet", "Au guichet", -6.0)
    code, out, _ = cli(capsys, "project", "shot", root, shot["id"], "--out", "end", "--rotation", "auto")
    shot = toml(project)["scenes"][0]["shots"][0]
    assert code == 0 and "out_s" not in shot and "rotation" not in shot  # back to the file's end and rotation
    code, out, _ = cli(capsys, "project", "shot", root, "1.2", "--duration", "2.5", "--ken-burns")
    still = toml(project)["scenes"][0]["shots"][1]
    assert code == 0 and still["duration_s"] == 2.5 and still["ken_burns"] is True
    cli(capsys, "project", "shot", root, "1.2", "--no-ken-burns", "--duration", "default")
    still = toml(project)["scenes"][0]["shots"][1]
    assert "ken_burns" not in still and "duration_s" not in still
    cli(capsys, "project", "shot", root, "1.2", "--position", "1")
    assert toml(project)["scenes"][0]["shots"][0]["id"] == still["id"]
    code, out, _ = cli(capsys, "project", "title", root, "Chapitre 2", "--scene", "suite", "--duration", "1.5",
                       "--json")
    made = json.loads(out)
    assert code == 0 and made["kind"] == "title" and made["ref"] == "2.1" and made["scene"] == "suite"
    cli(capsys, "project", "shot", root, "1.1", "--scene", "suite")
    assert [s["id"] for s in toml(project)["scenes"][1]["shots"]] == [made["id"], still["id"]]
    refused(capsys, "shot.speed must be between 0.1 and 10 (not 12)", "project", "shot", root, "1.1", "--speed", "12")
    refused(capsys, "invalid choice: '45'", "project", "shot", root, "1.1", "--rotation", "45")
    refused(capsys, "--out is a number or end", "project", "shot", root, "1.1", "--out", "later")
    refused(capsys, "shot.volume_db must be between -60 and 20 dB", "project", "shot", root, "1.1", "--volume", "30")
    code, _out, err = cli(capsys, "project", "shot", root, "7.1")
    assert code == 1 and "No scene" in err
    cli(capsys, "project", "shot", root, "2.1", "--remove")
    assert [s["kind"] for s in toml(project)["scenes"][1]["shots"]] == ["still"]


def test_sound_logo_cards_export_and_details(project: Path, media: dict[str, Path], tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    root = str(project)
    assert cli(capsys, "project", "voice", root, "1", str(media["voice2"]))[0] == 0
    assert toml(project)["scenes"][0]["voice"] == "audio/voice-accueil.wav"
    assert cli(capsys, "project", "voice", root, "1", "--clear")[0] == 0
    assert "voice" not in toml(project)["scenes"][0] and not (project / "audio" / "voice-accueil.wav").exists()
    code, out, _ = cli(capsys, "project", "music", root, str(media["music"]), "--volume", "-18", "--duck", "-10",
                       "--fade-in", "0", "--fade-out", "3", "--json")
    assert code == 0 and json.loads(out)["duck_db"] == -10.0
    assert toml(project)["music"] == {"source": "audio/music.wav", "volume_db": -18.0, "duck_db": -10.0,
                                      "fade_in_s": 0.0, "fade_out_s": 3.0}
    refused(capsys, "music.duck_db must be between -60 and 0 dB (not 5)", "project", "music", root, "--duck", "5")
    assert cli(capsys, "project", "music", root, "--clear")[0] == 0 and "music" not in toml(project)
    logo = synth.paper_shape(tmp_path / "logo.png", "circle", (32, 32), seed=1)
    assert cli(capsys, "project", "logo", root, str(logo))[0] == 0
    assert toml(project)["export"]["logo"] == "rushes/logo.png"
    code, out, _ = cli(capsys, "project", "cards", root, "--no-title-card", "--end-card-s", "2.5", "--credits",
                       "Musique : CC0\\nMerci", "--json")
    assert code == 0 and json.loads(out) == {"title_card": False, "title_card_s": 3.0, "end_card": True,
                                             "end_card_s": 2.5, "credits": "Musique : CC0\nMerci"}
    code, out, _ = cli(capsys, "project", "export", root, "--preset", "story-9x16", "--burn-captions", "--loudness",
                       "lobby", "--crossfade", "0.4", "--fade", "0", "--portrait-fill", "bars", "--still-s", "2",
                       "--frames-fps", "8", "--no-voice-cleanup", "--no-deflicker", "--caption-cps", "15")
    ex = toml(project)["export"]
    assert code == 0 and (ex["preset"], ex["burn_captions"], ex["loudness"], ex["crossfade_s"], ex["fade_s"],
                          ex["portrait_fill"], ex["still_s"], ex["frames_fps"], ex["voice_cleanup"], ex["deflicker"],
                          ex["caption_cps"]) == ("story-9x16", True, "lobby", 0.4, 0.0, "bars", 2.0, 8.0, False,
                                                 False, 15.0)
    refused(capsys, "export.caption_cps must be between 5 and 40 (not 50)", "project", "export", root,
            "--caption-cps", "50")
    refused(capsys, "invalid choice: 'loud'", "project", "export", root, "--loudness", "loud")
    refused(capsys, "export.crossfade_s must be between 0 and 5 s", "project", "export", root, "--crossfade", "9")
    code, out, _ = cli(capsys, "project", "info", root, "--title", "Nouveau titre", "--author", "Camille",
                       "--author", "Noé", "--organisation", "Mairie", "--language", "en", "--licence", "CC-BY-4.0",
                       "--description", "Deux lignes.", "--derived-from", "starter-template-x", "--slug", "Nouveau",
                       "--json")
    info = toml(project)["project"]
    assert code == 0 and json.loads(out)["authors"] == ["Camille", "Noé"]
    assert (info["title"], info["authors"], info["organisation"], info["language"], info["licence"],
            info["description"], info["derived_from"], info["slug"]) == (
        "Nouveau titre", ["Camille", "Noé"], "Mairie", "en", "CC-BY-4.0", "Deux lignes.", ["starter-template-x"],
        "nouveau")
    refused(capsys, "project.licence must be an SPDX identifier", "project", "info", root, "--licence", "mine; all")
    refused(capsys, "invalid choice: 'de'", "project", "info", root, "--language", "de")
    cli(capsys, "project", "info", root, "--no-authors", "--no-derived-from")
    assert toml(project)["project"]["authors"] == [] and "derived_from" not in toml(project)["project"]
    code, out, _ = cli(capsys, "project", "export", root)  # no option: shows the choices as they are
    assert code == 0 and "story-9x16" in out


FORMAT = (ROOT / "docs" / "project-format.md").read_text(encoding="utf-8")
MODEL = (model.ProjectData, model.Scene, model.Shot, model.Music, model.ExportChoices, model.ImportedCaptions,
         model.Cue)


def _parsers() -> dict[str, object]:
    parser = build_parser()
    project = next(a for a in parser._subparsers._group_actions[0].choices["project"]._actions  # type: ignore
                   if hasattr(a, "choices") and a.choices and "scene" in a.choices)
    return dict(project.choices)


@pytest.mark.parametrize("cls", MODEL, ids=lambda c: c.__name__)
def test_every_field_is_documented_and_has_a_command(cls: type) -> None:
    """Add a field to the model and this fails until the format page describes it and a command sets it."""
    from cagette.commands.project_edit import FIELD_OPTIONS

    parsers = _parsers()
    for f in dataclasses.fields(cls):
        assert re.search(rf"(^|[\s`|{{,]){re.escape(f.name)}\b", FORMAT, re.M), \
            f"docs/project-format.md does not describe {cls.__name__}.{f.name}"
        key = f"{cls.__name__}.{f.name}"
        assert key in FIELD_OPTIONS, f"no command sets {key}: add one and list it in FIELD_OPTIONS"
        command, option = FIELD_OPTIONS[key]
        sub = parsers[command]
        names = {s for a in sub._actions for s in (*a.option_strings, a.dest)}  # type: ignore[attr-defined]
        assert option in names, f"cagette project {command} has no {option} (for {key})"
        for readme in ("README.md", "README.fr.md"):
            assert f"cagette project {command}" in (ROOT / readme).read_text(encoding="utf-8")


def test_the_real_command_line(project: Path) -> None:
    """The same through `python -m cagette`, as a user types it (French messages, exit codes)."""
    r = run_cli("project", "shot", str(project), "1.1", "--speed", "0.05", env={"CAGETTE_LANG": "fr"})
    assert r.returncode == 2 and "shot.speed" in r.stderr and "0,1" not in r.stderr and "Conseil" in r.stderr
    r = run_cli("project", "export", str(project), "--crossfade", "0.5", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["crossfade_s"] == 0.5
