"""Property-based requests from FastAPI's schema (``--fuzz N``), each failing case reduced to a minimal one.

For each operation both apps have, Schemathesis turns FastAPI's OpenAPI schema into a Hypothesis
strategy, which draws ``N`` cases (path parameters, query, headers, JSON body) that the schema
accepts; each is sent to both apps and the answers compared like any request of a file.
(hypothesis-jsonschema was tried first: its object strategy relies on a Hypothesis internal that
Hypothesis 6.170 no longer has.) When the two apps
answer differently, Hypothesis shrinks the input to the smallest one that still makes them differ,
and that minimal case is reported (and written by ``--write``, to keep as a regression test).

The draws are derandomised (the same cases every run, so CI is stable) and nothing is stored
between runs. Hypothesis runs its loop on a worker thread; each request goes to the servers on
the session's own event loop. Shrinking sends requests too, so a case with side effects may leave
more records behind than ``N``.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from explorer.parity.entry import parse_case
from explorer.parity.generate import Operation
from explorer.parity.results import ParityResult
from explorer.parity.run import RunState, run_case
from explorer.parity.suite import ParityOptions
from explorer.parity.template import literal

__all__ = ["FUZZ_MISSING", "FuzzOutcome", "fuzz_available", "fuzz_operations"]

FUZZ_MISSING = "--fuzz needs Schemathesis: pip install 'flask-fastapi-explorer[fuzz]'"
_CALL_TIMEOUT = 60.0


def fuzz_available() -> bool:
    try:
        import hypothesis  # noqa: F401
        import schemathesis  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass
class FuzzOutcome:
    """One operation: how many cases were sent, and the minimal failing one (entry and result), if any."""

    operation: Operation
    sent: int = 0
    entry: dict[str, Any] | None = None
    result: ParityResult | None = None
    note: str = ""
    skipped: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation.label,
            "sent": self.sent,
            "failing": self.entry is not None,
            "minimal": self.entry,
            "note": self.note,
        }


def _entry(op: Operation, case: Any) -> dict[str, Any]:
    """A requests-file entry from a drawn Schemathesis case: path parameters, query, headers, body."""
    from schemathesis.core import NotSet

    params = case.path_parameters or {}
    path = re.sub(r"\{([^}]+)\}", lambda m: _segment(params.get(m.group(1), m.group(0))), op.openapi_path)
    query = {k: json.dumps(v) if isinstance(v, bool) else v for k, v in (case.query or {}).items()}
    if query:
        path += "?" + urlencode(query, doseq=True)
    entry: dict[str, Any] = {"name": f"fuzz {op.label}", "method": op.method, "path": literal(path)}
    headers = {str(k): literal(str(v)) for k, v in (case.headers or {}).items()}
    if headers:
        entry["headers"] = headers
    if not isinstance(case.body, NotSet):
        entry["body"] = literal(case.body)  # a drawn "{{x}}" is text, not a placeholder
    return entry


def _segment(value: Any) -> str:
    """A path parameter as written in the path: Schemathesis percent-encodes the strings it draws already."""
    return value if isinstance(value, str) else quote(str(value), safe="")


async def fuzz_operations(
    session: Any,
    document: dict[str, Any],
    operations: list[Operation],
    examples: int,
    options: ParityOptions,
    noise: bool = False,
) -> list[FuzzOutcome]:
    """``examples`` generated cases for each operation (``noise``: safe ones sent twice, as in a run)."""
    from schemathesis import openapi

    outcomes = []
    try:
        schema = openapi.from_dict(document)
    except Exception as exc:  # noqa: BLE001  # the schema is the app's data: whatever is wrong with it is said, not raised
        return [FuzzOutcome(op, note=f"the OpenAPI schema cannot be used: {exc}"[:200]) for op in operations]
    for op in operations:
        outcome = FuzzOutcome(op)
        try:
            strategy = schema[op.openapi_path][op.method].as_strategy()
        except Exception as exc:  # noqa: BLE001  # whatever schemathesis raises for one operation is said
            outcome.note = f"no cases from the schema: {type(exc).__name__}: {exc}"[:200]
        else:
            await _fuzz_one(session, op, strategy, examples, options, outcome, noise)
        outcomes.append(outcome)
    return outcomes


async def _fuzz_one(
    session: Any, op: Operation, strategy: Any, examples: int, options: ParityOptions, outcome: FuzzOutcome, noise: bool
) -> None:
    from hypothesis import HealthCheck, Phase, given, settings

    loop = asyncio.get_running_loop()
    failing: list[tuple[dict[str, Any], ParityResult]] = []

    class Differs(Exception):
        pass

    def check(drawn: Any) -> None:
        entry = _entry(op, drawn)
        try:
            case = parse_case(entry, f"fuzz {op.label}")
        except Exception:  # noqa: BLE001  # a drawn value the request model refuses (e.g. too large): not a case
            return
        future = asyncio.run_coroutine_threadsafe(run_case(session, case, RunState(), options, noise=noise), loop)
        result, _ = future.result(_CALL_TIMEOUT)
        outcome.sent += 1
        if not result.matched:
            failing.append((entry, result))
            raise Differs(result.differences[0].line() if result.differences else "differs")

    test = settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
    )(given(strategy)(check))
    try:
        await asyncio.to_thread(test)
    except Differs:
        pass
    except Exception as exc:  # noqa: BLE001  # Hypothesis could not reproduce or generate: said, not hidden
        outcome.note = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:200]
    if failing:
        outcome.entry, outcome.result = failing[-1]  # the last failure is the replay of the minimal case
