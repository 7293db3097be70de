"""The performance lab: closed- and open-loop load against the servers, generated in a process of its own.

Public API (imported on first use, so ``explorer --help`` and the load process stay light):

- :func:`run_bench` (``runner``): a whole experiment from a :class:`BenchPlan` (``plan``), reporting
  :class:`BenchEvent` s to a callback and returning a :class:`BenchReport` (``results``, ``to_dict()``).
- :func:`run_load` (``loadgen``): one run against one port, :class:`LoadProgress` events,
  a :class:`LoadResult`.
- :func:`verdict` (``results``): the sentence computed from a report.
"""

from __future__ import annotations

from explorer.runtime.faces import lazy_face

_WHERE = {
    "BenchError": "plan",
    "BenchPlan": "plan",
    "BenchEvent": "levels",
    "BenchReport": "results",
    "LevelResult": "levels",
    "run_bench": "runner",
    "LoadConfig": "loadgen",
    "LoadError": "loadgen",
    "LoadProgress": "loadgen",
    "LoadResult": "loadgen",
    "run_load": "loadgen",
    "SCENARIOS": "scenarios",
    "Scenario": "scenarios",
    "Target": "scenarios",
    "Verdict": "results",
    "verdict": "results",
    "verdict_all": "results",
    "ENGINES": "external",
    "available": "external",
}

__all__ = [
    "ENGINES",
    "SCENARIOS",
    "BenchError",
    "BenchEvent",
    "BenchPlan",
    "BenchReport",
    "LevelResult",
    "LoadConfig",
    "LoadError",
    "LoadProgress",
    "LoadResult",
    "Scenario",
    "Target",
    "Verdict",
    "available",
    "run_bench",
    "run_load",
    "verdict",
    "verdict_all",
]

__getattr__, __dir__ = lazy_face(__name__, _WHERE, __all__)
