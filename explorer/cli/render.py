"""Rich renderables for the headless CLI: exchanges side by side, the samples, the table.

Everything the servers sent is wrapped in :class:`rich.text.Text` by :func:`shown`, never parsed as
markup, so a body full of ``[bold]`` or ``[/foo]`` prints literally, and with its control characters
made visible (:func:`~explorer.runtime.userdata.bounded.printable`), so an ``ESC]52`` cannot reach the terminal.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console, ConsoleOptions, ConsoleRenderable, Group, RenderableType, RenderHook, RenderResult
from rich.panel import Panel
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from explorer.content.catalog import SAMPLES
from explorer.content.comparison import MEASURED_ROWS, Measurements, table_rows
from explorer.content.explain import why
from explorer.content.stream import is_streamed, timeline
from explorer.runtime.frameworks import FRAMEWORKS, display_name
from explorer.runtime.http.client import Exchange
from explorer.runtime.servers.specs import ServerStatus
from explorer.runtime.userdata.bounded import printable

MAX_BODY_LINES = 40


def shown(text: str, style: str = "", lines: bool = False) -> Text:
    """Text from a server, an app or a user's file: never markup, its control characters visible.

    ``lines`` keeps line breaks and tabs (a body, a log); anything else is one line.
    """
    return Text(printable(text, keep="\n\t" if lines else ""), style=style)


class _Visible:
    """A renderable drawn as usual, with any control character left in its text made visible."""

    def __init__(self, inner: ConsoleRenderable) -> None:
        self.inner = inner

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for segment in console.render(self.inner, options):
            if segment.control or segment.text.isprintable() or segment.text == "\n":
                yield segment
            else:
                yield Segment(printable(segment.text, keep="\n\t"), segment.style)


class _VisibleHook(RenderHook):
    def process_renderables(self, renderables: list[ConsoleRenderable]) -> list[ConsoleRenderable]:
        return [_Visible(renderable) for renderable in renderables]


def terminal(**options: Any) -> Console:
    """A Console for a command's output: a last guard under :func:`shown` for any text it did not see.

    Rich's own styles are written from segment styles, never from segment text, so they are untouched;
    a control character in the text of any segment (from a renderable that skipped :func:`shown`) is
    shown as its escape, if at the cost of the layout's alignment.
    """
    console = Console(**options)
    console.push_render_hook(_VisibleHook())
    return console


def status_style(status: int | None) -> str:
    """The colour of a status chip: green 2xx, cyan 3xx, yellow 4xx, red 5xx and errors."""
    if status is None:
        return "bold white on red"
    return {2: "bold black on green", 3: "bold black on cyan", 4: "bold black on yellow"}.get(
        status // 100, "bold white on red"
    )


def pretty_body(exchange: Exchange, max_lines: int = MAX_BODY_LINES) -> Text:
    """The body, pretty-printed when JSON, cut to ``max_lines`` lines with a note."""
    if exchange.json is not None:
        text = json.dumps(exchange.json, indent=2, ensure_ascii=False)
    else:
        text = exchange.text
    lines = text.splitlines()
    body = shown("\n".join(lines[:max_lines]), lines=True)
    if len(lines) > max_lines:
        body.append(f"\n… {len(lines) - max_lines} more lines", style="dim")
    return body


def _statuses(counts: dict[str, int]) -> str:
    """``200 x48, 500 x2``: how many copies of a burst got each answer."""
    return ", ".join(f"{status} x{n}" for status, n in counts.items()) or "none"


def exchange_panel(
    exchange: Exchange, server: ServerStatus | None = None, label: str = "", handler: bool | None = None
) -> Panel:
    """One framework's answer: status, timings, why, validation errors and the body.

    ``handler`` is the route map's word on whether a handler ran (see :func:`why`).
    """
    parts: list[RenderableType] = []
    if exchange.error:
        parts.append(Text(" ERROR ", style=status_style(None)) + Text(" ") + shown(exchange.error))
    else:
        chip = shown(f" {exchange.status} {exchange.reason} ", style=status_style(exchange.status))
        facts = f"  {exchange.content_type or 'no content type'}  {exchange.size:,} bytes"
        parts.append(chip + shown(facts, style="dim"))
    if exchange.timings:
        t = exchange.timings
        server_ms = f"{t.server_ms:.2f} ms" if t.server_ms is not None else "n/a"
        parts.append(Text(f"total {t.total_ms:.2f} ms   first byte {t.ttfb_ms:.2f} ms   server {server_ms}"))
    if exchange.burst:
        b = exchange.burst
        parts.append(
            Text(
                f"burst of {b.count}: all done in {b.wall_ms:.0f} ms (each {b.min_ms:.0f}-{b.max_ms:.0f} ms, "
                f"median {b.median_ms:.0f}); {b.errors} errors; statuses {_statuses(b.statuses)}; "
                f"{b.body_bytes:,} body bytes in all, the first copy's answer shown"
            )
        )
        if b.first_error and b.first_error != exchange.error:
            parts.append(shown(f"first error among the copies: {b.first_error}", style="red"))
    if not exchange.error:
        parts.append(shown(why(exchange, handler), style="italic"))
    for note in exchange.notes:
        parts.append(shown(f"note: {note}", style="yellow"))
    if exchange.validation:
        parts.append(validation_table(exchange))
    if exchange.status is not None and exchange.body:
        parts.append(Text("─" * 20, style="dim"))
        if is_streamed(exchange):
            parts.append(Text("arrived in parts (ms after the request started, gap, size, text):", style="bold"))
            parts.append(shown("\n".join(timeline(exchange, MAX_BODY_LINES)), lines=True))
        else:
            parts.append(pretty_body(exchange))
    title = display_name(exchange.framework)
    subtitle = label or (server.describe() if server else "")
    return Panel(Group(*parts), title=Text(title, style="bold"), subtitle=shown(subtitle), title_align="left")


def validation_table(exchange: Exchange) -> Table:
    """The validation errors: each location whole with its type below it, the message wrapped beside them.

    Three columns in half of an 80-column terminal left ``path.item_…`` with its end cut off; the
    location is what a user looks for, so it keeps its width (folded, never cut, past 30 cells).
    """
    table = Table("location", "message", box=None, header_style="bold", pad_edge=False)
    table.columns[0].min_width = min(30, max(len(issue.location) for issue in exchange.validation))
    table.columns[0].overflow = "fold"
    table.columns[1].ratio = 1
    for issue in exchange.validation:
        table.add_row(shown(issue.location) + Text("\n") + shown(issue.type, style="dim"), shown(issue.message))
    return table


def log_panel(framework: str, lines: Sequence[str]) -> Panel:
    """A server's last log lines (its traceback, usually), shown under an answer that failed."""
    title = f"{display_name(framework)} server log, last {len(lines)} lines"
    text = Text.from_ansi(printable("\n".join(lines), keep="\n\t", colours=True))  # its colours, nothing else
    return Panel(text, title=Text(title, style="bold"), title_align="left", border_style="red")


def results_view(panels: Sequence[Panel]) -> RenderableType:
    """Panels side by side, each taking an equal share of the width."""
    grid = Table.grid(expand=True, padding=(0, 1))
    for _ in panels:
        grid.add_column(ratio=1)
    grid.add_row(*panels)
    return grid


def whole_cells(table: Table, keep: Iterable[int] = ()) -> Table:
    """Every cell whole at any width: a word too long for its column folds onto the next line instead
    of ending in "…"; the columns in ``keep`` (something a user copies, like an id) are the last to
    narrow (Rich narrows the columns that wrap first), so they stay on one line where they can."""
    for column in table.columns:
        column.overflow = "fold"
    for index in keep:
        table.columns[index].no_wrap = True
    return table


NARROW = 100  # below this many columns the samples leave out their topic, and say so: the ids stay whole


def samples_view(width: int | None = None) -> Table:
    """Every sample request; narrower than :data:`NARROW`, without the topic (said under the table)."""
    narrow = width is not None and width < NARROW
    headers = ("id", "request", "title") if narrow else ("id", "topic", "request", "title")
    caption = f"Topic left out at {width} columns (widen the terminal or COLUMNS, or use --json)." if narrow else None
    table = Table(*headers, title="Sample requests", caption=caption, show_lines=False)
    for sample in SAMPLES:
        burst = f" x{sample.burst}" if sample.burst > 1 else ""
        topic = [] if narrow else [Text(sample.topic_title)]
        table.add_row(Text(sample.id), *topic, Text(sample.request.line + burst), Text(sample.title))
    return whole_cells(table, [0])


def table_view(measurements: Measurements | None = None, frameworks: Iterable[str] = FRAMEWORKS) -> Table:
    table = Table("Dimension", "Flask", "FastAPI", title="Flask vs FastAPI", show_lines=True)
    for row in table_rows():
        table.add_row(Text(row.dimension, style="bold"), Text(row.flask), Text(row.fastapi))
    if measurements is not None:
        for row in MEASURED_ROWS:
            cells = [Text(measurements.cell(row.key, fw)) for fw in FRAMEWORKS]
            table.add_row(Text(row.dimension, style="bold"), *cells)
    return whole_cells(table)
