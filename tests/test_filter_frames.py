"""The sample list's filter: what the box says and the rows under it are drawn together, in one frame.

Seen in tmux (issue 24's key checks): Escape clearing a filter at 160x48 showed the empty box over the filtered
rows for ~100 ms, and the whole catalog, once there, came without its scroll bar for a frame. The box was emptied
in one message and the list refilled in the next (a frame could be drawn between them: under load it was); the
list's scroll bar came with the layout that followed the one the refilled list asked for.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App
from textual.message_pump import MessagePump
from textual.screen import Screen

from explorer.tui.app import ExplorerApp
from panels.fields import Field
from panels.typeahead import TypeAheadTree
from tests.apptools import until, without_servers

pytestmark = pytest.mark.serverless


def text(screen: Screen[Any]) -> list[str]:
    return ["".join(seg.text for seg in strip) for strip in screen._compositor.render_strips()]


async def test_a_filter_typed_or_cleared_shows_its_rows_in_the_same_frame(monkeypatch: pytest.MonkeyPatch) -> None:
    """One app, at 160x48 then 80x24: typed on the list, the filter box and the list agree whenever a frame could be
    drawn (after every message handled); Escape then clears it, and every frame drawn until the screen settles is
    the settled screen, the list's scroll bar included (the footer's keys come a frame later, as after any key
    that changes them: Escape now leaves the list)."""
    without_servers(monkeypatch)
    frames: list[list[str]] = []
    disagree: list[tuple[str, str]] = []
    textual_display = App._display
    textual_dispatch = MessagePump._dispatch_message

    def display(app: App[Any], screen: Screen[Any], renderable: Any) -> None:
        if renderable is not None and screen is app.screen_stack[0]:
            frames.append(text(screen))
        textual_display(app, screen, renderable)

    async def dispatch(pump: MessagePump, message: Any) -> None:
        await textual_dispatch(pump, message)
        if box.value != tree.filter_text:
            disagree.append((box.value, tree.filter_text))  # the box drawn over another filter's rows

    monkeypatch.setattr(App, "_display", display)
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(160, 48)) as pilot:
        tree, box = app.query_one("#sample-tree", TypeAheadTree), app.query_one("#sample-filter", Field)
        await until(pilot, lambda: app.focused is tree)
        monkeypatch.setattr(MessagePump, "_dispatch_message", dispatch)
        for size in ((160, 48), (80, 24)):
            await pilot.resize_terminal(*size)
            await pilot.press(*"cors")
            await until(pilot, lambda: tree.filter_text == "cors")
            for _ in range(3):
                await pilot.pause()
            frames.clear()
            await pilot.press("escape")
            await until(pilot, lambda: tree.filter_text == "")
            for _ in range(3):
                await pilot.pause()
            settled = text(app.screen)
            assert frames, size
            for frame in frames:
                assert frame[:-1] == settled[:-1], size
        assert disagree == []
