"""The comparison table (``t``) with its work: the median latency of ``GET /items/1`` on each ready demo server,
back to back and one request at a time."""

from __future__ import annotations

from textual import work

from explorer.content.comparison import SPACED_COUNT, SPACED_PAUSE, Measurements, measure_latency
from explorer.runtime.servers.specs import ServerState
from explorer.runtime.session import Session
from panels.table_screen import TableScreen

__all__ = ["TableController"]


class TableController(TableScreen):
    """The comparison table, measuring the median latency of ``GET /items/1`` on each ready demo server."""

    def __init__(self, session: Session, measurements: Measurements, mask: bool = False, demo: bool = True) -> None:
        super().__init__(measurements, mask=mask, demo=demo)
        self.session = session

    def on_mount(self) -> None:  # Textual calls TableScreen.on_mount too (it draws the table): handlers run per class
        if self.demo:  # GET /items/1 exists only in the demos
            self.measure_latency()

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
