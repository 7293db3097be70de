"""The CLI's tables at 60, 80 and 120 columns: nothing wider than the terminal, no figure or id cut.

Every figure is whole, or its column is left out and a note says so (``bench``); text that does not
fit folds onto the next line instead of ending in "…" (``samples``, ``routes``, ``parity``, ``table``).
Server-free: each table is drawn from figures made here; one piped command checks that COLUMNS holds.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from dataclasses import replace

import pytest
from rich.console import Console, RenderableType

from explorer.apps.routes import RouteRow
from explorer.apps.templates import RouteTemplate
from explorer.cli.render import samples_view, table_view
from explorer.cli.render_bench import _figures, fit_columns, report_view
from explorer.cli.render_parity import parity_table, routes_table
from explorer.content.catalog import SAMPLES
from explorer.parity.results import ParityReport, ParityResult
from explorer.parity.suite import ParityOptions, parse_suite
from tests.test_bench import repeated
from tests.test_narrow import body

WIDTHS = (60, 80, 120)


def shown(renderable: RenderableType, width: int) -> str:
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def fits(text: str, width: int) -> None:
    assert max(len(line.rstrip()) for line in text.splitlines()) <= width
    assert "…" not in text


@pytest.mark.parametrize("width", WIDTHS)
def test_bench_figures_are_whole_or_left_out_aloud(width: int) -> None:
    report = repeated("io", [1080.1, 140.2, 1759.8], [3935.2, 14240.5, 3442.5], 0.212, 0.169)
    text = shown(report_view(report, width), width)
    fits(text, width)
    stacks, left_out = fit_columns(_figures(report, False), width)
    lines = text.splitlines()
    for figure in (f for stack in stacks for f in stack):
        for cell in figure.cells:  # right-aligned in its column: whole when it stands between spaces
            assert any(re.search(rf"(^|\s){re.escape(cell)}(\s|$)", line) for line in lines), (figure.header, cell)
    if left_out:
        assert f"Left out at {width} columns: {', '.join(left_out)}" in re.sub(r"\s+", " ", text)
    else:
        assert "Left out" not in text
    assert (left_out == []) == (width >= 80) and (max(map(len, stacks)) == 2) == (width < 120)  # two a cell below 120
    assert {"c", "req/s"} <= {f.header for stack in stacks for f in stack}  # the last to go


@pytest.mark.parametrize("width", WIDTHS)
def test_samples_table_routes_and_parity_cut_nothing(width: int) -> None:
    samples = shown(samples_view(width), width)
    fits(samples, width)
    assert all(re.search(rf"│ {re.escape(s.id)}\s", samples) for s in SAMPLES)  # each id whole, on one line
    assert ("Topic left out" in samples) == (width < 100)
    fits(shown(table_view(), width), width)
    pattern = "/session-flask-cookie/{item_id}/notes"
    template = RouteTemplate(
        "fastapi",
        "POST",
        pattern,
        pattern,
        pattern.replace("{item_id}", "1"),
        body='{"name": "example", "tags": ["a"]}',
    )
    rows = [RouteRow("POST", pattern, ("flask", "fastapi"), {"fastapi": template})]
    routes = shown(routes_table(rows), width)
    fits(routes, width)
    assert "/session-flask-cookie/{item_id}/notes" in routes
    case = parse_suite([{"name": "session-flask-cookie-roundtrip-with-a-long-name", "path": "/items/abc"}]).cases[0]
    result = ParityResult(case, {"flask": body("flask", "x"), "fastapi": body("fastapi", "y")}, [])
    report = ParityReport("requests.yaml", ParityOptions(), {}, [result] * 12)
    parity = shown(parity_table(report, report.redactor()), width)
    fits(parity, width)
    assert "│ 12 " in parity


def test_bench_honours_columns_when_piped() -> None:
    """Piped with COLUMNS set, the width is COLUMNS (before, the table was drawn 140 wide whatever it said)."""
    code = (
        "import sys; sys.path.insert(0, '.'); from explorer.cli.common import cli_console; print(cli_console().width)"
    )
    widths = [
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "COLUMNS": columns}
            if columns
            else {k: v for k, v in os.environ.items() if k != "COLUMNS"},
        ).stdout.strip()
        for columns in ("80", "")
    ]
    assert widths == ["80", "140"]


def test_routes_at_80_columns_keep_each_path_and_example_whole() -> None:
    """``explorer routes`` at 80 columns broke ``/forms/contact`` into ``/forms/contac`` / ``t`` in a 13-column
    example column while the route column beside it had room: the example now sits under its route."""
    contact = RouteTemplate("fastapi", "POST", "/forms/contact", "/forms/contact", "/forms/contact")
    form = replace(contact, body="name=example&message=example")
    item = RouteTemplate("fastapi", "GET", "/items/{item_id}", "/items/{item_id}", "/items/1")
    long = "/session-flask-cookie/{item_id}/notes"
    rows = [
        RouteRow("GET", "/forms/contact", ("flask", "fastapi"), {"fastapi": contact}),
        RouteRow("POST", "/forms/contact", ("flask", "fastapi"), {"fastapi": form}),
        RouteRow("GET", "/items/{item_id}", ("flask", "fastapi"), {"fastapi": item}),
        RouteRow("GET", long, ("flask", "fastapi"), {"fastapi": replace(item, pattern=long, path="/session/1/n")}),
        RouteRow("WEBSOCKET", "/ws/echo", ("flask", "fastapi"), {"fastapi": replace(item, path="/ws/echo")}),
    ]
    text = shown(routes_table(rows), 80)
    fits(text, 80)
    for whole in ("/forms/contact", "name=example&message=example", "GET /items/1", "/items/{item_id}"):
        assert whole in text, text
