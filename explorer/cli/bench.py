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

from explorer.apps.bundled import FASTAPI_SERVERS, FLASK_SERVERS
from explorer.bench.disturbed import FACTOR
from explorer.bench.external import ENGINES
from explorer.bench.plan import (
    DEFAULT_PAIR,
    DEFAULT_REPEAT,
    MAX_REPEAT,
    PAIRS,
    WARMUP_S,
    parse_levels,
    parse_rates,
    parse_repeat,
    parse_seconds,
)
from explorer.bench.scenarios import DEFAULT_LEVELS, SCENARIOS
from explorer.cli.common import cli_console, fail, run_async
from explorer.cli.render_bench import progress_line, report_view
from explorer.runtime.errors import ExplorerError

if TYPE_CHECKING:
    from explorer.bench.levels import BenchEvent
    from explorer.bench.plan import BenchPlan

DURATION, WARMUP = 0.6, 0.3  # per run: five fresh starts of 0.6 s say more than three of 1 s, in the same time


def _parsed(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """One of the plan's parsers (:mod:`explorer.bench.plan`, shared with the lab screen) as an argparse type."""

    def read(text: str) -> Any:
        from explorer.bench.plan import BenchError

        try:
            return parse(text)
        except BenchError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return read


def _servers(known: tuple[str, ...]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        chosen = [part.strip() for part in text.split(",") if part.strip()]
        bad = [c for c in chosen if c not in known] or ([] if chosen else [text])
        if bad:
            raise argparse.ArgumentTypeError(
                f"unknown server {bad[0]!r}; use {', '.join(known)} (or several, comma-separated)"
            )
        return ",".join(dict.fromkeys(chosen))

    return parse


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
        help="io: /io?ms=50; cpu: /cpu (FastAPI async def and def); json: /items/1; stall: coordinated "
        "omission, closed against open loop; each on a bare lab app with nothing else on the path (default: io)",
    )
    bench.add_argument(
        "--concurrency",
        type=_parsed(parse_levels),
        default=None,
        metavar="N[,N...]",
        help=f"levels to run, e.g. 1,10,50 (default: {','.join(map(str, DEFAULT_LEVELS))}; for cpu "
        f"{','.join(map(str, SCENARIOS['cpu'].levels))}, where a request waits ~14 ms for each one before it)",
    )
    bench.add_argument(
        "--duration",
        type=_parsed(lambda text: parse_seconds(text, "duration")),
        default=DURATION,
        help=f"measured seconds per run (default: {DURATION:g})",
    )
    bench.add_argument(
        "--warmup",
        type=_parsed(lambda text: parse_seconds(text, "warm-up", WARMUP_S)),
        default=WARMUP,
        help=f"unmeasured seconds first (default: {WARMUP:g})",
    )
    bench.add_argument(
        "--rate",
        type=_parsed(parse_rates),
        default=(),
        metavar="R[,R...]",
        help="open loop: requests a second per route, each timed from when it was due (a sweep)",
    )
    bench.add_argument(
        "--connections",
        type=_whole(1, 1000),
        default=256,
        help="open loop: the most connections it opens (default: 256)",
    )
    bench.add_argument(
        "--slo",
        type=_number(0.1, 600_000, "ms"),
        default=None,
        metavar="MS",
        help="open loop: a rate is held while p99 stays under this (default: per scenario, 100 for io)",
    )
    bench.add_argument(
        "--repeat",
        type=_parsed(parse_repeat),
        default=DEFAULT_REPEAT,
        metavar=f"1-{MAX_REPEAT}",
        help="run the whole plan N times, each on fresh servers, alternating which framework goes first; "
        "figures get min/median/max and a verdict claims a difference only when its 95%% interval excludes 1 "
        f"(default: {DEFAULT_REPEAT}; 1 says the spread is unknown)",
    )
    bench.add_argument(
        "--no-extend",
        dest="extend",
        action="store_false",
        help="run the planned repeats only: by default, when they leave the verdict open (its interval includes "
        "1 and reaches past the minimum effect), its level runs as many times again and the verdict is read "
        "over all (each stage's interval at 97.5%%, Bonferroni)",
    )
    bench.add_argument(
        "--no-rerun",
        dest="rerun",
        action="store_false",
        help="keep every start: by default (3 or more repeats) a start whose server used over --rerun-factor "
        "times the CPU per request of its other starts at that level is set aside and rerun, at most half the "
        "repeats a level, and the verdict says so",
    )
    bench.add_argument(
        "--rerun-factor",
        type=_number(1.05, 5, "times"),
        default=FACTOR,
        metavar="F",
        help=f"how far over its others' median CPU per request a start is disturbed (default: {FACTOR:g})",
    )
    bench.add_argument(
        "--pair",
        choices=tuple(PAIRS),
        default=DEFAULT_PAIR,
        help="the servers both run on: granian (one Rust HTTP stack for WSGI and ASGI, so only the "
        "framework differs; default), gunicorn (Flask's gthread beside uvicorn's worker, as "
        "many processes), demo (gunicorn against uvicorn, as the other screens run)",
    )
    bench.add_argument(
        "--flask-server",
        type=_servers(FLASK_SERVERS),
        default=None,
        metavar="|".join(FLASK_SERVERS),
        help="instead of the pair's: gunicorn gthread, gevent (gunicorn's gevent worker), granian, "
        "or the dev server as a baseline; several, comma-separated, run side by side",
    )
    bench.add_argument(
        "--fastapi-server",
        type=_servers(FASTAPI_SERVERS),
        default=None,
        metavar="|".join(FASTAPI_SERVERS),
        help="instead of the pair's: uvicorn, 1 process; gunicorn with uvicorn workers, as many as "
        "Flask's --workers; granian",
    )
    bench.add_argument(
        "--export",
        nargs=2,
        metavar=("locust", "FILE"),
        default=None,
        help="write a locustfile of the scenario to FILE instead of running it",
    )
    bench.add_argument("--workers", type=_whole(1, 64), default=1, help="gunicorn workers for Flask (default: 1)")
    bench.add_argument("--threads", type=_whole(1, 1000), default=8, help="threads per gunicorn worker (default: 8)")
    bench.add_argument(
        "--engine",
        choices=ENGINES,
        default="builtin",
        help="builtin (asyncio + httptools), wrk / oha when on PATH, or locust when installed (default: builtin)",
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

    return BenchPlan(
        scenario=args.scenario,
        levels=tuple(args.concurrency or SCENARIOS[args.scenario].levels),
        duration=args.duration,
        warmup=args.warmup,
        flask_server=args.flask_server or "",
        engine=args.engine,
        workers=args.workers,
        threads=args.threads,
        timeout=args.timeout,
        rates=tuple(args.rate),
        connections=args.connections,
        repeat=args.repeat,
        fastapi_server=args.fastapi_server or "",
        slo_ms=args.slo,
        pair=args.pair,
        extend=args.extend,
        rerun=args.rerun,
        rerun_factor=args.rerun_factor,
    ).check()


def cmd_bench(args: argparse.Namespace) -> int:
    try:
        plan = plan_from(args)
        if args.export:
            return _export(plan, *args.export)
    except ExplorerError as exc:
        fail(str(exc))
    return run_async(lambda: _bench(plan, as_json=args.json))


def _export(plan: BenchPlan, kind: str, path: str) -> int:
    """Write the scenario as a locustfile; one line on stderr says how to run it."""
    from explorer.bench.locust import locustfile_text, users_for, write_locustfile

    if kind != "locust":
        fail(f"unknown export format {kind!r}; use: --export locust FILE")
    scenario = plan.scenario_def
    routes = [(t.key, t.framework, t.path, t.route) for t in scenario.targets]
    users = users_for(max(plan.rates), plan.connections) if plan.rates else max(plan.levels)
    written = write_locustfile(path, locustfile_text(scenario.title, scenario.claim, routes, users))
    print(
        f"explorer: wrote {written}; run it with: locust -f {written} --headless --processes -1 "
        f"(see docs/lab.md for the distributed form)",
        file=sys.stderr,
    )
    return 0


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
    console = cli_console()
    console.print(report_view(report, console.width))
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
