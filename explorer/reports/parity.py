"""A parity run as a :class:`~explorer.reports.base.Report`: summary table, differences, then every exchange.

Built from the ``parity --json`` document (``ParityReport.to_dict()``), not from live objects, so the
same report comes out of a run just finished and of a JSON file saved last week.
"""

from __future__ import annotations

import json
from typing import Any

from explorer.reports.base import Report, Section, Table, exchange_block, versions_text
from explorer.runtime.frameworks import FRAMEWORKS, NAMES, display_name

OUTCOMES = {"match": "match", "declared": "match (declared)", "differ": "DIFFERS", "error": "ERROR"}


def _ms(value: Any) -> str:
    return f"{value:.1f}" if isinstance(value, (int, float)) else "-"


def _status(exchange: dict[str, Any] | None) -> str:
    if not exchange:
        return "-"
    return "error" if exchange.get("error") else str(exchange.get("status"))


def _excerpt(difference: dict[str, Any]) -> list[str]:
    """Bodies that differ from the start: their first lines side by side, one item per line pair."""
    excerpt = difference.get("excerpt")
    if not isinstance(excerpt, dict):
        return []
    left, right = list(excerpt.get("flask") or []), list(excerpt.get("fastapi") or [])
    rows = max(len(left), len(right))
    return [
        f"    Flask: {left[i] if i < len(left) else ''}  |  FastAPI: {right[i] if i < len(right) else ''}"
        for i in range(rows)
    ]


def _difference_lines(result: dict[str, Any]) -> tuple[str, ...]:
    """One line per listed difference (an excerpt under a body that differs from the start), then
    ``… and N more differences`` when some were only counted; then declared differences, noise, stale ones."""
    lines = []
    for d in result.get("differences", []):
        if isinstance(d, dict):
            lines += [str(d.get("line")), *_excerpt(d)]
    more = result.get("more_differences")
    if isinstance(more, int) and not isinstance(more, bool) and more > 0:
        lines.append(f"… and {more:,} more difference{'s' if more != 1 else ''}")
    lines += [
        f"declared: {d.get('line')} ({d.get('reason')})" for d in result.get("declared", []) if isinstance(d, dict)
    ]
    lines += [f"noise: {d.get('line')}" for d in result.get("noise", []) if isinstance(d, dict)]
    lines += [
        f"stale: declared {d.get('aspect')} {', '.join(d.get('where', []))} no longer differs ({d.get('reason')})"
        for d in result.get("stale", [])
        if isinstance(d, dict)
    ]
    captures = result.get("captures") or {}
    for framework, values in captures.items() if isinstance(captures, dict) else ():
        if isinstance(values, dict) and values:
            shown = ", ".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in values.items())
            lines.append(f"captured from {display_name(framework)}: {shown}")
    logs = result.get("log_tail") or {}
    for framework, printed in logs.items() if isinstance(logs, dict) else ():
        if isinstance(printed, list) and printed:  # indented: under the request, not in the summary of differences
            lines += [f"    {display_name(framework)} log | {line}" for line in printed]
    return tuple(lines)


def parity_report(document: dict[str, Any]) -> Report:
    """The report of one parity run."""
    summary = document.get("summary", {})
    servers = document.get("servers", {})
    options = document.get("options", {})
    results = document.get("results", [])
    facts = [("requests file", str(document.get("source", ""))), ("run at", str(document.get("started_at", "")))]
    for fw in FRAMEWORKS:
        server = servers.get(fw, {})
        if server:
            facts.append((NAMES[fw], f"{server.get('target')} under {server.get('label')}"))
            if versions := versions_text(server):
                facts.append((f"{NAMES[fw]} versions", versions))
    facts.append(
        (
            "compared",
            f"status, content type, headers {', '.join(options.get('compare_headers', [])) or '(none)'}, body"
            + (f"; ignoring keys {', '.join(options.get('ignore_keys', []))}" if options.get("ignore_keys") else "")
            + ("; ignoring list order" if options.get("ignore_order") else ""),
        )
    )
    declared = summary.get("declared", 0)
    verdict = (
        f"all {summary.get('cases', 0)} requests match" + (f" ({declared} as declared)" if declared else "")
        if summary.get("all_match")
        else f"{summary.get('differ', 0) + summary.get('errors', 0)} of {summary.get('cases', 0)} requests differ"
    )
    if summary.get("stale"):
        verdict += f"; {summary['stale']} stale declared differences"
    if summary.get("steps_failed"):
        verdict += f"; {summary['steps_failed']} setup or teardown steps failed"
    facts.append(("result", verdict))
    if options.get("noise"):
        facts.append(("noise", "safe requests sent twice to each app; what differed between them was left out"))
    if "secrets_shown" in document:
        facts.append(
            (
                "secrets",
                "shown" if document.get("secrets_shown") else "hidden (Authorization, cookies, captured secrets)",
            )
        )

    rows = []
    for number, result in enumerate(results, start=1):
        ex = result.get("exchanges", {})
        rows.append(
            (
                str(number),
                str(result.get("name", "")),
                str(result.get("line", "")),
                _status(ex.get("flask")),
                _status(ex.get("fastapi")),
                _ms((ex.get("flask") or {}).get("elapsed_ms")),
                _ms((ex.get("fastapi") or {}).get("elapsed_ms")),
                OUTCOMES.get(str(result.get("outcome")), str(result.get("outcome"))),
            )
        )
    columns = ("#", "request", "sent", "Flask", "FastAPI", "Flask ms", "FastAPI ms", "result")
    sections = [Section("Summary", table=Table(columns, tuple(rows)))]

    steps = [s for s in [*document.get("setup", []), *document.get("teardown", [])] if isinstance(s, dict)]
    if steps:
        sections.append(Section("Setup and teardown", items=tuple(str(s.get("line")) for s in steps)))
    items = tuple(
        f"{r.get('name')} ({r.get('line')}): {line}"
        for r in results
        for line in _difference_lines(r)
        if not line.startswith(("captured", "    "))
    )
    sections.append(Section("Differences", items=items, text="" if items else "None: every answer matches."))
    stale = [d for d in document.get("stale", []) if isinstance(d, dict)]
    if stale:
        sections.append(
            Section(
                "Stale declared differences (file level)",
                items=tuple(f"{d.get('aspect')} {', '.join(d.get('where', []))}: {d.get('reason')}" for d in stale),
            )
        )

    sections.append(
        Section("Exchanges", text="Each request as sent to both servers, with a curl command to repeat it.")
    )
    for number, result in enumerate(results, start=1):
        ex = result.get("exchanges", {})
        curls = result.get("curl", {})
        blocks = tuple(exchange_block(display_name(fw), ex[fw], curls.get(fw)) for fw in FRAMEWORKS if fw in ex)
        outcome = OUTCOMES.get(str(result.get("outcome")), "")
        lines = _difference_lines(result)
        sections.append(Section(f"{number}. {result.get('name')}: {outcome}", level=3, items=lines, exchanges=blocks))
    return Report("parity", f"Parity: {document.get('source', '')}", tuple(facts), tuple(sections), data=document)
