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
    Section("new", "1", N_("New video"),
            N_("A guided first video: template, scripts, shooting, voice, captions, render, publish."),
            "cagette_tui.screens.guided:make"),
    Section("projects", "2", N_("Projects"),
            N_("Open a project: storyboard, shooting, render."), "cagette_tui.screens.projects:make"),
    Section("library", "3", N_("Library"),
            N_("Search, publish, export and sync the shared resources."), "cagette_tui.screens.library:make"),
    Section("plans", "4", N_("Box plans"),
            N_("Size the Vidéocagette and build its cutting kit."), "cagette_tui.screens.plans:make"),
    Section("help", "f1", N_("Help"), N_("Every key of the app, and where to start."), "cagette_tui.screens.help:make"),
]


def register(section: Section) -> None:
    """Add a section (screens of later areas call this from ``screens/__init__``)."""
    SECTIONS[:] = [s for s in SECTIONS if s.id != section.id] + [section]
