"""What an 80-column terminal shows: the CLI's answers and parity differences fit or wrap, never lose their point."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console
from textual.app import App

from explorer.cli.render import exchange_panel, results_view
from explorer.cli.render_parity import differences_view
from explorer.parity.check import compare
from explorer.parity.results import ParityReport, ParityResult
from explorer.parity.suite import ParityOptions, parse_suite
from explorer.runtime.http.client import Exchange, SentRequest
from explorer.runtime.http.request import RequestSpec
from tests.apptools import until
from tests.conftest import LiveServers


def shown(renderable: object, width: int = 80) -> str:
    """What Rich prints for ``renderable`` (a Rich renderable, or a widget's content) at ``width`` columns."""
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def test_send_at_80_columns_keeps_each_validation_location_whole(live: LiveServers) -> None:
    """Two panels side by side in 80 columns: ``path.item_id`` must not become ``path.item_…``."""
    results = live.send(RequestSpec("GET", "/items/abc"))
    text = shown(results_view([exchange_panel(e) for e in results.values()]))
    assert "path.item_id" in text and "item_…" not in text
    assert "int_parsing" in text  # the type, under its location
    assert "integer" in text  # the message, wrapped beside it


def body(framework: str, text: str) -> Exchange:
    port = 1111 if framework == "flask" else 2222
    return Exchange(
        framework,
        RequestSpec("GET", "/x"),
        SentRequest("GET", f"http://127.0.0.1:{port}/x", (), b""),
        status=404 if framework == "flask" else 422,
        headers=(("content-type", "text/plain"),),
        body=text.encode(),
    )


def test_parity_differences_at_80_columns_fold_rather_than_cut() -> None:
    """A body excerpt wider than half the terminal folds onto the next line; a long line keeps its indent."""
    fastapi = '{"detail":[{"type":"int_parsing","loc":["path","item_id"]}]}'
    case = parse_suite([{"name": "a word where a number belongs", "method": "GET", "path": "/items/abc"}]).cases[0]
    flask, fastapi_answer = body("flask", "<p>Not Found</p>\n" * 3), body("fastapi", fastapi)
    found = compare(case, flask, fastapi_answer, ParityOptions())
    result = ParityResult(case, {"flask": flask, "fastapi": fastapi_answer}, found.differences)
    report = ParityReport("x", ParityOptions(), {}, [result])
    text = shown(differences_view(report, report.redactor()))
    assert max(len(line.rstrip()) for line in text.splitlines()) <= 80
    joined = re.sub(r"\s+", "", text)
    assert '"loc":["path","item_id"]' in joined  # the excerpt, folded but whole
    body_lines = [line for line in text.splitlines() if line.strip() and not line.startswith(("1.", "      "))]
    assert all(line.startswith("   ") for line in body_lines), body_lines  # wrapped lines stay under their request


async def test_the_parity_screen_fits_its_first_difference_in_80_columns() -> None:
    """Every column shows at 80x24 (no sideways scroll), long cells end in "…", and a resize refits them."""
    from textual.app import App
    from textual.widgets import DataTable

    from explorer.tui.screens.parity import ParityScreen

    case = parse_suite([{"name": "a word where a number belongs, and more words", "path": "/items/abc"}]).cases[0]
    flask, fastapi = body("flask", "<p>Not Found</p>"), body("fastapi", '{"detail": "x"}')
    result = ParityResult(
        case, {"flask": flask, "fastapi": fastapi}, compare(case, flask, fastapi, ParityOptions()).differences
    )
    screen = ParityScreen("requests.yaml")
    async with App[None]().run_test(size=(80, 24)) as pilot:
        await pilot.app.push_screen(screen)
        screen.add_result(result)
        await pilot.pause()
        table = screen.query_one("#parity-table", DataTable)
        assert table.virtual_size.width <= table.scrollable_content_region.width
        row = table.render_line(1).text  # the header is line 0
        assert "status: Flask 404, FastAPI 422" in row and "a word where a number…" in row
        await pilot.resize_terminal(160, 48)
        await until(pilot, lambda: "a word where a number belongs, and more words" in table.render_line(1).text)


async def test_the_lab_results_fit_80_columns_with_every_figure() -> None:
    """Thirteen figures a row, two to a cell: no sideways scroll at 80x24, a long route ends in "…"."""
    from textual.app import App
    from textual.widgets import DataTable

    from explorer.tui.screens.lab import LabScreen
    from tests.test_bench_open import fake

    screen = LabScreen(["builtin"])
    async with App[None]().run_test(size=(80, 24)) as pilot:
        await pilot.app.push_screen(screen)
        screen.add_result(fake("fastapi", 1000, 987.0, p99=1234.5, repeat=1, client_bound=True, errors={"timeout": 3}))
        await pilot.pause()
        table = screen.query_one("#lab-results", DataTable)
        assert table.virtual_size.width <= table.scrollable_content_region.width
        top, bottom = table.render_line(2).text, table.render_line(3).text  # the header takes lines 0 and 1
        for figure in ("fastapi", "1,000/s #2", "987", "617.2", "1,234.5", "1,481.4", "bound"):
            assert figure in top, (figure, top)
        assert "3" in bottom and "1,111.0" in bottom and "…" in bottom  # errors, p90 and the route's handler, cut
        await pilot.resize_terminal(160, 48)
        await until(pilot, lambda: "uvicorn: async def, await asyncio.sleep" in table.render_line(3).text)


def styled_app() -> App[None]:
    """A bare app with the explorer's stylesheet and size classes: a screen drawn as in the app, no servers."""
    from pathlib import Path

    from explorer.tui.app import ExplorerApp

    class Styled(App[None]):
        CSS_PATH = Path(__file__).resolve().parent.parent / "explorer" / "tui" / "app.tcss"
        HORIZONTAL_BREAKPOINTS = ExplorerApp.HORIZONTAL_BREAKPOINTS
        VERTICAL_BREAKPOINTS = ExplorerApp.VERTICAL_BREAKPOINTS

    return Styled()


async def test_the_lab_at_80x24_labels_its_buttons_and_scrolls_to_its_verdict() -> None:
    """Escape from a field, then End: the verdict and the plots below the fold come on screen; Stop is whole."""
    from textual.widgets import Button, Static

    from explorer.tui.screens.lab import LabScreen
    from tests.test_bench_open import fake

    screen = LabScreen(["builtin"])
    async with styled_app().run_test(size=(80, 24)) as pilot:
        await pilot.app.push_screen(screen)
        await pilot.pause()
        for button in screen.query(Button):
            assert button.region.right <= 80 and button.region.width >= len(str(button.label)) + 2, button.id
        screen.add_result(fake("fastapi", 1000, 987.0, p99=1234.5, repeat=1, client_bound=True, errors={"timeout": 3}))
        screen.query_one("#lab-verdict", Static).update("The verdict, at the end of the lab.")
        verdict, scroll = screen.query_one("#lab-verdict"), screen.query_one("#lab-scroll")
        await pilot.press("pagedown", "end")  # from the scenario picker, where the lab opens
        await until(pilot, lambda: scroll.scroll_y == scroll.max_scroll_y > 0 and verdict.region.bottom <= 23)
        await pilot.press("home")
        screen.query_one("#lab-duration").focus()
        await pilot.press("escape", "end")
        await until(pilot, lambda: verdict.region.height > 0 and verdict.region.bottom <= 23)  # above the footer
        await pilot.press("home")
        await until(pilot, lambda: screen.query_one("#lab-scroll").scroll_y == 0)


@pytest.mark.parametrize("view", ["both", "fastapi"])
async def test_the_server_strip_keeps_each_servers_label_at_80_columns(view: str) -> None:
    """After ctrl+g Flask runs on gunicorn: the strip keeps ``(gunicorn)`` and ``(uvicorn)`` and shortens the rest."""
    from textual.app import App, ComposeResult

    from explorer.runtime.servers.specs import ServerState, ServerStatus
    from panels.server_strip import ServerStrip

    class Strip(App[None]):
        def compose(self) -> ComposeResult:
            yield ServerStrip()

    async with Strip().run_test(size=(80, 24)) as pilot:
        strip = pilot.app.query_one(ServerStrip)
        strip.set_server(ServerStatus("flask", ServerState.READY, port=34859), "gunicorn")
        strip.set_server(ServerStatus("fastapi", ServerState.READY, port=45049), "uvicorn")
        strip.set_view(view)
        await pilot.pause()
        text = shown(strip.content, 200).strip()
        assert "(gunicorn)" in text and "(uvicorn)" in text and "ready" in text, text
        assert text.endswith("Both" if view == "both" else "FastAPI only") and len(text) <= strip.content_region.width


async def test_the_comparison_table_fits_both_columns_and_shows_its_measured_rows() -> None:
    """120x30 and 160x48: the FastAPI column is whole and a line says how many rows, measured ones named, are below."""
    from textual.widgets import DataTable, Static

    from explorer.content.comparison import Measurements
    from explorer.tui.screens.table import TableScreen

    screen = TableScreen(Measurements(spawn_ms={"flask": 380.0, "fastapi": 929.0}))
    async with styled_app().run_test(size=(120, 30)) as pilot:
        await pilot.app.push_screen(screen)
        await pilot.pause()
        table = screen.query_one("#comparison", DataTable)
        assert table.virtual_size.width <= table.scrollable_content_region.width  # no column clipped at the edge
        hidden = screen.hidden_below()
        assert [row.key for row in hidden if row.measured] == ["spawn", "latency"]
        hint = str(screen.query_one("#table-more", Static).render())
        assert f"{len(hidden)} more rows below, 2 of them measured on this machine" in hint
        await pilot.resize_terminal(160, 48)
        await pilot.pause()
        await pilot.pause()
        hidden = screen.hidden_below()  # seventeen dimensions no longer all fit 48 lines: the hint says so
        hint = str(screen.query_one("#table-more", Static).render())
        measured = sum(row.measured for row in hidden)
        assert (hint == "") if not hidden else (f"{len(hidden)} more rows below" in hint and str(measured) in hint)


@pytest.mark.parametrize("size", [(80, 24), (120, 30), (160, 48)], ids=["80x24", "120x30", "160x48"])
async def test_catalog_titles_are_whole_or_end_in_an_ellipsis(size: tuple[int, int]) -> None:
    """Every line of the list is a whole title, or its start and "…" (the preview below shows it whole)."""
    from textual.app import ComposeResult
    from textual.containers import Horizontal
    from textual.screen import Screen
    from textual.widgets import Tree

    from explorer.content.catalog import SAMPLES, TOPICS
    from panels.samples import SampleBrowser

    class Catalog(Screen[None]):
        def compose(self) -> ComposeResult:
            with Horizontal():
                yield SampleBrowser(id="samples")

    titles = [s.title for s in SAMPLES] + list(TOPICS.values())
    async with styled_app().run_test(size=size) as pilot:
        await pilot.app.push_screen(Catalog())
        await pilot.pause()
        tree = pilot.app.screen.query_one("#sample-tree", Tree)
        cut = 0
        for y in range(tree.last_line + 1):
            tree.scroll_to(y=max(0, y - tree.size.height + 1), animate=False, immediate=True)
            line = tree.render_line(y - int(tree.scroll_y)).text.rstrip()
            label = line[2:]  # after the guide or the group's arrow
            if label.endswith("…"):
                cut += 1
                assert any(t.startswith(label[:-1]) and t != label[:-1] for t in titles), line
            else:
                assert label in titles, line
            assert len(line) <= tree.scrollable_content_region.width
        assert (cut > 0) is (size[0] < 150)  # narrower than its longest titles below 150 columns; at 160 all whole
