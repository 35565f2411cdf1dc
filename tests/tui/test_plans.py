"""Plans screen with Pilot: figures update as you type, refused values are explained, the kit is built on disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from cagette_tui.app import CagetteApp
from cagette_tui.screens.plans import PlansScreen
from tests.tui.helpers import wait_for


async def test_figures_live_and_errors_beside_the_field(tmp_path: Path) -> None:
    app = CagetteApp(lang="en")
    async with app.run_test(size=(140, 50)) as pilot:
        screen = PlansScreen(preset="phone-a4", out_dir=tmp_path / "kit")
        app.push_screen(screen)
        await wait_for(pilot, lambda: screen.query("#figures") and "Shelf height" in str(
            screen.query_one("#figures").render()))
        before = screen.params.framing.shelf_height_mm
        field = screen.query_one("#f-lens_focal_35mm_mm", Input)
        field.value = "35"
        await wait_for(pilot, lambda: screen.params.lens_focal_35mm_mm == 35.0, what="new focal length")
        assert screen.params.framing.shelf_height_mm > before  # a narrower lens sits higher
        assert f"{screen.params.framing.shelf_height_mm:.0f} mm" in str(screen.query_one("#figures").render())

        field = screen.query_one("#f-board_thickness_mm", Input)
        field.value = "thick"
        await wait_for(pilot, lambda: "board_thickness_mm" in screen.invalid, what="refused value")
        assert "⚠" in str(screen.query_one("#err-board_thickness_mm").render())
        field.value = "-3"
        await wait_for(pilot, lambda: str(screen.query_one("#err-board_thickness_mm").render()).strip()
                       or screen.general_error, what="refused range")
        field.value = "6"
        await wait_for(pilot, lambda: not screen.invalid and not screen.general_error, what="valid again")


@pytest.mark.slow
async def test_build_the_cutting_files(tmp_path: Path) -> None:
    from textual.widgets import Select

    app = CagetteApp(lang="en")
    async with app.run_test(size=(140, 50)) as pilot:
        screen = PlansScreen(preset="phone-a4", out_dir=tmp_path / "kit")
        app.push_screen(screen)
        await wait_for(pilot, lambda: screen.query("#what"))
        screen.query_one("#what", Select).value = "2d"
        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: screen.built, timeout=180, what="kit built")
        kit = tmp_path / "kit"
        assert (kit / "params.toml").is_file()
        assert list(kit.rglob("*.dxf")) and list(kit.rglob("*.svg"))
        assert "files written" in str(screen.query_one("#built").render())
