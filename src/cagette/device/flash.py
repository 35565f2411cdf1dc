"""``cagette device flash``: copy the firmware onto the board with mpremote.

The board must already run MicroPython (a fresh Pico: hold BOOTSEL, plug it
in, copy the RPI_PICO ``.uf2`` from micropython.org onto the RPI-RP2 drive).
When it already runs our firmware, it is first asked to reboot into
maintenance mode (no watchdog, REPL free) so mpremote can reach it.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cagette.device import finder, protocol
from cagette.errors import DeviceError
from cagette.i18n import _

MKDIR = "import os\ntry:\n os.mkdir('cagette_fw')\nexcept OSError:\n pass"
MPREMOTE_TIMEOUT_S = 120


def firmware_dir(source: Path | None = None) -> Path:
    """The firmware sources: *source*, ``CAGETTE_FIRMWARE``, or the checkout's ``firmware/``."""
    candidates = [source] if source else []
    if os.environ.get("CAGETTE_FIRMWARE"):
        candidates.append(Path(os.environ["CAGETTE_FIRMWARE"]))
    candidates.append(Path(__file__).resolve().parents[3] / "firmware")  # a source checkout
    spec = importlib.util.find_spec("cagette.firmware")  # shipped in the wheel
    if spec and spec.submodule_search_locations:
        candidates.extend(Path(p) for p in spec.submodule_search_locations)
    for path in candidates:
        if path is not None and (path / "main.py").is_file() and (path / "cagette_fw").is_dir():
            return path
        if source:
            break
    raise DeviceError(
        _("No firmware found in {path}.").format(path=candidates[0]),
        _("Give the folder holding main.py and cagette_fw/ with --source (firmware/ in the cagette sources)."),
    )


@dataclass(frozen=True)
class FlashPlan:
    port: str
    files: tuple[tuple[Path, str], ...]  # local file, path on the board
    command: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"port": self.port, "files": [{"local": str(a), "board": b} for a, b in self.files],
                "command": list(self.command)}


def firmware_files(src: Path) -> list[tuple[Path, str]]:
    files = [(src / "main.py", "main.py"), (src / "hw_pico.py", "hw_pico.py")]
    files += [(p, f"cagette_fw/{p.name}") for p in sorted((src / "cagette_fw").glob("*.py"))]
    return files


def plan(port: str, source: Path | None = None) -> FlashPlan:
    src = firmware_dir(source)
    files = firmware_files(src)
    package = [str(a) for a, b in files if b.startswith("cagette_fw/")]
    top = [str(a) for a, b in files if "/" not in b]
    cmd = (sys.executable, "-m", "mpremote", "connect", port, "exec", MKDIR,
           "+", "fs", "cp", *package, ":cagette_fw/",
           "+", "fs", "cp", *top, ":",
           "+", "reset")
    return FlashPlan(port, tuple(files), cmd)


def pick_port(port: str | None) -> str:
    """The port to flash: the one given, else the only MicroPython board plugged in."""
    if port:
        if not Path(port).exists() and not port.upper().startswith("COM"):
            raise DeviceError(
                _("There is no port {port}.").format(port=port),
                _("Plug the board in and see its port with 'cagette device list --all'."),
            )
        return port
    found = finder.candidates()
    if not found:
        raise DeviceError(
            _("No MicroPython board is plugged in (no USB device 2E8A:0005)."),
            _("A fresh Pico first needs MicroPython: hold BOOTSEL while plugging it in and copy the RPI_PICO "
              ".uf2 file from micropython.org onto the RPI-RP2 drive; then run this again."),
        )
    if len(found) > 1:
        raise DeviceError(
            _("Several MicroPython boards are plugged in: {ports}.").format(ports=", ".join(c.device for c in found)),
            _("Name the one to flash with --port."),
        )
    return found[0].device


def enter_maintenance(port: str, wait_s: float = 10.0) -> bool:
    """If *port* runs our firmware, reboot it into maintenance mode; True if it did."""
    try:
        finder.probe(port, timeout=1.0)
    except DeviceError:
        return False  # plain MicroPython (or busy): mpremote will tell
    ser = finder.open_port(port)
    try:
        ser.write(protocol.encode("maintenance", "flash"))
        reply = finder.read_reply(ser, "flash", 2.0)
    finally:
        ser.close()
    if reply is None or not reply.ok:
        return False
    deadline = time.monotonic() + wait_s
    time.sleep(1.0)  # the board resets and its USB port comes back
    while time.monotonic() < deadline and not Path(port).exists():
        time.sleep(0.2)
    return True


def check_repl(port: str, timeout: float = 2.0) -> None:
    """Make sure a MicroPython prompt answers on *port* before mpremote runs
    (mpremote itself waits forever on a silent port)."""
    import serial

    ser = finder.open_port(port)
    seen = b""
    try:
        ser.write(b"\r\x03\x03\r")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and b">>>" not in seen:
            seen += ser.read(256)
            seen = seen[-2048:]
    except (serial.SerialException, OSError) as exc:
        raise DeviceError(
            _("The board on {port} went away: {error}").format(port=port, error=exc),
            _("Plug it back in and run 'cagette device flash' again."),
        ) from exc
    finally:
        ser.close()
    if b">>>" not in seen:
        raise DeviceError(
            _("No MicroPython prompt answered on {port}.").format(port=port),
            _("A fresh Pico first needs MicroPython: hold BOOTSEL while plugging it in and copy the RPI_PICO "
              ".uf2 file from micropython.org onto the RPI-RP2 drive. If it runs the cagette firmware, "
              "unplug and replug it, then try again."),
        )


def flash(flash_plan: FlashPlan) -> str:
    """Run mpremote; its output, or a :class:`DeviceError` saying what failed."""
    limit = float(os.environ.get("CAGETTE_MPREMOTE_TIMEOUT_S", MPREMOTE_TIMEOUT_S))
    try:
        proc = subprocess.run(flash_plan.command, capture_output=True, text=True, timeout=limit)
    except subprocess.TimeoutExpired as exc:
        raise DeviceError(
            _("mpremote did not finish within {s:g} s on {port}.").format(s=limit, port=flash_plan.port),
            _("Unplug and replug the board, then run 'cagette device flash' again."),
        ) from exc
    if proc.returncode != 0:
        last = (proc.stderr.strip() or proc.stdout.strip() or "?").splitlines()[-1]
        raise DeviceError(
            _("Copying the firmware with mpremote failed on {port}: {error}").format(port=flash_plan.port, error=last),
            _("Check that the board runs MicroPython and that no other program (Thonny, the app) holds the port."),
        )
    return proc.stdout
