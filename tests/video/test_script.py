"""Script tools: durations, caption lines and timing, speech detection, SRT/WebVTT."""

from __future__ import annotations

import itertools
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from cagette.video import script, synth


def test_estimate_follows_words_per_minute() -> None:
    text = " ".join(["mot"] * 130)
    assert script.estimate_s(text, 130) == 60.0
    assert script.estimate_s(text, 65) == 120.0
    assert script.count_words("L'accueil, c'est ici : aujourd'hui.") == 4


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["a", "bé", "cd,", "é.", "mot!", "l'eau?", "x" * 50, "anticonstitutionnellement",
                                  "\n", "  "]), max_size=80).map(" ".join))
def test_chunks_are_at_most_two_lines_of_42(text: str) -> None:
    chunks = script.caption_chunks(text)
    for c in chunks:
        assert 1 <= len(c) <= 2 and all(0 < len(line) <= 42 for line in c)
    assert " ".join(" ".join(c) for c in chunks).split() == text.split() or any(
        len(w) > 42 for w in text.split())


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=300), st.floats(0, 100), st.floats(0.2, 30))
def test_scene_captions_never_overlap_and_stay_inside(text: str, start: float, length: float) -> None:
    caps = script.scene_captions(text, start, start + length)
    for a, b in itertools.pairwise(caps):
        assert a.end_s <= b.start_s + 1e-6
    for c in caps:
        assert start - 1e-3 <= c.start_s < c.end_s <= start + length + 1e-3  # millisecond precision


def test_captions_last_a_second_when_there_is_room() -> None:
    caps = script.scene_captions("Voici un. Voilà deux. Et de trois. Enfin quatre.", 0, 10)
    assert len(caps) == 4 and all(c.end_s - c.start_s >= 1.0 for c in caps)


def test_vad_finds_the_speech_in_padded_espeak(tmp_path: Path) -> None:
    wav = synth.speech_wav(tmp_path / "v.wav", "Bonjour. Ceci est un essai.", pad_s=1.0)
    segs = script.speech_segments(wav)
    total = synth.wav_duration(wav)
    assert segs and 0.8 <= segs[0][0] <= 1.3
    assert total - 1.4 <= segs[-1][1] <= total - 0.8
    silent = synth.tone_wav(tmp_path / "s.wav", 1.0, amplitude=0.0)
    assert script.speech_segments(silent) == []


def test_captions_follow_speech_segments() -> None:
    caps = script.scene_captions("Première phrase ici. Seconde phrase là.", 0, 10, [(2.0, 3.5), (6.0, 7.5)])
    assert caps[0].start_s >= 2.0 and caps[1].start_s >= 3.5 and caps[1].end_s <= 7.5


def test_srt_vtt_round_trip() -> None:
    caps = [script.Caption(0.5, 1.75, ("Bonjour",)), script.Caption(3661.001, 3662.5, ("deux", "lignes"))]
    srt = script.to_srt(caps)
    assert "01:01:01,001 --> 01:01:02,500" in srt
    assert script.parse_srt(srt) == caps
    vtt = script.to_vtt(caps)
    assert vtt.startswith("WEBVTT\n\n00:00:00.500 --> 00:00:01.750\nBonjour\n")


def test_transcript_has_title_scenes_and_text() -> None:
    text = script.transcript("Titre", [("Scène 1", "Bonjour  à\ntous.")], "Mairie")
    assert text.splitlines()[0] == "Titre" and "Bonjour à tous." in text and text.endswith("Mairie\n")


def test_last_caption_kept_when_rounding_would_pass_the_limit() -> None:
    from cagette.video.script import Caption, fix_timing

    hi = 2.0004  # rounds up to 2.0 ... and 2.0006 would round to 2.001 > hi
    for limit_end in (hi, 2.0006, 3.14159):
        caps = fix_timing([Caption(0.0, 1.0, ("one",)), Caption(1.0, limit_end, ("two",))], (0.0, limit_end))
        assert [c.lines for c in caps] == [("one",), ("two",)]
        assert caps[-1].end_s <= limit_end
