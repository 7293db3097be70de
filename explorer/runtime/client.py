"""The embedded HTTP client: one long-lived ``httpx.AsyncClient`` per server, one :class:`Exchange` per request.

The client runs on :class:`~explorer.runtime.transport.WireTransport`, which times the request where it
happens: from the connect (or the first byte written) to the last body byte parsed, and the first
byte when the headers are in. httpx's own bookkeeping and everything the UI does stay outside
that span. Server time comes from the ``Server-Timing`` header the demos add. Failures become an
``error`` string on the exchange, never an exception, so a caller can always show what happened.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import re
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from explorer.runtime.cookies import Cookie, CookieJar
from explorer.runtime.errors import RequestError
from explorer.runtime.request import DEFAULT_TIMEOUT, RequestSpec
from explorer.runtime.transport import (
    BODY_SIZE,
    KEEP_BODY,
    NOTES,
    TIMINGS,
    HeadersTooLarge,
    OutOfDescriptors,
    WireTransport,
)
from explorer.runtime.userdata import loads_json
from explorer.runtime.validation import ValidationIssue, normalise

_NO_JSON = object()
_SERVER_TIMING = re.compile(r"(?:^|,)\s*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)[^,]*?;\s*dur=([0-9.]+)")


@dataclass(frozen=True)
class Timings:
    """Milliseconds: the whole request, time to first byte, and the handler's own time if reported."""

    total_ms: float
    ttfb_ms: float
    server_ms: float | None = None


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
        }


def _no_cookies() -> http.cookiejar.CookieJar:
    """A cookie jar that accepts nothing, so httpx stores no cookie behind the explorer's back."""
    return http.cookiejar.CookieJar(policy=http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))


def parse_server_timing(value: str | None) -> float | None:
    """The sum of ``dur`` values in a Server-Timing header (ms), or None when there are none."""
    if not value:
        return None
    durations = [float(m.group(2)) for m in _SERVER_TIMING.finditer(value)]
    return round(sum(durations), 3) if durations else None


class ServerClient:
    """Talks to one server started by the explorer, and to nothing else."""

    def __init__(self, framework: str, base_url: str, timeout: float = DEFAULT_TIMEOUT, jar: CookieJar | None = None) -> None:
        self.framework = framework
        self.jar = jar  # cookies the server sets are kept here and sent back, unless the request has a Cookie header
        self.base_url = httpx.URL(base_url)
        if self.base_url.host != "127.0.0.1":
            raise RequestError("the explorer only talks to servers on 127.0.0.1")
        self.timeout = timeout
        self._client = httpx.AsyncClient(
            transport=WireTransport(),
            trust_env=False,
            cookies=_no_cookies(),  # httpx would keep cookies of its own, unseen and never cleared: the jar does it
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    def url_for(self, spec: RequestSpec) -> httpx.URL:
        """The absolute URL of ``spec`` on this server; refuses anything that would leave it.

        The check is on what goes on the wire: the host and port, and a request target in origin
        form (one '/', then the path), after httpx has removed the '.' and '..' segments.
        """
        url = httpx.URL(str(self.base_url).rstrip("/") + spec.path)
        if (url.host, url.port) != (self.base_url.host, self.base_url.port):
            raise RequestError("the explorer only talks to the servers it started")
        if not url.raw_path.startswith(b"/") or url.raw_path.startswith(b"//"):
            target = url.raw_path[:60].decode("ascii", "replace")
            raise RequestError(f"the request target would be {target!r}, not a path on the explorer's own server")
        return url

    def _prepare(self, spec: RequestSpec) -> tuple[RequestSpec, tuple[tuple[str, str], ...], bytes | None]:
        """The checked request, and the headers and body bytes to write (a form encoded once here)."""
        spec = spec.checked()
        self.url_for(spec)
        headers, content = spec.encoded()
        return spec, headers, content

    async def send(self, spec: RequestSpec, keep_body: bool = True) -> Exchange:
        """Send one request; every failure is reported on the returned exchange.

        With ``keep_body`` false the body is read to its end (so the timing is the same) but only
        its size is kept, in ``body_size``.
        """
        try:
            prepared = self._prepare(spec)
        except (RequestError, httpx.InvalidURL, UnicodeError, ValueError) as exc:
            return Exchange(self.framework, spec, error=f"not sent: {exc}")
        return await self._send(spec, prepared, keep_body)

    async def _send(
        self, spec: RequestSpec, prepared: tuple[RequestSpec, tuple[tuple[str, str], ...], bytes | None], keep_body: bool
    ) -> Exchange:
        exchange = Exchange(self.framework, spec)
        checked, headers, content = prepared
        if self.jar is not None and checked.header("cookie") is None:
            if cookie := self.jar.header_for(checked.path):
                headers = (*headers, ("Cookie", cookie))
        try:
            request = self._client.build_request(
                checked.method, self.url_for(checked), headers=list(headers), content=content,
                extensions={KEEP_BODY: keep_body},
            )  # fmt: skip
        except (RequestError, httpx.InvalidURL, UnicodeError, ValueError) as exc:
            exchange.error = f"not sent: {exc}"
            return exchange
        exchange.request = SentRequest(request.method, str(request.url), tuple(request.headers.multi_items()), request.content)
        try:
            started = time.perf_counter()
            response = await self._client.send(request, stream=True)
            first_byte = time.perf_counter()
            try:
                body = await response.aread()  # the transport has the body already, cut at 16 MiB
            finally:
                finished = time.perf_counter()
                await response.aclose()
        except httpx.TimeoutException:
            exchange.error = f"timed out after {self.timeout:g} s: the {self.framework} server did not answer"
            return exchange
        except OutOfDescriptors as exc:
            exchange.error = (f"not sent: {exc}: the explorer ran out of file descriptors; "
                              "raise `ulimit -n` or send fewer at once")  # fmt: skip
            return exchange
        except httpx.ConnectError:
            exchange.error = f"connection refused: the {self.framework} server is not listening (stopped or crashed)"
            return exchange
        except HeadersTooLarge as exc:
            exchange.error = f"{exc} (from the {self.framework} server; the answer was not read)"
            return exchange
        except httpx.RemoteProtocolError as exc:
            exchange.error = f"the {self.framework} server closed the connection without a full answer: {exc}"
            return exchange
        except httpx.HTTPError as exc:
            exchange.error = f"request failed: {type(exc).__name__}: {exc}"
            return exchange
        exchange.status = response.status_code
        exchange.reason = response.reason_phrase
        exchange.http_version = response.http_version
        exchange.headers = tuple(response.headers.multi_items())
        exchange.body = body
        exchange.notes = tuple(response.extensions.get(NOTES, ()))
        if self.jar is not None:
            if keep_body:  # one copy of a burst stores what it was told: the copy that is shown
                refused = self.jar.update(response.headers.get_list("set-cookie"), checked.path)
                exchange.notes += tuple(refused)
            exchange.cookie_jar = self.jar.cookies()
        if not keep_body:
            exchange.body_size = response.extensions.get(BODY_SIZE, len(body))
        wire = response.extensions.get(TIMINGS)
        if wire is not None:  # the transport's own moments: the request on the wire, not the library
            started, first_byte, finished, exchange.truncated = wire
        exchange.timings = Timings(
            total_ms=(finished - started) * 1000,
            ttfb_ms=(first_byte - started) * 1000,
            server_ms=parse_server_timing(response.headers.get("server-timing")),
        )
        return exchange

    async def burst(self, spec: RequestSpec, count: int) -> Exchange:
        """Send ``count`` copies at once; the first copy's exchange comes back, with the burst's summary.

        Memory stays that of one answer: the other copies read their bodies to the end (their
        timing is the same) but keep only status, size and timings.
        """
        try:
            prepared = self._prepare(spec)  # once for all copies: a form is encoded once, not per copy
        except (RequestError, httpx.InvalidURL, UnicodeError, ValueError) as exc:
            return Exchange(self.framework, spec, error=f"not sent: {exc}")
        started = time.perf_counter()
        exchanges = await asyncio.gather(*(self._send(spec, prepared, keep_body=i == 0) for i in range(count)))
        wall_ms = (time.perf_counter() - started) * 1000
        times = [e.timings.total_ms for e in exchanges if e.timings]
        statuses: dict[str, int] = {}
        for e in exchanges:
            key = str(e.status) if e.status is not None and not e.error else "error"
            statuses[key] = statuses.get(key, 0) + 1
        first = exchanges[0]
        first.burst = BurstStats(
            count=count,
            wall_ms=wall_ms,
            min_ms=min(times, default=0.0),
            median_ms=statistics.median(times) if times else 0.0,
            max_ms=max(times, default=0.0),
            errors=sum(1 for e in exchanges if e.error),
            statuses=dict(sorted(statuses.items())),
            body_bytes=sum(e.size for e in exchanges),
            first_error=next((e.error for e in exchanges if e.error), None),
        )
        return first
