"""What an experiment produced: each route's result at each level, the events on the way, the report,
and the verdict computed from its figures (shared by the CLI and the app).

The verdict compares FastAPI with Flask at the highest concurrency both were measured at, says how
far apart they are ("6.1x", "within 4%"), and adds what the figures cannot claim: errors, a client
that was the bottleneck, or a rate above the physical bound (which would mean the measurement is
wrong). It lives here, next to the report it reads, so the report can state it without a circle.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from explorer.bench.loadgen import LoadProgress, LoadResult
from explorer.bench.plan import BenchPlan
from explorer.bench.scenarios import Scenario, Target
from explorer.bench.stats import CLIENT_ERRORS
from explorer.runtime.specs import ServerSpec

__all__ = [
    "BenchEvent", "BenchReport", "LevelResult", "Verdict", "client_failure", "compare", "machine", "server_phrase",
    "verdict", "verdict_all",
]  # fmt: skip


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


WITHIN = 0.10  # closer than this is "within N%": the noise of a short run on a shared machine
CPU_SAME = 0.25  # the bar for "async does not help CPU-bound work"
BOUND_SLACK = 1.02


@dataclass(frozen=True)
class Verdict:
    """``text`` for people; ``ratio`` (FastAPI rps / Flask rps) at ``level`` for anything else."""

    text: str
    level: int | None = None
    ratio: float | None = None


def server_phrase(spec: ServerSpec) -> str:
    """'gunicorn, 1 worker x 8 threads' or 'Werkzeug dev server, a baseline'."""
    if spec.kind == "gunicorn":
        return f"gunicorn, {spec.workers} worker{'s' if spec.workers != 1 else ''} x {spec.threads} threads"
    if spec.kind == "werkzeug":
        return "Werkzeug dev server, a baseline"
    return spec.label


def compare(ratio: float, within: float = WITHIN) -> str:
    """How FastAPI's rate (``ratio`` times Flask's) relates to Flask's, in words."""
    if abs(ratio - 1) <= within:
        return f"FastAPI within {abs(ratio - 1) * 100:.0f}% of Flask"
    if ratio > 1:
        return f"FastAPI served {ratio:.1f}x Flask"
    return f"Flask served {1 / ratio:.1f}x FastAPI" if ratio > 0 else "FastAPI answered nothing"


def _allowed(result: LevelResult) -> float:
    """The bound plus the requests already in flight when the window opened, with a little slack."""
    assert result.bound_rps is not None
    in_flight = result.concurrency / result.load.window_s if result.load.window_s > 0 else 0.0
    return (result.bound_rps + in_flight) * BOUND_SLACK


def _caveats(results: list[LevelResult]) -> list[str]:
    notes = []
    errors = {r.target.key: r.load.error_count for r in results if r.load.error_count}
    if errors:
        notes.append("Errors: " + ", ".join(f"{k} {v}" for k, v in errors.items()) + "; rates count only good answers.")
    bound = [r.target.key for r in results if r.load.client_bound]
    if bound:
        notes.append(f"The load client used a full core for {', '.join(bound)}: those rates are a floor.")
    over = [r.target.key for r in results if r.bound_rps and r.rps > _allowed(r)]
    if over:
        notes.append(f"Above the physical bound for {', '.join(over)}: do not trust these figures.")
    return notes


def client_failure(results: list[LevelResult]) -> str | None:
    """Why these runs measured the load client rather than the servers, or None when they did not.

    A load client that could not open its connections (out of file descriptors or local ports)
    never ran at the concurrency asked, so no comparison can be drawn from it, however many
    answers did arrive.
    """
    failed = [r for r in results if r.load.client_errors]
    if not failed:
        return None
    kinds = dict.fromkeys(kind for r in failed for kind in r.load.client_errors)
    counts = ", ".join(f"{sum(r.load.client_errors.values()):,} for {r.target.key}" for r in failed)
    limit = next((r.load.fd_limit for r in failed if r.load.fd_limit), None)
    now = f" (now {limit:,})" if limit and "emfile" in kinds else ""
    fix = f"raise `ulimit -n`{now} or lower the concurrency"
    return (f"the load client itself failed to connect: {'; '.join(CLIENT_ERRORS[k] for k in kinds)} "
            f"({counts}), so fewer connections than asked were open; {fix}")  # fmt: skip


def verdict(report: BenchReport) -> Verdict:
    """The sentence for one experiment (possibly partial: it uses what has been measured).

    It speaks of the highest level both frameworks ran at; a level where the load client failed
    (:func:`client_failure`) gives no verdict, and the highest sound level below it is used instead.
    """
    levels = [lv for lv in report.plan.levels if report.get("flask", lv) and report.get("fastapi", lv)]
    if not levels:
        return Verdict("Not enough figures yet: both frameworks need a finished run at the same level.")
    failures = {lv: client_failure([r for r in report.results if r.concurrency == lv]) for lv in levels}
    sound = [lv for lv in levels if failures[lv] is None]
    top = max(levels)
    if failures[top] is None:
        return _verdict_at(report, top)
    refused = f"No verdict at {top} concurrent: {failures[top]}."
    if not sound:
        return Verdict(refused)
    below = _verdict_at(report, max(sound))
    return Verdict(f"{refused} At a lower level, {below.text}", below.level, below.ratio)


def _verdict_at(report: BenchReport, level: int) -> Verdict:
    flask, fastapi = report.get("flask", level), report.get("fastapi", level)
    assert flask is not None and fastapi is not None
    scenario = report.scenario
    if flask.rps <= 0:
        return Verdict(f"{scenario.title} at {level} concurrent: Flask answered nothing; see the errors.", level)
    ratio = fastapi.rps / flask.rps
    within = CPU_SAME if scenario.name == "cpu" else WITHIN
    head = f"{scenario.title} at {level} concurrent: {compare(ratio, within)} ({server_phrase(flask.server)})"
    tail = ""
    if scenario.name == "io":
        if ratio >= 1.5:
            tail = ": async waits without holding a thread"
            if flask.server.kind == "gunicorn" and scenario.wait_ms:
                cap = flask.server.workers * flask.server.threads / (scenario.wait_ms / 1000)
                tail += f"; Flask's {flask.server.workers * flask.server.threads} threads cap it at {cap:.0f} rps"
        elif ratio <= 1 + WITHIN:
            tail = ": a thread per waiting request keeps up at this concurrency"
    elif scenario.name == "cpu":
        if abs(ratio - 1) <= CPU_SAME:
            tail = ": async does not help CPU-bound work"
        plain = report.get("fastapi-def", level)
        if plain is not None:
            tail += f" (FastAPI's def route: {plain.rps / flask.rps:.2f}x Flask)"
    elif scenario.name == "json":
        tail = ": framework overhead only"
    results = [r for r in report.results if r.concurrency == level]
    return Verdict(" ".join([head + tail + ".", *_caveats(results)]), level, ratio)


def verdict_all(reports: Iterable[BenchReport]) -> str:
    """Several experiments (say io then cpu) in one paragraph, each report's verdict in turn."""
    return " ".join(verdict(report).text for report in reports)
