"""The Headers tab's table drawn so a header name is never cut.

With the columns in a fixed ratio, ``access-control-allow-origin`` and ``-methods`` both showed as
``access-contro…`` at 160x48: the two headers a CORS sample is about could not be told apart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult
    from rich.table import Table

__all__ = ["VALUE_ROOM", "NamesWhole"]

VALUE_ROOM = 12  # columns a header value keeps beside a long name


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
