"""The Headers tab: the request as sent and the answer's headers, bounded, with nothing cut silently.

With the columns in a fixed ratio, ``access-control-allow-origin`` and ``-methods`` both showed as
``access-contro…`` at 160x48: the two headers a CORS sample is about could not be told apart. Then, with the
name column as wide as the longest name, values beside it had ~14 columns and broke inside words
(``Content-Langua`` / ``ge``), and the request line, drawn in the name column, was cut to ``GET /items/1?q=``
with no mark. So :class:`HeaderRows` lays the rows out itself: the request and status lines wrap over the
panel's width; a name is never cut; values start in one column beside the names that leave them VALUE_ROOM
and break between words; a longer name has a line of its own, its value below it in the same column.

An answer may carry the transport's maximum of headers and a header may be long, so each side is cut to
HEADER_ROWS rows and each name or value to HEADER_CHARS characters, with a count: drawing is linear in what
is drawn.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from rich.text import Text

from explorer.runtime.userdata.bounded import printable
from panels.masking import VOLATILE_HEADERS

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

    from explorer.runtime.http.cookies import Cookie
    from explorer.runtime.http.exchange import Exchange

__all__ = ["HEADER_CHARS", "HEADER_ROWS", "VALUE_ROOM", "HeaderRows", "headers_table"]

VALUE_ROOM = 24  # columns a value keeps beside the names of the value column: a longer name has a line of its own
HEADER_ROWS = 50  # per side: drawing is linear in rows, and an answer may carry the transport's maximum
HEADER_CHARS = 1000  # of one name or value shown; the rest is cut with an ellipsis and a count
GAP = 2  # columns between the mark and the name, and between the name and its value
INDENT = 1 + GAP  # the mark's column and the gap after it


class HeaderRows:
    """Rows of (mark, name, value) and whole lines (the request, the status), laid out at the width drawn.

    The value column starts after the longest name that leaves a value VALUE_ROOM columns; a longer name
    is written whole on its own line (folded only where it is wider than the panel), its value below it.
    Values wrap between words; a word wider than the value column folds (a cookie, a token).
    """

    def __init__(self) -> None:
        self.rows: list[tuple[Text, Text, Text] | tuple[Text, Text]] = []

    def add_row(self, mark: Text, name: Text, value: Text) -> None:
        self.rows.append((mark, name, value))

    def add_line(self, mark: Text, line: Text) -> None:
        """A line drawn across the whole width, wrapped under itself: never squeezed into the name column."""
        self.rows.append((mark, line))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        fitting = [
            row[1].cell_len
            for row in self.rows
            if len(row) == 3 and row[1].cell_len <= width - INDENT - GAP - VALUE_ROOM
        ]
        name_width = max(fitting, default=0)
        at = INDENT + name_width + GAP if name_width else INDENT  # where values start
        heading = "header".ljust(name_width + GAP) + "value" if name_width else "header: value below"
        yield Text(" " * INDENT + heading, style="bold")
        for row in self.rows:
            mark = Text(row[0].plain[:1].ljust(INDENT), style=row[0].style)
            if len(row) == 2:
                yield from _indented(console, mark, row[1], INDENT, width)
                continue
            name, value = row[1], row[2]
            if name.cell_len > name_width:  # its own line, whole; its value below it
                yield from _indented(console, mark, name, INDENT, width)
                yield from _indented(console, Text(""), value, at, width)
                continue
            yield from _indented(console, mark + name + Text(" " * (at - INDENT - name.cell_len)), value, at, width)


def _indented(console: Console, first: Text, text: Text, at: int, width: int) -> Iterator[Text]:
    """``text`` wrapped into the columns from ``at`` to ``width``, its first line after ``first``."""
    for number, line in enumerate(text.wrap(console, max(1, width - at), overflow="fold") or [Text("")]):
        lead = first.copy() if number == 0 else Text("")
        lead.append(" " * max(0, at - lead.cell_len))
        line.rstrip()
        yield lead + line


def headers_table(exchange: Exchange, jar: tuple[Cookie, ...] | None = None, mask: bool = False) -> HeaderRows:
    """The request as sent and the answer's headers, each side cut to HEADER_ROWS rows with a count.

    Then the server's cookie jar when it holds cookies; ``jar`` is the jar since it changed (cleared or
    swapped), shown even when empty, in place of the one the exchange carries.
    """
    table = HeaderRows()
    if exchange.request:
        sent = Text(_cut(f"{exchange.spec.method} {exchange.spec.path}"))
        table.add_line(Text("→", style="bold"), sent.append("  request as sent", style="dim"))
        _header_rows(table, "→", exchange.request.headers, mask)
    if exchange.status is not None:
        answered = printable(f"{exchange.http_version} {exchange.status} {exchange.reason}")
        table.add_line(Text("←", style="bold"), Text(answered))
        _header_rows(table, "←", exchange.headers, mask)
    cookies = exchange.cookie_jar if jar is None else jar
    if cookies is not None and (cookies or jar is not None):
        from panels.cookie_rows import add_cookie_rows

        add_cookie_rows(table, cookies, mask)
    return table


def _header_rows(table: HeaderRows, arrow: str, headers: tuple[tuple[str, str], ...], mask: bool) -> None:
    for name, value in headers[:HEADER_ROWS]:
        if mask and (name.lower() in VOLATILE_HEADERS or name.lower() == "host"):
            value = "‒"
        table.add_row(Text(arrow), Text(_cut(name)), Text(_cut(value)))
    if len(headers) > HEADER_ROWS:
        table.add_row(
            Text(arrow),
            Text(f"… {len(headers) - HEADER_ROWS:,} more headers", style="italic"),
            Text(f"{len(headers):,} in all; `explorer send --json` lists every one", style="dim"),
        )


def _cut(text: str) -> str:
    """A header name or value to show: at most HEADER_CHARS characters, its control characters visible."""
    return printable(text if len(text) <= HEADER_CHARS else text[:HEADER_CHARS] + f"… ({len(text):,} characters)")
