"""What a send leaves behind: its entry in the session log, with the curl commands that repeat it.

A plain helper object over the session and its log rather than a part of the widget: it draws nothing, and
the export and ``c`` (copy as curl) must write a request the same way whatever the screen shows.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from explorer.reports.session import exchange_record
from explorer.runtime.http.request import curl_command

if TYPE_CHECKING:
    from explorer.parity.differences import Difference
    from explorer.reports.session import SessionLog
    from explorer.runtime.http.exchange import Exchange
    from explorer.runtime.http.request import RequestSpec
    from explorer.runtime.session import Session

__all__ = ["Recorder"]


class Recorder:
    """Writes each send to ``history`` (the session log the export writes) and the curl for a request."""

    def __init__(self, session: Session, history: SessionLog) -> None:
        self.session = session
        self.history = history

    def server_record(self, framework: str) -> dict[str, object]:
        """The server a request goes to, for the session log: its settings, versions and process id."""
        server = self.session.server(framework)
        return {**server.spec.to_dict(), "pid": server.status.pid}

    def curl(self, spec: RequestSpec, framework: str) -> str:
        """``spec`` as a curl command for ``framework``'s server, with the Cookie its jar would send, as the
        export writes it."""
        url = self.session.server(framework).status.base_url or "http://127.0.0.1:PORT"
        jar = self.session.jars.get(framework)
        if jar is not None and spec.header("cookie") is None and (cookie := jar.header_for(spec.path)):
            spec = replace(spec, headers=(*spec.headers, ("Cookie", cookie)))
        return curl_command(spec, url)

    def add(
        self,
        spec: RequestSpec,
        results: dict[str, Exchange],
        found: list[Difference],
        served_by: dict[str, dict[str, object]],
    ) -> None:
        """One send: each answer, the differences found, the curl that repeats it (headers as sent) and the
        servers that answered, as they were when it was sent."""
        curls = {
            fw: curl_command(
                spec, self.session.server(fw).status.base_url or "", e.request.headers if e.request else None
            )
            for fw, e in results.items()
        }
        found_lines = [d.shown("vs") for d in found]
        self.history.add_request({fw: exchange_record(e) for fw, e in results.items()}, found_lines, curls, served_by)
