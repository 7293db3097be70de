"""The rate sweep's verdict: the highest rate each framework held, and where it saturated.

A rate is *held* when, in every repeat, the server answered at least 98% of the rate asked, p99
(timed from each request's due time) stayed under the target (``--slo``, by default the scenario's:
100 ms for ``/io?ms=50``), at most 1% of the requests waited over 10 ms for a free connection, and
nothing failed or was left unanswered. The first rate not held is where the framework *saturated*,
and the figure given is the most it answered there or above (its capacity under this server), e.g.
"FastAPI held 900 req/s under 100 ms p99; Flask (gunicorn gthread, 1 worker x 8 threads) saturated
at 160". When the client's own timer sent over 1% of a run late, the sweep measured the client and
gives no verdict (:func:`client_behind`).
"""

from __future__ import annotations

from dataclasses import dataclass

from explorer.bench.levels import LevelResult, spread

__all__ = ["HOLD_SHARE", "LATE_SHARE", "Saturation", "client_behind", "describe", "held", "saturation"]

HOLD_SHARE = 0.98  # achieved at least this share of the rate asked
LATE_SHARE = 0.01  # at most this share of the requests sent late


def held(result: LevelResult, slo_ms: float) -> str | None:
    """None when this run held its rate, else why not, in a few words."""
    load, asked = result.load, result.load.target_rps or 0.0
    unanswered = int(load.open_loop.get("dropped") or 0) + int(load.open_loop.get("unanswered") or 0)
    if load.error_count or unanswered:
        return f"{load.error_count + unanswered:,} failed or unanswered"
    if load.rps < HOLD_SHARE * asked:
        return f"answered {load.rps:,.0f} req/s"
    if not load.latency.p99_ms <= slo_ms:  # NaN (nothing answered) is not held either
        return f"p99 {load.latency.p99_ms:,.0f} ms"
    scheduled = int(load.open_loop.get("scheduled") or 0)
    queued = int(load.open_loop.get("late") or 0) - int(load.open_loop.get("late_client") or 0)
    if scheduled and queued > LATE_SHARE * scheduled:
        return f"{queued:,} of {scheduled:,} waited over 10 ms for a free connection"
    return None


def client_behind(results: list[LevelResult]) -> str | None:
    """Why an open-loop sweep measured its own client: its timer sent over 1% of a run's requests late."""
    behind = [
        (r, int(r.load.open_loop.get("late_client") or 0), int(r.load.open_loop.get("scheduled") or 0))
        for r in results
        if r.mode == "open"
    ]
    worst = max(behind, key=lambda b: b[1] / b[2] if b[2] else 0.0, default=None)
    if worst is None or not worst[2] or worst[1] <= LATE_SHARE * worst[2]:
        return None
    r, late, scheduled = worst
    return (
        f"the load client fell behind its own schedule ({late:,} of {scheduled:,} requests to {r.target.key} at "
        f"{r.level:,.0f} req/s went out over 10 ms late, with connections free), so the latencies include the "
        "client's delay; run on a quieter machine or at a lower rate"
    )


@dataclass(frozen=True)
class Saturation:
    """One route over the sweep: the highest rate held (in every repeat), and where it stopped holding."""

    key: str
    held_rps: float | None  # the highest rate asked that was held, every rate below it held too
    failed_rps: float | None  # the first rate asked that was not held
    capacity_rps: float | None  # the most answered (median of repeats) at the failing rate or above
    reason: str  # why the failing rate was not held ("p99 2,150 ms")
    p99_ms: float | None  # p99 (median of repeats) at the held rate
    highest_asked: float

    def to_dict(self) -> dict[str, object]:
        return {
            "target": self.key,
            "held_rps": self.held_rps,
            "saturated_at_rps": self.capacity_rps,
            "failed_rate": self.failed_rps,
            "reason": self.reason,
            "p99_ms_at_held": self.p99_ms,
            "highest_rate_asked": self.highest_asked,
        }


def saturation(results: list[LevelResult], key: str, slo_ms: float) -> Saturation | None:
    """Walk the rates upwards for route ``key``; None when it has no open-loop result."""
    runs = [r for r in results if r.target.key == key and r.mode in ("open", "paced")]
    if not runs:
        return None
    rates = sorted({r.level for r in runs})
    best: float | None = None
    best_p99: float | None = None
    for index, rate in enumerate(rates):
        at = [r for r in runs if r.level == rate]
        reasons = [why for r in at if (why := held(r, slo_ms))]
        if not reasons:
            best = rate
            p99 = spread(at, lambda r: r.load.latency.p99_ms)
            best_p99 = p99.median if p99 else None
            continue
        above = [r for r in runs if r.level >= rate]
        medians = (spread([r for r in above if r.level == lv], lambda r: r.rps) for lv in rates[index:])
        capacity = max((s.median for s in medians if s is not None), default=None)
        return Saturation(key, best, rate, capacity, reasons[0], best_p99, rates[-1])
    return Saturation(key, best, None, None, "", best_p99, rates[-1])


def describe(sat: Saturation, name: str, slo_ms: float) -> str:
    """'FastAPI held 1,000 req/s under 60 ms p99 (every rate asked)' or '... saturated at 157 req/s (...)'."""
    if sat.failed_rps is None:
        return f"{name} held every rate asked, up to {sat.held_rps:,.0f} req/s, under {slo_ms:g} ms p99"
    head = (
        f"{name} held {sat.held_rps:,.0f} req/s under {slo_ms:g} ms p99 and"
        if sat.held_rps is not None
        else f"{name} held none of the rates asked:"
    )
    capacity = f"{sat.capacity_rps:,.0f} req/s" if sat.capacity_rps is not None else "nothing"
    return f"{head} saturated at {capacity} (asked {sat.failed_rps:,.0f}: {sat.reason})"
