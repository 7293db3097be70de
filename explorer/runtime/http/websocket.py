"""A WebSocket to one server the explorer started: open it, send text, read what comes back, each timed.

Built on wsproto (the sans-I/O protocol that uvicorn and simple-websocket use too) over an asyncio
stream, so the bytes, the handshake and the bounds are all in view: a server that refuses the
upgrade is a one-line reason with its status (a route that does not exist, a server that cannot
speak WebSocket), never an exception. What a server sends is bounded: a message of at most
:data:`MAX_MESSAGE_BYTES` (larger ones close the socket with 1009, "message too big"), and the
log keeps the last :data:`MAX_EVENTS` events; pings are answered while fewer than
:data:`MAX_BACKLOG_BYTES` wait to be written (a server that pings and never reads cannot grow
the buffer). Only 127.0.0.1 is reached, and only a path.
"""

from __future__ import annotations

import asyncio
import html
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Event,
    Ping,
    RejectConnection,
    RejectData,
    Request,
    TextMessage,
)
from wsproto.utilities import LocalProtocolError, RemoteProtocolError

from explorer.runtime.errors import ExplorerError, RequestError
from explorer.runtime.http.request import check_path

__all__ = ["MAX_BACKLOG_BYTES", "MAX_EVENTS", "MAX_MESSAGE_BYTES", "SocketError", "SocketEvent", "WebSocketClient"]

MAX_MESSAGE_BYTES = 64 * 1024
MAX_EVENTS = 500
MAX_SEND_CHARS = 16 * 1024
MAX_BACKLOG_BYTES = 256 * 1024  # pongs waiting to be written: a server that pings without reading gets no more
_READ = 64 * 1024
_REJECT_BODY = 2048  # bytes of a refusal's body kept for the message
_REFUSAL_CHARS = 400  # characters of its text shown whole
_TITLE = re.compile(r"<title>.*?</title>", re.IGNORECASE | re.DOTALL)  # the page's title repeats its heading
_TAG = re.compile(r"<[^>]*>")
_DROPPED = "the server closed the connection without a close frame (1006)"


def refusal_text(body: str) -> str:
    """The readable text of a refusal's body, on one line: an HTML error page without its markup and title.

    Whole up to :data:`_REFUSAL_CHARS` (Werkzeug's 404 page reads in ~130); a longer one is cut at a
    word, with an ellipsis that says so.
    """
    if body.lstrip().startswith("<"):
        body = _TAG.sub(" ", _TITLE.sub(" ", body))
        body = html.unescape(body)
    text = " ".join(body.split())
    if len(text) <= _REFUSAL_CHARS:
        return text
    cut = text[:_REFUSAL_CHARS].rsplit(" ", 1)[0]
    return f"{cut} … ({len(text):,} characters)"


class SocketError(ExplorerError):
    """The socket could not be opened or used; the message is one line."""


@dataclass(frozen=True)
class SocketEvent:
    """One thing that happened on a socket, ``at_ms`` after it was opened.

    ``kind`` is ``open``, ``sent``, ``text``, ``bytes``, ``close`` or ``error``; ``text`` is the
    message (bytes shown by their size), the close code and reason, or the error.
    """

    kind: str
    text: str
    at_ms: float

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "at_ms": round(self.at_ms, 3)}


class WebSocketClient:
    """One WebSocket to ``base_url`` (which must be on 127.0.0.1) at ``path``; every event kept in :attr:`events`."""

    def __init__(
        self, framework: str, base_url: str, path: str, on_event: Callable[[SocketEvent], None] | None = None
    ) -> None:
        self.framework = framework
        host, _, port = base_url.removeprefix("http://").rstrip("/").partition(":")
        if host != "127.0.0.1" or not port.isdigit():
            raise RequestError("the explorer only opens sockets to the servers it started, on 127.0.0.1")
        self.port = int(port)
        self.path = check_path(path)
        self.on_event = on_event
        self.events: deque[SocketEvent] = deque(maxlen=MAX_EVENTS)
        self.received: asyncio.Queue[SocketEvent] = asyncio.Queue(maxsize=MAX_EVENTS)
        self._ws = WSConnection(ConnectionType.CLIENT)
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task[None] | None = None
        self._opened = time.perf_counter()
        self._parts: list[str | bytes | bytearray] = []
        self._size = 0
        self._early: list[Event] = []
        self.closed = False

    def _event(self, kind: str, text: str) -> SocketEvent:
        event = SocketEvent(kind, text, (time.perf_counter() - self._opened) * 1000)
        self.events.append(event)
        if kind in ("text", "bytes", "close", "error") and not self.received.full():
            self.received.put_nowait(event)
        if self.on_event is not None:
            self.on_event(event)
        return event

    async def open(self, timeout: float = 5.0) -> None:
        """Connect and complete the handshake, or raise :class:`SocketError` saying why not."""
        self._opened = time.perf_counter()
        try:
            async with asyncio.timeout(timeout):
                self._reader, self._writer = await asyncio.open_connection("127.0.0.1", self.port, limit=_READ)
                self._writer.write(self._ws.send(Request(host=f"127.0.0.1:{self.port}", target=self.path)))
                await self._writer.drain()
                await self._handshake()
        except TimeoutError:
            await self._abort()
            raise SocketError(
                f"the {self.framework} server did not complete the WebSocket handshake within {timeout:g} s"
            ) from None
        except OSError as exc:
            await self._abort()
            raise SocketError(f"cannot connect to the {self.framework} server: {exc.strerror or exc}") from None
        except SocketError:
            await self._abort()
            raise
        except asyncio.CancelledError:  # the opening was given up (its screen left): close what it had connected
            self.closed = True
            if self._writer is not None:
                self._writer.close()  # no await: a second cancel must not cut this short
            raise
        self._event("open", f"connected to ws://127.0.0.1:{self.port}{self.path}")
        self._task = asyncio.get_running_loop().create_task(self._read_loop())

    async def _handshake(self) -> None:
        assert self._reader is not None
        status, body = None, b""
        while True:
            data = await self._reader.read(_READ)
            try:
                self._ws.receive_data(data or None)
                events = list(self._ws.events())
            except RemoteProtocolError as exc:
                raise SocketError(
                    f"the {self.framework} server's answer to the upgrade is not a WebSocket handshake: {exc}"
                ) from None
            for at, event in enumerate(events):
                if isinstance(event, AcceptConnection):
                    self._early = events[at + 1 :]  # frames that came with the handshake: read first
                    return
                if isinstance(event, RejectConnection):
                    status = event.status_code
                    if not event.has_body:
                        raise SocketError(self._refusal(status, body))
                elif isinstance(event, RejectData):
                    body += event.data[: max(0, _REJECT_BODY - len(body))]
                    if event.body_finished:
                        raise SocketError(self._refusal(status, body))
            if not data:
                raise SocketError(f"the {self.framework} server closed the connection during the handshake")

    def _refusal(self, status: int | None, body: bytes) -> str:
        text = refusal_text(body.decode("utf-8", "replace"))
        return f"the {self.framework} server refused the upgrade with HTTP {status}" + (f": {text}" if text else "")

    async def send(self, text: str) -> None:
        """Send one text message; a closed socket is a :class:`SocketError`."""
        if self.closed or self._writer is None:
            raise SocketError(f"the socket to {self.framework} is closed")
        if len(text) > MAX_SEND_CHARS:
            raise SocketError(f"a message is at most {MAX_SEND_CHARS:,} characters")
        try:
            data = self._ws.send(TextMessage(data=text))
            self._writer.write(data)
            await self._writer.drain()
        except (LocalProtocolError, OSError) as exc:
            raise SocketError(f"cannot send to {self.framework}: {exc}") from None
        self._event("sent", text)

    async def receive(self, timeout: float = 5.0) -> SocketEvent:
        """The next message, close or error from the server (waits at most ``timeout``)."""
        try:
            async with asyncio.timeout(timeout):
                return await self.received.get()
        except TimeoutError:
            raise SocketError(f"no message from {self.framework} within {timeout:g} s") from None

    async def _read_loop(self) -> None:
        assert self._reader is not None and self._writer is not None
        try:
            for event in self._early:
                self._handle(event)
            while not self.closed:
                data = await self._reader.read(_READ)
                self._ws.receive_data(data or None)
                for event in self._ws.events():
                    self._handle(event)
                if not data and not self.closed:
                    self.closed = True
                    self._event("close", _DROPPED)
        except (RemoteProtocolError, LocalProtocolError) as exc:
            self.closed = True
            self._event("error", f"protocol error: {exc}")
        except OSError as exc:
            self.closed = True
            self._event("error", f"connection lost: {exc.strerror or exc}")
        finally:
            if self.closed and self._writer is not None:
                self._writer.close()

    def _handle(self, event: object) -> None:
        assert self._writer is not None
        if isinstance(event, TextMessage | BytesMessage):
            self._size += len(event.data)
            if self._size > MAX_MESSAGE_BYTES:
                self._writer.write(self._ws.send(CloseConnection(code=1009, reason="message too big")))
                self.closed = True
                self._event("error", f"a message over {MAX_MESSAGE_BYTES // 1024} KiB: the socket was closed (1009)")
                return
            self._parts.append(event.data)
            if event.message_finished:
                parts, self._parts, self._size = self._parts, [], 0
                if isinstance(event, TextMessage):
                    self._event("text", "".join(str(p) for p in parts))
                else:
                    self._event("bytes", f"{sum(len(p) for p in parts):,} bytes")
        elif isinstance(event, Ping):
            if self._writer.transport.get_write_buffer_size() <= MAX_BACKLOG_BYTES:  # RFC 6455 5.5.3: the latest
                self._writer.write(self._ws.send(event.response()))  # ping's pong is enough; a flood gets no more
        elif isinstance(event, CloseConnection) and self.closed:
            pass  # the answer to the explorer's own close frame: already reported
        elif isinstance(event, CloseConnection) and event.code == 1006:  # wsproto's word for "no close frame"
            self.closed = True
            self._event("close", _DROPPED)
        elif isinstance(event, CloseConnection):
            try:
                self._writer.write(self._ws.send(event.response()))
            except LocalProtocolError:
                pass
            self.closed = True
            self._event("close", f"closed by the server: {event.code}" + (f" {event.reason}" if event.reason else ""))

    async def close(self) -> None:
        """Send a close frame (when open), stop reading and close the connection; safe to call twice."""
        if not self.closed and self._writer is not None:
            self.closed = True
            try:
                self._writer.write(self._ws.send(CloseConnection(code=1000)))
                await asyncio.wait_for(self._writer.drain(), 1)
            except (LocalProtocolError, OSError, TimeoutError):
                pass
            self._event("close", "closed by the explorer: 1000")
        await self._abort()

    async def _abort(self) -> None:
        self.closed = True
        if self._task is not None and not self._task.done():
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)  # its end is already in the events
        if self._writer is not None:
            self._writer.close()
            try:
                await asyncio.wait_for(self._writer.wait_closed(), 1)
            except (OSError, TimeoutError):
                pass
