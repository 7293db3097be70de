"""The parity screen (``c``) with its work: a requests file sent to both running apps of the session."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from textual import on, work

from explorer.apps.bundled import demo_requests_file
from explorer.parity.secrets import Redactor
from explorer.runtime.errors import ExplorerError
from explorer.runtime.frameworks import FRAMEWORKS
from explorer.runtime.session import Session
from explorer.runtime.userdata.bounded import printable
from explorer.runtime.userdata.datafile import user_path
from panels.parity_screen import ParityScreen

__all__ = ["ParityController"]


class ParityController(ParityScreen):
    """The parity screen, sending a requests file to both running apps of the session."""

    def __init__(self, session: Session, demo: bool, mask: bool = False) -> None:
        from explorer.parity.suite import default_requests_file

        found: Path | None
        if demo:  # the demos' own file: their real differences
            found = demo_requests_file()
        else:
            found = default_requests_file([server.spec.app_dir for server in session.supervisor if server.spec.app_dir])
        super().__init__(str(found) if found else "", mask=mask)
        self.session = session
        self.report: Any = None
        self.suite: Any = None

    @on(ParityScreen.RunRequested)
    def _run_requested(self, event: ParityScreen.RunRequested) -> None:
        event.stop()
        self.run_parity(event.path)

    @work(group="parity", exclusive=True, exit_on_error=False)
    async def run_parity(self, path: str) -> None:
        from explorer.parity.check import run_parity
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
        report = await run_parity(self.session, suite, on_result=self._arrived)
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
