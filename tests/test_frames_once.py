"""A resize and the comparison table's first opening are written to the terminal once: no frame is the picture of
the frame before it, cell for cell (E2's note: each wrote its picture, then the same picture again a frame later)."""

from __future__ import annotations

from typing import Any

import pytest
from rich.style import Style
from textual.screen import Screen

from explorer.tui.app import ExplorerApp
from panels.later import settled
from panels.typeahead import TypeAheadTree
from tests.apptools import leave_the_list, until, without_servers
from tests.test_key_frames import drawn_frames

pytestmark = pytest.mark.serverless

Picture = tuple[tuple[tuple[str, tuple[object, ...] | None], ...], ...]


def picture(screen: Screen[Any]) -> Picture:
    """The screen as drawn, each row's segments with their look (a cursor's blink is a new picture; the mouse's
    metadata left out)."""
    return tuple(
        tuple((segment.text, None if segment.style is None else _look(segment.style)) for segment in strip)
        for strip in screen._compositor.render_strips()
    )


def _look(style: Style) -> tuple[object, ...]:
    return str(style.color), str(style.bgcolor), style._attributes, style._set_attributes


def written(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The picture of every frame written from now on (clear the list to start again)."""
    return drawn_frames(monkeypatch, picture)


def repeated(frames: list[Picture]) -> list[int]:
    """The frames that are the picture of the frame before them: written for nothing."""
    return [i for i in range(1, len(frames)) if frames[i] == frames[i - 1]]


async def test_a_resize_writes_its_picture_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """160x48 to 80x24 and back with the keyboard on the list, then 120x30 and 80x24 in the answers. The layout for
    the new size drew the whole screen without noting it, so every repaint asked for before it (the footer's keys,
    the list) drew it again a frame later; and the list's widest line, cut to its new width as it was drawn, asked
    for a second layout of the whole screen: the same picture, written again."""
    without_servers(monkeypatch)
    app = ExplorerApp(mask=True)
    with written(monkeypatch) as frames:
        async with app.run_test(size=(160, 48)) as pilot:
            tree = app.query_one("#sample-tree", TypeAheadTree)
            await until(pilot, lambda: app.focused is tree and settled(app))
            for leave, size in ((False, (80, 24)), (False, (160, 48)), (True, (120, 30)), (True, (80, 24))):
                if leave:
                    await leave_the_list(pilot)
                for _ in range(6):
                    await pilot.pause(0.02)
                frames.clear()
                await pilot.resize_terminal(*size)
                await until(pilot, lambda size=size: app.screen._compositor.size == size)  # type: ignore[misc]
                for _ in range(6):
                    await pilot.pause(0.02)
                assert frames and frames[-1] == picture(app.screen), size
                assert repeated(frames) == [], (leave, size, len(frames))


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
