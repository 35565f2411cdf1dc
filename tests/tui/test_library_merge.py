"""What a merge brings, on the library screen: a value lost to a concurrent edit shown and restored after a
question, a licence that conflicts with its source flagged; and the community panel (found, join, name and
remove a moderator), each action checked in the library on disk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import DataTable, Input

from cagette.library.library import Library
from cagette.sync.apply import sync
from cagette.sync.folder import FolderRemote
from cagette_tui.app import CagetteApp
from cagette_tui.screens.community import CommunityScreen
from cagette_tui.screens.dialogs import ConfirmDialog
from cagette_tui.screens.library import LibraryScreen
from cagette_tui.screens.library_panels import RestoreDialog
from tests.library.sync_helpers import add, local
from tests.tui.helpers import wait_for
from tests.tui.places import folder_state


def exchange(tmp_path: Path, one: str, other: str) -> None:
    with FolderRemote(tmp_path / other) as remote:
        sync(local(tmp_path / one), remote)


def pair(tmp_path: Path) -> tuple[Library, Library, str]:
    """A founds a community, B joins it and is named moderator: both may edit A's resource."""
    a = Library.create(tmp_path / "a", "Ville A")
    b = Library.create(tmp_path / "b", "Ville B")
    r = add(a, tmp_path, "Horaires", tags=["mairie"])
    code = a.found_community("Réseau")
    exchange(tmp_path, "b", "a")
    b.join_community(code)
    a.set_moderators([b.site_id()])
    exchange(tmp_path, "b", "a")
    return a, b, r.id


async def open_library(pilot: Any, app: CagetteApp) -> LibraryScreen:
    app.open_section("library")
    await wait_for(pilot, lambda: isinstance(app.screen, LibraryScreen) and app.screen.results, what="library")
    return app.screen  # type: ignore[return-value]


async def open_community(pilot: Any, app: CagetteApp) -> CommunityScreen:
    """The community panel, opened from the library screen with M."""
    library = await open_library(pilot, app)
    library.query_one("#table").focus()
    await pilot.press("m")
    await wait_for(pilot, lambda: isinstance(app.screen, CommunityScreen) and app.screen.info, what="community")
    return app.screen  # type: ignore[return-value]


async def dialog(pilot: Any, app: CagetteApp, kind: type, what: str) -> Any:
    await wait_for(pilot, lambda: isinstance(app.screen, kind) and app.screen.query("Button"), what=what)
    await pilot.pause()
    return app.screen


def detail(screen: LibraryScreen) -> str:
    return str(screen.query_one("#detail-text").render())


async def test_a_value_lost_to_a_concurrent_edit_is_shown_and_restored_after_a_question(tmp_path: Path) -> None:
    a, b, rid = pair(tmp_path)
    a.edit(rid, title="Horaires d'été")
    b.edit(rid, title="Horaires d'hiver")  # neither had seen the other's
    exchange(tmp_path, "b", "a")
    winner = Library.open(tmp_path / "a").get(rid).title
    loser = ({"Horaires d'été", "Horaires d'hiver"} - {winner}).pop()
    app = CagetteApp(lang="en", library=str(tmp_path / "a"))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_library(pilot, app)
        screen.select(rid)
        await pilot.pause()
        assert f"{winner} ⇄" in str(screen.query_one("#table", DataTable).get_row_at(0)[0])
        text = detail(screen)
        assert "⇄ Values lost to a concurrent edit" in text and f"title = “{loser}”, by Ville" in text
        # asked, and refused: nothing changes on disk
        before = folder_state(tmp_path / "a")
        screen.query_one("#table").focus()
        await pilot.press("r")
        await dialog(pilot, app, RestoreDialog, "the lost values")
        await pilot.press("enter")
        question = await dialog(pilot, app, ConfirmDialog, "the question")
        assert loser in str(question.query_one("#confirm-text").render())
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is screen, what="back")
        assert folder_state(tmp_path / "a") == before
        # asked, and accepted: the lost value is the title, and nothing is lost any more
        await pilot.press("r")
        await dialog(pilot, app, RestoreDialog, "the lost values again")
        await pilot.press("enter")
        await dialog(pilot, app, ConfirmDialog, "the question again")
        await pilot.press("y")
        await wait_for(pilot, lambda: Library.open(tmp_path / "a").get(rid).title == loser, what="restored")
        assert Library.open(tmp_path / "a").conflicts(rid) == []
        await wait_for(pilot, lambda: "⇄" not in detail(screen) and loser in detail(screen), what="shown")
        await pilot.press("r")  # nothing left to restore: said, no dialog
        await pilot.pause()
        assert app.screen is screen
        assert not app.errors_shown


async def test_a_licence_that_conflicts_with_its_source_is_flagged(tmp_path: Path) -> None:
    a, b, rid = pair(tmp_path)
    derived = b.add([("main", tmp_path / "a" / "library.json")], kind="guide", title="Adaptation B",
                    derived_from=[rid], licence="CC-BY-SA-4.0")
    a.edit(rid, licence="CC-BY-ND-4.0")  # the source relicensed after it was adapted
    exchange(tmp_path, "b", "a")
    app = CagetteApp(lang="fr", library=str(tmp_path / "b"))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_library(pilot, app)
        screen.select(derived.id)
        await pilot.pause()
        text = detail(screen)
        assert "⚠" in text and "CC-BY-ND-4.0" in text and rid in text
        titles = [str(screen.query_one("#table", DataTable).get_row_at(n)[0]) for n in range(len(screen.results))]
        assert "Adaptation B ⚠" in titles and "Horaires" in titles  # the source itself is not flagged


async def test_the_community_panel_founds_joins_and_names_moderators_on_disk(tmp_path: Path) -> None:
    a = Library.create(tmp_path / "a", "Ville A")
    b = Library.create(tmp_path / "b", "Ville B")
    add(a, tmp_path, "Horaires")
    add(b, tmp_path, "Fiche B")
    app = CagetteApp(lang="en", library=str(tmp_path / "a"))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_community(pilot, app)
        said = str(screen.query_one("#site-text").render())
        assert a.site_id() in said and "Ville A" in said and a.stats()["key"] in said
        assert "belongs to no community" in str(screen.query_one("#community-text").render())
        screen.query_one("#found-name", Input).value = "Réseau des mairies"
        screen.query_one("#found-name", Input).focus()
        await pilot.press("enter")
        await dialog(pilot, app, ConfirmDialog, "the question")
        await pilot.press("y")
        await wait_for(pilot, lambda: Library.open(tmp_path / "a").stats()["community"], what="founded")
        code = Library.open(tmp_path / "a").community_code()
        assert code in str(screen.query_one("#community-text").render())
        assert "✦ founder" in str(screen.query_one("#sites", DataTable).get_row_at(0)[2])
    # B joins with the code, through its own panel
    exchange(tmp_path, "b", "a")
    app = CagetteApp(lang="en", library=str(tmp_path / "b"))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_community(pilot, app)
        screen.query_one("#join-code", Input).value = code
        screen.query_one("#join-code", Input).focus()
        await pilot.press("enter")
        await dialog(pilot, app, ConfirmDialog, "the join question")
        await pilot.press("y")
        await wait_for(pilot, lambda: Library.open(tmp_path / "b").stats()["community"], what="joined")
        assert "Réseau des mairies" in str(screen.query_one("#community-text").render())
    # A names B a moderator, then removes it
    exchange(tmp_path, "b", "a")
    app = CagetteApp(lang="en", library=str(tmp_path / "a"))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_community(pilot, app)
        table = screen.query_one("#sites", DataTable)
        table.move_cursor(row=screen.site_rows.index(b.site_id()))
        screen.query_one("#add-moderator").focus()
        await pilot.press("enter")
        await dialog(pilot, app, ConfirmDialog, "the moderator question")
        await pilot.press("y")
        await wait_for(pilot, lambda: b.site_id() in Library.open(tmp_path / "a").moderators(), what="named")
        row = screen.site_rows.index(b.site_id())
        assert "★ moderator" in str(table.get_row_at(row)[2])
        table.move_cursor(row=row)
        screen.query_one("#remove-moderator").focus()
        await pilot.press("enter")
        await dialog(pilot, app, ConfirmDialog, "the removal question")
        await pilot.press("y")
        await wait_for(pilot, lambda: b.site_id() not in Library.open(tmp_path / "a").moderators(), what="removed")
        assert not app.errors_shown
