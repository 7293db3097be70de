"""The primary path's client: a request forwarded to the Flask server as bytes, its answer parsed as bytes.

The explorer's client (httpx on :class:`~explorer.runtime.http.transport.WireTransport`) costs about
half a millisecond a request in httpx's own bookkeeping: more than the mirror may add. This drives
the same pieces the transport drives (:class:`~explorer.runtime.http.wire.Connection` and
:class:`~explorer.runtime.http.wire.Answer`, with their bounds: 100 headers, 64 KiB before the body, a
body read up to 16 MiB) without httpx, and keeps the answer's header names as the server wrote them.
Kept-alive connections are reused when the server allows it; a request that finds its kept-alive
connection closed is sent again on a new one only when its method is idempotent.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from dataclasses import dataclass

import httptools

from explorer.runtime.http.transport import MAX_BODY
from explorer.runtime.http.wire import Answer, Connection

__all__ = ["Forwarded", "Upstream"]

_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


class _Streamed(Answer):
    """An answer that tells ``on_head`` when its final head is parsed (its body parts go to ``listener``)."""

    on_head: Callable[[Answer], None] | None = None

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        if self.status >= 200 and self.on_head is not None:
            self.on_head(self)


Head = Callable[[Answer], None]
Part = Callable[[float, bytes], None]


@dataclass
class Forwarded:
    """What came back: the parsed answer, or ``error`` saying why there is none."""

    answer: Answer | None
    error: str | None = None
    url: str = ""
    sent_headers: tuple[tuple[str, str], ...] = ()


class Upstream:
    """Keep-alive HTTP/1.1 to one server on 127.0.0.1."""

    def __init__(self, base_url: str, timeout: float, max_idle: int = 16) -> None:
        self.base_url = base_url.rstrip("/")
        host, _, port = self.base_url.removeprefix("http://").rpartition(":")
        self.host, self.port = host.strip("[]"), int(port)
        self.timeout = timeout
        self.max_idle = max_idle
        self._idle: list[Connection] = []

    def close(self) -> None:
        for connection in self._idle:
            connection.close()
        self._idle.clear()

    async def send(
        self,
        method: str,
        target: str,
        headers: tuple[tuple[str, str], ...],
        content: bytes | None,
        on_head: Head | None = None,
        on_part: Part | None = None,
    ) -> Forwarded:
        """Send and read the answer; ``on_head`` and ``on_part`` see its head and each body part as they arrive."""
        sent = (("Host", f"{self.host}:{self.port}"), *headers)
        if content is not None:
            sent = (*sent, ("Content-Length", str(len(content))))
        head = "".join(f"{k}: {v}\r\n" for k, v in sent)
        data = f"{method} {target} HTTP/1.1\r\n{head}\r\n".encode("latin-1") + (content or b"")
        url = self.base_url + target
        while self._idle:
            connection = self._idle.pop()
            if connection.idle_state() != "usable":
                connection.close()
                continue
            found = await self._exchange(connection, method, data, on_head, on_part)
            if found is not None:
                return Forwarded(found.answer, found.error, url, sent)
            if method not in _IDEMPOTENT:
                return Forwarded(
                    None, "the kept-alive connection closed as the request went out; not re-sent", url, sent
                )
        try:
            async with asyncio.timeout(self.timeout):
                transport, connection = await asyncio.get_running_loop().create_connection(
                    Connection, self.host, self.port
                )
        except (OSError, TimeoutError) as exc:
            return Forwarded(None, f"could not connect to the Flask server: {exc or type(exc).__name__}", url, sent)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        found = await self._exchange(connection, method, data, on_head, on_part)
        if found is None:
            return Forwarded(None, "the Flask server closed the connection without answering", url, sent)
        return Forwarded(found.answer, found.error, url, sent)

    async def _exchange(
        self, connection: Connection, method: str, data: bytes, on_head: Head | None, on_part: Part | None
    ) -> Forwarded | None:
        """The answer on ``connection``; None when it was closed before any byte came back (stale)."""
        answer = _Streamed(MAX_BODY, method == "HEAD")
        answer.on_head, answer.listener = on_head, on_part
        answer.parser = httptools.HttpResponseParser(answer)
        try:
            connection.start(answer, data)
            size = -1
            while answer.size > size:  # the time-out is for silence: a stream that keeps sending is passed on
                size = answer.size
                try:
                    async with asyncio.timeout(self.timeout):
                        await connection.wait()
                    break
                except TimeoutError:
                    if answer.headers_at is None:
                        connection.close()
                        return Forwarded(None, f"the Flask server did not answer within {self.timeout:g} s")
            else:
                connection.close()
                answer.truncated = True  # silent for the time-out mid-answer: what came is passed on, cut
                return Forwarded(answer)
        except BaseException:
            connection.close()
            raise
        if connection.error is not None:
            connection.close()
            return Forwarded(None, f"the Flask server's answer could not be read: {connection.error}")
        if not answer.finished:
            connection.close()
            if connection.received == 0:
                return None
            if not answer.close_delimited() or connection.lost is not None:
                return Forwarded(None, "the Flask server closed the connection in the middle of the answer")
            answer.done_at = 0.0
        reusable = not (answer.head or answer.truncated or answer.extra or connection.stray or answer.close_delimited())
        if reusable and _keep_alive(answer) and len(self._idle) < self.max_idle:
            connection.finish()
            self._idle.append(connection)
        else:
            connection.close()
        return Forwarded(answer)


def _keep_alive(answer: Answer) -> bool:
    assert answer.parser is not None
    tokens = {
        t.strip().lower() for name, value in answer.headers if name.lower() == b"connection" for t in value.split(b",")
    }
    return b"keep-alive" in tokens if answer.parser.get_http_version() == "1.0" else b"close" not in tokens
