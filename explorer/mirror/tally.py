"""Counts per route (requests, match, declared, noise, differ, dropped): what the summary and a screen show."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["RouteCounts", "Tally"]

MAX_ROUTES = 1000  # rows kept; past it, requests count under one overflow row
OVERFLOW = ("*", "(more routes)")
MAX_NOISE_FIELDS = 50  # noise fields kept per route


@dataclass
class RouteCounts:
    """One route's counts, the noise fields seen on it, and its latest differing request (a JSON-ready record)."""

    requests: int = 0
    match: int = 0
    declared: int = 0
    noise: int = 0
    differ: int = 0
    dropped: int = 0
    noise_fields: list[str] = field(default_factory=list)
    latest_differ: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "match": self.match,
            "declared": self.declared,
            "noise": self.noise,
            "differ": self.differ,
            "dropped": self.dropped,
            "noise_fields": list(self.noise_fields),
            "latest_differ": self.latest_differ,
        }


class Tally:
    """Every route's counts, in first-seen order."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], RouteCounts] = {}

    def _row(self, method: str, pattern: str) -> RouteCounts:
        key = (method, pattern)
        if key not in self.routes and len(self.routes) >= MAX_ROUTES:
            key = OVERFLOW
        return self.routes.setdefault(key, RouteCounts())

    def seen(self, method: str, pattern: str) -> None:
        """A request answered by Flask (every one counts, shadowed or dropped)."""
        self._row(method, pattern).requests += 1

    def dropped(self, method: str, pattern: str) -> None:
        self._row(method, pattern).dropped += 1

    def judged(
        self, method: str, pattern: str, outcome: str, noise_fields: list[str], record: dict[str, Any] | None = None
    ) -> None:
        row = self._row(method, pattern)
        setattr(row, outcome, getattr(row, outcome) + 1)
        for name in noise_fields:
            if name not in row.noise_fields and len(row.noise_fields) < MAX_NOISE_FIELDS:
                row.noise_fields.append(name)
        if outcome == "differ" and record is not None:
            row.latest_differ = record

    def total(self, name: str) -> int:
        return sum(getattr(row, name) for row in self.routes.values())

    def to_dict(self) -> dict[str, Any]:
        names = ("requests", "match", "declared", "noise", "differ", "dropped")
        return {
            "kind": "mirror",  # a run `explorer routes --progress --run` reads (explorer.apps.progress)
            "routes": [{"method": m, "route": p, **row.to_dict()} for (m, p), row in self.routes.items()],
            "totals": {name: self.total(name) for name in names},
        }
