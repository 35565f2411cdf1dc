"""The MicroPython runs can fail: a CPython-only construct slipped into a copy of the firmware passes
on CPython and breaks on MicroPython's Unix port, so the suite would see it before the board does."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cagette.errors import DeviceError
from tests.device.sim import FIRMWARE, HostEnd, SimDevice
from tests.device.test_firmware import check_examples

CONSTRUCTS = {
    # a str method MicroPython does not have, reached by every request
    "str.removeprefix": ("cagette_fw/app.py", 'cmd = req["cmd"]', 'cmd = req["cmd"].removeprefix("/")'),
    # a module MicroPython does not ship, imported at boot
    "typing": ("cagette_fw/lights.py", '"""Light channels', 'from typing import Final\n\nGAMMA_T: Final = 2.2\n"""Light channels'),
}


def patched_firmware(tmp: Path, construct: str) -> Path:
    copy = tmp / "firmware"
    shutil.copytree(FIRMWARE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.png", "*.svg"))
    name, old, new = CONSTRUCTS[construct]
    source = (copy / name).read_text()
    assert old in source, f"{name} changed: update this test's construct"
    (copy / name).write_text(source.replace(old, new, 1))
    return copy


def examples_pass(tmp: Path, interpreter: str, firmware: Path) -> None:
    sim = SimDevice(tmp / interpreter, interpreter, paused=True, script=firmware / "sim" / "studio.py")
    host = HostEnd(sim.port)
    try:
        check_examples(sim, host)
    finally:
        host.close()
        sim.close()


@pytest.mark.parametrize("construct", sorted(CONSTRUCTS))
def test_a_cpython_only_construct_fails_on_micropython(tmp_path: Path, construct: str) -> None:
    firmware = patched_firmware(tmp_path, construct)
    examples_pass(tmp_path, "cpython", firmware)  # CPython takes it...
    with pytest.raises((AssertionError, DeviceError)) as err:  # ...MicroPython does not
        examples_pass(tmp_path, "micropython", firmware)
    assert construct.split(".")[-1] in str(err.value)  # and says why
