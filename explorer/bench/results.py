"""What an experiment produced: the report, and the verdict computed from its figures (shared by the CLI and the app).

For closed-loop levels the verdict compares FastAPI with Flask at the highest concurrency both were
measured at and says how far apart they are ("6.1x", "within 4%"); for a rate sweep it gives each
one's saturation point (:mod:`explorer.bench.saturation`); for the stall experiment, the computed
explanation of coordinated omission (:mod:`explorer.bench.omission`). It adds what the figures
cannot claim (errors, a rate above the physical bound), never claims a difference that lies inside
the spread of repeats, and gives no verdict at all, only the reason, from runs where the load client
failed to connect or was itself the bottleneck. It lives here, next to the report it reads, so the
report can state it without a circle.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from explorer.bench.affinity import placement_note
from explorer.bench.disturbed import Reruns
from explorer.bench.gap import (
    WITHIN,
    compare,
    cpu_difference,
    cpu_interval,
    explain_gap,
    pair_of,
    range_text,
    server_phrase,
    spread_pct,
)
from explorer.bench.interval import CONFIDENCE, RULE, RatioInterval, ratio_interval, rule_text
from explorer.bench.levels import BenchEvent, LevelResult, spread
from explorer.bench.locust import LIMITS
from explorer.bench.omission import explain
from explorer.bench.plan import BenchPlan
from explorer.bench.refusals import caveats, client_failure, too_short
from explorer.bench.saturation import describe, saturation
from explorer.bench.scenarios import Scenario
from explorer.bench.stages import CORRECTION, Stages, inconclusive
from explorer.runtime.frameworks import NAMES as FRAMEWORK_NAMES
from explorer.runtime.servers.specs import ServerSpec

__all__ = [
    "BenchEvent",
    "BenchReport",
    "LevelResult",
    "Verdict",
    "client_failure",
    "compare",
    "machine",
    "name_of",
    "pair_phrase",
    "server_phrase",
    "summary",
    "verdict",
    "verdict_all",
]

NAMES = {
    **FRAMEWORK_NAMES,
    "fastapi-def": "FastAPI def",
    "fastapi-base": "FastAPI BaseHTTPMiddleware",
}


@dataclass
class BenchReport:
    """Every result of one experiment, the settings, the machine, and the verdict computed from them."""

    plan: BenchPlan
    servers: dict[str, ServerSpec]
    results: list[LevelResult] = field(default_factory=list)
    started_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    complete: bool = False
    server_starts: int = 0  # the servers started here, fresh for each repeat (0: a running app's servers)
    cpu_affinity: dict[str, list[int]] | None = None  # the cores of the load client and of the servers, if pinned
    stages: Stages | None = None  # two stages of starts (:mod:`explorer.bench.stages`); None: one, at 95%
    reruns: Reruns | None = None  # disturbed starts set aside and rerun (:mod:`explorer.bench.disturbed`); None: off

    @property
    def scenario(self) -> Scenario:
        return self.plan.scenario_def

    def runs(self, target: str, level: float, mode: str | None = None) -> list[LevelResult]:
        """Every repeat of one route at one level (a concurrency, or a rate)."""
        return [
            r for r in self.results if r.target.key == target and r.level == level and (mode is None or r.mode == mode)
        ]

    def get(self, target: str, level: float) -> LevelResult | None:
        """The first repeat of one route at one level."""
        return next(iter(self.runs(target, level)), None)

    def verdict(self) -> str:
        return verdict(self).text

    def to_dict(self) -> dict[str, Any]:
        said = verdict(self)
        return {
            "scenario": self.scenario.to_dict(),
            "plan": self.plan.to_dict(),
            "engine": self.plan.engine,
            "engine_limits": LIMITS if self.plan.engine == "locust" else None,
            "servers": {fw: spec.to_dict() for fw, spec in self.servers.items()},
            "machine": machine(),
            "started_at": self.started_at,
            "complete": self.complete,
            "server_starts": self.server_starts,
            "cpu_affinity": self.cpu_affinity,
            "verdict": said.text,
            "verdict_rule": said.evidence,
            "set_aside": self.reruns.by_level() if self.reruns else None,
            "summary": summary(self),
            "results": [r.to_dict() for r in self.results],
        }


def machine() -> dict[str, Any]:
    """Where the figures come from: they mean little without it."""
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(terse=True)}


_FIGURES = {
    "rps": lambda r: r.rps,
    "p50_ms": lambda r: r.load.latency.p50_ms,
    "p99_ms": lambda r: r.load.latency.p99_ms,
    "p999_ms": lambda r: r.load.latency.p999_ms,
    "server_cpu_ms_per_request": lambda r: r.load.server_cpu_ms_per_request,
}


def summary(report: BenchReport) -> dict[str, Any]:
    """Per route and level: min/median/max of each figure over the repeats; per route, its saturation point."""
    rows = []
    for key in dict.fromkeys(r.target.key for r in report.results):
        for mode in dict.fromkeys(r.mode for r in report.results):
            for level in dict.fromkeys(r.level for r in report.results if r.target.key == key and r.mode == mode):
                runs = report.runs(key, level, mode)
                figures = {name: s.to_dict() for name, get in _FIGURES.items() if (s := spread(runs, get))}
                rows.append({"target": key, "mode": mode, "level": level, "repeats": len(runs), **figures})
    out: dict[str, Any] = {"rows": rows}
    if report.plan.open_loop:
        sats = [saturation(report.results, t.key, report.plan.slo) for t in report.plan.targets()]
        out["saturation"] = [s.to_dict() for s in sats if s]
    if report.scenario.stall is not None and (
        found := explain(report.results, report.scenario.stall, report.plan.duration)
    ):
        out["coordinated_omission"] = found.to_dict()
    return out


CPU_SAME = 0.25  # the bar for "async does not help CPU-bound work"


@dataclass(frozen=True)
class Verdict:
    """``text`` for people; ``ratio`` (FastAPI rps / Flask rps: the geometric means' with repeats) at ``level``
    for anything else."""

    text: str
    level: float | None = None
    ratio: float | None = None
    evidence: dict[str, Any] | None = None  # the rule applied and its figures (closed loop), for the JSON
    inconclusive: bool = False  # the rates' interval includes 1 and reaches beyond the minimum effect


def verdict(report: BenchReport) -> Verdict:
    """The sentence for one experiment (possibly partial: it uses what has been measured)."""
    if report.scenario.stall is not None:
        return _stall_verdict(report)
    if report.plan.open_loop:
        return _rate_verdict(report)
    return _closed_verdict(report)


def name_of(key: str) -> str:
    """'Flask', 'FastAPI def', 'Flask (gevent)' for ``flask@gevent``."""
    base, _, server = key.partition("@")
    return NAMES.get(base, base) + (f" ({server})" if server else "")


def _spec(report: BenchReport, key: str) -> ServerSpec:
    """The server that ran route ``key`` (from its first result)."""
    return next(r.server for r in report.results if r.target.key == key)


def _keys(report: BenchReport, base: str) -> list[str]:
    """The keys of route ``base`` (``flask``) in this experiment, one per server, in the plan's order."""
    return [t.key for t in report.plan.targets() if t.key.partition("@")[0] == base]


def _closed_verdict(report: BenchReport) -> Verdict:
    """The highest level both frameworks ran at; a level where the client failed gives no verdict, only why."""
    flask, fastapi = _keys(report, "flask")[0], _keys(report, "fastapi")[0]
    levels = [lv for lv in report.plan.points() if report.get(flask, lv) and report.get(fastapi, lv)]
    if not levels:
        return Verdict("Not enough figures yet: both frameworks need a finished run at the same level.")
    failures = {
        lv: client_failure(at := [r for r in report.results if r.level == lv]) or too_short(at) for lv in levels
    }
    sound = [lv for lv in levels if failures[lv] is None]
    top = max(levels)
    if failures[top] is None:
        return _verdict_at(report, top)
    refused = f"No verdict at {top:g} concurrent: {failures[top]}."
    if not sound:
        return Verdict(refused)
    below = _verdict_at(report, max(sound))
    return replace(below, text=f"{refused} At a lower level, {below.text}")


def pair_phrase(report: BenchReport) -> str:
    """Which servers the verdict compares, read from the servers that ran (a given supervisor's may
    not be the plan's)."""
    return pair_of(_spec(report, _keys(report, "flask")[0]), _spec(report, _keys(report, "fastapi")[0]))


def _verdict_at(report: BenchReport, level: float) -> Verdict:
    """The claim at ``level`` by the rule :data:`explorer.bench.interval.RULE`, explained from its figures."""
    flask_key, fastapi_key = _keys(report, "flask")[0], _keys(report, "fastapi")[0]
    flask_runs, fastapi_runs = report.runs(flask_key, level), report.runs(fastapi_key, level)
    flask = flask_runs[0]
    scenario = report.scenario
    f_rps, a_rps = spread(flask_runs, lambda r: r.rps), spread(fastapi_runs, lambda r: r.rps)
    assert f_rps is not None and a_rps is not None
    where = f"{scenario.title} at {level:g} concurrent"
    if f_rps.median <= 0:
        return Verdict(f"{where}: Flask answered nothing; see the errors.", level)
    runs = min(f_rps.n, a_rps.n)
    within = CPU_SAME if scenario.name == "cpu" else WITHIN
    stages = report.stages
    confidence = stages.confidence if stages else CONFIDENCE
    rates = ratio_interval([r.rps for r in fastapi_runs], [r.rps for r in flask_runs], confidence)
    ratio = rates.ratio if rates else a_rps.median / f_rps.median
    evidence = _evidence(level, within, rates, cpu_interval(flask_runs, fastapi_runs, confidence), stages)
    evidence["disturbed"] = report.reruns.rule() if report.reruns else None
    open_ = inconclusive(rates, within)
    starts = stages.phrase() if stages and stages.level == level else ""
    results = [r for r in report.results if r.level == level]
    ranges = f"Flask {range_text(f_rps)}, FastAPI {range_text(a_rps)} req/s"
    pair = f"Compared: {pair_phrase(report)}." + _one_start(report, runs) + placement_note(report.cpu_affinity)
    disturbed = report.reruns.clause(level, name_of) if report.reruns else ""
    noise = max(spread_pct(f_rps), spread_pct(a_rps))
    if runs > 1 and (rates is None or not rates.resolved):
        why = explain_gap(flask_runs, fastapi_runs, claimed=False, wait_ms=scenario.wait_ms or 0.0)
        found = (
            f"FastAPI's rate over Flask's: {rates.text()}, which includes 1"
            if rates
            else "a repeat answered nothing, so no interval"
        )
        text = (
            f"{where}: no measurable difference, within noise ({found}; spread {noise:.0f}%): {ranges}, "
            f"median (min-max) of {runs} runs each{starts}."
        )
        parts = [text, why, cpu_difference(flask_runs, fastapi_runs, confidence), disturbed, pair, *caveats(results)]
        return Verdict(" ".join(filter(None, parts)), level, ratio, evidence, open_)
    why = explain_gap(flask_runs, fastapi_runs, wait_ms=scenario.wait_ms or 0.0)
    said = compare(ratio, within, digits=2 if rates else 1)
    head = f"{where}: {said}"
    if rates is None:
        head += f" (one run: spread unknown; {ranges})"
    else:
        smaller = "" if "served" in said else f", less than the {within * 100:.0f}% claimed as a difference"
        claimed = rates if ratio >= 1 else rates.inverse()  # the faster over the slower, as the claim reads
        head += f" ({claimed.text()}{smaller}; {ranges}, median (min-max) of {runs} runs each{starts})"
    tail = ""
    if scenario.name == "io":
        if ratio >= 1.5:
            tail = ": async waits without holding a thread"
            if flask.server.kind in ("gunicorn", "granian-wsgi") and scenario.wait_ms:
                threads = flask.server.workers * flask.server.threads
                tail += f"; Flask's {threads} threads cap it at {threads / (scenario.wait_ms / 1000):.0f} rps"
        elif ratio <= 1 + WITHIN:
            tail = ": a thread per waiting request keeps up at this concurrency"
            if flask.server.kind == "gunicorn-gevent":
                tail = ": gevent's greenlets wait without holding a thread, as async does"
    elif scenario.name == "cpu":
        if abs(ratio - 1) <= CPU_SAME:
            tail = ": async does not help CPU-bound work"
        else:
            tail = ": the catalog says neither parallelises CPU work; the figures that follow say why these runs differ"
        plain = spread(
            report.runs(_keys(report, "fastapi-def")[0], level) if _keys(report, "fastapi-def") else [], lambda r: r.rps
        )
        if plain is not None:
            tail += f" (FastAPI's def route: {plain.median / f_rps.median:.2f}x Flask)"
    elif scenario.name == "json":
        tail = ": framework overhead only"
    others = _other_servers(report, level, f_rps.median, a_rps.median)
    cost = cpu_difference(flask_runs, fastapi_runs, confidence) if "within" in said else ""  # rates show none
    text = " ".join(filter(None, [head + tail + ".", why, cost, disturbed, pair, *others, *caveats(results)]))
    return Verdict(text, level, ratio, evidence, open_)


def _one_start(report: BenchReport, runs: int) -> str:
    """Said when the repeats ran on servers the lab did not start (a given supervisor's): their spread leaves out
    how much one start of a server differs from the next, which the lab's own fresh starts put in it."""
    if runs < 2 or report.server_starts >= runs:
        return ""
    return (
        " The repeats ran on one start of each server: a new start can differ more than they did (the lab's own "
        "servers start afresh for each repeat)."
    )


def _evidence(
    level: float, within: float, rates: RatioInterval | None, cpu: RatioInterval | None, stages: Stages | None
) -> dict[str, Any]:
    """The rule a closed-loop verdict applied and its figures, for the JSON: what an expert checks it by."""
    return {
        "rule": RULE if stages is None else f"{rule_text(stages.confidence)}; {CORRECTION}",
        "min_effect": within,
        "level": level,
        "rps": rates.to_dict() if rates else None,
        "server_cpu_ms_per_request": cpu.to_dict() if cpu else None,
        "stages": stages.to_dict() if stages else None,
    }


def _other_servers(report: BenchReport, level: float, flask_rps: float, fastapi_rps: float) -> list[str]:
    """A sentence per further server: how much of the gap to FastAPI another Flask server closes, and
    the framework difference on one server for both (granian)."""
    out = []
    gap = fastapi_rps - flask_rps
    for key in _keys(report, "flask")[1:]:
        got = spread(report.runs(key, level), lambda r: r.rps)
        if got is None:
            continue
        phrase = f"Flask on {server_phrase(report.runs(key, level)[0].server)}: {got.median:,.0f} req/s"
        if gap > WITHIN * flask_rps:
            closed = (got.median - flask_rps) / gap
            phrase += (
                ", as much as FastAPI or more: it closes the whole gap"
                if closed >= 1 - WITHIN
                else f", closing {max(closed, 0):.0%} of the gap to FastAPI"
                if closed > WITHIN
                else ", closing none of the gap to FastAPI"
            )
        out.append(phrase + ".")

    def on(base: str, kind: str) -> str | None:
        return next(
            (k for k in _keys(report, base) if (rs := report.runs(k, level)) and rs[0].server.kind == kind), None
        )

    flask_g, fastapi_g = on("flask", "granian-wsgi"), on("fastapi", "granian-asgi")
    if flask_g and fastapi_g and (flask_g, fastapi_g) != (_keys(report, "flask")[0], _keys(report, "fastapi")[0]):
        f, a = (
            spread(report.runs(flask_g, level), lambda r: r.rps),
            spread(report.runs(fastapi_g, level), lambda r: r.rps),
        )
        if f and a and f.median > 0:
            out.append(
                f"On granian for both (one server, so only the framework differs): {compare(a.median / f.median)}."
            )
    return out


def _rate_verdict(report: BenchReport) -> Verdict:
    """Each framework's saturation point over the sweep, unless the client failed or fell behind."""
    refused = client_failure(report.results)
    if refused:
        return Verdict(f"No verdict from this sweep: {refused}.")
    slo = report.plan.slo
    targets = report.plan.targets()
    sats = {t.key: saturation(report.results, t.key, slo) for t in targets}
    parts = [
        describe(sat, f"{name_of(t.key.partition('@')[0])} ({server_phrase(_spec(report, t.key))})", slo)
        for t in targets
        if (sat := sats[t.key]) is not None
    ]
    if not parts:
        return Verdict("Not enough figures yet: no rate has finished.")
    text = f"{report.scenario.title}, open loop: " + "; ".join(parts) + "."
    flask, fastapi = sats.get(_keys(report, "flask")[0]), sats.get(_keys(report, "fastapi")[0])
    if flask and fastapi and flask.failed_rps is not None and flask.capacity_rps and fastapi.held_rps:
        if fastapi.failed_rps is None:
            text += f" FastAPI held at least {fastapi.held_rps / flask.capacity_rps:.1f}x the rate Flask saturated at."
    return Verdict(text)


def _stall_verdict(report: BenchReport) -> Verdict:
    refused = client_failure(report.results)
    if refused:
        return Verdict(f"No verdict from this experiment: {refused}.")
    stall = report.scenario.stall
    assert stall is not None
    found = explain(report.results, stall, report.plan.duration)
    if found is None:
        return Verdict("Not enough figures yet: the closed and the open loop both need a finished run.")
    return Verdict(found.text)


def verdict_all(reports: Iterable[BenchReport]) -> str:
    """Several experiments (say io then cpu) in one paragraph, each report's verdict in turn."""
    return " ".join(verdict(report).text for report in reports)
