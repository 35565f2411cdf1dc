from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.device.sim import SimDevice


@pytest.fixture(autouse=True)
def _one_worker_at_a_time_on_ptys(serial_ports: None) -> None:
    """Every test here makes or opens pseudo-terminals (:func:`tests.conftest.serial_ports`)."""


@pytest.fixture(autouse=True)
def no_simulated_port(monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``cagette device simulate`` left exported in the developer's shell must not leak in."""
    monkeypatch.delenv("CAGETTE_DEVICE_PORT", raising=False)


@pytest.fixture
def interpreter() -> str:
    """The firmware's interpreter: MicroPython, the board's own; tests that run on both say
    ``@pytest.mark.parametrize("interpreter", BOTH)``."""
    return "micropython"


@pytest.fixture
def sim(tmp_path: Path, interpreter: str) -> Iterator[SimDevice]:
    device = SimDevice(tmp_path / "board", interpreter)
    yield device
    device.close()


@pytest.fixture
def paused(tmp_path: Path, interpreter: str) -> Iterator[SimDevice]:
    """A board whose clock moves only when the test says so (``paused.run(ms)``)."""
    device = SimDevice(tmp_path / "board", interpreter, paused=True)
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
