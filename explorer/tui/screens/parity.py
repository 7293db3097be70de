"""The parity screen (``c``) with its work: a requests file sent to both running apps of the session."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual import on, work

from explorer.runtime.errors import ExplorerError
from explorer.runtime.session import Session
from explorer.runtime.specs import demo_requests_file
from panels.parity_screen import ParityScreen

__all__ = ["ParityController"]


class ParityController(ParityScreen):
    """The parity screen, sending a requests file to both running apps of the session."""

    def __init__(self, session: Session, demo: bool, mask: bool = False) -> None:
        default = str(demo_requests_file()) if demo else ""  # the demos' own file: their real differences
        for server in session.supervisor:
            candidate = (server.spec.app_dir or Path.cwd()) / "requests.yaml"
            if not demo and candidate.is_file():
                default = str(candidate)
        super().__init__(default, mask=mask)
        self.session = session

    @on(ParityScreen.RunRequested)
    def _run_requested(self, event: ParityScreen.RunRequested) -> None:
        event.stop()
        self.run_parity(event.path)

    @work(group="parity", exclusive=True, exit_on_error=False)
    async def run_parity(self, path: str) -> None:
        from explorer.parity.check import run_parity
        from explorer.parity.suite import load_suite

        if set(self.session.frameworks) != {"flask", "fastapi"}:
            self.show_error("Parity needs both a Flask app and a FastAPI app running.")
            return
        try:
            # Off the event loop: the file is bounded, but reading and checking it is still work.
            suite = await asyncio.to_thread(load_suite, Path(path).expanduser())
        except ExplorerError as exc:
            self.show_error(str(exc))
            self.notify(str(exc), severity="error", markup=False)
            return
        report = await run_parity(self.session, suite, on_result=self.add_result)
        self.show_report(report)
