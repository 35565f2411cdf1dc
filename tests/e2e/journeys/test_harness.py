"""The harness itself: a broken step is named with its input, a passing one is recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.journeys.harness import Journey, JourneyBroke


def test_a_failing_command_names_the_step_and_its_input(tmp_path: Path) -> None:
    j = Journey("demo", tmp_path)
    j.cli("ask for help", "--help")
    missing = tmp_path / "no-such-project"
    with pytest.raises(JourneyBroke) as err:
        j.cli("check a project", "project", "check", str(missing), given=missing)
    text = str(err.value)
    assert "step 'check a project'" in text and str(missing) in text and "ask for help" in text


def test_a_failing_check_inside_a_step_names_it(tmp_path: Path) -> None:
    j = Journey("demo", tmp_path)
    with (pytest.raises(JourneyBroke, match=r"step 'decode'.*export\.mp4.*\n.*ZeroDivisionError"),
          j.step("decode", given=tmp_path / "export.mp4")):
        _ = 1 / 0
