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
from textual.widgets import Input, Static, TabbedContent, TextArea, Tree

from explorer.tui.app import ExplorerApp
from panels.later import settled
from panels.samples import SampleBrowser
from tests.apptools import catalog_sample, leave_the_list, until, without_servers


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


async def test_a_key_the_app_read_with_escape_in_an_editor_field_goes_to_the_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """At 80x24 (one answer at a time): Escape in each field of the request editor, then ``a`` read with it: the other
    answer is shown and nothing was typed in the field (``a`` went to the field being left). One app, each field in
    turn from the answers the field before left the keyboard in."""
    without_servers(monkeypatch)
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(80, 24)) as pilot:

        async def escape_then_a(field: str) -> None:
            widget = app.query_one(field)
            widget.focus()
            await until(pilot, lambda: app.focused is widget)
            before = widget.text if isinstance(widget, TextArea) else widget.value  # type: ignore[attr-defined]
            workbench = app.workbench
            front = workbench.front
            app.post_message(events.Key("escape", "\x1b"))
            app.post_message(events.Key("a", "a"))
            await until(pilot, lambda: workbench.front != front, timeout=5, why=lambda: (field, app.focused, widget))
            after = widget.text if isinstance(widget, TextArea) else widget.value  # type: ignore[attr-defined]
            assert after == before, field
            focused = app.focused
            assert focused is not None and workbench.panel(workbench.front) in focused.ancestors_with_self, field

        await leave_the_list(pilot)
        for field in ("#path", "#burst", "#headers-editor", "#body-editor"):
            await escape_then_a(field)


async def test_a_key_the_answers_were_handed_before_escape_runs_there_not_on_the_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Down, then Escape, read at once on the answers: Escape moves the keyboard to the list as it arrives, and the
    Down, still on its way up from the answers to the app's bindings, moved the list's cursor (the list's binding,
    looked up where the keyboard was by then); the answers' Down is theirs."""
    without_servers(monkeypatch)
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(160, 48)) as pilot:
        tree = app.query_one("#samples Tree", Tree)
        await until(pilot, lambda: app.focused is tree)
        await pilot.press("escape")
        await until(pilot, lambda: app.focused is not None and app.focused is not tree)
        answers = app.focused
        line = tree.cursor_line
        for key in ("down", "down", "escape"):
            app.post_message(events.Key(key, None))
        await until(pilot, lambda: app.focused is tree, why=lambda: app.focused)
        await pilot.pause()
        await pilot.pause()
        assert tree.cursor_line == line, (answers, tree.cursor_line, line)


async def test_a_filter_typed_at_once_previews_the_sample_under_the_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    """ "word" read at once on the list, its cursor on another sample: each letter refilled the list and put the cursor
    on the first match, and the tree's note of each move came round after the letters that followed, so the preview
    named a match of "w" ("Wrong types in every field") while the cursor, and Enter, had "A word where a number..."."""
    without_servers(monkeypatch)
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(120, 30)) as pilot:
        tree = app.query_one("#samples Tree", Tree)
        await until(pilot, lambda: app.focused is tree)
        app.query_one(SampleBrowser).select(catalog_sample("create-types").id)
        await until(pilot, lambda: "Wrong types" in str(app.query_one("#sample-claim", Static).render()))
        for letter in "word":
            app.post_message(events.Key(letter, letter))
        await until(pilot, lambda: app.query_one("#sample-filter", Input).value == "word")
        for _ in range(5):
            await pilot.pause()
        node = tree.cursor_node
        assert node is not None and node.data is not None
        shown = " ".join(str(app.query_one("#sample-claim", Static).render()).split())  # as wrapped to the list's width
        assert shown.startswith(node.data.title), (shown[:60], node.data.title)


async def test_after_any_send_the_tab_keys_show_the_tabs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Enter on the list sends and hands the keyboard to the answers, where 1-5 are the tab keys; a send from the filter
    box (``/``, ctrl+r), from the palette's sample entry or from the table's "Show me" left it on the list, where a
    digit went to the filter."""
    without_servers(monkeypatch)
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(160, 48)) as pilot:
        tree = app.query_one("#samples Tree", Tree)
        box = app.query_one("#sample-filter", Input)
        tabs = app.query_one("#tabs-flask", TabbedContent)

        async def digit_shows(digit: str, tab: str) -> None:
            await pilot.press(digit)
            await until(pilot, lambda: tabs.active == tab, timeout=5, why=lambda: (tabs.active, app.focused, box.value))
            assert digit not in box.value
            await pilot.press("escape")  # back to the list
            await until(pilot, lambda: app.focused is tree, why=lambda: app.focused)

        await until(pilot, lambda: app.focused is tree)
        await pilot.press("slash", "ctrl+r")  # on the list "/" is typed into the filter
        await digit_shows("2", "headers-flask")
        app.load_sample(catalog_sample("create-types"), send=True)  # what the palette's "Sample: ..." entry runs
        await digit_shows("3", "validation-flask")
        app.action_table()
        await until(pilot, lambda: app.screen is not app.screen_stack[0])
        await pilot.press("enter")  # "Show me": the row's sample, sent
        await until(pilot, lambda: app.screen is app.screen_stack[0])
        await digit_shows("4", "code-flask")


async def test_one_escape_closes_parity_from_its_path_field_as_every_other_screen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Parity opens with the keyboard in its path field; the first Escape only left the field for the empty table,
    and the key after it (a screen's letter) did nothing. Now Escape there goes back, as in the WebSockets screen's
    fields, and the field still takes what is typed."""
    without_servers(monkeypatch)
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(160, 48)) as pilot:
        tree = app.query_one("#samples Tree", Tree)
        await until(pilot, lambda: app.focused is tree)
        await pilot.press("escape", "c")
        await until(pilot, lambda: app.focused is not None and app.focused.id == "parity-path", why=lambda: app.focused)
        field = app.focused
        assert isinstance(field, Input)
        await pilot.press("end", "x")
        await until(pilot, lambda: field.value.endswith("x"), why=lambda: field.value)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.screen_stack[0], why=lambda: (app.screen, app.focused))
