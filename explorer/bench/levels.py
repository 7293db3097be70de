"""One route's result at one level, and the events a front end hears while an experiment runs.

Plain data, below everything that reads it (the verdicts in :mod:`explorer.bench.results`,
:mod:`explorer.bench.saturation` and :mod:`explorer.bench.omission`, the spreads of repeats in
:mod:`explorer.bench.spread`), so none of those needs the report to exist to do its job.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from explorer.bench.loadgen import LoadProgress, LoadResult
from explorer.bench.scenarios import Target
from explorer.runtime.servers.specs import ServerSpec

__all__ = ["BenchEvent", "LevelResult", "Spread", "spread"]


@dataclass(frozen=True)
class LevelResult:
    """One route at one level (a concurrency, or a rate for the open loop), with the server that produced it."""

    target: Target
    server: ServerSpec
    load: LoadResult
    bound_rps: float | None = None
    repeat: int = 0  # which of the ``--repeat`` runs, from 0

    @property
    def concurrency(self) -> int:
        return self.load.concurrency

    @property
    def mode(self) -> str:
        return self.load.mode

    @property
    def level(self) -> float:
        """The rate asked for (open loop) or the concurrency (closed loop): what results are keyed by."""
        return float(self.load.target_rps) if self.load.target_rps is not None else float(self.load.concurrency)

    @property
    def rps(self) -> float:
        return self.load.rps

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target.key,
            "framework": self.target.framework,
            "route": self.target.route,
            "path": self.target.path,
            "level": self.level,
            "repeat": self.repeat,
            **self.load.to_dict(),
            "bound_rps": self.bound_rps,
            "server": self.server.to_dict(),
        }


@dataclass(frozen=True)
class BenchEvent:
    """What a front end hears while an experiment runs.

    ``kind``: ``servers`` (starting them), ``run`` (a run begins), ``progress`` (``load`` is set),
    ``result`` (a run ended; ``result`` is set). ``step`` counts runs from 0 out of ``steps``;
    ``rate`` is set for an open-loop run.
    """

    kind: str
    step: int
    steps: int
    target: Target | None = None
    concurrency: int | None = None
    load: LoadProgress | None = None
    result: LevelResult | None = None
    fraction: float = 0.0  # of the whole experiment, 0..1: for one progress bar
    rate: float | None = None
    repeat: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "step": self.step,
            "steps": self.steps,
            "fraction": round(self.fraction, 4),
            "target": self.target.key if self.target else None,
            "concurrency": self.concurrency,
            "rate": self.rate,
            "repeat": self.repeat,
            "load": self.load.to_dict() if self.load else None,
            "result": self.result.to_dict() if self.result else None,
        }


@dataclass(frozen=True)
class Spread:
    """One figure over the repeats of a run: the smallest, the median and the largest, and how many."""

    low: float
    median: float
    high: float
    n: int

    @property
    def width(self) -> float:
        """How wide the range is, as a share of its median (0.41 for 41%): the run-to-run noise it shows."""
        return (self.high - self.low) / self.median if self.median > 0 else 0.0

    def to_dict(self) -> dict[str, float | int]:
        return {"min": round(self.low, 4), "median": round(self.median, 4), "max": round(self.high, 4), "n": self.n}


def spread(results: Iterable[LevelResult], figure: Callable[[LevelResult], float | None]) -> Spread | None:
    """The spread of ``figure`` over ``results`` (NaN and missing values left out); None when none has it."""
    values = sorted(v for r in results if (v := figure(r)) is not None and v == v)
    if not values:
        return None
    return Spread(values[0], statistics.median(values), values[-1], len(values))
