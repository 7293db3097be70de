"""Hiding volatile figures (ports, times, PIDs, dates) so snapshot tests see the same screen every run."""

from __future__ import annotations

import re

VOLATILE_HEADERS = frozenset({"date", "server-timing", "x-request-id"})
_DIGITS = re.compile(r"\d+")


def mask_digits(text: str) -> str:
    """Every run of digits becomes '#': used on log lines, which are full of ports, PIDs and times."""
    return _DIGITS.sub("#", text)


def ms(value: float | None, mask: bool, digits: int = 2) -> str:
    """A duration for display, or a fixed placeholder in masked mode."""
    if value is None:
        return "n/a"
    return "‒.‒‒ ms" if mask else f"{value:.{digits}f} ms"
