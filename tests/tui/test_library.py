"""Library and sync screens with Pilot: search, details, export, publish, sync with a folder library."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input, Select

from cagette.library.library import Library
from cagette_tui.app import CagetteApp
from cagette_tui.screens.library import LibraryScreen
from cagette_tui.screens.sync import SyncScreen
from tests.tui.helpers import wait_for


def make_library(path: Path, tmp: Path) -> Library:
    lib = Library.create(path, site_name="Mairie")
    guide = tmp / "guide.md"
    guide.write_text("# Guide\n", encoding="utf-8")
    base = lib.add([("main", guide)], kind="guide", title="Director's guide", licence="CC-BY-SA-4.0",
                   language="en", authors=["Ana"], organisation="Mairie")
    video = tmp / "town-hall.mp4"
    video.write_bytes(b"\0" * 2000)
    lib.add([("main", video)], kind="video", title="Town hall opening hours", licence="CC-BY-SA-4.0",
            language="fr", authors=["Bo"], derived_from=[base.id])
    return lib


async def test_search_details_export_and_publish(tmp_path: Path) -> None:
    make_library(tmp_path / "lib", tmp_path)
    app = CagetteApp(lang="en", library=str(tmp_path / "lib"))
    async with app.run_test(size=(140, 45)) as pilot:
        app.open_section("library")
        await wait_for(pilot, lambda: isinstance(app.screen, LibraryScreen) and app.screen.results, what="library")
        screen = app.screen
        assert len(screen.results) == 2
        screen.query_one("#query", Input).value = "town"
        await wait_for(pilot, lambda: len(screen.results) == 1, what="search")
        text = str(screen.query_one("#detail-text").render())
        assert "Town hall opening hours" in text
        assert "CC-BY-SA-4.0" in text and "Bo" in text
        assert "Derived from" in text and "Director's guide" in text
        assert "town-hall.mp4" in text

        # export it into a folder: files and attribution on disk
        out = tmp_path / "out"
        out.mkdir()
        screen.query_one("#table").focus()
        await pilot.press("e")
        await wait_for(pilot, lambda: app.screen.query("#path"), what="export dialog")
        app.screen.query_one("#path", Input).value = str(out)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.last_export is not None, what="export")
        assert (screen.last_export / "town-hall.mp4").stat().st_size == 2000
        assert "Director's guide" in (screen.last_export / "ATTRIBUTION.md").read_text(encoding="utf-8")

        # publish a new file
        sheet = tmp_path / "storyboard-sheet.pdf"
        sheet.write_bytes(b"%PDF-1.4\n%%EOF\n")
        screen.query_one("#table").focus()
        await pilot.press("a")
        await wait_for(pilot, lambda: app.screen.query("#path"), what="publish dialog")
        app.screen.query_one("#path", Input).value = str(sheet)
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(Library.open(tmp_path / "lib").resources()) == 3, what="published")


async def test_sync_with_a_folder_library_shows_the_plan_then_applies_it(tmp_path: Path) -> None:
    ours = Library.create(tmp_path / "ours", site_name="Ici")
    (tmp_path / "theirs-files").mkdir()
    make_library(tmp_path / "theirs", tmp_path / "theirs-files")
    app = CagetteApp(lang="en", library=str(tmp_path / "ours"))
    async with app.run_test(size=(140, 45)) as pilot:
        screen = SyncScreen(ours.path)
        app.push_screen(screen)
        await wait_for(pilot, lambda: screen.query("#remote"))
        screen.query_one("#remote", Input).value = str(tmp_path / "theirs")
        screen.query_one("#remote", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.prepared is not None, what="plan")
        text = str(screen.query_one("#plan-text").render())
        assert "Comes in" in text and "2 files" in text
        assert Library.open(tmp_path / "ours").resources() == []  # nothing moved before Apply
        await pilot.press("y")
        await wait_for(pilot, lambda: screen.outcome is not None, what="sync applied")
        titles = sorted(r.title for r in Library.open(tmp_path / "ours").resources())
        assert titles == ["Director's guide", "Town hall opening hours"]
        assert "Done" in str(screen.query_one("#plan-text").render())


async def test_sync_with_a_read_only_peer_pulls_and_says_nothing_was_sent(tmp_path: Path) -> None:
    from tests.library.peer_helpers import serve

    ours = Library.create(tmp_path / "ours", site_name="Ici")
    mine = tmp_path / "mine.md"
    mine.write_text("# Ici\n", encoding="utf-8")
    ours.add([("main", mine)], kind="guide", title="Notre fiche")
    (tmp_path / "theirs-files").mkdir()
    make_library(tmp_path / "theirs", tmp_path / "theirs-files")
    app = CagetteApp(lang="en", library=str(tmp_path / "ours"))
    with serve(tmp_path / "theirs") as srv:  # no write token: read-only
        async with app.run_test(size=(140, 45)) as pilot:
            screen = SyncScreen(ours.path)
            app.push_screen(screen)
            await wait_for(pilot, lambda: screen.query("#remote"))
            screen.query_one("#remote", Input).value = srv.url
            screen.query_one("#remote", Input).focus()
            await pilot.press("enter")
            await wait_for(pilot, lambda: screen.prepared is not None, what="plan")
            assert "read-only" in str(screen.query_one("#plan-text").render())
            await pilot.press("y")
            await wait_for(pilot, lambda: screen.outcome is not None, what="sync applied")
            text = str(screen.query_one("#plan-text").render())
    assert "Done" in text and "takes no writes from here (read-only): nothing was sent." in text
    assert len(Library.open(tmp_path / "ours").resources()) == 3
    assert len(Library.open(tmp_path / "theirs").resources()) == 2  # nothing was pushed


async def test_licence_and_organisation_filters_narrow_the_results(tmp_path: Path) -> None:
    lib = make_library(tmp_path / "lib", tmp_path)  # two CC-BY-SA-4.0: one from Mairie, one without organisation
    note = tmp_path / "note.md"
    note.write_text("# Note\n", encoding="utf-8")
    lib.add([("main", note)], kind="guide", title="Lighting note", licence="CC-BY-4.0", language="fr",
            authors=["Cy"], organisation="Médiathèque")
    app = CagetteApp(lang="en", library=str(tmp_path / "lib"))
    async with app.run_test(size=(160, 45)) as pilot:
        app.open_section("library")
        await wait_for(pilot, lambda: isinstance(app.screen, LibraryScreen) and app.screen.results, what="library")
        screen = app.screen
        licence = screen.query_one("#licence", Select)
        organisation = screen.query_one("#organisation", Select)
        assert [value for _label, value in licence._options if isinstance(value, str)] == ["CC-BY-4.0", "CC-BY-SA-4.0"]
        assert [value for _label, value in organisation._options if isinstance(value, str)] == ["Mairie", "Médiathèque"]

        def titles() -> set[str]:
            table = screen.query_one("#table", DataTable)
            return {str(table.get_row_at(i)[0]) for i in range(table.row_count)}

        assert len(titles()) == 3
        licence.value = "CC-BY-4.0"
        await wait_for(pilot, lambda: titles() == {"Lighting note"}, what="licence filter")
        licence.clear()
        organisation.value = "Mairie"
        await wait_for(pilot, lambda: titles() == {"Director's guide"}, what="organisation filter")
        licence.value = "CC-BY-4.0"
        await wait_for(pilot, lambda: titles() == set(), what="both filters")
        organisation.clear()
        await wait_for(pilot, lambda: titles() == {"Lighting note"}, what="licence filter again")
        assert not app.errors_shown
