"""Captions: cut where a reader pauses, never a lone word, not faster than they can be read; exported to a
subtitle editor and imported back; the transcript says what is written on screen, in the video's language."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cagette.errors import MediaError
from cagette.video import captions, presets, script, subtitles
from cagette.video.check import check_project
from cagette.video.project import Project
from cagette.video.render import make_timeline, render_project
from tests.conftest import run_cli
from tests.video.conftest import SIZE

TINY = presets.get("draft").scaled(*SIZE)
ARTICLES = {"le", "la", "les", "un", "une", "des", "du", "de", "l'", "d'", "the", "a", "an"}
SCRIPTS = [
    "Bonjour ! Aujourd'hui, nous allons voir comment déclarer un changement d'adresse en ligne.",
    "Ouvrez le site de votre mairie, puis cherchez la rubrique « Mes démarches ».",
    "Préparez un justificatif de domicile de moins de trois mois et votre pièce d'identité.",
    "Vérifiez vos informations, puis envoyez le formulaire. Vous recevez un accusé de réception.",
    "La cantine coûte 50 % de moins : la réduction vaut pour les enfants de la commune et de leurs familles.",
    "Hello and welcome to the town hall. Today we will see how to tell us that you moved, in three steps.",
]
words = st.lists(st.sampled_from(["le", "la", "mairie", "formulaire", "de", "un", "envoyez", "vos", "pièces",
                                  "et", "puis", "rapidement.", "aujourd'hui,", "50 %", "?", "bien"]),
                 min_size=2, max_size=60).map(" ".join)


@pytest.mark.parametrize("text", SCRIPTS)
def test_lines_break_at_phrase_boundaries(text: str) -> None:
    chunks = script.caption_chunks(text)
    assert " ".join(" ".join(c) for c in chunks) == text
    lines = [line for c in chunks for line in c]
    for line in lines[:-1]:
        assert line.split(" ")[-1].lower() not in ARTICLES, lines
    assert not any(re.match(r"^[%:;!?»]", line) for line in lines), lines


@settings(max_examples=150, deadline=None)
@given(words)
def test_no_caption_is_a_lone_word_unless_the_scene_has_one(text: str) -> None:
    chunks = script.caption_chunks(text)
    assert " ".join(" ".join(c) for c in chunks).split() == text.split()
    for c in chunks:
        assert 1 <= len(c) <= 2 and all(len(line) <= 42 for line in c)
        assert len(" ".join(c).split(" ")) > 1 or len(text.split()) == 1 or c[0] in ("50 %",), chunks
    assert script.caption_chunks("Bienvenue.") == [("Bienvenue.",)]


def test_reading_speed_is_respected_when_the_scene_allows_it() -> None:
    text = SCRIPTS[4] + " " + SCRIPTS[2]
    for cps in (12.0, 17.0, 25.0):
        caps = script.scene_captions(text, 0.0, 30.0, [(0.0, 3.0)], cps=cps)  # spoken fast, lots of room after
        for c in caps:
            assert c.end_s - c.start_s >= sum(len(x) for x in c.lines) / cps - 0.002
        assert not script.too_fast(caps, cps)
    squeezed = script.scene_captions(text, 0.0, 3.0, cps=17.0)
    assert script.too_fast(squeezed, 17.0)  # not enough time: reported, not hidden


def test_a_scene_too_short_for_its_captions_is_reported(media: dict[str, Path], tmp_path: Path) -> None:
    p = Project.create(tmp_path / "p", "Vite")
    p.set_export(title_card=False, end_card=False, caption_cps=15.0)
    p.add_scene("A", SCRIPTS[4])
    p.add_shot(1, media["still"], duration_s=2.0)
    tl = make_timeline(p, TINY)
    assert any("reading time at 15 characters" in w for w in tl.warnings)


def _project(tmp_path: Path, media: dict[str, Path]) -> Project:
    p = Project.create(tmp_path / "p", "Sous-titres", organisation="Mairie")
    p.set_export(title_card=False, end_card_s=1.0, fade_s=0.0, burn_captions=True)
    p.add_scene("Accueil", SCRIPTS[0], lower_third="Camille Martin, agente d'accueil")
    p.add_shot(1, media["still"], duration_s=3.0, title="Étape 1")
    p.add_scene("Envoi", SCRIPTS[3])
    p.add_shot(2, kind="title", title="Étape 2 : l'envoi", duration_s=3.0)
    return p


@pytest.mark.slow
def test_export_correct_and_import_the_captions(media: dict[str, Path], tmp_path: Path) -> None:
    p = _project(tmp_path, media)
    r = run_cli("project", "captions", str(p.root), "--export", str(tmp_path / "captions.srt"))
    assert r.returncode == 0, r.stderr
    captions.export_file(captions.current(p, TINY)[0], tmp_path / "captions.vtt")
    for ext in ("srt", "vtt"):
        cues = subtitles.read(tmp_path / f"captions.{ext}")
        assert cues[0].text.replace("\n", " ").startswith("Bonjour")
    assert [(c.start_s, c.end_s, c.text) for c in subtitles.read(tmp_path / "captions.vtt")] == [
        (c.start_s, c.end_s, c.text) for c in subtitles.read(tmp_path / "captions.srt")]
    srt = tmp_path / "captions.srt"
    corrected = srt.read_text(encoding="utf-8").replace("Bonjour", "Bonjour à toutes et à tous")
    fixed = tmp_path / "corrigé.srt"
    fixed.write_text(corrected, encoding="utf-8")
    r = run_cli("project", "captions", str(p.root), "--import", str(fixed))
    assert r.returncode == 0, r.stderr
    assert not any("changed after the captions" in x.message for x in check_project(Project.open(p.root)))
    result = render_project(Project.open(p.root), preset=TINY)
    rendered = result.srt.read_text(encoding="utf-8")
    assert "Bonjour à toutes et à tous" in rendered
    assert [(c.start_s, c.end_s) for c in script.parse_srt(rendered)] == [
        (c.start_s, c.end_s) for c in subtitles.read(fixed)]
    Project.open(p.root).update_scene(2, script="Un tout autre texte.")
    r = run_cli("project", "check", str(p.root), "--json")
    warned = [x for x in json.loads(r.stdout)["problems"] if "changed after the captions" in x["message"]]
    assert [x["where"] for x in warned] == ["envoi"]
    Project.open(p.root).clear_captions()
    assert not any("changed after the captions" in x.message for x in check_project(Project.open(p.root)))


BROKEN = {
    "no-timing.srt": ("1\n00:00:01,000 --> 00:00:02,000\nUn\n\n2\n00:00:03 -> 00:00:04,000\nDeux\n", 6),
    "backwards.srt": ("1\n00:00:01,000 --> 00:00:02,000\nUn\n\n2\n00:00:05,000 --> 00:00:04,000\nDeux\n", 6),
    "no-header.vtt": ("00:01.000 --> 00:02.000\nUn\n", 1),
    "bad-minutes.vtt": ("WEBVTT\n\nNOTE fine\n\nintro\n00:01.000 --> 00:02.000\nUn\n\n00:61.000 --> 00:62.000\nx\n", 9),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_a_malformed_subtitle_file_is_refused_naming_its_line(name: str, tmp_path: Path) -> None:
    text, line = BROKEN[name]
    bad = tmp_path / name
    bad.write_text(text, encoding="utf-8")
    p = Project.create(tmp_path / "p", "Cassé")
    before = p.file.read_text(encoding="utf-8")
    with pytest.raises(MediaError, match=f"{name}, line {line}:") as err:
        captions.import_file(p, bad)
    assert err.value.hint
    assert p.file.read_text(encoding="utf-8") == before  # nothing changed


def test_the_command_refuses_a_malformed_file_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "x.srt"
    bad.write_text(BROKEN["no-timing.srt"][0], encoding="utf-8")
    p = Project.create(tmp_path / "p", "Cassé")
    r = run_cli("project", "captions", str(p.root), "--import", str(bad))
    assert r.returncode == 1 and "line 6" in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_transcript_has_what_is_written_and_cards_speak_the_project_language(media: dict[str, Path],
                                                                             tmp_path: Path) -> None:
    p = _project(tmp_path, media)
    p.set_info(language="en")
    r = run_cli("render", str(p.root), "--preset", "draft", "--json", env={"CAGETTE_LANG": "fr"})
    assert r.returncode == 0, r.stderr
    text = Path(json.loads(r.stdout)["transcript"]).read_text(encoding="utf-8")
    for written in ("Camille Martin, agente d'accueil", "Étape 1", "Étape 2 : l'envoi", "Licence: CC-BY-SA-4.0"):
        assert written in text, text
    assert "[On screen: " in text and "À l'écran" not in text  # the video's language, not the interface's
    p.set_info(language="fr")
    tl = make_timeline(p, TINY)
    assert "Licence : CC-BY-SA-4.0" in tl.cards[1]
