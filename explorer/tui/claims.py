"""The lines the main view says about a send: what the answers have in common or not, and which answer is shown.

Plain functions from exchanges to Rich text, kept apart from the workbench so each rule is stated
once: two answers are compared only when both came back from the same send, and a comparison that
could not be made (one of them is an error) says so, never "no difference".
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING

from rich.text import Text

from explorer.runtime.frameworks import display_name
from explorer.runtime.userdata.bounded import printable

if TYPE_CHECKING:
    from explorer.parity.differences import Difference
    from explorer.runtime.http.client import Exchange

__all__ = ["NO_DIFFERENCE", "answer_switch", "comparison_line", "not_sent"]

NO_DIFFERENCE = "No difference in status, content type or body (bodies compared as JSON when both are JSON)."


def _code(status: str) -> str:
    return status.split(" ", 1)[0]


def comparison_line(results: Mapping[str, Exchange], found: Sequence[Difference], frameworks: Sequence[str]) -> Text:
    """The differences line for the answers of one send."""
    if len(results) < 2:
        sent = ", ".join(display_name(fw) for fw in results) or "no server"
        others = [display_name(fw) for fw in frameworks if fw not in results]
        text = Text(f"Only {sent} was sent this request", style="bold")
        if others:
            text.append(f"; {' and '.join(others)} shows no answer to it, so there is nothing to compare.")
        return text
    failed = {fw: e for fw, e in results.items() if e.status is None}
    if failed:
        text = Text("Not compared: ", style="bold red")
        text.append(printable("; ".join(f"{display_name(fw)} gave no answer ({e.error})" for fw, e in failed.items())))
        answered = [
            f"{display_name(fw)} answered {e.status} {e.reason}" for fw, e in results.items() if fw not in failed
        ]
        if answered:
            text.append(printable(f"; {', '.join(answered)}."))
        return text
    if not found:
        return Text(NO_DIFFERENCE)
    text = Text("Differences: ", style="bold")  # a status by its code alone: the chips below carry the reasons
    shown = (f"status: {_code(d.flask)} ≠ {_code(d.fastapi)}" if d.aspect == "status" else d.shown() for d in found)
    text.append(printable("; ".join(shown)))  # each already visible; a status or header from a server as well
    return text


def not_sent(reason: str, below: tuple[int, Text] | None = None) -> Text:
    """The line that says a request was not sent and why, said where a send's outcome is (above the answers).

    ``below`` is the number and comparison line of the send whose answers stay below: said after it, so those
    answers are never left without it nor read as the answers to the request that was not sent.
    """
    text = Text("Not sent: ", style="bold red")
    text.append(printable(reason))
    if below is not None:
        number, compared = below
        text.append(f"\nThe answers below are send #{number}'s. ")
        text.append(compared)
    return text


def answer_switch(
    shown: Mapping[str, Exchange | None],
    front: str,
    latest: int,
    numbers: Mapping[str, int],
    gone: Collection[str] = (),
) -> Text:
    """One line naming every answer in view, the one on screen first-class: used where only one fits.

    An answer is an earlier send's when its send number is below ``latest``, or when its server was
    switched or restarted since (its framework in ``gone``).
    """
    text = Text()
    for framework, exchange in shown.items():
        if text:
            text.append("  │  ", style="dim")
        style = "bold reverse" if framework == front else "dim"
        label = f" {display_name(framework)} "
        if exchange is not None:  # the status code alone: the chip below has the reason, the line has little room
            label += f"{exchange.status} " if exchange.status is not None else "ERROR "
            if 0 < numbers.get(framework, 0) < latest or framework in gone:
                label += "(earlier send) "
        text.append(label, style=style)
    if len(shown) > 1:
        text.append("   (a switches)", style="dim")
    return text
