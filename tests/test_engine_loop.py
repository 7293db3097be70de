"""The closed loop's own epoll loop against small servers in this process: what a lost connection,
an answer that closes its connection and an answer that is not HTTP mean for its figures."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from explorer.bench.loadgen import LoadConfig, run_load


class _Closing(BaseHTTPRequestHandler):
    """HTTP/1.0: every answer ends its connection, like Werkzeug's dev server."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def closing_server() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Closing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def test_an_answer_that_closes_its_connection_is_no_error_and_a_new_one_follows(closing_server: int) -> None:
    result = asyncio.run(run_load(LoadConfig(closing_server, "/", concurrency=3, duration=0.5, warmup=0.1)))
    assert result.requests > 10 and result.errors == {} and result.statuses == {"200": result.requests}
    assert result.reconnects is not None and result.reconnects >= result.requests  # one connection per answer


@pytest.fixture
def garbage_server() -> Iterator[int]:
    """Accepts, reads a request, answers with bytes that are not HTTP, and keeps the connection open."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()
    open_conns: list[socket.socket] = []

    def serve() -> None:
        listener.settimeout(0.05)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            open_conns.append(conn)
            try:
                conn.recv(4096)
                conn.sendall(b"NOT HTTP AT ALL\r\n\r\n")
            except OSError:
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        thread.join(5)
        for conn in open_conns:
            conn.close()
        listener.close()


def test_an_answer_that_is_not_http_counts_as_a_parse_error(garbage_server: int) -> None:
    result = asyncio.run(run_load(LoadConfig(garbage_server, "/", concurrency=2, duration=0.4, warmup=0)))
    assert result.requests == 0 and result.errors.get("parse", 0) > 0
    assert set(result.errors) <= {"parse", "reset", "closed"}
