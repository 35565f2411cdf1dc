"""Journey 2: an RTSP camera (the capture tests' server, fed numbered pictures by ffmpeg) → `capture record`
into a new project's scene 1 → `render` → the export plays the recording, as in journey 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.capture.conftest import free_port
from tests.capture.rtsp_server import RtspTestServer
from tests.e2e.journeys import camera
from tests.e2e.journeys.harness import Journey
from tests.e2e.journeys.test_phone_camera import check_export_plays_the_recording


@pytest.mark.slow
def test_rtsp_camera(journey: Journey) -> None:
    j = journey
    project = j.tmp / "atelier"
    with j.step("start the RTSP camera"):
        server = RtspTestServer(j.tmp, free_port(), fps=25, source=camera.lavfi_numbered(25))
    try:
        j.cli("create a new project", "project", "new", str(project), given=project)
        rec = j.cli("record the RTSP camera", "capture", "record", str(project), server.url, "--scene", "1",
                    "--duration", "2", "--json", given=server.url)
    finally:
        server.close()
    rush = Path(json.loads(rec.stdout)["path"])
    j.cli("check the project", "project", "check", str(project), given=project)
    out = j.cli("render a draft", "render", str(project), "--preset", "draft", "--json", given=project)
    check_export_plays_the_recording(j, rush, Path(json.loads(out.stdout)["video"]))
