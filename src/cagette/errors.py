"""One error base for the whole project, with a few domain subclasses.

Every error carries a *message* (what was wrong) and a *hint* (what to do).
Front ends show them as a short text; a traceback only with ``--debug``.
The exit status of the command line is the class's ``exit_code``:
1 when the work failed, 2 when the command line, a settings file or a
parameter is invalid, 130 when the work was interrupted.
"""

from __future__ import annotations


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
