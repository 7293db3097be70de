"""One HTTP/1.1 connection on an asyncio buffered protocol, and the answer parsed from it as it arrives.

:class:`Connection` reads into one small buffer and feeds every byte straight to httptools' C parser
through :class:`Answer`, so nothing is queued and a burst of open connections holds a buffer each,
not an answer each. What a server sends before the body is bounded (100 headers, 64 KiB, an 8 KiB
status line), and bytes after the final answer are never parsed as another one: they only mark the
connection as spoilt. :mod:`explorer.runtime.http.transport` drives these for httpx.
"""

from __future__ import annotations

import asyncio
import io
import socket
import time
from collections.abc import Callable
from typing import cast

import httptools
import httpx

__all__ = ["MAX_HEADER_BYTES", "MAX_HEADERS", "MAX_STATUS_LINE", "Answer", "Connection", "HeadersTooLarge"]

# Bounds on what comes before the body, as servers bound requests (nginx, Node: 100 headers, 64 KiB):
# past them the answer is refused, so a server that writes headers forever cannot grow the explorer.
MAX_HEADERS = 100
MAX_HEADER_BYTES = 64 * 1024  # status line and headers, interim 1xx answers included
MAX_STATUS_LINE = 8 * 1024
_HEAD_SLICE = 8192  # the head is fed in slices, so the parser never holds much more than the bound
_BUFFER = 32 * 1024  # read buffer per connection: a burst of N copies holds N of them, not N answers
MAX_PIECES = 1000  # arrival times kept per answer (a stream's chunks); later pieces are only counted


class HeadersTooLarge(httpx.RemoteProtocolError):
    """The status line or headers went past a bound; the message says which, with the figures."""


class Connection(asyncio.BufferedProtocol):
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
        self._response: Answer | None = None
        self._waiter: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast("asyncio.Transport", transport)  # a TCP connection's: it writes and closes

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

    def start(self, response: Answer, data: bytes) -> None:
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


class Answer:
    """httptools callbacks collect the final response; interim 1xx answers are read and dropped.

    ``body_cap`` stops reading past that many bytes (the caller then stops reading); with
    ``keep_body`` false the body is only counted, in ``size``, never stored. ``pieces`` holds when
    each part of a kept body arrived: ``(perf_counter, offset, length)`` per read from the socket
    (so a streamed answer's chunks, each at its time), at most :data:`MAX_PIECES`; ``listener``, when
    set, is called with each part as it arrives. Everything
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
        self.listener: Callable[[float, bytes], None] | None = None
        self._read_at = 0.0  # when the bytes being parsed were read
        self.on_message_begin()

    def on_message_begin(self) -> None:
        if self.done_at is not None:  # a second answer after the final one: never part of this one
            raise _ExtraBytes
        self.status = 0
        self.reason = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self._body = io.BytesIO()  # grows in place (a bytearray, then bytes of it, held the body twice)
        self.size = 0
        self.truncated = False
        self.headers_at: float | None = None
        self.pieces: list[tuple[float, int, int]] = []
        self.pieces_dropped = 0

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
        if self.keep_body and chunk:
            at = max(self._read_at, self.headers_at or 0.0)  # body bytes read with the headers count from them
            last = self.pieces[-1] if self.pieces else None
            if last is not None and last[0] == at:  # the same read: one piece
                self.pieces[-1] = (last[0], last[1], last[2] + len(chunk))
            elif len(self.pieces) < MAX_PIECES:
                self.pieces.append((at, self.size, len(chunk)))
            else:
                self.pieces_dropped += 1
            if self.listener is not None:
                self.listener(at, bytes(chunk))
        self.size += len(chunk)
        if self.keep_body:
            self._body.write(chunk)

    @property
    def body(self) -> bytes:
        """The body kept so far, as bytes: the buffer itself is handed over, not copied."""
        return self._body.getvalue()

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
        self._read_at = time.perf_counter()
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
        return (
            self.headers_at is not None
            and b"content-length" not in names
            and b"chunked" not in names.get(b"transfer-encoding", b"")
        )


class _ExtraBytes(Exception):
    """Raised inside a parser callback: bytes came after the final answer was complete."""
