"""``explorer bench``: the performance lab from the command line, a Rich table or one JSON document.

Options are checked before any server starts; a mistake is one line on stderr and exit status 2,
like every other command. Live progress goes to stderr, and only when stderr is a terminal, so
``--json`` output and pipes stay clean.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from explorer.bench.external import ENGINES
from explorer.bench.scenarios import DEFAULT_LEVELS, SCENARIOS
from explorer.cli.common import fail, run_async
from explorer.runtime.errors import ExplorerError

if TYPE_CHECKING:
    from explorer.bench.plan import BenchPlan
    from explorer.bench.results import BenchEvent, BenchReport

NAMES = {"flask": "Flask", "fastapi": "FastAPI"}


def _levels(text: str) -> tuple[int, ...]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of whole numbers: {text!r}") from None
    if not values or any(not 1 <= v <= 1000 for v in values):
        raise argparse.ArgumentTypeError(f"each level must be between 1 and 1000, got {text!r}")
    return tuple(dict.fromkeys(values))


def _number(low: float, high: float, what: str) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number of {what}: {text!r}") from None
        if not math.isfinite(value) or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low:g} and {high:g} {what}, got {text}")
        return value

    return parse


def _whole(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}, got {value}")
        return value

    return parse


def add_parser(sub: Any) -> None:
    """Add ``bench`` to the CLI's subcommands (``sub`` is what ``add_subparsers`` returned)."""
    bench = sub.add_parser("bench", help="load both servers at several concurrency levels and compare")
    bench.add_argument(
        "--scenario",
        choices=tuple(SCENARIOS),
        default="io",
        help="io: /io?ms=50; cpu: /cpu (FastAPI async def and def); json: /items/1 (default: io)",
    )
    bench.add_argument(
        "--concurrency",
        type=_levels,
        default=DEFAULT_LEVELS,
        metavar="N[,N...]",
        help="levels to run, e.g. 1,10,50 (default: 1,10,50,100)",
    )
    bench.add_argument(
        "--duration", type=_number(0.1, 600, "seconds"), default=3.0, help="measured seconds per run (default: 3)"
    )
    bench.add_argument(
        "--warmup", type=_number(0, 60, "seconds"), default=1.0, help="unmeasured seconds first (default: 1)"
    )
    bench.add_argument(
        "--flask-server",
        choices=("dev", "gunicorn"),
        default="gunicorn",
        help="gunicorn gthread (default) or the Werkzeug dev server as a baseline",
    )
    bench.add_argument("--workers", type=_whole(1, 64), default=1, help="gunicorn workers for Flask (default: 1)")
    bench.add_argument("--threads", type=_whole(1, 1000), default=8, help="threads per gunicorn worker (default: 8)")
    bench.add_argument(
        "--engine",
        choices=ENGINES,
        default="builtin",
        help="builtin (asyncio + httptools), or wrk / oha when on PATH (default: builtin)",
    )
    bench.add_argument(
        "--timeout",
        type=_number(0.1, 300, "seconds"),
        default=10.0,
        help="a request older than this counts as an error (default: 10)",
    )
    bench.add_argument("--json", action="store_true", help="print one JSON document")


def plan_from(args: argparse.Namespace) -> BenchPlan:
    from explorer.bench.plan import BenchPlan

    return BenchPlan(scenario=args.scenario, levels=tuple(args.concurrency), duration=args.duration, warmup=args.warmup,
                     flask_server=args.flask_server, engine=args.engine, workers=args.workers, threads=args.threads,
                     timeout=args.timeout).check()  # fmt: skip


def cmd_bench(args: argparse.Namespace) -> int:
    try:
        plan = plan_from(args)
    except ExplorerError as exc:
        fail(str(exc))
    return run_async(lambda: _bench(plan, as_json=args.json))


async def _bench(plan: BenchPlan, as_json: bool) -> int:
    from explorer.bench.plan import BenchError
    from explorer.bench.runner import run_bench

    live = _LiveLine() if sys.stderr.isatty() else None
    try:
        report = await run_bench(plan, on_event=live.update if live else None)
    except BenchError as exc:
        print(f"explorer: {exc}", file=sys.stderr)
        return 1
    except ExplorerError as exc:
        print(f"explorer: the run failed: {exc}", file=sys.stderr)
        return 1
    finally:
        if live:
            live.stop()
    if as_json:
        print(json.dumps(report.to_dict(), indent=2))
        return 0
    from rich.console import Console

    Console().print(report_view(report))
    return 0


class _LiveLine:
    """One transient status line on stderr while the runs go on."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.live import Live
        from rich.text import Text

        self._text = Text
        self._live = Live(
            Text("starting the servers..."), console=Console(stderr=True), transient=True, refresh_per_second=8
        )
        self._live.start()

    def update(self, event: BenchEvent) -> None:
        self._live.update(self._text(progress_line(event)))

    def stop(self) -> None:
        self._live.stop()


def progress_line(event: BenchEvent) -> str:
    """'[3/8 37%] FastAPI c=50 measure 1.2/3.0 s: 812 req/s, p50 51.2 ms, p99 60.3 ms'."""
    head = f"[{min(event.step + 1, event.steps)}/{event.steps} {event.fraction:.0%}]"
    if event.kind == "servers":
        return f"{head} starting the servers..."
    name = _name(event.target.key) if event.target else ""
    line = f"{head} {name} c={event.concurrency}"
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


def _name(key: str) -> str:
    return {"flask": "Flask", "fastapi": "FastAPI", "fastapi-def": "FastAPI def"}.get(key, key)


def _ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.1f}"


def report_view(report: BenchReport) -> Any:
    """The results table, the verdict and the server settings, as one Rich renderable."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from explorer.bench.results import verdict

    plan, scenario = report.plan, report.scenario
    title = (f"{scenario.title}: {', '.join(dict.fromkeys(t.path for t in scenario.targets))} "
             f"({plan.engine} engine, {plan.duration:g} s after {plan.warmup:g} s warm-up)")  # fmt: skip
    table = Table(title=Text(title), title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("route", no_wrap=True)
    numeric = ["c", "req/s", *(["bound"] if scenario.wait_ms else []), "p50", "p90", "p99", "max", "errors", "CPU/req"]
    for column in numeric:
        table.add_column(column, justify="right", no_wrap=column != "errors")
    for result in report.results:
        load, lat = result.load, result.load.latency
        cpu = "-" if load.client_cpu_ms_per_request is None else f"{load.client_cpu_ms_per_request:.3f}"
        if load.client_bound:
            cpu += " bound"
        cells = [Text(_name(result.target.key)), str(load.concurrency), f"{load.rps:,.1f}"]
        if scenario.wait_ms:
            cells.append(f"{result.bound_rps:,.0f}" if result.bound_rps else "-")
        errors = ", ".join(f"{k} {v}" for k, v in load.errors.items()) or "0"
        cells += [_ms(lat.p50_ms), _ms(lat.p90_ms), _ms(lat.p99_ms), _ms(lat.max_ms), Text(errors), cpu]
        table.add_row(*cells)
    routes = [Text(f"{_name(t.key)}: GET {t.path}, {t.route}", style="dim") for t in scenario.targets]
    settings = [Text(f"{NAMES[fw]}: {spec.label} ({spec.target})", style="dim") for fw, spec in report.servers.items()]
    notes = [
        Text(f"{_name(r.target.key)} at c={r.concurrency}: the server closed the connection after each answer "
             f"({r.load.reconnects:,} new connections in the run); the client's CPU per request includes connecting.", style="dim")
        for r in report.results
        if r.load.reconnects and r.load.reconnects > r.load.requests / 2
    ][:1]  # fmt: skip
    notes += [
        Text(
            "Latencies in ms. bound: concurrency / wait, the most a closed loop can get. "
            "CPU/req: the load client's own CPU ms per request.",
            style="dim",
        )
    ]
    return Group(table, Text(verdict(report).text, style="bold"), *routes, *settings, *notes)
