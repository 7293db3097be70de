"""The comparison table (``t``): the dimensions in our words, the installed versions, and rows measured live.

:class:`TableScreen` draws the table; :class:`TableController` measures the median latency of
``GET /items/1`` on each ready demo server, back to back and one request at a time, as it opens.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Static

from explorer.content.catalog import by_id
from explorer.content.comparison import (
    MEASURED_ROWS,
    ROWS,
    SPACED_COUNT,
    SPACED_PAUSE,
    Measurements,
    Row,
    measure_latency,
    table_rows,
)
from explorer.runtime.frameworks import FRAMEWORKS
from explorer.runtime.servers.specs import ServerState
from explorer.runtime.session import Session
from panels.footer import FittedFooter
from panels.kept import left, mounted_hidden

__all__ = ["TableController", "TableScreen"]


class RowTable(DataTable[Text]):
    """A table of rows where Home and End move the cursor to the first and last row.

    DataTable's Home and End scroll sideways, which a table as wide as the screen never needs: Home
    did nothing, and Enter then sent the sample of the row still under the cursor.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("home", "scroll_top", "First row", show=False),
        Binding("end", "scroll_bottom", "Last row", show=False),
    ]

    def on_resize(self) -> None:
        """What the table's new height hides is said as it gets that height, in the frame of the layout that gave it:
        said after that frame, the table's first frame at 80x24 lacked its "▼ more rows below" line."""
        screen = self.screen
        if isinstance(screen, TableScreen):
            screen.hint_more()


class TableScreen(Screen[str | None]):
    """Choosing a row explains it; Enter on a row dismisses with the id of the sample that proves it.

    | Key | Action |
    | --- | --- |
    | enter | load the sample for the highlighted row |
    | home / end | first / last row |
    | escape / t | back |
    """

    AUTO_FOCUS = "#comparison"  # on_mount's pick: Textual focused another first (a restyle)
    HELP_TITLE = "Comparison table"
    HELP = (
        f"{len(ROWS)} dimensions in our own words and the installed versions, then figures measured live on this "
        "machine: spawn to ready, and the "
        "median latency of GET /items/1, back to back and one at a time. Up and down choose a row, which is explained "
        "below the table; Enter loads and sends the sample that shows it."
    )

    BINDINGS = [
        Binding("escape,t", "dismiss(None)", "Back", id="table.back"),
        Binding("enter", "prove", "Show me", id="table.prove", priority=True),
    ]

    def __init__(self, measurements: Measurements, mask: bool = False, demo: bool = True) -> None:
        super().__init__()
        self.measurements = measurements
        self.mask = mask
        self.demo = demo  # with the user's own apps, only spawn-to-ready is measured (no GET /items/1)
        self.rows: list[Row] = [*table_rows(), *(r for r in MEASURED_ROWS if demo or r.key == "spawn")]
        self._built_for = 0

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="table-scroll"):  # a short terminal scrolls to the explanation rather than cutting it
            yield Static(
                Text("Flask vs FastAPI: what each gives you, and what it asks you to add", style="bold"),
                id="table-title",
            )
            yield RowTable(id="comparison", cursor_type="row", zebra_stripes=True)
            yield Static("", id="table-more")
            yield Static("", id="row-explanation")
        yield FittedFooter()  # Textual's Footer while its keys fit; each key composed without a restyle

    def on_mount(self) -> None:
        self._build(self.size.width)
        table = self.query_one("#comparison", DataTable)
        table.focus()
        self.watch(table, "scroll_y", lambda _: self.hint_more(), init=False)  # and its size: RowTable.on_resize

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._built_for:
            self._build(event.size.width)
        self.call_after_refresh(self.hint_more)

    def hidden_below(self) -> list[Row]:
        """The rows below the table's visible part (the measured ones are last): none when all show."""
        table = self.query_one("#comparison", DataTable)
        bottom = table.scroll_y + table.scrollable_content_region.height - table.header_height
        hidden, top = [], 0
        for row, shown in zip(table.ordered_rows, self.rows, strict=False):
            if top + row.height > bottom:
                hidden.append(shown)
            top += row.height
        return hidden

    def hint_more(self) -> None:
        """Say what the table's scroll hides, so the measured rows at its end are never unknown."""
        hidden = self.hidden_below()
        measured = sum(1 for row in hidden if row.measured)
        text = Text("")
        if hidden:
            what = f", {measured} of them measured on this machine" if measured else ""
            text = Text(
                f"▼ {len(hidden)} more row{'s' if len(hidden) != 1 else ''} below{what}: ↓ or PgDn", style="bold"
            )
        more = self.query_one("#table-more", Static)
        if text != more.content:  # said again unchanged (the table's Resize, then after its frame): a layout, a frame
            more.update(text)

    def _build(self, width: int) -> None:
        """Columns that share the screen's width, so both frameworks are always in view; cells wrap."""
        self._built_for = width
        table = self.query_one("#comparison", DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        dimension = 24 if width >= 100 else 14
        # the table's margins (none below 100 columns), the cell padding, two scrollbars, and a spare column
        side = max(16, (width - dimension - (16 if width >= 100 else 12)) // 2)
        table.add_column("Dimension", width=dimension, key="dimension")
        table.add_column("Flask", width=min(side, 60), key="flask")
        table.add_column("FastAPI", width=min(side, 60), key="fastapi")
        for row in self.rows:
            table.add_row(*self._cells(row), key=row.key, height=None)
        if 0 < cursor < len(self.rows):
            table.move_cursor(row=cursor)

    def _cells(self, row: Row) -> tuple[Text, Text, Text]:
        if row.measured:
            flask, fastapi = (self._measured(row.key, fw) for fw in FRAMEWORKS)
        else:
            flask, fastapi = row.flask, row.fastapi
        return Text(row.dimension, style="bold"), Text(flask), Text(fastapi)

    def _measured(self, key: str, framework: str) -> str:
        return "‒ (masked)" if self.mask else self.measurements.cell(key, framework)

    def refresh_measurements(self, measurements: Measurements) -> None:
        """Called by the controller (:class:`TableController`) as live figures arrive."""
        self.measurements = measurements
        if not self.is_mounted:
            return  # on_mount draws the figures it finds then
        table = self.query_one("#comparison", DataTable)
        for row in (r for r in self.rows if r.measured):
            _, flask, fastapi = self._cells(row)
            table.update_cell(row.key, "flask", flask)
            table.update_cell(row.key, "fastapi", fastapi)
        if 0 <= table.cursor_row < len(self.rows) and self.rows[table.cursor_row].key == "latency":
            self._explain_row(table.cursor_row)  # its words follow the figures as they arrive

    @on(DataTable.RowHighlighted, "#comparison")
    def _explain(self, event: DataTable.RowHighlighted) -> None:
        self.call_after_refresh(self.hint_more)
        self._explain_row(event.cursor_row)

    def _explain_row(self, index: int) -> None:
        row = self.rows[index]
        text = Text(row.explanation)
        if row.key == "latency" and not self.mask:
            text.append(" " + self.measurements.spacing_effect())
        if row.samples and self.demo:
            titles = ", ".join(s.title for sid in row.samples if (s := by_id(sid)))
            text.append(f"\n\nShown by: {titles}.", style="dim")
            text.append("\nEnter loads and sends the first of them.", style="bold")
        self.query_one("#row-explanation", Static).update(text)

    def action_prove(self) -> None:
        table = self.query_one("#comparison", DataTable)
        row = self.rows[table.cursor_row]
        self.dismiss(row.samples[0] if row.samples and self.demo else None)


class TableController(TableScreen):
    """The comparison table, measuring the median latency of ``GET /items/1`` on each ready demo server."""

    def __init__(self, session: Session, measurements: Measurements, mask: bool = False, demo: bool = True) -> None:
        super().__init__(measurements, mask=mask, demo=demo)
        self.session = session
        self._shown_before = False
        self._left = False  # as it is suspended: left (shown again as new), not covered by the help

    def on_mount(self) -> None:  # Textual calls TableScreen.on_mount too (it draws the table): handlers run per class
        if mounted_hidden(self):  # built ahead: nothing measured behind the main view; its first showing measures
            self._shown_before = self._left = True
        elif self.demo:  # GET /items/1 exists only in the demos
            self.measure_latency()

    def on_screen_resume(self) -> None:
        """Shown again (the app keeps this screen): on its first row, with the figures as they are now (a restart
        forgets them: measured again)."""
        if not self._shown_before:
            self._shown_before = True  # the first showing follows on_mount, which did all this
            return
        if not self._left:  # the help over it closed: as the user had it, its measuring going on
            if self.demo:
                self.measure_latency()
            return
        table = self.query_one("#comparison", DataTable)
        if self.size.width != self._built_for:
            self._build(self.size.width)
        table.move_cursor(row=0, scroll=False)
        table.scroll_home(animate=False)
        self.query_one("#table-scroll", VerticalScroll).scroll_home(animate=False)
        table.focus()
        if self.demo:
            self.measure_latency()
        else:
            self.refresh_measurements(self.measurements)

    def on_screen_suspend(self) -> None:
        """Left: no measuring goes on behind the main view (its requests would share the servers with a send);
        a figure it had not finished is measured when the table is shown again."""
        self._left = left(self)
        self.workers.cancel_group(self, "measure")

    @work(group="measure", exclusive=True, exit_on_error=False)
    async def measure_latency(self) -> None:
        self.refresh_measurements(self.measurements)
        for framework in self.session.frameworks:
            if (
                framework in self.measurements.latency_ms
                or self.session.server(framework).status.state is not ServerState.READY
            ):
                continue
            value = await measure_latency(self.session, framework)
            if value is not None:
                self.measurements.latency_ms[framework] = value
            if self.is_attached:
                self.refresh_measurements(self.measurements)
            spaced = await measure_latency(self.session, framework, SPACED_COUNT, SPACED_PAUSE)
            if spaced is not None:
                self.measurements.spaced_ms[framework] = spaced
            if self.is_attached:
                self.refresh_measurements(self.measurements)
