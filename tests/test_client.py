"""The client against real servers: timings, headers, errors as strings, markup kept literal."""

from __future__ import annotations

import socket

import pytest

from explorer.runtime.errors import RequestError
from explorer.runtime.http.client import ServerClient, parse_server_timing
from explorer.runtime.http.request import RequestSpec
from tests.conftest import LiveServers


def test_timings_are_consistent(live: LiveServers) -> None:
    for exchange in live.send(RequestSpec("GET", "/io?ms=20")).values():
        t = exchange.timings
        assert t is not None and t.server_ms is not None
        assert 20 <= t.server_ms <= t.ttfb_ms <= t.total_ms


def test_exchange_records_what_was_sent(live: LiveServers) -> None:
    spec = RequestSpec(
        "POST", "/items", (("Content-Type", "application/json"), ("X-Demo", "1")), '{"name": "a", "price": 1}'
    )
    exchange = live.send(spec, ["fastapi"])["fastapi"]
    assert exchange.request is not None
    names = [k.lower() for k, _ in exchange.request.headers]
    assert "x-demo" in names and "content-length" in names and names[0] == "host"
    assert exchange.request.url.startswith("http://127.0.0.1:")
    assert exchange.request.body == b'{"name": "a", "price": 1}'
    assert exchange.http_version == "HTTP/1.1" and exchange.reason == "Created"
    assert exchange.to_dict()["json"] == {"name": "a", "price": 1.0, "tags": []}


def test_server_timing_parser() -> None:
    assert parse_server_timing("app;dur=1.5") == 1.5
    assert parse_server_timing('db;dur=2, app;desc="x";dur=3.25') == 5.25
    assert parse_server_timing("cache;desc=hit") is None
    assert parse_server_timing(None) is None


async def test_connection_refused_is_an_error_string() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = ServerClient("flask", f"http://127.0.0.1:{port}")
    exchange = await client.send(RequestSpec("GET", "/items/1"))
    await client.aclose()
    assert exchange.status is None and exchange.error and exchange.error.startswith("connection refused")


def test_timeout_is_an_error_string(live: LiveServers) -> None:
    port = live.session.server("fastapi").status.port

    async def slow() -> str | None:
        client = ServerClient("fastapi", f"http://127.0.0.1:{port}", timeout=0.3)
        try:
            return (await client.send(RequestSpec("GET", "/io?ms=2000"))).error
        finally:
            await client.aclose()

    error = live.loop.run(slow())
    assert error and error.startswith("timed out after 0.3 s")


def test_refuses_other_hosts() -> None:
    with pytest.raises(RequestError):
        ServerClient("flask", "http://example.com:80")


def test_bad_spec_is_not_sent(live: LiveServers) -> None:
    exchange = live.send(RequestSpec("GET", "no-slash"), ["flask"])["flask"]
    assert exchange.request is None and exchange.error and exchange.error.startswith("not sent")


def test_markup_in_body_survives_rendering(live: LiveServers) -> None:
    from rich.console import Console

    from explorer.cli.render import exchange_panel

    exchange = live.send(RequestSpec("GET", "/items/1?q=[bold]x[/foo]"), ["fastapi"])["fastapi"]
    assert exchange.json["name"] == "[bold]x[/foo]"
    console = Console(width=100, record=True, color_system=None)
    console.print(exchange_panel(exchange))
    assert "[bold]x[/foo]" in console.export_text()


async def test_the_target_on_the_wire_is_checked_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """Even if the path check missed a normalisation, the client refuses a target that is not origin-form."""
    import explorer.runtime.http.request

    monkeypatch.setattr(
        explorer.runtime.http.request, "request_target", lambda path: path
    )  # the path check sees nothing
    client = ServerClient("flask", "http://127.0.0.1:9")
    try:
        exchange = await client.send(RequestSpec("GET", "/./..//127.0.0.1:18999/x"))
    finally:
        await client.aclose()
    assert exchange.request is None and exchange.error is not None
    assert exchange.error.startswith("not sent: the request target would be '//127.0.0.1:18999/x'")
