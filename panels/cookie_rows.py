"""The cookie jar's rows in the Headers tab: what the explorer will send this server next time.

Drawn from the jar the exchange carries (a snapshot taken after its answer), never from the live
jar, so the tab shows what was true for the answer on screen; after ``k`` (clear) and ``x`` (swap the
two servers' jars) the workbench hands the panel the jar as it is then (:attr:`Answer.jar`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from rich.text import Text

from explorer.content.cookie_format import describe_cookie
from explorer.runtime.userdata.bounded import printable

if TYPE_CHECKING:
    from explorer.runtime.http.cookies import Cookie

__all__ = ["COOKIE_ROWS", "add_cookie_rows"]

COOKIE_ROWS = 20  # the jar holds at most 50; the rest is counted
VALUE_CHARS = 300


class Rows(Protocol):
    """Where the rows go: the Headers tab's :class:`panels.header_table.HeaderRows`, or a Rich table."""

    def add_row(self, mark: Text, name: Text, value: Text, /) -> None: ...


def add_cookie_rows(table: Rows, cookies: tuple[Cookie, ...], mask: bool = False) -> None:
    """A heading row, then one row per cookie: name, value, its attributes and, for a session cookie, its format."""
    if cookies:
        count = f"{len(cookies)} cookie{'s' if len(cookies) != 1 else ''}"
        said = f"{count}: sent back on the next request (k clears, x swaps with the other server)"
    else:  # nothing is sent back: say what the jar is for
        said = "empty: cookies this server sets are kept here and sent back to it"
    table.add_row(Text("●", style="bold"), Text("cookie jar", style="bold"), Text(said, style="dim"))
    for cookie in cookies[:COOKIE_ROWS]:
        value = "‒" if mask else cookie.value
        shown = Text(printable(value if len(value) <= VALUE_CHARS else value[:VALUE_CHARS] + "…"))  # a server's text
        shown.append("\n" + printable("‒" if mask else cookie.attributes()), style="dim")
        if (described := describe_cookie(cookie.value)) and not mask:
            shown.append("\n" + printable(described), style="italic")
        table.add_row(Text("●"), Text(printable(cookie.name[:VALUE_CHARS])), shown)
    if len(cookies) > COOKIE_ROWS:
        table.add_row(Text("●"), Text(f"… {len(cookies) - COOKIE_ROWS} more cookies", style="italic"), Text(""))
