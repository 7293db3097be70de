"""The built-in engine: a closed-loop HTTP/1.1 load generator made of asyncio protocols and httptools.

Why not httpx: one shared ``httpx.AsyncClient`` reached only 0.03-0.22x of wrk's throughput here
(pool contention, 0.5-2 ms of client CPU per request). This client does the least Python per
request: one keep-alive connection per concurrent worker, the request pre-encoded once, the response
parsed by httptools' C parser (the one uvicorn uses), and the next request written from the parser's
``on_message_complete`` callback, with no task, future or timer per request.

Runs only inside the load process (``explorer.bench.loadprocess``), never in a caller's event loop.
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any, cast

from explorer.bench.servercpu import sample_tree, server_cost
from explorer.bench.stall import inject_stalls
from explorer.bench.stats import LatencySummary, LogHistogram, client_cost
from explorer.bench.wire import (
    Emit,
    KeepAlive,
    connect_while_running,
    cpu_seconds,
    encode_request,
    fd_limit,
    in_background,
    progress_event,
)


class _Connection(KeepAlive):
    """One keep-alive connection: send, parse, record, send again, until the load stops."""

    __slots__ = ()
    load: Load

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast("asyncio.Transport", transport)  # a TCP connection's (uvloop's are no asyncio.Transport)
        self.load.connections.add(self)
        if self.load.running:
            self.send()

    def send(self) -> None:
        self.busy = True
        self.sent_at = time.perf_counter()
        self.transport.write(self.load.request)  # type: ignore[union-attr]  # set by connection_made: no check on the hot path

    def on_message_complete(self) -> None:
        latency = time.perf_counter() - self.sent_at
        self.busy = False
        load = self.load
        load.complete(latency, self.parser.get_status_code())
        if not self.parser.should_keep_alive():
            self.transport.close()  # type: ignore[union-attr]  # set by connection_made; connection_lost opens the next one
        elif load.running:
            self.send()
        else:
            load.check_drained()

    def fail(self, kind: str) -> None:
        """Count an error and drop the connection; a fresh one takes its place."""
        if self.busy:
            self.load.error(kind)
            self.busy = False
        if self.transport is not None:
            self.transport.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        load = self.load
        load.connections.discard(self)
        if self.busy:
            load.error("reset" if exc else "closed")
            self.busy = False
        if load.running:
            load.connect()
        else:
            load.check_drained()


class Load:
    """Closed-loop load at a fixed concurrency: every worker sends its next request when the last one ends."""

    def __init__(self, host: str, port: int, path: str, concurrency: int, timeout: float) -> None:
        self.host, self.port = host, port
        self.request = encode_request(host, port, path)
        self.concurrency = concurrency
        self.timeout = timeout
        self.running = True
        self.recording = False
        self.connections: set[_Connection] = set()
        self.latencies: list[float] = []
        self.errors: dict[str, int] = {}
        self.statuses: dict[int, int] = {}
        self.completed = 0  # every answer, warm-up included: the live rate before recording starts
        self.reconnects = -concurrency  # the first connection of each worker is not a reconnect
        self._pending: set[asyncio.Task[None]] = set()
        self._drained: asyncio.Event | None = None

    def complete(self, latency: float, status: int) -> None:
        self.completed += 1
        if not self.recording:
            return
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if 200 <= status < 400:
            self.latencies.append(latency)
        else:
            self.error(f"http_{status}")

    def error(self, kind: str) -> None:
        if self.recording:
            self.errors[kind] = self.errors.get(kind, 0) + 1

    def connect(self) -> None:
        """Open one connection in the background (retrying while the load runs)."""
        self.reconnects += 1
        in_background(self._pending, connect_while_running(self, lambda: _Connection(self), self.error))

    def expire(self, now: float) -> None:
        """Abort requests older than the timeout (checked on every progress tick, not per request)."""
        for conn in list(self.connections):
            if conn.busy and now - conn.sent_at > self.timeout:
                conn.fail("timeout")

    def check_drained(self) -> None:
        if self._drained is not None and not any(c.busy for c in self.connections):
            self._drained.set()

    async def stop(self, drain_timeout: float) -> None:
        """Send nothing new, let answers in flight arrive (so no backlog burns the server's CPU), then close."""
        self.running = False
        self.recording = False
        for task in list(self._pending):
            task.cancel()
        self._drained = asyncio.Event()
        self.check_drained()
        try:
            await asyncio.wait_for(self._drained.wait(), drain_timeout)
        except TimeoutError:
            pass
        for conn in list(self.connections):
            if conn.transport is not None:
                conn.transport.close()
        await asyncio.sleep(0)


async def run_builtin(config: dict[str, Any], emit: Emit) -> dict[str, Any]:
    """Warm up, measure for ``duration`` seconds with progress every ``interval``, drain, and summarise."""
    load = Load(config["host"], config["port"], config["path"], int(config["concurrency"]), float(config["timeout"]))
    warmup, duration, interval = float(config["warmup"]), float(config["duration"]), float(config["interval"])
    for _ in range(load.concurrency):
        load.connect()
    histogram = LogHistogram()

    async def phase(name: str, length: float) -> float:
        started = last_t = time.perf_counter()
        last_done = 0
        while (now := time.perf_counter()) - started < length:
            await asyncio.sleep(min(interval, length - (now - started)))
            now = time.perf_counter()
            load.expire(now)
            done = len(load.latencies) if name == "measure" else load.completed
            if name == "measure":
                histogram.add_many(load.latencies[histogram.total :])
            rate = round((done - last_done) / (now - last_t), 1) if now > last_t else 0.0
            emit(
                progress_event(
                    name,
                    round(now - started, 3),
                    length,
                    done,
                    sum(load.errors.values()),
                    rate,
                    histogram,
                    histogram.total,
                )
            )
            last_t, last_done = now, done
        return time.perf_counter()

    if warmup > 0:
        await phase("warmup", warmup)
    server_pid = config.get("server_pid")
    stalls: asyncio.Task[int] | None = None
    stop_stalls = asyncio.Event()
    stall_ms: list[float] = []
    if config.get("stall_path"):  # the coordinated-omission experiment: the same stalls as the open loop gets
        first = asyncio.get_running_loop().time() + float(config.get("stall_offset", 0.0))
        every = float(config["stall_every"])
        injector = inject_stalls(load.host, load.port, config["stall_path"], every, first, stop_stalls, stall_ms)
        stalls = asyncio.get_running_loop().create_task(injector)
    tree0 = sample_tree(int(server_pid)) if server_pid else None
    load.recording = True
    load.completed = 0
    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    wall1 = await phase("measure", duration)
    load.recording = False
    cpu = cpu_seconds() - cpu0
    tree1 = sample_tree(int(server_pid)) if server_pid else None
    stop_stalls.set()
    if stalls is not None:
        stalls.cancel()
    await load.stop(drain_timeout=min(load.timeout, 5.0))
    window = wall1 - wall0
    histogram.add_many(load.latencies[histogram.total :])
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
        "statuses": {str(k): v for k, v in sorted(load.statuses.items())},
        **client_cost(cpu, window, requests),
        "reconnects": max(0, load.reconnects),
        "fd_limit": fd_limit(),
        "stalls_ms": stall_ms,
        **server_cost(tree0, tree1, requests),
    }
