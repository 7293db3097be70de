"""The embedded HTTP client: one long-lived ``httpx.AsyncClient`` per server, one :class:`Exchange` per request.

The client runs on :class:`~explorer.runtime.http.transport.WireTransport`, which times the request where it
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
from collections.abc import Callable

import httpx

from explorer.runtime.errors import RequestError
from explorer.runtime.http.cookies import CookieJar
from explorer.runtime.http.exchange import BurstStats, Chunk, Exchange, SentRequest, Timings
from explorer.runtime.http.request import DEFAULT_TIMEOUT, RequestSpec
from explorer.runtime.http.transport import (
    BODY_SIZE,
    KEEP_BODY,
    LISTENER,
    NOTES,
    PIECES,
    TIMINGS,
    HeadersTooLarge,
    OutOfDescriptors,
    WireTransport,
)

__all__ = ["BurstStats", "Chunk", "Exchange", "SentRequest", "ServerClient", "Timings", "parse_server_timing"]

_SERVER_TIMING = re.compile(r"(?:^|,)\s*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)[^,]*?;\s*dur=([0-9.]+)")


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

    def __init__(
        self, framework: str, base_url: str, timeout: float = DEFAULT_TIMEOUT, jar: CookieJar | None = None
    ) -> None:
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
        # httpx offers br (and zstd) whenever a decoder happens to be installed; the request sent must not
        # change with what else is installed (locust's dependencies bring brotli). Set in place: same order.
        self._client.headers["Accept-Encoding"] = "gzip, deflate"

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

    async def send(
        self,
        spec: RequestSpec,
        keep_body: bool = True,
        listener: Callable[[float, bytes], None] | None = None,
        jar: CookieJar | None = None,
    ) -> Exchange:
        """Send one request; every failure is reported on the returned exchange.

        With ``keep_body`` false the body is read to its end (so the timing is the same) but only
        its size is kept, in ``body_size``. ``listener`` is called with ``(perf_counter, bytes)`` as
        each part of the body arrives (to show a stream live); it must be quick. ``jar``: the
        cookies to send and keep for this request instead of the client's own (a parity run's).
        """
        try:
            prepared = self._prepare(spec)
        except (RequestError, httpx.InvalidURL, UnicodeError, ValueError) as exc:
            return Exchange(self.framework, spec, error=f"not sent: {exc}")
        return await self._send(spec, prepared, keep_body, listener, jar)

    async def forward(self, spec: RequestSpec, content: bytes | None, jar: CookieJar | None = None) -> Exchange:
        """``spec`` sent with ``content`` as its body, byte for byte: a proxy's request, which may not be text.

        ``spec``'s own body is not sent; everything else is checked as :meth:`send` checks it.
        """
        try:
            checked = spec.checked()
            self.url_for(checked)
        except (RequestError, httpx.InvalidURL, UnicodeError, ValueError) as exc:
            return Exchange(self.framework, spec, error=f"not sent: {exc}")
        return await self._send(spec, (checked, checked.headers, content), True, None, jar)

    async def _send(
        self,
        spec: RequestSpec,
        prepared: tuple[RequestSpec, tuple[tuple[str, str], ...], bytes | None],
        keep_body: bool,
        listener: Callable[[float, bytes], None] | None = None,
        jar: CookieJar | None = None,
    ) -> Exchange:
        exchange = Exchange(self.framework, spec)
        checked, headers, content = prepared
        jar = jar if jar is not None else self.jar
        if jar is not None and checked.header("cookie") is None:
            if cookie := jar.header_for(checked.path):
                headers = (*headers, ("Cookie", cookie))
        try:
            request = self._client.build_request(
                checked.method,
                self.url_for(checked),
                headers=list(headers),
                content=content,
                extensions={KEEP_BODY: keep_body, LISTENER: listener},
            )
        except (RequestError, httpx.InvalidURL, UnicodeError, ValueError) as exc:
            exchange.error = f"not sent: {exc}"
            return exchange
        exchange.request = SentRequest(
            request.method, str(request.url), tuple(request.headers.multi_items()), request.content
        )
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
            exchange.error = (
                f"not sent: {exc}: the explorer ran out of file descriptors; raise `ulimit -n` or send fewer at once"
            )
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
        if jar is not None:
            if keep_body:  # one copy of a burst stores what it was told: the copy that is shown
                refused = jar.update(response.headers.get_list("set-cookie"), checked.path)
                exchange.notes += tuple(refused)
            exchange.cookie_jar = jar.cookies()
        if not keep_body:
            exchange.body_size = response.extensions.get(BODY_SIZE, len(body))
        wire = response.extensions.get(TIMINGS)
        if wire is not None:  # the transport's own moments: the request on the wire, not the library
            started, first_byte, finished, exchange.truncated = wire
        pieces, exchange.chunks_not_kept = response.extensions.get(PIECES, ((), 0))
        exchange.chunks = tuple(Chunk((at - started) * 1000, offset, size) for at, offset, size in pieces)
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
