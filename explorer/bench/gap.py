"""Why two routes' rates differ, or do not, from the runs' own figures; and which pair of servers ran them.

The verdict (:mod:`explorer.bench.results`) claims a difference only where the repeats resolve it (its
interval, :mod:`explorer.bench.interval`, excludes 1); this module says what the figures show about it:
the server CPU per request, how many cores each server kept busy (CPU per request x rate), and how long
a request spent queued or waiting (Little's law: concurrency / rate, less the CPU it needed), or plainly
that they do not account for it.
"""

from __future__ import annotations

import math
from typing import Any

from explorer.bench.interval import CONFIDENCE, RatioInterval, ratio_interval
from explorer.bench.levels import LevelResult, Spread, spread
from explorer.runtime.servers.specs import ServerSpec

__all__ = [
    "BUSY",
    "EXPLAINS",
    "WITHIN",
    "compare",
    "cpu_difference",
    "cpu_interval",
    "explain_gap",
    "pair_of",
    "range_text",
    "server_phrase",
    "spread_pct",
    "threads_busy",
]

WITHIN = 0.10  # closer than this is "within N%": the noise of a short run on a shared machine


def server_phrase(spec: ServerSpec) -> str:
    """'gunicorn, 1 worker x 8 threads' or 'Werkzeug dev server, a baseline'."""
    if spec.kind == "gunicorn":
        return f"gunicorn, {spec.workers} worker{'s' if spec.workers != 1 else ''} x {spec.threads} threads"
    if spec.kind == "werkzeug":
        return "Werkzeug dev server, a baseline"
    return spec.label


def compare(ratio: float, within: float = WITHIN, digits: int = 1) -> str:
    """How FastAPI's rate (``ratio`` times Flask's) relates to Flask's, in words. ``digits`` is 2 when an
    interval printed to two decimals follows: "1.5x (interval 1.43-1.48x)" read as a figure outside its own
    interval, where 1.46x is inside it."""
    if abs(ratio - 1) <= within:
        return f"FastAPI within {abs(ratio - 1) * 100:.0f}% of Flask"
    if ratio > 1:
        return f"FastAPI served {ratio:.{digits}f}x Flask"
    return f"Flask served {1 / ratio:.{digits}f}x FastAPI" if ratio > 0 else "FastAPI answered nothing"


def pair_of(flask: ServerSpec, fastapi: ServerSpec) -> str:
    """'the granian pair (...)': the two servers, and in what way they match (or that they do not)."""
    both = f"Flask on {flask.label}, FastAPI on {fastapi.label}"
    if (flask.kind, fastapi.kind) == ("granian-wsgi", "granian-asgi"):
        return f"the granian pair ({both}: one Rust HTTP stack, so only the framework differs)"
    if (flask.kind, fastapi.kind) == ("gunicorn", "gunicorn-uvicorn") and flask.workers == fastapi.workers:
        return (
            f"the gunicorn pair ({both}: one process manager, as many processes; the HTTP parsers differ, "
            f"{flask.parser} against {fastapi.parser}; FastAPI's workers on the {fastapi.loop} loop, pinned, never uvloop)"
        )
    return f"{both} (not a like-for-like pair: the servers differ too)"


def _mid(runs: list[LevelResult], figure: Any) -> float | None:
    got = spread(runs, figure)
    return got.median if got else None


def range_text(s: Spread) -> str:
    """'612 (507-990)': the median, then the smallest and the largest, whole requests a second."""
    return f"{s.median:,.0f}" if s.n == 1 else f"{s.median:,.0f} ({s.low:,.0f}-{s.high:,.0f})"


def spread_pct(s: Spread) -> float:
    """How wide a range is, as a share of its median, in percent."""
    return s.width * 100


def _cpu(runs: list[LevelResult]) -> Spread | None:
    return spread(runs, lambda r: r.load.server_cpu_ms_per_request)


def cpu_interval(
    flask_runs: list[LevelResult], fastapi_runs: list[LevelResult], confidence: float = CONFIDENCE
) -> RatioInterval | None:
    """The ``confidence`` interval of FastAPI's server CPU per request over Flask's (None with fewer than two
    of either)."""

    def costs(runs: list[LevelResult]) -> list[float]:
        return [v for r in runs if (v := r.load.server_cpu_ms_per_request) is not None and v == v]

    return ratio_interval(costs(fastapi_runs), costs(flask_runs), confidence)


def cpu_difference(
    flask_runs: list[LevelResult], fastapi_runs: list[LevelResult], confidence: float = CONFIDENCE
) -> str:
    """The server CPU per request compared by the rates' rule: a claim only when its 95% interval excludes 1,
    and beyond :data:`WITHIN` (a resolved difference under that is "within N%"). Where the rates are within
    noise this is the finer figure: the process clock counts nanoseconds, and a noisy neighbour slows a
    server more than it makes each of its requests cost more (though not nothing: a preempted server loses
    its caches)."""
    f, a, got = _cpu(flask_runs), _cpu(fastapi_runs), cpu_interval(flask_runs, fastapi_runs, confidence)
    if f is None or a is None or got is None:
        return ""
    costly, cheap, names = (a, f, ("FastAPI", "Flask")) if got.ratio >= 1 else (f, a, ("Flask", "FastAPI"))
    got = got if got.ratio >= 1 else got.inverse()  # the costlier over the cheaper
    figures = f"{got.text()}; {names[0]} {_ms(costly)}, {names[1]} {_ms(cheap)} ms"
    if not got.resolved:
        return f"The CPU per request differs by no more than its noise either ({figures})."
    if got.ratio - 1 <= WITHIN:
        return f"The CPU per request is within {(got.ratio - 1) * 100:.0f}% ({figures})."
    return (
        f"{names[0]}'s server used {got.ratio:.2f}x {names[1]}'s CPU per request ({figures}), "
        "a difference beyond the noise: the cost per request differs even where the rates do not show it."
    )


def _ms(s: Spread) -> str:
    """'0.114 (0.109-0.118)': CPU milliseconds to three significant figures."""
    return f"{s.median:.3g} ({s.low:.3g}-{s.high:.3g})"


BUSY = 0.8  # cores: a single-process Python server at this or above is CPU-bound (the GIL lets it use about one)
EXPLAINS = 0.25  # a cost ratio within this of the rate ratio accounts for it


THREADED = ("gunicorn", "granian-wsgi")  # a fixed pool of threads, each held by a request for its whole time


def threads_busy(runs: list[LevelResult], wait_ms: float) -> tuple[float, int] | None:
    """Flask's threads in use on average (Little's law: rate x the time each request holds one, its
    wait plus its CPU) and how many it has; None for a server that does not hold a thread per request."""
    server = runs[0].server
    rps, cpu = _mid(runs, lambda r: r.rps), _mid(runs, lambda r: r.load.server_cpu_ms_per_request)
    if server.kind not in THREADED or not rps:
        return None
    return rps * (wait_ms + (cpu or 0.0)) / 1000, server.workers * server.threads


def _busy(run: LevelResult) -> float | None:
    """The cores one run's server kept busy: its CPU per request times its rate."""
    cpu = run.load.server_cpu_ms_per_request
    return None if cpu is None else cpu * run.rps / 1000


def _in_every_repeat(flask_runs: list[LevelResult], fastapi_runs: list[LevelResult], slower_is_flask: bool) -> bool:
    """True when, in each of at least three repeats (the two run back to back, the order alternating), the
    slower framework's server kept fewer cores busy than the other's: no passing neighbour does that."""
    fastapi = {r.repeat: _busy(r) for r in fastapi_runs}
    pairs = [(_busy(f), fastapi.get(f.repeat)) for f in flask_runs]
    slower_less = [(f < a if slower_is_flask else a < f) for f, a in pairs if f is not None and a is not None]
    return len(slower_less) >= 3 and all(slower_less)


def explain_gap(
    flask_runs: list[LevelResult], fastapi_runs: list[LevelResult], claimed: bool = True, wait_ms: float = 0.0
) -> str:
    """Why the rates differ (or do not), from the runs' own figures: server CPU per request, the cores
    each server kept busy (CPU per request x rate), Flask's threads busy (for a fixed ``wait_ms``), and
    the time a request spent queued (Little's law: concurrency / rate, less the CPU it needed); or a
    plain 'unexplained' when they do not account for it. With ``claimed`` False (the ranges overlap:
    no difference is claimed) only the figures are given."""
    figures = {}
    for name, runs in (("Flask", flask_runs), ("FastAPI", fastapi_runs)):
        rps, cpu = _mid(runs, lambda r: r.rps), _mid(runs, lambda r: r.load.server_cpu_ms_per_request)
        if not rps or cpu is None:
            return "Unexplained: no server CPU figures for these runs."
        in_system = runs[0].concurrency / rps * 1000
        figures[name] = (rps, cpu, cpu * rps / 1000, max(0.0, in_system - cpu))
    (f_rps, f_cpu, f_busy, f_queue), (a_rps, a_cpu, a_busy, a_queue) = figures["Flask"], figures["FastAPI"]
    said = (
        f"Server CPU per request: Flask {f_cpu:.3g} ms, FastAPI {a_cpu:.3g} ms; cores busy: Flask {f_busy:.2f}, "
        f"FastAPI {a_busy:.2f}; time queued or waiting per request: Flask {f_queue:,.0f} ms, "
        f"FastAPI {a_queue:,.0f} ms."
    )
    threads = threads_busy(flask_runs, wait_ms) if wait_ms else None
    if threads:
        said = said[:-1] + f"; Flask's threads busy: {threads[0]:.1f} of {threads[1]}."
    rate = a_rps / f_rps
    if not claimed or abs(rate - 1) <= WITHIN:
        return said
    cost = f_cpu / a_cpu if a_cpu > 0 else math.inf  # what the rates would be if CPU per request set them
    slow_busy = f_busy if rate > 1 else a_busy
    if threads and rate > 1 and threads[0] >= 0.9 * threads[1]:
        why = (
            "Explained: Flask's threads were all busy, each held for a whole wait, so further requests "
            "queued for one while FastAPI's event loop waited for all of them at once."
        )
    elif min(f_busy, a_busy) >= BUSY and abs(cost / rate - 1) <= EXPLAINS:
        why = "Explained: both servers kept a core busy, so CPU per request sets the rate."
    elif abs(cost - 1) <= EXPLAINS and abs((a_busy / f_busy if f_busy else math.inf) / rate - 1) <= EXPLAINS:
        why = (
            "Explained: the same CPU per request, but one server got more of the CPU than the other and neither "
            "kept a core busy: the machine's other work, not the framework, made the difference."
        )
        if _in_every_repeat(flask_runs, fastapi_runs, slower_is_flask=rate > 1):
            why = why[:-1] + (
                ", and the slower server got less of it in every repeat, whichever went first: on this machine, "
                "shared as it was, that server's way of running the route gets a smaller share of the CPU (on an "
                "idle machine each could have a whole core; measure there to compare the frameworks)."
            )
    elif slow_busy < BUSY and (f_queue if rate > 1 else a_queue) > 2 * (a_queue if rate > 1 else f_queue):
        why = (
            "Explained: the slower server was not short of CPU; its requests waited longer (for a thread or "
            "the wait itself), so it is the concurrency model, not the cost of a request."
        )
    else:
        why = "Unexplained: neither CPU per request nor the cores busy nor the queueing accounts for the gap."
    return f"{said} {why}"
