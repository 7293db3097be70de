"""The table and the guide are built once and shown again on their key (each key built the whole screen anew,
80-90 ms of CPU of the ~150 ms a key cost at 80x24); shown again, each starts as a new one did.

One app runs every part in turn (an app start is most of a part's CPU); each part starts on the main view with the
keyboard in the answers (``back_to_the_answers``), and each screen is opened there for the first time.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static, Switch

from explorer.tui.app import ExplorerApp
from tests.apptools import back_to_the_answers, until, without_servers
from tests.test_app import plain

pytestmark = pytest.mark.serverless
SIZE = (80, 24)


async def _the_guide_is_built_once_and_opens_unanswered(app: ExplorerApp, pilot: Pilot[int]) -> None:
    await pilot.press("g")
    await until(pilot, lambda: type(app.screen).__name__ == "GuideScreen")
    first = app.screen
    unanswered = plain(first.query_one("#recommendation", Static))
    first.query_one("#q-api", Switch).value = True
    await until(pilot, lambda: plain(first.query_one("#recommendation", Static)) != unanswered)
    await pilot.press("f1")  # the help over it, then closed: the answers stay
    await until(pilot, lambda: app.screen is not first)
    await pilot.press("escape")
    await until(pilot, lambda: app.screen is first)
    await pilot.pause()
    assert first.query_one("#q-api", Switch).value
    await pilot.press("escape")
    await until(pilot, lambda: app.screen is app.screen_stack[0])
    await pilot.press("g")
    await until(pilot, lambda: type(app.screen).__name__ == "GuideScreen")
    assert app.screen is first
    await until(pilot, lambda: plain(first.query_one("#recommendation", Static)) == unanswered)
    assert not any(switch.value for switch in first.query(Switch))
    assert app.focused is first.query(Switch).first()


async def _the_table_is_built_once_and_opens_on_its_first_row(app: ExplorerApp, pilot: Pilot[int]) -> None:
    await pilot.press("t")
    await until(pilot, lambda: type(app.screen).__name__ == "TableController")
    first = app.screen
    table = first.query_one("#comparison", DataTable)
    await pilot.press("down", "down")
    await until(pilot, lambda: table.cursor_row == 2)
    await pilot.press("f1")  # the help over it, then closed: the cursor stays
    await until(pilot, lambda: app.screen is not first)
    await pilot.press("escape")
    await until(pilot, lambda: app.screen is first)
    await pilot.pause()
    assert table.cursor_row == 2
    await pilot.press("escape")
    await until(pilot, lambda: app.screen is app.screen_stack[0])
    await pilot.press("t")
    await until(pilot, lambda: type(app.screen).__name__ == "TableController")
    assert app.screen is first
    await until(pilot, lambda: table.cursor_row == 0 and table.scroll_y == 0)
    assert app.focused is table


async def _parity_is_built_once_and_opens_as_new(app: ExplorerApp, pilot: Pilot[int]) -> None:
    """Parity's key built the screen each time (its table, fields and footer, ~30% of the key); kept, it opens with
    the requests file found now in the path field, the keyboard there, and no run's words or rows."""
    from textual.widgets import Input

    from explorer.tui.screens.parity import SUMMARY, ParityController

    await pilot.press("c")
    await until(pilot, lambda: isinstance(app.screen, ParityController) and bool(app.screen.query("#parity-path")))
    first = app.screen
    assert isinstance(first, ParityController)
    field = first.query_one("#parity-path", Input)
    found = field.value
    assert found.endswith("parity.yaml")
    field.value = ""
    await pilot.press("ctrl+r")  # the footer's "Send again" from the field: runs the file, as Enter does
    await until(pilot, lambda: "Type the path" in plain(first.query_one("#parity-summary", Static)), timeout=5)
    first.query_one("#parity-summary", Static).update("")
    await pilot.press("enter")  # no path: the summary says so
    await until(pilot, lambda: "Type the path" in plain(first.query_one("#parity-summary", Static)))
    await pilot.press("f1")  # the help over it, then closed: the screen as the user left it, not reset
    await until(pilot, lambda: app.screen is not first)
    await pilot.press("escape")
    await until(pilot, lambda: app.screen is first)
    await pilot.pause()
    assert "Type the path" in plain(first.query_one("#parity-summary", Static)) and field.value == ""
    await pilot.press("escape")  # from the path field: one Escape goes back, as on every screen
    await until(pilot, lambda: app.screen is app.screen_stack[0])
    await pilot.press("c")
    await until(pilot, lambda: app.screen is first)
    await until(pilot, lambda: field.value == found and app.focused is field)
    assert plain(first.query_one("#parity-summary", Static)).strip() == SUMMARY
    assert first.query_one("#parity-table", DataTable).row_count == 0 and first.results == []


async def _the_help_is_shown_again_while_it_would_say_the_same(app: ExplorerApp, pilot: Pilot[int]) -> None:
    """f1 built its screen each time; the same help (same place, same keys) is now shown again, at its top, and a
    help that would say something else is built (the one before is set aside, and shown again back there)."""
    from textual.containers import VerticalScroll

    from explorer.tui.screens.help import HelpScreen

    await pilot.press("f1")  # help for the answers
    await until(pilot, lambda: isinstance(app.screen, HelpScreen) and bool(app.screen.query("#help")))
    first = app.screen
    assert isinstance(first, HelpScreen)
    scroll = first.query_one("#help", VerticalScroll)
    await pilot.press("end")
    await until(pilot, lambda: scroll.scroll_y > 0)
    await pilot.press("escape")
    await until(pilot, lambda: app.screen is app.screen_stack[0])
    await pilot.press("f1")
    await until(pilot, lambda: app.screen is first)
    await until(pilot, lambda: scroll.scroll_y == 0)
    await pilot.press("escape")
    await until(pilot, lambda: app.screen is app.screen_stack[0])
    app.query_one("#sample-tree").focus()  # the list: its help says what the list does
    await pilot.press("f1")
    await until(pilot, lambda: isinstance(app.screen, HelpScreen) and app.screen is not first)
    assert isinstance(app.screen, HelpScreen) and app.screen.content != first.content
    await pilot.press("escape")
    await until(pilot, lambda: app.screen is app.screen_stack[0])
    await pilot.press("escape")  # from the list to the answers
    await until(pilot, lambda: app.focused is not app.query_one("#sample-tree"))
    await pilot.press("f1")
    await until(pilot, lambda: isinstance(app.screen, HelpScreen))
    assert app.screen is first
    await pilot.press("escape")
    await until(pilot, lambda: app.screen is app.screen_stack[0])


PARTS = (
    _the_guide_is_built_once_and_opens_unanswered,
    _the_table_is_built_once_and_opens_on_its_first_row,
    _parity_is_built_once_and_opens_as_new,
    _the_help_is_shown_again_while_it_would_say_the_same,
)


async def test_each_screen_is_built_once_and_opens_as_new(monkeypatch: pytest.MonkeyPatch) -> None:
    without_servers(monkeypatch)
    app = ExplorerApp()
    async with app.run_test(size=SIZE) as pilot:
        for part in PARTS:
            await back_to_the_answers(pilot)
            await part(app, pilot)
