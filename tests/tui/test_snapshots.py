"""Snapshots of the main screens in French and English, at 80 × 24 and 120 × 40 (pytest-textual-snapshot).

Few and deterministic: fixed data, no camera list, no clock, the screen's workers finished before the
picture. Baselines live in ``__snapshots__/``; after a deliberate change of a screen, regenerate them
with ``pytest tests/tui/test_snapshots.py --snapshot-update`` and look at the report before committing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.tui.snapapp import SnapApp

CASES = [
    ("home", "fr", (80, 24)), ("home", "en", (80, 24)), ("home-contrast", "fr", (120, 40)),
    ("guided", "fr", (80, 24)), ("storyboard", "fr", (80, 24)), ("storyboard", "en", (120, 40)),
    ("capture", "en", (120, 40)), ("capture", "fr", (80, 24)), ("render", "en", (120, 40)),
    ("publish", "fr", (120, 40)), ("help", "fr", (80, 24)),
    ("plans", "fr", (80, 24)), ("plans", "en", (120, 40)), ("library", "en", (120, 40)), ("library", "fr", (80, 24)),
    ("sync", "fr", (80, 24)),
    ("project-panel", "fr", (80, 24)), ("project-panel", "en", (120, 40)),
]


async def _settle(pilot: Any) -> None:
    for field in pilot.app.screen.query("Input, TextArea"):
        field.cursor_blink = False  # a blinking cursor is caught on or off
    from cagette_tui.widgets.render_panel import RenderPanel

    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.wait_for_scheduled_animations()
    for panel in pilot.app.screen.query(RenderPanel):  # its check answers from a thread: wait for it
        for _i in range(600):
            if panel.problems is not None:
                break
            await pilot.pause(0.05)
    for _ in range(3):  # then the scroll that keeps the focused control in sight
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
    await pilot.pause()


@pytest.mark.parametrize(("screen", "lang", "size"), CASES, ids=[f"{s}-{lang}-{w}x{h}" for s, lang, (w, h) in CASES])
def test_screen(screen: str, lang: str, size: tuple[int, int], tmp_path: Path, snap_compare: Any) -> None:
    app = SnapApp(screen, lang, tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=_settle)
