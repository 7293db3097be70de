"""The answers' tab rows in the first frame are a stand-in (issue 24: the first paint): one widget per row,
drawing what Textual's ten draw, replaced by the real row once that frame is drawn or a tab is chosen."""

from __future__ import annotations

from typing import Any

import pytest
from textual.screen import Screen
from textual.strip import Strip
from textual.widgets import Footer, Tab, TabbedContent, TabPane, Tabs
from textual.widgets._tabs import Underline

from explorer.tui.app import ExplorerApp
from panels.lazy_tabs import LazyTabs
from panels.response import ResponsePanel
from panels.tab_row import TabRow
from tests.apptools import SIZES, at_each_size, at_first_frame, until, without_servers
from tests.test_stand_ins import THEMES, Cell, cells

pytestmark = pytest.mark.serverless


@pytest.mark.parametrize("theme", THEMES)
async def test_the_stand_in_draws_what_the_tab_row_draws(monkeypatch: pytest.MonkeyPatch, theme: str) -> None:
    """The screen with the stand-ins kept is the screen with Textual's rows, cell for cell, at every size class and
    in both themes: one app a theme, each started at a size the other reaches by a resize, the stand-ins drawn at
    each size first, then the real rows let in and drawn at each."""
    without_servers(monkeypatch)
    blocked = [True]
    show_row, row_ready = LazyTabs._show_row, LazyTabs._row_ready
    monkeypatch.setattr(LazyTabs, "_show_row", lambda self: None if blocked[0] else show_row(self))
    monkeypatch.setattr(LazyTabs, "_row_ready", lambda self: False if blocked[0] else row_ready(self))
    sizes = SIZES if theme == THEMES[0] else SIZES[::-1]
    app = ExplorerApp(mask=True)
    async with app.run_test(size=sizes[0]) as pilot:

        async def picture() -> list[list[Cell]]:
            for _ in range(3):
                await pilot.pause()
                await pilot.wait_for_scheduled_animations()
            return cells(app)

        await until(pilot, lambda: len(app.query(TabPane)) == 10 and len(app.query(Footer).first().children) > 3)
        app.theme = theme
        stand_in = await at_each_size(pilot, sizes, picture)
        assert len(app.query(TabRow)) == 2 and not app.query(Tab)
        blocked[0] = False
        for tabs in app.query(LazyTabs):
            tabs._show_row()
        await until(pilot, lambda: not app.query(TabRow) and len(app.query(Tab)) == 10)
        await until(pilot, lambda: all(tabs.query_one(Underline).highlight_end for tabs in app.query(Tabs)))
        real = await at_each_size(pilot, sizes[::-1], picture)
    for size in sizes:
        assert stand_in[size] == real[size], size


async def test_the_first_frame_has_the_stand_ins_and_the_row_follows(monkeypatch: pytest.MonkeyPatch) -> None:
    without_servers(monkeypatch)
    seen = at_first_frame(monkeypatch, lambda screen: (len(screen.query(TabRow)), len(screen.query(Tabs))))
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: bool(seen))
        assert seen == [(2, 0)]
        await until(pilot, lambda: not app.query(TabRow) and len(app.query(Tab)) == 10)
        tabs = app.query_one("#tabs-flask", TabbedContent)
        assert tabs.active == "body-flask"


async def test_a_title_clicked_before_the_row_is_in_shows_its_tab(monkeypatch: pytest.MonkeyPatch) -> None:
    without_servers(monkeypatch)
    monkeypatch.setattr(ResponsePanel, "_build_later", lambda self: None)  # what builds the tabs after the first frame
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: len(app.query(TabRow)) == 2)
        row = app.query_one("#tabs-fastapi").query_one(TabRow)
        await pilot.click(row, offset=(20, 0))  # " Body  Headers  Validation ": column 20 is in Validation
        tabs = app.query_one("#tabs-fastapi", TabbedContent)
        await until(pilot, lambda: tabs.active == "validation-fastapi", why=lambda: tabs.active)
        await until(pilot, lambda: app.query_one("#reason-fastapi").display and isinstance(app.focused, Tabs))
        assert tabs.query_one(Tabs).active == "--content-tab-validation-fastapi"


async def test_a_tab_key_before_the_row_is_in_shows_its_tab(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys 1-5 typed before the first frame's work is done: the real row comes in on that tab."""
    without_servers(monkeypatch)
    monkeypatch.setattr(ResponsePanel, "_build_later", lambda self: None)  # what builds the tabs after the first frame
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: len(app.query(TabRow)) == 2)
        app.workbench.focus_answers()
        await pilot.press("5", "2")
        tabs = app.query_one("#tabs-flask", TabbedContent)
        await until(pilot, lambda: tabs.active == "headers-flask" and not tabs.query(TabRow), why=lambda: tabs.active)
        row = tabs.query_one(Tabs)
        await until(pilot, lambda: row.active == "--content-tab-headers-flask", why=lambda: row.active)
        await until(pilot, lambda: app.query_one("#headertable-flask").display)


@pytest.mark.parametrize("size", [(160, 48), (80, 24)], ids=["160x48", "80x24"])
async def test_no_frame_between_the_stand_in_and_the_real_row_lacks_the_titles_or_the_bar(
    monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    """The real row is drawn only once it can draw what the stand-in drew: swapped in one frame. Seen in tmux: both
    rows blank for a frame just after the first (the stand-in removed before the row had its tabs), then the bar
    with no part marked (the underline not yet placed)."""
    from textual.app import App

    without_servers(monkeypatch)
    frames: list[list[Strip]] = []  # each frame's lines as drawn, read into cells once the rows' places are known
    textual_display = App._display

    def display(app: App[Any], screen: Screen[Any], renderable: Any) -> None:
        textual_display(app, screen, renderable)
        if renderable is not None and screen is app.screen_stack[0]:
            frames.append(screen._compositor.render_strips())

    monkeypatch.setattr(App, "_display", display)
    app = ExplorerApp(mask=True)
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: not app.query(TabRow) and len(app.query(Tab)) == 10)
        for _ in range(4):
            await pilot.pause()
        rows = [tabs.region for tabs in app.query(Tabs) if tabs.region.width]
    assert frames and rows
    for number, lines in enumerate(frames):
        for row in rows:
            titles = "".join(ch for ch, _ in _cells(lines[row.y])[row.x : row.right])
            assert "Body" in titles and "Headers" in titles, (number, titles)
            if row.height > 1:  # at 160x48 the bar is a line of its own: a part of it marked (another colour)
                bar = {colour for ch, colour in _cells(lines[row.y + 1])[row.x : row.right] if ch in "━╸╺"}
                assert len(bar) > 1, (number, bar)


def _cells(line: Strip) -> list[tuple[str, str]]:
    """A line's cells: each character and its colour."""
    return [(ch, str(seg.style.color if seg.style else None)) for seg in line for ch in seg.text]
