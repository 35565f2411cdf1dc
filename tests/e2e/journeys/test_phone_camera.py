"""Journey 1: a phone camera (MJPEG over HTTP, as IP Webcam serves it) → `capture record` into a new project's
scene 1 → `render` → the export, decoded by Debian's ffmpeg, plays the recording: its numbered pictures in
order across the scene, for as long as the recording lasts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.journeys import camera
from tests.e2e.journeys.harness import Journey


def check_export_plays_the_recording(j: Journey, rush: Path, export: Path) -> None:
    """What a viewer checks: the filmed scene moves (its numbers go up, not one frozen picture) and lasts as
    long as the recording itself (Debian's ffprobe's duration of the rush, within two frames)."""
    with j.step("read the recording back", given=rush):
        pictures = camera.numbers(rush)
        times = camera.frame_times(rush)
        assert len(times) == len(pictures) and None not in pictures, "a picture of the recording carries no number"
        recorded = [n for n in pictures if n is not None]
        assert len(recorded) >= 10, f"only {len(recorded)} numbered pictures in the recording"
        assert recorded == sorted(recorded), "the recording's pictures are out of order"
        rush_s = float(camera.probe(rush)["format"]["duration"])
    with j.step("decode the export", given=export):
        info = camera.probe(export)
        fps = camera.frame_rate(info)
        found = camera.numbers(export)
        first, last = camera.numbered_span(found)
        shown = [n for n in found[first: last + 1] if n is not None]
        assert shown == sorted(shown), f"the numbers go back in the export: {shown}"
        distinct = len(set(shown))
        assert distinct >= 0.6 * len(set(recorded)), \
            f"{distinct} different pictures shown of {len(set(recorded))} recorded: the clip does not play"
        # from its start to its end: at the export's rate, a picture of the recording's first (last) two
        # frame periods (a camera sends bursts: the resampling keeps one picture of each period)
        first_ones = [n for n, t in zip(recorded, times, strict=True) if t - times[0] <= 2 / fps]
        last_ones = [n for n, t in zip(recorded, times, strict=True) if times[-1] - t <= 2 / fps]
        assert shown[0] in first_ones and shown[-1] in last_ones, (shown, first_ones, last_ones)
        scene_s = (last - first + 1) / fps
        assert abs(scene_s - rush_s) <= 2 / fps + 1e-6, f"the scene lasts {scene_s:.3f} s, the recording {rush_s:.3f} s"


@pytest.mark.slow
def test_phone_camera(journey: Journey) -> None:
    j = journey
    project = j.tmp / "mairie"
    with camera.MjpegCamera(fps=25) as phone:
        j.cli("create a new project", "project", "new", str(project), "--title", "Accueil", given=project)
        rec = j.cli("record the phone camera", "capture", "record", str(project), phone.url, "--scene", "1",
                    "--duration", "2", "--json", given=phone.url)
    rush = Path(json.loads(rec.stdout)["path"])
    with j.step("find the recording in the project", given=rush):
        assert rush.parent == project / "rushes" and rush.suffix == ".mkv"
    j.cli("check the project", "project", "check", str(project), given=project)
    shown = j.cli("show the project", "project", "show", str(project), "--json", given=project)
    with j.step("the recording is the first scene's clip", given=project / "project.toml"):
        (scene,) = json.loads(shown.stdout)["scenes"]
        assert [(s["kind"], s["source"]) for s in scene["shots"]] == [("clip", f"rushes/{rush.name}")]
    out = j.cli("render a draft", "render", str(project), "--preset", "draft", "--json", given=project)
    check_export_plays_the_recording(j, rush, Path(json.loads(out.stdout)["video"]))
