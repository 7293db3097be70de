"""The Parity screen (``c``): a requests file sent to both apps, each answer compared."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Input, Static

from panels.fields import Field, Left

if TYPE_CHECKING:
    from explorer.parity.check import ParityReport, ParityResult
    from explorer.runtime.request import RequestSpec  # noqa: F401 - named in the Screen[...] result type

OUTCOME_STYLE = {"match": "bold green", "differ": "bold yellow", "error": "bold red"}
REQUEST_CHARS = 48  # of a request's name and line in the table; the detail below the table shows it whole
DIFFERENCE_CHARS = 90


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _request_label(result: ParityResult) -> str:
    line = result.case.request.line
    return f"{result.case.name}: {line}" if result.case.name and result.case.name != line else line


class ParityScreen(Screen["RequestSpec | None"]):
    """Draws the results its controller hands it; Enter on a row dismisses with that row's request.

    | Key | Action |
    | --- | --- |
    | enter | in the path: run the file; on a row: load its request in the editor |
    | escape | leave the path field; elsewhere, back |
    | c | back |
    """

    HELP_TITLE = "Parity check"
    HELP = (
        "A requests file (YAML or JSON) is sent to both apps, request by request, and each pair of answers is "
        "compared: status, content type, chosen headers and the body (JSON structurally). Type the file's path "
        "and press Enter; with the demos, the demo requests file is filled in. Enter on a row loads its request "
        "into the main view's editor and sends it."
    )

    BINDINGS = [Binding("escape,c", "dismiss(None)", "Back", id="parity.back")]

    class RunRequested(Message):
        """The user asked to run the requests file at ``path``."""

        def __init__(self, path: str) -> None:
            super().__init__()
            self.path = path

    def __init__(self, path: str = "", mask: bool = False) -> None:
        super().__init__()
        self.path = path
        self.mask = mask
        self.results: list[ParityResult] = []

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="parity-scroll"):  # a short terminal scrolls the screen rather than cutting it
            with Horizontal(id="parity-bar"):
                yield Field(self.path, placeholder="requests.yaml or .json (method, path, headers, body, expect)",
                            id="parity-path", compact=True)  # fmt: skip
                yield Button("Run", id="parity-run", variant="primary", compact=True)
            yield Static(Text("Each request goes to both apps; status, content type, chosen headers and JSON bodies are "
                              "compared."), id="parity-summary")  # fmt: skip
            yield DataTable(id="parity-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="parity-detail")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#parity-table", DataTable)
        table.add_column("#", width=3)
        table.add_column("request")  # as wide as its longest entry: the table scrolls sideways when it must
        table.add_column("outcome", width=8)
        table.add_column("first difference")
        self.query_one("#parity-path", Input).focus()

    @on(Left, "#parity-path")
    def _left_field(self, event: Left) -> None:
        event.stop()
        self.query_one("#parity-table", DataTable).focus()

    @on(Button.Pressed, "#parity-run")
    @on(Input.Submitted, "#parity-path")
    def _run(self) -> None:
        path = self.query_one("#parity-path", Input).value.strip()
        if not path:
            self.show_error("Type the path of a requests file first.")
            return
        self.results.clear()
        self.query_one("#parity-table", DataTable).clear()
        self.query_one("#parity-detail", Static).update("")
        self.query_one("#parity-summary", Static).update(Text(f"Running {path}…"))
        self.post_message(self.RunRequested(path))

    def show_error(self, message: str) -> None:
        self.query_one("#parity-summary", Static).update(Text(message, style="bold red"))

    def add_result(self, result: ParityResult) -> None:
        """Called by the controller after each request of the run."""
        self.results.append(result)
        first = result.differences[0].line() if result.differences else ""
        self.query_one("#parity-table", DataTable).add_row(
            Text(str(len(self.results))),
            Text(_cut(_request_label(result), REQUEST_CHARS)),
            Text(result.outcome, style=OUTCOME_STYLE.get(result.outcome, "")),
            Text(_cut(first, DIFFERENCE_CHARS)),
        )

    def show_report(self, report: ParityReport) -> None:
        differ, errors = report.count("differ"), report.count("error")
        verdict = "all match" if report.all_match else f"{differ} differ, {errors} errors"
        text = Text(f"{len(report.results)} requests: {verdict}. ", style="bold green" if report.all_match else "bold yellow")
        text.append("Enter on a row loads its request into the editor.", style="dim")
        self.query_one("#parity-summary", Static).update(text)
        table = self.query_one("#parity-table", DataTable)
        table.focus()

    @on(DataTable.RowHighlighted, "#parity-table")
    def _detail(self, event: DataTable.RowHighlighted) -> None:
        if not 0 <= event.cursor_row < len(self.results):
            return
        result = self.results[event.cursor_row]
        text = Text(_request_label(result) + "\n", style="bold")
        for difference in result.differences:
            text.append(f"• {difference.line()}\n")
        if result.more:
            text.append(f"  {result.more_line()}\n", style="dim")
        if not result.differences:
            text.append("Both answers match.\n", style="green")
        for framework in ("flask", "fastapi"):
            curl = result.curl(framework)
            if curl:
                shown = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:‒", curl) if self.mask else curl
                text.append(f"{framework}: {shown}\n", style="dim")
        self.query_one("#parity-detail", Static).update(text)

    @on(DataTable.RowSelected, "#parity-table")
    def _load(self, event: DataTable.RowSelected) -> None:
        if 0 <= event.cursor_row < len(self.results):
            self.dismiss(self.results[event.cursor_row].case.request)
