"""The keyboard moving to or from the sample list redraws the list, without laying out the whole screen again.

Textual's Tree answers any restyle of itself by clearing its lines and asking for a layout of the screen; the
list is restyled each time it gains or loses the keyboard (Escape from the answers, Enter from the list), so
every such key laid out and drew the main view twice. ``panels.typeahead.TypeAheadTree`` redraws its lines
only; a change in their count or width still lays out (its virtual size changes).
"""

from __future__ import annotations

import sys
from functools import partial
from typing import Any

import pytest
from textual.widget import Widget

from explorer.tui.app import ExplorerApp
from panels.typeahead import TypeAheadTree
from tests.apptools import screen_text, until, without_servers

pytestmark = pytest.mark.serverless


async def test_the_list_gaining_or_losing_the_keyboard_or_resized_lays_nothing_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One app: the keyboard leaving the list and coming back (80x24), then the terminal resized (from 100x30).

    Tree answered every Resize (``z`` restoring the answers, a terminal resized) with a layout of the whole
    screen, a second one after the layout that resized it; a taller list (lines as wide) asks for none, and its
    lines, drawn again, are those Tree draws."""
    without_servers(monkeypatch)
    asked: list[str] = []
    textual_refresh = Widget.refresh

    def refresh(self: Widget, *regions: Any, layout: bool = False, **kwargs: Any) -> Widget:
        if layout and isinstance(self, TypeAheadTree):
            asked.append(sys._getframe(1).f_code.co_name)  # who asked: a scroll bar that comes or goes still may
        return textual_refresh(self, *regions, layout=layout, **kwargs)

    app = ExplorerApp(mask=True)
    async with app.run_test(size=(80, 24)) as pilot:
        tree = app.query_one("#sample-tree", TypeAheadTree)
        await until(pilot, lambda: app.focused is tree)
        await pilot.pause()
        lines = tree.virtual_size
        monkeypatch.setattr(Widget, "refresh", refresh)
        await pilot.press("escape")  # the keyboard to the answers
        await until(pilot, lambda: app.focused is not tree)
        await pilot.pause()
        tree.focus()
        await until(pilot, lambda: app.focused is tree)
        await pilot.pause()
        assert asked == [] and tree.virtual_size == lines
        tree.root.children[0].collapse()  # fewer lines: laid out, as Tree does
        await pilot.pause()
        assert tree.virtual_size.height < lines.height

        monkeypatch.setattr(Widget, "refresh", textual_refresh)  # the list as it was, at 100x30
        tree.root.children[0].expand()
        await pilot.resize_terminal(100, 30)
        await until(pilot, lambda: app.screen.outer_size.height == 30 and tree.virtual_size.height == lines.height)
        await pilot.pause()
        asked.clear()
        monkeypatch.setattr(Widget, "refresh", refresh)
        for height in (40, 26):
            await pilot.resize_terminal(100, height)
            await until(pilot, partial(lambda height: app.screen.outer_size.height == height, height))
            await pilot.pause()
            assert "_invalidate" not in asked  # Tree's answer to a Resize: a layout of the screen
            drawn = screen_text(app)
            tree._invalidate()  # Tree's own answer to a Resize
            await pilot.pause()
            assert screen_text(app) == drawn
            asked.clear()
