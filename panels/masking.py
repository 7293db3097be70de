"""Hiding volatile figures (ports, times, PIDs, dates) so snapshot tests see the same screen every run."""

from __future__ import annotations

import re

VOLATILE_HEADERS = frozenset({"date", "server", "server-timing", "user-agent", "x-request-id"})  # versions change
_DIGITS = re.compile(r"\d+")
_STAMP = re.compile(r"\[\d+/\w+/\d+ [\d:]+\]|\[\d{4}-\d\d-\d\d [^\]]*\]")


def mask_digits(text: str) -> str:
    """Timestamps become '[‒]' and every run of digits '#': log lines are full of ports, PIDs and times."""
    return _DIGITS.sub("#", _STAMP.sub("[‒]", text))


def ms(value: float | None, mask: bool, digits: int = 2, unit: bool = True) -> str:
    """A duration for display, or a fixed placeholder in masked mode; ``unit=False`` leaves out " ms"."""
    if value is None:
        return "n/a"
    shown = "‒.‒‒" if mask else f"{value:.{digits}f}"
    return f"{shown} ms" if unit else shown
