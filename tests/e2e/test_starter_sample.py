"""The sample project is made from code alone: paper frames, a voice per scene, a music bed."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from cagette.errors import UsageError
from cagette.starter.sample import MOVE_FRAMES, SIZE, TEXTS, make_sample
from cagette.video.project import Project, list_frames
from tests.e2e.conftest import RenderedSample


@pytest.mark.slow
def test_the_sample_project_is_generated(rendered_sample: RenderedSample, tmp_path: Path) -> None:
    folder = rendered_sample.folder
    data = Project.open(folder).data
    assert data.language == "fr" and data.licence == "CC-BY-SA-4.0" and data.title == TEXTS["fr"].title
    assert [s.slug for s in data.scenes] == [s.slug for s in TEXTS["fr"].scenes]
    from PIL import Image

    for scene in data.scenes:
        frames = list_frames(folder / "frames" / scene.slug)
        assert len(frames) == MOVE_FRAMES
        assert [s.kind for s in scene.shots] == ["frames"]
        first, last = (Image.open(frames[0]).convert("L"), Image.open(frames[-1]).convert("L"))
        assert first.size == SIZE
        # something moved between the first and the last frame (paper brought in)
        diff = sum(abs(a - b) for a, b in zip(first.resize((64, 36)).getdata(), last.resize((64, 36)).getdata(),
                                              strict=True))
        assert diff > 64 * 36 * 2
        with wave.open(str(folder / scene.voice)) as w:
            seconds = w.getnframes() / w.getframerate()
        words = len(scene.script.split())
        assert 0.5 * words / 3 < seconds < 3 * words / 2, (scene.slug, seconds)
    assert (folder / data.music.source).is_file()
    from cagette.starter import ROLES, sample_resources

    found = {r.id: r for r in rendered_sample.before_render}
    assert set(found) == {"starter-sample-frames-fr", "starter-sample-audio-fr"}  # no video before a render
    assert len(found["starter-sample-frames-fr"].files) == MOVE_FRAMES
    assert {p.name for _, p in found["starter-sample-audio-fr"].files} >= {"music.wav"}
    for r in found.values():
        assert all(role in ROLES and path.is_file() for role, path in r.files)
        assert len({path.name for _, path in r.files}) == len(r.files)  # file names are unique in a resource
        assert r.people == "none"  # paper cut-outs and a synthetic voice: nobody to ask
    # rendered, with captions, transcript and thumbnail beside the video, it becomes a video resource
    video = {r.kind: r for r in sample_resources(folder, "fr")}["video"]
    roles = sorted(role for role, _ in video.files)
    assert roles == ["captions", "captions", "main", "storyboard", "thumbnail", "transcript"]
    vtt = next(p for role, p in video.files if p.suffix == ".vtt").read_text(encoding="utf-8")
    assert "Vidéocagette" in vtt and "-->" in vtt
    with pytest.raises(UsageError):
        make_sample(folder, "fr")


@pytest.mark.slow
def test_the_sample_is_made_again_in_another_language(rendered_sample: RenderedSample, tmp_path: Path) -> None:
    import shutil

    folder = Path(shutil.copytree(rendered_sample.folder, tmp_path / "sample"))
    again = make_sample(folder, "en", force=True)
    assert Project.open(again).data.language == "en"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".sample-")]
