"""Which library a front end opens, and seeding it with the starter library.

``cagette library init``, the app's first start and ``make demo`` import the
starter library (``cagette.starter.resources(build_dir)``) with stable ids, so
running it again with a newer starter applies edits, never duplicates. This is
a flow (floor 5): it joins the library pillar and the shipped starter, which the
library itself never imports.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from cagette.errors import LibraryError
from cagette.i18n import _
from cagette.library.library import ImportReport, Library, is_library
from cagette.library.state import STARTER_SOURCE  # one truth: the library judges the starter's lines by it
from cagette.progress import Progress


class StarterUnavailable(LibraryError):
    """The starter library is not installed, or offers no resources yet."""


def open_choice(choice: Any, settings: Any = None) -> Library:
    """The library a command works on (a :class:`cagette.locations.LibraryChoice`).

    A library named explicitly (``--library``, ``CAGETTE_LIBRARY``) must exist: it is
    never created nor seeded behind the user's back. The default one is created on
    first use and seeded with the starter library when the settings allow it.
    """
    if is_library(choice.path):
        return Library.open(choice.path)
    if choice.explicit:
        raise _no_library(choice.path)
    lib_settings = getattr(settings, "library", None)
    general = getattr(settings, "general", None)
    lib = Library.create(choice.path, site_name=(getattr(lib_settings, "site_name", "")
                                                 or getattr(general, "organisation", "")))
    if getattr(lib_settings, "seed_starter", True):
        try:
            seed_starter(lib)
        except StarterUnavailable:
            pass  # an empty library is still usable; `cagette library init` says why
    return lib


def open_existing(choice: Any) -> Library | None:
    """The library to read from, without creating one: None when the default one does not exist yet.

    A library named explicitly must exist (a clear error otherwise)."""
    if is_library(choice.path):
        return Library.open(choice.path)
    if choice.explicit:
        raise _no_library(choice.path)
    return None


def _no_library(path: Path) -> LibraryError:
    return LibraryError(_("No library at {path}.").format(path=path),
                        _("Run `cagette library init` to create it, or check --library / CAGETTE_LIBRARY."))


def starter_resources() -> Callable[[Path], Iterable[Any]]:
    """``cagette.starter.resources``, or :class:`StarterUnavailable` saying why not."""
    try:
        from cagette import starter
    except ImportError as exc:
        raise StarterUnavailable(_("The starter library is not installed ({error}).").format(error=exc),
                                 _("Reinstall cagette, or run `cagette library init --no-starter`.")) from None
    resources = getattr(starter, "resources", None)
    if not callable(resources):
        raise StarterUnavailable(_("The starter library offers no resources yet (cagette.starter.resources)."),
                                 _("Use `cagette library init --no-starter` for an empty library."))
    found: Callable[[Path], Iterable[Any]] = resources
    return found


def seed_starter(lib: Library, progress: Progress | None = None) -> ImportReport:
    """Import the starter library (``cagette.starter.resources(build_dir)``) with stable ids."""
    resources = starter_resources()
    lib.local_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="starter-", dir=lib.local_dir) as tmp:
        entries = list(resources(Path(tmp)))
        return lib.import_entries(entries, source=STARTER_SOURCE)
