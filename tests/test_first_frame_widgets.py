"""What the main screen has built when its first frame is drawn (issue 24: the first paint).

Widgets the first screen does not show are built just after that frame (or at once by whatever needs them
first), so the first frame costs less; these tests keep them out of it and check that they still work.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.screen import Screen
from textual.widgets import Select, TabbedContent, TabPane

from explorer.tui.app import ExplorerApp
from panels.tab_row import TabRow
from tests.apptools import at_first_frame, until, without_servers


def first_frame_widgets(monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """Filled, when the app draws its first frame, with the type names of every widget its screen holds."""
    return at_first_frame(monkeypatch, lambda screen: {type(node).__name__ for node in screen.walk_children()})


async def test_the_method_pickers_list_and_the_answers_hidden_tabs_are_built_after_the_first_frame_and_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first frame draws the editor with a stand-in (panels/editor_blank.py): the picker comes after it, its list
    a step of its own, and picks. Each answer's tab row shows its five tabs in the first frame (drawn by a stand-in,
    ``panels.tab_row``); no pane is built then: the Body tab's is drawn by a stand-in (``panels.body_view.BodyBlank``);
    built after it, a tab key opens one. One app."""
    without_servers(monkeypatch)
    seen = first_frame_widgets(monkeypatch)
    panes: list[tuple[int, int]] = []
    textual_refresh = Screen._compositor_refresh

    def counting(self: Screen[Any]) -> None:
        if not panes and self.is_attached and self is self.app.screen_stack[0]:
            panes.append((len(self.query(TabPane)), sum(len(row.titles) for row in self.query(TabRow))))
        textual_refresh(self)

    monkeypatch.setattr(Screen, "_compositor_refresh", counting)
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: bool(seen) and bool(panes))
        assert "EditorBlank" in seen[0] and "SelectCurrent" not in seen[0] and "SelectOverlay" not in seen[0]
        assert panes == [(0, 10)]  # no pane (a BodyBlank draws the Body tab's); every tab's title
        await until(pilot, lambda: bool(app.query("#method SelectCurrent")))
        assert not app.query("#method SelectOverlay")  # its list is a step of its own, after the editor's
        picker = app.query_one("#method", Select)
        picker.focus()
        await pilot.press("enter", "down", "enter")  # opened, the next method, chosen
        await until(pilot, lambda: picker.value == "POST" and not picker.expanded, why=lambda: picker.value)
        await pilot.press("enter", "up", "enter")
        await until(pilot, lambda: picker.value == "GET" and not picker.expanded, why=lambda: picker.value)
        await until(pilot, lambda: len(app.query(TabPane)) == 10)
        app.workbench.focus_answers()
        await pilot.press("3")
        tabs = app.query_one("#tabs-flask", TabbedContent)
        await until(pilot, lambda: tabs.active == "validation-flask" and app.query_one("#reason-flask").display)


async def test_the_method_picker_opened_before_its_list_is_built_builds_it_and_picks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a loaded machine the key can open the picker before the after-the-first-frame build: the list is then
    built by the key's action, which runs in the app's context (it crashed there: "Select is not defined on
    ExplorerApp", a data binding made outside the picker's own context)."""
    from panels.method_picker import MethodPicker

    without_servers(monkeypatch)
    monkeypatch.setattr(MethodPicker, "call_after_refresh", lambda self, *args, **kwargs: True)  # never built early
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: bool(app.query("#method")))  # built just after the first frame
        picker = app.query_one("#method", Select)
        picker.focus()
        await pilot.pause()
        await pilot.press("enter", "down", "enter")
        await until(pilot, lambda: picker.value == "POST" and not picker.expanded, why=lambda: picker.value)
