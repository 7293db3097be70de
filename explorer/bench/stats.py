"""Latency statistics: exact percentiles from every kept latency, and a log histogram for plots and live figures.

The load process keeps every latency of the measured window, so the final p50/p90/p99/max are exact,
not interpolated from buckets. The histogram (about 6% wide buckets, like a coarse HDR histogram) is
cheap to update while the run goes on, gives live percentiles to the progress line, and is small
enough to ship to a UI for a latency plot.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

PERCENTILES = (50, 90, 99, 99.9)
CLIENT_BOUND_UTILISATION = 0.9  # a load process using 90% of one core may be the bottleneck itself
# Error kinds that are the load client's own failures, not the server's: the load never ran as asked.
CLIENT_ERRORS = {"emfile": "too many open files (EMFILE)", "ports": "no free local port (EADDRNOTAVAIL)"}
_PER_DECADE = 40  # bucket width: 10 ** (1/40) ≈ 1.059
_MIN_US = 1.0  # the first bucket holds everything below 1 µs


def client_cost(cpu: float, window: float, requests: int) -> dict[str, Any]:
    """What the client's own CPU cost in the measured window, per request and as a share of one core."""
    return {
        "client_cpu_s": round(cpu, 4),
        "client_cpu_ms_per_request": round(cpu * 1000 / requests, 4) if requests else None,
        "client_cpu_utilisation": round(cpu / window, 3) if window > 0 else None,
        "client_bound": window > 0 and cpu / window >= CLIENT_BOUND_UTILISATION,
    }


def percentile(sorted_values: Sequence[float], pct: float) -> float:
    """The nearest-rank percentile (a value that was really observed), as wrk and HdrHistogram report it."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


@dataclass(frozen=True)
class LatencySummary:
    """Milliseconds: nearest-rank percentiles, the maximum and the mean of ``count`` latencies."""

    count: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    p999_ms: float = math.nan  # p99.9: last, so summaries built before it existed still read

    @classmethod
    def empty(cls) -> LatencySummary:
        return cls(0, math.nan, math.nan, math.nan, math.nan, math.nan)

    @classmethod
    def of_seconds(cls, latencies: Iterable[float]) -> LatencySummary:
        """Summarise latencies given in seconds (sorts a copy)."""
        values = sorted(latencies)
        if not values:
            return cls.empty()
        p50, p90, p99, p999 = (percentile(values, p) * 1000 for p in PERCENTILES)
        return cls(len(values), p50, p90, p99, values[-1] * 1000, sum(values) / len(values) * 1000, p999)

    @classmethod
    def from_dict(cls, lat: dict[str, Any]) -> LatencySummary:
        """The inverse of :meth:`to_dict` (missing or null figures become NaN)."""

        def num(key: str) -> float:
            value = lat.get(key)
            return math.nan if value is None else float(value)

        count = int(lat.get("count") or 0)
        return cls(count, num("p50_ms"), num("p90_ms"), num("p99_ms"), num("max_ms"), num("mean_ms"), num("p999_ms"))

    def to_dict(self) -> dict[str, float | int | None]:
        def ms(value: float) -> float | None:
            return None if math.isnan(value) else round(value, 3)

        return {
            "count": self.count,
            "p50_ms": ms(self.p50_ms),
            "p90_ms": ms(self.p90_ms),
            "p99_ms": ms(self.p99_ms),
            "p999_ms": ms(self.p999_ms),
            "max_ms": ms(self.max_ms),
            "mean_ms": ms(self.mean_ms),
        }


class LogHistogram:
    """Counts of latencies in log-spaced buckets; every bucket's upper edge is 10 ** (1/40) times the last."""

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}
        self.total = 0
        self.max_s = 0.0

    @staticmethod
    def bucket(seconds: float) -> int:
        us = seconds * 1e6
        return 0 if us <= _MIN_US else math.ceil(math.log10(us / _MIN_US) * _PER_DECADE)

    @staticmethod
    def upper_ms(bucket: int) -> float:
        """The bucket's upper edge in milliseconds."""
        return _MIN_US * 10 ** (bucket / _PER_DECADE) / 1000

    def add_many(self, latencies: Iterable[float]) -> None:
        counts = self.counts
        for value in latencies:
            index = self.bucket(value)
            counts[index] = counts.get(index, 0) + 1
            self.total += 1
            self.max_s = max(self.max_s, value)

    def percentile_ms(self, pct: float) -> float:
        """The upper edge of the bucket holding the nearest-rank percentile (at most ~6% high)."""
        if not self.total:
            return math.nan
        rank = max(1, math.ceil(pct / 100 * self.total))
        seen = 0
        for index in sorted(self.counts):
            seen += self.counts[index]
            if seen >= rank:
                return min(self.upper_ms(index), self.max_s * 1000)
        return self.max_s * 1000

    def to_list(self) -> list[list[float]]:
        """``[[upper_ms, count], ...]`` for the non-empty buckets, in order: what a plot needs."""
        return [[round(self.upper_ms(i), 4), self.counts[i]] for i in sorted(self.counts)]


class SoFar:
    """Live percentiles for the progress events: the latencies kept so far, sorted in place on each tick.

    Timsort merges the tick's new run into the sorted rest in about linear time, in C; a histogram
    updated answer by answer cost 1.7 µs each in Python (5% of the client's CPU per request). The
    order of the kept latencies matters to nothing else; the histogram is built after the window.
    """

    def __init__(self, latencies: list[float]) -> None:
        self.latencies = latencies

    @property
    def max_s(self) -> float:
        return self.latencies[-1] if self.latencies else 0.0

    def percentile_ms(self, pct: float) -> float:
        return percentile(self.latencies, pct) * 1000
