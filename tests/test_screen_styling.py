"""A screen opened from the main view is styled once, as it mounts (issue 24, "every key instant").

Textual styled each pushed screen a second and a third time as it opened: its first resume restyled every
widget on it (``ScreenResume(refresh_styles=True)``, meant for a screen shown again), and its first Resize
added the size classes (``-narrow``, ``-short``, ...) it was mounted without, which restyled every widget once
more. Each pass changed nothing but cost CPU on every key that opens a screen (``d``, ``c``, ``w``, f1 ...).
Here the screen has its size classes before it mounts and its first resume restyles nothing
(:meth:`explorer.tui.textual_patches.GuardedApp._get_screen`); its styles are still those a full pass gives.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.css.stylesheet import Stylesheet
from textual.dom import DOMNode
from textual.screen import Screen

from explorer.tui.app import ExplorerApp
from tests.apptools import back_to_the_answers, leave_the_list, until, without_servers

pytestmark = pytest.mark.serverless

# A screen's key from the answers, and the name of its class.
SCREENS = {
    "t": "TableController",
    "g": "GuideScreen",
    "c": "ParityController",
    "f1": "HelpScreen",
    "w": "SocketsController",
}


def _styles(screen: Screen[Any]) -> dict[DOMNode, Any]:
    """Every node's own style rules and those of its parts, on ``screen``."""
    return {
        node: (dict(node.styles.base._rules), {k: dict(v.base._rules) for k, v in node._component_styles.items()})
        for node in screen.walk_children(with_self=True)
    }


async def test_a_screen_opened_is_styled_as_it_mounts_and_not_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each screen in turn, in one app (each opened for the first time there), back to the answers between."""
    without_servers(monkeypatch)
    passes: list[int] = []
    textual_update = Stylesheet.update_nodes

    def counting(self: Stylesheet, nodes: Any, animate: bool = False) -> None:
        nodes = list(nodes)
        passes.extend(len(nodes) for node in nodes[:1] if isinstance(node, Screen) and node is not app.screen_stack[0])
        textual_update(self, nodes, animate)

    monkeypatch.setattr(Stylesheet, "update_nodes", counting)
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("escape")  # the keyboard to the answers, where a screen's key opens it
        await pilot.pause()
        for key, name in SCREENS.items():
            passes.clear()
            await until(pilot, lambda: len(app.screen_stack) == 1 and app.focused is not None)
            await pilot.press(key)
            await until(pilot, lambda name=name: type(app.screen).__name__ == name)  # type: ignore[misc]  # bound per screen
            await pilot.pause()
            await pilot.pause()
            assert passes == [], key  # no pass over the whole screen as it opened
            before = _styles(app.screen)
            textual_update(app.stylesheet, list(app.screen.walk_children(with_self=True)), animate=False)
            after = _styles(app.screen)
            assert [repr(node) for node in before if before[node] != after[node]] == [], key
            for _ in range(3):  # parity's path field takes one Escape before the screen does
                if len(app.screen_stack) > 1:
                    await pilot.press("escape")
                    await pilot.pause()
            await until(pilot, lambda: len(app.screen_stack) == 1)


async def test_zoom_restyles_the_answer_alone_and_leaves_every_style_current(monkeypatch: pytest.MonkeyPatch) -> None:
    """``z`` on an answer restyled its whole subtree (35 widgets) as it zoomed and again as it was restored, though
    no rule names ``.-maximized`` above an answer's parts; the editor's parts, which one does, still follow it."""
    without_servers(monkeypatch)
    passes: list[int] = []
    textual_update = Stylesheet.update_nodes

    def counting(self: Stylesheet, nodes: Any, animate: bool = False) -> None:
        nodes = list(nodes)
        passes.append(len(nodes))
        textual_update(self, nodes, animate)

    app = ExplorerApp(mask=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await leave_the_list(pilot)  # the keyboard to the answers, once what the first frame put off is built
        await pilot.pause()
        monkeypatch.setattr(Stylesheet, "update_nodes", counting)
        for _ in ("zoom", "restore"):
            await pilot.press("z")
            await pilot.pause()
            assert passes and max(passes) <= 2  # the screen, the answer (and the part with the keyboard)
            passes.clear()
            before = _styles(app.screen)
            textual_update(app.stylesheet, list(app.screen.walk_children(with_self=True)), animate=False)
            assert [repr(node) for node in before if before[node] != _styles(app.screen)[node]] == []


_TEXTUAL_UPDATE = Stylesheet.update_nodes


def _guide_restyles(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Filled with the number of nodes of each restyle pass that starts at the guide screen, from now on."""
    passes: list[int] = []

    def counting(self: Stylesheet, nodes: Any, animate: bool = False) -> None:
        nodes = list(nodes)
        passes.extend(len(nodes) for node in nodes[:1] if type(node).__name__ == "GuideScreen")
        _TEXTUAL_UPDATE(self, nodes, animate)

    monkeypatch.setattr(Stylesheet, "update_nodes", counting)
    return passes


async def test_a_kept_screen_shown_again_is_restyled_only_when_its_styles_went_stale(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The guide (kept, as the table and the lab) was restyled whole each time it was shown again, though nothing
    it is styled from had changed; after a theme change meanwhile it still is (Textual restyles only what shows)."""
    without_servers(monkeypatch)
    passes = _guide_restyles(monkeypatch)
    textual_update = _TEXTUAL_UPDATE
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await leave_the_list(pilot)  # and what the first frame put off is built (panels.later): none of it restyles
        for theme in (None, None, "textual-light"):
            await pilot.pause()
            if theme:
                app.theme = theme
                await pilot.pause()
            passes.clear()
            await pilot.press("g")
            await until(pilot, lambda: type(app.screen).__name__ == "GuideScreen")
            await pilot.pause()
            assert len(passes) == (1 if theme else 0)
            before = _styles(app.screen)
            textual_update(app.stylesheet, list(app.screen.walk_children(with_self=True)), animate=False)
            assert [repr(node) for node in before if before[node] != _styles(app.screen)[node]] == []
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is app.screen_stack[0])


async def test_a_kept_screen_is_not_restyled_for_the_css_of_a_screen_first_opened_meanwhile(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Opening a screen for the first time adds its CSS and its widgets' to the stylesheet, rules scoped to types
    the guide has none of; the guide shown again after it was restyled whole all the same (the lab, ~30 ms: every
    kept screen's second showing in ``benchmarks/keys.py``). Its styles are still those a full pass gives."""
    without_servers(monkeypatch)
    passes = _guide_restyles(monkeypatch)
    textual_update = _TEXTUAL_UPDATE
    app = ExplorerApp(mask=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await leave_the_list(pilot)
        for key in ("c", "p"):  # parity, then the lab: each opened for the first time while the guide is left
            await pilot.press("g")
            await until(pilot, lambda: type(app.screen).__name__ == "GuideScreen")
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is app.screen_stack[0])
            sources = len(app.stylesheet.source)
            await pilot.press(key)
            await until(pilot, lambda: app.screen is not app.screen_stack[0])
            await pilot.pause()
            assert len(app.stylesheet.source) > sources  # its CSS came with it
            await back_to_the_answers(pilot)
            passes.clear()
            await pilot.press("g")
            await until(pilot, lambda: type(app.screen).__name__ == "GuideScreen")
            await pilot.pause()
            assert passes == [], key
            before = _styles(app.screen)
            textual_update(app.stylesheet, list(app.screen.walk_children(with_self=True)), animate=False)
            assert [repr(node) for node in before if before[node] != _styles(app.screen)[node]] == []
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is app.screen_stack[0])


# A screen's key, and the widget its on_mount hands the keyboard to.
FIRST_FOCUS = {"g": "Switch", "p": "#lab-scenario", "t": "#comparison", "c": "#parity-path", "w": "#ws-text"}


async def test_a_screen_opened_gives_the_keyboard_once_to_the_widget_it_names(monkeypatch: pytest.MonkeyPatch) -> None:
    """Textual focused a new screen's first focusable widget (the guide's and the lab's scroll) before its
    on_mount moved the keyboard on: the focus pseudo-classes restyled 30-55 nodes twice as the screen opened.
    Each screen in turn, in one app (each opened for the first time there), from the answers."""
    without_servers(monkeypatch)
    focused: list[Any] = []
    textual_set_focus = Screen.set_focus

    def recording(self: Screen[Any], widget: Any, *args: Any, **kwargs: Any) -> Any:
        if self is not app.screen_stack[0] and widget is not None and widget not in focused:
            focused.append(widget)
        return textual_set_focus(self, widget, *args, **kwargs)

    app = ExplorerApp(mask=True)
    wrong: dict[str, list[Any]] = {}  # each key whose screen focused more (or other) than it names
    async with app.run_test(size=(80, 24)) as pilot:
        monkeypatch.setattr(Screen, "set_focus", recording)
        for key, named in FIRST_FOCUS.items():
            await back_to_the_answers(pilot)
            await pilot.pause()
            focused.clear()
            await pilot.press(key)
            await until(pilot, lambda: app.screen is not app.screen_stack[0])
            await pilot.pause()
            await pilot.pause()
            if focused != [app.screen.query_one(named)]:
                wrong[key] = focused[:]
    assert wrong == {}
