"""Snapshots of every screen and every response tab at 160x48, and of the main screen, the table, the lab
and help at 80x24 and 120x30, with the theme pinned.

The app runs against the real servers in masked mode: ports, times, PIDs and dates are replaced by
placeholders, so the pictures depend only on what the frameworks answer. Review new pictures in
snapshot_report.html (the 80x24 and 120x30 ones are in tests/__snapshots__), then accept them with
``pytest --snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from pytest_textual_snapshot import SVGImageExtension
from syrupy.assertion import SnapshotAssertion
from textual.pilot import Pilot
from textual.widgets import DataTable, RichLog, Switch, TabbedContent

from explorer.runtime.http.request import RequestSpec
from explorer.tui.app import ExplorerApp
from tests.apptools import send_and_wait, until, without_servers
from tests.apptools import servers_ready as _servers_ready

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


def app_for(line: str = "GET /items/abc") -> ExplorerApp:
    method, path = line.split(" ", 1)
    return ExplorerApp(initial=RequestSpec(method, path), mask=True)


def after_send(
    *keys: str, wait_log: bool = False, ready: Callable[[ExplorerApp], bool] | None = None
) -> Callable[[Pilot], Awaitable[None]]:
    """Send, then press ``keys`` from the answers; the picture is taken once ``ready(app)`` holds."""

    async def run(pilot: Pilot) -> None:
        await servers_ready(pilot)
        await send_and_wait(pilot)
        app = pilot.app
        assert isinstance(app, ExplorerApp)
        if wait_log:  # the dev server logs each request just after answering it
            flask_log = app.session.server("flask").log
            await until(pilot, lambda: any("/items/abc" in line for line in flask_log.lines()))
        await pilot.press("escape", *keys)  # from the list (where letters filter) to the answers
        if ready is not None:
            await until(pilot, lambda: ready(app))
        if wait_log:  # the tab draws at most ten times a second, once shown: wait for the line on screen too
            view = app.query_one("#logview-flask", RichLog)
            await until(pilot, lambda: any("/items/abc" in strip.text for strip in view.lines))

    return run


@pytest.mark.parametrize(
    ("tab", "key"), [("body", "1"), ("headers", "2"), ("validation", "3"), ("code", "4"), ("log", "5")]
)
def test_response_tab(snap_compare: SnapCompare, tab: str, key: str) -> None:
    def shown(app: ExplorerApp) -> bool:
        return all(app.query_one(f"#tabs-{fw}", TabbedContent).active == f"{tab}-{fw}" for fw in ("flask", "fastapi"))

    assert snap_compare(app_for(), terminal_size=SIZE, run_before=after_send(key, wait_log=tab == "log", ready=shown))


async def screenshot(pilot: Pilot) -> str:
    """The screen as an SVG, taken the way pytest-textual-snapshot takes it."""
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()
    return pilot.app.export_screenshot(simplify=True)


@pytest.mark.parametrize("size", [(80, 24), (120, 30)], ids=["80x24", "120x30"])
def test_screens_at_smaller_sizes(snapshot: SnapshotAssertion, size: tuple[int, int]) -> None:
    """The main screen after a send, the table, the lab and help, in one run of the app per size."""
    shots: dict[str, str] = {}

    async def run(pilot: Pilot) -> None:
        app = pilot.app
        await servers_ready(pilot)
        await send_and_wait(pilot)
        shots["main"] = await screenshot(pilot)
        for keys, name in ((("escape", "t"), "table"), (("escape", "p"), "lab"), (("escape", "f1"), "help")):
            await pilot.press(*keys)
            await until(pilot, lambda: app.screen is not app.screen_stack[0])
            shots[name] = await screenshot(pilot)
        app.exit()

    app_for().run(headless=True, size=size, auto_pilot=run)
    snapshot = snapshot.use_extension(SVGImageExtension)
    assert {name: snapshot(name=name) == svg for name, svg in shots.items()} == dict.fromkeys(
        ("main", "table", "lab", "help"), True
    )


def test_single_framework_view(snap_compare: SnapCompare) -> None:
    async def run(pilot: Pilot) -> None:
        await servers_ready(pilot)
        await pilot.press("escape", "f", "f")
        await until(pilot, lambda: pilot.app.view == "fastapi")  # the send goes to what is in view
        await send_and_wait(pilot)

    assert snap_compare(app_for("POST /items"), terminal_size=SIZE, run_before=run)


def test_table_screen(snap_compare: SnapCompare) -> None:
    def on_the_second_row(app: ExplorerApp) -> bool:
        return type(app.screen).__name__ == "TableController" and app.screen.query_one(DataTable).cursor_row == 1

    assert snap_compare(app_for(), terminal_size=SIZE, run_before=after_send("t", "down", ready=on_the_second_row))


def test_guide_screen(snap_compare: SnapCompare) -> None:
    def two_answered(app: ExplorerApp) -> bool:
        return (
            type(app.screen).__name__ == "GuideScreen" and [s.value for s in app.screen.query(Switch)][:2] == [True] * 2
        )

    assert snap_compare(
        app_for(), terminal_size=SIZE, run_before=after_send("g", "space", "tab", "space", ready=two_answered)
    )


def test_help_screen(snap_compare: SnapCompare) -> None:
    ready = after_send("f1", ready=lambda app: type(app.screen).__name__ == "HelpScreen")
    assert snap_compare(app_for(), terminal_size=SIZE, run_before=ready)


def test_docs_screen(snap_compare: SnapCompare) -> None:
    async def run(pilot: Pilot) -> None:
        await servers_ready(pilot)
        await pilot.press("escape", "d")
        await until(pilot, lambda: type(pilot.app.screen).__name__ == "DocsScreen")
        await pilot.pause()

    assert snap_compare(app_for(), terminal_size=SIZE, run_before=run)


def test_lab_screen(snap_compare: SnapCompare, monkeypatch: pytest.MonkeyPatch) -> None:
    without_servers(monkeypatch)  # the lab's plan, drawn before any run: nothing on it comes from a server

    async def run(pilot: Pilot) -> None:
        await pilot.press("escape", "p")
        await until(pilot, lambda: type(pilot.app.screen).__name__ == "LabController")

    assert snap_compare(app_for(), terminal_size=SIZE, run_before=run)


def test_user_apps_and_parity_screen(snap_compare: SnapCompare, monkeypatch) -> None:
    from pathlib import Path

    from explorer.apps.targets import specs_from_options
    from panels.routes import RouteBrowser

    shop = Path(__file__).resolve().parent.parent / "examples" / "shop"
    specs = specs_from_options(flask="shop_flask:app", fastapi="shop_fastapi:app", app_dir=shop)
    monkeypatch.chdir(shop.parent.parent)

    async def run(pilot: Pilot) -> None:
        app = pilot.app
        await servers_ready(pilot)
        await until(pilot, lambda: len(app.query_one(RouteBrowser).rows) >= 5)
        await pilot.press("escape", "c")
        await until(pilot, lambda: type(app.screen).__name__ == "ParityController")
        app.screen.query_one("#parity-path").value = "examples/shop/requests.yaml"  # the same wherever the checkout is
        await pilot.press("enter")
        await until(pilot, lambda: len(getattr(app.screen, "results", [])) == 15)
        await until(pilot, lambda: app.focused is app.screen.query_one("#parity-table"))  # the report is in
        await pilot.press("down")
        await until(pilot, lambda: app.screen.query_one(DataTable).cursor_row == 1)

    assert snap_compare(ExplorerApp(specs=specs, mask=True), terminal_size=SIZE, run_before=run)


def test_route_picker(snap_compare: SnapCompare) -> None:
    from pathlib import Path

    from explorer.apps.targets import specs_from_options
    from panels.routes import RouteBrowser

    shop = Path(__file__).resolve().parent.parent / "examples" / "shop"
    specs = specs_from_options(flask="shop_flask:app", fastapi="shop_fastapi:app", app_dir=shop)

    async def run(pilot: Pilot) -> None:
        await servers_ready(pilot)
        await until(pilot, lambda: len(pilot.app.query_one(RouteBrowser).rows) >= 5)
        await pilot.press("down", "down")
        await send_and_wait(pilot, "enter")

    assert snap_compare(ExplorerApp(specs=specs, mask=True), terminal_size=SIZE, run_before=run)


def test_mirror_screen_80x24(snap_compare) -> None:  # type: ignore[no-untyped-def]
    """The Mirror screen after four requests through it: the port masked, the counts and the latest difference."""
    import httpx

    from explorer.tui.screens.mirror import MirrorController

    async def run(pilot: Pilot) -> None:
        app = pilot.app
        await servers_ready(pilot)
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
        await pilot.pause()

    assert snap_compare(app_for(), terminal_size=(80, 24), run_before=run)
