"""How far the port has come: every route of the Flask app, its FastAPI counterpart, and what tested it.

The routes come merged from both apps (:func:`explorer.apps.routes.merge_routes`); what exercised them
comes as plain :class:`Exercise` records: the requests of a requests file (no result yet) and the
cases of a saved run, read by :func:`exercises_from_run`. A request counts for the route whose
pattern matches its path and method, a static route before one with placeholders, as Werkzeug ranks
them. A route's result is the worst of its run's cases (``differs`` over ``error`` over ``declared``
over ``match``), so "match" means every request to it matched; a route nothing in the run reached is
``untested``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from explorer.apps.routes import RouteRow
from explorer.apps.source import pattern_regex
from explorer.runtime.frameworks import FRAMEWORKS

__all__ = [
    "RESULTS",
    "RUN_READERS",
    "Exercise",
    "Progress",
    "RouteProgress",
    "RunFormatError",
    "exercises_from_run",
    "progress",
]

# Worst last: a route's result is the worst of the cases that reached it.
RESULTS = ("untested", "match", "declared", "error", "differs")
_OUTCOMES = {"match": "match", "declared": "declared", "differ": "differs", "error": "error"}
MAX_RUN_CASES = 100_000  # cases read from one run document; the rest are left out


@dataclass(frozen=True)
class Exercise:
    """One request that reached the apps (or will): its method, its path, and the result, if it ran."""

    method: str
    path: str
    result: str | None = None  # one of RESULTS but "untested"; None for a request of a file, not run here


@dataclass(frozen=True)
class RouteProgress:
    """One route: the Flask pattern, FastAPI's (empty when not ported), the requests that reached it in the
    file (``in_file``) and in the run (``in_run``), and the run's result."""

    method: str
    flask: str
    fastapi: str
    in_file: int = 0
    in_run: int = 0
    result: str = "untested"

    @property
    def ported(self) -> bool:
        return bool(self.fastapi)

    @property
    def exercised(self) -> bool:
        return bool(self.in_file or self.in_run)

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "flask": self.flask,
            "fastapi": self.fastapi or None,
            "ported": self.ported,
            "exercised": self.exercised,
            "in_file": self.in_file,
            "in_run": self.in_run,
            "result": self.result,
        }


@dataclass(frozen=True)
class Progress:
    """The Flask app's routes with their state, and the routes only FastAPI has, listed apart."""

    routes: tuple[RouteProgress, ...]
    only_fastapi: tuple[RouteProgress, ...] = ()
    unmatched: tuple[Exercise, ...] = ()  # requests no route of either app matches

    def count(self, result: str | None = None, *, ported: bool = False, exercised: bool = False) -> int:
        return sum(
            1
            for r in self.routes
            if (result is None or r.result == result) and (r.ported or not ported) and (r.exercised or not exercised)
        )

    def totals(self) -> dict[str, int]:
        return {
            "routes": len(self.routes),
            "ported": self.count(ported=True),
            "exercised": self.count(exercised=True),
            **{result: self.count(result) for result in RESULTS},
        }

    def summary(self) -> str:
        """``31 of 44 routes ported (70%), 27 exercised (61%), 24 match (55%)``, then the other results."""
        totals, whole = self.totals(), len(self.routes)

        def share(n: int) -> str:
            return f" ({int(100 * n / whole + 0.5)}%)" if whole else ""  # half up: 54.5% is 55%

        line = f"{totals['ported']} of {whole} routes ported{share(totals['ported'])}"
        line += f", {totals['exercised']} exercised{share(totals['exercised'])}, {totals['match']} match{share(totals['match'])}"
        rest = [f"{totals[r]} {r}" for r in ("declared", "differs", "error") if totals[r]]
        return line + (f"; {', '.join(rest)}" if rest else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary(),
            "totals": self.totals(),
            "routes": [r.to_dict() for r in self.routes],
            "only_fastapi": [r.to_dict() for r in self.only_fastapi],
            "unmatched": [{"method": e.method, "path": e.path} for e in self.unmatched],
        }


def _worst(results: Iterable[str]) -> str:
    return max(results, key=RESULTS.index, default="untested")


def progress(rows: Iterable[RouteRow], exercises: Iterable[Exercise]) -> Progress:
    """Each route's state from what exercised it (a file's requests and a run's cases together)."""
    rows = list(rows)
    ranked = sorted(rows, key=lambda r: r.pattern.count("{") + r.pattern.count("<"))  # static routes first
    matchers = [(row, pattern_regex(row.pattern)) for row in ranked]
    reached: dict[int, list[str]] = {}
    in_file: dict[int, int] = {}
    unmatched = []
    for exercise in exercises:
        bare = exercise.path.split("?", 1)[0]
        method = exercise.method.upper()
        on_path = [row for row, regex in matchers if regex.fullmatch(bare)]
        hit = next((r for r in on_path if r.method == method), None)
        if hit is None and method == "HEAD":  # both frameworks answer HEAD with the GET route
            hit = next((r for r in on_path if r.method == "GET"), None)
        if hit is None:
            unmatched.append(exercise)
            continue
        if exercise.result is None:
            in_file[id(hit)] = in_file.get(id(hit), 0) + 1
        else:
            reached.setdefault(id(hit), []).append(exercise.result)
    states = {id(row): _state(row, in_file.get(id(row), 0), reached.get(id(row), [])) for row in rows}
    flask, fastapi = FRAMEWORKS
    return Progress(
        tuple(states[id(r)] for r in rows if flask in r.frameworks),
        tuple(states[id(r)] for r in rows if flask not in r.frameworks and fastapi in r.frameworks),
        tuple(unmatched),
    )


def _state(row: RouteRow, in_file: int, results: list[str]) -> RouteProgress:
    flask, fastapi = (row.templates[fw].template if fw in row.templates else "" for fw in FRAMEWORKS)
    return RouteProgress(row.method, flask, fastapi, in_file, len(results), _worst(results))


# --- runs: saved documents that say what ran and how it ended ---------------------------------------------


def _from_parity(document: Mapping[str, Any]) -> list[Exercise]:
    """A ``parity --json`` document: each case's request as sent (else as written) and its outcome."""
    found = []
    results = document.get("results")
    for result in results[:MAX_RUN_CASES] if isinstance(results, list) else ():
        if not isinstance(result, dict):
            continue
        line, outcome = result.get("line"), _OUTCOMES.get(str(result.get("outcome")))
        method, _, path = line.partition(" ") if isinstance(line, str) else ("", "", "")
        if method and path.startswith("/") and outcome is not None:
            found.append(Exercise(method, path, outcome))
    return found


def _from_mirror(document: Mapping[str, Any]) -> list[Exercise]:
    """A mirror's summary (``explorer mirror --json-lines``' last line, or the Mirror screen's counts): each
    route's judged requests, under its Flask pattern (``/orders/{order_id}`` matches its own route); noise
    is a match, a request dropped or not shadowed tested nothing."""
    found: list[Exercise] = []
    routes = document.get("routes")
    for row in routes if isinstance(routes, list) else ():
        method, route = (row.get("method"), row.get("route")) if isinstance(row, dict) else (None, None)
        if not isinstance(method, str) or not isinstance(route, str) or not route.startswith("/"):
            continue  # the "(no route)" and "(more routes)" rows
        for outcome, result in _MIRROR_OUTCOMES.items():
            count = row.get(outcome)
            if isinstance(count, int) and not isinstance(count, bool):
                found += [Exercise(method, route, result)] * max(0, min(count, MAX_RUN_CASES - len(found)))
    return found


_MIRROR_OUTCOMES = {"match": "match", "noise": "match", "declared": "declared", "differ": "differs"}

# A run's ``kind`` to the reader of its results: a function from the document to the requests it saw,
# each with its result.
RUN_READERS: dict[str, Callable[[Mapping[str, Any]], list[Exercise]]] = {"parity": _from_parity, "mirror": _from_mirror}


class RunFormatError(ValueError):
    """The document is not a run the explorer knows (its ``kind`` names none of :data:`RUN_READERS`)."""


def exercises_from_run(document: Any) -> list[Exercise]:
    """What a saved run exercised; :class:`RunFormatError` when it is not a run of a known kind."""
    kind = document.get("kind") if isinstance(document, dict) else None
    reader = RUN_READERS.get(kind) if isinstance(kind, str) else None
    if reader is None:
        known = ", ".join(sorted(RUN_READERS))
        raise RunFormatError(
            f'not a saved run (its "kind" is none of: {known}; save one with `explorer parity --json`)'
        )
    return reader(document)
