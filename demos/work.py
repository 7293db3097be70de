"""The CPU-bound work both demos run, shared so that the frameworks do exactly the same sum."""

from __future__ import annotations

DEFAULT_N = 200_000
MAX_N = 20_000_000


def crunch(n: int) -> int:
    """Pure-Python arithmetic that holds the GIL for the whole loop (about 15 ms for the default)."""
    total = 0
    for i in range(n):
        total = (total + i * i) % 1_000_003
    return total


def clamp_n(n: int) -> int:
    """Keep a request from asking for minutes of work."""
    return max(0, min(n, MAX_N))


def clamp_ms(ms: float) -> float:
    """Waits are capped at 10 s so a typo cannot park a worker for an hour."""
    return max(0.0, min(ms, 10_000.0))
