"""Recording from a real MJPEG server on 127.0.0.1, frames decoded back."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from pathlib import Path

import pytest

from cagette.capture.recorder import FrameHub, Recorder
from cagette.capture.sources import FfmpegCopySource, FileSource, MjpegSource, StillSource, open_source
from cagette.errors import CaptureError
from tests.capture.conftest import decode_numbers, ffprobe_count, free_port, make_clip
from tests.conftest import run_cli


@pytest.mark.slow
def test_720p30_for_20s_keeps_at_least_995_per_mille(fakecam, tmp_path: Path) -> None:
    cam = fakecam("1280x720", 30)
    rec = Recorder(MjpegSource(cam.url, fps_hint=30), tmp_path / "work")
    result = rec.run(tmp_path / "out.mkv", duration_s=20)
    time.sleep(0.2)
    cam.kill()
    got = [n for n in decode_numbers(tmp_path / "out.mkv") if n is not None]
    sent = cam.sent()
    assert got, "nothing decoded"
    # every frame the server sent while we were recording (first..last received)
    window = [n for n in sent if got[0] <= n <= got[-1]]
    assert len(window) >= 20 * 30 * 0.9, f"the server only sent {len(window)} frames"
    kept = len(set(got) & set(window)) / len(window)
    assert kept >= 0.995, f"kept {kept:.4f} of {len(window)} frames"
    assert got == sorted(got), "frames out of order"
    codec, packets = ffprobe_count(tmp_path / "out.mkv")
    assert codec == "mjpeg" and packets == len(got) == result.frames
    assert result.segments >= 5  # short segments, joined


@pytest.mark.slow
def test_server_killed_and_restarted_recording_resumes(fakecam, tmp_path: Path) -> None:
    cam = fakecam("320x240", 30)
    src = MjpegSource(cam.url, fps_hint=30, timeout_s=2)
    rec = Recorder(src, tmp_path / "work", segment_s=1.0)
    out = tmp_path / "out.mkv"
    result: dict[str, object] = {}
    t = threading.Thread(target=lambda: result.update(r=rec.run(out, duration_s=7)))
    t.start()
    time.sleep(2.5)
    cam.kill()
    before = cam.sent()
    time.sleep(1.0)
    cam.start()
    t.join(timeout=60)
    cam.kill()
    assert not t.is_alive()
    got = [n for n in decode_numbers(out) if n is not None]
    first = got[0]
    # The part before the cut is intact: every frame sent (from our first) is there,
    # except at most the one being written when the server died.
    expected_before = [n for n in before if n >= first]
    missing = set(expected_before) - set(got)
    assert len(missing) <= 1 and (not missing or max(missing) == expected_before[-1]), sorted(missing)[:10]
    # and it resumed: frames from after the restart are there too
    after = [n for n in got if n > before[-1]]
    assert len(after) >= 30, f"only {len(after)} frames after the restart"
    assert src.stats.reconnects >= 1 and src.stats.lost_s > 0.5
    assert got == sorted(got)


def test_still_url_is_polled(fakecam, tmp_path: Path) -> None:
    cam = fakecam("320x240", 30)
    src = open_source(f"http://127.0.0.1:{cam.port}/shot.jpg", fps=8)
    assert isinstance(src, StillSource)
    res = Recorder(src, tmp_path / "w").run(tmp_path / "o.mkv", duration_s=1.5)
    nums = [n for n in decode_numbers(tmp_path / "o.mkv") if n is not None]
    assert 6 <= res.frames <= 16
    assert len(nums) == res.frames and nums == sorted(nums)


def test_file_source_raw_frames_are_encoded_h264(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "c.mp4", 1.0, "320x240", 10)
    src = open_source(str(clip))
    assert isinstance(src, FileSource)
    src.realtime = False
    res = Recorder(src, tmp_path / "w").run(tmp_path / "o.mkv")
    assert res.codec == "h264" and res.frames == 10
    assert ffprobe_count(tmp_path / "o.mkv") == ("h264", 10)


def test_ffmpeg_copy_source_keeps_packets(tmp_path: Path) -> None:
    """The -c copy path (what RTSP uses) against a live MPEG-TS stream that the
    ffmpeg binary serves over HTTP on 127.0.0.1."""
    import imageio_ffmpeg

    port = free_port()
    server = subprocess.Popen([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-re", "-f", "lavfi", "-i",
                               "testsrc2=size=320x240:rate=15:duration=20", "-c:v", "libx264", "-preset", "ultrafast",
                               "-g", "15", "-f", "mpegts", "-listen", "1", f"http://127.0.0.1:{port}/live.ts"],
                              stdin=subprocess.DEVNULL)
    try:
        time.sleep(1.0)  # no probe connection: this server accepts exactly one client
        src = open_source(f"http://127.0.0.1:{port}/live.ts")
        assert isinstance(src, FfmpegCopySource)
        res = Recorder(src, tmp_path / "w", segment_s=1).run(tmp_path / "o.mkv", duration_s=3)
    finally:
        server.kill()
        server.wait()
    codec, packets = ffprobe_count(tmp_path / "o.mkv")
    assert codec == "h264" and packets >= 20 and res.codec == "copy"


def test_unreachable_camera_reports_and_no_output(tmp_path: Path) -> None:
    src = MjpegSource(f"http://127.0.0.1:{free_port()}/video", timeout_s=0.5)
    with pytest.raises(CaptureError) as err:
        Recorder(src, tmp_path / "w").run(tmp_path / "o.mkv", duration_s=1.0)
    assert "No frame" in err.value.message
    assert not (tmp_path / "o.mkv").exists()


def test_bad_source_is_a_usage_error() -> None:
    with pytest.raises(CaptureError) as err:
        open_source("not-a-camera")
    assert err.value.hint and "/dev/video" in err.value.hint


def test_cli_record_adds_the_clip_to_the_scene(fakecam, project) -> None:
    cam = fakecam("320x240", 20)
    res = run_cli("capture", "record", str(project.root), cam.url, "--scene", "atelier", "--duration", "2",
                  "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    path = Path(data["path"])
    assert path.parent == project.rushes_dir and path.suffix == ".mkv"
    codec, packets = ffprobe_count(path)
    assert codec == "mjpeg" and packets == data["frames"] >= 25
    shots = project.reload().scene("atelier").shots
    assert [s.source for s in shots] == [f"rushes/{path.name}"]
    assert not list((project.root / ".cagette").glob("capture-*")), "scratch folder left behind"


def test_cli_record_unknown_scene_fails_cleanly(fakecam, project) -> None:
    res = run_cli("capture", "record", str(project.root), "http://127.0.0.1:9/video", "--scene", "nope",
                  "--duration", "1")
    assert res.returncode != 0 and "Traceback" not in res.stderr
    assert not any(project.rushes_dir.iterdir())


def test_preview_keeps_its_rate_without_slowing_recording(fakecam, tmp_path: Path) -> None:
    from cagette.capture.preview import Preview

    cam = fakecam("1280x720", 30)
    rec = Recorder(MjpegSource(cam.url, fps_hint=30), tmp_path / "w")
    previews: list[Preview] = []

    def on_hub(hub: FrameHub) -> None:
        previews.append(Preview(hub, width=320, fps=12).start())

    res = rec.run(tmp_path / "o.mkv", duration_s=3, on_hub=on_hub)
    prev = previews[0]
    prev.stop()
    _index, img = prev.image()
    assert img is not None and img.shape[1] == 320
    assert prev.shown >= 10 * 2.5, f"preview gave {prev.shown} images in 3 s"
    assert res.frames >= 3 * 30 * 0.9
