"""Parity: send every request of a file to a Flask app and its FastAPI port, and say where they differ.

A case matches when both answers have the same status (and the expected one, if the file gives it),
the same media type, the same selected headers and the same body: JSON compared structurally, text
compared as text, and always in full: a comparison that could not be completed is an error. Each server's own base URL is replaced by nothing before comparing, so an absolute
``Location: http://127.0.0.1:41234/orders/1`` equals a relative ``/orders/1``: the two servers
necessarily listen on different ports.

Cases are sent in file order, each to Flask then FastAPI, so a request that creates something can be
followed by one that reads it. Everything here is plain data with ``to_dict()`` for the CLI, the
reports and the app's Parity screen.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from explorer.parity.jsondiff import DiffIncomplete, diff_json
from explorer.parity.suite import ParityCase, ParityOptions, ParitySuite
from explorer.runtime.client import Exchange
from explorer.runtime.request import curl_command
from explorer.runtime.userdata import MAX_ANSWER_DEPTH, DataLimitError, loads_json, printable

__all__ = ["Comparison", "Difference", "ParityReport", "ParityResult", "compare", "run_parity"]

PAIR = ("flask", "fastapi")
NAMES = {"flask": "Flask", "fastapi": "FastAPI"}
_BASE = re.compile(r"^https?://[^/]+")
_SNIPPET = 120
_PATH_SHOWN = 100  # a longer body path is shown as its start and its end; the JSON keeps it whole


@dataclass(frozen=True)
class Difference:
    """One way two answers differ.

    ``aspect`` is status, content-type, header, body or error; ``where`` names the header or the
    body path (``""`` for the whole body); ``flask``/``fastapi`` hold each side's value (None when
    absent); ``note`` adds context, e.g. ``expected 201`` or ``only in Flask``. An error with a
    ``where`` is a comparison that could not be completed, ``note`` saying why; an error without
    one is a request that got no answer, each side's error in ``flask``/``fastapi``.
    """

    aspect: str
    where: str
    flask: Any
    fastapi: Any
    note: str = ""

    def line(self) -> str:
        """One line for a terminal or a CI log (a lone surrogate from an answer shown as its escape)."""
        return printable(self._line())

    def _line(self) -> str:
        where = self.where if len(self.where) <= _PATH_SHOWN else f"{self.where[:40]}…{self.where[50 - _PATH_SHOWN:]}"
        label = self.aspect if not where else f"{self.aspect} {where}"
        if self.aspect == "error" and self.where:
            return f"error: {self.where} could not be compared: {self.note}"
        if self.aspect == "error":
            text = "; ".join(f"{NAMES[fw]}: {v}" for fw, v in zip(PAIR, (self.flask, self.fastapi), strict=True) if v)
            return f"error: {text}"
        if self.note.startswith("only in"):
            value = self.flask if self.note.endswith("Flask") else self.fastapi
            return f"{label}: {self.note} ({_show(value)})"
        text = f"{label}: Flask {_show(self.flask)}, FastAPI {_show(self.fastapi)}"
        return f"{text} ({self.note})" if self.note else text

    def to_dict(self) -> dict[str, Any]:
        return {"aspect": self.aspect, "where": self.where, "flask": self.flask, "fastapi": self.fastapi,
                "note": self.note, "line": self.line()}  # fmt: skip


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) or value == "" else repr(value)
    return text if len(text) <= _SNIPPET else text[: _SNIPPET - 1] + "…"


@dataclass
class Comparison:
    """The differences found between two answers, the first ones listed, and how many more there are."""

    differences: list[Difference] = field(default_factory=list)
    more: int = 0


@dataclass
class ParityResult:
    """One case: both exchanges and the differences found (empty when they match).

    ``more`` counts the body differences found beyond the ones listed (at most
    :data:`~explorer.parity.jsondiff.MAX_CHANGES`): the case differs all the same.
    """

    case: ParityCase
    exchanges: dict[str, Exchange]
    differences: list[Difference] = field(default_factory=list)
    more: int = 0

    @property
    def outcome(self) -> str:
        """``match``, ``differ``, or ``error`` when a request got no answer or could not be compared in full."""
        if any(d.aspect == "error" for d in self.differences):
            return "error"
        return "match" if self.matched else "differ"

    @property
    def matched(self) -> bool:
        return not self.differences and not self.more

    def more_line(self) -> str:
        """``… and 1,234 more differences``, or "" when every difference is listed."""
        if not self.more:
            return ""
        return f"… and {self.more:,} more difference{'s' if self.more != 1 else ''}"

    def curl(self, framework: str) -> str | None:
        """The request as a curl command against the server it was sent to."""
        exchange = self.exchanges.get(framework)
        base = _base_url(exchange)
        return curl_command(self.case.request, base) if base else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.case.name,
            "line": self.case.request.line,
            "request": self.case.request.to_dict(),
            "expect_status": self.case.expect_status,
            "outcome": self.outcome,
            "differences": [d.to_dict() for d in self.differences],
            "more_differences": self.more,
            "exchanges": {fw: e.to_dict() for fw, e in self.exchanges.items()},
            "curl": {fw: self.curl(fw) for fw in self.exchanges},
        }


@dataclass
class ParityReport:
    """A whole run: the servers, the options, and one result per case in file order."""

    source: str
    options: ParityOptions
    servers: dict[str, dict[str, Any]]
    results: list[ParityResult] = field(default_factory=list)
    started_at: str = ""
    duration_ms: float = 0.0

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)

    @property
    def all_match(self) -> bool:
        return all(r.matched for r in self.results)

    def to_dict(self) -> dict[str, Any]:
        """The ``parity --json`` document; ``explorer report --from`` reads it back."""
        return {
            "kind": "parity",
            "version": 1,
            "source": self.source,
            "started_at": self.started_at,
            "duration_ms": round(self.duration_ms, 3),
            "servers": self.servers,
            "options": self.options.to_dict(),
            "summary": {
                "cases": len(self.results),
                "matched": self.count("match"),
                "differ": self.count("differ"),
                "errors": self.count("error"),
                "all_match": self.all_match,
            },
            "results": [r.to_dict() for r in self.results],
        }


def _base_url(exchange: Exchange | None) -> str | None:
    if exchange is None or exchange.request is None:
        return None
    match = _BASE.match(exchange.request.url)
    return match.group(0) if match else None


def _local(text: str, exchange: Exchange) -> str:
    """``text`` with this server's own base URL removed, so the two ports never count as a difference."""
    base = _base_url(exchange)
    return text.replace(base, "") if base else text


def compare(case: ParityCase, flask: Exchange, fastapi: Exchange, options: ParityOptions) -> Comparison:
    """Every difference between the two answers to ``case``, under ``options`` (already merged for it).

    Two answers are only ever found equal when they were compared in full; a comparison that could
    not be completed (an answer cut at 16 MiB, JSON nested too deep, a diff past its work bound) is
    an ``error`` difference naming the reason.
    """
    if flask.error or fastapi.error:
        return Comparison([Difference("error", "", flask.error, fastapi.error)])
    found: list[Difference] = []
    expected = case.expect_status
    if flask.status != fastapi.status:
        note = f"expected {expected}" if expected is not None else ""
        found.append(Difference("status", "", flask.status, fastapi.status, note))
    elif expected is not None and flask.status != expected:
        found.append(
            Difference("status", "", flask.status, fastapi.status, f"both differ from the expected {expected}")
        )
    if flask.content_type != fastapi.content_type:
        found.append(Difference("content-type", "", flask.content_type or None, fastapi.content_type or None))
    for name in options.compare_headers:
        values = [_header(e, name) for e in (flask, fastapi)]
        if values[0] != values[1]:
            found.append(Difference("header", name, values[0], values[1]))
    body, more = _body_differences(flask, fastapi, options)
    found.extend(body)
    return Comparison(found, more)


def _header(exchange: Exchange, name: str) -> str | None:
    values = [v for k, v in exchange.headers if k.lower() == name.lower()]
    return _local(", ".join(values), exchange) if values else None


class _NotJson:
    """A body that is not compared as JSON: not declared as JSON, malformed, or (``reason``) too deep."""

    def __init__(self, reason: str = "") -> None:
        self.reason = reason


def _parsed(exchange: Exchange, text: str) -> Any:
    if not exchange.is_json:
        return _NotJson()
    try:
        return loads_json(text, MAX_ANSWER_DEPTH)
    except DataLimitError as exc:
        return _NotJson(str(exc))
    except ValueError:
        return _NotJson()


def _body_differences(flask: Exchange, fastapi: Exchange, options: ParityOptions) -> tuple[list[Difference], int]:
    """The body's differences and how many more were found than listed."""
    pair = (flask, fastapi)
    texts = [_local(e.text, e) for e in pair]
    cut = [NAMES[fw] for fw, e in zip(PAIR, pair, strict=True) if e.truncated]
    if cut:
        if texts[0] != texts[1]:
            return [_text_difference(texts[0], texts[1])], 0
        who = " and ".join(cut)
        return [_incomplete(f"{who}'s answer was cut at 16 MiB and the parts kept are equal")], 0
    values = [_parsed(e, t) for e, t in zip(pair, texts, strict=True)]
    if not isinstance(values[0], _NotJson) and not isinstance(values[1], _NotJson):
        try:
            found = diff_json(values[0], values[1], options.ignore_keys, options.ignore_order)
        except DiffIncomplete as exc:
            return [_incomplete(str(exc))], 0
        notes = {"removed": "only in Flask", "added": "only in FastAPI", "type": "types differ"}
        return [Difference("body", c.path, c.left, c.right, notes.get(c.kind, "")) for c in found.changes], found.more
    if texts[0] == texts[1]:
        return [], 0  # the same text, compared in full
    deep = [f"{NAMES[fw]}'s answer is {v.reason}" for fw, v in zip(PAIR, values, strict=True)
            if isinstance(v, _NotJson) and v.reason]  # fmt: skip
    if deep:
        return [_incomplete("; ".join(deep))], 0
    if isinstance(values[0], _NotJson) != isinstance(values[1], _NotJson):
        side = "Flask" if not isinstance(values[0], _NotJson) else "FastAPI"
        return [Difference("body", "", _cut(texts[0]), _cut(texts[1]), f"JSON only from {side}")], 0
    return [_text_difference(texts[0], texts[1])], 0


def _incomplete(reason: str) -> Difference:
    return Difference("error", "body", None, None, reason)


def _text_difference(a: str, b: str) -> Difference:
    """Where two text bodies part: the first differing line of each (linear, whatever the size)."""
    a_lines, b_lines = a.splitlines(), b.splitlines()
    for number, (left, right) in enumerate(zip(a_lines, b_lines), start=1):
        if left != right:
            return Difference("body", "", _cut(left), _cut(right), f"text differs from line {number}")
    common = min(len(a_lines), len(b_lines))
    if len(a_lines) != len(b_lines):
        left = a_lines[common] if common < len(a_lines) else None
        right = b_lines[common] if common < len(b_lines) else None
        return Difference("body", "", _cut(left), _cut(right), f"text differs from line {common + 1}")
    return Difference("body", "", _cut(a), _cut(b), "text differs in whitespace")


def _cut(text: str | None) -> str | None:
    if text is None:
        return None
    return text if len(text) <= _SNIPPET else text[: _SNIPPET - 1] + "…"


ResultListener = Callable[[ParityResult], None]


async def run_parity(
    session: Any,
    suite: ParitySuite,
    options: ParityOptions | None = None,
    on_result: ResultListener | None = None,
) -> ParityReport:
    """Send every case to both servers of a started :class:`~explorer.runtime.session.Session`.

    ``options`` (e.g. from the command line) are added to the file's own; ``on_result`` is called
    after each case, so a UI can show progress.
    """
    base = suite.options if options is None else suite.options.merged(
        options.ignore_keys, options.ignore_order or None, options.compare_headers
    )  # fmt: skip
    servers = {}
    for framework in PAIR:
        server = session.server(framework)
        servers[framework] = {
            **server.spec.to_dict(),
            "base_url": server.status.base_url,
            "spawn_to_ready_ms": server.status.spawn_to_ready_ms,
        }
    report = ParityReport(suite.source, base, servers, started_at=datetime.now(UTC).isoformat(timespec="seconds"))
    started = time.perf_counter()
    for case in suite.cases:
        exchanges = await session.send(case.request, PAIR)
        # Off the event loop: a large answer takes a while to compare, and the app must keep drawing.
        found = await asyncio.to_thread(compare, case, exchanges["flask"], exchanges["fastapi"], case.options(base))
        result = ParityResult(case, exchanges, found.differences, found.more)
        report.results.append(result)
        if on_result is not None:
            on_result(result)
    report.duration_ms = (time.perf_counter() - started) * 1000
    return report
