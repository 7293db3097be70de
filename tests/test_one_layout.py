"""A key that changes sizes lays the screen out once (issue 24, "every key instant").

Textual answered each layout that resized a widget with a second layout of the whole screen: the widget's
``virtual_size``, set by the layout, is a reactive that asks for one (``explorer/tui/layout_patches.py``).
Escape between the list and the answers (the footer's keys change their words, and so their widths) laid the
main view out twice.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.screen import Screen

from explorer.tui.app import ExplorerApp
from tests.apptools import until, without_servers

pytestmark = pytest.mark.serverless


async def test_escape_between_the_list_and_the_answers_lays_the_screen_out_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    without_servers(monkeypatch)
    layouts: list[str] = []
    textual_layout = Screen._refresh_layout

    def counting(self: Screen[Any], *args: Any, **kwargs: Any) -> None:
        layouts.append(type(self).__name__)
        textual_layout(self, *args, **kwargs)

    app = ExplorerApp(mask=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: bool(app.screen.query_one("Footer").children))
        monkeypatch.setattr(Screen, "_refresh_layout", counting)
        for n in range(6):  # to the answers, to the list, and again, twice
            layouts.clear()
            await pilot.press("escape")
            for _ in range(4):
                await pilot.pause()
            if n >= 2:  # the first time the answers get the keyboard, their hidden tabs are built
                assert layouts == ["Screen"]  # the footer's keys changed their words, and their widths
