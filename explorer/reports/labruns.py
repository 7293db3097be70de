"""The lab runs of a session as report sections: each run's results table, as the lab screen shows it.

The app records every run it started, finished or not (``state``: ``complete``, ``stopped`` by the
user, ``failed``), with each result as ``LevelResult.to_dict()``. A run that did not finish is kept
and marked partial: the figures it did measure are still measurements, but no verdict is drawn
from them. This module reads only that plain data (the reports layer sits beside the bench, not on
it), so a saved session rebuilds the same tables with ``explorer report --from``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from explorer.reports.base import Section, Table

__all__ = ["LAB_COLUMNS", "lab_sections", "lab_table"]

LAB_COLUMNS = (
    "route",
    "server: handler",
    "level",
    "errors",
    "req/s",
    "bound",
    "p50",
    "p90",
    "p99",
    "p99.9",
    "max ms",
    "client cpu",
    "srv CPU ms",
)
_PARTIAL = {"stopped": "stopped: partial", "failed": "failed: partial", "partial": "partial"}


def _fig(value: Any, digits: int = 1) -> str:
    """A figure as the lab screen writes it; ``‒`` for one not measured (None, NaN, not a number)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return "‒"
    return f"{value:,.{digits}f}"


def _row(result: dict[str, Any]) -> tuple[str, ...]:
    server = found if isinstance(found := result.get("server"), dict) else {}
    target_rps = result.get("target_rps")
    level = f"{_fig(target_rps, 0)}/s" if target_rps is not None else f"c={result.get('concurrency', '?')}"
    repeat = result.get("repeat")
    if isinstance(repeat, int) and repeat:
        level += f" #{repeat + 1}"
    errors = sum(v for v in (result.get("error_count"), result.get("dropped")) if isinstance(v, int))
    share = result.get("client_cpu_utilisation")
    cpu = "‒" if not isinstance(share, (int, float)) else f"{share * 100:.0f}%"
    if result.get("client_bound") is True:
        cpu += " bound"  # the load generator, not the server, was the limit
    return (
        str(result.get("target", "?")),
        f"{server.get('label') or server.get('server') or '?'}: {result.get('route', '?')}",
        level,
        str(errors),
        _fig(result.get("rps"), 0),
        _fig(result.get("bound_rps"), 0),
        _fig(result.get("p50_ms")),
        _fig(result.get("p90_ms")),
        _fig(result.get("p99_ms")),
        _fig(result.get("p999_ms")),
        _fig(result.get("max_ms")),
        cpu,
        _fig(result.get("server_cpu_ms_per_request"), 3),
    )


def lab_table(results: Iterable[Any]) -> Table:
    """One row per route and level (and repeat), the figures of the lab screen's results table."""
    return Table(LAB_COLUMNS, tuple(_row(r) for r in results if isinstance(r, dict)))


def _results(run: dict[str, Any]) -> list[Any]:
    """A finished run keeps its results inside its bench report; an unfinished one beside it."""
    report = run.get("report")
    results = run.get("results")
    if not isinstance(results, list) and isinstance(report, dict):
        results = report.get("results")
    return results if isinstance(results, list) else []


def lab_sections(runs: Iterable[Any]) -> list[Section]:
    """Each run in order: its title (partial ones marked), verdict or why there is none, results table."""
    sections = []
    for number, run in enumerate((r for r in runs if isinstance(r, dict)), 1):
        state = str(run.get("state") or "complete")
        mark = f" ({_PARTIAL[state]})" if state in _PARTIAL else ""
        results = _results(run)
        if state == "complete":
            text = str(run.get("verdict") or "")
        else:
            why = str(run.get("error") or "stopped before it finished")
            text = f"{why}; {len(results)} result(s) finished, shown below; no verdict is drawn from a partial run."
        table = lab_table(results) if results else None
        sections.append(Section(f"Lab {number}: {run.get('scenario', '?')}{mark}", level=3, text=text, table=table))
    return sections
