"""The Performance lab (``p``): async against sync under load, run in a separate process and drawn live.

The screen only draws: its controller (:mod:`.controller`) runs the experiment in a worker (the load
itself runs in its own process) and hands every event down through :meth:`LabScreen.on_bench_event`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, DataTable, Input, Label, ProgressBar, Select, Static
from textual_plotext import PlotextPlot

from explorer.runtime.errors import ExplorerError
from explorer.tui.screens.lab.choices import DEFAULT_INPUT, FASTAPI_SERVERS, FLASK_SERVERS, MODES, SCENARIO_CHOICES
from panels.fields import Field, Left
from panels.footer import FittedFooter

if TYPE_CHECKING:
    from explorer.bench.plan import BenchPlan
    from explorer.bench.results import BenchEvent, BenchReport, LevelResult

__all__ = ["LabScreen"]


# Each results column holds two figures, one above the other (latencies in ms).
RESULT_COLUMNS = (
    ("route", "route\nserver: handler"),
    ("level", "level\nerrors"),
    ("rps", "req/s\nbound"),
    ("p50", "p50\np90"),
    ("p99", "p99\np99.9"),
    ("max", "max ms\n"),
    ("cpu", "client cpu\nsrv CPU ms"),
)
_FIGURES_WIDTH = 62  # the six figure columns at their usual widths, cell padding, margins and scrollbars


def route_width(screen_width: int) -> int:
    """The route column's width: what the figures leave of the screen, 14 to 44 cells (longer ends in "…")."""
    return max(14, min(44, screen_width - _FIGURES_WIDTH))


class LabScreen(Screen[None]):
    """Pick a scenario, a loop, levels or rates and the servers; run; watch progress, results, plots and the verdict.

    | Key | Action |
    | --- | --- |
    | ctrl+r | run (or run again) |
    | ctrl+x | stop the run |
    | escape | leave a field; elsewhere, back (a run goes on in the background until it ends or is stopped) |
    """

    AUTO_FOCUS = "#lab-scenario"  # on_mount's pick: Textual focused another first (a restyle)
    HELP_TITLE = "Performance lab"
    HELP = (
        "Async against sync under load, measured. Choose the scenario (or the coordinated-omission experiment), "
        "closed loop (concurrency levels) or open loop (rates, each request timed from when it was due), the "
        "engine, the Flask and FastAPI servers (gevent, granian, several side by side), the duration, warm-up and "
        "repeats; ctrl+r runs the experiment on servers of its own, with the load generated in a process of its "
        "own. Results with the server's CPU per request, plots (p99 against throughput shows where each route "
        "saturates) and a verdict computed from the figures follow; ctrl+x stops a run. A run goes on while you "
        "look elsewhere. PageUp, PageDown, Home and End scroll the whole lab, plots and verdict included (in a field, "
        "Home and End move the cursor: Escape from a field hands the keyboard to the lab itself, where the arrows "
        "scroll too); Tab to the results table to move through its rows."
    )

    BINDINGS = [
        Binding("escape,p", "dismiss(None)", "Back", id="lab.back"),
        Binding("ctrl+r", "run", "Run", id="lab.run", priority=True),
        # Priority, as ctrl+r: a focused field would otherwise take ctrl+x as "cut" and the run would go on.
        Binding("ctrl+x", "stop", "Stop", id="lab.stop", priority=True),
        # The page keys scroll the whole lab from a picker or a button too (a field keeps Home and End).
        Binding("pagedown", "scroll_lab('page_down')", show=False),
        Binding("pageup", "scroll_lab('page_up')", show=False),
        Binding("end", "scroll_lab('end')", show=False),
        Binding("home", "scroll_lab('home')", show=False),
    ]

    class RunRequested(Message):
        def __init__(self, plan: BenchPlan) -> None:
            super().__init__()
            self.plan = plan

    class StopRequested(Message):
        """The user asked to stop the experiment under way."""

    def __init__(self, engines: list[str], mask: bool = False, keys: dict[str, str] | None = None) -> None:
        super().__init__()
        self.engines = engines
        self.mask = mask
        self.keys = {"lab.run": "^r", "lab.stop": "^x", **(keys or {})}  # the buttons name the keys as remapped
        self.results: list[LevelResult] = []
        self._route_width = 14
        self._live: dict[str, str] = {}
        self._run_note = ""  # after the plots' titles once a run was stopped or failed: they show part of it

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="lab-scroll"):  # a short terminal scrolls the lab rather than cutting it
            with Vertical(id="lab-controls"):
                with Horizontal(id="lab-choices"):
                    yield Select(SCENARIO_CHOICES, value="io", allow_blank=False, id="lab-scenario", compact=True)
                    yield Select(MODES, value="closed", allow_blank=False, id="lab-mode", compact=True)
                    yield Select(
                        [(f"engine: {e}", e) for e in self.engines],
                        value="builtin",
                        allow_blank=False,
                        id="lab-engine",
                        compact=True,
                    )
                with Horizontal(id="lab-servers"):
                    # the granian pair by default: one HTTP stack for both, so only the framework differs
                    yield Select(FLASK_SERVERS, value="granian", allow_blank=False, id="lab-flask", compact=True)
                    yield Select(FASTAPI_SERVERS, value="granian", allow_blank=False, id="lab-fastapi", compact=True)
                with Horizontal(id="lab-numbers"):
                    yield Label("levels", classes="lab-label", id="lab-levels-label")
                    yield Field(DEFAULT_INPUT["closed"], id="lab-levels", compact=True)
                    yield Label("s", classes="lab-label")
                    yield Field("1", id="lab-duration", type="number", compact=True)
                    yield Label("warm-up", classes="lab-label")
                    yield Field("0.5", id="lab-warmup", type="number", compact=True)
                    yield Label("repeats", classes="lab-label")  # three runs show a spread a verdict must beat
                    yield Field("3", id="lab-repeat", type="integer", compact=True)
                    yield Button(f"Run {self.keys['lab.run']}", id="lab-run", variant="primary", compact=True)
                    yield Button(
                        f"Stop {self.keys['lab.stop']}", id="lab-stop", variant="error", compact=True, disabled=True
                    )
            yield Static("", id="lab-about")
            yield ProgressBar(total=1.0, show_eta=False, id="lab-progress")
            yield Static("", id="lab-live")
            yield DataTable(id="lab-results", zebra_stripes=True, cursor_type="row")
            with Horizontal(id="lab-plots"):
                yield PlotextPlot(id="lab-plot-rps", classes="lab-plot")
                yield PlotextPlot(id="lab-plot-latency", classes="lab-plot")
            yield Static("", id="lab-verdict")
        yield FittedFooter()  # not composed again while covered (shown again, the stock one drew the main keys first)

    def on_mount(self) -> None:
        self._route_width = route_width(self.app.size.width)
        self._add_columns()
        self._about()
        self.query_one("#lab-scenario", Select).focus()

    def action_scroll_lab(self, how: str) -> None:
        """PageDown, PageUp, End or Home: the plots and the verdict below a short screen come into view."""
        getattr(self.query_one("#lab-scroll", VerticalScroll), f"scroll_{how}")(animate=False)

    @on(Left)
    def _left_field(self, event: Left) -> None:
        """Escape from a field hands the keyboard to the lab's scroll: PageDown and End reach the plots and verdict."""
        event.stop()
        self.query_one("#lab-scroll", VerticalScroll).focus()

    @on(Select.Changed, "#lab-mode")
    def _mode_changed(self, event: Select.Changed) -> None:
        """Rates or concurrency levels: the one field takes what the mode needs."""
        mode = str(event.value)
        levels = self.query_one("#lab-levels", Input)
        if levels.value in DEFAULT_INPUT.values():
            levels.value = DEFAULT_INPUT["open" if mode == "open" else "closed"]
        self.query_one("#lab-levels-label", Label).update("rates" if mode == "open" else "levels")

    @on(Select.Changed)
    def _about(self) -> None:
        from explorer.bench.scenarios import SCENARIOS, levels_for

        scenario = SCENARIOS[str(self.query_one("#lab-scenario", Select).value)]
        levels, closed = self.query_one("#lab-levels", Input), self.query_one("#lab-mode", Select).value != "open"
        levels.value = levels_for(scenario.name, levels.value) if closed else levels.value  # unless the user typed
        text = Text.assemble((f"{scenario.title}: ", "bold"), scenario.claim + ". ")
        if scenario.stall is not None:
            text.append(
                f"FastAPI stalls {scenario.stall.ms:g} ms every {scenario.stall.every_s:g} s; measured closed "
                "loop (first level) then open loop (first rate, or 200 req/s). ",
                style="dim",
            )
        text.append(
            "Each route is loaded in turn at each level, by a client in its own process; the open loop "
            "times each request from when it was due.",
            style="dim",
        )
        self.query_one("#lab-about", Static).update(text)

    def read_plan(self) -> BenchPlan:
        from explorer.bench.plan import WARMUP_S, BenchPlan, parse_levels, parse_rates, parse_repeat, parse_seconds

        text = self.query_one("#lab-levels", Input).value
        mode = self.query_one("#lab-mode", Select).value
        rates = mode == "open"
        return BenchPlan(
            scenario=str(self.query_one("#lab-scenario", Select).value),
            levels=(1, 10, 50, 100) if rates else parse_levels(text),
            rates=parse_rates(text) if rates else (),
            duration=parse_seconds(self.query_one("#lab-duration", Input).value, "duration"),
            warmup=parse_seconds(self.query_one("#lab-warmup", Input).value, "warm-up", WARMUP_S),
            flask_server=str(self.query_one("#lab-flask", Select).value),
            fastapi_server=str(self.query_one("#lab-fastapi", Select).value),
            engine=str(self.query_one("#lab-engine", Select).value),
            repeat=parse_repeat(self.query_one("#lab-repeat", Input).value),
            extend=mode != "closed-1",  # the second stage: up to as many more starts when the first leave it open
        ).check()

    @on(Button.Pressed, "#lab-run")
    def action_run(self) -> None:
        try:
            plan = self.read_plan()
        except ExplorerError as exc:
            # Also as a notification: on a short terminal the verdict line is scrolled out of sight.
            self.query_one("#lab-verdict", Static).update(Text(f"Not run: {exc}", style="bold red"))
            self.notify(f"Not run: {exc}", severity="error", markup=False)
            return
        self.results.clear()
        self._live.clear()
        self._run_note = ""
        self.query_one("#lab-results", DataTable).clear()
        self._plot()  # the last run's plots go at once: they belong to it, not to this one
        self.query_one("#lab-verdict", Static).update(Text("Starting the servers for the lab…", style="italic"))
        self.query_one("#lab-progress", ProgressBar).update(progress=0)
        self.query_one("#lab-progress", ProgressBar).display = True
        self._set_running(True)
        self.post_message(self.RunRequested(plan))

    @on(Button.Pressed, "#lab-stop")
    def action_stop(self) -> None:
        self.post_message(self.StopRequested())

    def _set_running(self, running: bool) -> None:
        self.query_one("#lab-run", Button).disabled = running
        self.query_one("#lab-stop", Button).disabled = not running
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Stop is offered (and ctrl+x taken from a field's "cut") only while a run is under way."""
        if action == "stop":
            return not self.query_one("#lab-stop", Button).disabled
        return True

    def on_bench_event(self, event: BenchEvent) -> None:
        """Progress, a finished run, or a run starting: called by the controller for every event."""
        self.query_one("#lab-progress", ProgressBar).update(progress=event.fraction)
        target = event.target
        level = f"{event.rate:,.0f} req/s" if event.rate is not None else f"{event.concurrency} concurrent"
        if event.kind == "run" and target is not None:
            if self._live.pop("servers", None) is not None:
                self.query_one("#lab-verdict", Static).update(
                    Text("Running… keys still answer; ctrl+x stops.", style="italic")
                )
            self._live[target.key] = f"{target.key} ({target.route}) at {level}: starting…"
        elif event.kind == "progress" and target is not None and event.load is not None:
            load = event.load
            rate = "‒" if self.mask or load.rate_rps is None else f"{load.rate_rps:,.0f} req/s"
            p50 = "‒" if self.mask or load.p50_ms is None else f"p50 {load.p50_ms:.1f} ms"
            self._live[target.key] = f"{target.key} ({target.route}) at {level}: {load.phase}, {rate}, {p50}"
        elif event.kind == "result" and event.result is not None:
            self.add_result(event.result)
        elif event.kind == "servers":
            self._live = {"servers": "starting the lab's own Flask and FastAPI servers…"}
        self.query_one("#lab-live", Static).update(Text("\n".join(self._live.values())))

    def _add_columns(self) -> None:
        """Two figures to a cell, one above the other: the 13 figures of a row fit 80 columns without scrolling."""
        table = self.query_one("#lab-results", DataTable)
        table.header_height = 2
        for key, label in RESULT_COLUMNS:
            table.add_column(Text(label, justify="left"), key=key, width=self._route_width if key == "route" else None)

    def on_resize(self) -> None:
        """A new width: the route column takes what the figures leave, every row drawn again."""
        width = route_width(self.size.width)
        if width == self._route_width:
            return
        self._route_width = width
        table = self.query_one("#lab-results", DataTable)
        table.clear(columns=True)
        self._add_columns()
        for result in self.results:
            self._add_row(result)

    def add_result(self, result: LevelResult) -> None:
        self.results.append(result)
        self._add_row(result)
        self._plot()

    def _add_row(self, result: LevelResult) -> None:
        load = result.load
        lat = load.latency

        def fig(value: float | None, digits: int = 1) -> str:
            return "‒" if self.mask or value is None or value != value else f"{value:,.{digits}f}"

        def pair(top: str, bottom: str | Text) -> Text:
            return Text(f"{top}\n", no_wrap=True, overflow="ellipsis") + bottom

        share = load.client_cpu_utilisation
        cpu = "‒" if self.mask or share is None else f"{share * 100:.0f}%"
        if load.client_bound and not self.mask:
            cpu += " bound"  # the load generator, not the server, was the limit: the header's note says so
        level = f"{load.target_rps:,.0f}/s" if load.target_rps is not None else f"c={load.concurrency}"
        failed = load.error_count + int(load.open_loop.get("dropped") or 0)
        route = Text(
            f"{result.target.key}\n{result.server.short}: {result.target.route}", no_wrap=True, overflow="ellipsis"
        )
        self.query_one("#lab-results", DataTable).add_row(
            route,
            pair(
                level + (f" #{result.repeat + 1}" if result.repeat else ""),
                Text(str(failed), style="bold red" if failed else ""),
            ),
            pair(fig(load.rps, 0), fig(result.bound_rps, 0)),
            pair(fig(lat.p50_ms), fig(lat.p90_ms)),
            pair(fig(lat.p99_ms), fig(lat.p999_ms)),
            pair(fig(lat.max_ms), ""),
            pair(cpu, fig(load.server_cpu_ms_per_request, 3)),
            height=2,
        )

    def _plot(self) -> None:
        """Throughput by level, and p99 latency against throughput (where each route saturates), one line per route."""
        if self.mask:
            return
        levels = sorted({r.level for r in self.results})
        rates = any(r.load.target_rps is not None for r in self.results)
        keys = list(dict.fromkeys(r.target.key for r in self.results))
        plot = self.query_one("#lab-plot-rps", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(("req/s answered by rate asked" if rates else "req/s by concurrency") + self._run_note)
        for key in keys:
            points = [(levels.index(r.level), r.load.rps) for r in self.results if r.target.key == key]
            plt.plot([x for x, _ in points], [y for _, y in points], label=key, marker="braille")
        plt.xticks(list(range(len(levels))), [f"{level:g}" for level in levels])
        plot.refresh()
        plot = self.query_one("#lab-plot-latency", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title("p99 ms against req/s answered" + self._run_note)
        for key in keys:
            curve = sorted(
                (r.load.rps, r.load.latency.p99_ms)
                for r in self.results
                if r.target.key == key and r.load.latency.p99_ms == r.load.latency.p99_ms
            )
            plt.plot([x for x, _ in curve], [y for _, y in curve], label=key, marker="braille")
        plot.refresh()

    def show_report(self, report: BenchReport | None, error: str | None = None) -> None:
        self._set_running(False)
        verdict = self.query_one("#lab-verdict", Static)
        if error or report is None:
            done = len(self.results)
            self._show_ended("Failed" if error else "Stopped")
            self._run_note = " (run failed: partial)" if error else " (stopped run: partial)"
            self._plot()
            kept = (
                f" The table and plots keep the {done} result(s) it finished, marked as partial."
                if done
                else " It finished no result."
            )
            if error:
                verdict.update(Text(error + kept, style="bold red"))
            else:
                verdict.update(Text("Stopped; the load process and the lab's servers are gone." + kept, style="italic"))
            return
        self.query_one("#lab-progress", ProgressBar).update(progress=1.0)
        if report.reruns is not None and report.reruns.set_aside:  # the kept starts, as the verdict reads them
            self.results = list(report.results)
            self.query_one("#lab-results", DataTable).clear()
            for result in self.results:
                self._add_row(result)
            self._plot()
        verdict.update(Text("‒ (masked)" if self.mask else report.verdict(), style="bold"))

    def _show_ended(self, how: str) -> None:
        """A stopped or failed run leaves no live line or progress bar that reads as if it still ran."""
        progress = self.query_one("#lab-progress", ProgressBar)
        where = f" at {progress.percentage:.0%} of the experiment" if progress.percentage is not None else ""
        self._live.clear()
        self.query_one("#lab-live", Static).update(Text(f"{how}{where}; nothing is running now.", style="italic"))
        progress.display = False
