"""The wire transport against real servers: framing, reuse, encodings, and httpx's own error types."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from explorer.request import RequestSpec
from explorer.servers import ServerSpec, demo_spec
from explorer.session import Session
from explorer.transport import TIMINGS, WireTransport

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
