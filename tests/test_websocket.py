"""WebSockets to both demo servers (Flask through flask-sock on the dev server and gunicorn, FastAPI
natively), refusals as one line, and the bounds on what a server sends."""

from __future__ import annotations

import asyncio

import pytest
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, CloseConnection, Ping, Pong, Request, TextMessage

from explorer.runtime.errors import RequestError
from explorer.runtime.http.websocket import MAX_MESSAGE_BYTES, SocketError, WebSocketClient
from tests.conftest import LiveServers

GREETINGS = {"flask": "hello from flask-sock", "fastapi": "hello from FastAPI"}


async def _echo(framework: str, url: str) -> None:
    client = WebSocketClient(framework, url, "/ws/echo")
    await client.open()
    try:
        assert (await client.receive()).text == GREETINGS[framework]
        for text in ("hi", "ünïcode ✓", "x" * 10_000):
            await client.send(text)
            reply = await client.receive()
            assert (reply.kind, reply.text) == ("text", f"echo: {text}")
    finally:
        await client.close()
    kinds = [e.kind for e in client.events]
    assert kinds == ["open", "text", "sent", "text", "sent", "text", "sent", "text", "close"]
    times = [e.at_ms for e in client.events]
    assert times == sorted(times)


def _both(live: LiveServers) -> None:
    for framework in ("flask", "fastapi"):
        live.loop.run(_echo(framework, live.session.server(framework).status.base_url or ""))


def test_echo_on_both_with_the_dev_server(live: LiveServers) -> None:
    _both(live)


def test_echo_on_both_with_gunicorn(live_gunicorn: LiveServers) -> None:
    _both(live_gunicorn)


async def _refused(framework: str, url: str, path: str) -> str:
    with pytest.raises(SocketError) as caught:
        await WebSocketClient(framework, url, path).open()
    return str(caught.value)


def test_a_refused_upgrade_is_one_line(live: LiveServers) -> None:
    flask = live.loop.run(_refused("flask", live.session.server("flask").status.base_url or "", "/nowhere"))
    fastapi = live.loop.run(_refused("fastapi", live.session.server("fastapi").status.base_url or "", "/nowhere"))
    # Werkzeug's 404 page is read whole, without its markup (it was once cut at 200 characters: "try agai")
    assert flask.startswith("the flask server refused the upgrade with HTTP 404: Not Found The requested URL")
    assert flask.endswith("check your spelling and try again.") and "<" not in flask and "\n" not in flask
    assert fastapi == "the fastapi server refused the upgrade with HTTP 403"


def test_only_paths_on_loopback() -> None:
    with pytest.raises(RequestError, match="only opens sockets"):
        WebSocketClient("flask", "http://example.com:80", "/ws/echo")
    with pytest.raises(RequestError, match="never another host"):
        WebSocketClient("flask", "http://127.0.0.1:80", "//example.com/ws")


async def _hostile_server(behaviour: str) -> tuple[asyncio.Server, int]:
    """A WebSocket server written with wsproto that misbehaves as asked."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        ws = WSConnection(ConnectionType.SERVER)
        while True:
            ws.receive_data(await reader.read(65536))
            if any(isinstance(e, Request) for e in ws.events()):
                break
        writer.write(ws.send(AcceptConnection()))
        if behaviour == "big":
            writer.write(ws.send(TextMessage(data="x" * (MAX_MESSAGE_BYTES // 2), message_finished=False)))
            writer.write(ws.send(TextMessage(data="x" * (MAX_MESSAGE_BYTES // 2 + 1))))
        elif behaviour == "ping":
            writer.write(ws.send(Ping(payload=b"are you there")))
        elif behaviour == "drop":
            writer.close()
            return
        await writer.drain()
        while data := await reader.read(65536):
            ws.receive_data(data)
            for event in ws.events():
                if isinstance(event, Pong):
                    writer.write(ws.send(TextMessage(data=f"pong {event.payload.decode()}")))
                elif isinstance(event, CloseConnection):
                    writer.write(ws.send(event.response()))
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


@pytest.mark.parametrize(
    ("behaviour", "kind", "text"),
    [
        ("big", "error", f"a message over {MAX_MESSAGE_BYTES // 1024} KiB: the socket was closed (1009)"),
        ("ping", "text", "pong are you there"),
        ("drop", "close", "the server closed the connection without a close frame (1006)"),
    ],
)
async def test_what_a_server_sends_is_bounded(behaviour: str, kind: str, text: str) -> None:
    server, port = await _hostile_server(behaviour)
    client = WebSocketClient("flask", f"http://127.0.0.1:{port}", "/")
    try:
        await client.open()
        event = await client.receive(2)
        assert (event.kind, event.text) == (kind, text)
    finally:
        await client.close()
        server.close()
        await server.wait_closed()


def test_each_flask_socket_holds_a_gunicorn_thread(live_gunicorn: LiveServers) -> None:
    """flask-sock runs a socket's loop in the request's thread: 8 open sockets take all of gunicorn's 8 threads,
    and a plain request waits; FastAPI's sockets are coroutines and hold nothing."""
    from explorer.runtime.http.client import ServerClient
    from explorer.runtime.http.request import RequestSpec

    async def check() -> dict[str, str | int | None]:
        outcome: dict[str, str | int | None] = {}
        for framework in ("flask", "fastapi"):
            server = live_gunicorn.session.server(framework)
            url = server.status.base_url or ""
            sockets = [WebSocketClient(framework, url, "/ws/echo") for _ in range(server.spec.threads)]
            client = ServerClient(framework, url, timeout=0.5)
            try:
                for socket in sockets:
                    await socket.open()
                    await socket.receive()  # the greeting: the handler is running
                blocked = await client.send(RequestSpec("GET", "/items/1"))
                outcome[framework] = blocked.status or blocked.error
                await sockets.pop().close()
                freed = await client.send(RequestSpec("GET", "/items/1"))
                outcome[f"{framework} after one closed"] = freed.status
            finally:
                for socket in sockets:
                    await socket.close()
                await client.aclose()
        return outcome

    outcome = live_gunicorn.loop.run(check())
    assert str(outcome["flask"]).startswith("timed out after 0.5 s")
    assert outcome["fastapi"] == 200 and outcome["flask after one closed"] == outcome["fastapi after one closed"] == 200


async def test_an_opening_cancelled_during_the_handshake_closes_its_connection() -> None:
    """The screen's opening is cancelled when the screen is left or a new opening starts; the connection made so far
    was left open (the server held a socket, and a thread under gunicorn, until the explorer ended)."""
    connected: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await connected.put((reader, writer))  # accepts and never answers the upgrade

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = WebSocketClient("fastapi", f"http://127.0.0.1:{port}", "/ws/echo")
    opening = asyncio.create_task(client.open(timeout=30))
    try:
        reader, writer = await asyncio.wait_for(connected.get(), 5)
        await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)  # the upgrade request arrived: mid-handshake
        opening.cancel()
        await asyncio.gather(opening, return_exceptions=True)
        assert await asyncio.wait_for(reader.read(), 2) == b"", "the connection is still open"
        assert client.closed
        writer.close()
    finally:
        server.close()
        await client.close()
