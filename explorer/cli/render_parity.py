"""Rich renderables for ``explorer parity`` and ``explorer routes``.

As in :mod:`explorer.cli.render`, everything that came from a server, a user's app or a requests file
is a :class:`rich.text.Text`, never markup.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from explorer.apps.routes import RouteRow
from explorer.parity.check import ParityReport, ParityResult

NAMES = {"flask": "Flask", "fastapi": "FastAPI"}
_MARK = {"match": ("✓ match", "green"), "differ": ("✗ differs", "bold red"), "error": ("✗ error", "bold red")}


def _status_cell(result: ParityResult, framework: str) -> Text:
    exchange = result.exchanges.get(framework)
    if exchange is None:
        return Text("-")
    if exchange.error:
        return Text("error", style="red")
    return Text(str(exchange.status))


def parity_table(report: ParityReport) -> Table:
    """One row per request: both statuses and the outcome."""
    table = Table("#", "request", "sent", "Flask", "FastAPI", "result", title=f"Parity: {report.source}")
    for number, result in enumerate(report.results, start=1):
        label, style = _MARK[result.outcome]
        table.add_row(
            Text(str(number)), Text(result.case.name), Text(result.case.request.line),
            _status_cell(result, "flask"), _status_cell(result, "fastapi"), Text(label, style=style),
        )  # fmt: skip
    return table


def differences_view(report: ParityReport) -> RenderableType:
    """Each differing request with one line per difference; empty when everything matches."""
    parts: list[RenderableType] = []
    for number, result in enumerate(report.results, start=1):
        if result.matched:
            continue
        line = result.case.request.line
        title = result.case.name if result.case.name == line else f"{result.case.name}  ({line})"
        parts.append(Text(f"{number}. {title}", style="bold"))
        for difference in result.differences:
            parts.append(Text("   ") + Text(difference.line()))
        if result.more:
            parts.append(Text("   ") + Text(result.more_line(), style="dim"))
    return Group(*parts)


def verdict(report: ParityReport) -> Text:
    """The closing line, e.g. ``1 of 12 requests differ``."""
    total = len(report.results)
    if report.all_match:
        return Text("the request matches" if total == 1 else f"all {total} requests match", style="bold green")
    bad = total - report.count("match")
    return Text(f"{bad} of {total} requests differ", style="bold red")


def parity_view(report: ParityReport) -> RenderableType:
    return Group(parity_table(report), differences_view(report), verdict(report))


def routes_table(rows: Iterable[RouteRow]) -> Table:
    """The merged routes of both apps, with who has which and a request to send."""
    table = Table("method", "route", "Flask", "FastAPI", "example request", title="Routes")
    for row in rows:
        marks = [
            Text("✓", style="green") if fw in row.frameworks else Text("-", style="dim") for fw in ("flask", "fastapi")
        ]
        request = row.request
        shown = [f"{name}: {value}" for name, value in request.headers if name.lower() != "content-type"]
        example = request.line + "".join(f"\n{line}" for line in shown) + (f"  {request.body}" if request.body else "")
        table.add_row(Text(row.method), Text(row.pattern), *marks, Text(example))
    return table
