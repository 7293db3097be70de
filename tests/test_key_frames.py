"""Each key's frames: every frame drawn after a key is the picture before it or the settled one, never a mix.

Seen in tmux (issue 24's key checks, captures every 30-150 ms), each for a frame or two: Escape clearing the
sample filter at 160x48 showed the empty box over the filtered rows, then the whole catalog without its scroll bar
(the box was emptied in one message and the list refilled in the next, and a frame could be drawn between them;
the bar came with the layout after the one the refilled list asked for); the zoomed answer's footer lacked
``f5 Restart`` (a key more than the row had widgets for, mounted after the others were relabelled and drawn); the
Headers tab at 120x30 was laid out for a frame as if without its scroll bar (Textual decides a widget's scroll
bars after the layout that placed it, and lays out again a frame later).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from rich.style import Style
from textual.app import App
from textual.message_pump import MessagePump
from textual.screen import Screen

from explorer.tui.app import ExplorerApp
from panels.fields import Field
from panels.later import settled
from panels.typeahead import TypeAheadTree
from tests.apptools import catalog_sample, leave_the_list, servers_ready, until, without_servers
from tests.conftest import LiveServers
from tests.shared import shared_session


def text(screen: Screen[Any]) -> list[str]:
    return ["".join(seg.text for seg in strip) for strip in screen._compositor.render_strips()]


@contextmanager
def drawn_frames(monkeypatch: pytest.MonkeyPatch, draw: Callable[[Screen[Any]], Any] = text) -> Iterator[list[Any]]:
    """Every frame the app draws from now on, the top screen's, as ``draw`` gives it (text unless said; clear the
    list to start again)."""
    frames: list[Any] = []
    textual_display = App._display

    def display(app: App[Any], screen: Screen[Any], renderable: Any) -> None:
        if renderable is not None:
            frames.append(draw(screen))
        textual_display(app, screen, renderable)

    monkeypatch.setattr(App, "_display", display)
    yield frames


async def key_frames(pilot: Any, frames: list[list[str]], *keys: str) -> list[str]:
    """Press ``keys`` once the screen has settled; the last row of every frame drawn that is neither the picture
    before them nor the one they settle on (empty when there is none)."""
    for _ in range(3):
        await pilot.pause()
    before = text(pilot.app.screen)
    frames.clear()
    await pilot.press(*keys)
    for _ in range(6):
        await pilot.pause(0.02)
    settled = text(pilot.app.screen)
    assert settled != before and frames
    return [frame[-1] for frame in frames if frame not in (before, settled)]


@pytest.mark.serverless
async def test_a_filter_typed_or_cleared_shows_its_rows_in_the_same_frame(monkeypatch: pytest.MonkeyPatch) -> None:
    """One app, at 160x48 then 80x24: typed on the list, the filter box and the list agree whenever a frame could be
    drawn (after every message handled); Escape then clears it, and every frame drawn until the screen settles is
    the settled screen, the list's scroll bar included (the footer's keys come a frame later, as after any key
    that changes them: Escape now leaves the list)."""
    without_servers(monkeypatch)
    disagree: list[tuple[str, str]] = []
    textual_dispatch = MessagePump._dispatch_message

    async def dispatch(pump: MessagePump, message: Any) -> None:
        await textual_dispatch(pump, message)
        if box.value != tree.filter_text:
            disagree.append((box.value, tree.filter_text))  # the box drawn over another filter's rows

    app = ExplorerApp(mask=True)
    with drawn_frames(monkeypatch) as frames:
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


@pytest.mark.serverless
async def test_zoom_and_its_restore_draw_the_footer_whole_in_their_first_frame(monkeypatch: pytest.MonkeyPatch) -> None:
    """One app, at 120x30 then 80x24: ``z`` on the answers and ``z`` again. The zoomed answer's footer holds a key
    more than the row it replaces (``f5 Restart`` at 120x30, ``t Table`` at 80x24); it came two frames after the
    others."""
    without_servers(monkeypatch)
    app = ExplorerApp(mask=True)
    with drawn_frames(monkeypatch) as frames:
        async with app.run_test(size=(120, 30)) as pilot:
            await leave_the_list(pilot)
            for size in ((120, 30), (80, 24)):
                await pilot.resize_terminal(*size)
                for _ in range(2):  # zoomed, then restored
                    assert await key_frames(pilot, frames, "z") == [], size


async def test_a_tab_key_lays_the_headers_out_beside_their_scroll_bar_in_its_first_frame(
    monkeypatch: pytest.MonkeyPatch, live: LiveServers
) -> None:
    """At 120x30, after a CORS preflight (more headers than the tab shows): the Headers tab's key, the Body's, the
    Headers' again. The first showed the headers laid out across the scroll bar's column for a frame."""
    app = ExplorerApp(session=shared_session(live), mask=True)
    with drawn_frames(monkeypatch) as frames:
        async with app.run_test(size=(120, 30)) as pilot:
            await servers_ready(pilot)
            await leave_the_list(pilot)
            before = app.last
            app.load_sample(catalog_sample("cors-preflight-put"), send=True)
            await until(pilot, lambda: app.last is not before)
            for key in ("2", "1", "2"):
                assert await key_frames(pilot, frames, key) == [], key


@pytest.mark.serverless
async def test_a_resize_draws_the_new_sizes_layout_in_its_first_frame_and_writes_it_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One app, the keyboard on the list then in the answers: 160x48 to 80x24 and back, 120x30 to 80x24. Each resize
    first drew a frame of the old size's layout at the new size (the wide list and both answers cut at 80 columns:
    the screen's size classes came after the layout), then the new layout with the old size's footer keys; each
    frame drawn now is the settled screen. And no frame is the picture of the frame before it (E2's note): the
    layout for the new size drew the whole screen without noting it, so every repaint asked for before it (the
    footer's keys, the list) drew it again a frame later; and the list's widest line, cut to its new width as it was
    drawn, asked for a second layout of the whole screen: the same picture, written again."""
    without_servers(monkeypatch)
    app = ExplorerApp(mask=True)
    with drawn_frames(monkeypatch, picture) as frames:
        async with app.run_test(size=(160, 48)) as pilot:
            tree = app.query_one("#sample-tree", TypeAheadTree)
            await until(pilot, lambda: app.focused is tree and settled(app))
            for leave, sizes in ((False, ((80, 24), (160, 48))), (True, ((80, 24), (160, 48), (120, 30), (80, 24)))):
                if leave:
                    await leave_the_list(pilot)
                for size in sizes:
                    for _ in range(6):
                        await pilot.pause(0.02)
                    before = picture(app.screen)
                    frames.clear()
                    await pilot.resize_terminal(*size)
                    await until(pilot, lambda size=size: app.screen._compositor.size == size)  # type: ignore[misc]
                    for _ in range(6):
                        await pilot.pause(0.02)
                    now = picture(app.screen)
                    assert frames and len(now) == size[1], size
                    assert frames[-1] == now and repeated(frames) == [], (leave, size, len(frames))
                    # a frame at the old size was drawn before the resize (a late one of the key before it, under load)
                    resized = [
                        frame for frame in frames if len(frame) != len(before) or _width(frame) != _width(before)
                    ]
                    assert [_text(frame)[-1] for frame in resized if _text(frame) != _text(now)] == [], (leave, size)


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


def _text(frame: Picture) -> list[str]:
    return ["".join(text for text, _ in row) for row in frame]


def _width(frame: Picture) -> int:
    return len(_text(frame[:1])[0]) if frame else 0


def repeated(frames: list[Picture]) -> list[int]:
    """The frames that are the picture of the frame before them: written for nothing."""
    return [i for i in range(1, len(frames)) if frames[i] == frames[i - 1]]


@pytest.mark.serverless
async def test_escape_between_the_answers_and_the_list_draws_one_frame(monkeypatch: pytest.MonkeyPatch) -> None:
    """At 80x24, Escape from the answers to the list and back: the footer's keys change words and widths
    (``esc Back to list`` becomes ``esc Leave list``). Their layout was asked by each key as it next idled, after the
    key's frame, which drew the new words in the old keys' places (``^q Qui f5 Rest``); the row was laid out a frame
    later (~50 ms), and each key's own repaint drew it once more. Each key is one frame now, the settled screen.
    (At 120x30 the row changes from compact to full there, and is composed anew: a second frame, not yet one.)"""
    without_servers(monkeypatch)
    app = ExplorerApp(mask=True)
    with drawn_frames(monkeypatch) as frames:
        async with app.run_test(size=(80, 24)) as pilot:
            await leave_the_list(pilot)
            for on_the_list in (True, False):
                await _escape_in_one_frame(pilot, frames, on_the_list)


async def _escape_in_one_frame(pilot: Any, frames: list[list[str]], to_the_list: bool) -> None:
    app = pilot.app
    tree = app.query_one("#sample-tree", TypeAheadTree)
    for _ in range(6):
        await pilot.pause(0.02)
    frames.clear()
    await pilot.press("escape")
    await until(pilot, lambda: (app.focused is tree) is to_the_list)
    for _ in range(6):
        await pilot.pause(0.02)
    assert [frame[-1] for frame in frames] == [text(app.screen)[-1]], to_the_list
    assert frames == [text(app.screen)], to_the_list
