"""The Performance lab (``p``) with its work: experiments on servers of their own, the load in a process of its own."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual import on, work

from explorer.reports.session import SessionLog
from explorer.runtime.errors import ExplorerError
from panels.lab_screen import LabScreen

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
        """The experiment; every finished one goes into the session log, for the export."""
        from explorer.bench.runner import run_bench

        try:
            report = await run_bench(plan, on_event=self.on_bench_event)
        except asyncio.CancelledError:
            self.show_report(None)
            raise
        except ExplorerError as exc:
            self.show_report(None, error=f"The lab stopped: {exc}")
            return
        self.show_report(report)
        self.history.add_lab({"scenario": report.scenario.title, "verdict": report.verdict(), "report": report.to_dict()})
