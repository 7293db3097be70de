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
from textual.widgets import Input, TabbedContent, TextArea, Tree

from explorer.tui.app import ExplorerApp
from panels.later import settled
from tests.apptools import leave_the_list, until, without_servers


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


async def test_a_key_the_app_read_with_escape_in_the_filter_box_goes_to_the_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Escape in the filter box hands the keyboard to the list; Down read with it moves the list's cursor (it went to
    the box, where it does nothing: the box's Escape moved the keyboard only once its message had gone up)."""
    without_servers(monkeypatch)
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(80, 24)) as pilot:
        tree = app.query_one("#sample-tree", Tree)
        box = app.query_one("#sample-filter", Input)
        await until(pilot, lambda: app.focused is tree and settled(app))
        box.focus()
        await until(pilot, lambda: app.focused is box)
        line = tree.cursor_line
        app.post_message(events.Key("escape", "\x1b"))
        app.post_message(events.Key("down", None))
        await until(pilot, lambda: app.focused is tree, timeout=5, why=lambda: app.focused)
        await until(pilot, lambda: tree.cursor_line == line + 1, timeout=5, why=lambda: (tree.cursor_line, line))


@pytest.mark.parametrize("field", ["#path", "#burst", "#headers-editor", "#body-editor"])
async def test_a_key_the_app_read_with_escape_in_an_editor_field_goes_to_the_answers(
    monkeypatch: pytest.MonkeyPatch, field: str
) -> None:
    """At 80x24 (one answer at a time): Escape in each field of the request editor, then ``a`` read with it: the other
    answer is shown and nothing was typed in the field (``a`` went to the field being left)."""
    without_servers(monkeypatch)
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await leave_the_list(pilot)
        widget = app.query_one(field)
        widget.focus()
        await until(pilot, lambda: app.focused is widget)
        before = widget.text if isinstance(widget, TextArea) else widget.value  # type: ignore[attr-defined]
        workbench = app.workbench
        front = workbench.front
        app.post_message(events.Key("escape", "\x1b"))
        app.post_message(events.Key("a", "a"))
        await until(pilot, lambda: workbench.front != front, timeout=5, why=lambda: (app.focused, widget))
        after = widget.text if isinstance(widget, TextArea) else widget.value  # type: ignore[attr-defined]
        assert after == before
        focused = app.focused
        assert focused is not None and workbench.panel(workbench.front) in focused.ancestors_with_self
