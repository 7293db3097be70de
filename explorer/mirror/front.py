"""The mirror's listening side: a small HTTP/1.1 server on asyncio with httptools' C parser.

Each connection reads requests in order (pipelined ones wait their turn), hands each to a handler
and writes its answer back, whole (:class:`Outgoing`) or as it comes (:class:`Reply`). What a client sends is bounded as the explorer's own client bounds what
it sends (:mod:`explorer.runtime.http.request`): a request over the limits is answered here (413,
414, 431) and never forwarded; a malformed one gets 400 and the connection is closed.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httptools

from explorer.runtime.http.request import MAX_BODY_BYTES, MAX_HEADER_CHARS, MAX_HEADERS, MAX_PATH_CHARS

__all__ = ["Incoming", "Outgoing", "Reply", "plain", "serve"]

_MAX_HEAD_BYTES = 64 * 1024
_MAX_QUEUED = 16  # pipelined requests read ahead on one connection


@dataclass
class Incoming:
    """One request as the client sent it: the raw target, headers in order, the body's bytes."""

    method: str
    target: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    keep_alive: bool = True


@dataclass
class Outgoing:
    """An answer to write: status, reason, headers (framing ones are the writer's), body; ``close`` after it."""

    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes = b""
    close: bool = False
    head: bool = False  # an answer to HEAD: the headers say the length, no body is written


class Reply:
    """An answer written as it comes: :meth:`head`, then :meth:`part` for each piece of the body, then :meth:`end`.

    With a length the server gave, the body goes as it came; without one (chunked, or ended by closing)
    it is sent chunked. An answer that cannot be completed closes the connection before its end, so
    the client sees it cut, never a shorter answer that looks whole.
    """

    def __init__(self, transport: asyncio.Transport | None, keep_alive: bool) -> None:
        self.transport = transport
        self.close = not keep_alive
        self.started = False
        self.chunked = False
        self.bodiless = False
        self._held = b""

    def head(
        self, status: int, reason: str, headers: list[tuple[str, str]], length: str | None, bodiless: bool
    ) -> None:
        self.started = True
        self.bodiless = bodiless
        lines = [f"HTTP/1.1 {status} {reason}", *(f"{k}: {v}" for k, v in headers)]
        if length is not None:
            lines.append(f"Content-Length: {length}")
        elif not bodiless:
            self.chunked = True
            lines.append("Transfer-Encoding: chunked")
        if self.close:
            lines.append("Connection: close")
        self._held = "\r\n".join(lines).encode("latin-1", "replace") + b"\r\n\r\n"  # sent with the first part

    def part(self, data: bytes) -> None:
        if self.bodiless or not data:
            return
        self._write(b"%x\r\n%b\r\n" % (len(data), data) if self.chunked else data)

    def end(self, complete: bool = True) -> None:
        if not complete:
            self.close = True  # cut: closed without the end of the body
        self._write(b"0\r\n\r\n" if complete and self.chunked else b"")

    def _write(self, data: bytes) -> None:
        data, self._held = self._held + data, b""  # one write for a head and its body: one send, not two
        if data and self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)


Handler = Callable[[Incoming, Reply], Awaitable[Outgoing | None]]
_NO_BODY = frozenset({204, 304})


def plain(status: int, reason: str, text: str, close: bool = False) -> Outgoing:
    """An answer of the mirror's own (the request never reached the app)."""
    return Outgoing(status, reason, [("Content-Type", "text/plain; charset=utf-8")], text.encode() + b"\n", close)


def encode(answer: Outgoing) -> bytes:
    lines = [f"HTTP/1.1 {answer.status} {answer.reason}".encode("latin-1", "replace")]
    lines += [f"{k}: {v}".encode("latin-1", "replace") for k, v in answer.headers]
    if not answer.head and answer.status not in _NO_BODY and answer.status >= 200:
        lines.append(b"Content-Length: " + str(len(answer.body)).encode())
    if answer.close:
        lines.append(b"Connection: close")
    body = b"" if answer.head or answer.status in _NO_BODY else answer.body
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


class _Refused(Exception):
    def __init__(self, answer: Outgoing) -> None:
        self.answer = answer


class _Connection(asyncio.Protocol):
    def __init__(self, handler: Handler, live: set[_Connection]) -> None:
        self.handler = handler
        self.live = live
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        self.queue: asyncio.Queue[Incoming | Outgoing | None] = asyncio.Queue()
        self.current: Incoming | None = None
        self.url = bytearray()
        self.head_bytes = 0
        self.worker: asyncio.Task[None] | None = None
        self.closing = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.worker = asyncio.get_running_loop().create_task(self._work())

    def data_received(self, data: bytes) -> None:
        if self.closing:
            return
        try:
            self.parser.feed_data(data)
        except _Refused as exc:
            self._refuse(exc.answer)
        except httptools.HttpParserCallbackError as exc:  # raised in a callback: the bound it broke is the cause
            cause = exc.__context__
            self._refuse(
                cause.answer
                if isinstance(cause, _Refused)
                else plain(400, "Bad Request", "explorer mirror: malformed request", True)
            )
        except httptools.HttpParserUpgrade:
            self._refuse(
                plain(501, "Not Implemented", "explorer mirror: protocol upgrades (WebSocket) are not mirrored", True)
            )
        except httptools.HttpParserError as exc:
            self._refuse(plain(400, "Bad Request", f"explorer mirror: malformed request: {exc}", True))
        if self.queue.qsize() > _MAX_QUEUED and self.transport is not None:
            self.transport.pause_reading()  # resumed by the worker: a client cannot queue requests without end

    def _refuse(self, answer: Outgoing) -> None:
        answer.close = True
        self.closing = True
        self.queue.put_nowait(answer)
        self.queue.put_nowait(None)

    def connection_lost(self, exc: Exception | None) -> None:
        self.live.discard(self)
        self.closing = True
        self.queue.put_nowait(None)

    # httptools callbacks
    def on_message_begin(self) -> None:
        self.current = Incoming("", "")
        self.url.clear()
        self.head_bytes = 0

    def on_url(self, url: bytes) -> None:
        self.url += url
        if len(self.url) > MAX_PATH_CHARS:
            raise _Refused(
                plain(414, "URI Too Long", f"explorer mirror: the target is over {MAX_PATH_CHARS} characters")
            )

    def on_header(self, name: bytes, value: bytes) -> None:
        assert self.current is not None
        self.head_bytes += len(name) + len(value) + 4
        self.current.headers.append((name.decode("latin-1"), value.decode("latin-1")))
        if (
            len(self.current.headers) > MAX_HEADERS
            or self.head_bytes > _MAX_HEAD_BYTES
            or len(value) > MAX_HEADER_CHARS
        ):
            raise _Refused(
                plain(
                    431,
                    "Request Header Fields Too Large",
                    f"explorer mirror: at most {MAX_HEADERS} headers of {MAX_HEADER_CHARS} characters",
                )
            )

    def on_headers_complete(self) -> None:
        assert self.current is not None
        self.current.method = self.parser.get_method().decode("latin-1")
        self.current.target = self.url.decode("latin-1")
        self.current.keep_alive = self.parser.should_keep_alive()
        if any(k.lower() == "expect" and v.lower() == "100-continue" for k, v in self.current.headers):
            if self.transport is not None:
                self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    def on_body(self, body: bytes) -> None:
        assert self.current is not None
        self.current.body += body
        if len(self.current.body) > MAX_BODY_BYTES:
            raise _Refused(
                plain(413, "Content Too Large", f"explorer mirror: bodies are at most {MAX_BODY_BYTES // 1024} KiB")
            )

    def on_message_complete(self) -> None:
        assert self.current is not None
        self.queue.put_nowait(self.current)
        self.current = None

    async def _work(self) -> None:
        try:
            while (item := await self.queue.get()) is not None:
                if self.transport is not None and self.transport.is_reading() is False and self.queue.qsize() <= 1:
                    self.transport.resume_reading()
                reply = Reply(self.transport, item.keep_alive if isinstance(item, Incoming) else False)
                answer = item if isinstance(item, Outgoing) else await self.handler(item, reply)
                if self.transport is None or self.transport.is_closing():
                    return
                if answer is None:  # streamed through the reply
                    if reply.close:
                        self.transport.close()
                        return
                    continue
                answer.close = answer.close or reply.close
                self.transport.write(encode(answer))
                if answer.close:
                    self.transport.close()
                    return
        except asyncio.CancelledError:
            if self.transport is not None:
                self.transport.close()
            raise


async def serve(handler: Handler, host: str, port: int) -> tuple[asyncio.Server, set[_Connection]]:
    """Listen on ``host:port``; every connection's requests go to ``handler``. Returns the server and
    the live connections (to cancel their work at the end)."""
    live: set[_Connection] = set()

    def make() -> _Connection:
        connection = _Connection(handler, live)
        live.add(connection)
        return connection

    server = await asyncio.get_running_loop().create_server(make, host, port, reuse_address=True)
    return server, live
