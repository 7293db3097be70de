"""A whole experiment: both servers, every level, every route of a scenario, under the same conditions.

Fairness is built in: the same engine, concurrency, duration, warm-up and path for each framework;
at each level the frameworks run back to back, so a noisy neighbour on the machine hits both alike;
the health probe is paused while load runs (it would add requests and could mark a busy server
"unresponsive"); every figure carries the server settings that produced it.
"""

from __future__ import annotations

from collections.abc import Callable

from explorer.bench.loadgen import LoadConfig, LoadProgress, run_load
from explorer.bench.plan import BenchError, BenchPlan
from explorer.bench.results import BenchEvent, BenchReport, LevelResult
from explorer.bench.scenarios import Target
from explorer.runtime.servers import Supervisor
from explorer.runtime.specs import ServerState, demo_spec

__all__ = ["EventCallback", "run_bench"]

EventCallback = Callable[[BenchEvent], None]


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
