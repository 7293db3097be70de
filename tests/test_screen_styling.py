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


async def test_a_kept_screen_is_restyled_only_when_its_styles_went_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opening a screen for the first time adds its CSS and its widgets' to the stylesheet, rules scoped to types
    the guide has none of; the guide shown again after it was restyled whole all the same (the lab, ~30 ms: every
    kept screen's second showing in ``benchmarks/keys.py``). Then the guide (kept, as the table and the lab) shown
    again twice: it was restyled whole each time, though nothing it is styled from had changed; after a theme change
    meanwhile it still is (Textual restyles only what shows). One app; its styles are always those a full pass
    gives."""
    without_servers(monkeypatch)
    passes = _guide_restyles(monkeypatch)
    textual_update = _TEXTUAL_UPDATE
    app = ExplorerApp(mask=True)

    async def guide_shown(pilot: Any, restyled: int, why: str) -> None:
        passes.clear()
        await pilot.press("g")
        await until(pilot, lambda: type(app.screen).__name__ == "GuideScreen")
        await pilot.pause()
        assert len(passes) == restyled, (why, passes)
        before = _styles(app.screen)
        textual_update(app.stylesheet, list(app.screen.walk_children(with_self=True)), animate=False)
        assert [repr(node) for node in before if before[node] != _styles(app.screen)[node]] == [], why
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.screen_stack[0])

    async with app.run_test(size=(80, 24)) as pilot:
        await leave_the_list(pilot)  # and what the first frame put off is built (panels.later): none of it restyles
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
            await guide_shown(pilot, 0, key)
        for theme in (None, None, "textual-light"):
            await pilot.pause()
            if theme:
                app.theme = theme
                await pilot.pause()
            await guide_shown(pilot, 1 if theme else 0, theme or "shown again")


# A screen's key, and the widget its on_mount hands the keyboard to (the help names none).
FIRST_FOCUS = {"g": "Switch", "p": "#lab-scenario", "t": "#comparison", "c": "#parity-path", "w": "#ws-text", "f1": ""}


async def test_a_screen_opened_is_styled_as_it_mounts_and_gives_the_keyboard_once_to_the_widget_it_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each screen in turn, in one app (each opened for the first time there), from the answers: no pass over the
    whole screen as it opened, its styles those a full pass gives (``SCREENS``); and the keyboard handed once, to the
    widget it names. Textual focused a new screen's first focusable widget (the guide's and the lab's scroll) before
    its on_mount moved the keyboard on: the focus pseudo-classes restyled 30-55 nodes twice as the screen opened."""
    without_servers(monkeypatch)
    focused: list[Any] = []
    passes: list[int] = []
    textual_set_focus, textual_update = Screen.set_focus, Stylesheet.update_nodes

    def recording(self: Screen[Any], widget: Any, *args: Any, **kwargs: Any) -> Any:
        if self is not app.screen_stack[0] and widget is not None and widget not in focused:
            focused.append(widget)
        return textual_set_focus(self, widget, *args, **kwargs)

    def counting(self: Stylesheet, nodes: Any, animate: bool = False) -> None:
        nodes = list(nodes)
        passes.extend(len(nodes) for node in nodes[:1] if isinstance(node, Screen) and node is not app.screen_stack[0])
        textual_update(self, nodes, animate)

    app = ExplorerApp(mask=True)
    wrong: dict[str, list[Any]] = {}  # each key whose screen focused more (or other) than it names
    async with app.run_test(size=(80, 24)) as pilot:
        monkeypatch.setattr(Screen, "set_focus", recording)
        monkeypatch.setattr(Stylesheet, "update_nodes", counting)
        for key, named in FIRST_FOCUS.items():
            await back_to_the_answers(pilot)
            await pilot.pause()
            focused.clear()
            passes.clear()
            await pilot.press(key)
            await until(pilot, lambda: app.screen is not app.screen_stack[0])
            await pilot.pause()
            await pilot.pause()
            if named and focused != [app.screen.query_one(named)]:
                wrong[key] = focused[:]
            if key in SCREENS:
                assert type(app.screen).__name__ == SCREENS[key], key
                assert passes == [], key  # no pass over the whole screen as it opened
                before = _styles(app.screen)
                textual_update(app.stylesheet, list(app.screen.walk_children(with_self=True)), animate=False)
                after = _styles(app.screen)
                assert [repr(node) for node in before if before[node] != after[node]] == [], key
    assert wrong == {}
