"""Property-based requests from FastAPI's schema (``--fuzz N``), each failing case reduced to a minimal one.

For each operation both apps have, Hypothesis (with hypothesis-jsonschema, which turns a JSON
Schema into a strategy) draws ``N`` JSON bodies and query strings that the OpenAPI schema accepts,
sends each to both apps, and compares the answers like any request of a file. When the two apps
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
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from explorer.parity.entry import parse_case
from explorer.parity.generate import Operation
from explorer.parity.results import ParityResult
from explorer.parity.run import RunState, run_case
from explorer.parity.suite import ParityOptions

__all__ = ["FUZZ_MISSING", "FuzzOutcome", "fuzz_available", "fuzz_operations"]

FUZZ_MISSING = "--fuzz needs hypothesis and hypothesis-jsonschema: pip install 'flask-fastapi-explorer[fuzz]'"
_CALL_TIMEOUT = 60.0


def fuzz_available() -> bool:
    try:
        import hypothesis  # noqa: F401
        import hypothesis_jsonschema  # noqa: F401
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
        return {"operation": self.operation.label, "sent": self.sent, "failing": self.entry is not None,
                "minimal": self.entry, "note": self.note}  # fmt: skip


def _resolve_refs(schema: Any, components: dict[str, Any], depth: int = 0) -> Any:
    """The schema with local ``#/components/schemas/X`` references inlined (bounded: cycles stop at 8)."""
    if depth > 8:
        return {}
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            target = components.get(ref.rsplit("/", 1)[1], {})
            return _resolve_refs(target, components, depth + 1)
        return {k: _resolve_refs(v, components, depth + 1) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_resolve_refs(v, components, depth + 1) for v in schema]
    return schema


def _operation_schemas(document: dict[str, Any], op: Operation) -> tuple[Any, dict[str, Any]]:
    """The JSON body schema (or None) and the query parameters' schemas of ``op`` in the OpenAPI document."""
    components = (document.get("components") or {}).get("schemas") or {}
    if not isinstance(components, dict):
        components = {}
    item = (document.get("paths") or {}).get(op.openapi_path) or {}
    operation = item.get(op.method.lower()) if isinstance(item, dict) else None
    if not isinstance(operation, dict):
        return None, {}
    body = None
    content = (operation.get("requestBody") or {}).get("content") if isinstance(operation.get("requestBody"), dict) else None
    if isinstance(content, dict) and isinstance(content.get("application/json"), dict):
        body = _resolve_refs(content["application/json"].get("schema", {}), components)
    query = {}
    for param in [*(item.get("parameters") or []), *(operation.get("parameters") or [])]:
        if isinstance(param, dict) and param.get("in") == "query" and isinstance(param.get("name"), str):
            query[param["name"]] = _resolve_refs(param.get("schema", {}), components)
    return body, query


def _strategy(body: Any, query: dict[str, Any]) -> Any:
    from hypothesis import strategies as st
    from hypothesis_jsonschema import from_schema

    parts: dict[str, Any] = {}
    if body is not None:
        parts["body"] = from_schema(body)
    if query:
        scalar = {name: from_schema(schema).filter(lambda v: isinstance(v, (str, int, float, bool)))
                  for name, schema in query.items()}  # fmt: skip
        parts["query"] = st.fixed_dictionaries({}, optional=scalar)
    return st.fixed_dictionaries(parts)


def _entry(op: Operation, drawn: dict[str, Any]) -> dict[str, Any]:
    path = op.path.split("?", 1)[0]
    query = drawn.get("query") or {}
    if query:
        path += "?" + urlencode({k: json.dumps(v) if isinstance(v, bool) else v for k, v in query.items()})
    entry: dict[str, Any] = {"name": f"fuzz {op.label}", "method": op.method, "path": path}
    if "body" in drawn:
        entry["body"] = drawn["body"]
    return entry


async def fuzz_operations(
    session: Any, document: dict[str, Any], operations: list[Operation], examples: int, options: ParityOptions
) -> list[FuzzOutcome]:
    """``examples`` generated cases for each operation with a body or query parameters to vary."""
    outcomes = []
    for op in operations:
        body, query = _operation_schemas(document, op)
        outcome = FuzzOutcome(op)
        if body is None and not query:
            outcome.note = "nothing to vary: no JSON body or query parameter in the schema"
        else:
            await _fuzz_one(session, op, _strategy(body, query), examples, options, outcome)
        outcomes.append(outcome)
    return outcomes


async def _fuzz_one(session: Any, op: Operation, strategy: Any, examples: int, options: ParityOptions,
                    outcome: FuzzOutcome) -> None:  # fmt: skip
    from hypothesis import HealthCheck, Phase, given, settings

    loop = asyncio.get_running_loop()
    failing: list[tuple[dict[str, Any], ParityResult]] = []

    class Differs(Exception):
        pass

    def check(drawn: dict[str, Any]) -> None:
        entry = _entry(op, drawn)
        try:
            case = parse_case(entry, f"fuzz {op.label}")
        except Exception:  # a drawn value the request model refuses (e.g. too large): not a case
            return
        future = asyncio.run_coroutine_threadsafe(run_case(session, case, RunState(), options), loop)
        result, _ = future.result(_CALL_TIMEOUT)
        outcome.sent += 1
        if not result.matched:
            failing.append((entry, result))
            raise Differs(result.differences[0].line() if result.differences else "differs")

    test = settings(max_examples=examples, derandomize=True, database=None, deadline=None,
                    phases=(Phase.explicit, Phase.generate, Phase.shrink), report_multiple_bugs=False,
                    suppress_health_check=list(HealthCheck))(given(strategy)(check))  # fmt: skip
    try:
        await asyncio.to_thread(test)
    except Differs:
        pass
    except Exception as exc:  # Hypothesis could not reproduce or generate: said, not hidden
        outcome.note = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:200]
    if failing:
        outcome.entry, outcome.result = failing[-1]  # the last failure is the replay of the minimal case
