"""Declared differences: what a port changes on purpose, each with its reason, reported but not a failure.

A team porting to FastAPI keeps some differences deliberately (``{"detail"}`` instead of
``{"error"}``, 422 instead of 400). Declared in the requests file, for one request or for all::

    expect_differences:
      - {aspect: body, where: [error, detail], reason: "the port answers HTTPException's shape"}
      - {aspect: status, flask: 400, fastapi: 422, reason: "Pydantic's status for a bad body"}

A difference is declared when an entry has its aspect, its ``where`` (a header name; for the body a
key name anywhere in the path, or a dotted path from the root with ``*`` for any part, covering
everything below it; no ``where`` covers every difference of the aspect) and, when given, each
side's value (``null`` for a status, a Content-Type or a header names its absence: ``fastapi: null``
matches FastAPI's ``(missing)``; in a body ``null`` is JSON's null). An error (no answer, a comparison that could not be completed) is never declared
away. An entry that covers nothing in a run is stale: the port no longer differs there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from explorer.parity.differences import MISSING, Difference
from explorer.runtime.errors import ExplorerError
from explorer.runtime.frameworks import FRAMEWORKS

__all__ = ["ASPECTS", "DeclarationError", "Expectation", "parse_expectations", "split_declared"]

ASPECTS = ("status", "content-type", "header", "body")
KEYS = ("aspect", "where", "reason", *FRAMEWORKS)


class DeclarationError(ExplorerError):
    """An ``expect_differences`` entry that cannot be used."""


@dataclass(frozen=True)
class Expectation:
    """One declared difference; ``scope`` is ``file`` or the name of the request it belongs to."""

    aspect: str
    reason: str
    where: tuple[str, ...] = ()
    flask: Any = field(default=MISSING, compare=False)
    fastapi: Any = field(default=MISSING, compare=False)
    scope: str = "file"

    @property
    def label(self) -> str:
        where = f" {', '.join(self.where)}" if self.where else ""
        return f"{self.aspect}{where}"

    def covers(self, difference: Difference) -> bool:
        """Whether this entry declares ``difference``."""
        if difference.aspect != self.aspect:
            return False
        for side, wanted in (("flask", self.flask), ("fastapi", self.fastapi)):
            if wanted is MISSING:  # not given: any value
                continue
            actual = getattr(difference, side)
            if wanted is None and self.aspect != "body":  # a status, a Content-Type, a header is never null:
                if actual is not MISSING:  # null names its absence
                    return False
            elif actual != wanted:
                return False
        if not self.where:
            return True
        if self.aspect == "header":
            return difference.where.lower() in self.where
        if self.aspect == "body":
            return any(path_covers(pattern, difference.parts) for pattern in self.where)
        return True

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "aspect": self.aspect,
            "where": list(self.where),
            "reason": self.reason,
            "scope": self.scope,
        }
        for side in FRAMEWORKS:
            if getattr(self, side) is not MISSING:
                result[side] = getattr(self, side)
        return result


def path_covers(pattern: str, parts: Sequence[Any]) -> bool:
    """A key name anywhere in ``parts``, or a dotted path (``*`` any part) that ``parts`` starts with."""
    if "." not in pattern:
        return any(isinstance(p, str) and p == pattern for p in parts)
    steps = pattern.split(".")
    return len(parts) >= len(steps) and all(s in ("*", str(p)) for s, p in zip(steps, parts, strict=False))


def parse_expectations(value: Any, scope: str, where: str) -> tuple[Expectation, ...]:
    """The ``expect_differences`` list of a file (``scope`` ``file``) or of one request."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise DeclarationError(f"{where}: expect_differences must be a list of {{aspect, where, reason}}")
    result = []
    for number, item in enumerate(value, start=1):
        at = f"{where}: expect_differences[{number}]"
        if not isinstance(item, dict):
            raise DeclarationError(f"{at}: expected a mapping with aspect, where and reason")
        unknown = [k for k in item if k not in KEYS]
        if unknown:
            raise DeclarationError(f"{at}: unknown key {str(unknown[0])[:40]!r}; use {', '.join(KEYS)}")
        aspect = item.get("aspect")
        if aspect not in ASPECTS:
            raise DeclarationError(f"{at}: 'aspect' must be one of {', '.join(ASPECTS)}, got {str(aspect)[:40]!r}")
        reason = item.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise DeclarationError(f"{at}: a declared difference needs a 'reason'")
        places = item.get("where", [])
        places = [places] if isinstance(places, str) else places
        if not isinstance(places, list) or not all(isinstance(p, str) and p.strip() for p in places):
            raise DeclarationError(f"{at}: 'where' must be a name or a list of names")
        if aspect in ("status", "content-type") and places:
            raise DeclarationError(f"{at}: 'where' has no meaning for {aspect}; give flask and fastapi values instead")
        cleaned = tuple(p.strip().lower() if aspect == "header" else p.strip() for p in places)
        result.append(
            Expectation(
                aspect, reason.strip(), cleaned, item.get("flask", MISSING), item.get("fastapi", MISSING), scope
            )
        )
    return tuple(result)


def body_patterns(expectations: Iterable[Expectation]) -> tuple[str, ...] | None:
    """The body paths declared away, or None when one entry declares every body difference."""
    patterns: list[str] = []
    for exp in expectations:
        if exp.aspect == "body" and exp.flask is MISSING and exp.fastapi is MISSING:
            if not exp.where:
                return None
            patterns += exp.where
    return tuple(dict.fromkeys(patterns))


def split_declared(
    differences: Iterable[Difference], expectations: Sequence[Expectation]
) -> tuple[list[Difference], list[tuple[Difference, Expectation]], set[Expectation]]:
    """Undeclared differences, declared ones with the entry that covers each, and the entries used."""
    undeclared: list[Difference] = []
    declared: list[tuple[Difference, Expectation]] = []
    used: set[Expectation] = set()
    for difference in differences:
        match = None
        if difference.aspect != "error":
            match = next((exp for exp in expectations if exp.covers(difference)), None)
        if match is None:
            undeclared.append(difference)
        else:
            declared.append((difference, match))
            used.add(match)
    return undeclared, declared, used
