"""A session of the app as a report: the servers, the comparison table, every request sent, lab runs.

The app keeps a plain ``kind: "session"`` document (:class:`SessionLog`); :func:`session_report`
turns it into the generic :class:`~explorer.reports.base.Report`, so it is written as Markdown and JSON
like a parity run and can be rebuilt with ``explorer report --from``.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from explorer.runtime.frameworks import FRAMEWORKS

if TYPE_CHECKING:
    from explorer.content.measured import Measurements
    from explorer.reports.base import Report
    from explorer.runtime.http.exchange import Exchange
    from explorer.runtime.servers.supervisor import Supervisor

MAX_REQUESTS = 200
MAX_BODY_CHARS = 64 * 1024


class SessionLog:
    """What a session did, in plain data: bounded, so a long session cannot grow without limit."""

    def __init__(self) -> None:
        self.started = datetime.now(UTC).isoformat(timespec="seconds")
        self.requests: deque[dict[str, Any]] = deque(maxlen=MAX_REQUESTS)
        self.lab: deque[dict[str, Any]] = deque(maxlen=50)

    def add_request(
        self,
        exchanges: dict[str, Any],
        differences: list[str],
        curls: dict[str, str],
        servers: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        """One send: each framework's ``Exchange.to_dict()`` (bodies cut), the differences named, the curl lines.

        ``servers`` is each framework's server as it was when the request went out (``ServerSpec.to_dict()``
        and its ``pid``): after a switch or a restart, earlier requests keep the server that answered them.
        """
        kept = {fw: _cut_body(exchange) for fw, exchange in exchanges.items()}
        self.requests.append({"exchanges": kept, "differences": differences, "curl": curls, "servers": servers or {}})

    def add_lab(self, run: dict[str, Any]) -> None:
        """One lab run, finished or not: ``scenario``, ``state`` (``complete``, ``stopped``, ``failed``),
        ``verdict``, and its results (``report.results`` when complete, ``results`` otherwise)."""
        self.lab.append(run)

    def document(self, servers: dict[str, Any], measured: dict[str, dict[str, float]]) -> dict[str, Any]:
        return {
            "kind": "session",
            "started": self.started,
            "servers": servers,
            "measured": measured,
            "requests": list(self.requests),
            "medians": request_medians(self.requests),
            "lab": list(self.lab),
        }


def exchange_record(exchange: Exchange) -> dict[str, Any]:
    """``Exchange.to_dict()`` plus ``sent``: the request as it went out, with the headers the client added.

    The request document holds only the headers the user typed; the server also got the Cookie from
    its jar (and httpx's own headers), and an export that leaves them out could not be replayed.
    Cookie values are kept, as in the rest of the export: it is the user's own record of the session.
    """
    sent = exchange.request
    record = exchange.to_dict()
    record["sent"] = (
        {"method": sent.method, "url": sent.url, "headers": [list(h) for h in sent.headers]} if sent else None
    )
    return record


def _served_by(entry: dict[str, Any], framework: str) -> dict[str, Any]:
    server = (entry.get("servers") or {}).get(framework)
    return server if isinstance(server, dict) else {}


def request_medians(requests: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The median total time of the session's requests, per framework and per server process that answered.

    Only single requests that got an answer count: a burst's copies wait on each other (its own
    median is in its line), and a failed request has no time. A restart is a new process (a new pid),
    so the figures before and after it are kept apart.
    """
    from statistics import median  # here, not with the app's start (issue 24: the first paint)

    groups: dict[tuple[str, str, Any], list[float]] = {}
    for entry in requests:
        for framework, exchange in (entry.get("exchanges") or {}).items():
            elapsed = exchange.get("elapsed_ms")
            if exchange.get("error") or exchange.get("burst") or not isinstance(elapsed, (int, float)):
                continue
            server = _served_by(entry, framework)
            key = (framework, str(server.get("label") or "server not recorded"), server.get("pid"))
            groups.setdefault(key, []).append(float(elapsed))
    return [
        {"framework": fw, "server": label, "pid": pid, "requests": len(times), "median_ms": round(median(times), 3)}
        for (fw, label, pid), times in groups.items()
    ]


def _cut_body(exchange: dict[str, Any]) -> dict[str, Any]:
    """At most MAX_BODY_CHARS of a body: 200 requests of 16 MiB each would be gigabytes."""
    body = exchange.get("body") or ""
    if len(body) <= MAX_BODY_CHARS:
        return exchange
    return {
        **exchange,
        "body": body[:MAX_BODY_CHARS] + f"\n… {len(body) - MAX_BODY_CHARS:,} more characters",
        "json": None,
    }


def session_report(document: dict[str, Any]) -> Report:
    """The report of a ``kind: "session"`` document."""
    from explorer.content.comparison import table_rows
    from explorer.reports.base import Report, Section, Table, exchange_block, versions_text  # a report is written
    from explorer.reports.labruns import lab_sections  # on ctrl+s only: not imported with the app (issue 24)

    servers = document.get("servers") or {}
    measured = document.get("measured") or {}
    facts = [(fw, f"{s.get('label', '')} ({s.get('target', '')}), at export") for fw, s in servers.items()]
    facts += [(f"{fw} versions", text) for fw, s in servers.items() if (text := versions_text(s))]
    sections = [
        Section(
            "Comparison",
            table=Table(
                ("Dimension", "Flask", "FastAPI"), tuple((r.dimension, r.flask, r.fastapi) for r in table_rows())
            ),
        ),
    ]
    if measured:
        rows = tuple((name, *(_ms(values.get(fw)) for fw in FRAMEWORKS)) for name, values in measured.items())
        sections.append(Section("Measured on this machine", table=Table(("figure", "Flask", "FastAPI"), rows)))
    medians = document.get("medians")
    if not isinstance(medians, list):
        medians = request_medians(document.get("requests") or [])
    if medians:
        rows = tuple(
            (str(m.get("framework")), _server_text(m), str(m.get("requests")), _ms(m.get("median_ms")))
            for m in medians
            if isinstance(m, dict)
        )
        sections.append(
            Section(
                "Median time of this session's requests, by the server that answered",
                table=Table(("framework", "server", "requests", "median"), rows),
            )
        )
    for number, entry in enumerate(document.get("requests") or [], 1):
        exchanges = entry.get("exchanges") or {}
        first: dict[str, Any] = next(iter(exchanges.values()), {})
        request = first.get("request") or {}
        blocks = tuple(
            exchange_block(fw, exchange, (entry.get("curl") or {}).get(fw)) for fw, exchange in exchanges.items()
        )
        served = tuple(
            f"{fw} answered on {_server_text(server)}" + (f" ({text})" if (text := versions_text(server)) else "")
            for fw in exchanges
            if (server := _served_by(entry, fw))
        )
        bursts = tuple(line for fw, exchange in exchanges.items() if (line := _burst_line(fw, exchange.get("burst"))))
        copies = f" ×{(first.get('burst') or {}).get('count')}" if bursts else ""
        sections.append(
            Section(
                f"{number}. {request.get('method', '?')} {request.get('path', '?')}{copies}",
                level=3,
                items=(*served, *bursts, *(entry.get("differences") or ())),
                exchanges=blocks,
            )
        )
    sections += lab_sections(document.get("lab") or [])
    return Report("session", "Flask vs FastAPI Explorer session", tuple(facts), tuple(sections), data=document)


def _ms(value: Any) -> str:
    return f"{value:.2f} ms" if isinstance(value, (int, float)) and value == value else "n/a"


def _server_text(server: dict[str, Any]) -> str:
    """``gunicorn gthread, 1 worker x 8 threads, pid 4242``: which server process answered."""
    label = str(server.get("label") or server.get("server") or "server not recorded")
    return label + (f", pid {server['pid']}" if server.get("pid") else "")


def _burst_line(framework: str, burst: Any) -> str:
    """A burst in words: without it, the first copy's time would read as the time of one lone request."""
    if not isinstance(burst, dict) or not burst.get("count"):
        return ""
    statuses = ", ".join(f"{status} ×{n}" for status, n in (burst.get("statuses") or {}).items())

    def ms(key: str) -> str:
        value = burst.get(key)
        return f"{value:.0f} ms" if isinstance(value, (int, float)) else "?"

    return (
        f"{framework}: a burst of {burst['count']} copies sent at the same moment, all done in {ms('wall_ms')}; "
        f"each copy took {ms('min_ms')} to {ms('max_ms')} (median {ms('median_ms')}); {burst.get('errors', 0)} errors"
        f"{f' ({statuses})' if statuses else ''}. The answer and times below are the first copy's."
    )


EXPORT_DIR_VARIABLE = "EXPLORER_EXPORT_DIR"


def export_folder() -> Path:
    """Where ``ctrl+s`` writes: ``$EXPLORER_EXPORT_DIR``, else ``$XDG_DATA_HOME`` (``~/.local/share``)
    ``/flask-fastapi-explorer/exports``.

    Not the current folder: in a clone that is the repository, where every export showed in ``git status``.
    """
    if named := os.environ.get(EXPORT_DIR_VARIABLE):
        from explorer.runtime.userdata.datafile import user_path

        return user_path(named)
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "flask-fastapi-explorer" / "exports"


def export_session(
    history: SessionLog, supervisor: Supervisor, measurements: Measurements, folder: Path
) -> tuple[Path, Path]:
    """Write the session as ``explorer-session-<time>.md`` and ``.json`` in ``folder`` (made if missing, private:
    the export hides no cookie or token); returns both paths."""
    from explorer.reports.base import ReportError

    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"cannot make the export folder {folder}: {exc.strerror or exc}") from None
    servers = {s.framework: s.spec.to_dict() | {"spawn_to_ready_ms": s.status.spawn_to_ready_ms} for s in supervisor}
    measured = {
        "spawn to ready": measurements.spawn_ms,
        "median GET /items/1, back to back": measurements.latency_ms,
        "median GET /items/1, one at a time": measurements.spaced_ms,
    }
    document = history.document(servers, {k: v for k, v in measured.items() if v})
    return session_report(document).write(folder / f"explorer-session-{datetime.now():%Y%m%d-%H%M%S}")
