"""Snapshots of every screen and every response tab at 160x48, and of the main screen, the table, the lab
and help at 80x24 and 120x30, with the theme pinned.

The app runs against the real servers in masked mode: ports, times, PIDs and dates are replaced by
placeholders, so the pictures depend only on what the frameworks answer. Review new pictures in
snapshot_report.html (the 80x24 and 120x30 ones are in tests/__snapshots__), then accept them with
``pytest --snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pytest_textual_snapshot import SVGImageExtension
from syrupy.assertion import SnapshotAssertion
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, RichLog, Static, Switch, TabbedContent

from explorer.runtime.http.request import RequestSpec
from explorer.tui.app import ExplorerApp
from tests.apptools import send_and_wait, until
from tests.apptools import servers_ready as _servers_ready
from tests.conftest import LiveServers
from tests.shared import shared_session

SIZE = (160, 48)
SnapCompare = Callable[..., bool]  # pytest-textual-snapshot's fixture: an app (or a path) and options, compared


async def servers_ready(pilot: Pilot) -> None:
    """Both servers ready, and their health probe off: on a loaded machine a probe can miss its second
    and write "did not answer 2 probes in a row" into the Log tab (and "not answering" into the strip), which is
    the machine's state, not the app's picture."""
    await _servers_ready(pilot)
    app = pilot.app
    assert isinstance(app, ExplorerApp)
    for server in app.session.supervisor:
        server.monitoring = False


def app_for(live: LiveServers, line: str = "GET /items/abc") -> ExplorerApp:
    """The app on the worker's shared demo servers (``tests/shared.py``): the pictures are of what they answer."""
    method, path = line.split(" ", 1)
    return ExplorerApp(session=shared_session(live), initial=RequestSpec(method, path), mask=True)


async def screenshot(pilot: Pilot) -> str:
    """The screen as an SVG, taken the way pytest-textual-snapshot takes it."""
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()
    return pilot.app.export_screenshot(simplify=True)


@pytest.mark.parametrize("size", [(80, 24), (120, 30)], ids=["80x24", "120x30"])
def test_screens_at_smaller_sizes(snapshot: SnapshotAssertion, size: tuple[int, int], live: LiveServers) -> None:
    """The main screen after a send, the table, the lab and help, in one run of the app per size; at 80x24 then
    the Mirror screen after four requests through it: the port masked, the counts and the latest difference."""
    import httpx

    from explorer.tui.screens.mirror import MirrorController

    shots: dict[str, str] = {}

    async def run(pilot: Pilot) -> None:
        app = pilot.app
        await servers_ready(pilot)
        await send_and_wait(pilot)  # ctrl+r on the list: the keyboard goes to the answers
        await pilot.press("escape")  # and back to the list, as the picture has it
        await until(pilot, lambda: app.focused is app.query_one("#sample-tree"))
        shots["main"] = await screenshot(pilot)
        for keys, name in ((("escape", "t"), "table"), (("escape", "p"), "lab"), (("escape", "f1"), "help")):
            await pilot.press(*keys)
            await until(pilot, lambda: app.screen is not app.screen_stack[0])
            shots[name] = await screenshot(pilot)
        if size == (80, 24):
            await pilot.press("escape", "m")
            await until(pilot, lambda: isinstance(app.screen, MirrorController))
            screen = app.screen
            assert isinstance(screen, MirrorController)
            await pilot.press("s")
            await until(pilot, lambda: screen.mirror is not None, timeout=30)
            assert screen.mirror is not None
            async with httpx.AsyncClient(base_url=screen.mirror.url, timeout=10) as client:
                for path in ("/items/1", "/nowhere", "/items/1?q=gadget"):
                    await client.get(path)
                await client.post("/items", json={"name": "pen", "price": 3.5})
            await until(pilot, lambda: screen.summary.get("totals", {}).get("requests") == 4)
            shots["mirror"] = await screenshot(pilot)
        app.exit()

    app_for(live).run(headless=True, size=size, auto_pilot=run)
    snapshot = snapshot.use_extension(SVGImageExtension)
    names = ("main", "table", "lab", "help", *(("mirror",) if size == (80, 24) else ()))
    assert {name: snapshot(name=name) == svg for name, svg in shots.items()} == dict.fromkeys(names, True)


def test_screens_after_one_send(snapshot: SnapshotAssertion, live: LiveServers) -> None:
    """After one send at 160x48: the five response tabs, the table on its second row, the guide with two answers,
    help, the docs and the lab's plan (before any run), in one run of the app (each picture is the screen a fresh
    app shows after the same keys)."""
    shots: dict[str, str] = {}

    async def run(pilot: Pilot) -> None:
        app = pilot.app
        assert isinstance(app, ExplorerApp)
        await servers_ready(pilot)
        await send_and_wait(pilot)
        flask_log = app.session.server("flask").log
        await until(pilot, lambda: any("/items/abc" in line for line in flask_log.lines()))  # logged just after
        log_view = app.query_one("#logview-flask", RichLog)
        for tab, key in (("body", "1"), ("headers", "2"), ("validation", "3"), ("code", "4"), ("log", "5")):
            await pilot.press(key)

            def shown(tab: str = tab) -> bool:
                return all(
                    app.query_one(f"#tabs-{fw}", TabbedContent).active == f"{tab}-{fw}" for fw in ("flask", "fastapi")
                )

            await until(pilot, shown)
            if tab == "log":  # the tab draws at most ten times a second, once shown: wait for the line on screen
                await until(pilot, lambda: any("/items/abc" in strip.text for strip in log_view.lines))
            shots[f"{tab}-{key}"] = await screenshot(pilot)

        def table_on_the_second_row() -> bool:
            return type(app.screen).__name__ == "TableController" and app.screen.query_one(DataTable).cursor_row == 1

        def guide_with_two_answers() -> bool:
            return (
                type(app.screen).__name__ == "GuideScreen"
                and [s.value for s in app.screen.query(Switch)][:2] == [True] * 2
            )

        for keys, name, ready in (
            (("1", "t", "down"), "table", table_on_the_second_row),
            (("escape", "g", "space", "tab", "space"), "guide", guide_with_two_answers),
            (("escape", "f1"), "help", lambda: type(app.screen).__name__ == "HelpScreen"),
            (("escape", "d"), "docs", lambda: type(app.screen).__name__ == "DocsScreen"),
            (("escape", "p"), "lab", lambda: type(app.screen).__name__ == "LabController"),
        ):
            await pilot.press(*keys)
            await until(pilot, ready)
            shots[name] = await screenshot(pilot)
        app.exit()

    app_for(live).run(headless=True, size=SIZE, auto_pilot=run)
    snapshot = snapshot.use_extension(SVGImageExtension)
    names = ("body-1", "headers-2", "validation-3", "code-4", "log-5", "table", "guide", "help", "docs", "lab")

    assert {name: snapshot(name=name) == svg for name, svg in shots.items()} == dict.fromkeys(names, True)


def test_single_framework_view(snap_compare: SnapCompare, live: LiveServers) -> None:
    async def run(pilot: Pilot) -> None:
        await servers_ready(pilot)
        await pilot.press("escape", "f", "f")
        app = pilot.app
        assert isinstance(app, ExplorerApp)
        await until(pilot, lambda: app.view == "fastapi")  # the send goes to what is in view
        await send_and_wait(pilot)

    assert snap_compare(app_for(live, "POST /items"), terminal_size=SIZE, run_before=run)


def test_user_apps_route_picker_and_parity_screen(snapshot: SnapshotAssertion, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shop's two apps in one run: the route picker after a send from it, then the parity screen on its file.
    The same run then checks that parity run (tokens captured and hidden, a row resent) and that the keys of this
    mode leave the demo catalog alone (``tests/test_app.py``'s, whose own start of the shop's pair it saves)."""
    from pathlib import Path

    from explorer.apps.targets import specs_from_options
    from panels.routes import RouteBrowser

    shop = Path(__file__).resolve().parent.parent / "examples" / "shop"
    specs = specs_from_options(flask="shop_flask:app", fastapi="shop_fastapi:app", app_dir=shop)
    monkeypatch.chdir(shop.parent.parent)
    shots: dict[str, str] = {}

    async def run(pilot: Pilot) -> None:
        app = pilot.app
        assert isinstance(app, ExplorerApp)
        await servers_ready(pilot)
        browser = app.query_one(RouteBrowser)
        await until(pilot, lambda: len(browser.rows) >= 5)
        assert {row.pattern for row in browser.rows} >= {"/products", "/orders"}
        await pilot.press("down", "down")
        await send_and_wait(pilot, "enter")
        assert app.last["flask"].status == app.last["fastapi"].status == 200
        shots["route-picker"] = await screenshot(pilot)
        await pilot.press("c")  # Enter moved the keyboard to the answers
        await until(pilot, lambda: type(app.screen).__name__ == "ParityController")
        path = app.screen.query_one("#parity-path", Input)
        assert path.value.endswith("requests.yaml")  # the file next to the pair, offered
        path.value = "examples/shop/requests.yaml"  # as the picture has it, wherever the checkout is
        await pilot.press("enter")
        await until(pilot, lambda: len(getattr(app.screen, "results", [])) == 15)
        await until(pilot, lambda: app.focused is app.screen.query_one("#parity-table"))  # the report is in
        await pilot.press("down")
        await until(pilot, lambda: app.screen.query_one(DataTable).cursor_row == 1)
        shots["parity"] = await screenshot(pilot)
        await _parity_of_the_shop_then_the_keys_of_user_apps(pilot)
        app.exit()

    ExplorerApp(specs=specs, mask=True).run(headless=True, size=SIZE, auto_pilot=run)
    snapshot = snapshot.use_extension(SVGImageExtension)
    assert {name: snapshot(name=name) == svg for name, svg in shots.items()} == dict.fromkeys(
        ("route-picker", "parity"), True
    )


async def _parity_of_the_shop_then_the_keys_of_user_apps(pilot: Pilot) -> None:
    """On the parity screen's run of the shop's file: its outcomes, a token captured and hidden, a row resent with new
    tokens; then, back on the main view, the keys of the user-app mode do not touch the demo catalog."""
    from explorer.tui.screens.help import HelpScreen
    from explorer.tui.screens.parity import ParityController
    from explorer.tui.screens.table import TableScreen
    from tests.test_app import plain

    app = pilot.app
    assert isinstance(app, ExplorerApp)
    screen = app.screen
    assert isinstance(screen, ParityController)
    await until(pilot, lambda: "requests:" in plain(screen.query_one("#parity-summary", Static)))
    assert [(r.case.name, r.outcome) for r in screen.results if r.outcome != "match"] == [
        ("login, wrong password", "declared")
    ]
    assert "all match (1 as declared)" in plain(screen.query_one("#parity-summary", Static))
    detail = screen.query_one("#parity-detail", Static)
    table = screen.query_one("#parity-table", DataTable)
    table.move_cursor(row=13)  # "who am I": sent with each app's captured token, hidden on screen
    await until(pilot, lambda: "Authorization: Token ‹redacted›" in plain(detail))
    authorization = screen.results[13].exchanges["flask"].spec.header("authorization")
    assert authorization is not None
    token = authorization[6:]
    assert token not in plain(detail)
    table.move_cursor(row=14)
    await until(pilot, lambda: "declared: body error: only in Flask" in plain(detail))
    first = screen.results[12].exchanges["flask"].timings
    table.move_cursor(row=12)
    await pilot.press("ctrl+r")  # "login" again: new tokens are captured, its row redrawn
    await until(pilot, lambda: screen.results[12].exchanges["flask"].timings is not first)
    assert screen.results[12].outcome == "match" and screen.report.state.values["flask"]["token"] != token
    await pilot.press("escape")
    await until(pilot, lambda: app.screen is app.screen_stack[0])
    app.query_one("#route-tree").focus()  # where the app starts the keyboard
    await pilot.press("escape", "slash")  # from the answers, / jumps to the filter
    await until(pilot, lambda: app.focused is app.query_one("#route-filter"))
    await pilot.press("escape", "escape", "t")  # the filter back to the list, the list to the answers
    await until(pilot, lambda: isinstance(app.screen, TableScreen) and [r.key for r in app.screen.rows][-1] == "spawn")
    await pilot.press("enter")
    await until(pilot, lambda: not isinstance(app.screen, TableScreen) and app.sample is None and app.is_running)
    assert not any(c.title.startswith("Sample:") for c in app.get_system_commands(app.screen))
    app.query_one("#route-tree").focus()
    await pilot.press("f1")  # the help speaks of routes here: there is no sample to pick
    await until(pilot, lambda: isinstance(app.screen, HelpScreen))
    assert isinstance(app.screen, HelpScreen)
    shown = " ".join([*app.screen.paragraphs, *(text for _, text in app.screen.keys)]).lower()
    assert "route" in shown and "sample" not in shown
