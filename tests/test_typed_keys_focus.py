"""A key typed right after a key that moves the keyboard goes where that key sent it, however busy the app is.

Textual hands a key to the widget that has the keyboard when the app dispatches it. Escape on the list
moved the keyboard to the answers only after it had gone up from the list to the app, and once more
later (the answers' focus was set after the keys already read), so a key the app had read meanwhile still
went to the list: Escape pressed as the first screen showed, then ``2`` (the Headers tab) 140 ms later,
put "2" in the list's filter, three times out of three. Pilot presses one key at a time and waits for each,
so here both keys are put in the app's queue before it handles the first, as a busy app has them.
"""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input, TabbedContent

from explorer.tui.app import ExplorerApp
from tests.apptools import until, without_servers


async def test_a_key_the_app_read_with_escape_on_the_list_goes_where_escape_sent_the_keyboard(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Both keys are in the app's queue before it handles the first (pilot's press waits after each key)."""
    without_servers(monkeypatch)
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(160, 48)) as pilot:
        tree = app.query_one("#samples Tree")
        await until(pilot, lambda: app.focused is tree)
        app.post_message(events.Key("escape", "\x1b"))
        app.post_message(events.Key("2", "2"))
        tabs = app.query_one("#tabs-flask", TabbedContent)
        await until(pilot, lambda: tabs.active == "headers-flask", timeout=5, why=lambda: (tabs.active, app.focused))
        assert app.query_one("#sample-filter", Input).value == ""
        focused = app.focused
        assert focused is not None and app.query_one("#headers-flask") in focused.ancestors_with_self


async def test_a_key_the_app_read_with_escape_on_the_answers_goes_to_the_list(monkeypatch: pytest.MonkeyPatch) -> None:
    """The way back: a letter typed at once after Escape on the answers filters the list, never runs the app's
    letter key (``t`` opened the comparison table)."""
    without_servers(monkeypatch)
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(160, 48)) as pilot:
        tree = app.query_one("#samples Tree")
        await until(pilot, lambda: app.focused is tree)
        await pilot.press("escape")
        await until(pilot, lambda: app.focused is not tree)
        app.post_message(events.Key("escape", "\x1b"))
        app.post_message(events.Key("t", "t"))
        box = app.query_one("#sample-filter", Input)
        await until(pilot, lambda: box.value == "t", timeout=5, why=lambda: (box.value, app.screen, app.focused))
        assert app.screen is app.screen_stack[0] and app.focused is tree
