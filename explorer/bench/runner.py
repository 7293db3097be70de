"""A whole experiment: both servers, every level, every route of a scenario, under the same conditions.

Fairness is built in: the same engine, concurrency, duration, warm-up and path for each framework;
at each level the frameworks run back to back, so a noisy neighbour on the machine hits both alike;
the health probe is paused while load runs (it would add requests and could mark a busy server
"unresponsive"); every figure carries the server settings that produced it.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from explorer.bench.external import ENGINES, available
from explorer.bench.loadgen import LoadConfig, LoadProgress, LoadResult, run_load
from explorer.bench.scenarios import DEFAULT_LEVELS, SCENARIOS, Scenario, Target
from explorer.runtime.errors import ExplorerError
from explorer.runtime.servers import ServerSpec, ServerState, Supervisor, demo_spec

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


@dataclass(frozen=True)
class LevelResult:
    """One route at one concurrency level, with the server settings that produced it."""

    target: Target
    server: ServerSpec
    load: LoadResult
    bound_rps: float | None = None

    @property
    def concurrency(self) -> int:
        return self.load.concurrency

    @property
    def rps(self) -> float:
        return self.load.rps

    def to_dict(self) -> dict[str, Any]:
        return {"target": self.target.key, "framework": self.target.framework, "route": self.target.route,
                "path": self.target.path, **self.load.to_dict(), "bound_rps": self.bound_rps,
                "server": self.server.to_dict()}  # fmt: skip


@dataclass(frozen=True)
class BenchEvent:
    """What a front end hears while an experiment runs.

    ``kind``: ``servers`` (starting them), ``run`` (a run begins), ``progress`` (``load`` is set),
    ``result`` (a run ended; ``result`` is set). ``step`` counts runs from 0 out of ``steps``.
    """

    kind: str
    step: int
    steps: int
    target: Target | None = None
    concurrency: int | None = None
    load: LoadProgress | None = None
    result: LevelResult | None = None
    fraction: float = 0.0  # of the whole experiment, 0..1: for one progress bar

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "step": self.step, "steps": self.steps, "fraction": round(self.fraction, 4),
                "target": self.target.key if self.target else None, "concurrency": self.concurrency,
                "load": self.load.to_dict() if self.load else None,
                "result": self.result.to_dict() if self.result else None}  # fmt: skip


EventCallback = Callable[[BenchEvent], None]


@dataclass
class BenchReport:
    """Every result of one experiment, the settings, the machine, and the verdict computed from them."""

    plan: BenchPlan
    servers: dict[str, ServerSpec]
    results: list[LevelResult] = field(default_factory=list)
    started_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    complete: bool = False

    @property
    def scenario(self) -> Scenario:
        return self.plan.scenario_def

    def get(self, target: str, level: int) -> LevelResult | None:
        return next((r for r in self.results if r.target.key == target and r.concurrency == level), None)

    def verdict(self) -> str:
        from explorer.bench.verdicts import verdict

        return verdict(self).text

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario.to_dict(),
            "plan": self.plan.to_dict(),
            "engine": self.plan.engine,
            "servers": {fw: spec.to_dict() for fw, spec in self.servers.items()},
            "machine": machine(),
            "started_at": self.started_at,
            "complete": self.complete,
            "verdict": self.verdict(),
            "results": [r.to_dict() for r in self.results],
        }


def machine() -> dict[str, Any]:
    """Where the figures come from: they mean little without it."""
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(terse=True)}


def _fraction(plan: BenchPlan, step: int, progress: LoadProgress | None) -> float:
    per_step = plan.warmup + plan.duration
    within = 0.0
    if progress is not None:
        within = (
            progress.fraction * plan.warmup
            if progress.phase == "warmup"
            else plan.warmup + progress.fraction * plan.duration
        )
    total = len(plan.steps()) * per_step
    return round(min(1.0, (step * per_step + within) / total), 6) if total > 0 else 0.0


async def run_bench(
    plan: BenchPlan, on_event: EventCallback | None = None, supervisor: Supervisor | None = None
) -> BenchReport:
    """Run the experiment; with no ``supervisor``, start both demo servers for it and stop them after.

    A given supervisor must hold ready servers for the scenario's frameworks; it is left running.
    Cancelling the awaiting task kills the load process and (if started here) the servers.
    """
    plan.check()
    emit = on_event or (lambda event: None)
    steps = plan.steps()
    own = supervisor is None
    if supervisor is None:
        supervisor = Supervisor(
            [demo_spec("flask", plan.flask_server, plan.workers, plan.threads), demo_spec("fastapi")]
        )
    frameworks = list(dict.fromkeys(t.framework for _, t in steps))
    report = BenchReport(plan, {fw: supervisor[fw].spec for fw in frameworks})
    monitoring = {fw: supervisor[fw].monitoring for fw in frameworks}
    try:
        if own:
            emit(BenchEvent("servers", 0, len(steps)))
            await supervisor.start_all()
        for fw in frameworks:
            supervisor[fw].monitoring = False
        for step, (level, target) in enumerate(steps):
            server = supervisor[target.framework]
            status = server.status
            if status.state is not ServerState.READY or status.port is None:
                raise BenchError(f"the {target.framework} server is not ready ({status.describe()})")
            emit(BenchEvent("run", step, len(steps), target, level, fraction=_fraction(plan, step, None)))

            def relay(progress: LoadProgress, step: int = step, target: Target = target, level: int = level) -> None:
                emit(BenchEvent("progress", step, len(steps), target, level, load=progress,
                                fraction=_fraction(plan, step, progress)))  # fmt: skip

            config = LoadConfig(status.port, target.path, level, plan.duration, plan.warmup, plan.engine, plan.timeout)
            load = await run_load(config, on_progress=relay)
            result = LevelResult(target, server.spec, load, plan.scenario_def.bound_rps(level))
            report.results.append(result)
            emit(
                BenchEvent(
                    "result", step, len(steps), target, level, result=result, fraction=_fraction(plan, step + 1, None)
                )
            )
        report.complete = True
        return report
    finally:
        for fw, was in monitoring.items():
            supervisor[fw].monitoring = was
        if own:
            await supervisor.stop_all()
