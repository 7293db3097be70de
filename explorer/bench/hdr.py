"""The open loop's latency record: an HDR histogram (the ``hdrhistogram`` package), 1 µs to 1 hour, 3 digits.

Why the package and not our own: it installs from PyPI as pure Python on 3.11, records a value in
under a microsecond here (0.9 µs, measured on the development machine), and is the reference
implementation of what wrk2 and most latency tools report, so our figures mean what theirs do.

Its guarantees, which the open-loop figures inherit: every value from 1 µs to 1 hour is counted
exactly once, in a bucket no wider than 0.1% of the value (three significant digits), so any
percentile is the recorded value at that rank to within 0.1%; memory is fixed (~200 KiB) whatever
the number of requests. The maximum is also tracked exactly, apart from the histogram.

The closed loop keeps every latency instead (its percentiles are exact); both summarise into the same
:class:`~explorer.bench.stats.LatencySummary`.
"""

from __future__ import annotations

import math

from hdrh.histogram import HdrHistogram

from explorer.bench.stats import LatencySummary, LogHistogram

__all__ = ["HIGHEST_US", "LatencyHistogram"]

HIGHEST_US = 3_600_000_000  # one hour: anything longer is clamped (and a request that old timed out long before)
_DIGITS = 3


class LatencyHistogram:
    """Latencies in seconds in, milliseconds out; ``record`` costs about a microsecond."""

    def __init__(self) -> None:
        self._hdr = HdrHistogram(1, HIGHEST_US, _DIGITS)
        self.max_s = 0.0

    @property
    def count(self) -> int:
        return int(self._hdr.get_total_count())

    def record(self, seconds: float) -> None:
        us = int(seconds * 1e6 + 0.5)
        self._hdr.record_value(1 if us < 1 else HIGHEST_US if us > HIGHEST_US else us)
        if seconds > self.max_s:
            self.max_s = seconds

    def percentile_ms(self, pct: float) -> float:
        """The recorded value at this percentile (HdrHistogram's rank rule), within 0.1%; NaN when empty."""
        if not self.count:
            return math.nan
        return min(self._hdr.get_value_at_percentile(pct) / 1000, self.max_s * 1000)

    def summary(self) -> LatencySummary:
        if not self.count:
            return LatencySummary.empty()
        p50, p90, p99, p999 = (self.percentile_ms(p) for p in (50, 90, 99, 99.9))
        return LatencySummary(self.count, p50, p90, p99, self.max_s * 1000, self._hdr.get_mean_value() / 1000, p999)

    def to_list(self) -> list[list[float]]:
        """``[[upper_ms, count], ...]`` in the same ~6% buckets as the closed loop's: small enough for a plot."""
        coarse = LogHistogram()
        for item in self._hdr.get_recorded_iterator():
            index = LogHistogram.bucket(item.value_iterated_to / 1e6)
            coarse.counts[index] = coarse.counts.get(index, 0) + int(item.count_at_value_iterated_to)
        return coarse.to_list()
