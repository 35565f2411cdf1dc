"""Journeys: the real output of one part fed to the next, checked as a user would check it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.journeys.harness import Journey


@pytest.fixture
def journey(request: pytest.FixtureRequest, tmp_path: Path) -> Journey:
    name = request.node.name.removeprefix("test_")
    return Journey(name, tmp_path)
