"""Reports as files: one generic shape (sections of facts, tables and exchanges) written as Markdown and JSON.

A parity run, a session of the app or a benchmark becomes a :class:`Report` through a converter
that reads its plain ``to_dict()`` document (:mod:`explorer.reports.load`), so a report can also be
rebuilt later from saved JSON (``explorer report --from run.json``). Every text that came from a server or a user is escaped,
and bodies go in code fences longer than any backtick run they contain, so nothing in them can
change the document's structure; its control characters are written as escapes (``\\x1b``), so a
Markdown file shown in a terminal cannot drive it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from explorer.runtime.errors import ExplorerError
from explorer.runtime.userdata.bounded import printable
from explorer.runtime.userdata.outfile import write_outputs

__all__ = [
    "ExchangeBlock",
    "Report",
    "ReportError",
    "Section",
    "Table",
    "exchange_block",
    "report_paths",
    "versions_text",
]

REPORT_VERSION = 1
MAX_BODY_LINES = 60
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


class ReportError(ExplorerError):
    """A report source that cannot be read or is of an unknown kind."""


@dataclass(frozen=True)
class Table:
    """Rows of text under named columns."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"columns": list(self.columns), "rows": [list(r) for r in self.rows]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Table:
        return cls(tuple(map(str, data.get("columns", []))), tuple(tuple(map(str, r)) for r in data.get("rows", [])))


@dataclass(frozen=True)
class ExchangeBlock:
    """One request and its answer, as a report shows it: curl line, status, timings, headers, body."""

    title: str
    request: str
    curl: str | None = None
    status: int | None = None
    reason: str = ""
    content_type: str | None = None
    total_ms: float | None = None
    ttfb_ms: float | None = None
    server_ms: float | None = None
    headers: tuple[tuple[str, str], ...] = ()
    body: str = ""
    body_lang: str = ""
    error: str | None = None
    request_headers: tuple[tuple[str, str], ...] = ()  # as sent, the client's own (a jar's Cookie) included

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "request": self.request,
            "curl": self.curl,
            "status": self.status,
            "reason": self.reason,
            "content_type": self.content_type,
            "total_ms": self.total_ms,
            "ttfb_ms": self.ttfb_ms,
            "server_ms": self.server_ms,
            "headers": [list(h) for h in self.headers],
            "body": self.body,
            "body_lang": self.body_lang,
            "error": self.error,
            "request_headers": [list(h) for h in self.request_headers],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ExchangeBlock:
        """From saved JSON, each value taken as the type it must be (a file is data: ``"curl": 5`` is no command)."""
        values: dict[str, Any] = {k: _text(data.get(k)) for k in ("title", "request", "reason", "body", "body_lang")}
        values.update({k: _optional_text(data.get(k)) for k in ("curl", "content_type", "error")})
        values.update({k: _number(data.get(k)) for k in ("total_ms", "ttfb_ms", "server_ms")})
        values["status"] = _status(data.get("status"))
        values["headers"] = tuple((str(k), str(v)) for k, v in data.get("headers", []))
        values["request_headers"] = tuple((str(k), str(v)) for k, v in data.get("request_headers", []))
        return cls(**values)


@dataclass(frozen=True)
class Section:
    """A heading (``level`` 2 or deeper) with any of: a paragraph, bullet items, a table, exchanges."""

    title: str
    level: int = 2
    text: str = ""
    items: tuple[str, ...] = ()
    table: Table | None = None
    exchanges: tuple[ExchangeBlock, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "level": self.level,
            "text": self.text,
            "items": list(self.items),
            "table": self.table.to_dict() if self.table else None,
            "exchanges": [e.to_dict() for e in self.exchanges],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Section:
        table = data.get("table")
        return cls(
            title=str(data.get("title", "")),
            level=_level(data.get("level", 2)),
            text=str(data.get("text", "")),
            items=tuple(map(str, data.get("items", []))),
            table=Table.from_dict(table) if isinstance(table, dict) else None,
            exchanges=tuple(ExchangeBlock.from_dict(e) for e in data.get("exchanges", [])),
        )


@dataclass(frozen=True)
class Report:
    """A titled document: key facts, then sections; ``data`` keeps the source document it was built from."""

    kind: str
    title: str
    facts: tuple[tuple[str, str], ...] = ()
    sections: tuple[Section, ...] = ()
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    data: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "report",
            "version": REPORT_VERSION,
            "report_kind": self.kind,
            "title": self.title,
            "created": self.created,
            "facts": [list(f) for f in self.facts],
            "sections": [s.to_dict() for s in self.sections],
            "data": self.data,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        return cls(
            kind=str(data.get("report_kind", "")),
            title=str(data.get("title", "")),
            facts=tuple((str(k), str(v)) for k, v in data.get("facts", [])),
            sections=tuple(Section.from_dict(s) for s in data.get("sections", [])),
            created=str(data.get("created", "")),
            data=data.get("data"),
        )

    def to_markdown(self) -> str:
        lines = [f"# {escape(self.title)}", ""]
        lines += [f"- **{escape(k)}**: {escape(v)}" for k, v in (("created", self.created), *self.facts)]
        for section in self.sections:
            lines += ["", _section_markdown(section)]
        return printable("\n".join(lines).rstrip() + "\n", keep="\n\t")  # no control character from an app, live

    def write(
        self, base: str | Path, option: str = "--report", inputs: Iterable[str | Path | None] = (), force: bool = False
    ) -> tuple[Path, Path]:
        """Write ``BASE.md`` and ``BASE.json`` (a suffix on ``base`` is dropped) and return both paths;
        never over an input, nor over any file unless ``force`` (:mod:`explorer.runtime.userdata.outfile`)."""
        md, js = report_paths(base)
        # a lone surrogate from an answer is written as its escape: in JSON that is the same string
        markdown = self.to_markdown().encode("utf-8", "backslashreplace")
        data = (json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n").encode("utf-8", "backslashreplace")
        written = write_outputs([(md, markdown), (js, data)], option, inputs, force)
        return written[0], written[1]


def report_paths(base: str | Path) -> tuple[Path, Path]:
    """``BASE.md`` and ``BASE.json`` (a suffix ``.md`` or ``.json`` on ``base`` is dropped)."""
    base = Path(base)
    if base.suffix.lower() in (".md", ".json"):
        base = base.with_suffix("")
    return base.with_name(base.name + ".md"), base.with_name(base.name + ".json")


def _text(value: Any) -> str:
    """A saved text: a string as it is, a number or true/false as written, anything else (a list, null) empty."""
    return value if isinstance(value, str) else "" if value is None or isinstance(value, (dict, list)) else str(value)


def _optional_text(value: Any) -> str | None:
    """A saved text that may be absent: None stays None."""
    return None if value is None else _text(value)


def _status(value: Any) -> int | None:
    """A saved HTTP status: a whole number from 0 to 999, else none."""
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 999 else None


def _number(value: Any) -> float | None:
    """A saved timing: a finite number, else None (shown as n/a); ``1e999`` and ``NaN`` are no timing."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _level(value: Any) -> int:
    """A saved heading level, within Markdown's 2 to 6 (``1e999`` or ``Infinity`` is no level: 2)."""
    number = _number(value)
    return 2 if number is None else max(2, min(int(number), 6))


def escape(text: Any) -> str:
    """Text shown literally in Markdown: punctuation escaped, on one line."""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\r", " ").replace("\n", " ")


def fence(text: str, lang: str = "") -> str:
    """A code block whose fence is longer than any run of backticks inside it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{lang}\n{text.rstrip()}\n{ticks}"


def _section_markdown(section: Section) -> str:
    parts = [f"{'#' * max(2, min(section.level, 6))} {escape(section.title)}"]
    if section.text:
        parts.append(escape(section.text))
    if section.items:
        parts.append("\n".join(f"- {escape(item)}" for item in section.items))
    if section.table is not None:
        parts.append(_table_markdown(section.table))
    for block in section.exchanges:
        parts.append(_exchange_markdown(block))
    return "\n\n".join(parts)


def _table_markdown(table: Table) -> str:
    rows = [
        "| " + " | ".join(escape(c) for c in table.columns) + " |",
        "|" + "|".join("---" for _ in table.columns) + "|",
    ]
    rows += ["| " + " | ".join(escape(c) for c in row) + " |" for row in table.rows]
    return "\n".join(rows)


def _ms(value: float | None) -> str:
    return f"{value:.2f} ms" if value is not None else "n/a"


def _exchange_markdown(block: ExchangeBlock) -> str:
    parts = [f"**{escape(block.title)}**: `{block.request.replace('`', '')}`"]
    if block.curl:
        parts.append(fence(block.curl, "sh"))
    if block.request_headers:
        request_lines = (f"{k}: {v}" for k, v in block.request_headers)
        parts += ["Request headers as sent:", fence("\n".join(request_lines), "http")]
    if block.error:
        parts.append(f"Error: {escape(block.error)}")
        return "\n\n".join(parts)
    facts = [f"{block.status} {block.reason}".strip(), block.content_type or "no content type"]
    if block.total_ms is not None:
        facts.append(f"total {_ms(block.total_ms)}, first byte {_ms(block.ttfb_ms)}, server {_ms(block.server_ms)}")
    parts.append(escape(" · ".join(facts)))
    if block.headers:
        if block.request_headers:
            parts.append("Response headers:")
        parts.append(fence("\n".join(f"{k}: {v}" for k, v in block.headers), "http"))
    if block.body:
        parts.append(fence(block.body, block.body_lang))
    return "\n\n".join(parts)


def versions_text(server: Any) -> str:
    """``Flask 3.1.3, Werkzeug 3.1.9``: a server's ``versions`` (from ``ServerSpec.to_dict()``), or ``""``."""
    versions = server.get("versions") if isinstance(server, dict) else None
    if not isinstance(versions, dict):
        return ""
    return ", ".join(f"{name} {version or 'not installed'}" for name, version in list(versions.items())[:20])


def exchange_block(title: str, exchange: dict[str, Any], curl: str | None = None) -> ExchangeBlock:
    """An :class:`ExchangeBlock` from ``Exchange.to_dict()``; a JSON body is pretty-printed and cut.

    With a ``sent`` key (``{"headers": [[name, value], ...]}``, the request as it went out), the block
    lists those headers too: what the server was really sent, the client's own additions included.
    """
    body, lang = str(exchange.get("body") or ""), ""
    if exchange.get("json") is not None:
        body, lang = json.dumps(exchange["json"], indent=2, ensure_ascii=False), "json"
    lines = body.splitlines()
    if len(lines) > MAX_BODY_LINES:
        body = "\n".join(lines[:MAX_BODY_LINES]) + f"\n… {len(lines) - MAX_BODY_LINES} more lines"
    request = exchange.get("request") or {}
    sent = found if isinstance(found := exchange.get("sent"), dict) else {}
    return ExchangeBlock(  # each saved value as the type it must be: a document may come from a file
        title=title,
        request=f"{request.get('method', '?')} {request.get('path', '?')}",
        curl=_optional_text(curl),
        status=_status(exchange.get("status")),
        reason=_text(exchange.get("reason")),
        content_type=_optional_text(exchange.get("content_type")),
        total_ms=_number(exchange.get("elapsed_ms")),
        ttfb_ms=_number(exchange.get("ttfb_ms")),
        server_ms=_number(exchange.get("server_ms")),
        headers=tuple((str(k), str(v)) for k, v in exchange.get("headers", [])),
        body=body,
        body_lang=lang,
        error=_optional_text(exchange.get("error")),
        request_headers=tuple((str(k), str(v)) for k, v in sent.get("headers") or []),
    )
