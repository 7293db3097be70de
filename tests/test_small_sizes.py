"""Terminals smaller than 80x24, the smallest size laid out with care: the app still starts, sends, shows its help,
survives a resize down to 30x10 and back, and quits, with no traceback.

At 60x20 it ended at start with "ValueError: range() arg 3 must not be zero": its first frame was laid out
before the size classes were set, with the list 56 columns wide, so the headers editor got no room for its
placeholder.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import TextArea

from explorer.tui.app import ExplorerApp
from explorer.tui.screens.help import HelpScreen
from tests.apptools import send_and_wait, servers_ready, until, without_servers
from tests.conftest import LiveServers
from tests.shared import shared_session

SIZES = [(60, 20), (50, 15), (40, 12), (30, 10)]


def _ids(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


async def _help_and_back(pilot: Pilot) -> None:
    app = pilot.app
    await pilot.press("f1")
    await until(pilot, lambda: isinstance(app.screen, HelpScreen))
    await pilot.pause()
    await pilot.press("escape")
    await until(pilot, lambda: app.screen is app.screen_stack[0])


@pytest.mark.parametrize("size", SIZES, ids=_ids)
async def test_the_app_starts_helps_and_quits_at_a_small_size(
    size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each size from the first frame: the editors keep room to draw in, and nothing raises."""
    without_servers(monkeypatch)
    app = ExplorerApp()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        for area in app.query(TextArea):
            assert area.content_size.width > 0 or area.region.width == 0, (area.id, area.region)
        await _help_and_back(pilot)
        await pilot.press("ctrl+q")
    assert app.return_code == 0


async def test_a_running_app_sends_at_each_small_size_and_back(live: LiveServers) -> None:
    """Start at 60x20, then send and open the help at each smaller size, then at 160x48 and 80x24 again."""
    app = ExplorerApp(session=shared_session(live))
    async with app.run_test(size=SIZES[0]) as pilot:
        await servers_ready(pilot)
        for size in [*SIZES, (160, 48), (80, 24)]:
            await pilot.resize_terminal(*size)
            await pilot.pause()
            await send_and_wait(pilot)
            assert app.last["flask"].status == 200 and app.last["fastapi"].status == 200, size
            await _help_and_back(pilot)
        await pilot.press("ctrl+q")
    assert app.return_code == 0
