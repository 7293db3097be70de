"""What an experiment is to measure, checked before any server starts.

Kept apart from the runner so the lab screen and the CLI can build and check a plan without loading
the machinery that runs it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from explorer.bench.external import ENGINES, available
from explorer.bench.scenarios import DEFAULT_LEVELS, SCENARIOS, Scenario, Target
from explorer.runtime.errors import ExplorerError

__all__ = ["MAX_CONCURRENCY", "BenchError", "BenchPlan"]

MAX_CONCURRENCY = 1000


class BenchError(ExplorerError):
    """A plan that cannot run (bad option, missing engine) or a server that is not there to measure."""


@dataclass(frozen=True)
class BenchPlan:
    """What to measure and how; :meth:`check` refuses anything that cannot run, before any server starts."""

    scenario: str = "io"
    levels: tuple[int, ...] = DEFAULT_LEVELS
    duration: float = 3.0
    warmup: float = 1.0
    flask_server: str = "gunicorn"  # gunicorn gthread is the fair match; "dev" is the labelled baseline
    engine: str = "builtin"
    workers: int = 1
    threads: int = 8
    timeout: float = 10.0

    def check(self) -> BenchPlan:
        if self.scenario not in SCENARIOS:
            raise BenchError(f"unknown scenario {self.scenario!r}; use {', '.join(SCENARIOS)}")
        if not self.levels or any(not 1 <= c <= MAX_CONCURRENCY for c in self.levels):
            raise BenchError(f"concurrency levels must be between 1 and {MAX_CONCURRENCY}")
        if not 0.1 <= self.duration <= 600 or not 0 <= self.warmup <= 60:
            raise BenchError("duration must be 0.1-600 s and warm-up 0-60 s")
        if self.flask_server not in ("dev", "gunicorn"):
            raise BenchError(f"unknown Flask server {self.flask_server!r}; use dev or gunicorn")
        if self.engine not in ENGINES:
            raise BenchError(f"unknown engine {self.engine!r}; use {', '.join(ENGINES)}")
        if not available(self.engine):
            raise BenchError(f"{self.engine} is not installed (not on PATH); use --engine builtin")
        if not 1 <= self.workers <= 64 or not 1 <= self.threads <= 1000:
            raise BenchError("workers must be 1-64 and threads 1-1000")
        return self

    @property
    def scenario_def(self) -> Scenario:
        return SCENARIOS[self.scenario]

    def steps(self) -> list[tuple[int, Target]]:
        """Every run in order: per level, each route back to back."""
        return [(level, target) for level in self.levels for target in self.scenario_def.targets]

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "levels": list(self.levels)}
