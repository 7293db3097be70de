"""An httpx transport for loopback HTTP/1.1: asyncio streams and httptools' C parser, timed on the wire.

httpx's default transport (httpcore with h11) parses responses in pure Python, which adds most of a
millisecond to every request; against servers that answer in well under a millisecond that is a
large share of the time shown. This transport keeps httpx's API (requests, responses, errors) and
does the wire work itself: one request per connection at a time, kept alive when the server allows,
and the three moments the explorer shows are taken where they happen:

- start: before the TCP connect (new connection) or before the request bytes are written;
- first byte: when the status line and headers have been parsed;
- end: when the last body byte has been parsed.

They come back in ``response.extensions["explorer.timings"]`` as ``perf_counter`` values.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import httptools

__all__ = ["TIMINGS", "WireTransport"]

TIMINGS = "explorer.timings"
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
MAX_BODY = 16 * 1024 * 1024
_READ = 65536


class _Connection:
    """One TCP connection and the parser state of the response being read on it."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    def close(self) -> None:
        self.writer.close()


class _Response:
    """httptools callbacks collect the final response; interim 1xx answers are read and dropped.

    ``body_cap`` stops storing past that many bytes (the caller then stops reading).
    """

    def __init__(self, body_cap: int, head: bool) -> None:
        self.parser: httptools.HttpResponseParser | None = None
        self.body_cap = body_cap
        self.head = head
        self.done_at: float | None = None
        self.on_message_begin()

    def on_message_begin(self) -> None:
        self.status = 0
        self.reason = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = bytearray()
        self.truncated = False
        self.headers_at: float | None = None

    def on_status(self, reason: bytes) -> None:
        self.reason += reason

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        assert self.parser is not None
        self.status = self.parser.get_status_code()
        if self.status >= 200:
            self.headers_at = time.perf_counter()
            if self.head:  # a HEAD answer has no body, whatever Content-Length says
                self.done_at = self.headers_at

    def on_body(self, chunk: bytes) -> None:
        room = self.body_cap - len(self.body)
        if len(chunk) > room:
            self.truncated = True
            chunk = chunk[: max(room, 0)]
        self.body += chunk

    def on_message_complete(self) -> None:
        if self.status >= 200 and self.done_at is None:  # a 100 Continue is not the answer
            self.done_at = time.perf_counter()

    def close_delimited(self) -> bool:
        """Neither a length nor chunks: the body ends when the server closes the connection."""
        names = {name.lower(): value.lower() for name, value in self.headers}
        return self.headers_at is not None and b"content-length" not in names and b"chunked" not in names.get(b"transfer-encoding", b"")


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
        while idle:
            connection = idle.pop()
            if connection.reader.at_eof() or connection.writer.is_closing():
                connection.close()  # closed by the server while it sat idle (keep-alive timeout)
                continue
            try:
                return await self._exchange(request, body, connection, started=time.perf_counter())
            except _StaleConnection:
                if request.method not in _IDEMPOTENT:  # it may have been processed: never send it twice
                    raise httpx.RemoteProtocolError("the kept-alive connection closed as the request went out; "
                                                    "not re-sent, since it may have been processed", request=request) from None  # fmt: skip
                continue
        started = time.perf_counter()
        connection = await self._connect(request, key)
        try:
            return await self._exchange(request, body, connection, started)
        except _StaleConnection:
            raise httpx.RemoteProtocolError("the server closed the connection without answering", request=request) from None

    async def _connect(self, request: httpx.Request, key: tuple[str, int]) -> _Connection:
        try:
            async with asyncio.timeout(_timeout(request, "connect")):
                reader, writer = await asyncio.open_connection(key[0], key[1], limit=_READ)
        except TimeoutError:
            raise httpx.ConnectTimeout("timed out connecting", request=request) from None
        except OSError as exc:
            raise httpx.ConnectError(str(exc) or type(exc).__name__, request=request) from None
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return _Connection(reader, writer)

    async def _exchange(self, request: httpx.Request, body: bytes, connection: _Connection, started: float) -> httpx.Response:
        response = _Response(self.body_cap, request.method == "HEAD")
        parser = response.parser = httptools.HttpResponseParser(response)
        received = 0
        try:
            connection.writer.write(_request_bytes(request, body))
            async with asyncio.timeout(_timeout(request, "read")):
                while response.done_at is None and not response.truncated:
                    chunk = await connection.reader.read(_READ)
                    if not chunk:
                        if received == 0:
                            connection.close()
                            raise _StaleConnection
                        if not response.close_delimited():
                            connection.close()
                            raise httpx.RemoteProtocolError("the connection closed in the middle of the answer", request=request)
                        response.done_at = time.perf_counter()
                        break
                    received += len(chunk)
                    parser.feed_data(chunk)
                if response.truncated:
                    response.done_at = time.perf_counter()
        except TimeoutError:
            connection.close()
            raise httpx.ReadTimeout("timed out waiting for the answer", request=request) from None
        except httptools.HttpParserUpgrade:
            connection.close()
            raise httpx.RemoteProtocolError("the server switched protocols", request=request) from None
        except httptools.HttpParserError as exc:
            connection.close()
            raise httpx.RemoteProtocolError(f"malformed answer: {exc}", request=request) from None
        except (ConnectionResetError, BrokenPipeError) as exc:
            connection.close()
            if received == 0:
                raise _StaleConnection from None
            raise httpx.ReadError(str(exc) or type(exc).__name__, request=request) from None
        except OSError as exc:
            connection.close()
            raise httpx.ReadError(str(exc) or type(exc).__name__, request=request) from None
        except BaseException:
            connection.close()  # cancelled mid-answer: the rest of it would poison the next request
            raise
        reusable = not (response.head or response.truncated or response.close_delimited())
        idle = self._idle.setdefault((request.url.host, request.url.port or 80), [])
        if reusable and _keep_alive(parser.get_http_version(), response.headers) and len(idle) < self.max_idle:
            idle.append(connection)
        else:
            connection.close()  # a HEAD answer's framing, a cut body, "Connection: close" or a full pool
        return httpx.Response(
            response.status,
            headers=response.headers,
            stream=httpx.ByteStream(bytes(response.body)),
            request=request,
            extensions={
                "http_version": f"HTTP/{parser.get_http_version()}".encode(),
                "reason_phrase": response.reason,
                TIMINGS: (started, response.headers_at, response.done_at, response.truncated),
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
