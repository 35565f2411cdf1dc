"""The Textual application: one calm place from an idea to a shared video."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.theme import Theme

from cagette.errors import CagetteError, missing_system_library
from cagette.i18n import N_, _, current_language, set_language

CALM = Theme(
    name="cagette",
    primary="#2f6f8f",
    secondary="#8a5a44",
    accent="#e0a030",
    warning="#d08000",
    error="#c03030",
    success="#2e8b57",
    background="#1e2326",
    surface="#262c30",
    panel="#30383d",
    dark=True,
)

HIGH_CONTRAST = Theme(
    name="cagette-contrast",
    primary="#ffff00",
    secondary="#00ffff",
    accent="#ffff00",
    warning="#ffaa00",
    error="#ff5555",
    success="#00ff00",
    foreground="#ffffff",
    background="#000000",
    surface="#000000",
    panel="#202020",
    dark=True,
)

# Keys that work everywhere, listed by the help screen: (key, label).
GLOBAL_KEYS: list[tuple[str, str]] = [
    ("F1", N_("help")),
    ("F2", N_("français / English")),
    ("F3", N_("high contrast")),
    ("Tab", N_("next control")),
    ("Esc", N_("back")),
    ("Ctrl+Z", N_("undo")),
    ("Ctrl+Y", N_("redo")),
    ("Ctrl+Q", N_("quit")),
]


class CagetteApp(App[int]):
    TITLE = "cagette"
    CSS_PATH = str(Path(__file__).with_name("app.tcss"))  # absolute: subclasses live elsewhere
    ENABLE_COMMAND_PALETTE = False
    AUTO_FOCUS = ""  # each screen names its main control (never an invisible container)
    # Screens lay themselves out for a small terminal (80 × 24) and a large one (120 × 40).
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (100, "-wide")]  # type: ignore[misc]  # Textual annotates it oddly (ClassVar | None)
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-short"), (32, "-tall")]  # type: ignore[misc]  # the same
    BINDINGS: ClassVar[list[BindingType]] = [
        # priority: they work in dialogs too (a modal screen stops the other bindings)
        Binding("f1", "help", "help", show=False, priority=True),
        Binding("f2", "switch_language", "language", show=False, priority=True),
        Binding("f3", "toggle_contrast", "contrast", show=False, priority=True),
        Binding("ctrl+q", "quit", "quit", show=False, priority=True),
    ]

    def __init__(self, lang: str | None = None, library: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if lang:
            set_language(lang)
        self.library_option = library
        self._shutter: Any = None
        self.errors_shown: list[str] = []  # for tests and the help screen's "last errors"
        self.register_theme(CALM)
        self.register_theme(HIGH_CONTRAST)
        self.theme = "cagette"

    @property
    def lang(self) -> str:
        return current_language()

    def on_mount(self) -> None:
        from cagette_tui import memory
        from cagette_tui.screens.home import HomeScreen

        memory.listener = lambda text: self.notify(text, title=_("Memory of the app"), severity="warning",
                                                   timeout=15)
        self.sub_title = _("Vidéocagette studio")
        self.push_screen(HomeScreen())
        self.after_home()
        if not self.is_headless:  # tests drive the app headless and seed on purpose
            self.run_worker(self.seed_on_first_start, thread=True, exit_on_error=False)

    def seed_on_first_start(self) -> str | None:
        """First start: create the default library with the starter resources (guide, templates...).

        A library named with --library or CAGETTE_LIBRARY is never created nor seeded here.
        Returns the library's path when it was just made.
        """
        from cagette import locations
        from cagette.library.library import is_library

        choice = locations.library_dir(self.library_option)
        if choice.explicit or is_library(choice.path):
            return None
        from cagette_tui.adapters import open_library

        try:
            open_library()
        except CagetteError as exc:
            self.show_error(exc)  # notify() is thread-safe
            return None
        self.notify(_("Your library is ready, with the director's guide and the templates."))
        return str(choice.path)

    def after_home(self) -> None:
        """Called once the home screen is pushed (a subclass may open another screen on top)."""

    # actions --------------------------------------------------------------
    def action_help(self) -> None:
        from cagette_tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    async def action_switch_language(self) -> None:
        """F2: the other language; the screen is drawn again with every value it holds, nothing saved
        meanwhile (the screens below are drawn again when they come back)."""
        from cagette_tui.screens.base import LanguageAware

        set_language("en" if current_language() == "fr" else "fr")
        self.sub_title = _("Vidéocagette studio")
        if isinstance(self.screen, LanguageAware):
            await self.screen.relabel()
        self.notify(_("Language: English") if current_language() == "en" else _("Language: French"))

    def action_toggle_contrast(self) -> None:
        self.theme = "cagette" if self.theme == "cagette-contrast" else "cagette-contrast"

    def open_section(self, section_id: str) -> None:
        from cagette_tui.sections import SECTIONS

        for section in SECTIONS:
            if section.id == section_id:
                try:
                    self.push_screen(section.open(self))
                except CagetteError as exc:
                    self.show_error(exc)
                except ImportError as exc:
                    self.show_error(CagetteError(
                        _("This part of the app is not available in this installation ({module}).").format(
                            module=exc.name or exc),
                        _("Install the complete cagette package, or use another section."),
                    ))
                return

    @property
    def shutter(self) -> Any:
        """The shutter shared by the keys and the studio's button (a QueueTrigger)."""
        if self._shutter is None:
            from cagette.capture.trigger import QueueTrigger

            self._shutter = QueueTrigger()
        return self._shutter

    # shared places ------------------------------------------------------------
    def library_path(self) -> Path:
        from cagette.locations import library_dir

        return library_dir(self.library_option).path

    def open_project(self, path: Path, screen: str = "storyboard", scene: str | None = None) -> None:
        """Open the project folder *path* on its storyboard (or another project screen), on *scene*
        (else the scene last open)."""
        try:
            from cagette_tui.screens import project_screens

            self.push_screen(project_screens.make(self, Path(path), screen, scene=scene))
        except CagetteError as exc:
            self.show_error(exc)

    def resume_guided(self, root: Path) -> None:
        """Go on with the guided video of the project at *root*, at the step where it was left."""
        try:
            from cagette_tui.screens.guided import resume

            self.push_screen(resume(self, Path(root)))
        except CagetteError as exc:
            self.show_error(exc)

    def show_error(self, exc: BaseException | None) -> None:
        """Errors are notifications a person can read, never a traceback."""
        if exc is not None:
            exc = missing_system_library(exc) or exc
        if isinstance(exc, CagetteError):
            text = exc.message + (f"\n→ {exc.hint}" if exc.hint else "")
        else:
            text = _("Something went wrong: {error}").format(error=exc or "?") + "\n→ " + _(
                "Try again; if it persists, run the same step with 'cagette --debug' and report what it prints.")
        self.errors_shown.append(text)
        self.notify(text, title=_("Error"), severity="error", timeout=10)
