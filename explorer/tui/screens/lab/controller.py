"""The Performance lab (``p``) with its work: experiments on servers of their own, the load in a process of its own."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual import on, work

from explorer.reports.session import SessionLog
from explorer.runtime.errors import ExplorerError
from explorer.tui.screens.lab.view import LabScreen

if TYPE_CHECKING:
    from explorer.bench.plan import BenchPlan

__all__ = ["LabController"]


class LabController(LabScreen):
    """The Performance lab, running each experiment on servers of its own (the load in its own process)."""

    def __init__(
        self, engines: list[str], history: SessionLog, mask: bool = False, keys: dict[str, str] | None = None
    ) -> None:
        super().__init__(engines, mask=mask, keys=keys)
        self.history = history

    @on(LabScreen.RunRequested)
    def _run_requested(self, event: LabScreen.RunRequested) -> None:
        event.stop()
        self.run_lab(event.plan)

    @on(LabScreen.StopRequested)
    def _stop_requested(self, event: LabScreen.StopRequested) -> None:
        event.stop()
        self.workers.cancel_group(self, "lab")

    @work(group="lab", exclusive=True, exit_on_error=False)
    async def run_lab(self, plan: BenchPlan) -> None:
        """The experiment; every run goes into the session log for the export, a stopped or failed one as partial."""
        from explorer.bench.runner import run_bench

        try:
            report = await run_bench(plan, on_event=self.on_bench_event)
        except asyncio.CancelledError:
            self.show_report(None)
            self._record_partial(plan, "stopped", "stopped before it finished (ctrl+x, or the app was closed)")
            raise
        except ExplorerError as exc:
            self.show_report(None, error=f"The lab stopped: {exc}")
            self._record_partial(plan, "failed", f"the run failed: {exc}")
            return
        self.show_report(report)
        state = "complete" if report.complete else "partial"
        self.history.add_lab(
            {"scenario": report.scenario.title, "state": state, "verdict": report.verdict(), "report": report.to_dict()}
        )

    def _record_partial(self, plan: BenchPlan, state: str, why: str) -> None:
        """The results the screen shows of a run that did not finish: measured, so exported, marked partial."""
        self.history.add_lab(
            {
                "scenario": plan.scenario_def.title,
                "state": state,
                "error": why,
                "plan": plan.to_dict(),
                "results": [r.to_dict() for r in self.results],
            }
        )
