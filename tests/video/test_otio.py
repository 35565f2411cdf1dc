"""A way out: `cagette project export-otio`, read back with the OpenTimelineIO library itself."""

from __future__ import annotations

import json
from pathlib import Path

import opentimelineio as otio
import pytest

from cagette.cli import main
from cagette.video import presets
from cagette.video.project import Project
from cagette.video.render import make_timeline
from tests.conftest import run_cli
from tests.video.conftest import SIZE

TINY = presets.get("draft").scaled(*SIZE)


@pytest.fixture(scope="module")
def exported(media: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("otio")
    p = Project.create(tmp / "p", "Vers Kdenlive")
    p.set_export(title_card_s=1.0, end_card_s=1.0, crossfade_s=0.4, preset="draft")
    p.add_scene("Accueil", "Bonjour et bienvenue. Voici comment faire.")
    clip = p.add_shot(1, media["clip"], in_s=0.4, out_s=1.6)
    p.add_shot(1, media["still"], duration_s=1.0, ken_burns=True)
    p.add_scene("Animation", "Le papier bouge tout seul.")
    p.add_frames(2, sorted(media["frames"].iterdir()), fps=6)
    p.add_title(2, "Chapitre 2", duration_s=1.0)
    p.set_voiceover(2, media["voice2"])
    p.set_music(media["music"])
    out = tmp / "projet.otio"
    r = run_cli("project", "export-otio", str(p.root), str(out), "--json")
    assert r.returncode == 0, r.stderr
    tl = make_timeline(p, presets.get("draft"))
    return {"project": p, "file": out, "result": json.loads(r.stdout), "timeline": tl, "clip": clip,
            "otio": otio.adapters.read_from_file(str(out))}


def _clips(track: otio.schema.Track) -> list[otio.schema.Clip]:
    return [item for item in track if isinstance(item, otio.schema.Clip)]


def test_the_picture_track_has_the_shots_with_their_in_and_out_points(exported: dict) -> None:
    timeline = exported["otio"]
    picture = timeline.tracks[0]
    assert picture.kind == otio.schema.TrackKind.Video and picture.name == "Picture"
    clips = _clips(picture)
    names = [c.name for c in clips]
    assert names[0] == "Vers Kdenlive" and names[-1] != ""  # the title card, then the end card
    clip = next(c for c in clips if c.name == Path(exported["clip"].source).name)
    assert Path(clip.media_reference.target_url.removeprefix("file://")) == exported["project"].path(
        exported["clip"].source)
    start = clip.source_range.start_time.to_seconds()
    end = clip.source_range.end_time_exclusive().to_seconds()
    # the clip starts at its in point (plus half the cross-fade from the title card) and plays to its out point
    assert start == pytest.approx(0.4 + 0.2, abs=1e-6) and end == pytest.approx(1.6, abs=1e-6)
    frames = next(c for c in clips if isinstance(c.media_reference, otio.schema.ImageSequenceReference))
    assert frames.media_reference.number_of_images_in_sequence() == 6
    assert frames.media_reference.rate == 6
    title = next(c for c in clips if c.name == "Chapitre 2")
    assert isinstance(title.media_reference, otio.schema.GeneratorReference)
    assert [t.transition_type for t in picture if isinstance(t, otio.schema.Transition)] == ["SMPTE_Dissolve"] * 3


def test_the_timeline_lasts_what_the_render_lasts(exported: dict) -> None:
    tl = exported["timeline"]
    for track in exported["otio"].tracks:
        assert track.duration().to_seconds() == pytest.approx(tl.duration_s, abs=1 / tl.fps + 1e-6), track.name
    assert [t.name for t in exported["otio"].tracks] == ["Picture", "Voice", "Sound", "Music"]
    sound = _clips(exported["otio"].tracks[2])[0]  # the clip's own sound, from its in point, under the voice
    assert sound.source_range.start_time.to_seconds() == pytest.approx(0.4)
    assert sound.metadata["cagette"]["gain_db"] == 0.0
    assert exported["result"]["duration_s"] == pytest.approx(tl.duration_s)


def test_markers_at_scene_boundaries_and_captions(exported: dict) -> None:
    tl = exported["timeline"]
    markers = exported["otio"].tracks[0].markers
    scenes = [m for m in markers if m.color == otio.schema.MarkerColor.GREEN]
    assert [m.metadata["cagette"]["slug"] for m in scenes] == [g.slug for g in tl.groups]
    assert [m.marked_range.start_time.to_seconds() for m in scenes] == pytest.approx([g.start_s for g in tl.groups])
    caps = [m for m in markers if m.color == otio.schema.MarkerColor.YELLOW]
    assert len(caps) == len(tl.captions) >= 2
    assert caps[0].name == tl.captions[0].text.replace("\n", " ")
    assert caps[0].marked_range.start_time.to_seconds() == pytest.approx(tl.captions[0].start_s)
    assert exported["result"]["markers"] == len(markers)


def test_an_existing_file_is_kept_without_force(exported: dict, capsys: pytest.CaptureFixture[str]) -> None:
    before = exported["file"].read_bytes()
    assert main(["project", "export-otio", str(exported["project"].root), str(exported["file"])]) == 2
    assert "already exists" in capsys.readouterr().err
    assert exported["file"].read_bytes() == before
    xml = exported["file"].with_suffix(".xml")
    assert main(["project", "export-otio", str(exported["project"].root), str(xml)]) == 2
    assert ".otio" in capsys.readouterr().err and not xml.exists()
