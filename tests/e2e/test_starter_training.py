"""The training morning: the kit follows the app's guided flow with the guide's durations, its exercises start
from templates and end in videos, its memo lists the app's own keys on one page."""

from __future__ import annotations

import itertools
import json
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from cagette.i18n import _, language
from cagette.starter import HERE, template_slugs
from cagette.starter.morning import kit_order, timetable
from tests.conftest import run_cli


def guided_steps(lang: str) -> list[str]:
    """The steps of the app's guided flow, as the app names them in *lang*."""
    from cagette_tui.screens.guided import STEPS

    with language(lang):
        return [_(step.label) for step in STEPS]


def clock(time: str) -> int:
    hours, minutes = re.findall(r"\d+", time)
    return int(hours) * 60 + int(minutes)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_morning_follows_the_guided_flow_with_the_guides_durations(lang: str) -> None:
    steps = timetable(lang)
    assert [s.step for s in steps] == guided_steps(lang)
    for here, after in itertools.pairwise(steps):
        assert clock(here.time) + here.minutes == clock(after.time), (here, after)  # the times add up
    order = kit_order(lang)
    assert [step for _m, step, _seq in order if step] == guided_steps(lang)
    durations = {s.step: s.minutes for s in steps}
    assert all(minutes == durations[step] for minutes, step, _seq in order if step)
    assert sum(m for m, _s, _q in order) == 210  # "three and a half hours"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_kit_says_what_to_bring_and_how_to_do_without_hardware(lang: str) -> None:
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted((HERE / "trainers" / lang).glob("*.md")))
    assert ("## Ce qu'il faut apporter" if lang == "fr" else "## What to bring") in text
    assert "cagette device simulate" in text and "CAGETTE_DEVICE_PORT" in text
    assert ("autorisation" if lang == "fr" else "consent") in text


def exercises(lang: str) -> list[tuple[str, list[list[str]]]]:
    """(title, cagette commands in the order written) of every exercise of *lang*."""
    path = sorted((HERE / "trainers" / lang).glob("02-*.md"))[0]
    parts = re.split(r"^## ", path.read_text(encoding="utf-8"), flags=re.M)[1:]
    out = []
    for part in parts:
        title = part.splitlines()[0]
        commands = [shlex.split(" ".join(c.split())) for c in re.findall(r"`(cagette [^`]+)`", part, re.S)]
        out.append((title, commands))
    return out


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_exercise_starts_from_a_template_and_ends_in_a_render(lang: str) -> None:
    found = exercises(lang)
    assert len(found) >= 5
    made: dict[str, str] = {}
    for title, commands in found:
        assert commands and commands[-1][:2] == ["cagette", "render"], title
        assert "--preset" in commands[-1]
        for cmd in commands:
            if cmd[1:3] == ["project", "new"]:
                slug = cmd[cmd.index("--template") + 1]
                assert slug in template_slugs(), (title, slug)
                made[cmd[3]] = slug
        assert commands[-1][2] in made, f"{title}: renders a project no exercise made"


@pytest.mark.slow
def test_the_first_exercise_runs_as_written(tmp_path: Path) -> None:
    """The commands of exercise 1, run word for word, make a video (ffprobe is the judge)."""
    _title, commands = exercises("en")[0]
    for cmd in commands:
        done = run_cli(*cmd[1:], cwd=tmp_path, timeout=300)
        assert done.returncode == 0, f"{shlex.join(cmd)}: {done.stderr}"
    video = next((tmp_path / commands[0][3] / "exports").rglob("*.mp4"))
    probe = json.loads(subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_type:format=duration",
                                       "-of", "json", str(video)], capture_output=True, text=True, check=True).stdout)
    assert sorted(s["codec_type"] for s in probe["streams"]) == ["audio", "video"]
    assert float(probe["format"]["duration"]) > 10
    title = commands[0][commands[0].index("--title") + 1]
    assert title in (video.with_suffix(".txt")).read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_key_memo_is_one_page_of_the_apps_keys(built_docs: dict[str, tuple[Path, ...]], lang: str) -> None:
    (memo,) = built_docs[f"memo-{lang}"]
    info = subprocess.run(["pdfinfo", str(memo)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M)
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(memo), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    table = json.loads((HERE / "screens" / "keys.json").read_text(encoding="utf-8"))[lang]
    for section in table:
        assert section["title"] in text
        for key, label in section["keys"]:
            assert key in text and " ".join(label.split()) in text, (key, label)
