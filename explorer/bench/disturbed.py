"""Disturbed starts: a start whose server spent far more CPU per request than its others is set aside and rerun.

What a disturbed start is, from figures. On the idle machine ten json runs in a row said "Flask served
1.3-1.5x FastAPI" nine times; the tenth said "within noise" because one or two of its starts ran at about
twice their framework's server CPU per request (0.145-0.175 ms against 0.086-0.097 for Flask's other starts,
0.11-0.13 for FastAPI's) with no other process on the machine: the host's doing. Neither counter the kernel
offers names such a start: ``steal`` in /proc/stat moved by 0-1 ticks in every run of 24 (2026-12-07, json
c=100, 12 starts each, load average 2.4), the starts at 0.22 ms as the ones at 0.11; /proc/pressure/cpu is the
whole machine's and moves with every neighbour, not with one start. The symptom the server itself shows is
its CPU per request, so the rule reads that, and only each route's own starts: nothing about the other
framework enters the decision, so it cannot lean to either side.

The rule (pyperf and hyperfine warn about outlier runs; this acts on them, and says so): at a level with at
least :data:`MIN_STARTS` starts of a route, a start whose server CPU per request is more than :data:`FACTOR`
times the median of that route's other starts there is disturbed. It is set aside (its figures stay in the
JSON) and the route runs again at that level on a fresh pinned start, at most :func:`limit` times a route and
level. Past the limit every start is kept, the set-aside ones put back, and the verdict says the machine
was disturbed: a route whose CPU per request is bimodal by nature ends there too, said, never dropped quietly.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only: ``explorer bench``'s options need FACTOR, not the lab's modules
    from explorer.bench.levels import LevelResult

__all__ = ["FACTOR", "MIN_STARTS", "Reruns", "SetAside", "flag", "limit"]

FACTOR = 1.3  # idle starts scattered by 6-8% pinned; the disturbed ones by 1.5-2x
MIN_STARTS = 3  # the start and at least two others: a median of one is no yardstick


def limit(planned: int) -> int:
    """Reruns allowed a route at a level of ``planned`` starts: half of them (5 -> 2, 10 -> 5)."""
    return planned // 2


def _and(items: Iterable[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    words = list(items)
    return " and ".join(filter(None, [", ".join(words[:-1]), *words[-1:]]))


def _in_start_order(found: Iterable[SetAside]) -> list[SetAside]:
    """``found`` grouped by route, the routes in the order of their first start among them, each route's starts in
    order: the clause names a route once ("FastAPI's #5 and #9"), where review order (worst first, one a review)
    named it once a start ("FastAPI's #9, FastAPI's #5")."""
    found = sorted(found, key=lambda s: s.result.repeat)
    routes = list(dict.fromkeys(s.result.target.key for s in found))
    return sorted(found, key=lambda s: routes.index(s.result.target.key))


def _cpu(result: LevelResult) -> float | None:
    value = result.load.server_cpu_ms_per_request
    return value if value is not None and value == value and value > 0 else None


@dataclass(frozen=True)
class SetAside:
    """A start the rule flagged: ``others`` is the median CPU per request of its route's other starts at its
    level; ``kept`` when the limit was reached and it counts after all."""

    result: LevelResult
    others: float
    kept: bool = False

    @property
    def where(self) -> tuple[str, float]:
        return self.result.target.key, self.result.level

    @property
    def times(self) -> float:
        """Its CPU per request over the others' median (1.8 for 1.8x)."""
        return (_cpu(self.result) or 0.0) / self.others

    def to_dict(self, factor: float) -> dict[str, Any]:
        reason = f"server CPU per request {self.times:.2f}x the median of its route's other starts (over {factor:g}x)"
        if self.kept:
            reason += "; put back: the rerun limit was reached, every start is kept"
        return {
            "target": self.result.target.key,
            "framework": self.result.target.framework,
            "level": self.result.level,
            "repeat": self.result.repeat,
            "rps": round(self.result.rps, 1),
            "server_cpu_ms_per_request": _cpu(self.result),
            "others_median_cpu_ms": round(self.others, 4),
            "times": round(self.times, 3),
            "kept": self.kept,
            "reason": reason,
        }


def flag(results: Sequence[LevelResult], factor: float = FACTOR) -> list[SetAside]:
    """The disturbed starts among ``results``, worst first: per route, level and loop, every start whose CPU per
    request exceeds ``factor`` times the median of the others (a group of fewer than :data:`MIN_STARTS` with
    a figure is not judged)."""
    groups: dict[tuple[str, float, str], list[LevelResult]] = {}
    for r in results:
        if _cpu(r) is not None:
            groups.setdefault((r.target.key, r.level, r.mode), []).append(r)
    out = []
    for runs in groups.values():
        if len(runs) < MIN_STARTS:
            continue
        for r in runs:
            others = statistics.median(c for o in runs if o is not r and (c := _cpu(o)) is not None)
            if (_cpu(r) or 0.0) > factor * others:
                out.append(SetAside(r, others))
    return sorted(out, key=lambda s: -s.times)


@dataclass
class Reruns:
    """The rule's record over one experiment: what was set aside, how often each route and level reran, and
    where the limit was reached (``exhausted``: those keep every start)."""

    factor: float = FACTOR
    set_aside: list[SetAside] = field(default_factory=list)
    counts: dict[tuple[str, float], int] = field(default_factory=dict)
    exhausted: dict[tuple[str, float], SetAside] = field(default_factory=dict)

    def review(self, results: list[LevelResult], planned: Callable[[float], int]) -> dict[float, list[str]]:
        """Set aside (out of ``results``) the worst disturbed start of each route and level still within its
        limit, and return per level the routes to run again, one fresh start for all of them; the next review
        judges the reruns with the rest. A route and level past its limit gets its set-aside starts back, each in
        its place: ``results`` stays in start order (by ``repeat``; a rerun is a start numbered past every other),
        which is the order of the JSON's ``results`` and of the tables."""
        todo: dict[float, list[str]] = {}
        for found in flag(results, self.factor):
            key, level = where = found.where
            if where in self.exhausted or key in todo.get(level, []):
                continue
            if self.counts.get(where, 0) < limit(planned(level)):
                results.remove(found.result)
                self.set_aside.append(found)
                self.counts[where] = self.counts.get(where, 0) + 1
                todo.setdefault(level, []).append(key)
                continue
            self.exhausted[where] = found
            back = [s for s in self.set_aside if s.where == where]
            results.extend(s.result for s in back)
            results.sort(key=lambda r: r.repeat)  # back in start order (stable: a start's runs stay together)
            self.set_aside = [replace(s, kept=True) if s.where == where else s for s in self.set_aside]
        return todo

    def clause(self, level: float, names: Callable[[str], str]) -> str:
        """The verdict's sentence about ``level``: what was set aside and rerun, or that the machine was
        disturbed past the limit; empty when the rule found nothing there."""
        out = []
        aside = _in_start_order(s for s in self.set_aside if s.result.level == level and not s.kept)
        if aside:
            times = _and(f"{s.times:.2f}x" for s in aside)  # 1.31x beside "over 1.3x"; in the order of ``whose``
            routes = dict.fromkeys(s.result.target.key for s in aside)  # first set-aside start first
            whose = ", ".join(
                f"{names(key)}'s " + _and(f"#{s.result.repeat + 1}" for s in aside if s.result.target.key == key)
                for key in routes
            )
            one = len(aside) == 1
            out.append(
                f"{len(aside)} start{'' if one else 's'} set aside and rerun: "
                f"{'its server' if one else 'their servers'} used {times} the CPU per request of "
                f"{'its' if one else 'their'} others ({whose}; the rule: over {self.factor:g}x the median)."
            )
        past = [(key, found) for (key, at), found in self.exhausted.items() if at == level]
        if past:
            counts = [self.counts.get(found.where, 0) for _, found in past]
            reruns = [f"{n} rerun{'' if n == 1 else 's'}" for n in counts]
            if len(set(counts)) == 1:  # "Flask's and FastAPI's starts ... after 1 rerun"
                whose, after = " and ".join(f"{names(key)}'s" for key, _ in past), f" after {reruns[0]}"
            else:  # each route with its own count: "after 2 reruns and 1 rerun" said neither whose was whose
                whose, after = _and(f"{names(key)}'s (after {n})" for (key, _), n in zip(past, reruns, strict=True)), ""
            worst = max(found.times for _, found in past)
            out.append(
                f"The machine was disturbed: {whose} starts here still ran over {self.factor:g}x the CPU per "
                f"request of the others{after} (one used {worst:.2f}x), so every start is kept and the "
                "interval is wider for it."
            )
        return " ".join(out)

    def rule(self) -> dict[str, Any]:
        """The rule as ``verdict_rule.disturbed`` states it."""
        return {
            "rule": (
                f"a start whose server CPU per request is over {self.factor:g}x the median of its route's other "
                f"starts at that level (at least {MIN_STARTS} starts) is set aside and rerun on a fresh start, at "
                "most half the planned starts a route and level; past that every start is kept and said"
            ),
            "factor": self.factor,
            "min_starts": MIN_STARTS,
            "set_aside": sum(not s.kept for s in self.set_aside),  # left out of the verdict
            "put_back": sum(s.kept for s in self.set_aside),  # flagged, then counted after all: the limit was reached
            "exhausted": [
                {"target": key, "level": level, "times": round(found.times, 3)}
                for (key, level), found in self.exhausted.items()
            ],
        }

    def by_level(self) -> dict[str, list[dict[str, Any]]]:
        """``set_aside`` in the JSON: per level, each flagged start's figures and why, in start order (as ``results``)."""
        out: dict[str, list[dict[str, Any]]] = {}
        for s in sorted(self.set_aside, key=lambda s: s.result.repeat):
            out.setdefault(f"{s.result.level:g}", []).append(s.to_dict(self.factor))
        return out
