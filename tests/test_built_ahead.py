"""The kept screens built ahead, hidden, once the servers are up (issue 24: a screen's first opening instant;
``explorer/tui/ahead.py``): the first opening shows the screen built ahead, drawn as one built on first use; keys
typed while they are built act at once; a hidden screen does nothing a shown one does (no socket, no measuring)."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TabbedContent

import explorer.tui.ahead
import explorer.tui.screens.docs
import panels.later
from explorer.apps.openapi import OperationOutline
from explorer.runtime.session import Session
from explorer.tui.ahead import AHEAD, build_ahead
from explorer.tui.app import ExplorerApp
from explorer.tui.screens.help import HelpScreen
from explorer.tui.screens.mirror import MirrorController
from explorer.tui.screens.parity import ParityController
from explorer.tui.screens.sockets import SocketsController
from explorer.tui.screens.table import TableController
from panels.later import PAUSE, settled
from tests.apptools import back_to_the_answers, leave_the_list, until, without_servers
from tests.test_stand_ins import Cell, cells

pytestmark = pytest.mark.serverless
KEYS = {"table": "t", "guide": "g", "lab": "p", "parity": "c", "sockets": "w", "mirror": "m", "docs": "d", "help": "f1"}
BUILT = (*AHEAD, "help")  # the help last, for what has the keyboard as its step runs (here: the answers)
# the docs' outline, as if FastAPI had answered (no servers here): a tree filled, not only its notes
OUTLINE: tuple[list[OperationOutline], tuple[str, ...]] = (
    [OperationOutline("GET", "/items/{item_id}", "Read Item", ["item_id (path, integer, required)"], [], ["200"])],
    (),
)
SIZE = (80, 24)


async def _open(pilot: Pilot[int], name: str) -> list[list[Cell]]:
    """Press ``name``'s key in the answers; the screen as drawn once it has settled; then back to the answers."""
    app = pilot.app
    await pilot.press(KEYS[name])
    await until(pilot, lambda: app.is_screen_installed(name) and app.screen is app.get_screen(name))
    screen = app.screen
    if isinstance(screen, SocketsController):  # its first frame waits for both openings (none here: no servers)
        await until(pilot, lambda: screen._frames_held is None)
    focused = app.focused
    if isinstance(focused, Input):  # its cursor shown, not blinking: a picture of the screen, not of a blink's phase
        focused.cursor_blink = False
    for _ in range(3):
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
    picture = cells(app)
    await back_to_the_answers(pilot)
    return picture


async def _built_ahead(pilot: Pilot[int]) -> None:
    """Every kept screen built ahead, as after the servers are up (here with none: each test sends nothing)."""
    app = pilot.app
    build_ahead(app)
    await until(pilot, lambda: settled(app) and all(app.is_screen_installed(name) for name in BUILT))


@pytest.mark.parametrize(
    ("theme", "names"),
    # the restyle a theme change brings is the same for every screen: the lab (the most widgets) and the docs (filled)
    [(None, tuple(KEYS)), ("textual-light", ("lab", "docs"))],
    ids=["same-theme", "theme-changed-meanwhile"],
)
async def test_each_first_opening_shows_the_screen_built_ahead_drawn_as_one_built_then(
    monkeypatch: pytest.MonkeyPatch, theme: str | None, names: tuple[str, ...]
) -> None:
    """Every kept screen is built before its key is pressed, and its first opening shows that screen, cell for cell
    as the screen its key builds without it; so too when the theme changed after it was built (restyled then). The
    docs, built empty, are filled as they first open: drawn as docs built with what the servers answered.

    Built ahead, a screen does nothing a shown one does until it is first shown, where it does it as a screen its key
    builds: WebSockets opens no socket, the table measures nothing, the docs fetch nothing (requests that would share
    the servers with the user's), the mirror neither polls nor lists the routes (a route lister is a process);
    parity offers the requests file found as it is first shown, not as it was built."""
    without_servers(monkeypatch)
    monkeypatch.setattr(explorer.tui.screens.docs, "outline_skipped", lambda schema: OUTLINE)
    acts = _acts(monkeypatch)
    pictures: dict[bool, dict[str, list[list[Cell]]]] = {}
    found = ParityController._found
    for ahead in (False, True):
        monkeypatch.setattr(ParityController, "_found", found)
        app = ExplorerApp(mask=True)
        async with app.run_test(size=SIZE) as pilot:
            await leave_the_list(pilot)
            built: dict[str, Any] = {}
            if ahead:
                await _built_ahead(pilot)
                built = {name: app.get_screen(name) for name in BUILT}
                assert all(screen.is_running and screen not in app.screen_stack for screen in built.values())
                assert not acts, acts
            monkeypatch.setattr(ParityController, "_found", lambda self: "found-since.yaml")  # made after the build
            if theme:
                app.theme = theme
                await pilot.pause()
            pictures[ahead] = {}
            for name in names:
                pictures[ahead][name] = await _open(pilot, name)
                if ahead:
                    assert app.get_screen(name) is built[name], f"{name}: built again as it was first opened"
                assert acts == ACTS.get(name, []), f"{name}: {acts}"
                acts.clear()
                if name == "parity":
                    assert app.get_screen(name).query_one("#parity-path", Input).value == "found-since.yaml"
    for name in names:
        assert pictures[True][name] == pictures[False][name], _difference(
            name, pictures[False][name], pictures[True][name]
        )


ACTS = {  # what each screen does as it is first shown, in the order done
    "table": ["measure"],
    "sockets": ["open /ws/echo"],
    "mirror": ["poll", "list routes"],
    "docs": ["send /openapi.json", "send /docs"],
}


def _acts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the screens do that a hidden one must not, logged (the sockets opened, the measuring, the routes listed
    and the polling set up only in the log: no servers here), the docs' requests logged and sent."""
    acts: list[str] = []
    monkeypatch.setattr(TableController, "measure_latency", lambda self: acts.append("measure"))
    monkeypatch.setattr(SocketsController, "open_sockets", lambda self, path: acts.append(f"open {path}"))
    monkeypatch.setattr(MirrorController, "read_file_and_routes", lambda self: acts.append("list routes"))
    interval, send_one = MirrorController.set_interval, Session.send_one

    def polling(self: MirrorController, seconds: float, callback: Any, **kwargs: Any) -> Any:
        acts.extend(["poll"] if callback == self.poll else [])
        return interval(self, seconds, callback, **kwargs)

    def sending(self: Session, framework: str, spec: Any, *args: Any, **kwargs: Any) -> Any:
        acts.append(f"send {spec.path}")
        return send_one(self, framework, spec, *args, **kwargs)

    monkeypatch.setattr(MirrorController, "set_interval", polling)
    monkeypatch.setattr(Session, "send_one", sending)
    return acts


async def test_keys_typed_while_the_screens_are_built_ahead_act_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A key typed as the screens start to be built acts before they are all built (one step at a time, the loop
    answering keys between); a screen opened meanwhile is built then, once, and shown; the steps left wait while it
    covers the main view, and build the rest after it closes."""
    without_servers(monkeypatch)
    order: list[str] = []
    build = explorer.tui.ahead._build

    def logged(app: ExplorerApp, name: str) -> None:
        if not app.is_screen_installed(name):
            order.append(f"step {name}")
        build(app, name)

    monkeypatch.setattr(explorer.tui.ahead, "_build", logged)
    monkeypatch.setattr(panels.later, "PAUSE", 0.5)  # steps far apart: a key waits for one at most, however loaded
    for action in ("action_tab", "action_guide"):  # each key's action, logged as it runs
        acted = getattr(ExplorerApp, action)
        monkeypatch.setattr(
            ExplorerApp, action, lambda self, *a, _acted=acted, _name=action: _log(order, _name, _acted, self, *a)
        )
    app = ExplorerApp(mask=True)
    async with app.run_test(size=SIZE) as pilot:
        await leave_the_list(pilot)
        tabs = app.query_one("#tabs-flask", TabbedContent)
        build_ahead(app)
        await pilot.press("2")  # the Headers tab, in both answers
        await until(pilot, lambda: tabs.active == "headers-flask", why=lambda: tabs.active)
        await pilot.press("g")
        await until(pilot, lambda: type(app.screen).__name__ == "GuideScreen")
        guide = app.screen
        steps_then = len(order)
        await pilot.pause(1.2)  # two pauses of panels.later: no step runs while the guide covers the main view
        assert len(order) == steps_then, order
        monkeypatch.setattr(panels.later, "PAUSE", PAUSE)  # the steps left as near as they are in use: quicker
        await pilot.press("escape")
        await until(pilot, lambda: settled(app) and all(app.is_screen_installed(name) for name in AHEAD))
        assert app.get_screen("guide") is guide
    assert order.index("action_tab") <= 1, order  # after the first step at the most, not after every build
    assert order.count("step guide") <= 1 and "step guide" not in order[order.index("action_guide") :], order


def _log(order: list[str], name: str, action: Any, app: ExplorerApp, *args: object) -> object:
    order.append(name)
    return action(app, *args)


async def test_a_screen_built_ahead_for_another_size_is_built_anew(monkeypatch: pytest.MonkeyPatch) -> None:
    """The terminal resized after a screen was built ahead: its first opening builds it for the size it shows at, as
    a key built it without (its size classes and widths were the old size's); drawn as a screen built then."""
    without_servers(monkeypatch)
    pictures = []
    for ahead in (False, True):
        app = ExplorerApp(mask=True)
        async with app.run_test(size=SIZE) as pilot:
            await leave_the_list(pilot)
            if ahead:
                await _built_ahead(pilot)
            old = app.get_screen("lab") if ahead else None
            await pilot.resize_terminal(120, 30)
            await until(pilot, partial(lambda app: app.size == (120, 30), app))
            await pilot.pause()
            pictures.append(await _open(pilot, "lab"))
            assert app.get_screen("lab") is not old
            assert not app.get_screen("lab").has_class("-narrow")
    assert pictures[0] == pictures[1]


def _difference(name: str, expected: list[list[Cell]], drawn: list[list[Cell]]) -> str:
    """Where two pictures first differ: the row and column, both rows' text and both cells."""
    for row, (want, got) in enumerate(zip(expected, drawn, strict=True)):
        for column, (a, b) in enumerate(zip(want, got, strict=True)):
            if a != b:
                text = ("".join(ch for ch, _ in line) for line in (want, got))
                return f"{name}: row {row} column {column}: {' | '.join(text)}: {a} != {b}"
    return name


async def test_the_help_for_where_the_keyboard_moved_is_built_ahead_and_the_one_before_set_aside(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``f1`` after the keyboard moved to the answers (a send moves it there) built a help as it opened: the one
    built ahead was the list's (110-135 ms at 80x24, its two tables measured at two widths as its scroll bar came).
    Now the help for the answers is built ahead once the keyboard stays there, and ``f1`` only shows it; back on the
    list, the list's help, set aside, is shown again, not built; each says where the keyboard is. So too for the keys
    a zoom changes (Escape restores it there), the keyboard staying where it was."""
    without_servers(monkeypatch)
    composed: list[str] = []
    compose = HelpScreen.compose

    def counting(self: HelpScreen) -> Any:
        composed.append(self.title_text)
        return compose(self)

    monkeypatch.setattr(HelpScreen, "compose", counting)
    app = ExplorerApp(mask=True)
    async with app.run_test(size=SIZE) as pilot:
        tree = app.query_one("#sample-tree")
        await until(pilot, lambda: app.focused is tree and settled(app))
        await _built_ahead(pilot)
        on_the_list = app.get_screen("help")
        await leave_the_list(pilot)
        await until(pilot, lambda: app.get_screen("help") is not on_the_list and settled(app), timeout=5)
        in_the_answers = app.get_screen("help")
        assert isinstance(in_the_answers, HelpScreen) and isinstance(on_the_list, HelpScreen)
        assert in_the_answers.content[1:3] != on_the_list.content[1:3]  # what the keyboard is on, the keys there
        for place, kept in ((in_the_answers, "answers"), (on_the_list, "list")):
            composed.clear()
            await pilot.press("f1")
            await until(pilot, lambda: isinstance(app.screen, HelpScreen))
            assert app.screen is place, kept
            assert composed == [], kept
            await pilot.press("escape")
            await until(pilot, lambda: not isinstance(app.screen, HelpScreen))
            if kept == "answers":
                await pilot.press("z")  # the keyboard stays, its keys change (Escape restores): their help built
                await until(pilot, lambda: app.get_screen("help") is not in_the_answers and settled(app), timeout=5)
                composed.clear()
                await pilot.press("f1")
                await until(pilot, lambda: isinstance(app.screen, HelpScreen))
                assert composed == [] and app.screen.content[2] != in_the_answers.content[2]
                await pilot.press("escape", "z")
                await until(pilot, lambda: app.screen.maximized is None)
                await pilot.press("escape")  # from the answers to the list
                await until(pilot, lambda: app.focused is tree)
