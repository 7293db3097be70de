"""The coordinated-omission experiment's explanation, computed from its figures.

One server stalls ``n`` times for ``S`` ms inside a window of ``W`` ms (:class:`~explorer.bench.scenarios.Stall`).
An open loop at a rate the server can otherwise keep up with times every request from when it was
due, so a request due ``t`` ms into a stall waits ``S - t`` ms (plus the usual service time ``b``):
the share of requests slower than ``x`` is ``n (S - x) / W``, and the p-th percentile is
``S - (1 - p) W / n + b`` while that is above ``b``, plus half the time the server takes to answer
the backlog a stall leaves (:func:`predicted_ms`). A closed loop of ``c`` connections sends nothing
new during a stall: each connection has one request stuck in it, so only about ``c n`` of all its
requests are timed through a stall, and when that is under 1% its p99 never sees one.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, replace

from explorer.bench.levels import LevelResult, spread
from explorer.bench.scenarios import Stall

__all__ = ["ACCURACY", "Omission", "explain", "predicted_ms"]

ACCURACY = 0.10  # the arithmetic's percentiles and the measured ones agree within this share


def predicted_ms(pct: float, stall: Stall, window_s: float, base_ms: float, drain_ms: float = 0.0) -> float:
    """The open loop's p-th percentile that the arithmetic above predicts.

    ``drain_ms`` is how long the server takes to answer the backlog one stall leaves (the requests
    due during it, times the server's CPU per request). It answers them in the order their
    connections turn readable, not the order they were sent, so each waits half of it on average:
    ``S - (1 - p) W / n + b + drain / 2``.
    """
    n = stall.count_in(window_s)
    if n <= 0:
        return base_ms
    above = (1 - pct / 100) * window_s * 1000 / n
    return max(base_ms, stall.ms - above + base_ms + drain_ms / 2) if above < stall.ms else base_ms


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
        return all(abs(got - want) <= ACCURACY * want
                   for got, want in ((self.open_p90_ms, self.predicted_p90_ms), (self.open_p99_ms, self.predicted_p99_ms)))  # fmt: skip

    def to_dict(self) -> dict[str, object]:
        return {"closed_p99_ms": round(self.closed_p99_ms, 3), "open_p99_ms": round(self.open_p99_ms, 3),
                "open_p90_ms": round(self.open_p90_ms, 3), "predicted_p90_ms": round(self.predicted_p90_ms, 3),
                "predicted_p99_ms": round(self.predicted_p99_ms, 3), "matches_arithmetic": self.matches,
                "explanation": self.text}  # fmt: skip


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
    took = sorted(ms for r in opened for ms in r.load.stalls_ms)
    real = replace(stall, ms=statistics.median(took)) if took else stall  # the stall the server really made
    cpu = spread(opened, lambda r: r.load.server_cpu_ms_per_request)
    drain = rate * real.ms / 1000 * cpu.median if cpu else 0.0
    p90, p99 = predicted_ms(90, real, window_s, base, drain), predicted_ms(99, real, window_s, base, drain)
    requests = max(1, min(r.load.requests for r in closed))
    stuck = c * n
    ratio = o99 / c99 if c99 > 0 else float("inf")
    lasted = f" (each took {real.ms:,.0f} ms to answer)" if took and abs(real.ms - stall.ms) >= 1 else ""
    text = (
        f"The server stalled {n} times for {stall.ms:g} ms{lasted} ({share_time:.0%} of the {window_s:g} s window). "
        f"Closed loop ({c} connections): p99 {c99:,.1f} ms, max {c_max:,.0f} ms. Each connection sat out each "
        f"stall with one request, so only about {stuck:,} of its {requests:,} requests ({stuck / requests:.1%}) "
        f"were timed through a stall{', beyond its p99' if stuck / requests < 0.01 else ''}; the requests it "
        f"would have sent meanwhile were never sent, so never timed. "
        f"Open loop ({rate:,.0f} req/s): the {rate * stall.ms / 1000:,.0f} requests due during each stall were "
        f"timed from when they were due, so {share_time:.0%} of all of them waited. The arithmetic (stall minus "
        f"the share above the percentile times window / stalls, plus the usual {base:,.1f} ms and half the "
        f"{drain:,.0f} ms the backlog takes to answer) predicts p90 "
        f"{p90:,.0f} ms and p99 {p99:,.0f} ms; measured {o90:,.0f} and {o99:,.0f} ms. "
    )
    if ratio >= 2:
        text += f"Same server, same stalls: the {ratio:,.0f}x gap in p99 is the closed loop's coordinated omission."
    else:
        text += (f"Here the closed loop's p99 is not far below: {stuck / requests:.1%} of its requests met a stall, "
                 "enough to reach its p99 (a slow or busy machine makes fewer requests between stalls); with fewer "
                 "connections or more requests per second, only the open loop would show it.")  # fmt: skip
    return Omission(text, c99, o99, p90, p99, o90)
