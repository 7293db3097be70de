"""The Mirror screen (``m``): real traffic through the Flask app, shadowed to the port, counted by route;
and how far the port has come, route by route.

The screen draws what its controller hands it (:meth:`MirrorScreen.show_counts`, the mirror's counts;
:meth:`MirrorScreen.show_progress`, the routes' progress) and posts what the user asks
(:class:`MirrorScreen.StartRequested`, :class:`MirrorScreen.StopRequested`); the mirror itself runs
on a thread of its own (``explorer.mirror.background``), driven by :class:`MirrorController` beside it.
Every text an app sent is drawn with its control characters made visible; the records come with their
secrets already hidden by the mirror.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from explorer.runtime.userdata.bounded import printable
from panels.footer import FittedFooter
from panels.masking import mask_digits

if TYPE_CHECKING:
    from explorer.apps.progress import Progress

__all__ = ["COUNTS", "MirrorScreen"]

COUNTS = ("requests", "match", "declared", "noise", "differ", "dropped")
_HEADS = {"requests": "req", "declared": "decl", "dropped": "drop"}
_RESULT_STYLE = {
    "match": "green",
    "declared": "green",
    "differs": "bold yellow",
    "error": "bold red",
    "untested": "dim",
}
ROUTE_CHARS = 26
DETAIL_LINES = 8  # differences of the latest differing pair drawn; the rest counted


def _cell(text: str, style: str = "") -> Text:
    return Text(printable(text), style=style, no_wrap=True, overflow="ellipsis", end="")


class MirrorScreen(Screen[None]):
    """Two tabs: the mirror's counts per route (the highlighted route's latest differing pair and noise
    fields below), and the routes' progress. ``s`` starts or stops the mirror, ``n`` turns noise on or off."""

    HELP_TITLE = "Mirror"
    HELP = (
        "Point a browser, a front end or a test suite at the mirror's address: every request goes to the Flask "
        "app and is answered with Flask's answer, unchanged; the same request then goes to the FastAPI app (and, "
        "with noise on, to a second Flask, whose differences from the first are noise), and the answers are "
        "compared as parity compares them, counted by Flask route. s starts or stops the mirror, n turns noise on "
        "or off (from the next start). On Traffic, the highlighted route's latest differing pair and its noise "
        "fields show below the table. Progress lists every Flask route with its FastAPI counterpart, whether the "
        "requests file or the mirror exercised it, and its result. The mirror keeps running when you leave this "
        "screen, follows the apps when f5 or ctrl+g restarts them (same address, counts kept), and stops with the app."
    )

    DEFAULT_CSS = """
    MirrorScreen #mirror-state { height: auto; padding: 0 1; }
    MirrorScreen #mirror-tabs { height: 1fr; }
    MirrorScreen TabPane { height: 1fr; padding: 0; }
    MirrorScreen DataTable { height: 1fr; min-height: 4; }
    MirrorScreen #mirror-detail { height: auto; max-height: 10; padding: 0 1; }
    MirrorScreen #progress-summary { height: auto; padding: 0 1; }
    """

    BINDINGS = [
        Binding("escape,m", "dismiss(None)", "Back", id="mirror.back"),
        Binding("s", "start_stop", "Start/stop", id="mirror.start", tooltip="Start the mirror, or stop it"),
        Binding("n", "noise", "Noise", id="mirror.noise", tooltip="Measure noise with a second Flask (next start)"),
    ]

    class StartRequested(Message):
        """Start the mirror (with a second Flask when ``noise``)."""

        def __init__(self, noise: bool) -> None:
            super().__init__()
            self.noise = noise

    class StopRequested(Message):
        """Stop the mirror."""

    def __init__(self, mask: bool = False) -> None:
        super().__init__()
        self.mask = mask
        self.noise = False
        self.running = False
        self.routes: list[dict[str, Any]] = []  # the latest counts, one per row of the traffic table

    def compose(self) -> ComposeResult:
        yield Static("", id="mirror-state")
        with TabbedContent(id="mirror-tabs"):
            with TabPane("Traffic", id="mirror-traffic"):
                yield DataTable(id="mirror-table", cursor_type="row", zebra_stripes=True)
                yield Static("", id="mirror-detail")
            with TabPane("Progress", id="mirror-progress"):
                yield Static("", id="progress-summary")
                yield DataTable(id="progress-table", cursor_type="row", zebra_stripes=True)
        yield FittedFooter()  # Textual's Footer while its keys fit; each key composed without a restyle

    def on_mount(self) -> None:
        table = self.query_one("#mirror-table", DataTable)
        table.add_column("route", width=ROUTE_CHARS, key="route")
        for name in COUNTS:
            table.add_column(_HEADS.get(name, name), width=max(5, len(_HEADS.get(name, name))), key=name)
        progress = self.query_one("#progress-table", DataTable)
        for name, width in (("method", 6), ("Flask", 20), ("FastAPI", 20), ("file", 4), ("run", 4), ("result", 8)):
            progress.add_column(name, width=width)
        self.show_state("")
        table.focus()

    # --- what the controller hands the screen -----------------------------------------------------

    def show_state(self, address: str, note: str = "", error: str = "") -> None:
        """The mirror's address while it runs (ports masked in masked mode), and what to do next."""
        self.running = bool(address)
        noise = "on" if self.noise else "off"
        if error:
            text = Text(printable(error), style="bold red")
        elif address:
            shown = mask_digits(address) if self.mask else address
            text = Text("Mirror listening on ", style="bold")
            text.append(printable(shown), style="bold green")
            text.append(f" (noise {noise}): point your client there.", style="")
        else:
            text = Text(f"The mirror is stopped: s starts it (noise {noise}; n turns it on or off).", style="bold")
        if note:
            text.append(f"\n{printable(note)}", style="yellow")
        self.query_one("#mirror-state", Static).update(text)

    def show_counts(self, summary: dict[str, Any]) -> None:
        """The counts per route (a :meth:`~explorer.mirror.tally.Tally.to_dict`): rows updated in place, and only
        the summary's. A new mirror's summary (its first, empty) leaves none of the stopped one's: their counts,
        left in place, had read as the new mirror's (only the rows the new one hit were updated)."""
        table = self.query_one("#mirror-table", DataTable)
        routes = [r for r in summary.get("routes", []) if isinstance(r, dict)]
        keys = [f"{route.get('method')} {route.get('route')}" for route in routes]
        if [str(row.value) for row in table.rows] != keys[: table.row_count]:  # one run's routes only come, in order
            table.clear()
        shown = {str(row.value) for row in table.rows}
        for key, route in zip(keys, routes, strict=True):
            cells = [Text(str(route.get(name, 0)), justify="right") for name in COUNTS]
            if key in shown:
                for name, cell in zip(COUNTS, cells, strict=True):
                    table.update_cell(key, name, cell)
            else:
                table.add_row(_cell(key), *cells, key=key)
        self.routes = routes
        if routes:
            self._show_detail(table.cursor_row)
        else:
            self.query_one("#mirror-detail", Static).update("")

    def show_progress(self, state: Progress) -> None:
        """How far the port has come: the summary line, then every Flask route, then those only FastAPI has."""
        self.query_one("#progress-summary", Static).update(Text(printable(state.summary()), style="bold"))
        table = self.query_one("#progress-table", DataTable)
        row = table.cursor_row
        table.clear()
        for route in state.routes:
            table.add_row(
                _cell(route.method),
                _cell(route.flask),
                _cell(route.fastapi or "not ported", "" if route.fastapi else "bold yellow"),
                Text(str(route.in_file), justify="right"),
                Text(str(route.in_run), justify="right"),
                _cell(route.result, _RESULT_STYLE.get(route.result, "")),
            )
        for route in state.only_fastapi:
            table.add_row(_cell(route.method), _cell("(only in FastAPI)", "dim"), _cell(route.fastapi), "", "", "")
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))

    # --- the detail of the highlighted route ------------------------------------------------------

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "mirror-table":
            self._show_detail(event.cursor_row)

    def _show_detail(self, row: int) -> None:
        """The route's noise fields, then its latest differing pair: the path, both statuses, each difference."""
        if not 0 <= row < len(self.routes):
            return
        route = self.routes[row]
        text = Text()
        fields = route.get("noise_fields") or []
        if fields:
            text.append(printable(f"noise: {', '.join(map(str, fields))}") + "\n", style="dim")
        latest = route.get("latest_differ")
        if not isinstance(latest, dict):
            text.append("No request on this route has differed." if route.get("differ") == 0 else "", style="green")
            self.query_one("#mirror-detail", Static).update(text)
            return
        status = latest.get("status") or {}
        text.append(
            printable(f"latest difference: {latest.get('method')} {latest.get('path')}")
            + f"  Flask {status.get('flask')}, FastAPI {status.get('fastapi') or '-'}\n",
            style="bold",
        )
        lines = [str(d.get("line", "")) for d in latest.get("differences", []) if isinstance(d, dict)]
        if latest.get("error"):
            lines.insert(0, f"no answer to compare: {latest['error']}")
        for line in lines[:DETAIL_LINES]:
            text.append(f"• {printable(line)}\n")
        more = len(lines) - DETAIL_LINES + int(latest.get("more") or 0)
        if more > 0:
            text.append(f"  … {more} more\n", style="dim")
        self.query_one("#mirror-detail", Static).update(text)

    # --- keys --------------------------------------------------------------------------------------

    def action_start_stop(self) -> None:
        self.post_message(self.StopRequested() if self.running else self.StartRequested(self.noise))

    def action_noise(self) -> None:
        self.noise = not self.noise
        self.notify(
            f"Noise {'on' if self.noise else 'off'}" + (" from the next start." if self.running else "."),
            markup=False,
            timeout=3,
        )
        if not self.running:
            self.show_state("")
