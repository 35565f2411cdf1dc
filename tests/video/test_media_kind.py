"""One truth for "clip or still", decided from the pictures a file holds, on every container that capture
writes and phones send. The oracle is Debian's ffprobe counting the decoded frames (another ffmpeg build)."""

from __future__ import annotations

import json
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest

from cagette.errors import MediaError
from cagette.video import synth
from cagette.video.check import check_project
from cagette.video.probe import probe, shot_kind
from cagette.video.project import Project, kind_of

SIZE = "96x54"
FPS = 10


def ffmpeg(*args: str) -> None:
    import imageio_ffmpeg

    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-v", "error", "-y", *args], check=True)


def pattern(frames: int) -> list[str]:
    return ["-f", "lavfi", "-i", f"testsrc2=size={SIZE}:rate={FPS}", "-frames:v", str(frames)]


def recorder_style_mkv(path: Path, frames: int) -> Path:
    """MJPEG packets muxed into Matroska at their arrival times, as ``capture record`` writes a phone's stream."""
    import av

    jpeg = path.with_suffix(".jpg")
    with av.open(str(path), "w", format="matroska") as out:
        st = out.add_stream("mjpeg", rate=FPS)
        st.width, st.height = (int(x) for x in SIZE.split("x"))
        st.pix_fmt = "yuvj420p"
        st.time_base = Fraction(1, 1000)
        for n in range(frames):
            ffmpeg("-f", "lavfi", "-i", f"testsrc2=size={SIZE}:rate={FPS}", "-vf", f"trim=start_frame={n}",
                   "-frames:v", "1", str(jpeg))
            pkt = av.Packet(jpeg.read_bytes())
            pkt.stream = st
            pkt.time_base = st.time_base
            pkt.pts = pkt.dts = n * 1000 // FPS + (7 if n % 3 == 1 else 0)  # arrival times jitter
            out.mux(pkt)
    jpeg.unlink()
    return path


def make(folder: Path, name: str) -> Path:
    """The media of one case, made with the bundled ffmpeg (or PyAV, or Pillow for HEIC)."""
    path = folder / name
    if name == "recorded.mkv":
        return recorder_style_mkv(path, 8)
    if name == "one-frame-recorded.mkv":
        return recorder_style_mkv(path, 1)
    codec = {".mkv": ["-c:v", "mjpeg"], ".mp4": ["-c:v", "libx264", "-pix_fmt", "yuv420p"],
             ".mov": ["-c:v", "libx264", "-pix_fmt", "yuv420p"], ".3gp": ["-c:v", "h263", "-s", "176x144"],
             ".webm": ["-c:v", "libvpx", "-b:v", "200k"], ".jpg": [], ".png": []}
    stem, ext = path.stem, path.suffix
    if ext == ".heic":
        from PIL import Image
        from pillow_heif import register_heif_opener

        register_heif_opener()
        Image.open(synth.frame_image(folder / "for-heic.png", 3, (96, 54))).save(path)
        return path
    frames = 1 if stem.startswith("one") or ext in (".jpg", ".png") else 8
    ffmpeg(*pattern(frames), *codec[ext], str(path))
    return path


def debian_frames(path: Path) -> int:
    if path.suffix == ".heic":  # Debian 12's ffmpeg (5.1) reads no HEIF: ask libheif, through pillow-heif
        from pillow_heif import open_heif

        return len(open_heif(str(path)))
    out = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                          "stream=nb_read_frames", "-of", "json", str(path)], capture_output=True, text=True,
                         check=True).stdout
    return int(json.loads(out)["streams"][0]["nb_read_frames"])


def debian_duration(path: Path) -> float:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return float(json.loads(out)["format"]["duration"])


CLIPS = ["recorded.mkv", "clip.mkv", "clip.mp4", "clip.mov", "clip.3gp", "clip.webm"]
STILLS = ["one-frame-recorded.mkv", "one-frame.mp4", "one-frame.webm", "photo.jpg", "photo.png", "photo.heic"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("kinds")


@pytest.mark.parametrize("name", CLIPS + STILLS)
def test_clip_or_still_from_the_pictures_it_holds(name: str, folder: Path, tmp_path: Path) -> None:
    path = make(folder, name)
    pictures = debian_frames(path)
    expected = "clip" if pictures >= 2 else "still"
    assert expected == ("clip" if name in CLIPS else "still"), f"the test made {pictures} pictures in {name}"
    info = probe(path)
    assert shot_kind(info) == kind_of(path) == expected
    if expected == "clip":  # and it lasts what it lasts, not 0 (Matroska's frame count is 0)
        assert abs(info.duration_s - debian_duration(path)) <= 1 / FPS + 1e-3, (info.duration_s, name)
    # import, add_shot and check agree with it
    p = Project.create(tmp_path / "p", "Kinds")
    p.add_scene("A")
    shot = p.add_shot(1, path)
    assert shot.kind == expected
    assert [x for x in check_project(p) if x.level == "error"] == []


def test_cover_art_does_not_make_a_sound_a_photo(tmp_path: Path) -> None:
    cover = make(tmp_path, "photo.jpg")
    song = tmp_path / "voice.mp3"
    ffmpeg("-f", "lavfi", "-i", "sine=d=1", "-i", str(cover), "-map", "0", "-map", "1", "-c:a", "libmp3lame",
           "-c:v", "copy", "-disposition:v", "attached_pic", str(song))
    info = probe(song)
    assert info.kind == "audio" and abs(info.duration_s - debian_duration(song)) < 0.05
    with pytest.raises(MediaError, match="sound"):
        shot_kind(info)


def test_a_recording_cut_after_its_first_picture_is_refused_not_taken_for_a_photo(tmp_path: Path) -> None:
    whole = recorder_style_mkv(tmp_path / "whole.mkv", 8)
    data = whole.read_bytes()
    first_end = data.index(b"\xff\xd9") + 2  # the end of the first JPEG
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(data[: first_end + 40])
    assert debian_frames(cut) == 1  # Debian's ffmpeg sees one picture, in a file that announces 0.7 s
    with pytest.raises(MediaError, match="truncated"):
        probe(cut)


def test_check_explains_a_clip_shot_that_holds_a_photo(tmp_path: Path) -> None:
    """A project written by an older cagette (or by hand) may call a one-picture file a clip."""
    p = Project.create(tmp_path / "p", "Old")
    p.add_scene("A")
    shot = p.add_shot(1, make(tmp_path, "one-frame.mp4"))
    assert shot.kind == "still"
    text = p.file.read_text(encoding="utf-8").replace('kind = "still"', 'kind = "clip"')
    p.file.write_text(text, encoding="utf-8")
    (problem,) = [x for x in check_project(Project.open(p.root)) if x.level == "error"]
    assert problem.where.endswith(shot.id) and "photo" in problem.message and "add the file again" in problem.message
