"""The lab screen's open loop: rate mode in the app, results keyed by rate, the p99-against-throughput plot."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import DataTable, Input, Label, Select, Static
from textual_plotext import PlotextPlot

from explorer.tui.app import ExplorerApp
from tests.apptools import leave_the_list, until, without_servers
from tests.test_app import SIZE, plain


async def test_lab_rate_mode_runs_an_open_loop_and_draws_latency_against_throughput(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from explorer.tui.screens.lab import LabScreen

    without_servers(monkeypatch)  # the lab starts servers of its own
    app = ExplorerApp()
    async with app.run_test(size=SIZE) as pilot:
        await leave_the_list(pilot)
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, LabScreen))
        lab = app.screen
        assert isinstance(lab, LabScreen)
        lab.query_one("#lab-mode", Select).value = "open"
        await pilot.pause()
        levels = lab.query_one("#lab-levels", Input)
        assert levels.value == "100,500,1000" and "rates" in str(lab.query_one("#lab-levels-label", Label).render())
        levels.value = "40"
        lab.query_one("#lab-duration", Input).value = "0.3"
        lab.query_one("#lab-warmup", Input).value = "0.1"
        lab.query_one("#lab-repeat", Input).value = "1"
        await pilot.press("ctrl+r")
        await until(pilot, lambda: len(lab.results) == 2, timeout=30)
        verdict = lambda: plain(lab.query_one("#lab-verdict", Static))  # noqa: E731
        # a loaded machine can make the client itself late: then the verdict is only that reason
        await until(pilot, lambda: "open loop" in verdict() or "load client fell behind" in verdict())
        assert {r.target.key for r in lab.results} == {"flask", "fastapi"}
        assert all(r.mode == "open" and r.level == 40 and r.load.server_cpu_ms_per_request for r in lab.results)
        table = lab.query_one("#lab-results", DataTable)
        assert [str(table.get_row_at(i)[1]).splitlines()[0] for i in range(table.row_count)] == [
            "40/s",
            "40/s",
        ]  # level above errors
        plot = lab.query_one("#lab-plot-latency", PlotextPlot)
        figure = plot.plt._active  # type: ignore[attr-defined]  # plotext's own figure, private: what it last drew
        assert figure.monitor.title == "p99 ms against req/s answered"
        levels.value = "40,ten"
        await pilot.press("ctrl+r")
        await until(pilot, lambda: "Not run: rates must be numbers" in plain(lab.query_one("#lab-verdict", Static)))


async def test_the_lab_offers_each_scenarios_own_levels_until_the_user_types_some(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """cpu's requests wait ~14 ms for each one ahead: at c=50 or 100 a 1 s window holds no verdict. The plan's fields
    only: nothing is run, so the app starts without its servers."""
    without_servers(monkeypatch)
    app = ExplorerApp()
    async with app.run_test(size=SIZE) as pilot:
        await leave_the_list(pilot)
        await pilot.press("p")
        await until(pilot, lambda: "LabScreen" in {cls.__name__ for cls in type(app.screen).__mro__})
        lab: Any = app.screen  # found by its class name below, so the test does not pin its module
        assert "LabScreen" in {cls.__name__ for cls in type(lab).__mro__}  # by name: the test does not pin its module
        levels, scenario, mode = (
            lab.query_one("#lab-levels", Input),
            lab.query_one("#lab-scenario", Select),
            lab.query_one("#lab-mode", Select),
        )
        assert levels.value == "1,10,50,100"
        scenario.value = "cpu"
        await until(pilot, lambda: levels.value == "1,2,4" and lab.read_plan().levels == (1, 2, 4))
        mode.value = "open"
        await pilot.pause()
        mode.value = "closed"
        await until(pilot, lambda: levels.value == "1,2,4")
        scenario.value = "json"
        await until(pilot, lambda: levels.value == "1,10,50,100")
        levels.value = "3,6"
        scenario.value = "cpu"
        await until(pilot, lambda: levels.value == "3,6")
        # the second stage's control (the CLI's --no-extend): a closed loop of the planned repeats only
        mode.value = "closed-1"
        await until(pilot, lambda: lab.read_plan().extend is False and lab.read_plan().levels == (3, 6))
        assert str(lab.query_one("#lab-levels-label").render()) == "levels"
        mode.value = "closed"
        await until(pilot, lambda: lab.read_plan().extend is True)
