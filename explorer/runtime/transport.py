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

import httpx
import httptools

__all__ = ["BODY_SIZE", "KEEP_BODY", "MAX_BODY", "MAX_HEADER_BYTES", "MAX_HEADERS", "MAX_STATUS_LINE", "NOTES",
           "TIMINGS", "HeadersTooLarge", "OutOfDescriptors", "WireTransport"]  # fmt: skip

TIMINGS = "explorer.timings"
NOTES = "explorer.notes"  # response extension: what was seen besides the answer (bytes after it)
KEEP_BODY = "explorer.keep_body"  # request extension: False reads the body to its end but keeps only its size
BODY_SIZE = "explorer.body_size"  # response extension: bytes of body read (at most the cap)
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
MAX_BODY = 16 * 1024 * 1024
# Bounds on what comes before the body, as servers bound requests (nginx, Node: 100 headers, 64 KiB):
# past them the answer is refused, so a server that writes headers forever cannot grow the explorer.
MAX_HEADERS = 100
MAX_HEADER_BYTES = 64 * 1024  # status line and headers, interim 1xx answers included
MAX_STATUS_LINE = 8 * 1024
_HEAD_SLICE = 8192  # the head is fed in slices, so the parser never holds much more than the bound
_BUFFER = 32 * 1024  # read buffer per connection: a burst of N copies holds N of them, not N answers
STRAY_NOTE = "the server sent more bytes after the answer ended: they were ignored and the connection closed"
IDLE_STRAY_NOTE = ("the kept-alive connection received bytes after the previous answer had ended: it was closed "
                   "and this request went out on another connection")  # fmt: skip


class HeadersTooLarge(httpx.RemoteProtocolError):
    """The status line or headers went past a bound; the message says which, with the figures."""


class OutOfDescriptors(httpx.ConnectError):
    """The explorer itself ran out of file descriptors (EMFILE/ENFILE): not the server's fault."""


class _Connection(asyncio.BufferedProtocol):
    """One TCP connection, parsing the answer in flight as its bytes arrive, into one small buffer.

    Parsing happens in :meth:`buffer_updated`, so nothing is queued: a connection holds its
    buffer and its answer, however many are open at once (a burst). An exchange calls
    :meth:`start` with the answer to fill and awaits :meth:`wait`. Bytes that arrive when no
    answer is being read (after it ended, or while the connection is idle) are stray: counted,
    the connection closed at once, and it is never used again.
    """

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.stray = 0
        self.received = 0  # bytes of the answer in flight
        self.error: Exception | None = None  # what stopped the answer in flight (a parser error)
        self.closed = False
        self.lost: Exception | None = None  # the OSError that ended the connection, if any
        self._buffer = memoryview(bytearray(_BUFFER))
        self._response: _Response | None = None
        self._waiter: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def get_buffer(self, sizehint: int) -> memoryview:
        return self._buffer

    def buffer_updated(self, nbytes: int) -> None:
        response = self._response
        if response is None or response.finished or self.error is not None:
            self.stray += nbytes
            self.close()  # whatever else comes is not an answer: stop reading now
            return
        self.received += nbytes
        try:
            response.feed(self._buffer[:nbytes])
        except (HeadersTooLarge, httptools.HttpParserError, httptools.HttpParserUpgrade) as exc:
            self.error = exc
        if response.finished or self.error is not None:
            self._wake()

    def eof_received(self) -> bool:
        self.closed = True
        self._wake()
        return False  # the transport closes itself

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.lost = exc
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def start(self, response: _Response, data: bytes) -> None:
        """Send a request whose answer fills ``response``: from now on arriving bytes are parsed into it."""
        self._response = response
        self.received = 0
        self.error = None
        assert self.transport is not None
        self.transport.write(data)

    async def wait(self) -> None:
        """Until the answer is complete, cut at the cap, refused by the parser, or the connection ends."""
        response = self._response
        assert response is not None
        while not (response.finished or self.error is not None or self.closed):
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None

    def finish(self) -> None:
        """The answer is complete: whatever arrives from now on is stray."""
        self._response = None

    def idle_state(self) -> str:
        """``usable``, ``closed`` or ``stray``, looking also at what the kernel holds but the loop has not read."""
        if self.stray:
            return "stray"
        if self.closed or self.transport is None or self.transport.is_closing():
            return "closed"
        sock = self.transport.get_extra_info("socket")
        if sock is None:
            return "usable"
        peek = socket.socket(fileno=sock.fileno())  # the same descriptor, not a copy: works with none to spare
        try:
            waiting = peek.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except (BlockingIOError, InterruptedError):
            return "usable"  # nothing waiting: the normal case
        except OSError:
            return "closed"
        finally:
            peek.detach()
        if not waiting:
            return "closed"
        self.stray += len(waiting)
        return "stray"

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


class _Response:
    """httptools callbacks collect the final response; interim 1xx answers are read and dropped.

    ``body_cap`` stops reading past that many bytes (the caller then stops reading); with
    ``keep_body`` false the body is only counted, in ``size``, never stored. Everything
    before the body is bounded (count of headers, bytes, status line); bytes after the final
    answer ended set ``extra``, and parsing stops there.
    """

    def __init__(self, body_cap: int, head: bool, keep_body: bool = True) -> None:
        self.parser: httptools.HttpResponseParser | None = None
        self.body_cap = body_cap
        self.keep_body = keep_body
        self.head = head
        self.done_at: float | None = None
        self.head_bytes = 0
        self.extra = False
        self.on_message_begin()

    def on_message_begin(self) -> None:
        if self.done_at is not None:  # a second answer after the final one: never part of this one
            raise _ExtraBytes
        self.status = 0
        self.reason = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = bytearray()
        self.size = 0
        self.truncated = False
        self.headers_at: float | None = None

    def on_status(self, reason: bytes) -> None:
        self.reason += reason
        if len(self.reason) > MAX_STATUS_LINE:
            raise HeadersTooLarge(f"headers too large: a status line over {MAX_STATUS_LINE // 1024} KiB")

    def on_header(self, name: bytes, value: bytes) -> None:
        if len(self.headers) >= MAX_HEADERS:
            raise HeadersTooLarge(f"headers too large: more than {MAX_HEADERS} headers")
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        assert self.parser is not None
        self.status = self.parser.get_status_code()
        if self.status >= 200:
            self.headers_at = time.perf_counter()
            if self.head:  # a HEAD answer has no body, whatever Content-Length says
                self.done_at = self.headers_at

    def on_body(self, chunk: bytes) -> None:
        if self.head:  # whatever follows a HEAD answer's headers belongs to no answer
            raise _ExtraBytes
        room = self.body_cap - self.size
        if len(chunk) > room:
            self.truncated = True
            chunk = chunk[: max(room, 0)]
        self.size += len(chunk)
        if self.keep_body:
            self.body += chunk

    def on_message_complete(self) -> None:
        if self.status >= 200 and self.done_at is None:  # a 100 Continue is not the answer
            self.done_at = time.perf_counter()

    @property
    def finished(self) -> bool:
        """Nothing more to read: the final answer ended, or its body reached the cap."""
        return self.done_at is not None or self.truncated

    def feed(self, chunk: bytes | memoryview) -> None:
        """Parse ``chunk``; raises :class:`HeadersTooLarge` or the parser's errors, never for extra bytes."""
        assert self.parser is not None
        try:
            if self.headers_at is not None:
                self.parser.feed_data(chunk)
                return
            view = memoryview(chunk)
            for at in range(0, len(view), _HEAD_SLICE):
                part = view[at : at + _HEAD_SLICE]
                before = self.headers_at is None
                self.parser.feed_data(part)
                if before and self.headers_at is None:
                    self.head_bytes += len(part)
                    if self.head_bytes > MAX_HEADER_BYTES:
                        raise HeadersTooLarge(f"headers too large: over {MAX_HEADER_BYTES // 1024} KiB before the body")
                if self.headers_at is not None and at + _HEAD_SLICE < len(view):
                    self.parser.feed_data(view[at + _HEAD_SLICE :])
                    return
        except httptools.HttpParserCallbackError as exc:
            cause = exc.__context__
            if isinstance(cause, HeadersTooLarge):
                raise HeadersTooLarge(str(cause)) from None
            if isinstance(cause, _ExtraBytes):
                self.extra = True
                return
            raise
        except httptools.HttpParserUpgrade:
            raise
        except httptools.HttpParserError:
            if self.done_at is None:
                raise
            self.extra = True  # e.g. "Data after Connection: close": the answer itself was complete

    def close_delimited(self) -> bool:
        """Neither a length nor chunks: the body ends when the server closes the connection."""
        names = {name.lower(): value.lower() for name, value in self.headers}
        return self.headers_at is not None and b"content-length" not in names and b"chunked" not in names.get(b"transfer-encoding", b"")


class _ExtraBytes(Exception):
    """Raised inside a parser callback: bytes came after the final answer was complete."""


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
        self._idle: dict[tuple[str, int], list[_Connection]] = {}

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
                    raise httpx.RemoteProtocolError("the kept-alive connection closed as the request went out; "
                                                    "not re-sent, since it may have been processed", request=request) from None  # fmt: skip
                continue
        started = time.perf_counter()
        connection = await self._connect(request, key)
        try:
            return await self._exchange(request, body, connection, started, notes)
        except _StaleConnection:
            raise httpx.RemoteProtocolError("the server closed the connection without answering", request=request) from None

    async def _connect(self, request: httpx.Request, key: tuple[str, int]) -> _Connection:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(_timeout(request, "connect")):
                transport, connection = await loop.create_connection(_Connection, key[0], key[1])
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
        self, request: httpx.Request, body: bytes, connection: _Connection, started: float, notes: list[str]
    ) -> httpx.Response:
        response = _Response(self.body_cap, request.method == "HEAD", request.extensions.get(KEEP_BODY, True))
        parser = response.parser = httptools.HttpResponseParser(response)
        try:
            connection.start(response, _request_bytes(request, body))
            async with asyncio.timeout(_timeout(request, "read")):
                await connection.wait()
        except TimeoutError:
            connection.close()
            raise httpx.ReadTimeout("timed out waiting for the answer", request=request) from None
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
            stream=httpx.ByteStream(bytes(response.body)),
            request=request,
            extensions={
                "http_version": f"HTTP/{parser.get_http_version()}".encode(),
                "reason_phrase": response.reason,
                TIMINGS: (started, response.headers_at, response.done_at, response.truncated),
                NOTES: tuple(notes),
                BODY_SIZE: response.size,
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
