"""The docs screen (``d``) is kept while the same server processes answer, and shown again as a new one opens.

Each ``d`` fetched ``/openapi.json`` and Flask's ``/docs`` and built the outline again (about half of the key's
time); FastAPI builds its schema once per process, so the same processes answer the same. Real servers, started
by the app as a user's are.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.containers import VerticalScroll
from textual.widgets import Tree

from explorer.runtime.session import Session
from explorer.tui.app import ExplorerApp
from explorer.tui.screens.docs import DocsScreen
from panels.later import settled
from tests.apptools import leave_the_list, servers_ready, until
from tests.conftest import LiveServers
from tests.shared import shared_session


async def test_the_docs_are_kept_while_the_same_servers_answer_and_open_at_their_start(live: LiveServers) -> None:
    app = ExplorerApp(session=shared_session(live), mask=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await servers_ready(pilot)
        await leave_the_list(pilot)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, DocsScreen) and bool(app.screen.query("#openapi-tree")))
        first = app.screen
        assert isinstance(first, DocsScreen)
        kept: DocsScreen = first  # the type stays after `is` checks below
        tree = first.query_one("#openapi-tree", Tree)
        await pilot.press("down", "space", "end")  # the first operation folded, the cursor at the end
        await until(pilot, lambda: tree.cursor_line == tree.last_line and tree.scroll_y > 0)
        assert not tree.root.children[0].is_expanded
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.screen_stack[0])
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, DocsScreen))
        assert app.screen is first
        await until(pilot, lambda: tree.cursor_line == 0 and tree.scroll_y == 0)
        assert all(node.is_expanded for node in (tree.root, *tree.root.children))
        assert app.focused is tree and first.query_one("#docs-flask", VerticalScroll).scroll_y == 0
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.screen_stack[0])
        kept.fetched_from = ()  # as if fetched from other processes (a restart): fetched and built again
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, DocsScreen) and app.screen is not first)
        fresh = app.screen
        assert isinstance(fresh, DocsScreen) and len(fresh.operations) == len(kept.operations)
        await until(pilot, lambda: not first.is_attached)


async def test_the_docs_ask_both_servers_at_once(live: LiveServers, monkeypatch: pytest.MonkeyPatch) -> None:
    """``d``'s first opening waits for FastAPI's ``/openapi.json`` (its schema built on the first one) and Flask's
    ``/docs``: asked one after the other, Flask's request waited for FastAPI's answer. Both are in flight together."""
    order: list[str] = []
    send_one = Session.send_one

    async def logged(self: Session, framework: str, spec: Any, *args: Any, **kwargs: Any) -> Any:
        order.append(f"asked {framework}")
        exchange = await send_one(self, framework, spec, *args, **kwargs)
        order.append(f"answered {framework}")
        return exchange

    monkeypatch.setattr(Session, "send_one", logged)
    app = ExplorerApp(session=shared_session(live), mask=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await servers_ready(pilot)
        await leave_the_list(pilot)
        order.clear()
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, DocsScreen) and bool(app.screen.operations))
    assert sorted(order[:2]) == ["asked fastapi", "asked flask"], order


async def test_the_docs_first_opening_writes_its_picture_once(
    live: LiveServers, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The docs built ahead and filled as ``d`` first opens them: the outline's scroll bar comes with the fill and
    resizes the tree, whose own resize handler built every line again and laid the screen out again, a frame after
    the one that had drawn it: the same picture written twice, the second ~40 ms later (the key's time ended there)."""
    from tests.test_key_frames import drawn_frames, picture, repeated

    app = ExplorerApp(session=shared_session(live), mask=True)
    app.life.ahead_when_headless = True  # as in a terminal: the kept screens built ahead once the servers are up
    async with app.run_test(size=(80, 24)) as pilot:
        await servers_ready(pilot)
        await leave_the_list(pilot)
        await until(pilot, lambda: settled(app) and app.is_screen_installed("docs"), timeout=30)
        with drawn_frames(monkeypatch, draw=picture) as frames:
            for _ in range(3):
                await pilot.pause()
            frames.clear()
            await pilot.press("d")
            await until(pilot, lambda: isinstance(app.screen, DocsScreen) and bool(app.screen.operations))
            for _ in range(6):
                await pilot.pause(0.02)
            assert frames and frames[-1] == picture(app.screen)
            assert repeated(frames) == [], f"{len(frames)} frames"
