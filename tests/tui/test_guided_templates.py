"""The guided flow's template step goes through the flow: the library's templates, broken ones shown."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, ListView

from cagette.library.library import Library
from cagette.video.project import Project
from cagette_tui.app import CagetteApp
from cagette_tui.screens.guided import GuidedScreen
from tests.flows.test_templates import publish_template
from tests.tui.helpers import wait_for


async def test_library_templates_are_offered_and_broken_ones_are_shown(tmp_path: Path) -> None:
    lib = Library.create(tmp_path / "lib", site_name="Ville A")
    rid = publish_template(lib, tmp_path, title="Présenter un guichet", licence="etalab-2.0")
    bad = tmp_path / "bad.toml"
    bad.write_text("schema = 1\n[project]\ntitle = 3\n", encoding="utf-8")
    lib.add([("main", bad)], kind="template", title="Gabarit cassé")
    projects = tmp_path / "projects"
    app = CagetteApp(lang="en", library=str(lib.path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = GuidedScreen(folders=[], projects_dir=projects)
        app.push_screen(screen)
        await wait_for(pilot, lambda: screen.query("#templates"), what="template step")
        problems = str(screen.query_one("#template-problems").render())
        assert "Gabarit cassé" in problems and "wrong type" in problems
        view = screen.query_one("#templates", ListView)
        assert [item.name for item in view.children] == ["", "presenter-un-guichet"]
        view.focus()
        await pilot.press("down")
        screen.query_one("#title", Input).value = "Mon guichet"
        await pilot.click("#create")
        root = projects / "mon-guichet"
        await wait_for(pilot, lambda: (root / "project.toml").is_file() and screen.step == 1, what="created")
    data = Project.open(root).data
    assert data.derived_from == (rid,) and data.licence == "etalab-2.0"
    assert [s.title for s in data.scenes] == ["Accueil"] and len(list((root / "rushes").iterdir())) == 1
