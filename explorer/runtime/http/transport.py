"""An httpx transport for loopback HTTP/1.1: asyncio protocols and httptools' C parser, timed on the wire.

httpx's default transport (httpcore with h11) parses responses in pure Python, which adds most of a
millisecond to every request; against servers that answer in well under a millisecond that is a
large share of the time shown. This transport keeps httpx's API (requests, responses, errors) and
does the wire work itself: one request per connection at a time, kept alive when the server allows,
and the three moments the explorer shows are taken where they happen:

- start: before the TCP connect (new connection) or before the request bytes are written;
- first byte: when the status line and headers have been parsed;
- end: when the last body byte has been parsed.

They come back in ``response.extensions["explorer.timings"]`` as ``perf_counter`` values.

What a server sends is bounded: at most 100 headers and 64 KiB before the body, a body read up to
16 MiB. Only bytes that answer the request in flight are parsed: anything after the end of the
answer, or arriving on an idle kept-alive connection, closes that connection and is noted in
``response.extensions["explorer.notes"]``, never taken for the next answer.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import time
from collections.abc import AsyncIterator
from typing import Any

import httptools
import httpx

from explorer.runtime.http.wire import (
    MAX_HEADER_BYTES,
    MAX_HEADERS,
    MAX_STATUS_LINE,
    Answer,
    Connection,
    HeadersTooLarge,
)

__all__ = [
    "BODY_SIZE",
    "KEEP_BODY",
    "LISTENER",
    "PIECES",
    "MAX_BODY",
    "MAX_HEADER_BYTES",
    "MAX_HEADERS",
    "MAX_STATUS_LINE",
    "NOTES",
    "TIMINGS",
    "HeadersTooLarge",
    "OutOfDescriptors",
    "WireTransport",
]

TIMINGS = "explorer.timings"
NOTES = "explorer.notes"  # response extension: what was seen besides the answer (bytes after it)
KEEP_BODY = "explorer.keep_body"  # request extension: False reads the body to its end but keeps only its size
BODY_SIZE = "explorer.body_size"  # response extension: bytes of body read (at most the cap)
PIECES = "explorer.pieces"  # response extension: (arrival times of the body's parts, how many more were not kept)
LISTENER = "explorer.listener"  # request extension: called with (perf_counter, bytes) as each part arrives
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
MAX_BODY = 16 * 1024 * 1024
STRAY_NOTE = "the server sent more bytes after the answer ended: they were ignored and the connection closed"
TIMEOUT_NOTE = (
    "the answer did not end within {seconds:g} s (the time-out): the {size:,} bytes of body that "
    "arrived by then are shown, cut, and the connection was closed"
)
IDLE_STRAY_NOTE = (
    "the kept-alive connection received bytes after the previous answer had ended: it was closed "
    "and this request went out on another connection"
)


class OutOfDescriptors(httpx.ConnectError):
    """The explorer itself ran out of file descriptors (EMFILE/ENFILE): not the server's fault."""


def _request_bytes(request: httpx.Request, body: bytes) -> bytes:
    target = request.url.raw_path
    lines = [request.method.encode() + b" " + target + b" HTTP/1.1"]
    lines += [name + b": " + value for name, value in request.headers.raw]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def _timeout(request: httpx.Request, key: str) -> float | None:
    value = (request.extensions.get("timeout") or {}).get(key)
    return float(value) if value is not None else None


class WireTransport(httpx.AsyncBaseTransport):
    """Keep-alive HTTP/1.1 to 127.0.0.1 with C parsing; errors are httpx's own exception types."""

    def __init__(self, body_cap: int = MAX_BODY, max_idle: int = 16) -> None:
        self.body_cap = body_cap
        self.max_idle = max_idle
        self._idle: dict[tuple[str, int], list[Connection]] = {}

    async def aclose(self) -> None:
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = b"".join([part async for part in _body(request)])
        key = (request.url.host, request.url.port or 80)
        idle = self._idle.setdefault(key, [])
        notes: list[str] = []
        while idle:
            connection = idle.pop()
            state = connection.idle_state()
            if state != "usable":
                connection.close()  # closed by the server while it sat idle (keep-alive timeout), or worse:
                if state == "stray":  # bytes nobody asked for, which must not pass for the next answer
                    notes.append(IDLE_STRAY_NOTE)
                continue
            try:
                return await self._exchange(request, body, connection, time.perf_counter(), notes)
            except _StaleConnection:
                if request.method not in _IDEMPOTENT:  # it may have been processed: never send it twice
                    raise httpx.RemoteProtocolError(
                        "the kept-alive connection closed as the request went out; "
                        "not re-sent, since it may have been processed",
                        request=request,
                    ) from None
                continue
        started = time.perf_counter()
        connection = await self._connect(request, key)
        try:
            return await self._exchange(request, body, connection, started, notes)
        except _StaleConnection:
            raise httpx.RemoteProtocolError(
                "the server closed the connection without answering", request=request
            ) from None

    async def _connect(self, request: httpx.Request, key: tuple[str, int]) -> Connection:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(_timeout(request, "connect")):
                transport, connection = await loop.create_connection(Connection, key[0], key[1])
        except TimeoutError:
            raise httpx.ConnectTimeout("timed out connecting", request=request) from None
        except OSError as exc:
            if exc.errno in (errno.EMFILE, errno.ENFILE):
                raise OutOfDescriptors(f"too many open files ({errno.errorcode[exc.errno]})", request=request) from None
            raise httpx.ConnectError(str(exc) or type(exc).__name__, request=request) from None
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection

    async def _exchange(
        self, request: httpx.Request, body: bytes, connection: Connection, started: float, notes: list[str]
    ) -> httpx.Response:
        response = Answer(self.body_cap, request.method == "HEAD", request.extensions.get(KEEP_BODY, True))
        response.listener = request.extensions.get(LISTENER)
        parser = response.parser = httptools.HttpResponseParser(response)
        try:
            connection.start(response, _request_bytes(request, body))
            async with asyncio.timeout(_timeout(request, "read")):
                await connection.wait()
        except TimeoutError:
            connection.close()
            if response.headers_at is None:
                raise httpx.ReadTimeout("timed out waiting for the answer", request=request) from None
            # The answer began but never ended (a stream that stalls or runs for ever): what came is kept, cut.
            response.truncated, response.done_at = True, time.perf_counter()
            notes.append(TIMEOUT_NOTE.format(seconds=_timeout(request, "read") or 0, size=response.size))
        except BaseException:
            connection.close()  # cancelled mid-answer: the rest of it would poison the next request
            raise
        error = connection.error
        if error is not None:
            connection.close()
            if isinstance(error, HeadersTooLarge):
                raise HeadersTooLarge(str(error), request=request) from None
            if isinstance(error, httptools.HttpParserUpgrade):
                raise httpx.RemoteProtocolError("the server switched protocols", request=request) from None
            raise httpx.RemoteProtocolError(f"malformed answer: {error}", request=request) from None
        if not response.finished:  # the connection ended first
            connection.close()
            if connection.received == 0:
                if connection.lost is None or isinstance(connection.lost, (ConnectionResetError, BrokenPipeError)):
                    raise _StaleConnection
                raise httpx.ReadError(str(connection.lost) or type(connection.lost).__name__, request=request)
            if connection.lost is not None:
                raise httpx.ReadError(str(connection.lost) or type(connection.lost).__name__, request=request)
            if not response.close_delimited():
                raise httpx.RemoteProtocolError("the connection closed in the middle of the answer", request=request)
            response.done_at = time.perf_counter()
        elif response.truncated and response.done_at is None:
            response.done_at = time.perf_counter()
        stray = connection.stray and not response.truncated
        if response.extra or stray:
            notes.append(STRAY_NOTE)
        reusable = not (response.head or response.truncated or response.extra or connection.stray)
        reusable = reusable and not response.close_delimited()
        idle = self._idle.setdefault((request.url.host, request.url.port or 80), [])
        if reusable and _keep_alive(parser.get_http_version(), response.headers) and len(idle) < self.max_idle:
            connection.finish()
            idle.append(connection)
        else:
            connection.close()  # a HEAD answer's framing, a cut body, extra bytes, "Connection: close" or a full pool
        return httpx.Response(
            response.status,
            headers=response.headers,
            stream=httpx.ByteStream(response.body),
            request=request,
            extensions={
                "http_version": f"HTTP/{parser.get_http_version()}".encode(),
                "reason_phrase": response.reason,
                TIMINGS: (started, response.headers_at, response.done_at, response.truncated),
                NOTES: tuple(notes),
                BODY_SIZE: response.size,
                PIECES: (tuple(response.pieces), response.pieces_dropped),
            },
        )


def _keep_alive(version: str, headers: list[tuple[bytes, bytes]]) -> bool:
    """HTTP/1.1 unless ``Connection: close``; HTTP/1.0 only with ``keep-alive``.

    Decided here rather than by the parser, whose answer is wrong for bodiless answers such as a
    204 that says ``Connection: close``.
    """
    tokens = {t.strip().lower() for name, value in headers if name.lower() == b"connection" for t in value.split(b",")}
    return b"keep-alive" in tokens if version == "1.0" else b"close" not in tokens


class _StaleConnection(Exception):
    """A kept-alive connection the server had already closed: retry on another one."""


async def _body(request: httpx.Request) -> AsyncIterator[bytes]:
    stream: Any = request.stream
    if hasattr(stream, "__aiter__"):
        async for part in stream:
            yield part
    else:
        for part in stream:
            yield part
