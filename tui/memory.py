"""The app's memory between sessions, through :mod:`cagette.flows.appstate` (one file in the data folder).

Reading never stops the app: a state file that cannot be read is set aside (kept beside it, never
deleted) and the app starts with an empty memory, saying so once. A failure to write is said once
too; the work itself (the projects) is never at stake here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cagette.errors import CagetteError
from cagette.flows import appstate
from cagette.flows.appstate import AppState, Recent
from cagette.i18n import _

# What went wrong with the memory (each said once), and who tells the person (the app sets it).
notices: list[str] = []
listener: Callable[[str], None] | None = None


def _say(exc: BaseException) -> None:
    text = exc.message + (f" → {exc.hint}" if exc.hint else "") if isinstance(exc, CagetteError) else str(exc)
    if text not in notices:
        notices.append(text)
        if listener is not None:
            listener(text)


def load() -> AppState:
    try:
        return appstate.load()
    except appstate.AppStateError as exc:
        try:
            aside = appstate.set_aside()
        except (OSError, CagetteError) as err:
            _say(err)
            return AppState()
        _say(CagetteError(exc.message, _("It was kept as {file}; the app starts with an empty memory.").format(
            file=aside) if aside else exc.hint))
        return AppState()
    except (OSError, CagetteError) as exc:
        _say(exc)
        return AppState()


def remember(change: Callable[[AppState], AppState]) -> AppState | None:
    """Apply *change* to the remembered state; None (and a notice) when it cannot be written."""
    try:
        return appstate.update(change)
    except appstate.AppStateError:
        load()  # sets the unreadable file aside, then the change is made on an empty memory
        try:
            return appstate.update(change)
        except (OSError, CagetteError) as exc:
            _say(exc)
            return None
    except (OSError, CagetteError) as exc:
        _say(exc)
        return None


def recent_projects() -> list[Recent]:
    return load().recent_projects()


def remember_project(root: Path, title: str = "") -> None:
    remember(lambda s: s.with_recent(root, title))
