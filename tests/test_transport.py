"""The wire transport against real servers: framing, reuse, encodings, and httpx's own error types."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from explorer.apps.bundled import demo_spec
from explorer.runtime.http.client import ServerClient
from explorer.runtime.http.request import RequestSpec
from explorer.runtime.http.transport import TIMINGS, WireTransport
from explorer.runtime.servers.specs import ServerSpec
from explorer.runtime.session import Session
from tests.conftest import until

APPS = Path(__file__).parent / "apps"


# One pair for the three tests that ask (each started its own: ~1.3 s of CPU a start), on the module's event loop;
# the last restarts FastAPI, which leaves it ready on its new port.
ON_THE_MODULE_LOOP = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def servers() -> AsyncIterator[Session]:
    specs = [ServerSpec("flask", "werkzeug", "hostile_app:app", app_dir=APPS), demo_spec("fastapi")]
    async with Session(specs, timeout=5) as session:
        yield session


@ON_THE_MODULE_LOOP
async def test_head_chunked_gzip_and_no_content(servers: Session) -> None:
    head = await servers.send_one("fastapi", RequestSpec("HEAD", "/items/1"))
    assert head.status == 405 and head.body == b""
    flask_head = await servers.send_one("flask", RequestSpec("HEAD", "/ok"))
    assert flask_head.status == 200 and flask_head.body == b"" and flask_head.header("content-length")
    chunked = await servers.send_one("flask", RequestSpec("GET", "/chunked"))
    assert chunked.text == "".join(f"part {i}\n" for i in range(5))
    packed = await servers.send_one("flask", RequestSpec("GET", "/gzip"))
    assert packed.json == {"packed": True} and packed.header("content-encoding") == "gzip"
    empty = await servers.send_one("flask", RequestSpec("DELETE", "/nocontent"))
    assert empty.status == 204 and empty.body == b""
    after = await servers.send_one("flask", RequestSpec("GET", "/ok"))
    assert after.status == 200  # nothing left over on the wire after any of them


@ON_THE_MODULE_LOOP
async def test_keep_alive_reuse_and_timings(servers: Session) -> None:
    port = servers.server("fastapi").status.port
    transport = WireTransport()
    async with httpx.AsyncClient(transport=transport, base_url=f"http://127.0.0.1:{port}") as client:
        first = await client.get("/items/1")
        second = await client.get("/items/2")
        assert first.json() == {"item_id": 1, "name": "widget"} and second.status_code == 200
        assert first.reason_phrase == "OK" and first.http_version == "HTTP/1.1"
        assert port is not None and len(transport._idle[("127.0.0.1", port)]) == 1  # one connection, reused
        started, headers_at, done_at, cut = second.extensions[TIMINGS]
        assert started <= headers_at <= done_at and cut is False


@ON_THE_MODULE_LOOP
async def test_stale_kept_alive_connection_is_replaced(servers: Session) -> None:
    server = servers.server("fastapi")
    assert (await servers.send_one("fastapi", RequestSpec("GET", "/items/1"))).status == 200
    await server.restart()  # every kept-alive connection is now dead
    assert (await servers.send_one("fastapi", RequestSpec("GET", "/items/1"))).status == 200


async def test_errors_are_httpx_errors() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with httpx.AsyncClient(transport=WireTransport()) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(f"http://127.0.0.1:{port}/")
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    try:
        async with httpx.AsyncClient(transport=WireTransport(), timeout=0.3) as client:
            with pytest.raises(httpx.ReadTimeout):
                await client.get(f"http://127.0.0.1:{silent.getsockname()[1]}/")
    finally:
        silent.close()


# A server that answers exactly the bytes a test asks for: framing cases no framework produces on demand.
SECOND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 6\r\n\r\nsecond"
CANNED: dict[str, tuple[bytes | tuple[bytes, ...], bool]] = {
    "/next": (b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext", False),
    "/interim": (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", False),
    "/close-delimited": (b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhello, until the end", True),
    "/http10": (b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nold style", True),
    "/nocontent": (b"HTTP/1.1 204 No Content\r\n\r\n", False),
    "/head": (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", False),
    "/cut": (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part", True),
    # A complete answer, then a second one: in the same write, after Connection: close, or written later.
    "/twice": (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst" + SECOND, False),
    "/twice-close": (b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 5\r\n\r\nfirst" + SECOND, True),
    "/then-second": ((b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst", SECOND), False),
    "/head-with-body": (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst", False),
    "/many-headers": (
        b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(101)) + b"Content-Length: 0\r\n\r\n",
        False,
    ),
    "/max-headers": (
        b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(99)) + b"Content-Length: 0\r\n\r\n",
        False,
    ),
}
# Answers that never end: the start is written once, then the filler until the client hangs up.
ENDLESS = {
    "/endless-headers": (b"HTTP/1.1 200 OK\r\n", b"X-Filler: " + b"f" * 90 + b"\r\n"),
    "/endless-value": (b"HTTP/1.1 200 OK\r\nX-Long: ", b"v" * 4096),
    "/endless-reason": (b"HTTP/1.1 200 ", b"R" * 4096),
}


class CannedServer:
    def __init__(self) -> None:
        self.connections = 0
        self.closed = 0
        self.parts_written = 0  # parts of multi-part answers fully handed to the kernel
        self.release = asyncio.Event()  # a multi-part answer's later parts wait for it
        self.endless_written = 0
        self.server: asyncio.Server | None = None
        self.writers: list[asyncio.StreamWriter] = []

    async def __aenter__(self) -> CannedServer:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        for writer in self.writers:  # connections the client kept alive
            writer.close()
        await self.server.wait_closed()

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.writers.append(writer)
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                path = head.split(b" ", 2)[1].decode()
                if path == "/hang":
                    await reader.read()  # until the client goes away
                    break
                if path in ENDLESS:
                    start, filler = ENDLESS[path]
                    writer.write(start)
                    while True:  # until the client hangs up (ConnectionError)
                        writer.write(filler)
                        await writer.drain()
                        self.endless_written += len(filler)
                answer, close = CANNED[path]
                for index, part in enumerate((answer,) if isinstance(answer, bytes) else answer):
                    if index:
                        await self.release.wait()
                    writer.write(part)
                    await writer.drain()
                    self.parts_written += 1
                if close:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        self.closed += 1
        writer.close()


async def test_framing_cases_leave_the_connection_in_step() -> None:
    async with CannedServer() as server, httpx.AsyncClient(transport=WireTransport(), base_url=server.url) as client:
        interim = await client.get("/interim")
        assert (interim.status_code, interim.reason_phrase, interim.text) == (200, "OK", "ok")
        assert (await client.get("/next")).text == "next"  # the same connection, in step
        assert (await client.get("/close-delimited")).text == "hello, until the end"
        old = await client.get("/http10")
        assert old.text == "old style" and old.http_version == "HTTP/1.0"
        assert (await client.get("/nocontent")).status_code == 204
        assert (await client.head("/head")).content == b""
        assert (await client.get("/next")).text == "next"
        with pytest.raises(httpx.RemoteProtocolError):
            await client.get("/cut")
        assert (await client.get("/next")).text == "next"


async def test_keep_alive_reuses_one_connection() -> None:
    async with CannedServer() as server, httpx.AsyncClient(transport=WireTransport(), base_url=server.url) as client:
        for _ in range(5):
            assert (await client.get("/next")).status_code == 200
        assert server.connections == 1


async def test_a_cancelled_request_closes_its_connection() -> None:
    async with CannedServer() as server, httpx.AsyncClient(transport=WireTransport(), base_url=server.url) as client:
        pending = asyncio.create_task(client.get("/hang"))
        await until(lambda: server.connections == 1)
        pending.cancel()
        with pytest.raises(asyncio.CancelledError):
            await pending
        await until(lambda: server.closed == 1)  # the server saw the client hang up
        assert (await client.get("/next")).text == "next"


async def _client(server: CannedServer, timeout: float = 5) -> ServerClient:
    return ServerClient("canned", server.url, timeout=timeout)


async def test_bytes_after_an_answer_never_become_an_answer() -> None:
    """A second answer after a complete one is ignored and noted, on a fresh or a kept-alive connection."""
    async with CannedServer() as server:
        client = await _client(server)
        try:
            fresh = await client.send(RequestSpec("GET", "/twice"))  # both answers in one read
            assert (fresh.status, fresh.body) == (200, b"first"), fresh.error
            assert fresh.notes and "after the answer" in fresh.notes[0]
            assert "after the answer" in fresh.to_dict()["notes"][0]
            after = await client.send(RequestSpec("GET", "/next"))
            assert (after.status, after.body, after.notes) == (200, b"next", ())
            assert server.connections == 2  # the connection that carried extra bytes was closed
            kept = await client.send(RequestSpec("GET", "/twice"))  # on the kept-alive connection this time
            assert (kept.status, kept.body) == (200, b"first") and kept.notes
            closing = await client.send(RequestSpec("GET", "/twice-close"))
            assert (closing.status, closing.body, closing.error) == (200, b"first", None) and closing.notes
            head = await client.send(RequestSpec("HEAD", "/head-with-body"))  # a HEAD answer has no body
            assert (head.status, head.body) == (200, b"") and head.notes
            assert (await client.send(RequestSpec("GET", "/next"))).body == b"next"
        finally:
            await client.aclose()


@pytest.mark.parametrize("unread", [False, True], ids=["read-while-idle", "still-in-the-kernel"])
async def test_leftover_bytes_on_a_kept_alive_connection_are_not_the_next_answer(unread: bool) -> None:
    """A second answer written while the connection sits idle is not the answer to the next request."""
    async with CannedServer() as server:
        client = await _client(server)
        try:
            first = await client.send(RequestSpec("GET", "/then-second"))
            assert (first.status, first.body, first.notes) == (200, b"first", ())
            if unread:  # the event loop does not read the socket: the bytes wait in the kernel
                transport = client._client._transport
                assert isinstance(transport, WireTransport)
                (idle,) = transport._idle[("127.0.0.1", int(server.url.rsplit(":", 1)[1]))]
                assert idle.transport is not None
                idle.transport.pause_reading()
            server.release.set()
            await until(lambda: server.parts_written == 2)  # the stray answer is in the client's socket
            following = await client.send(RequestSpec("GET", "/next"))
            assert (following.status, following.body) == (200, b"next"), following.error
            assert len(following.notes) == 1 and "after the previous answer" in following.notes[0]
            assert server.connections == 2
        finally:
            await client.aclose()


@pytest.mark.parametrize("path", ["/many-headers", "/endless-headers", "/endless-value", "/endless-reason"])
async def test_headers_are_bounded(path: str) -> None:
    """Too many headers, or headers (or a status line) that never end: an error, in bounded memory."""
    async with CannedServer() as server:
        client = await _client(server, timeout=3)
        try:
            exchange = await client.send(RequestSpec("GET", path))
            assert exchange.status is None and exchange.error and exchange.error.startswith("headers too large"), (
                exchange.error
            )
            assert "100" in exchange.error or "64 KiB" in exchange.error or "8 KiB" in exchange.error
            assert server.endless_written < 16 * 1024 * 1024
            allowed = await client.send(RequestSpec("GET", "/max-headers"))  # 100 headers: the most allowed
            assert allowed.status == 200 and len(allowed.headers) == 100
        finally:
            await client.aclose()
