"""Checks of what the work needs, each with a fix (``cagette doctor``)."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from cagette import locations
from cagette.i18n import N_, _


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    essential: bool
    detail: str
    fix: str = ""

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def ffmpeg_exe() -> str | None:
    """The ffmpeg binary that imageio-ffmpeg ships (or the system one)."""
    try:
        import imageio_ffmpeg

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError):
        return shutil.which("ffmpeg")


def check_ffmpeg() -> Check:
    exe = ffmpeg_exe()
    if not exe:
        return Check(N_("ffmpeg"), False, True, _("not found"),
                     _("Reinstall with 'make demo' (imageio-ffmpeg ships ffmpeg)."))
    try:
        out = subprocess.run([exe, "-hide_banner", "-version"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        return Check(N_("ffmpeg"), False, True, str(exc), _("Reinstall imageio-ffmpeg."))
    match = re.search(r"ffmpeg version (\S+)", out)
    encoders = subprocess.run([exe, "-hide_banner", "-encoders"], capture_output=True, text=True, timeout=20).stdout
    if "libx264" not in encoders:
        return Check(N_("ffmpeg"), False, True, _("no H.264 encoder (libx264)"),
                     _("Use the ffmpeg that imageio-ffmpeg ships."))
    return Check(N_("ffmpeg"), True, True, f"{match.group(1) if match else '?'} ({exe})")


def check_occt() -> Check:
    if importlib.util.find_spec("OCP") is None:
        return Check(N_("OCCT kernel"), False, True, _("cadquery-ocp is not installed"),
                     _("Reinstall with 'make demo'."))
    try:
        from OCP.Standard import Standard_Version

        version = Standard_Version.String_s() if hasattr(Standard_Version, "String_s") else "OCP"
    except (ImportError, AttributeError):
        version = "OCP"
    return Check(N_("OCCT kernel"), True, True, str(version))


def check_opencv() -> Check:
    if importlib.util.find_spec("cv2") is None:
        return Check(N_("OpenCV"), False, True, _("not installed"),
                     _("Install opencv-python-headless (not opencv-python)."))
    import cv2

    try:
        backends = sorted({cv2.videoio_registry.getBackendName(b) for b in cv2.videoio_registry.getBackends()})
    except (AttributeError, cv2.error):
        backends = []
    return Check(N_("OpenCV"), True, True, f"{cv2.__version__}: {', '.join(backends) or '?'}")


def check_font() -> Check:
    path = locations.font_path()
    if path.is_file():
        return Check(N_("font"), True, True, path.name)
    return Check(N_("font"), False, True, _("missing {path}").format(path=path), _("Reinstall cagette."))


def check_serial() -> Check:
    try:
        from serial.tools import list_ports
    except ImportError:
        return Check(N_("serial ports"), False, False, _("pyserial is not installed"), _("Reinstall with 'make demo'."))
    ports = [p.device for p in list_ports.comports()]
    return Check(N_("serial ports"), True, False, ", ".join(ports) or _("none (the studio controller is optional)"))


def check_disk(path: Path | None = None, minimum_gb: float = 2.0) -> Check:
    path = path or locations.data_dir()
    probe = path
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    free_gb = shutil.disk_usage(probe).free / 1e9
    ok = free_gb >= minimum_gb
    return Check(N_("free disk"), ok, True, _("{free:.1f} GB free in {path}").format(free=free_gb, path=probe),
                 "" if ok else _("Free some space: a morning of video takes a few GB."))


def check_chromium() -> Check:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe:
        return Check(N_("Chromium (tests)"), True, False, exe)
    return Check(N_("Chromium (tests)"), False, False, _("not found"),
                 _("Only the tests need it: 'make test' installs it (apt-get install chromium)."))


def check_tool(name: str, package: str, why: str) -> Check:
    exe = shutil.which(name)
    if exe:
        return Check(name, True, False, exe)
    return Check(name, False, False, _("not found"), _("{why}: apt-get install {package}").format(why=why, package=package))


CHECKS: tuple[Callable[[], Check], ...] = (
    check_ffmpeg,
    check_occt,
    check_opencv,
    check_font,
    check_serial,
    check_disk,
    check_chromium,
    lambda: check_tool("espeak-ng", "espeak-ng", _("Speech for the sample project and the tests")),
    lambda: check_tool("ffprobe", "ffmpeg", _("Independent probe used by the tests")),
)


def run_checks() -> list[Check]:
    results = []
    for check in CHECKS:
        try:
            results.append(check())
        except (OSError, subprocess.SubprocessError, ImportError) as exc:
            results.append(Check(getattr(check, "__name__", "check"), False, True, str(exc), _("See --debug.")))
    return results
