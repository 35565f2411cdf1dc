"""`cagette project ...` and `cagette render`, run for real in a subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from cagette.video import synth
from cagette.video.project import Project
from tests.conftest import run_cli


def test_new_show_and_refuse_existing(tmp_path: Path) -> None:
    r = run_cli("project", "new", str(tmp_path / "v"), "--title", "Ma vidéo")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "v" / "project.toml").is_file()
    r = run_cli("project", "new", str(tmp_path / "v"))
    assert r.returncode == 2 and "already exists" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("project", "show", str(tmp_path / "v"), "--json")
    assert json.loads(r.stdout)["project"]["title"] == "Ma vidéo"


def test_import_to_scenes_by_slug_and_position(media: dict[str, Path], tmp_path: Path) -> None:
    proj = tmp_path / "p"
    Project.create(proj, "Import")
    r = run_cli("project", "import", str(proj), str(media["clip"]), str(media["still"]), "--scene", "1")
    assert r.returncode == 0, r.stderr
    r = run_cli("project", "import", str(proj), str(media["frames"]), "--scene", "atelier")
    assert r.returncode == 0, r.stderr
    r = run_cli("project", "import", str(proj), str(media["clip2"]), "--scene", "3")
    assert r.returncode == 0, r.stderr
    r = run_cli("project", "import", str(proj), str(media["clip2"]), "--scene", "9")
    assert r.returncode == 1 and "9" in r.stderr
    d = Project.open(proj).data
    assert [s.slug for s in d.scenes] == ["scene-1", "atelier", "scene-3"]
    assert [sh.kind for sh in d.scene(1).shots] == ["clip", "still"]
    assert len(d.scene("atelier").shots) == 6


@pytest.mark.parametrize("key", ["truncated", "fake"])
def test_import_refuses_broken_files_by_name(key: str, media: dict[str, Path], tmp_path: Path) -> None:
    proj = tmp_path / "p"
    Project.create(proj, "Import")
    r = run_cli("project", "import", str(proj), str(media["clip"]), str(media[key]))
    assert r.returncode == 1
    assert media[key].name in r.stderr and "Traceback" not in r.stderr
    assert list((proj / "rushes").iterdir()) == []  # nothing copied


def test_check_lists_every_problem(media: dict[str, Path], tmp_path: Path) -> None:
    p = Project.create(tmp_path / "p", "Check")
    p.add_scene("Vide", "Un texte.")
    p.add_scene("Long", " ".join(["mot"] * 60))
    shot = p.add_shot(2, media["clip"])
    (p.root / shot.source).unlink()
    r = run_cli("project", "check", str(p.root), "--json")
    assert r.returncode == 1
    problems = json.loads(r.stdout)["problems"]
    text = " ".join(x["message"] for x in problems)
    assert "vide has no shot" in text and "clip.mp4 is missing" in text
    p2 = Project.create(tmp_path / "q", "Ok")
    p2.add_scene("A", "Court.")
    p2.add_shot(1, media["clip"])
    p2.set_voiceover(1, media["voice2"])
    r = run_cli("project", "check", str(p2.root))
    assert r.returncode == 0, r.stdout


def test_render_cli_writes_and_refuses_overwrite(media: dict[str, Path], tmp_path: Path) -> None:
    p = Project.create(tmp_path / "p", "Cli")
    p.set_export(title_card=False, end_card=False)
    p.add_scene("A")
    p.add_shot(1, media["clip2"])
    out = tmp_path / "o" / "film.mp4"
    r = run_cli("render", str(p.root), "--preset", "draft", "--out", str(out), "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert Path(data["video"]) == out and out.is_file() and out.with_suffix(".srt").is_file()
    r = run_cli("render", str(p.root), "--preset", "draft", "--out", str(out))
    assert r.returncode == 2 and "--force" in r.stderr
    r = run_cli("render", str(p.root), "--preset", "nope")
    assert r.returncode == 2 and "web-16x9" in r.stderr


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["ctrl-c", "sigterm", "sighup"])
def test_a_signal_mid_render_ends_ffmpeg_and_leaves_nothing(sig: signal.Signals, tmp_path: Path) -> None:
    """Ctrl-C reaches the whole process group (a terminal's way); SIGTERM and SIGHUP only cagette, which
    must end its ffmpeg child itself. Either way: exit 130, no .part, no lock, no work file, no ffmpeg left."""
    clip = synth.clip(tmp_path / "long.mp4", 6.0, (320, 180), 25)
    p = Project.create(tmp_path / "p", "Long")
    p.add_scene("A")
    p.add_shot(1, clip, speed=0.1)  # 60 s of output: a render long enough to be caught encoding
    proc = subprocess.Popen([sys.executable, "-m", "cagette", "render", str(p.root), "--preset", "draft"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    stream = proc.stderr
    assert stream is not None
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(stream.readline, "")), daemon=True)
    reader.start()

    def ffmpeg_children() -> list[str]:
        found = subprocess.run(["pgrep", "-f", str(p.root)], capture_output=True, text=True).stdout.split()
        return [x for x in found if int(x) != proc.pid]

    # Look for an ffmpeg child while the render is under way (its progress has begun), polling the process
    # table rather than waiting for a progress line: on a busy machine those come seldom, and an ffmpeg
    # child may have ended by the time one is read. Bounded by a count of looks, not by a clock.
    running: list[str] = []
    for _ in range(6000):
        if proc.poll() is not None:
            break
        if any(line.startswith("Rendering") for line in list(lines)):
            running = ffmpeg_children()
            if running:
                break
        time.sleep(0.01)
    seen = "".join(lines)
    assert "Rendering" in seen, seen
    assert running, "ffmpeg should be running now: " + seen[-500:]
    if sig == signal.SIGINT:
        os.killpg(proc.pid, sig)
    else:
        os.kill(proc.pid, sig)
    assert proc.wait(timeout=60) == 130, "".join(lines)
    reader.join(timeout=60)
    err = "".join(lines)
    assert "Traceback" not in err
    leftovers = subprocess.run(["pgrep", "-f", str(p.root)], capture_output=True, text=True).stdout
    assert leftovers.strip() == ""
    assert not [f for f in (p.root / "exports").rglob("*") if f.is_file()]  # no .part, no .lock
    assert not list((p.root / ".cagette" / "work").iterdir())
