"""The keyboard moving to or from the sample list redraws the list, without laying out the whole screen again.

Textual's Tree answers any restyle of itself by clearing its lines and asking for a layout of the screen; the
list is restyled each time it gains or loses the keyboard (Escape from the answers, Enter from the list), so
every such key laid out and drew the main view twice. ``panels.typeahead.TypeAheadTree`` redraws its lines
only; a change in their count or width still lays out (its virtual size changes).
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.widget import Widget

from explorer.tui.app import ExplorerApp
from panels.typeahead import TypeAheadTree
from tests.apptools import until, without_servers

pytestmark = pytest.mark.serverless


async def test_the_list_gaining_or_losing_the_keyboard_lays_nothing_out(monkeypatch: pytest.MonkeyPatch) -> None:
    without_servers(monkeypatch)
    asked: list[str] = []
    textual_refresh = Widget.refresh

    def refresh(self: Widget, *regions: Any, layout: bool = False, **kwargs: Any) -> Widget:
        if layout and isinstance(self, TypeAheadTree):
            asked.append(repr(self))
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
