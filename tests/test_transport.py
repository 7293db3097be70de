"""The wire transport against real servers: framing, reuse, encodings, and httpx's own error types."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from explorer.runtime.request import RequestSpec
from explorer.runtime.session import Session
from explorer.runtime.specs import ServerSpec, demo_spec
from explorer.runtime.transport import TIMINGS, WireTransport
from tests.conftest import until

APPS = Path(__file__).parent / "apps"


@pytest.fixture
async def servers() -> AsyncIterator[Session]:
    specs = [ServerSpec("flask", "werkzeug", "hostile_app:app", app_dir=APPS), demo_spec("fastapi")]
    async with Session(specs, timeout=5) as session:
        yield session


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


async def test_keep_alive_reuse_and_timings(servers: Session) -> None:
    port = servers.server("fastapi").status.port
    transport = WireTransport()
    async with httpx.AsyncClient(transport=transport, base_url=f"http://127.0.0.1:{port}") as client:
        first = await client.get("/items/1")
        second = await client.get("/items/2")
        assert first.json() == {"item_id": 1, "name": "widget"} and second.status_code == 200
        assert first.reason_phrase == "OK" and first.http_version == "HTTP/1.1"
        assert len(transport._idle[("127.0.0.1", port)]) == 1  # one connection, reused
        started, headers_at, done_at, cut = second.extensions[TIMINGS]
        assert started <= headers_at <= done_at and cut is False


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
CANNED = {
    "/next": (b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext", False),
    "/interim": (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", False),
    "/close-delimited": (b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhello, until the end", True),
    "/http10": (b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nold style", True),
    "/nocontent": (b"HTTP/1.1 204 No Content\r\n\r\n", False),
    "/head": (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", False),
    "/cut": (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part", True),
}


class CannedServer:
    def __init__(self) -> None:
        self.connections = 0
        self.closed = 0
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
                answer, close = CANNED[path]
                writer.write(answer)
                await writer.drain()
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
