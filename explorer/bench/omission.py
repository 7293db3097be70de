"""The coordinated-omission experiment's explanation, computed from its figures.

One server stalls ``n`` times for ``S`` ms inside a window of ``W`` ms (:class:`~explorer.bench.scenarios.Stall`).
An open loop at a rate the server can otherwise keep up with times every request from when it was
due, so a request due ``t`` ms into a stall waits ``S - t`` ms (plus the usual service time ``b``):
the share of requests slower than ``x`` is ``n (S - x) / W``, and the p-th percentile is
``S - (1 - p) W / n + b`` while that is above ``b``. Two refinements, both measured rather than
fitted: ``S`` is each stall as long as it really lasted (the injector times it: a sleep on a busy
machine lasts longer than asked), and the requests that piled up during a stall are read together
and answered as one burst after it, so each waits ``D`` more, the time that burst takes (the requests
due during the stall times the server's CPU per request). :func:`predicted_ms` computes the
percentile of exactly that schedule. A closed loop of ``c`` connections sends nothing new during a
stall: each connection has one request stuck in it, so only about ``c n`` of all its requests are
timed through a stall, and when that is under 1% its p99 never sees one.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from explorer.bench.levels import LevelResult, spread
from explorer.bench.scenarios import Stall
from explorer.bench.stats import percentile

__all__ = ["ACCURACY", "Omission", "explain", "predicted_ms"]

ACCURACY = 0.10  # the arithmetic's percentiles and the measured ones agree within this share


def predicted_ms(
    pct: float, stalls_ms: list[float], rate: float, window_s: float, base_ms: float, cpu_ms: float = 0.0
) -> float:
    """The open loop's p-th percentile on the schedule the arithmetic describes.

    ``rate`` requests a second for ``window_s`` seconds; during each stall (ms, as long as it really
    lasted) the request due ``t`` ms in waits ``S - t + D`` ms, ``D`` being the burst after it
    (``rate`` x ``S`` x ``cpu_ms``); every other request takes ``base_ms``. Nearest rank, like the figures.
    """
    total = max(1, round(rate * window_s))
    slow: list[float] = []
    for stall in stalls_ms:
        due = math.ceil(stall / 1000 * rate)  # requests due while it lasts
        burst = due * cpu_ms
        slow += [stall - j * 1000 / rate + burst + base_ms for j in range(due)]
    slow = sorted(slow)[-total:]
    return percentile(sorted([base_ms] * (total - len(slow)) + slow), pct)


@dataclass(frozen=True)
class Omission:
    """What the experiment found: the closed and open loop's figures, the predictions, and the text."""

    text: str
    closed_p99_ms: float
    open_p99_ms: float
    predicted_p90_ms: float
    predicted_p99_ms: float
    open_p90_ms: float

    @property
    def matches(self) -> bool:
        """True when the open loop's p90 and p99 are within :data:`ACCURACY` of the arithmetic."""
        pairs = ((self.open_p90_ms, self.predicted_p90_ms), (self.open_p99_ms, self.predicted_p99_ms))
        return all(abs(got - want) <= ACCURACY * want for got, want in pairs)

    def to_dict(self) -> dict[str, object]:
        return {
            "closed_p99_ms": round(self.closed_p99_ms, 3),
            "open_p99_ms": round(self.open_p99_ms, 3),
            "open_p90_ms": round(self.open_p90_ms, 3),
            "predicted_p90_ms": round(self.predicted_p90_ms, 3),
            "predicted_p99_ms": round(self.predicted_p99_ms, 3),
            "matches_arithmetic": self.matches,
            "explanation": self.text,
        }


def _median(results: list[LevelResult], figure: str) -> float:
    found = spread(results, lambda r: getattr(r.load.latency, figure))
    return found.median if found else float("nan")


def explain(results: list[LevelResult], stall: Stall, window_s: float) -> Omission | None:
    """The explanation, or None until both loops have a result."""
    closed = [r for r in results if r.mode == "closed"]
    opened = [r for r in results if r.mode == "open"]
    if not closed or not opened:
        return None
    n = stall.count_in(window_s)
    c = closed[0].concurrency
    rate = opened[0].load.target_rps or 0.0
    share_time = n * stall.ms / (window_s * 1000)
    # the usual service time: the open loop's median, which met no stall while stalls fill under half the time
    base = _median(opened, "p50_ms") if share_time < 0.5 else _median(closed, "p50_ms")
    c99, c_max = _median(closed, "p99_ms"), _median(closed, "max_ms")
    o90, o99 = _median(opened, "p90_ms"), _median(opened, "p99_ms")
    cpu = spread(opened, lambda r: r.load.server_cpu_ms_per_request)
    cpu_ms = cpu.median if cpu else 0.0

    def took(run: LevelResult) -> list[float]:  # its stalls as long as they really lasted
        return (run.load.stalls_ms or [stall.ms] * n)[:n]

    p90, p99 = (
        statistics.median(predicted_ms(p, took(r), rate, window_s, base, cpu_ms) for r in opened) for p in (90, 99)
    )
    every = [ms for r in opened for ms in took(r)]
    lasted = sum(every) / len(every) if every else stall.ms
    drain = rate * lasted / 1000 * cpu_ms
    requests = max(1, min(r.load.requests for r in closed))
    stuck = c * n
    ratio = o99 / c99 if c99 > 0 else float("inf")
    really = f", {lasted:,.0f} ms on average as they really lasted," if abs(lasted - stall.ms) >= 1 else ""
    text = (
        f"The server stalled {n} times for {stall.ms:g} ms{really} ({share_time:.0%} of the {window_s:g} s window). "
        f"Closed loop ({c} connections): p99 {c99:,.1f} ms, max {c_max:,.0f} ms. Each connection sat out each "
        f"stall with one request, so only about {stuck:,} of its {requests:,} requests ({stuck / requests:.1%}) "
        f"were timed through a stall{', beyond its p99' if stuck / requests < 0.01 else ''}; the requests it "
        f"would have sent meanwhile were never sent, so never timed. "
        f"Open loop ({rate:,.0f} req/s): the {rate * stall.ms / 1000:,.0f} requests due during each stall were "
        f"timed from when they were due, so {share_time:.0%} of all of them waited. The arithmetic (stall minus "
        f"the share above the percentile times window / stalls, plus the usual {base:,.1f} ms and the "
        f"{drain:,.0f} ms burst that answers the backlog) predicts p90 "
        f"{p90:,.0f} ms and p99 {p99:,.0f} ms; measured {o90:,.0f} and {o99:,.0f} ms. "
    )
    if ratio >= 2:
        text += f"Same server, same stalls: the {ratio:,.0f}x gap in p99 is the closed loop's coordinated omission."
    else:
        text += (
            f"Here the closed loop's p99 is not far below: {stuck / requests:.1%} of its requests met a stall, "
            "enough to reach its p99 (a slow or busy machine makes fewer requests between stalls); with fewer "
            "connections or more requests per second, only the open loop would show it."
        )
    return Omission(text, c99, o99, p90, p99, o90)
