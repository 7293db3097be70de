"""A streamed answer told as it arrived: each part of the body with its time, and server-sent events.

The client records when each part of a body arrived (:class:`~explorer.runtime.http.exchange.Chunk`):
one entry per read from the socket, so chunks a server writes with a pause between them show up
one by one, each at its own time, while an answer sent at once is a single part. This module turns
that record into lines a person reads; the panels and the CLI only print them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from explorer.runtime.http.exchange import Exchange

__all__ = ["PREVIEW_CHARS", "TIMELINE_ROWS", "is_streamed", "sse_events", "timeline"]

TIMELINE_ROWS = 100
PREVIEW_CHARS = 80
MAX_EVENTS = 1000


def is_streamed(exchange: Exchange) -> bool:
    """The server streamed the body (no length announced) and it came in more than one part.

    Parts alone are not enough: an answer of known length (a ``Content-Length``) larger than one read
    arrives in many parts too, and showing a plain 2 MiB JSON answer as a timeline of reads, rather
    than its body, would say it was streamed when the server sent it whole.
    """
    return len(exchange.chunks) > 1 and exchange.header("content-length") is None


def _preview(data: bytes, charset: str) -> str:
    try:
        text = data.decode(charset, "replace")
    except LookupError:
        text = data.decode("utf-8", "replace")
    text = text.replace("\r\n", "⏎").replace("\n", "⏎").replace("\r", "⏎")
    text = "".join(ch if ch.isprintable() else "·" for ch in text)
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"


def timeline(exchange: Exchange, rows: int = TIMELINE_ROWS) -> list[str]:
    """One line per part: time after the request started, the gap since the part before, size, text."""
    lines = []
    previous = None
    for chunk in exchange.chunks[:rows]:
        gap = "" if previous is None else f"+{chunk.at_ms - previous:.1f}"
        previous = chunk.at_ms
        data = exchange.body[chunk.offset : chunk.offset + chunk.size]
        lines.append(f"{chunk.at_ms:9.1f} ms {gap:>9}  {chunk.size:>7,} B  {_preview(data, exchange.charset)}")
    more = len(exchange.chunks) - rows + exchange.chunks_not_kept
    if more > 0:
        lines.append(f"… {more:,} more parts")
    if exchange.content_type == "text/event-stream":
        events = sse_events(exchange.text)
        names: dict[str, int] = {}
        for event in events:
            names[event.get("event", "message")] = names.get(event.get("event", "message"), 0) + 1
        kinds = ", ".join(f"{name} ×{n}" for name, n in names.items())
        lines.append(
            f"{len(events)} server-sent event{'s' if len(events) != 1 else ''}" + (f": {kinds}" if kinds else "")
        )
    return lines


def sse_events(text: str) -> list[dict[str, str]]:
    """The events of a ``text/event-stream`` body, as the HTML standard parses them (at most 1,000).

    Fields ``event``, ``data`` (lines joined with ``\\n``), ``id`` and ``retry``; comment lines
    (``:``) are skipped; an event is dispatched at a blank line, and one without data is dropped.
    """
    events: list[dict[str, str]] = []
    current: dict[str, str] = {}
    data: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line:
            if data:
                events.append({**current, "data": "\n".join(data)})
                if len(events) >= MAX_EVENTS:
                    break
            current, data = {}, []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            data.append(value)
        elif name in ("event", "id", "retry"):
            current[name] = value
    return events
