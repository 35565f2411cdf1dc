"""Recording from a real MJPEG server on 127.0.0.1, frames decoded back."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from pathlib import Path

import pytest

from cagette.capture.recorder import FrameHub, Recorder, RecordResult
from cagette.capture.sources import FfmpegCopySource, FileSource, MjpegSource, StillSource, open_source
from cagette.errors import CaptureError
from tests.capture.conftest import decode_numbers, ffprobe_count, free_port, make_clip
from tests.conftest import run_cli


def record_until(rec: Recorder, out: Path, done, **run) -> RecordResult:  # type: ignore[no-untyped-def]
    """Run *rec* until ``done()`` holds (counts, never the clock), then stop it; its result."""
    result: dict[str, RecordResult] = {}
    failure: list[BaseException] = []

    def run_it() -> None:
        try:
            result["r"] = rec.run(out, **run)
        except BaseException as exc:  # noqa: BLE001 - raised again in the test's thread
            failure.append(exc)

    t = threading.Thread(target=run_it)
    t.start()
    guard = time.monotonic() + 300  # a hang guard, not a measure
    while not done() and t.is_alive():
        assert time.monotonic() < guard, "the recording never got there"
        time.sleep(0.05)
    rec.stop()
    t.join(timeout=120)
    if failure:
        raise failure[0]
    assert not t.is_alive() and "r" in result
    return result["r"]


@pytest.mark.slow
def test_720p30_600_frames_keep_at_least_995_per_mille(fakecam, tmp_path: Path) -> None:
    cam = fakecam("1280x720", 30)
    rec = Recorder(MjpegSource(cam.url, fps_hint=30), tmp_path / "work")
    result = record_until(rec, tmp_path / "out.mkv", lambda: rec.frames >= 600)
    time.sleep(0.2)
    cam.kill()
    got = [n for n in decode_numbers(tmp_path / "out.mkv") if n is not None]
    sent = cam.sent()
    assert len(got) >= 600, "nothing decoded"
    # every frame the server sent while we were recording (first..last received)
    window = [n for n in sent if got[0] <= n <= got[-1]]
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
    state: dict[str, object] = {}

    def done() -> bool:  # 40 frames, the camera killed and back, then 30 frames more
        if "before" not in state and rec.frames >= 40:
            cam.kill()
            state["before"], state["at_kill"] = cam.sent(), rec.frames
            time.sleep(1.0)  # the camera stays away a while
            cam.start()
        return "before" in state and rec.frames >= int(state["at_kill"]) + 30  # type: ignore[call-overload]

    record_until(rec, out, done)
    cam.kill()
    before = state["before"]
    assert isinstance(before, list)
    got = [n for n in decode_numbers(out) if n is not None]
    first = got[0]
    # The part before the cut is intact: every frame sent (from our first) is there,
    # except at most the one being written when the server died.
    expected_before = [n for n in before if n >= first]
    missing = set(expected_before) - set(got)
    assert len(missing) <= 1 and (not missing or max(missing) == expected_before[-1]), sorted(missing)[:10]
    # and it resumed: frames from after the restart are there too
    after = [n for n in got if n > before[-1]]
    assert len(after) >= 29, f"only {len(after)} frames after the restart"
    assert src.stats.reconnects >= 1 and src.stats.lost_s > 0  # how long is proved with a driven clock
    assert got == sorted(got)


def test_still_url_is_polled(fakecam, tmp_path: Path) -> None:
    cam = fakecam("320x240", 30)
    src = open_source(f"http://127.0.0.1:{cam.port}/shot.jpg", fps=8)
    assert isinstance(src, StillSource)
    rec = Recorder(src, tmp_path / "w")
    res = record_until(rec, tmp_path / "o.mkv", lambda: rec.frames >= 6)  # its rate: tests/capture/test_clock.py
    nums = [n for n in decode_numbers(tmp_path / "o.mkv") if n is not None]
    assert res.frames >= 6
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


@pytest.mark.slow
def test_cli_record_adds_the_clip_to_the_scene(fakecam, project) -> None:
    cam = fakecam("320x240", 20)
    res = run_cli("capture", "record", str(project.root), cam.url, "--scene", "atelier", "--duration", "2",
                  "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    path = Path(data["path"])
    assert path.parent == project.rushes_dir and path.suffix == ".mkv"
    codec, packets = ffprobe_count(path)
    assert codec == "mjpeg" and packets == data["frames"] >= 2
    shots = project.reload().scene("atelier").shots
    assert [s.source for s in shots] == [f"rushes/{path.name}"]
    assert not list((project.root / ".cagette").glob("capture-*")), "scratch folder left behind"
    # the video engine renders the recorded rush (MJPEG in Matroska, frames at their arrival times)
    from cagette.video.presets import get as get_preset
    from cagette.video.render import render_project

    project.reload()
    project.remove_scene("intro")  # it has no shot: only the recorded scene between the cards
    ex = project.data.export
    out = render_project(project, preset=get_preset("draft"), out=project.root / "r.mp4")
    rush_s = float(subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
                                   str(path)], capture_output=True, text=True, check=True).stdout)
    # the title card, the scene as long as the recording (not one frame: it is a clip), the end card
    assert abs(out.duration_s - (ex.title_card_s + rush_s + ex.end_card_s)) <= 2 / 25 + 1e-6
    assert ffprobe_count(out.video)[0] == "h264"


def test_cli_record_unknown_scene_fails_cleanly(fakecam, project) -> None:
    res = run_cli("capture", "record", str(project.root), "http://127.0.0.1:9/video", "--scene", "nope",
                  "--duration", "1")
    assert res.returncode != 0 and "Traceback" not in res.stderr
    assert not any(project.rushes_dir.iterdir())


def test_a_stuck_live_view_does_not_slow_the_recording(fakecam, tmp_path: Path) -> None:
    """The live view reads only the newest frame: while it is stuck (a screen that does not draw), the
    recording still gets every frame the camera sends. (Its rate: tests/capture/test_clock.py and
    bench/capture.py.)"""
    from cagette.capture.preview import Preview

    cam = fakecam("640x360", 30)
    rec = Recorder(MjpegSource(cam.url, fps_hint=30), tmp_path / "w")
    previews: list[Preview] = []
    stuck = threading.Event()
    release = threading.Event()

    def draw(img):  # type: ignore[no-untyped-def]
        stuck.set()
        release.wait()
        return img

    def on_hub(hub: FrameHub) -> None:
        previews.append(Preview(hub, width=320, fps=12, transform=draw).start())

    res = record_until(rec, tmp_path / "o.mkv", lambda: stuck.is_set() and rec.frames >= 90, on_hub=on_hub)
    prev = previews[0]
    release.set()
    prev.stop()
    assert prev.shown <= 1  # it was stuck on its first picture all along
    got = [n for n in decode_numbers(tmp_path / "o.mkv") if n is not None]
    window = [n for n in cam.sent() if got[0] <= n <= got[-1]]
    assert len(got) == res.frames >= 90 and got == window, "the recording lost frames to the live view"


@pytest.mark.skipif(not list(Path("/dev").glob("video*")), reason="no /dev/video* device on this machine")
def test_v4l2_device_records_h264(tmp_path: Path) -> None:  # pragma: no cover - needs a camera
    from cagette.capture.sources import V4l2Source, list_devices

    dev = list_devices()[0].path
    src = open_source(dev)
    assert isinstance(src, V4l2Source)
    res = Recorder(src, tmp_path / "w").run(tmp_path / "o.mkv", duration_s=2)
    assert res.codec == "h264" and ffprobe_count(tmp_path / "o.mkv") == ("h264", res.frames)


def test_cli_record_ctrl_c_leaves_nothing(fakecam, project) -> None:
    import os
    import signal
    import sys

    cam = fakecam("320x240", 20)
    proc = subprocess.Popen([sys.executable, "-m", "cagette", "capture", "record", str(project.root), cam.url,
                             "--scene", "intro", "--duration", "30"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, "CAGETTE_LANG": "en"})
    deadline = time.monotonic() + 120  # a hang guard, not a measure
    while not list((project.root / ".cagette").glob("capture-*/seg_*.mjpeg")):
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.1)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=20)
    assert proc.returncode == 130
    assert not any(project.rushes_dir.iterdir())
    assert not list((project.root / ".cagette").glob("capture-*"))
    assert project.reload().scene("intro").shots == ()


@pytest.mark.slow
def test_rtsp_stream_is_copied_without_reencoding(tmp_path: Path) -> None:
    """A real RTSP session (OPTIONS, DESCRIBE, SETUP, PLAY, RTP interleaved over
    TCP) against a small server on 127.0.0.1 fed by the ffmpeg binary."""
    from tests.capture.rtsp_server import RtspTestServer

    server = RtspTestServer(tmp_path, free_port())
    try:
        src = open_source(server.url)
        assert isinstance(src, FfmpegCopySource)
        res = Recorder(src, tmp_path / "w", segment_s=1).run(tmp_path / "o.mkv", duration_s=3)
        # the live view decodes the same stream through PyAV
        hub = FrameHub(open_source(server.url)).start()
        try:
            frame = hub.wait_new(-1, 10)
        finally:
            hub.stop()
    finally:
        server.close()
    codec, packets = ffprobe_count(tmp_path / "o.mkv")
    assert codec == "h264" and packets >= 25 and res.codec == "copy" and res.segments >= 2
    assert frame is not None and frame.kind == "raw" and frame.data.shape == (240, 320, 3)


def test_recover_after_the_program_was_killed(fakecam, project) -> None:
    import os
    import signal
    import sys

    from cagette.capture.recorder import read_jpeg_segments

    cam = fakecam("320x240", 20)
    proc = subprocess.Popen([sys.executable, "-m", "cagette", "capture", "record", str(project.root), cam.url,
                             "--scene", "atelier", "--duration", "60"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120  # a hang guard, not a measure
    while len(list((project.root / ".cagette").glob("capture-*/seg_*.idx"))) < 2:
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.1)
    # while it records, nothing is pending
    res = run_cli("capture", "recover", str(project.root), "--json")
    assert res.returncode == 0 and json.loads(res.stdout) == []
    os.killpg(proc.pid, signal.SIGKILL)  # a crash: no clean-up at all
    proc.wait()
    (work,) = list((project.root / ".cagette").glob("capture-*"))
    saved = len(read_jpeg_segments(work))
    assert saved >= 2  # what was saved, however fast the camera sent it
    res = run_cli("capture", "recover", str(project.root), "--json")
    assert res.returncode == 0, res.stderr
    (rec,) = json.loads(res.stdout)
    assert rec["scene"] == "atelier" and rec["frames"] == saved
    path = Path(rec["path"])
    assert ffprobe_count(path) == ("mjpeg", saved)
    assert [s.source for s in project.reload().scene("atelier").shots] == [f"rushes/{path.name}"]
    assert not work.exists()
    res = run_cli("capture", "recover", str(project.root))
    assert "No interrupted recording" in res.stdout
