"""One app's answer to one send, as the main view shows it: a plain value its response panel draws whole.

After Posting's response area: the workbench hands the panel one value, set as one reactive, and the panel
draws everything from it (the chip, the times, the reason and the five tabs). Nothing else writes the panel's
fields, so what it shows is always one answer, never parts of two. The value lives here, beside the handler
lookup it carries, because the panels may import the core but not the app that fills them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from explorer.apps.source import HandlerLookup
    from explorer.runtime.http.cookies import Cookie
    from explorer.runtime.http.exchange import Exchange

__all__ = ["WAITING", "Answer"]

WAITING = "Send a request to see this server's answer."


@dataclass(frozen=True)
class Answer:
    """What one response panel shows: the send it belongs to and its exchange, or the note said instead.

    ``send`` numbers the request (0: none yet), ``latest`` is the newest send of all, so an answer from an
    earlier one is marked as such; ``line`` is that send's request line, for the panel's title.
    """

    send: int = 0
    latest: int = 0
    line: str = ""
    exchange: Exchange | None = None  # None: nothing in, and ``note`` says why
    note: str = WAITING
    sending: bool = False  # a request is on its way here
    differs: frozenset[str] = frozenset()  # the aspects in which it differs from its own send's other answer
    code: HandlerLookup | None = None  # the handler that served it, for the Code tab
    pid: int | None = None  # the server process that gave it: a later process never stands behind its figures
    jar: tuple[Cookie, ...] | None = (
        None  # the server's cookie jar since it changed (k, x); None: as the answer left it
    )

    @classmethod
    def pending(cls, send: int, line: str) -> Answer:
        """A request is on its way: the title names it, and every trace of an earlier answer goes at once."""
        return cls(send, send, line, note=f"Sending {line}…", sending=True)

    @classmethod
    def nothing(cls, latest: int, note: str) -> Answer:
        """Nothing was sent here this time, and ``note`` says why."""
        return cls(latest=latest, note=note)

    @property
    def earlier(self) -> bool:
        """It belongs to a send before the latest: the answer beside it is not its counterpart."""
        return 0 < self.send < self.latest
