"""Faults: a hung server, a flood of logs, and answers no well-behaved server would give."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from explorer.apps.bundled import demo_spec
from explorer.runtime.http.request import MAX_BODY_BYTES, RequestSpec
from explorer.runtime.servers.specs import ServerSpec, ServerState
from explorer.runtime.session import Session
from tests.conftest import until

APPS = Path(__file__).parent / "apps"


# One event loop for the module, so one hostile server serves every test that asks for it (a start each was
# ~0.3 s of CPU, eight times); the tests that stop, time out or restart a server start their own.
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def hostile() -> AsyncIterator[Session]:
    async with Session([ServerSpec("flask", "werkzeug", "hostile_app:app", app_dir=APPS)], timeout=10) as session:
        yield session


async def test_hung_server_is_reported_within_three_seconds_and_recovers() -> None:
    async with Session([demo_spec("fastapi")], timeout=0.5) as session:
        server = session.server("fastapi")
        pid = server.status.pid
        assert pid
        os.kill(pid, signal.SIGSTOP)
        try:
            stopped = time.perf_counter()
            await until(lambda: server.status.state is ServerState.UNRESPONSIVE, timeout=6)
            noticed = time.perf_counter() - stopped
            print(f"hang noticed after {noticed:.2f} s")
            assert noticed < 4.5  # 3 s by design (two misses: a probe every 0.5 s, 1 s timeout), with room
            assert any("Application startup complete" in line for line in server.log.lines())
            exchange = await session.send_one("fastapi", RequestSpec("GET", "/items/1"))
            assert exchange.error and exchange.error.startswith("timed out after 0.5 s")
        finally:
            os.kill(pid, signal.SIGCONT)
        await until(lambda: server.status.state is ServerState.READY, timeout=6)
        assert (await session.send_one("fastapi", RequestSpec("GET", "/items/1"))).status == 200


async def test_one_missed_probe_is_not_a_hang() -> None:
    """A server that misses one probe (a loaded machine: here, stopped for a bit longer than a probe's
    time-out) is not called "not answering"; before, one miss was enough and the strip said so."""
    async with Session([demo_spec("fastapi")]) as session:
        server = session.server("fastapi")
        server.probe_interval, server.probe_timeout = 0.2, 0.5
        states: list[ServerState] = []
        server.subscribe(lambda status: states.append(status.state))
        await asyncio.sleep(0.6)  # the monitor is on its new pace
        pid = server.status.pid
        assert pid
        os.kill(pid, signal.SIGSTOP)
        try:
            # 0.95 s: a probe starts within 0.2 s of the stop and times out 0.5 s later (a miss); the
            # next starts 0.7 s after that one, so it cannot time out before the server is back.
            await asyncio.sleep(0.95)
        finally:
            os.kill(pid, signal.SIGCONT)
        await asyncio.sleep(1.0)  # probes after the stop: answered
        assert ServerState.UNRESPONSIVE not in states and server.status.state is ServerState.READY


async def test_restart_of_a_hung_server() -> None:
    async with Session([demo_spec("fastapi")]) as session:
        server = session.server("fastapi")
        old = server.status.pid
        assert old
        os.kill(old, signal.SIGSTOP)
        status = await server.restart()
        assert status.state is ServerState.READY and status.pid != old


async def test_a_large_answer_of_known_length_is_not_called_a_stream(hostile: Session) -> None:
    """2 MiB with a Content-Length takes many reads; it was shown as a timeline of "parts" before."""
    from explorer.content.stream import is_streamed

    exchange = await hostile.send_one("flask", RequestSpec("GET", "/bigjson?mb=2"))
    assert exchange.status == 200 and exchange.header("content-length") == str(exchange.size)
    assert len(exchange.chunks) > 1 and not is_streamed(exchange)


async def test_a_flood_of_log_lines_stalls_nothing(hostile: Session) -> None:
    server = hostile.server("flask")
    flood = await hostile.send_one("flask", RequestSpec("GET", "/flood?lines=100000"))
    assert flood.status == 200
    await until(lambda: server.log.total_lines >= 100_000, timeout=20)
    assert len(server.log.lines()) <= 2000
    assert (await hostile.send_one("flask", RequestSpec("GET", "/ok"))).status == 200


async def test_a_ten_megabyte_line_is_cut(hostile: Session) -> None:
    server = hostile.server("flask")
    assert (await hostile.send_one("flask", RequestSpec("GET", "/bigline?mb=10"))).status == 200
    await until(lambda: any("more bytes cut" in line for line in server.log.lines()), timeout=20)
    assert max(len(line) for line in server.log.lines()) < 4100
    assert (await hostile.send_one("flask", RequestSpec("GET", "/ok"))).status == 200


async def test_binary_and_mis_encoded_answers(hostile: Session) -> None:
    binary = await hostile.send_one("flask", RequestSpec("GET", "/binary"))
    assert binary.size == 1024 and binary.json is None and isinstance(binary.text, str)
    latin = await hostile.send_one("flask", RequestSpec("GET", "/latin1"))
    assert latin.text == "café crème"
    bad = await hostile.send_one("flask", RequestSpec("GET", "/badutf8"))
    assert "\ufffd" in bad.text and bad.text.startswith("valid ")


async def test_markup_validation_errors_stay_text(hostile: Session) -> None:
    exchange = await hostile.send_one("flask", RequestSpec("GET", "/markup.json"))
    assert [i.location for i in exchange.validation] == ["body.[/foo]"]
    assert exchange.validation[0].message == "[bold]boom[/bold]"


async def test_huge_answer_is_truncated(hostile: Session) -> None:
    exchange = await hostile.send_one("flask", RequestSpec("GET", "/big?mb=20"))
    assert exchange.status == 200 and exchange.truncated and exchange.size == 16 * 1024 * 1024


async def test_a_16_mib_answer_is_held_once_and_send_json_is_written_as_encoded(hostile: Session) -> None:
    """The transport hands its buffer over (no second copy); ``send --json`` never holds its text whole."""
    import io
    import json
    import tracemalloc

    from explorer.cli.common import print_json

    mib = 1024 * 1024
    tracemalloc.start()
    try:
        exchange = await hostile.send_one("flask", RequestSpec("GET", "/big?mb=16"))
        received = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        document = {"results": [exchange.to_dict()]}  # the body as text: 16 MiB of characters
        built = tracemalloc.get_traced_memory()[0]
        sink = _Discard()
        print_json(document, sink)
        written = tracemalloc.get_traced_memory()[1] - built
        records = [{"id": n, "name": "widget", "tags": ["a", "b"]} for n in range(20_000)]  # 400,000 pieces
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        print_json(records, sink)
        pieces = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert exchange.status == 200 and exchange.size == len(exchange.body) == 16 * mib and not exchange.truncated
    print(
        f"peaks: receiving {received / mib:.1f} MiB, writing its document {written / mib:.1f} MiB, "
        f"20,000 records {pieces / mib:.1f} MiB"
    )
    assert received < 20 * mib  # before: 32 MiB (a bytearray, then its copy as bytes)
    assert written < 20 * mib  # before: 32 MiB (the escaped body, then the document whole)
    assert pieces < 4 * mib  # before: 16 MiB (every piece in a list, then the text joined)
    small = {"a": ['é\u2028\n"x"', 1.5, None, True, {"b": []}], "long": "ü\t" * (mib // 2 + 7), "c": {}}
    out = io.StringIO()
    print_json(small, out)
    assert out.getvalue() == json.dumps(small, indent=2, ensure_ascii=False) + "\n"  # the same text as before
    assert sink.size > 16 * mib


class _Discard(io.StringIO):
    """A text stream that only counts what it is given (and keeps none of it)."""

    def __init__(self) -> None:
        super().__init__()
        self.size = 0

    def write(self, text: str) -> int:
        self.size += len(text)
        return len(text)


async def test_timeout_and_oversized_body_are_clear_errors() -> None:
    async with Session([ServerSpec("flask", "werkzeug", "hostile_app:app", app_dir=APPS)], timeout=0.5) as session:
        slow = await session.send_one("flask", RequestSpec("GET", "/slow?s=3"))
        assert slow.error == "timed out after 0.5 s: the flask server did not answer"
        big = await session.send_one("flask", RequestSpec("POST", "/ok", body="x" * (MAX_BODY_BYTES + 1)))
        assert big.error and "not sent" in big.error and "limit" in big.error


async def test_a_burst_keeps_one_answer_whatever_the_copies(hostile: Session) -> None:
    """20 copies of a 1 MiB answer: one body is kept, the others only counted; memory is that of a few answers."""
    import tracemalloc

    mib = 1024 * 1024
    tracemalloc.start()
    try:
        exchange = await hostile.send_one("flask", RequestSpec("GET", "/big?mb=1"), burst=20)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    burst = exchange.burst
    assert burst is not None and burst.count == 20 and burst.statuses == {"200": 20} and burst.errors == 0
    assert exchange.size == len(exchange.body) == mib and burst.body_bytes == 20 * mib
    assert burst.to_dict()["statuses"] == {"200": 20}
    print(f"peak traced memory during a burst of 20 x 1 MiB: {peak / mib:.1f} MiB")
    assert peak < 6 * mib  # before: 40 MiB (every body held, some twice)
