"""The built-in engine: a closed-loop HTTP/1.1 load generator on one ``epoll`` and httptools.

Why not httpx: one shared ``httpx.AsyncClient`` reached only 0.03-0.22x of wrk's throughput here
(pool contention, 0.5-2 ms of client CPU per request). Why not asyncio either: a profile of the load
process (py-spy and cProfile, uvicorn ``/items/1`` at 10 connections) put most of its Python time
per request in the event loop's layers (``_run_once``, ``Handle._run``, the selector's key lookups,
``_SelectorSocketTransport.write`` and ``_read_ready``), not in parsing; the client cost 0.04-0.05 ms
of CPU per request against wrk's 0.02-0.03. So the hot path here is the least Python per request:
one non-blocking keep-alive socket per concurrent worker in one ``select.epoll``, ``recv_into`` one
buffer allocated once, httptools' C parser (the one uvicorn uses), and the next request (encoded
once) sent from the parser's ``on_message_complete`` callback; no task, handle, future or timer per
request. Progress, timeouts and reconnects are checked between ``epoll`` waits.

One wake per answer: each connection sets a receive threshold learned from its last answer, so an
answer written in two pieces (head, then body) wakes the loop once (:mod:`explorer.bench.wake`).

Runs only inside the load process (``explorer.bench.loadprocess``), never in a caller's event loop.
"""

from __future__ import annotations

import errno
import os
import select
import socket
import time
from typing import Any

import httptools

from explorer.bench.servercpu import sample_tree, server_cost
from explorer.bench.stall import StallThread
from explorer.bench.stats import LatencySummary, LogHistogram, SoFar, client_cost
from explorer.bench.wake import MISSED_AFTER, WAKE_MAX, set_threshold, waiting
from explorer.bench.wire import (
    BUFFER_BYTES,
    RECONNECT_DELAY,
    Emit,
    connect_error_kind,
    cpu_seconds,
    encode_request,
    fd_limit,
    progress_event,
)

__all__ = ["Load", "run_builtin"]

_now = time.perf_counter


class _Connection:
    """One keep-alive connection: send, parse, record, send again, until the load stops. The hot path runs
    once per answer with cold caches (the process sleeps between answers), so what it calls is bound once."""

    __slots__ = (
        "buffer",
        "busy",
        "closing",
        "feed",
        "first",
        "got",
        "keep",
        "load",
        "lowat",
        "missed",
        "parser",
        "recv_into",
        "request",
        "send_request",
        "sent_at",
        "sock",
    )

    def __init__(self, load: Load, sock: socket.socket) -> None:
        self.load = load
        self.sock = sock
        self.parser = httptools.HttpResponseParser(self)
        self.buffer = memoryview(bytearray(BUFFER_BYTES))
        self.recv_into, self.send_request, self.request = sock.recv_into, sock.send, load.request
        self.feed, self.keep = self.parser.feed_data, load.latencies.append
        self.sent_at = 0.0
        self.busy = False
        self.closing = False  # the answer said Connection: close
        self.got = 0  # bytes of the answer under way
        self.first = 0  # ... in its first read
        self.lowat = 1  # the socket's SO_RCVLOWAT: wake once more than this answer's first piece has come
        self.missed = False  # the answer sat unread under the threshold: its latency is unknown

    def send(self, now: float) -> None:
        """Send the request (timed from ``now``); a failed send loses the connection."""
        self.busy = True
        self.sent_at = now
        try:
            self.send_request(self.request)  # a few dozen bytes into an empty send buffer: never partial
        except OSError:
            self.load.drop(self, "reset")

    def readable(self) -> None:
        """Read what arrived and feed it to the parser (which calls :meth:`on_message_complete`)."""
        try:
            n = self.recv_into(self.buffer)
        except BlockingIOError:
            return
        except OSError:
            self.load.drop(self, "reset")
            return
        if not n:
            self.load.drop(self, "closed")
            return
        if self.got:
            self.got += n
        else:
            self.got = self.first = n
        try:
            self.feed(self.buffer[:n])
        except httptools.HttpParserError:
            self.load.drop(self, "parse")
            return
        if self.got and self.lowat > 1:  # part of an answer read (a grown head): its rest may be any size
            self.threshold(1)
        if self.closing:
            self.load.drop(self, None)

    def on_message_complete(self) -> None:
        now = _now()
        load = self.load
        if self.got > self.first:  # the answer came in pieces: wake on the next one only once it is whole
            self.threshold(self.first + 1 if load.wake_whole and self.first < WAKE_MAX else 1)
        self.got = 0
        load.completed += 1
        if load.recording:
            status = self.parser.get_status_code()
            if self.missed:
                load.missed(status)
            elif status == 200:  # the usual answer: counted by the latencies kept (see Load.status_counts)
                self.keep(now - self.sent_at)
            else:
                load.other(status, now - self.sent_at)
        if not self.parser.should_keep_alive():
            self.busy = False
            self.closing = True  # closed once the parser returns; a fresh connection takes its place
        elif load.running:  # the next request, timed from the answer's end (the bookkeeping above counts)
            self.sent_at = now
            try:
                self.send_request(self.request)
            except OSError:
                load.drop(self, "reset")
        else:
            self.busy = False

    def threshold(self, lowat: int) -> None:
        """Wake the loop once more than ``lowat - 1`` bytes are waiting (1: on any byte)."""
        if lowat != self.lowat and set_threshold(self.sock, lowat):
            self.lowat = lowat


class Load:
    """Closed-loop load at a fixed concurrency: every worker sends its next request when the last one ends."""

    def __init__(self, host: str, port: int, path: str, concurrency: int, timeout: float) -> None:
        self.host, self.port = host, port
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        self.address: tuple[Any, ...] = address
        self._socket_args = (family, kind, proto)
        self.request = encode_request(host, port, path)
        self.concurrency = concurrency
        self.timeout = timeout
        self.running = True
        self.recording = False
        self.epoll = select.epoll()
        self.connections: dict[int, _Connection] = {}  # by file descriptor
        self.connecting: dict[int, socket.socket] = {}  # non-blocking connects under way
        self.retry_at: list[float] = []  # when to try again after a failed connect (in order)
        self.latencies: list[float] = []
        self.errors: dict[str, int] = {}
        self.statuses: dict[int, int] = {}
        self.unknown: dict[int, int] = {}  # answers of a missed wake, by status: counted, latency not kept
        self.wake_whole = True  # connections wake once per answer (SO_RCVLOWAT) until a wake is missed
        self.completed = 0  # every answer, warm-up included: the live rate before recording starts
        self.reconnects = -concurrency  # the first connection of each worker is not a reconnect
        self.missed_wakes = 0

    # -- what happened --
    def other(self, status: int, latency: float) -> None:
        """An answer in the measured window other than 200: counted by status; kept if 2xx/3xx, else an error."""
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if 200 <= status < 400:
            self.latencies.append(latency)
        else:
            self.error(f"http_{status}")

    def missed(self, status: int) -> None:
        """The answer of a missed wake: counted by status (an error if not 2xx/3xx); its latency is unknown."""
        self.unknown[status] = self.unknown.get(status, 0) + 1
        if not 200 <= status < 400:
            self.error(f"http_{status}")

    def status_counts(self) -> dict[int, int]:
        """Every status answered in the window: the 200s are the latencies kept less the other good answers."""
        ok = len(self.latencies) - sum(n for status, n in self.statuses.items() if 200 <= status < 400)
        counts = {**({200: ok} if ok else {}), **self.statuses}
        for status, n in self.unknown.items():
            counts[status] = counts.get(status, 0) + n
        return dict(sorted(counts.items()))

    def error(self, kind: str) -> None:
        if self.recording:
            self.errors[kind] = self.errors.get(kind, 0) + 1

    # -- connections --
    def connect(self) -> None:
        """Open one connection (retrying every :data:`RECONNECT_DELAY` while the load runs)."""
        self.reconnects += 1
        self._open()

    def _open(self) -> None:
        try:
            sock = socket.socket(*self._socket_args)
        except OSError as exc:
            self._failed(exc)
            return
        sock.setblocking(False)
        code = sock.connect_ex(self.address)
        if code not in (0, errno.EINPROGRESS):
            sock.close()
            self._failed(OSError(code, os.strerror(code)))
            return
        self.connecting[sock.fileno()] = sock
        self.epoll.register(sock.fileno(), select.EPOLLOUT)

    def _failed(self, exc: OSError) -> None:
        self.error(connect_error_kind(exc))
        if self.running:
            self.retry_at.append(_now() + RECONNECT_DELAY)

    def _connected(self, fd: int) -> None:
        sock = self.connecting.pop(fd)
        code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if code:
            self.epoll.unregister(fd)
            sock.close()
            self._failed(OSError(code, os.strerror(code)))
            return
        self.epoll.modify(fd, select.EPOLLIN)
        conn = self.connections[fd] = _Connection(self, sock)
        if self.running:
            conn.send(_now())

    def drop(self, conn: _Connection, kind: str | None) -> None:
        """Close a connection, counting ``kind`` if a request was in flight; a fresh one takes its place."""
        fd = conn.sock.fileno()
        if self.connections.pop(fd, None) is None:
            return
        self.epoll.unregister(fd)
        conn.sock.close()
        if conn.busy and kind is not None:
            self.error(kind)
        conn.busy = False
        if self.running:
            self.connect()

    def expire(self, now: float) -> None:
        """Abort requests older than the timeout, and find missed wakes (checked on every progress tick).

        A request under a wake threshold is looked at once it has waited :data:`MISSED_AFTER` and twice
        the median so far (the kept latencies, about sorted), or the timeout if sooner: a loaded server's
        slow answers cost no look, and an answer that came is never taken for a timeout."""
        kept = self.latencies
        patience = min(self.timeout, max(MISSED_AFTER, 2 * kept[len(kept) // 2]) if kept else MISSED_AFTER)
        for conn in list(self.connections.values()):
            if conn.busy and conn.lowat > 1 and now - conn.sent_at > patience and waiting(conn.sock):
                self.look(conn)  # before the timeout: an answer that came is counted by its status
            if conn.busy and now - conn.sent_at > self.timeout:
                self.drop(conn, "timeout")

    def look(self, conn: _Connection) -> None:
        """Read what waits under a connection's wake threshold (a threshold is set only before an answer's
        first byte). A whole answer there is a missed wake: counted without its latency, thresholds off."""
        done = self.completed
        conn.missed = True
        conn.readable()  # a non-blocking read ignores SO_RCVLOWAT; a partial answer lowers it to 1
        conn.missed = False
        if self.completed > done:
            self.missed_wakes += 1
            self.wake_whole = False  # this route's answers differ in size: one wake per read from now on
            for each in self.connections.values():
                each.threshold(1)

    # -- the loop --
    def run_until(self, deadline: float, drain: bool = False) -> None:
        """Serve every event until ``deadline`` (or, with ``drain``, until no request is in flight)."""
        poll, connections, most = self.epoll.poll, self.connections, max(1, self.concurrency)
        while (now := _now()) < deadline:
            if drain and not any(c.busy for c in connections.values()):
                return
            wait = deadline - now
            if self.retry_at:
                if self.retry_at[0] <= now:
                    self.retry_at.pop(0)
                    if self.running:
                        self._open()
                    continue
                wait = min(wait, self.retry_at[0] - now)
            for fd, _ in poll(wait, most):  # one socket per worker: at most this many events (not 1,023 allocated)
                conn = connections.get(fd)
                if conn is not None:
                    conn.readable()
                elif fd in self.connecting:
                    self._connected(fd)

    def stop(self, drain_timeout: float) -> None:
        """Send nothing new, let answers in flight arrive (so no backlog burns the server's CPU), then close."""
        self.running = False
        self.recording = False
        self.retry_at.clear()
        for conn in self.connections.values():
            conn.threshold(1)  # no answer in flight waits for a wake that may not come
        self.run_until(_now() + drain_timeout, drain=True)
        for sock in [*self.connecting.values(), *(c.sock for c in self.connections.values())]:
            sock.close()
        self.connecting.clear()
        self.connections.clear()
        self.epoll.close()


def run_builtin(config: dict[str, Any], emit: Emit) -> dict[str, Any]:
    """Warm up, measure for ``duration`` seconds with progress every ``interval``, drain, and summarise."""
    load = Load(config["host"], config["port"], config["path"], int(config["concurrency"]), float(config["timeout"]))
    warmup, duration, interval = float(config["warmup"]), float(config["duration"]), float(config["interval"])
    for _ in range(load.concurrency):
        load.connect()
    live = SoFar(load.latencies)

    def phase(name: str, length: float) -> float:
        started = last_t = _now()
        last_done = 0
        while (now := _now()) - started < length:
            load.run_until(now + min(interval, length - (now - started)))
            now = _now()
            load.expire(now)
            done = len(load.latencies) if name == "measure" else load.completed
            if name == "measure":
                load.latencies.sort()
            rate = round((done - last_done) / (now - last_t), 1) if now > last_t else 0.0
            emit(
                progress_event(
                    name,
                    round(now - started, 3),
                    length,
                    done,
                    sum(load.errors.values()),
                    rate,
                    live if name == "measure" else SoFar([]),
                    done if name == "measure" else 0,
                )
            )
            last_t, last_done = now, done
        return _now()

    if warmup > 0:
        phase("warmup", warmup)
    server_pid = config.get("server_pid")
    stalls: StallThread | None = None
    if config.get("stall_path"):  # the coordinated-omission experiment: the same stalls as the open loop gets
        first = time.monotonic() + float(config.get("stall_offset", 0.0))  # asyncio's loop time is monotonic
        stalls = StallThread(load.host, load.port, config["stall_path"], float(config["stall_every"]), first)
    tree0 = sample_tree(int(server_pid)) if server_pid else None
    load.recording = True
    load.completed = 0
    cpu0, wall0 = cpu_seconds(), _now()
    wall1 = phase("measure", duration)
    load.recording = False
    cpu = cpu_seconds() - cpu0
    tree1 = sample_tree(int(server_pid)) if server_pid else None
    stall_ms = stalls.stop() if stalls is not None else []
    load.stop(drain_timeout=min(load.timeout, 5.0))
    window = wall1 - wall0
    histogram = LogHistogram()
    histogram.add_many(load.latencies)
    requests = len(load.latencies)
    return {
        "engine": "builtin",
        "mode": "closed",
        "pid": os.getpid(),
        "concurrency": load.concurrency,
        "window_s": window,
        "requests": requests,
        "rps": requests / window if window > 0 else 0.0,
        "latency": LatencySummary.of_seconds(load.latencies).to_dict(),
        "histogram": histogram.to_list(),
        "errors": dict(sorted(load.errors.items())),
        "statuses": {str(k): v for k, v in load.status_counts().items()},
        **client_cost(cpu, window, requests),
        "reconnects": max(0, load.reconnects),
        "missed_wakes": load.missed_wakes,
        "fd_limit": fd_limit(),
        "stalls_ms": stall_ms,
        **server_cost(tree0, tree1, requests),
    }
