"""Where cagette keeps its settings, its data and the library.

* ``CAGETTE_HOME`` moves everything: settings in ``$CAGETTE_HOME/settings.toml``,
  data (recent projects, caches) in ``$CAGETTE_HOME``, the library in
  ``$CAGETTE_HOME/library``.
* Without it, the platform's folders (platformdirs): ``~/.config/cagette``,
  ``~/.local/share/cagette`` on Linux, ``%APPDATA%`` on Windows...
* The library is ``--library PATH``, else ``CAGETTE_LIBRARY``, else
  ``$CAGETTE_HOME/library``, else ``<data folder>/library``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP = "cagette"


def _home() -> Path | None:
    value = os.environ.get("CAGETTE_HOME")
    return Path(value).expanduser().absolute() if value else None


def config_dir() -> Path:
    home = _home()
    if home:
        return home
    import platformdirs

    return Path(platformdirs.user_config_dir(APP, appauthor=False))


def data_dir() -> Path:
    home = _home()
    if home:
        return home
    import platformdirs

    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def cache_dir() -> Path:
    home = _home()
    if home:
        return home / "cache"
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP, appauthor=False))


def app_state_file() -> Path:
    """What the app remembers between sessions (recent projects, cameras, the guided flow's place):
    ``<data folder>/app-state.json``, read and written by :mod:`cagette.flows.appstate`."""
    return data_dir() / "app-state.json"


def settings_file() -> Path:
    value = os.environ.get("CAGETTE_SETTINGS")
    if value:
        return Path(value).expanduser().absolute()
    return config_dir() / "settings.toml"


@dataclass(frozen=True)
class LibraryChoice:
    """The library a command works on, and how it was chosen."""

    path: Path
    source: str  # "option", "env", "home" or "default"

    @property
    def explicit(self) -> bool:
        """True when the user named it (``--library`` or ``CAGETTE_LIBRARY``)."""
        return self.source in ("option", "env")


def library_dir(option: str | os.PathLike[str] | None = None) -> LibraryChoice:
    if option:
        return LibraryChoice(Path(option).expanduser().absolute(), "option")
    env = os.environ.get("CAGETTE_LIBRARY")
    if env:
        return LibraryChoice(Path(env).expanduser().absolute(), "env")
    home = _home()
    if home:
        return LibraryChoice(home / "library", "home")
    return LibraryChoice(data_dir() / "library", "default")


def projects_dir() -> Path:
    """Where the app proposes to create new projects."""
    home = _home()
    if home:
        return home / "projects"
    return Path.home() / "cagette-projects"


def package_data(*parts: str) -> Path:
    """A file shipped inside the ``cagette`` package (fonts, presets...)."""
    return Path(__file__).parent.joinpath(*parts)


def font_path(bold: bool = False) -> Path:
    """The shipped font (DejaVu Sans, Bitstream Vera licence)."""
    return package_data("fonts", "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
