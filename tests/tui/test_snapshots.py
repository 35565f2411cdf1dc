"""Snapshots of every screen in French and English (pytest-textual-snapshot).

Baselines live in ``__snapshots__/``; after a deliberate change of a screen,
regenerate them with ``pytest tests/tui/test_snapshots.py --snapshot-update``
and look at the report before committing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.tui.snapapp import SCREENS, SnapApp


async def _settle(pilot: Any) -> None:
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("screen", SCREENS)
def test_screen(screen: str, lang: str, tmp_path: Path, snap_compare: Any) -> None:
    app = SnapApp(screen, lang, tmp_path)
    assert snap_compare(app, terminal_size=(120, 40), run_before=_settle)
