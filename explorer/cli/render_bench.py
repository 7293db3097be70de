"""The bench report as Rich renderables: the progress line, the results table, the verdict and the settings.

Closed-loop runs show the concurrency, the rate and the physical bound; open-loop runs the rate
asked, the rate answered and what the client held back (late, dropped); every row shows the
server's CPU per answer and resident memory, and the table names each server's loop and parser.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from explorer.bench.levels import BenchEvent
    from explorer.bench.results import BenchReport

__all__ = ["progress_line", "report_view"]


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


def report_view(report: BenchReport) -> Any:
    """The results table, the verdict and the server settings, as one Rich renderable."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from explorer.bench.results import verdict

    plan, scenario = report.plan, report.scenario
    mode = "closed and open loop" if scenario.stall else "open loop" if plan.open_loop else "closed loop"
    title = (f"{scenario.title}: {', '.join(dict.fromkeys(t.path for t in scenario.targets))} "
             f"({plan.engine} engine, {mode}, {plan.duration:g} s after {plan.warmup:g} s warm-up"
             f"{f', {plan.repeat} repeats' if plan.repeat > 1 else ''})")  # fmt: skip
    table = Table(title=Text(title), title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("route", no_wrap=True)
    opened = any(r.mode == "open" for r in report.results)
    numeric = ["#"] if plan.repeat > 1 else []
    numeric += ["c", "asked", "req/s"] if opened else ["c", "req/s"]
    numeric += ["bound"] if scenario.wait_ms and not opened else []
    numeric += ["p50", "p90", "p99", "p99.9", "max", "errors"] + (["late/drop"] if opened else [])
    numeric += ["client", "srv CPU", "srv MB"]
    for column in numeric:
        table.add_column(column, justify="right", no_wrap=column != "errors", overflow="fold")
    for result in report.results:
        load, lat = result.load, result.load.latency
        cpu = "-" if load.client_cpu_ms_per_request is None else f"{load.client_cpu_ms_per_request:.3f}"
        cpu += " bound" if load.client_bound else ""
        cells: list[Any] = [Text(_name(result.target.key))]
        cells += [str(result.repeat + 1)] if plan.repeat > 1 else []
        cells += [str(load.concurrency) if result.mode == "closed" else f"≤{load.concurrency}"]
        if opened:
            cells.append(f"{load.target_rps:,.0f}" if load.target_rps else "-")
        cells.append(f"{load.rps:,.1f}")
        if scenario.wait_ms and not opened:
            cells.append(f"{result.bound_rps:,.0f}" if result.bound_rps else "-")
        errors = ", ".join(f"{k} {v}" for k, v in load.errors.items()) or "0"
        cells += [_ms(lat.p50_ms), _ms(lat.p90_ms), _ms(lat.p99_ms), _ms(lat.p999_ms), _ms(lat.max_ms), Text(errors)]
        if opened:
            held = load.open_loop
            cells.append(f"{held.get('late', 0):,}/{held.get('dropped', 0):,}" if result.mode == "open" else "-")
        srv = load.server_cpu_ms_per_request
        cells += [cpu, "-" if srv is None else f"{srv:.3f}", _ms(load.server_rss_mb)]
        table.add_row(*cells)
    routes = [Text(f"{_name(t.key)}: GET {t.path}, {t.route}", style="dim") for t in scenario.targets]
    settings = [
        Text(f"{_name(key)}: {spec.label}; loop: {spec.loop}; parser: {spec.parser} ({spec.target})", style="dim")
        for key, spec in report.servers.items()
    ]
    notes = [
        Text(f"{_name(r.target.key)} at c={r.concurrency}: the server closed the connection after each answer "
             f"({r.load.reconnects:,} new connections in the run); the client's CPU per request includes "
             "connecting.", style="dim")
        for r in report.results
        if r.load.reconnects and r.load.reconnects > r.load.requests / 2
    ][:1]  # fmt: skip
    legend = ("Latencies in ms" + (", timed from each request's due time (open loop)" if opened else "") + ". "
              + ("asked: the rate scheduled; late/drop: sent over 10 ms late / never sent. " if opened else
                 "bound: concurrency / wait, the most a closed loop can get. " if scenario.wait_ms else "")
              + "client: the load client's CPU ms per request; srv CPU: the server's CPU ms per answer, over "
              "its whole process tree; srv MB: its resident memory (summed over processes, shared pages "
              "counted in each).")  # fmt: skip
    notes.append(Text(legend, style="dim"))
    if plan.engine == "locust":
        from explorer.bench.locust import LIMITS

        notes.append(Text(LIMITS, style="dim"))
    return Group(table, Text(verdict(report).text, style="bold"), *routes, *settings, *notes)
