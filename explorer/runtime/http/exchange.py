"""What one request gave: the :class:`Exchange` (request as sent, answer, timings, chunks, cookies).

Plain data, built by :class:`~explorer.runtime.http.client.ServerClient` and read by every front end and
report; ``to_dict`` is the ``--json`` shape. Kept apart from the client so that neither grows past
what can be read in one sitting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from explorer.runtime.http.cookies import Cookie
from explorer.runtime.http.request import RequestSpec
from explorer.runtime.http.validation import ValidationIssue, normalise
from explorer.runtime.userdata.bounded import loads_json

__all__ = ["BurstStats", "Chunk", "Exchange", "SentRequest", "Timings"]

_NO_JSON = object()


@dataclass(frozen=True)
class Timings:
    """Milliseconds: the whole request, time to first byte, and the handler's own time if reported."""

    total_ms: float
    ttfb_ms: float
    server_ms: float | None = None


@dataclass(frozen=True)
class Chunk:
    """One part of a body as it arrived: ``at_ms`` after the request started, ``size`` bytes from ``offset``.

    A part is what one read from the socket brought, so a streamed answer's chunks (or server-sent
    events) written with a pause between them arrive as parts of their own, each at its time.
    """

    at_ms: float
    offset: int
    size: int

    def to_dict(self) -> dict[str, Any]:
        return {"at_ms": round(self.at_ms, 3), "offset": self.offset, "size": self.size}


@dataclass(frozen=True)
class SentRequest:
    """The request exactly as it went out, headers in the order httpx wrote them."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass(frozen=True)
class BurstStats:
    """Summary of ``count`` copies of one request sent at the same moment to one server.

    Only the first copy's answer is kept whole; of the others, only these figures: ``statuses``
    counts each status (``"error"`` for a failed copy), ``body_bytes`` sums every copy's body,
    ``first_error`` is the error of the first copy that failed.
    """

    count: int
    wall_ms: float
    min_ms: float
    median_ms: float
    max_ms: float
    errors: int
    statuses: dict[str, int] = field(default_factory=dict)
    body_bytes: int = 0
    first_error: str | None = None  # the first failed copy's error, which the shown copy may not have

    def to_dict(self) -> dict[str, Any]:
        keys = ("count", "wall_ms", "min_ms", "median_ms", "max_ms", "errors", "statuses", "body_bytes", "first_error")
        return {k: getattr(self, k) for k in keys}


@dataclass
class Exchange:
    """One request and what came back, or the error that came instead."""

    framework: str
    spec: RequestSpec
    request: SentRequest | None = None
    status: int | None = None
    reason: str = ""
    http_version: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    truncated: bool = False
    timings: Timings | None = None
    error: str | None = None
    burst: BurstStats | None = None
    notes: tuple[str, ...] = ()  # what the client saw besides the answer, e.g. bytes after it (ignored)
    body_size: int | None = None  # bytes of a body that was read but not kept (the other copies of a burst)
    cookie_jar: tuple[Cookie, ...] | None = None  # the server's jar after this answer; None when no jar is kept
    chunks: tuple[Chunk, ...] = ()  # when each part of the body arrived (at most 1,000 kept)
    chunks_not_kept: int = 0  # parts that arrived after the first 1,000
    _json: Any = field(default=_NO_JSON, repr=False)
    _validation: list[ValidationIssue] | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None

    @property
    def size(self) -> int:
        return self.body_size if self.body_size is not None else len(self.body)

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)

    @property
    def content_type(self) -> str:
        """The media type without parameters, e.g. ``application/json``; empty when absent."""
        return (self.header("content-type") or "").split(";", 1)[0].strip().lower()

    @property
    def charset(self) -> str:
        match = re.search(r"charset=([\w.-]+)", self.header("content-type") or "", re.I)
        return match.group(1) if match else "utf-8"

    @property
    def text(self) -> str:
        """The body decoded with its charset (UTF-8 by default); undecodable bytes become U+FFFD."""
        try:
            return self.body.decode(self.charset, "replace")
        except LookupError:
            return self.body.decode("utf-8", "replace")

    @property
    def is_json(self) -> bool:
        """Declared as JSON (``application/json`` or any ``+json`` type)."""
        return self.content_type == "application/json" or self.content_type.endswith("+json")

    @property
    def json(self) -> Any:
        """The parsed body when it is JSON (by content type) nested at most 500 levels, else None."""
        if self._json is _NO_JSON:
            self._json = None
            if self.is_json and not self.truncated:
                try:
                    self._json = loads_json(self.body)  # deeper JSON stays text: writers recurse
                except ValueError:
                    self._json = None
        return self._json

    @property
    def is_html(self) -> bool:
        return self.content_type == "text/html"

    @property
    def validation(self) -> list[ValidationIssue]:
        """Validation errors in the body, normalised across frameworks (only for 4xx answers)."""
        if self._validation is None:
            self._validation = normalise(self.json) if self.status and 400 <= self.status < 500 else []
        return self._validation

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` document of one result; stable keys, more may be added."""
        t = self.timings
        return {
            "framework": self.framework,
            "request": self.spec.to_dict(),
            "url": self.request.url if self.request else None,
            # the headers as they went out
            "sent": {
                "method": self.request.method,
                "url": self.request.url,
                "headers": [[k, v] for k, v in self.request.headers],
            }
            if self.request
            else None,
            "status": self.status,
            "reason": self.reason,
            "http_version": self.http_version,
            "headers": [[k, v] for k, v in self.headers],
            "content_type": self.content_type or None,
            "body": self.text,
            "json": self.json,
            "size": self.size,
            "truncated": self.truncated,
            "elapsed_ms": round(t.total_ms, 3) if t else None,
            "ttfb_ms": round(t.ttfb_ms, 3) if t else None,
            "server_ms": t.server_ms if t else None,
            "validation": [issue.to_dict() for issue in self.validation],
            "burst": self.burst.to_dict() if self.burst else None,
            "error": self.error,
            "notes": list(self.notes),
            "cookie_jar": [c.to_dict() for c in self.cookie_jar] if self.cookie_jar is not None else None,
            "chunks": [c.to_dict() for c in self.chunks],
            "chunks_not_kept": self.chunks_not_kept,
        }
