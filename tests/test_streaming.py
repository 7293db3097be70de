"""Streams and server-sent events: each part of the body timed as it arrived, on both servers."""

from __future__ import annotations

import httptools
import pytest

from explorer.content.stream import is_streamed, sse_events, timeline
from explorer.runtime.http.request import RequestSpec
from explorer.runtime.http.wire import MAX_PIECES, Answer
from tests.conftest import LiveServers


def _streams(live: LiveServers) -> None:
    for framework, exchange in live.send(RequestSpec("GET", "/stream?n=4&ms=60")).items():
        assert exchange.status == 200 and exchange.text == "chunk 0\nchunk 1\nchunk 2\nchunk 3\n", framework
        assert exchange.header("transfer-encoding") == "chunked" and exchange.content_type == "text/plain"
        texts = [exchange.body[c.offset : c.offset + c.size] for c in exchange.chunks]
        assert b"".join(texts) == exchange.body and texts[0].startswith(b"chunk 0\n"), (framework, texts)
        # Normally one part per chunk; on a loaded machine a late read may take two at once, never fewer than 2.
        assert len(texts) >= 2 and texts[-1].endswith(b"chunk 3\n"), (framework, texts)
        times = [c.at_ms for c in exchange.chunks]
        assert exchange.timings is not None and exchange.timings.ttfb_ms <= times[0] <= exchange.timings.total_ms
        # Each part stamped as it was read (a client that read the whole body first stamps them all alike), and the
        # last no sooner than the server wrote it, 3 x 60 ms after the request. A bound from the first byte's time
        # failed whenever that first read came 18 ms late (load 13), however the server spaced its chunks.
        assert times == sorted(set(times)) and times[-1] >= 3 * 60 * 0.9, (framework, times)
        assert len(exchange.to_dict()["chunks"]) == len(texts) and "chunk 3⏎" in timeline(exchange)[-1]
        assert is_streamed(exchange), framework


def test_each_chunk_arrives_at_its_own_time_on_the_dev_server(live: LiveServers) -> None:
    _streams(live)


def test_each_chunk_arrives_at_its_own_time_on_gunicorn(live_gunicorn: LiveServers) -> None:
    _streams(live_gunicorn)


def test_server_sent_events_from_both(live: LiveServers) -> None:
    results = live.send(RequestSpec("GET", "/events?n=3&ms=50"))
    for exchange in results.values():
        assert exchange.content_type == "text/event-stream" and len(exchange.chunks) >= 2
        assert sse_events(exchange.text) == [{"id": str(i), "event": "tick", "data": f'{{"n": {i}}}'} for i in range(3)]
        assert timeline(exchange)[-1] == "3 server-sent events: tick ×3"
    assert results["fastapi"].header("cache-control") == "no-cache" and results["flask"].header("cache-control") is None


def test_an_answer_sent_at_once_is_one_part(live: LiveServers) -> None:
    for exchange in live.send(RequestSpec("GET", "/items/1")).values():
        assert len(exchange.chunks) == 1 and exchange.chunks[0].size == exchange.size


def test_a_stream_of_many_parts_keeps_a_bounded_record() -> None:
    answer = Answer(1 << 20, head=False)
    answer.parser = httptools.HttpResponseParser(answer)
    seen: list[bytes] = []
    answer.listener = lambda at, data: seen.append(data)
    answer.feed(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    for _ in range(MAX_PIECES + 500):
        answer.feed(b"1\r\nx\r\n")
    answer.feed(b"0\r\n\r\n")
    assert answer.finished and len(answer.body) == MAX_PIECES + 500 and len(seen) == MAX_PIECES + 500
    assert len(answer.pieces) == MAX_PIECES and answer.pieces_dropped == 500


@pytest.mark.parametrize(
    ("text", "events"),
    [
        (": a comment\r\ndata: a\r\ndata: b\r\n\r\n", [{"data": "a\nb"}]),
        ("event: x\nid: 7\n\ndata:no space\n\n", [{"data": "no space"}]),  # an event without data is dropped
        ("data: unfinished", []),
        ("retry: 10\ndata: {}\n\n", [{"retry": "10", "data": "{}"}]),
    ],
)
def test_sse_parsing_follows_the_standard(text: str, events: list[dict[str, str]]) -> None:
    assert sse_events(text) == events
