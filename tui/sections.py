"""The sections of the app that the home screen leads to.

Each entry names a key, a label (translated when shown) and the dotted path
of a function that returns the screen; the screen's module is imported only
when the section is opened, so heavy work stays out of the first screen.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from cagette.i18n import N_


@dataclass(frozen=True)
class Section:
    id: str
    key: str
    label: str
    description: str
    factory: str  # "module:function" returning a Screen

    def open(self, app: Any) -> Any:
        module_name, _, func = self.factory.partition(":")
        module = importlib.import_module(module_name)
        return getattr(module, func)(app)


SECTIONS: list[Section] = [
    Section("help", "f1", N_("Help"), N_("Every key of the app, and where to start."), "cagette_tui.screens.help:make"),
]


def register(section: Section) -> None:
    """Add a section (screens of later areas call this from ``screens/__init__``)."""
    SECTIONS[:] = [s for s in SECTIONS if s.id != section.id] + [section]
