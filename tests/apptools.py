"""Helpers for driving the app in tests: wait for real states, never for a fixed time."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, TypeVar

import pytest
from textual.pilot import Pilot
from textual.screen import Screen

from explorer.content.catalog import Sample, by_id
from explorer.runtime.servers.specs import ServerState
from explorer.tui.app import ExplorerApp
from panels.later import settled
from panels.response import ResponsePanel


def without_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app stays as it is before its servers start: for a test of keys, editors or screens that sends nothing.

    Each app start otherwise spawns both demo servers (about a second of CPU: FastAPI's demo mounts the
    Flask one, so it imports both frameworks), which such a test never uses.
    """
    from explorer.tui.lifecycle import Lifecycle

    monkeypatch.setattr(Lifecycle, "boot", lambda self, then: None)


T = TypeVar("T")


def at_first_frame(monkeypatch: pytest.MonkeyPatch, look: Callable[[Screen[Any]], T]) -> list[T]:
    """Filled with ``look(screen)`` as the app draws its main screen's first frame (one item, then no more)."""
    seen: list[T] = []
    textual_refresh = Screen._compositor_refresh

    def recording(self: Screen[Any]) -> None:
        if not seen and self.is_attached and self is self.app.screen_stack[0]:
            seen.append(look(self))
        textual_refresh(self)

    monkeypatch.setattr(Screen, "_compositor_refresh", recording)
    return seen


SIZES = ((160, 48), (120, 30), (80, 24))  # the main view's size classes: wide, middle and the smallest it is made for


async def at_each_size(
    pilot: Pilot, sizes: tuple[tuple[int, int], ...], look: Callable[[], Awaitable[T]]
) -> dict[tuple[int, int], T]:
    """``look()`` at each of ``sizes`` in turn, the terminal resized to each (a resize gives the screen its size
    classes and lays it out anew before the frame it draws): one app for the sizes a picture is compared at, where an
    app a size cost a start each. Its first size is the one the app started at."""
    app = pilot.app
    seen: dict[tuple[int, int], T] = {}
    for size in sizes:
        if tuple(app.size) != size:
            await pilot.resize_terminal(*size)
            await until(pilot, partial(_sized, app, size), why=lambda: app.screen.size)
        seen[size] = await look()
    return seen


def _sized(app: Any, size: tuple[int, int]) -> bool:
    return tuple(app.screen.size) == size


def catalog_sample(sample_id: str) -> Sample:
    """The catalog's sample of that id; one gone from the catalog fails the test here, by its id."""
    found = by_id(sample_id)
    assert found is not None, f"no sample {sample_id!r} in the catalog"
    return found


async def until(
    pilot: Pilot, predicate: Callable[[], bool], timeout: float = 15.0, why: Callable[[], object] | None = None
) -> None:
    """Let the app run until ``predicate`` holds; fail the test if it never does (saying ``why()`` when given).

    The wait after a key press or a change: ``pilot.press`` returns once the app looks idle, which under
    load can be before the key's messages have gone up the widget tree and the action has run, so a test
    asserts on the state the key leads to through this, never right after the press.

    Between two looks the app runs on its own (the test shares its event loop): ``pilot.pause`` would post a
    message to every widget of the screen and draw a frame at each look, some 7 ms of CPU at the main view's 105
    widgets against 0.2 ms for a plain sleep, and a wait for the servers looks a hundred times or more.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s" + (f": {why()}" if why else ""))
        await asyncio.sleep(0.02)


async def servers_ready(pilot: Pilot) -> None:
    """Both servers ready, and what the first frame put off built (``panels/later.py``): the app as a test found it
    when its own servers took a second to start, which servers already running (``tests/shared.py``) do not take."""
    app = pilot.app
    assert isinstance(app, ExplorerApp)
    await until(pilot, lambda: all(s.status.state is ServerState.READY for s in app.session.supervisor))
    await until(pilot, lambda: settled(app))


async def leave_the_list(pilot: Pilot) -> None:
    """Escape from the sample list to the answers (unless a send from the list has moved the keyboard there), once the
    app has put the keyboard on the list, and wait until
    the keyboard is there: a letter pressed while Escape's message is still on its way is typed into the list's
    filter (under load 13, ``press("escape", "p")`` left the lab unopened and ``p`` in the filter). It waits too
    until what the first frame put off is built (``panels/later.py``): a test counting a key's layouts or frames
    then counts that key's alone."""
    app = pilot.app
    assert isinstance(app, ExplorerApp)
    tree = app.query_one("#sample-tree, #route-tree")  # the demos' samples, or the routes of the user's apps
    await until(pilot, lambda: (app.focused is tree or in_answers(app)) and settled(app))  # the put-off builds too
    if app.focused is not tree:
        return  # a send from the list moved the keyboard to the answers already
    await pilot.press("escape")
    await until(pilot, lambda: app.focused is not None and app.focused is not tree)


def in_answers(app: ExplorerApp) -> bool:
    focused = app.focused
    return focused is not None and any(isinstance(n, ResponsePanel) for n in focused.ancestors_with_self)


async def send_and_wait(pilot: Pilot, key: str = "ctrl+r") -> None:
    """Press ``key`` (a send) and wait until the send worker has drawn its results."""
    app = pilot.app
    assert isinstance(app, ExplorerApp)
    before = app.last
    await pilot.press(key)
    await until(pilot, lambda: app.last is not before)
    await pilot.pause()


def screen_text(app: ExplorerApp) -> str:
    """The characters on the app's screen as the user sees them, one line per row."""
    return "\n".join("".join(segment.text for segment in strip) for strip in app.screen._compositor.render_strips())


def _moved(app: ExplorerApp, screen: object, focused: object) -> bool:
    return app.screen is not screen or app.focused is not focused


async def back_to_the_answers(pilot: Pilot) -> None:
    """Close every screen over the main view with Escape, each press waited for, then put the keyboard in the answers
    from the list (:func:`leave_the_list`): where a test that shares one app with others starts each of its parts.

    A field of a screen takes one Escape before the screen does (parity's path), so each press waits until the
    screen or the keyboard's place has changed, never for a fixed time.
    """
    app = pilot.app
    assert isinstance(app, ExplorerApp)
    while len(app.screen_stack) > 1:
        screen, focused = app.screen, app.focused
        await pilot.press("escape")
        await until(pilot, partial(_moved, app, screen, focused))
    tree = app.query_one("#sample-tree")
    tree.focus()
    await until(pilot, lambda: app.focused is tree)  # the focus is set a message later: leave_the_list looks at it
    await leave_the_list(pilot)
