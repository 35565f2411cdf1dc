"""The capture screen with the studio's controller (the real firmware, simulated on a pty):
light sliders appear and set the levels; the studio's button takes a stop-motion frame."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Static

from cagette.video.project import open_project
from cagette_tui.app import CagetteApp
from cagette_tui.screens.capture import CaptureScreen
from cagette_tui.widgets.slider import Slider
from tests.device.sim import SimDevice
from tests.tui.fixtures import make_project
from tests.tui.helpers import wait_for
from tests.tui.test_capture import camera  # noqa: F401 - the synthetic camera fixture


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[SimDevice]:
    device = SimDevice(tmp_path / "board")
    yield device
    device.close()


@pytest.mark.slow
async def test_lights_and_studio_button(tmp_path: Path, isolated_home: Path, sim: SimDevice,
                                        camera: str) -> None:  # noqa: F811
    from cagette import settings

    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "settings.toml").write_text(f'[device]\nport = "{sim.port}"\n', encoding="utf-8")
    settings.current.cache_clear()
    root = tmp_path / "demo"
    make_project(root)
    app = CagetteApp(lang="en")
    async with app.run_test(size=(130, 42)) as pilot:
        screen = CaptureScreen(open_project(root), source=camera, devices=[])
        app.push_screen(screen)
        await wait_for(pilot, lambda: screen.has_class("-lights") and screen.levels_read, what="controller connected")
        slider = screen.query_one("#light-key", Slider)
        start = slider.value
        lights = screen.query_one("#lights", Static)
        # always on screen, in the words of `cagette device lights`
        assert str(lights.render()).startswith(f"Lights: key {start:.0f} %, fill ")
        assert "key light" in str(slider.render())
        slider.focus()
        await pilot.press("right", "right")
        await wait_for(pilot, lambda: slider.value == min(100.0, start + 10))
        await wait_for(pilot, lambda: screen.controller.levels()["targets"]["key"] == slider.value,
                       what="key light set on the board")
        assert f"Lights: key {slider.value:.0f} %" in str(lights.render())
        assert "%" in str(slider.render()) and "▶" in str(slider.render())  # the focused slider is marked

        # the studio's button is the shutter: a frame is taken
        await wait_for(pilot, lambda: screen.frames_shown > 0, what="live view")
        sim.press(hold_ms=80)
        frames = root / "frames" / "welcome"
        await wait_for(pilot, lambda: len(list(frames.glob("*.jpg"))) == 1, what="frame from the button")
        assert not app.errors_shown, app.errors_shown
        await pilot.press("escape")
        deadline = time.monotonic() + 10
        while screen.controller is not None and time.monotonic() < deadline:
            await pilot.pause(0.1)


async def test_the_port_in_the_environment_beats_the_settings_as_in_the_cli(
        tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cagette import settings

    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "settings.toml").write_text('[device]\nport = "/dev/cagette-settings-port"\n', encoding="utf-8")
    settings.current.cache_clear()
    root = tmp_path / "demo"
    make_project(root)
    app = CagetteApp(lang="en")
    async with app.run_test(size=(130, 42)) as pilot:
        monkeypatch.setenv("CAGETTE_DEVICE_PORT", "/dev/cagette-env-port")
        screen = CaptureScreen(open_project(root), devices=[])
        app.push_screen(screen)
        await wait_for(pilot, lambda: screen.controller is not None, what="the controller started")
        assert screen.controller.ports() == ["/dev/cagette-env-port"]
        monkeypatch.delenv("CAGETTE_DEVICE_PORT")
        app.pop_screen()
        await pilot.pause()
        screen = CaptureScreen(open_project(root), devices=[])
        app.push_screen(screen)
        await wait_for(pilot, lambda: screen.controller is not None, what="the controller started")
        assert screen.controller.ports() == ["/dev/cagette-settings-port"]
