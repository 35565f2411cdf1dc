"""One error base for the whole project, with a few domain subclasses.

Every error carries a *message* (what was wrong) and a *hint* (what to do).
Front ends show them as a short text; a traceback only with ``--debug``.
The exit status of the command line is the class's ``exit_code``:
1 when the work failed, 2 when the command line, a settings file or a
parameter is invalid, 130 when the work was interrupted.
"""

from __future__ import annotations

import re


class CagetteError(Exception):
    """Base of every error the user is meant to read."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message

    def as_text(self) -> str:
        """Message and hint on one or two lines, as the CLI prints them."""
        if self.hint:
            return f"{self.message}\n  → {self.hint}"
        return self.message


class UsageError(CagetteError):
    """The command line, a settings file or a parameter is invalid (exit 2)."""

    exit_code = 2


class SettingsError(UsageError):
    """A settings file is unreadable or holds an unknown or ill-typed key."""


class ParameterError(UsageError):
    """A plan parameter, or a combination of parameters, is impossible."""


class Cancelled(CagetteError):
    """The user cancelled a long job (Ctrl-C, a Cancel button)."""

    exit_code = 130


class PlansError(CagetteError):
    """Building the plans of the box failed (geometry kernel, export)."""


class ProjectError(CagetteError):
    """A project folder is missing, malformed or locked."""


class MediaError(CagetteError):
    """A media file cannot be read, probed or decoded."""


class RenderError(CagetteError):
    """Rendering a video failed."""


class LibraryError(CagetteError):
    """The library is unreadable, locked or inconsistent."""


class IntegrityError(LibraryError):
    """Stored bytes do not match their recorded hash or size."""


class SyncError(CagetteError):
    """Exchanging with a remote library failed or was refused."""


class CaptureError(CagetteError):
    """A camera, a stream or the phone upload page failed."""


class DeviceError(CagetteError):
    """The studio's controller board is absent, busy or answers badly."""


class SystemLibraryError(CagetteError):
    """A shared library that a third-party wheel loads from the system is missing."""


# Shared objects the wheels we depend on load from the system (OCP/VTK for the plans, OpenCV, PyAV),
# and the Debian package that has each. `scripts/system-deps.sh` installs the same list.
SYSTEM_LIBRARIES = {
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libX11.so.6": "libx11-6",
    "libXext.so.6": "libxext6",
    "libXrender.so.1": "libxrender1",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libgomp.so.1": "libgomp1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
}

_MISSING_SO = re.compile(r"(lib[\w.+-]+?\.so(?:\.\d+)*): cannot open shared object file")


def missing_system_library(error: BaseException | str) -> SystemLibraryError | None:
    """The error to show when *error* (or its causes) is a shared library the system lacks, else None.

    Whatever wrapped it (an export failure, an import error), the person is told which Debian package to
    install rather than a generic hint.
    """
    seen: set[int] = set()
    texts: list[str] = []
    item: BaseException | str | None = error
    while item is not None and id(item) not in seen:
        seen.add(id(item))
        texts.append(item if isinstance(item, str) else str(item))
        item = None if isinstance(item, str) else (item.__cause__ or item.__context__)
    for text in texts:
        found = _MISSING_SO.search(text)
        if found:
            break
    else:
        return None
    from cagette.i18n import _  # plumbing beside plumbing, imported late: i18n imports this module

    library = found.group(1)
    package = SYSTEM_LIBRARIES.get(library)
    if package:
        hint = _("Install the Debian package {package} (as root: apt-get install {package}); `make demo` "
                 "installs it when it can.").format(package=package)
    else:
        hint = _("Install the system package that provides {library} (on Debian: apt-file search {library}).") \
            .format(library=library)
    return SystemLibraryError(_("A system library is missing: {library}.").format(library=library), hint)
