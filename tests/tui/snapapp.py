"""The app fed with fixture data, opened on one screen, for snapshot tests.

``SnapApp(screen, lang, data)`` builds what the screen shows under *data*
(a fresh folder) with fixed names and ids, so every snapshot is the same on
every machine: no camera list, no random token, no absolute path on screen.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cagette_tui.app import CagetteApp
from tests.tui.fixtures import make_project, make_template

SCREENS = ("home", "home-contrast", "help", "guided", "guided-scripts", "projects", "storyboard", "project-panel",
           "capture", "render", "publish", "library", "sync", "plans")


def fixture_library(path: Path, files: Path) -> Any:
    from cagette.library.library import Library

    lib = Library.create(path, site_name="Mairie")
    files.mkdir(parents=True, exist_ok=True)
    guide = files / "guide.md"
    guide.write_text("# Guide\n", encoding="utf-8")
    lib.add([("main", guide)], rid="guide0000000001", kind="guide", title="Director's guide",
            licence="CC-BY-SA-4.0", language="en", authors=["Ana"], organisation="Mairie")
    video = files / "town-hall.mp4"
    video.write_bytes(b"\0" * 2000)
    lib.add([("main", video)], rid="video0000000001", kind="video", title="Town hall opening hours",
            licence="CC-BY-SA-4.0", language="fr", authors=["Bo"], derived_from=["guide0000000001"],
            description="Where and when to come.")
    return lib


class SnapApp(CagetteApp):
    def __init__(self, screen: str, lang: str, data: Path) -> None:
        self.data = Path(data)
        if screen == "library":
            fixture_library(self.data / "lib", self.data / "lib-files")
        super().__init__(lang=lang, library=str(self.data / "lib") if screen == "library" else None)
        self.start_screen = screen
        self.animation_level = "none"  # scrolls done at once: the same picture every time

    def after_home(self) -> None:
        getattr(self, "_open_" + self.start_screen.replace("-", "_"))()

    def _project(self) -> Any:
        root = self.data / "demo"
        if not root.exists():
            from cagette.video import synth

            made = make_project(root, "Town hall")
            made.add_frames("welcome", [synth.frame_image(self.data / f"frame{n}.png", n, (64, 36)) for n in range(4)])
        from cagette.video.project import open_project

        return open_project(root)

    def _open_home(self) -> None:
        pass

    def _open_home_contrast(self) -> None:
        self.action_toggle_contrast()

    def _open_help(self) -> None:
        self.action_help()

    def _guided(self) -> Any:
        from cagette_tui.screens.guided import GuidedScreen

        templates = self.data / "templates"
        if not templates.exists():
            make_template(templates)
        return GuidedScreen(folders=[templates], projects_dir=self.data / "projects")

    def _open_guided(self) -> None:
        self.push_screen(self._guided())

    def _open_guided_scripts(self) -> None:
        screen = self._guided()
        screen.project = self._project()
        screen.step = 1
        self.push_screen(screen)

    def _open_projects(self) -> None:
        self.open_section("projects")

    def _open_storyboard(self) -> None:
        from cagette_tui.screens.storyboard import StoryboardScreen

        self.push_screen(StoryboardScreen(self._project()))

    def _open_project_panel(self) -> None:
        from cagette_tui.screens.project_panel import ProjectPanelScreen

        self.push_screen(ProjectPanelScreen(self._project()))

    def _open_capture(self) -> None:
        from cagette_tui.screens.capture import CaptureScreen

        self.push_screen(CaptureScreen(self._project(), devices=[], controller=False))

    def _open_render(self) -> None:
        from cagette_tui.screens.render import RenderScreen

        self.push_screen(RenderScreen(self._project()))

    def _open_publish(self) -> None:
        from cagette_tui.screens.publish import PublishScreen

        self.push_screen(PublishScreen(self._project()))

    def _open_library(self) -> None:
        self.open_section("library")

    def _open_sync(self) -> None:
        from cagette_tui.screens.sync import SyncScreen

        self.push_screen(SyncScreen(self.data / "lib"))

    def _open_plans(self) -> None:
        from cagette_tui.screens.plans import PlansScreen

        self.push_screen(PlansScreen(preset="phone-a4", out_dir=self.data / "kit"))
