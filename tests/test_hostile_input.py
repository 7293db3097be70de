"""Hostile input against the newer surfaces: cookie jars, placeholders, ignore_regex, OpenAPI examples.

Each test hands over what a hostile server, app or file could, and checks the promise: a bound
holds, a clear message comes back, and nothing raises, hangs or calls an incomplete comparison equal.
"""

from __future__ import annotations

import time

import pytest

from explorer.runtime.http.cookies import CookieJar


@pytest.mark.serverless
def test_a_huge_or_odd_max_age_is_a_cookie_note_never_an_exception() -> None:
    """A 400-digit Max-Age raised OverflowError out of the jar (a traceback in `send`) before the fix."""
    jar = CookieJar()
    notes = jar.update(
        [
            "big=1; Max-Age=" + "9" * 400,
            "gone=1; Max-Age=-" + "9" * 400,
            "arabic=1; Max-Age=\u0661\u0662",
            "far=1; Expires=Fri, 31 Dec 9999 23:59:59 GMT",
        ],
        "/",
    )
    assert notes == []
    kept = {c.name: c for c in jar.cookies()}
    assert set(kept) == {"big", "arabic", "far"}
    within = time.time() + 400 * 86400 + 5
    assert kept["big"].expires is not None and kept["big"].expires <= within  # clamped, as RFC 6265bis says
    assert kept["far"].expires is not None and kept["far"].expires <= within
    assert kept["arabic"].expires is None  # digits that are not ASCII: the attribute is ignored


@pytest.mark.serverless
def test_placeholders_are_sized_before_they_are_filled() -> None:
    """300 copies of a captured megabyte took 630 MB before the fix; each part is now refused unbuilt."""
    import tracemalloc

    from explorer.parity.template import RequestTemplate, TemplateError

    values = {"tok": "T" * (1024 * 1024)}
    cases = {
        "body": RequestTemplate("POST", "/x", body=["{{tok}}"] * 300),
        "path": RequestTemplate("GET", "/x?" + "{{tok}}" * 300),
        "X-A header": RequestTemplate("GET", "/x", headers=(("X-A", "{{tok}}" * 300),)),
        "form field": RequestTemplate("POST", "/x", form=tuple((f"f{i}", "{{tok}}") for i in range(300))),
        "raw body": RequestTemplate("POST", "/x", body="{{tok}}" * 300, raw=True),
    }
    for where, template in cases.items():
        tracemalloc.start()
        with pytest.raises(TemplateError, match="once filled"):
            template.render(values)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < 8 * 1024 * 1024, f"{where}: {peak / 2**20:.0f} MiB"
    assert RequestTemplate("POST", "/x", body={"t": "{{tok}}"}).render({"tok": "abc"}).body == '{"t": "abc"}'
    again = RequestTemplate("GET", "/x", headers=(("X-A", "{{a}}{{a}}"),)).render({"a": "{{a}}{{a}}"})
    assert again.header("x-a") == "{{a}}{{a}}" * 2  # a filled value is never scanned again


@pytest.mark.serverless
def test_a_catastrophic_ignore_regex_is_an_error_within_its_budget_never_a_hang(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`(a|aa)+$` on 60 a's and a '!' backtracks for hours with `re`; it must end as "not compared"."""
    from explorer.parity import compare as comparing
    from explorer.parity.compare import compare
    from explorer.parity.entry import parse_case
    from explorer.parity.suite import ParityOptions
    from explorer.runtime.http.client import Exchange
    from explorer.runtime.http.request import RequestSpec

    case = parse_case({"path": "/x", "ignore_regex": ["(a|aa)+$"], "compare_headers": ["x-a"]}, "test")
    spec = RequestSpec("GET", "/x")
    answers = [
        Exchange(fw, spec, status=200, headers=(("content-type", "text/plain"), ("x-a", "1")), body=b"a" * 60 + tail)
        for fw, tail in (("flask", b"!"), ("fastapi", b"?"))
    ]
    monkeypatch.setattr(comparing, "REGEX_SECONDS", 0.3)  # the budget is 2 s; a shorter one keeps the test fast
    started = time.monotonic()
    found = compare(case, answers[0], answers[1], case.options(ParityOptions()))
    assert time.monotonic() - started < 10  # hours without the budget; the margin absorbs a loaded machine
    assert [d.aspect for d in found.differences] == ["error"]
    assert "backtracks catastrophically" in found.differences[0].note


@pytest.mark.serverless
def test_an_example_body_from_a_self_referring_schema_is_bounded() -> None:
    """Ten properties that each refer back to their object made a 3 MB example (twenty: gigabytes) before the fix."""
    from explorer.apps.templates import openapi_routes

    node = {"type": "object", "properties": {f"p{i}": {"$ref": "#/components/schemas/Node"} for i in range(10)}}
    body = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Node"}}}}
    document = {
        "openapi": "3.1.0",
        "paths": {"/nodes": {"post": {"requestBody": body}}},
        "components": {"schemas": {"Node": node}},
    }
    routes, skipped = openapi_routes(document)
    assert [r.path for r in routes] == ["/nodes"]
    assert routes[0].body is not None and len(routes[0].body) < 64 * 1024
    assert any("over 1,000 values" in line for line in skipped)


async def test_a_stream_that_stalls_or_never_ends_keeps_what_arrived() -> None:
    """Before the fix both were "timed out: the server did not answer", the status and parts lost."""
    import asyncio

    from explorer.runtime.http.client import ServerClient
    from explorer.runtime.http.request import RequestSpec

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        path = (await reader.readuntil(b"\r\n\r\n")).split(b" ", 2)[1]
        try:
            if path != b"/silent":
                writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n")
            while path == b"/endless":
                writer.write(b"4\r\nmore\r\n")
                await writer.drain()
                await asyncio.sleep(0.01)
            await reader.read()  # stalled: until the client hangs up
        except ConnectionError:
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    client = ServerClient("flask", f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", timeout=0.3)
    try:
        stalled, endless, silent = [await client.send(RequestSpec("GET", p)) for p in ("/stall", "/endless", "/silent")]
    finally:
        await client.aclose()
        server.close()
        await server.wait_closed()
    for exchange in (stalled, endless):
        assert exchange.error is None and exchange.status == 200 and exchange.truncated
        assert exchange.body.startswith(b"first") and exchange.chunks
        assert any("did not end within 0.3 s" in note for note in exchange.notes)
    assert len(endless.body) > len(b"first") + 4
    assert silent.status is None and silent.error is not None and "timed out" in silent.error


async def test_a_server_that_pings_without_reading_cannot_grow_the_write_buffer() -> None:
    """Each ping's pong was queued for ever: 14 MB in 4 s here before the fix, growing without end."""
    import asyncio
    import base64
    import hashlib
    import socket

    from explorer.runtime.http.websocket import MAX_BACKLOG_BYTES, WebSocketClient

    writers: list[asyncio.StreamWriter] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        head = await reader.readuntil(b"\r\n\r\n")
        key = next(
            line.split(b":", 1)[1].strip()
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"sec-websocket-key")
        )
        accept = base64.b64encode(hashlib.sha1(key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())
        writer.write(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n"
        )
        try:
            while True:  # pings, never reading a pong
                writer.write((b"\x89\x7d" + b"p" * 125) * 256)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass

    listener = socket.create_server(("127.0.0.1", 0))
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    server = await asyncio.start_server(handle, sock=listener)
    client = WebSocketClient("flask", f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", "/ws")
    try:
        await client.open(2)
        assert client._writer is not None
        sock = client._writer.get_extra_info("socket")  # small kernel buffers: the backlog shows at once
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        await asyncio.sleep(0.6)
        assert client._writer.transport.get_write_buffer_size() <= MAX_BACKLOG_BYTES + 4096
    finally:
        for writer in writers:
            writer.transport.abort()  # the server goes first: the client's close then ends at once
        await client.close()
        server.close()
        await server.wait_closed()


@pytest.mark.serverless
def test_a_variable_too_large_for_the_kernel_is_named_before_any_start() -> None:
    """32,768 four-byte characters pass the character bound but not exec: "Argument list too long" before the fix."""
    from explorer.runtime.userdata.envfile import EnvError, parse_assignment, parse_dotenv

    with pytest.raises(EnvError, match="over 128 KiB in UTF-8"):
        parse_assignment("BIG=" + "\U0001f600" * 32768)
    with pytest.raises(EnvError, match=r"BIG=.* over 128 KiB"):
        parse_dotenv('BIG="' + "\U0001f600" * 32768 + '"')
    assert parse_assignment("OK=" + "\u00e9" * 32768) == ("OK", "\u00e9" * 32768)  # 64 KiB: carried
