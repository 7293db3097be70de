"""The Parity screen (``c``): a requests file sent to both apps, each answer compared.

:class:`ParityScreen` draws the results it is handed and posts what the user asks (run a file, resend one
request); :class:`ParityController` does that work on the session's two running apps, in workers that end with it.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, DataTable, Input, Static

from explorer.apps.bundled import demo_requests_file
from explorer.parity.secrets import Redactor
from explorer.runtime.errors import ExplorerError
from explorer.runtime.frameworks import FRAMEWORKS, NAMES
from explorer.runtime.session import Session
from explorer.runtime.userdata.bounded import printable
from explorer.runtime.userdata.datafile import user_path
from panels.fields import InTurnInput
from panels.footer import FittedFooter
from panels.kept import left, mounted_hidden

if TYPE_CHECKING:
    from explorer.parity.check import ParityReport, ParityResult
    from explorer.runtime.http.request import RequestSpec  # noqa: F401 - named in the Screen[...] result type

__all__ = ["ParityController", "ParityScreen"]

OUTCOME_STYLE = {"match": "bold green", "declared": "green", "differ": "bold yellow", "error": "bold red"}
REQUEST_CHARS = 48  # of a request's name and line in the table; the detail below the table shows it whole
DIFFERENCE_CHARS = 90
MIN_REQUEST_CHARS = 16
# Besides the two text columns: the table's side margins, a vertical scrollbar, each column's padding
# (1 each side), and the number and outcome columns.
_FIXED_CELLS = 2 + 2 + 4 * 2 + 3 + 8
SUMMARY = "Each request goes to both apps; status, content type, chosen headers and JSON bodies are compared."
_STARTING: set[asyncio.Task[Any]] = set()  # the apps' restarts around a file's set-up, seen through off the screen


def column_widths(screen_width: int) -> tuple[int, int]:
    """(request, first difference) widths that fit the screen: at 80 columns both show, cut with "…"."""
    room = max(2 * MIN_REQUEST_CHARS, screen_width - _FIXED_CELLS)
    request = min(REQUEST_CHARS, max(MIN_REQUEST_CHARS, room * 2 // 5))
    return request, min(DIFFERENCE_CHARS, room - request)


def _cell(text: str, style: str = "") -> Text:
    """A cell cut with "…" at whatever width its column has (the detail below shows it whole)."""
    return Text(text, style=style, no_wrap=True, overflow="ellipsis", end="")


def _request_label(name: str, line: str) -> str:
    return printable(f"{name}: {line}" if name and name != line else line)


class ParityScreen(Screen["RequestSpec | None"]):
    """Draws the results its controller hands it; Enter on a row dismisses with that row's request.

    | Key | Action |
    | --- | --- |
    | enter | in the path: run the file; on a row: load its request in the editor |
    | ctrl+r | on a row: send that request again to both apps (with the values captured so far); elsewhere: run the file |
    | escape | back (from the path field too, as from the WebSockets screen's fields) |
    | c | back |
    """

    AUTO_FOCUS = "#parity-path"  # on_mount's pick: Textual focused another first (a restyle)
    HELP_TITLE = "Parity check"
    HELP = (
        "A requests file (YAML or JSON) is sent to both apps, request by request, and each pair of answers is "
        "compared: status, content type, chosen headers and the body (JSON structurally). Type the file's path "
        "and press Enter; with the demos, the demo requests file is filled in. Enter on a row loads its request "
        "into the main view's editor and sends it; ctrl+r sends it again here (elsewhere on the screen, ctrl+r runs the file)."
    )

    BINDINGS = [
        Binding("escape,c", "dismiss(None)", "Back", id="parity.back"),
        Binding("ctrl+r", "resend", "Send again", id="parity.resend"),
    ]

    class RunRequested(Message):
        """The user asked to run the requests file at ``path``."""

        def __init__(self, path: str) -> None:
            super().__init__()
            self.path = path

    class ResendRequested(Message):
        """The user asked to send the request of row ``index`` again."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, path: str = "", mask: bool = False) -> None:
        super().__init__()
        self.path = path
        self.mask = mask
        self.results: list[ParityResult] = []
        self._widths = (REQUEST_CHARS, DIFFERENCE_CHARS)
        self.redactor: Redactor | None = None  # from the controller: secrets hidden in what is drawn

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="parity-scroll"):  # a short terminal scrolls the screen rather than cutting it
            with Horizontal(id="parity-bar"):
                yield InTurnInput(  # Escape goes back from here: the screen opens with the keyboard in this field
                    self.path,
                    placeholder="requests.yaml or .json (method, path, headers, body, expect)",
                    id="parity-path",
                    compact=True,
                )
                yield Button("Run", id="parity-run", variant="primary", compact=True)
            yield Static(Text(SUMMARY), id="parity-summary")
            yield DataTable(id="parity-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="parity-detail")
        yield FittedFooter()  # Textual's Footer while its keys fit; each key composed without a restyle

    def on_mount(self) -> None:
        self._widths = column_widths(self.app.size.width)
        self._add_columns()  # the path field has the keyboard already (AUTO_FOCUS)

    def _add_columns(self) -> None:
        table = self.query_one("#parity-table", DataTable)
        request, first = self._widths
        table.add_column("#", width=3)
        table.add_column("request", width=request)  # longer ones end in "…": the detail shows them whole
        table.add_column("outcome", width=8, key="outcome")
        table.add_column("first difference", width=first, key="first")

    def on_resize(self) -> None:
        self._fit_columns(self.size.width)

    def _fit_columns(self, width: int) -> None:
        """Fit the columns to the new width: the rows are drawn again, the cursor kept where it was."""
        widths = column_widths(width)
        if widths == self._widths:
            return
        self._widths = widths
        table = self.query_one("#parity-table", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        self._add_columns()
        for index, result in enumerate(self.results):
            self._add_row(index, result)
        if self.results:
            table.move_cursor(row=min(row, len(self.results) - 1))

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
        self.query_one("#parity-summary", Static).update(Text(printable(f"Running {path}…")))
        self.post_message(self.RunRequested(path))

    def show_error(self, message: str) -> None:
        self.query_one("#parity-summary", Static).update(Text(printable(message), style="bold red"))

    def _hide(self, text: str) -> str:
        """Text from an app or the requests file as shown: secrets hidden, control characters visible."""
        return printable(self.redactor.text(text) if self.redactor is not None else text)

    def _first(self, result: ParityResult) -> Text:
        if result.differences:
            return _cell(result.differences[0].line(self.redactor))
        if result.declared:
            return _cell(f"declared: {result.declared[0][0].line(self.redactor)}", "dim")
        return Text("")

    def add_result(self, result: ParityResult) -> None:
        """Called by the controller after each request of the run."""
        self.results.append(result)
        self._add_row(len(self.results) - 1, result)

    def _add_row(self, index: int, result: ParityResult) -> None:
        line = self._hide(result.case.request.line)
        self.query_one("#parity-table", DataTable).add_row(
            Text(str(index + 1)),
            _cell(_request_label(result.case.name, line)),
            Text(result.outcome, style=OUTCOME_STYLE.get(result.outcome, "")),
            self._first(result),
            key=str(index),
        )

    def replace_result(self, index: int, result: ParityResult) -> None:
        """A request sent again: its row and, if it is the one shown, its details."""
        self.results[index] = result
        table = self.query_one("#parity-table", DataTable)
        table.update_cell(str(index), "outcome", Text(result.outcome, style=OUTCOME_STYLE.get(result.outcome, "")))
        table.update_cell(str(index), "first", self._first(result))
        if table.cursor_row == index:
            self._show_detail(index)

    def action_resend(self) -> None:  # off a row (the footer offers ctrl+r everywhere): the file, as Enter in the path
        table = self.query_one("#parity-table", DataTable)
        on_row = table.has_focus and 0 <= table.cursor_row < len(self.results)
        self.post_message(self.ResendRequested(table.cursor_row)) if on_row else self._run()

    def show_report(self, report: ParityReport) -> None:
        differ, errors, declared = report.count("differ"), report.count("error"), report.count("declared")
        verdict = "all match" if report.all_match else f"{differ} differ, {errors} errors"
        verdict += f" ({declared} as declared)" if declared else ""
        verdict += f"; {report.stale_count} stale" if report.stale_count else ""
        verdict += "" if report.steps_ok else "; a setup or teardown step failed"
        passed = report.all_match and report.steps_ok
        text = Text(f"{len(report.results)} requests: {verdict}. ", style="bold green" if passed else "bold yellow")
        text.append("Enter on a row loads its request into the editor; ctrl+r sends it again.", style="dim")
        self.query_one("#parity-summary", Static).update(text)
        table = self.query_one("#parity-table", DataTable)
        table.focus()

    @on(DataTable.RowHighlighted, "#parity-table")
    def _detail(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail(event.cursor_row)

    def _show_detail(self, row: int) -> None:
        """Real differences, then declared ones with their reasons, noise, stale declarations, captures, curl."""
        if not 0 <= row < len(self.results):
            return
        result = self.results[row]
        text = Text(_request_label(result.case.name, self._hide(result.case.request.line)) + "\n", style="bold")
        for difference in result.differences:
            text.append(f"• {difference.line(self.redactor)}\n")
        if result.more:
            text.append(f"  {result.more_line()}\n", style="dim")
        if not result.differences:
            text.append("Both answers match" + (" as declared.\n" if result.declared else ".\n"), style="green")
        for difference, expectation in result.declared:
            text.append(
                f"declared: {difference.line(self.redactor)} ({printable(expectation.reason)})\n", style="green"
            )
        for item in result.noise:
            text.append(f"noise: {self._hide(item.line())}\n", style="dim")
        for expectation in result.stale:
            text.append(
                printable(f"stale: declared {expectation.label} no longer differs ({expectation.reason})") + "\n",
                style="yellow",
            )
        for framework, values in result.captures.items():
            shown = ", ".join(
                f"{k} = {'‹redacted›' if k in result.secret_names else self._hide(repr(v))}" for k, v in values.items()
            )
            text.append(f"captured from {framework}: {shown}\n", style="dim")
        for framework, lines in result.logs.items():  # why it answered 5xx, in its own words (as the CLI says)
            text.append(f"{NAMES[framework]} log:\n", style="dim")
            text.append("".join(f"  | {self._hide(line)}\n" for line in lines), style="dim")
        for framework in FRAMEWORKS:
            curl = result.curl(framework, self.redactor)
            if curl:
                shown = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:‒", curl) if self.mask else curl
                text.append(f"{framework}: {printable(shown)}\n", style="dim")
        self.query_one("#parity-detail", Static).update(text)

    @on(DataTable.RowSelected, "#parity-table")
    def _load(self, event: DataTable.RowSelected) -> None:
        if 0 <= event.cursor_row < len(self.results):
            self.dismiss(self.results[event.cursor_row].case.request)


class ParityController(ParityScreen):
    """The parity screen, sending a requests file to both running apps of the session.

    The app keeps it: shown again, it starts as a new one did (the requests file found now, no results), and
    leaving it stops a run, as leaving a screen that was removed did.
    """

    def __init__(self, session: Session, demo: bool, mask: bool = False) -> None:
        self.session = session
        self.demo = demo
        super().__init__(self._found(), mask=mask)
        self.report: Any = None
        self.suite: Any = None
        self._left = False

    def _found(self) -> str:
        """The requests file to offer: the demos' own (their real differences), else one beside the user's apps."""
        from explorer.parity.suite import default_requests_file

        dirs = [server.spec.app_dir for server in self.session.supervisor if server.spec.app_dir]
        found: Path | None = demo_requests_file() if self.demo else default_requests_file(dirs)
        return str(found) if found else ""

    def on_mount(self) -> None:  # after ParityScreen's own: built ahead, its first showing offers the file found then
        self._built_ahead = mounted_hidden(self)

    def on_screen_resume(self) -> None:
        """Shown again: the file found now in the path field (with the keyboard), no results, as a new screen."""
        field = self.query_one("#parity-path", Input)
        if self._built_ahead and field.value != (found := self._found()):
            field.value = found
        self._built_ahead = False
        if not self._left:
            return  # its first showing (on_mount did this), or the help over it closed
        self._left = False
        self.results.clear()
        self.report = self.suite = self.redactor = None
        self._fit_columns(self.app.size.width)  # the terminal may have been resized meanwhile
        self.query_one("#parity-table", DataTable).clear()
        self.query_one("#parity-detail", Static).update("")
        self.query_one("#parity-summary", Static).update(Text(SUMMARY))
        field.value = self._found()
        field.cursor_position = len(field.value)
        self.query_one("#parity-scroll", VerticalScroll).scroll_home(animate=False)
        field.focus()

    def on_screen_suspend(self) -> None:
        """Left (not merely covered by the help): its run stops, as it did when the screen went with it."""
        self._left = left(self)
        if self._left:
            self.workers.cancel_group(self, "parity")

    @on(ParityScreen.RunRequested)
    def _run_requested(self, event: ParityScreen.RunRequested) -> None:
        event.stop()
        self.run_parity(event.path)

    @work(group="parity", exclusive=True, exit_on_error=False)
    async def run_parity(self, path: str) -> None:
        from explorer.apps.targets import startup_problems
        from explorer.parity.check import run_parity
        from explorer.parity.run import start_for_suite
        from explorer.parity.suite import load_suite

        if set(self.session.frameworks) != set(FRAMEWORKS):
            self.show_error("Parity needs both a Flask app and a FastAPI app running.")
            return
        try:
            # Off the event loop: the file is bounded, but reading and checking it is still work.
            suite = await asyncio.to_thread(load_suite, user_path(path))
        except ExplorerError as exc:
            self.show_error(str(exc))
            self.notify(printable(str(exc)), severity="error", markup=False)
            return
        self.suite = suite
        self.redactor = Redactor()  # learns each secret as results come in; the run's captures added below
        # As `explorer parity` does: the file's set-up commands run with the apps stopped, then they start again.
        pids = {server.framework: server.status.pid for server in self.session.supervisor}
        starting = asyncio.ensure_future(start_for_suite(self.session, suite))
        _STARTING.add(starting)  # held until done: the loop keeps only a weak reference to a task
        starting.add_done_callback(_STARTING.discard)
        started = await asyncio.shield(starting)  # leaving the screen mid-way must not leave the apps stopped
        measurements = getattr(self.app, "measurements", None)
        for server in self.session.supervisor:
            if measurements is not None and server.status.pid != pids[server.framework]:
                measurements.forget(server.framework)  # latency figures belong to the process that produced them
        problems = startup_problems(self.session.supervisor)
        if problems:
            self.show_error(problems[0].splitlines()[0] + " (its Log tab has the details)")
            return
        report = await run_parity(self.session, suite, on_result=self._arrived, before_start=started)
        self.report = report
        for secret in report.secrets:
            self.redactor.learn(secret)
        self.show_report(report)

    def _learn(self, result: Any) -> None:
        """Hide this result's secrets (captured, in headers, cookies) in everything drawn from now on."""
        assert self.redactor is not None
        result.learn_secrets(self.redactor)

    def _arrived(self, result: Any) -> None:
        self._learn(result)
        self.add_result(result)

    @on(ParityScreen.ResendRequested)
    def _resend_requested(self, event: ParityScreen.ResendRequested) -> None:
        event.stop()
        self.resend(event.index)

    @work(group="parity", exclusive=True, exit_on_error=False)
    async def resend(self, index: int) -> None:
        """One request again, filled with the values captured so far in the run (its own captures updated)."""
        from explorer.parity.check import run_case

        if self.report is None or self.suite is None or not 0 <= index < len(self.results):
            return
        case = self.results[index].case
        result, _ = await run_case(self.session, case, self.report.state, self.report.options, self.suite.expectations)
        self._arrived_again(index, result)

    def _arrived_again(self, index: int, result: Any) -> None:
        self._learn(result)
        self.replace_result(index, result)
        self.notify(printable(f"{result.case.name}: {result.outcome}"), markup=False)  # the name is the file's
