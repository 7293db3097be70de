"""The bench report as Rich renderables: the progress line, the results table, the verdict and the settings.

Closed-loop runs show the concurrency, the rate and the physical bound; open-loop runs the rate
asked, the rate answered and what the client held back (late, dropped); every row shows the
server's CPU per answer and resident memory, and the table names each server's loop and parser.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len

if TYPE_CHECKING:
    from explorer.bench.levels import BenchEvent
    from explorer.bench.results import BenchReport

__all__ = ["Figure", "fit_columns", "progress_line", "report_view"]


def _name(key: str) -> str:
    from explorer.bench.results import name_of

    return name_of(key)


def _level(event: BenchEvent) -> str:
    return f"{event.rate:,.0f} req/s" if event.rate is not None else f"c={event.concurrency}"


def progress_line(event: BenchEvent) -> str:
    """'[3/8 37%] FastAPI c=50 measure 1.2/3.0 s: 812 req/s, p50 51.2 ms, p99 60.3 ms'."""
    head = f"[{min(event.step + 1, event.steps)}/{event.steps} {event.fraction:.0%}]"
    if event.kind == "servers":
        return f"{head} starting the servers..."
    name = _name(event.target.key) if event.target else ""
    line = f"{head} {name} {_level(event)}" + (f" (repeat {event.repeat + 1})" if event.repeat else "")
    p = event.load
    if p is None:
        return line + (" done" if event.kind == "result" else " starting...")
    line += f" {p.phase} {p.elapsed_s:.1f}/{p.phase_s:.1f} s"
    if p.rate_rps is not None:
        line += f": {p.rate_rps:,.0f} req/s"
    if p.p50_ms is not None and p.p99_ms is not None:
        line += f", p50 {p.p50_ms:.1f} ms, p99 {p.p99_ms:.1f} ms"
    if p.errors:
        line += f", {p.errors} errors"
    return line


def _ms(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "-"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


@dataclass(frozen=True)
class Figure:
    """One column of figures: its header, a cell per result, and how long it is kept as the width runs out."""

    header: str
    cells: list[str]
    keep: int  # higher stays longer
    pair: str = ""  # the header of the figure it shares a cell with when two figures go one above the other


ROUTE_MIN = 12  # the route column (text, not a figure) may end in "…" down to this


def _stack_width(stack: list[Figure]) -> int:
    return max(cell_len(line) for c in stack for text in (c.header, *c.cells) for line in text.split("\n"))


def _table_width(widths: list[int]) -> int:
    """A SIMPLE_HEAD table without edge padding: its columns, a cell of padding each side inside, a rule between."""
    n = len(widths) + 1  # and the route column, counted at its least
    return sum(widths) + ROUTE_MIN + 3 * n - 1


def fit_columns(columns: list[Figure], width: int) -> tuple[list[list[Figure]], list[str]]:
    """The figures in as few cells as fit ``width``, every one whole: one a column when they fit, else two
    a cell (the TUI lab's layout), else the least needed left out (their headers returned, to be said)."""
    wide = [[c] for c in columns]
    if _table_width([_stack_width(s) for s in wide]) <= width:
        return wide, []
    kept = list(columns)
    left_out: list[str] = []
    while True:
        stacks: list[list[Figure]] = []
        for c in kept:
            mate = next((s for s in stacks if len(s) == 1 and s[0].header == c.pair), None)
            if mate is not None:
                mate.append(c)
            else:
                stacks.append([c])
        if _table_width([_stack_width(s) for s in stacks]) <= width or len(kept) == 1:
            return stacks, left_out
        drop = min(kept, key=lambda c: c.keep)
        kept.remove(drop)
        left_out.append(drop.header)


def _figures(report: BenchReport, opened: bool) -> list[Figure]:
    """Every figure column of the table, in order, with its cells formatted whole."""
    plan, scenario, results = report.plan, report.scenario, report.results
    cols: list[Figure] = []
    if plan.repeat > 1:
        cols.append(Figure("#", [str(r.repeat + 1) for r in results], 9))
    cols.append(
        Figure(
            "c", [str(r.load.concurrency) if r.mode == "closed" else f"≤{r.load.concurrency}" for r in results], 10, "#"
        )
    )
    if opened:
        cols.append(Figure("asked", [f"{r.load.target_rps:,.0f}" if r.load.target_rps else "-" for r in results], 8))
    cols.append(Figure("req/s", [f"{r.load.rps:,.1f}" for r in results], 10, "asked"))
    if scenario.wait_ms and not opened:
        cols.append(Figure("bound", [f"{r.bound_rps:,.0f}" if r.bound_rps else "-" for r in results], 5, "req/s"))
    lat = [r.load.latency for r in results]
    cols += [
        Figure("p50", [_ms(x.p50_ms) for x in lat], 7),
        Figure("p90", [_ms(x.p90_ms) for x in lat], 2, "p50"),
        Figure("p99", [_ms(x.p99_ms) for x in lat], 6),
        Figure("p99.9", [_ms(x.p999_ms) for x in lat], 1, "p99"),
        Figure("max", [_ms(x.max_ms) for x in lat], 4),
        Figure("errors", [", ".join(f"{k} {v}" for k, v in r.load.errors.items()) or "0" for r in results], 8, "max"),
    ]
    if opened:
        cols.append(
            Figure(
                "late/drop",
                [
                    f"{r.load.open_loop.get('late', 0):,}/{r.load.open_loop.get('dropped', 0):,}"
                    if r.mode == "open"
                    else "-"
                    for r in results
                ],
                6,
            )
        )
    client = [
        ("-" if r.load.client_cpu_ms_per_request is None else f"{r.load.client_cpu_ms_per_request:.3f}")
        + (" bound" if r.load.client_bound else "")
        for r in results
    ]
    srv = [
        "-" if r.load.server_cpu_ms_per_request is None else f"{r.load.server_cpu_ms_per_request:.3f}" for r in results
    ]
    cols += [
        Figure("client", client, 3),
        Figure("srv CPU", srv, 7, "client"),
        Figure("srv MB", [_ms(r.load.server_rss_mb) for r in results], 2, "late/drop" if opened else ""),
    ]
    return cols


def _added(report: BenchReport) -> str:
    """' + 5 more at c=100': the second stage's starts, when the first left the verdict open."""
    stages = report.stages
    return f" + {stages.added} more at c={stages.level:g}" if stages and stages.added and stages.level else ""


def _kept(report: BenchReport) -> str:
    """The title's line when the rule set starts aside: the rows are the starts the verdict read (one line within
    80 columns; the verdict's clause names which starts and why)."""
    aside = sum(not s.kept for s in report.reruns.set_aside) if report.reruns else 0
    return f"\nFigures of the kept starts: {aside} set aside and rerun (in --json)" if aside else ""


def report_view(report: BenchReport, width: int | None = None) -> Any:
    """The results table, the verdict and the server settings, as one Rich renderable; with a ``width``
    the table fits it with every figure whole (two a cell, or the least needed left out and said so)."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from explorer.bench.results import verdict

    plan, scenario = report.plan, report.scenario
    mode = "closed and open loop" if scenario.stall else "open loop" if plan.open_loop else "closed loop"
    title = (
        f"{scenario.title}: {', '.join(dict.fromkeys(t.path for t in scenario.targets))} "
        f"({plan.engine} engine, {mode}, {plan.duration:g} s after {plan.warmup:g} s warm-up"
        f"{f', {plan.repeat} repeats' if plan.repeat > 1 else ''}{_added(report)})" + _kept(report)
    )
    opened = any(r.mode == "open" for r in report.results)
    columns = _figures(report, opened)
    fitted, left_out = fit_columns(columns, width) if width else ([[c] for c in columns], [])
    table = Table(title=Text(title), title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    room = (width - _table_width([_stack_width(stack) for stack in fitted]) + ROUTE_MIN) if width else None
    table.add_column("route", no_wrap=True, overflow="ellipsis", max_width=room)
    for stack in fitted:
        table.add_column("\n".join(c.header for c in stack), justify="right", no_wrap=True)
    for row, result in enumerate(report.results):
        table.add_row(Text(_name(result.target.key)), *("\n".join(c.cells[row] for c in stack) for stack in fitted))
    routes = [Text(f"{_name(t.key)}: GET {t.path}, {t.route}", style="dim") for t in scenario.targets]
    settings = [
        Text(f"{_name(key)}: {spec.label}; loop: {spec.loop}; parser: {spec.parser} ({spec.target})", style="dim")
        for key, spec in report.servers.items()
    ]
    notes = [
        Text(
            f"{_name(r.target.key)} at c={r.concurrency}: the server closed the connection after each answer "
            f"({r.load.reconnects:,} new connections in the run); the client's CPU per request includes "
            "connecting.",
            style="dim",
        )
        for r in report.results
        if r.load.reconnects and r.load.reconnects > r.load.requests / 2
    ][:1]
    legend = (
        "Latencies in ms"
        + (", timed from each request's due time (open loop)" if opened else "")
        + ". "
        + (
            "asked: the rate scheduled; late/drop: sent over 10 ms late / never sent. "
            if opened
            else "bound: concurrency / wait, the most a closed loop can get. "
            if scenario.wait_ms
            else ""
        )
        + "client: the load client's CPU ms per request; srv CPU: the server's CPU ms per answer, over "
        "its whole process tree; srv MB: its resident memory (summed over processes, shared pages "
        "counted in each)."
    )
    notes.append(Text(legend, style="dim"))
    if left_out:
        notes.append(
            Text(
                f"Left out at {width} columns: {', '.join(left_out)} (widen the terminal or COLUMNS, "
                "or use --json for every figure).",
                style="dim",
            )
        )
    if plan.engine == "locust":
        from explorer.bench.locust import LIMITS

        notes.append(Text(LIMITS, style="dim"))
    return Group(table, Text(verdict(report).text, style="bold"), *routes, *settings, *notes)
