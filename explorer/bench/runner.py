"""A whole experiment: the servers, every level, every route of a scenario, under the same conditions.

Fairness is built in: the same engine, concurrency or rate, duration, warm-up and path for each
framework and server; at each level the routes run back to back, and repeats go round the whole
plan again, so a noisy neighbour on the machine hits every route alike; the health probe is paused
while load runs (it would add requests and could mark a busy server "unresponsive"); every figure
carries the server settings that produced it, and the server's CPU and memory over the window. Servers
the lab starts itself run on fresh processes for each repeat, on cores apart from the load client's
(:mod:`explorer.bench.affinity`), so where the scheduler puts them does not change from start to start.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from explorer.apps.bundled import lab_spec
from explorer.bench.affinity import pin_tree, split_cores
from explorer.bench.disturbed import MIN_STARTS, Reruns
from explorer.bench.levels import BenchEvent, LevelResult
from explorer.bench.loadgen import LoadConfig, LoadProgress, run_load
from explorer.bench.plan import BenchError, BenchPlan, Step
from explorer.bench.results import BenchReport, verdict
from explorer.bench.stages import two_stage
from explorer.runtime.servers.specs import ServerSpec, ServerState
from explorer.runtime.servers.supervisor import ManagedServer, Supervisor

__all__ = ["EventCallback", "level_to_extend", "run_bench", "spec_for"]

EventCallback = Callable[[BenchEvent], None]


def _pinning(servers: dict[str, ManagedServer]) -> tuple[frozenset[int], frozenset[int]] | None:
    """The load client's core and the servers' (:mod:`explorer.bench.affinity`) when every server is a single
    process; None (left to the scheduler) when one has several workers, or there is one core."""
    if any(server.spec.workers != 1 for server in servers.values()):
        return None
    return split_cores()


def _pin_servers(servers: dict[str, ManagedServer], cores: frozenset[int]) -> None:
    for server in servers.values():
        if server.status.pid is not None:
            pin_tree(server.status.pid, cores)


async def _fresh_servers(servers: dict[str, ManagedServer]) -> None:
    """A new process for each server before the next repeat.

    A server's speed differs from one start to the next (measured: Flask on granian kept 0.125-0.13 ms of CPU
    a request in most starts and 0.14-0.15 ms in one, in all three of that start's repeats): repeats against
    one instance would show a spread narrower than the next run meets, and a verdict that flips. Repeats on
    fresh instances measure the spread a rerun sees.
    """
    await asyncio.gather(*(server.restart() for server in servers.values()))
    for server in servers.values():
        server.monitoring = False


def _fraction(plan: BenchPlan, step: int, total_steps: int, progress: LoadProgress | None) -> float:
    per_step = plan.warmup + plan.duration
    within = 0.0
    if progress is not None:
        within = (
            progress.fraction * plan.warmup
            if progress.phase == "warmup"
            else plan.warmup + progress.fraction * plan.duration
        )
    total = total_steps * per_step
    return round(min(1.0, (step * per_step + within) / total), 6) if total > 0 else 0.0


def level_to_extend(report: BenchReport) -> float | None:
    """The verdict's level when a two-stage report's first starts leave it open (:func:`explorer.bench.stages.
    inconclusive`); None when they settle it, when no verdict is read, or when the report has one stage."""
    if report.stages is None or report.stages.stage != 1 or report.plan.open_loop:
        return None
    said = verdict(report)
    return said.level if said.inconclusive else None


def _next_repeat(report: BenchReport) -> int:
    """The number the next fresh start takes: one past every start so far, set-aside ones included."""
    aside = report.reruns.set_aside if report.reruns else []
    return 1 + max((r.repeat for r in [*report.results, *(s.result for s in aside)]), default=-1)


def _second_stage(plan: BenchPlan, report: BenchReport) -> list[Step]:
    """The added starts, if the first stage left the verdict open: its level only, every route, as many more
    repeats as planned (so 5 -> 10), numbered on from the starts so far; a level it refused is not rerun."""
    level = level_to_extend(report)
    if level is None or report.stages is None:
        return []
    report.stages = report.stages.extended(level, plan.repeat)
    first = _next_repeat(report)
    return plan.steps(range(first, first + plan.repeat), int(level))


def _planned(plan: BenchPlan, report: BenchReport, level: float) -> int:
    """Starts planned at ``level``: the repeats, and the second stage's where it ran."""
    stages = report.stages
    return plan.repeat + (stages.added if stages is not None and stages.level == level else 0)


def _more_steps(plan: BenchPlan, report: BenchReport) -> list[Step]:
    """What runs once the steps so far are done. Disturbed starts first (:mod:`explorer.bench.disturbed`): one
    fresh start reruns each route and level that had one, so the second stage's decision reads the starts the
    verdict will read (a disturbed start widens the interval and would otherwise cost five added starts, not
    one); then the second stage, once; then the reruns its starts call for."""
    if report.reruns is not None:
        todo = report.reruns.review(report.results, lambda level: _planned(plan, report, level))
        if todo:
            rep = _next_repeat(report)
            return [
                step
                for level in plan.levels
                for step in plan.steps(range(rep, rep + 1), level)
                if step.target.key in todo.get(float(level), [])
            ]
    if report.stages is not None and report.stages.stage == 1:
        return _second_stage(plan, report)
    return []


def spec_for(plan: BenchPlan, server_key: str) -> ServerSpec:
    """The lab server behind ``flask``, ``fastapi`` or ``flask@gevent``-style keys of this plan: the lab
    routes on a bare app, so nothing the scenario does not measure is on their path."""
    framework, _, server = server_key.partition("@")
    server = server or plan.servers_for(framework)[0]
    return lab_spec(framework, server, plan.workers, plan.threads)


def _config(plan: BenchPlan, step: Step, port: int, pid: int | None) -> LoadConfig:
    stall = plan.scenario_def.stall
    return LoadConfig(
        port,
        step.target.path,
        step.concurrency,
        plan.duration,
        plan.warmup,
        plan.engine,
        plan.timeout,
        rate=step.rate,
        connections=plan.connections,
        server_pid=pid,
        stall_path=stall.path if stall else None,
        stall_every=stall.every_s if stall else 1.0,
        stall_offset=stall.offset_s if stall else 0.0,
        stall_ms=stall.ms if stall else 0.0,
    )


async def run_bench(
    plan: BenchPlan, on_event: EventCallback | None = None, supervisor: Supervisor | None = None
) -> BenchReport:
    """Run the experiment; with no ``supervisor``, start the servers it needs and stop them after.

    A given supervisor must hold a ready server for each framework (one server per framework); it is
    left running. Cancelling the awaiting task kills the load process and (if started here) the servers.
    """
    plan.check()
    emit = on_event or (lambda event: None)
    steps = plan.steps()
    keys = list(dict.fromkeys(t.server_key for t in plan.targets()))
    own = supervisor is None
    if supervisor is None:
        servers = {key: ManagedServer(spec_for(plan, key)) for key in keys}
    else:
        servers = {key: supervisor[key.partition("@")[0]] for key in keys}
    report = BenchReport(plan, {key: server.spec for key, server in servers.items()})
    report.stages = two_stage(plan) if own else None  # a running app's servers: repeats on one start, one stage
    if own and plan.rerun and plan.repeat >= MIN_STARTS and not plan.open_loop and plan.scenario != "stall":
        report.reruns = Reruns(plan.rerun_factor)
    pinned = _pinning(servers) if own else None
    if pinned is not None:
        report.cpu_affinity = {"load": sorted(pinned[0]), "servers": sorted(pinned[1])}
    monitoring = {key: server.monitoring for key, server in servers.items()}
    try:
        if own:
            emit(BenchEvent("servers", 0, len(steps)))
            await asyncio.gather(*(server.start() for server in servers.values()))
            report.server_starts = 1
            if pinned is not None:
                _pin_servers(servers, pinned[1])
        for server in servers.values():
            server.monitoring = False
        index = 0
        while index < len(steps):
            step = steps[index]
            if own and index and step.repeat != steps[index - 1].repeat:
                await _fresh_servers(servers)
                report.server_starts += 1
                if pinned is not None:
                    _pin_servers(servers, pinned[1])
            server = servers[step.target.server_key]
            status = server.status
            if status.state is not ServerState.READY or status.port is None:
                raise BenchError(f"the {step.target.server_key} server is not ready ({status.describe()})")
            where: dict[str, Any] = {
                "target": step.target,
                "concurrency": step.concurrency,
                "rate": step.rate,
                "repeat": step.repeat,
            }
            emit(BenchEvent("run", index, len(steps), fraction=_fraction(plan, index, len(steps), None), **where))

            def relay(
                progress: LoadProgress, index: int = index, where: dict[str, Any] = where, total: int = len(steps)
            ) -> None:
                emit(
                    BenchEvent(
                        "progress",
                        index,
                        total,
                        load=progress,
                        fraction=_fraction(plan, index, total, progress),
                        **where,
                    )
                )

            def started(pid: int) -> None:
                if pinned is not None:
                    pin_tree(pid, pinned[0])

            load = await run_load(_config(plan, step, status.port, status.pid), on_progress=relay, on_started=started)
            bound = plan.scenario_def.bound_rps(step.concurrency) if step.rate is None else None
            result = LevelResult(step.target, server.spec, load, bound, repeat=step.repeat)
            report.results.append(result)
            emit(
                BenchEvent(
                    "result",
                    index,
                    len(steps),
                    result=result,
                    fraction=_fraction(plan, index + 1, len(steps), None),
                    **where,
                )
            )
            index += 1
            if index == len(steps):
                steps += _more_steps(plan, report)  # the events' total grows with it: no bar passes 100%
        report.complete = True
        return report
    finally:
        for key, was in monitoring.items():
            servers[key].monitoring = was
        if own:
            await asyncio.gather(*(server.stop() for server in servers.values()))
