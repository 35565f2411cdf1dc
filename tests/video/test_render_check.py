"""``render`` of a project that ``project check`` finds in error says so before it starts, unless told to go on."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from cagette.video import synth
from cagette.video.project import Project
from tests.conftest import run_cli


def test_render_refuses_a_project_in_error_and_names_each_problem(tmp_path: Path) -> None:
    p = Project.create(tmp_path / "p", "Inachevé")
    p.set_export(title_card=False, end_card=False, fade_s=0.0)
    p.add_scene("Sans plan", "Bonjour.")  # no shot: an error for check
    shot = p.add_shot(p.add_scene("Photo").slug, synth.frame_image(tmp_path / "a.png", 1, (64, 36)), duration_s=0.4)
    (p.root / shot.source).write_bytes(b"not a picture any more")  # a second error
    check = run_cli("project", "check", str(p.root), "--json")
    errors = [x for x in json.loads(check.stdout)["problems"] if x["level"] == "error"]
    assert check.returncode == 1 and len(errors) == 2

    res = run_cli("render", str(p.root), "--preset", "draft")
    assert res.returncode == 1 and "Traceback" not in res.stderr
    lines = res.stderr.splitlines()
    for e in errors:  # one line each, as check prints them
        assert f"✘ {e['where']}: {e['message']}" in lines
    assert "nothing was rendered" in res.stderr and "--skip-check" in res.stderr
    assert not list((p.root / "exports").rglob("*.mp4"))

    # what can be rendered is, when asked: the scene without shots becomes a card
    (p.root / shot.source).unlink()
    p.remove_shot(shot.id)
    res = run_cli("render", str(p.root), "--preset", "draft", "--skip-check", "--json")
    assert res.returncode == 0, res.stderr
    video = Path(json.loads(res.stdout)["video"])
    duration = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
                               str(video)], capture_output=True, text=True, check=True).stdout
    assert float(duration) > 1.0


def test_a_project_without_errors_renders_without_asking(tmp_path: Path) -> None:
    p = Project.create(tmp_path / "p", "Prêt")
    p.set_export(title_card=False, end_card=False, fade_s=0.0)
    p.add_shot(p.add_scene("Photo").slug, synth.frame_image(tmp_path / "a.png", 1, (64, 36)), duration_s=0.4)
    res = run_cli("render", str(p.root), "--preset", "draft", "--quiet")
    assert res.returncode == 0, res.stderr
    assert "✘" not in res.stderr and list((p.root / "exports").rglob("*.mp4"))
