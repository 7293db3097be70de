"""A newcomer's first minutes at 80x24: every screen named and reachable from the first screen, the tab keys
right after a send, the cursor kept on the sample sent, and the small truths a first look meets (the servers
read "starting", an empty cookie jar says what it is for, an export lands in a folder the docs name).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
from rich.console import Console
from rich.table import Table
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Input, Static, TabbedContent, Tree

from explorer.content.comparison import Measurements
from explorer.tui.app import ExplorerApp
from explorer.tui.screens.help import HelpScreen
from explorer.tui.screens.table import TableScreen
from panels.cookie_rows import add_cookie_rows
from panels.response import ResponsePanel
from tests.apptools import send_and_wait, servers_ready, until, without_servers
from tests.conftest import LiveServers
from tests.shared import shared_session
from tests.test_app import plain

SIZE = (80, 24)
SCREENS = {
    "t": "TableController",
    "g": "GuideScreen",
    "d": "DocsScreen",
    "c": "ParityController",
    "m": "MirrorController",
    "p": "LabController",
    "w": "SocketsController",
}


def _in_answers(app: ExplorerApp) -> bool:
    focused = app.focused
    return focused is not None and any(isinstance(n, ResponsePanel) for n in focused.ancestors_with_self)


def _showing(app: ExplorerApp, name: str) -> Callable[[], bool]:
    return lambda: type(app.screen).__name__ == name


def _help_text(app: ExplorerApp) -> str:
    return "\n".join(plain(w) for w in app.screen.query(Static))


@pytest.mark.serverless
def test_an_empty_cookie_jar_says_what_it_will_hold() -> None:
    table = Table("", "", "")
    add_cookie_rows(table, ())
    console = Console(width=200, record=True)
    console.print(table)
    text = console.export_text()
    assert "sent back on the next request" not in text  # nothing is: the jar is empty
    assert "empty: cookies this server sets are kept here and sent back to it" in text


@pytest.mark.serverless
async def test_home_and_end_move_the_table_cursor() -> None:
    """Home did nothing (DataTable scrolls sideways on Home), so Enter then sent the last row's sample."""

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("main")

    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        screen = TableScreen(Measurements())
        await app.push_screen(screen)
        table = screen.query_one("#comparison", DataTable)
        await pilot.press("end")
        await until(pilot, lambda: table.cursor_row == table.row_count - 1)
        await pilot.press("home")
        await until(pilot, lambda: table.cursor_row == 0)


@pytest.mark.serverless
def test_exports_go_to_the_data_folder_or_the_one_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from explorer.reports.session import EXPORT_DIR_VARIABLE, export_folder

    monkeypatch.delenv(EXPORT_DIR_VARIABLE, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert export_folder() == tmp_path / "data" / "flask-fastapi-explorer" / "exports"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert export_folder() == tmp_path / "home" / ".local" / "share" / "flask-fastapi-explorer" / "exports"
    monkeypatch.setenv(EXPORT_DIR_VARIABLE, str(tmp_path / "mine"))
    assert export_folder() == tmp_path / "mine"


async def test_the_servers_read_starting_from_the_first_frame(monkeypatch: pytest.MonkeyPatch) -> None:
    """The servers are started just after the first paint; that frame said "idle", as if nothing would happen."""
    without_servers(monkeypatch)  # the frame before the start is asked for, for as long as the test looks
    app = ExplorerApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        strip = str(app.query_one("#strip", Static).render())
        assert "idle" not in strip and strip.count("starting") == 2, strip


async def test_a_newcomers_path_at_80x24(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, live: LiveServers) -> None:
    """Start, find the screens with f1 from the list, send, read another tab, open each screen and come back;
    then filter, send with Enter and come back: the cursor stays on the sample sent."""
    monkeypatch.chdir(tmp_path)
    app = ExplorerApp(session=shared_session(live))
    async with app.run_test(size=SIZE) as pilot:
        await servers_ready(pilot)
        assert app.focused is app.query_one("#sample-tree")
        claim = str(app.query_one("#claim", Static).render())
        assert "f1" in claim  # the first screen says where the other screens are, and names each
        assert all(n in claim for n in ("table", "guide", "docs", "parity", "mirror", "lab", "WebSockets")), claim
        # f1 from the list, from the filter box and from the path field names every screen with its key
        for part in ("#sample-tree", "#sample-filter", "#path"):
            app.query_one(part).focus()
            await pilot.press("f1")
            await until(pilot, lambda: isinstance(app.screen, HelpScreen))
            text = _help_text(app)
            for key, name in (
                ("t", "Table"),
                ("g", "Which first?"),
                ("d", "Docs"),
                ("c", "Parity"),
                ("m", "Mirror"),
                ("p", "Lab"),
                ("w", "WebSockets"),
            ):
                assert f"{key}  {name}" in text or f"{key} {name}" in text, (part, key, text)
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is app.screen_stack[0])
        palette = [c.title for c in app.get_system_commands(app.screen)]  # ctrl+p: one entry per screen, with its key
        for title in (
            "Table (t)",
            "Guide: Which first? (g)",
            "Docs (d)",
            "Parity (c)",
            "Mirror (m)",
            "Lab (p)",
            "WebSockets (w)",
        ):
            assert title in palette, title
        # a screen's key in the help opens it, whatever part had the keyboard (here the list, where t is text)
        app.query_one("#sample-tree").focus()
        await pilot.press("f1", "t")
        await until(pilot, lambda: type(app.screen).__name__ == "TableController")
        assert app.query_one("#sample-filter", Input).value == ""
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.screen_stack[0])
        # Enter sends and hands the keyboard to the answers: the tab keys work at once
        await send_and_wait(pilot, "enter")
        assert _in_answers(app), app.focused
        await pilot.press("2")
        await until(pilot, lambda: app.query_one("#tabs-flask", TabbedContent).active == "headers-flask")
        assert app.query_one("#sample-filter", Input).value == ""
        for key, name in SCREENS.items():
            await pilot.press(key)
            await until(pilot, _showing(app, name), timeout=20)
            for _ in range(3):  # a screen whose field has the keyboard takes two: one leaves the field
                before = (app.screen, app.focused)
                await pilot.press("escape")

                def handled(before: tuple[object, object] = before) -> bool:
                    return (app.screen, app.focused) != before

                await until(pilot, handled)  # the key was handled
                if app.screen is app.screen_stack[0]:
                    break
            assert app.screen is app.screen_stack[0], f"{name}: Escape three times did not lead back"
            await until(pilot, lambda: _in_answers(app), why=partial(lambda k: (k, app.focused), key))
        await pilot.press("escape")  # back to the list
        await until(pilot, lambda: app.focused is app.query_one("#sample-tree"))
        # a filter, Enter, Escape: the cursor stays on the sample sent, also once Escape clears the filter
        await pilot.press(*"decimal")
        await send_and_wait(pilot, "enter")
        assert app.sample is not None and app.sample.request.path == "/items/1.5"
        await pilot.press("escape")  # from the answers back to the list, its filter kept
        tree: Tree[object] = app.query_one("#sample-tree", Tree)
        await until(pilot, lambda: app.focused is tree)
        await pilot.press("escape")  # clears the filter
        await until(pilot, lambda: app.query_one("#sample-filter", Input).value == "")
        assert tree.cursor_node is not None and tree.cursor_node.data is app.sample
        assert "/items/1.5" in str(app.query_one("#sample-claim", Static).render())
