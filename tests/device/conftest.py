from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.device.sim import SimDevice


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[SimDevice]:
    device = SimDevice(tmp_path)
    yield device
    device.close()


@pytest.fixture
def controller(sim: SimDevice) -> Iterator[object]:
    from cagette.capture.trigger import QueueTrigger
    from cagette.device.controller import Controller

    ctl = Controller(lambda: [sim.port], QueueTrigger(), backoff_s=(0.02, 0.2))
    ctl.start()
    ctl.wait_connected(10)
    yield ctl
    ctl.stop()
