"""The timings an answer shows under its status chip: total, first byte and server time, and a burst's summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from explorer.runtime.userdata.bounded import printable
from panels.masking import ms

if TYPE_CHECKING:
    from explorer.runtime.http.client import Exchange

__all__ = ["timings_text"]


def timings_text(exchange: Exchange, mask: bool) -> Text:
    """The timing line under a status chip, and a burst's summary below it; masked figures in snapshot mode."""
    t = exchange.timings
    if t is None:
        return Text("")
    text = Text(
        f"total {ms(t.total_ms, mask)} · first byte {ms(t.ttfb_ms, mask, unit=False)} · "
        f"server {ms(t.server_ms, mask, unit=False)}"
    )  # one unit for the three: the line fits a narrow panel
    if exchange.burst:
        b = exchange.burst
        wall = "‒" if mask else f"{b.wall_ms:.0f}"
        median = "‒" if mask else f"{b.median_ms:.0f}"
        statuses = ", ".join(f"{status} ×{n}" for status, n in b.statuses.items())
        text.append(
            f"\nburst of {b.count} at once: all done in {wall} ms, median {median} ms, {b.errors} errors"
            f" ({statuses}); the first copy's answer is shown"
        )
        if b.first_error and b.first_error != exchange.error:
            text.append("\n" + printable(f"first error among the copies: {b.first_error}"))
    return text
