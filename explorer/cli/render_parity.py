"""Rich renderables for ``explorer parity`` and ``explorer routes``.

As in :mod:`explorer.cli.render`, everything that came from a server, a user's app or a requests file
is a :class:`rich.text.Text` made by :func:`~explorer.cli.render.shown`: never markup, no live control character.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from explorer.apps.routes import RouteRow
from explorer.cli.render import shown, whole_cells
from explorer.parity.check import ParityReport, ParityResult
from explorer.parity.differences import MISSING, Difference, show
from explorer.parity.secrets import REDACTED, Redactor
from explorer.runtime.frameworks import FRAMEWORKS, NAMES

_MARK = {
    "match": ("✓ match", "green"),
    "declared": ("✓ declared", "green"),
    "differ": ("✗ differs", "bold red"),
    "error": ("✗ error", "bold red"),
}


def _status_cell(result: ParityResult, framework: str) -> Text:
    exchange = result.exchanges.get(framework)
    if exchange is None:
        return Text("-")
    if exchange.error:
        return Text("error", style="red")
    return Text(str(exchange.status))


def parity_table(report: ParityReport, redactor: Redactor) -> Table:
    """One row per request: both statuses and the outcome."""
    table = Table("#", "request", "sent", "Flask", "FastAPI", "result", title=shown(f"Parity: {report.source}"))
    for number, result in enumerate(report.results, start=1):
        label, style = _MARK[result.outcome]
        table.add_row(
            Text(str(number)),
            shown(result.case.name),
            shown(redactor.text(result.case.request.line)),
            _status_cell(result, "flask"),
            _status_cell(result, "fastapi"),
            Text(label, style=style),
        )
    return whole_cells(table, [0])


def _excerpt(difference: Difference, redactor: Redactor) -> RenderableType | None:
    """Two bodies that differ from the start, side by side: their first lines, not a cut sentence."""
    if difference.excerpts is None:
        return None
    grid = Table(NAMES["flask"], NAMES["fastapi"], box=box.SIMPLE, padding=(0, 1), show_edge=False)
    for column in grid.columns:  # a line too long for half the terminal folds onto the next: none is cut
        column.overflow, column.ratio = "fold", 1
    flask, fastapi = difference.excerpt_lines(redactor)
    for index in range(max(len(flask), len(fastapi))):
        grid.add_row(
            shown(flask[index] if index < len(flask) else ""), shown(fastapi[index] if index < len(fastapi) else "")
        )
    return Padding(grid, (0, 0, 0, 5))


def _indented(text: Text) -> Padding:
    """A line under its request, its wrapped continuation lines kept under it (not back at the margin)."""
    return Padding(text, (0, 0, 0, 3), expand=False)


def differences_view(report: ParityReport, redactor: Redactor) -> RenderableType:
    """Each request that differs, with one line per difference; then declared differences, noise, captures."""
    parts: list[RenderableType] = []
    for step in report.setup + report.teardown:
        if not step.ok:
            parts.append(shown(f"✗ {redactor.text(step.line())}", style="bold red"))
            parts += [shown("   " + redactor.text(line), style="dim") for line in step.output[-5:]]
    for number, result in enumerate(report.results, start=1):
        extra = [(d, e.reason) for d, e in result.declared]
        if result.matched and not (extra or result.noise or result.stale or result.captures or result.logs):
            continue
        line = redactor.text(result.case.request.line)
        title = result.case.name if result.case.name == line else f"{result.case.name}  ({line})"
        parts.append(shown(f"{number}. {title}", style="bold"))
        for difference in result.differences:
            parts.append(_indented(shown(difference.line(redactor))))
            excerpt = _excerpt(difference, redactor)
            if excerpt is not None:
                parts.append(excerpt)
        if result.more:
            parts.append(Text("   ") + shown(result.more_line(), style="dim"))
        for difference, reason in extra:
            declared = shown(f"{difference.line(redactor)}  ({reason})")
            parts.append(_indented(Text("declared: ", style="green") + declared))
        for item in result.noise:
            parts.append(_indented(Text("noise: ", style="dim") + shown(item.line(), style="dim")))
        for stale in result.stale:
            parts.append(
                Text("   stale: ", style="yellow") + shown(f"declared {stale.label} no longer differs ({stale.reason})")
            )
        captured = _captures(result, redactor)
        if captured:
            parts.append(Text("   captured: ", style="dim") + shown(captured, style="dim"))
        for framework, lines in result.logs.items():  # why it answered 5xx, in its own words
            parts.append(Text(f"   {NAMES[framework]} log:", style="dim"))
            parts += [shown("     | " + redactor.text(line), style="dim") for line in lines]
    for stale in report.stale:
        parts.append(
            Text("stale: ", style="yellow")
            + shown(f"file-level declared {stale.label} matched nothing ({stale.reason})")
        )
    return Group(*parts)


def _captures(result: ParityResult, redactor: Redactor) -> str:
    names = list(dict.fromkeys(n for values in result.captures.values() for n in values))
    shown = []
    for name in names:
        values = []
        for fw in FRAMEWORKS:
            value = result.captures.get(fw, {}).get(name, MISSING)
            hidden = REDACTED if name in result.secret_names and redactor.enabled else show(redactor.value(value))
            values.append(f"{NAMES[fw]} {hidden}")
        shown.append(f"{name} ({', '.join(values)})")
    return "; ".join(shown)


def verdict(report: ParityReport) -> Text:
    """The closing line, e.g. ``1 of 12 requests differ`` or ``all 14 requests match (2 as declared)``."""
    total = len(report.results)
    declared = report.count("declared")
    stale = (
        f"; {report.stale_count} stale declared difference{'s' if report.stale_count != 1 else ''}"
        if report.stale_count
        else ""
    )
    if report.all_match and report.steps_ok:
        text = "the request matches" if total == 1 else f"all {total} requests match"
        text += f" ({declared} as declared)" if declared else ""
        failed = report.strict and report.stale_count
        return Text(
            text + stale + (" (--strict: failing)" if failed else ""), style="bold red" if failed else "bold green"
        )
    if not report.steps_ok:
        return Text("a setup or teardown step failed" + (f"; {total} requests run" if total else ""), style="bold red")
    bad = total - report.count("match") - declared
    return Text(f"{bad} of {total} requests differ{stale}", style="bold red")


def parity_view(report: ParityReport, redactor: Redactor | None = None) -> RenderableType:
    redactor = redactor or report.redactor()
    return Group(parity_table(report, redactor), differences_view(report, redactor), verdict(report))


def routes_table(rows: Iterable[RouteRow]) -> RouteRoom:
    """The merged routes of both apps, with who has which and, under each route, a request to send to it.

    The example sits under its route, in the route's column, where it repeats no part of it: in a column of its
    own, squeezed beside the routes at 80 columns, it broke paths inside words (``/forms/contac`` / ``t``).
    """
    table = Table("method", "route, and a request to send", "Flask", "FastAPI", title="Routes")
    longest = 0
    for row in rows:
        marks = [Text("✓", style="green") if fw in row.frameworks else Text("-", style="dim") for fw in FRAMEWORKS]
        request = row.request
        extra = [f"{name}: {value}" for name, value in request.headers if name.lower() != "content-type"]
        example = "" if request.line == f"{row.method} {row.pattern}" else request.line
        example += "".join(f"\n{line}" for line in extra) + (f"\n{request.body}" if request.body else "")
        cell = shown(row.pattern)
        longest = max(longest, cell.cell_len)
        if example.strip():
            cell.append_text(shown("\n" + example.strip(), style="dim", lines=True))
        table.add_row(shown(row.method), cell, *marks)
    return RouteRoom(whole_cells(table, [0]), longest)


class RouteRoom:
    """The routes table with the route column given the room the others leave, and never less than its longest
    route: a route stays on one line, its example wraps under it."""

    def __init__(self, table: Table, longest: int) -> None:
        self.table = table
        self.longest = longest

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        columns = self.table.columns
        widths = [max([len(str(c.header)), *(Text(str(cell)).cell_len for cell in c.cells)]) for c in columns]
        others = sum(widths) - widths[1] + 3 * len(columns) + 1  # each column's padding and rule, and the last rule
        columns[1].width = max(self.longest, options.max_width - others)
        yield self.table
