"""The comparison table's first opening is written to the terminal once: no frame is the picture of the frame before
it, cell for cell (E2's note: it wrote its picture, then the same picture again a frame later; a resize did too,
checked with its frames' layout in ``tests/test_key_frames.py``)."""

from __future__ import annotations

from typing import Any

import pytest

from explorer.tui.app import ExplorerApp
from tests.apptools import leave_the_list, until, without_servers
from tests.test_key_frames import drawn_frames, picture, repeated

pytestmark = pytest.mark.serverless


def written(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The picture of every frame written from now on (clear the list to start again)."""
    return drawn_frames(monkeypatch, picture)


async def test_the_tables_first_opening_writes_its_picture_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """``t`` at 80x24: the "▼ 3 more rows below" line, written again with the same text after the first frame (on
    the table's Resize, and once that frame was drawn), asked for a second layout and frame: the same picture. Every
    frame of the opening has that line (the first once lacked it: written only once the table had a size)."""
    without_servers(monkeypatch)
    app = ExplorerApp(mask=True)
    with written(monkeypatch) as frames:
        async with app.run_test(size=(80, 24)) as pilot:
            await leave_the_list(pilot)
            main = app.screen
            frames.clear()
            await pilot.press("t")
            await until(pilot, lambda: app.screen is not main)
            for _ in range(6):
                await pilot.pause(0.02)
            assert frames and frames[-1] == picture(app.screen)
            assert repeated(frames) == [], len(frames)
            below = ["more rows below" in "".join(text for row in frame for text, _ in row) for frame in frames]
            assert below == [True] * len(frames), below


async def test_an_answers_body_with_the_keyboard_writes_no_frame_while_nothing_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The answer's body is read-only: its cursor is drawn without blinking, but its blink timer drew the cursor's
    line every half second, the same picture each time."""
    import asyncio

    without_servers(monkeypatch)
    app = ExplorerApp(mask=True)
    with written(monkeypatch) as frames:
        async with app.run_test(size=(120, 30)) as pilot:
            await leave_the_list(pilot)
            await until(
                pilot, lambda: app.focused is not None and app.focused.id == "body-text", why=lambda: app.focused
            )
            for _ in range(6):
                await pilot.pause(0.02)
            frames.clear()
            await asyncio.sleep(1.2)  # the time nothing happens in: two and more of Textual's half-second blinks
            assert frames == [], len(frames)
