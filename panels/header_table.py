"""The Headers tab's table: the request as sent and the answer's headers, bounded, with no name ever cut.

With the columns in a fixed ratio, ``access-control-allow-origin`` and ``-methods`` both showed as
``access-contro…`` at 160x48: the two headers a CORS sample is about could not be told apart. An answer may
carry the transport's maximum of headers and a header may be long, so each side is cut to HEADER_ROWS rows
and each name or value to HEADER_CHARS characters: drawing is linear in what is drawn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from explorer.runtime.userdata.bounded import printable
from panels.masking import VOLATILE_HEADERS

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

    from explorer.runtime.http.cookies import Cookie
    from explorer.runtime.http.exchange import Exchange

__all__ = ["HEADER_CHARS", "HEADER_ROWS", "VALUE_ROOM", "NamesWhole", "headers_table"]

VALUE_ROOM = 12  # columns a header value keeps beside a long name
HEADER_ROWS = 50  # per side: drawing is linear in rows, and an answer may carry the transport's maximum
HEADER_CHARS = 1000  # of one name or value shown; the rest is cut with an ellipsis


class NamesWhole:
    """The Headers table drawn with its name column as wide as the longest name, leaving VALUE_ROOM.

    A name is never cut: ``access-control-allow-origin`` and ``-methods`` must be told apart. The value
    wraps beside the name; only a name wider than all but VALUE_ROOM folds onto the next line.
    """

    def __init__(self, table: Table, names: list[str]) -> None:
        self.table = table
        self.longest = max((len(name) for name in names), default=6)  # 6: the column's title

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        room = max(8, options.max_width - 5 - VALUE_ROOM)  # 5: the arrow column and the padding between columns
        names = self.table.columns[1]
        names.width = min(self.longest, room)
        names.no_wrap = self.longest <= room  # kept whole when Rich squeezes the columns; else folded
        yield self.table


def headers_table(exchange: Exchange, jar: tuple[Cookie, ...] | None = None, mask: bool = False) -> NamesWhole:
    """The request as sent and the answer's headers, each side cut to HEADER_ROWS rows with a count.

    Then the server's cookie jar when it holds cookies; ``jar`` is the jar since it changed (cleared or
    swapped), shown even when empty, in place of the one the exchange carries.
    """
    table = Table("", "header", "value", box=None, header_style="bold", expand=True, pad_edge=False)
    table.columns[0].width = 1
    table.columns[1].overflow = table.columns[2].overflow = "fold"
    table.columns[2].ratio = 1
    if exchange.request:
        sent = printable(f"{exchange.spec.method} {exchange.spec.path}")
        table.add_row(Text("→", style="bold"), Text(sent), Text("request as sent"))
        _header_rows(table, "→", exchange.request.headers, mask)
    if exchange.status is not None:
        answered = printable(f"{exchange.http_version} {exchange.status}")
        table.add_row(Text("←", style="bold"), Text(answered), Text(printable(exchange.reason)))
        _header_rows(table, "←", exchange.headers, mask)
    cookies = exchange.cookie_jar if jar is None else jar
    if cookies is not None and (cookies or jar is not None):
        from panels.cookie_rows import add_cookie_rows

        add_cookie_rows(table, cookies, mask)
    groups = (exchange.request.headers if exchange.request else (), exchange.headers)
    names = [n for h in groups for n in [name for name, _ in h[:HEADER_ROWS]] + _more_label(h)]
    return NamesWhole(table, [_cut(n) for n in names])


def _header_rows(table: Table, arrow: str, headers: tuple[tuple[str, str], ...], mask: bool) -> None:
    for name, value in headers[:HEADER_ROWS]:
        if mask and (name.lower() in VOLATILE_HEADERS or name.lower() == "host"):
            value = "‒"
        table.add_row(Text(arrow), Text(_cut(name)), Text(_cut(value)))
    if len(headers) > HEADER_ROWS:
        table.add_row(
            Text(arrow),
            Text(_more_label(headers)[0], style="italic"),
            Text(f"{len(headers):,} in all; `explorer send --json` lists every one", style="dim"),
        )


def _cut(text: str) -> str:
    """A header name or value to show: at most HEADER_CHARS characters, its control characters visible."""
    return printable(text if len(text) <= HEADER_CHARS else text[:HEADER_CHARS] + f"… ({len(text):,} characters)")


def _more_label(headers: tuple[tuple[str, str], ...]) -> list[str]:
    """The row that stands for the headers past :data:`HEADER_ROWS` (a name the name column must fit whole)."""
    return [f"… {len(headers) - HEADER_ROWS:,} more headers"] if len(headers) > HEADER_ROWS else []
