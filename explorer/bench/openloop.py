"""The open-loop engine (the wrk2 model): requests at a constant rate, each timed from when it was due.

A closed loop sends the next request only when an answer comes back, so when the server stalls the
client stalls with it and never records the requests it would have sent: "coordinated omission".
Here request *i* is due at ``t0 + i / rate`` whatever happens; it goes out on an idle keep-alive
connection, or on a new one (up to ``connections``), or waits in the client's queue until a
connection is free. Its latency runs from the due time to the last byte of the answer (the
*corrected* latency, recorded in an HDR histogram, :mod:`explorer.bench.hdr`); the time from the
actual send (*service* time, what a closed loop sees) is recorded beside it.

A request sent more than :data:`LATE_S` after it was due is counted ``late``: because every
connection was busy (the server is behind), or because the client's own timer fired that late
(``late_client``: the client fell behind, so the run measures the client); one still queued after
``timeout`` seconds, or when the run ends, is ``dropped`` (never sent). A request is measured when
its due time falls in the measured window; the achieved rate counts the good answers that arrived
inside the window, divided by its length.

The schedule is one timer at a time (``loop.call_at`` the next due time), and everything due by then
goes out in that callback, so the client costs one timer per request at most. epoll waits in whole
milliseconds, rounded up, so a timer fires up to 1 ms late; it is set :data:`EARLY_S` (0.5 ms) early
instead, and a request that goes out before its due time is timed from its send, never from the due
time (which would flatter it): sends land within about half a millisecond of schedule either way.
Runs only inside the load process, like :mod:`explorer.bench.engine`.
"""

from __future__ import annotations

import asyncio
import math
import os
import time
from collections import deque
from typing import Any, cast

from explorer.bench.hdr import LatencyHistogram
from explorer.bench.servercpu import sample_tree, server_cost
from explorer.bench.stall import inject_stalls
from explorer.bench.stats import client_cost
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

__all__ = ["EARLY_S", "LATE_S", "OpenLoad", "run_open"]

LATE_S = 0.010  # sent later than this after its due time: the client could not keep the schedule
EARLY_S = 0.0005  # the timer aims this much early: epoll rounds its wait up to the next millisecond
_PREOPEN = 8


class _Conn(KeepAlive):
    """One keep-alive connection of the pool: sends a due request, parses the answer, goes back idle."""

    __slots__ = ("due",)
    load: OpenLoad

    def __init__(self, load: OpenLoad) -> None:
        super().__init__(load)
        self.due = 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast("asyncio.Transport", transport)  # a TCP connection's: it writes and closes
        load = self.load
        load.connections.add(self)
        load.peak = max(load.peak, len(load.connections))
        load.release(self)

    def send(self, due: float) -> None:
        self.busy = True
        self.due = due
        self.sent_at = time.monotonic()
        self.transport.write(self.load.request)  # type: ignore[union-attr]  # set by connection_made: no check on the hot path
        self.load.sent(due, self.sent_at)

    def on_message_complete(self) -> None:
        now = time.monotonic()
        self.busy = False
        load = self.load
        load.complete(self.due, self.sent_at, now, self.parser.get_status_code())
        if not self.parser.should_keep_alive():
            self.transport.close()  # type: ignore[union-attr]  # set by connection_made: no check on the hot path
        else:
            load.release(self)

    def fail(self, kind: str) -> None:
        if self.busy:
            self.busy = False
            self.load.error(kind, self.due)
        if self.transport is not None:
            self.transport.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        load = self.load
        load.connections.discard(self)
        if self in load.idle:
            load.idle.remove(self)
        if self.busy:
            self.busy = False
            load.error("reset" if exc else "closed", self.due)
        load.dispatch()


class OpenLoad:
    """The schedule, the connection pool, the queue of due requests, and what was measured."""

    def __init__(self, host: str, port: int, path: str, rate: float, connections: int, timeout: float) -> None:
        self.host, self.port = host, port
        self.request = encode_request(host, port, path)
        self.rate, self.max_connections, self.timeout = rate, connections, timeout
        self.connections: set[_Conn] = set()
        self.idle: list[_Conn] = []  # a stack: the most recently used goes out first, the rest may age out
        self.opening = self.peak = 0
        self.queue: deque[float] = deque()
        self.running = True
        self.t0 = self.window_start = self.window_end = math.inf
        self.index = 0
        self._timer: asyncio.TimerHandle | None = None
        self._pending: set[asyncio.Task[None]] = set()
        self.corrected, self.service = LatencyHistogram(), LatencyHistogram()
        self.errors: dict[str, int] = {}
        self.statuses: dict[int, int] = {}
        self.scheduled = self.outstanding = self.late = self.dropped = 0
        self.answered_in_window = self.sent_in_window = self.completed = 0
        self.max_lag = self.lag_sum = 0.0
        self.sent_measured = self.late_client = 0
        self._in_tick = False
        self._drained: asyncio.Event | None = None

    def measured(self, due: float) -> bool:
        return self.window_start <= due < self.window_end

    def in_window(self, now: float) -> bool:
        return self.window_start <= now < self.window_end

    # -- the schedule --
    def start(self, t0: float, window_start: float, window_end: float) -> None:
        self.t0, self.window_start, self.window_end = t0, window_start, window_end
        self._tick()

    def _tick(self) -> None:
        now = time.monotonic()
        while self.running:
            due = self.t0 + self.index / self.rate
            if due > now + EARLY_S or due >= self.window_end:
                break
            self.index += 1
            self.queue.append(due)
            if self.measured(due):
                self.scheduled += 1
                self.outstanding += 1
        self._in_tick = True
        try:
            self.dispatch()
        finally:
            self._in_tick = False
        due = self.t0 + self.index / self.rate
        if self.running and due < self.window_end:
            self._timer = asyncio.get_running_loop().call_at(due - EARLY_S, self._tick)

    def dispatch(self) -> None:
        """Send what is due on idle connections; open more (up to the cap) for what still waits."""
        queue, idle = self.queue, self.idle
        while queue and idle:
            idle.pop().send(queue.popleft())
        want = len(queue) - self.opening
        while want > 0 and self.running and len(self.connections) + self.opening < self.max_connections:
            self.connect()
            want -= 1

    def release(self, conn: _Conn) -> None:
        if self.queue:
            conn.send(self.queue.popleft())
        else:
            self.idle.append(conn)

    def connect(self) -> None:
        self.opening += 1
        in_background(self._pending, self._connect())

    async def _connect(self) -> None:
        try:
            await connect_while_running(self, lambda: _Conn(self), lambda kind: self.error(kind, None))
        finally:
            self.opening -= 1

    # -- what happened --
    def sent(self, due: float, now: float) -> None:
        if self.in_window(now):
            self.sent_in_window += 1
        if self.measured(due):
            lag = max(0.0, now - due)
            self.lag_sum += lag
            self.sent_measured += 1
            if lag > LATE_S:
                self.late += 1
                if self._in_tick:  # sent by the timer itself, not after waiting for a connection
                    self.late_client += 1
            if lag > self.max_lag:
                self.max_lag = lag

    def complete(self, due: float, sent_at: float, now: float, status: int) -> None:
        self.completed += 1
        good = 200 <= status < 400
        if good and self.in_window(now):
            self.answered_in_window += 1
        if not self.measured(due):
            return
        self.outstanding -= 1
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if good:
            self.corrected.record(now - max(due, sent_at))  # from the due time, or the send if that was earlier
            self.service.record(now - sent_at)
        else:
            self.errors[f"http_{status}"] = self.errors.get(f"http_{status}", 0) + 1
        self._check_drained()

    def error(self, kind: str, due: float | None) -> None:
        """Count an error of a measured request (``due``), or one of the client's own in the window."""
        if due is None:
            if self.in_window(time.monotonic()):
                self.errors[kind] = self.errors.get(kind, 0) + 1
            return
        if self.measured(due):
            self.outstanding -= 1
            self.errors[kind] = self.errors.get(kind, 0) + 1
            self._check_drained()

    def expire(self, now: float) -> None:
        """Requests in flight longer than the timeout fail; those queued longer are dropped."""
        for conn in list(self.connections):
            if conn.busy and now - conn.sent_at > self.timeout:
                conn.fail("timeout")
        while self.queue and now - self.queue[0] > self.timeout:
            self._drop(self.queue.popleft())

    def _drop(self, due: float) -> None:
        if self.measured(due):
            self.dropped += 1
            self.outstanding -= 1
            self._check_drained()

    def _check_drained(self) -> None:
        if self._drained is not None and self.outstanding <= 0:
            self._drained.set()

    async def stop(self, drain_timeout: float) -> int:
        """Stop the schedule, wait for measured requests still out (up to ``drain_timeout``), then close.

        Returns how many measured requests were still unanswered (counted as ``dropped`` if never
        sent, as ``timeout`` errors if sent).
        """
        if self._timer is not None:
            self._timer.cancel()
        self._drained = asyncio.Event()
        self._check_drained()
        try:
            await asyncio.wait_for(self._drained.wait(), drain_timeout)
        except TimeoutError:
            pass
        self.running = False
        unanswered = max(0, self.outstanding)
        while self.queue:
            self._drop(self.queue.popleft())
        for conn in list(self.connections):
            conn.fail("timeout")
        for task in list(self._pending):
            task.cancel()
        await asyncio.sleep(0)
        return unanswered


def preopen(config: dict[str, Any]) -> int:
    """Connections to open before the schedule starts: a few, or in the stall experiment enough for
    every request due during a stall, so the backlog it leaves is requests, not new connections."""
    if not config.get("stall_path"):
        return _PREOPEN
    stall_s = float(config.get("stall_ms") or 0) / 1000
    return max(_PREOPEN, math.ceil(float(config["rate"]) * (stall_s + 0.05)) + 4)


async def run_open(config: dict[str, Any], emit: Emit) -> dict[str, Any]:
    """Warm up and measure at ``rate`` requests a second, with progress every ``interval``; then summarise."""
    loop = asyncio.get_running_loop()
    rate, connections = float(config["rate"]), int(config.get("connections") or 256)
    load = OpenLoad(config["host"], int(config["port"]), config["path"], rate, connections, float(config["timeout"]))
    warmup, duration, interval = float(config["warmup"]), float(config["duration"]), float(config["interval"])
    for _ in range(min(connections, preopen(config))):
        load.connect()
    deadline = loop.time() + 2.0
    while load.opening and loop.time() < deadline:
        await asyncio.sleep(0.005)
    t0 = loop.time() + 0.005
    w0, w1 = t0 + warmup, t0 + warmup + duration
    server_pid = config.get("server_pid")
    edges: dict[str, Any] = {}

    def sample(name: str) -> None:
        edges[name] = (sample_tree(int(server_pid)) if server_pid else None, cpu_seconds(), loop.time())

    loop.call_at(w0, sample, "start")
    loop.call_at(w1, sample, "end")
    stop_stalls = asyncio.Event()
    stalls, stall_ms = None, edges.setdefault("stalls_ms", [])
    if config.get("stall_path"):
        first = w0 + float(config.get("stall_offset", 0.0))
        every = float(config["stall_every"])
        host, port = config["host"], int(config["port"])
        injector = inject_stalls(host, port, config["stall_path"], every, first, stop_stalls, stall_ms)
        stalls = loop.create_task(injector)
    load.start(t0, w0, w1)
    last_t, last_done = loop.time(), 0
    while (now := loop.time()) < w1:
        await asyncio.sleep(min(interval, w1 - now))
        now = loop.time()
        load.expire(now)
        phase, started, length = ("warmup", t0, warmup) if now < w0 else ("measure", w0, duration)
        done = load.corrected.count if phase == "measure" else load.completed
        if phase == "measure" and last_done > done:
            last_done = 0
        rate_rps = round((done - last_done) / (now - last_t), 1) if now > last_t else 0.0
        errors = sum(load.errors.values()) + load.dropped
        elapsed = round(min(now - started, length), 3)
        emit(progress_event(phase, elapsed, length, done, errors, rate_rps, load.corrected, load.corrected.count))
        last_t, last_done = now, done
    while "end" not in edges:
        await asyncio.sleep(0.001)
    unanswered = await load.stop(drain_timeout=min(load.timeout, max(1.0, duration)))
    stop_stalls.set()
    if stalls is not None:
        stalls.cancel()
    return _result(load, edges, rate, unanswered, config)


def _result(
    load: OpenLoad, edges: dict[str, Any], rate: float, unanswered: int, config: dict[str, Any]
) -> dict[str, Any]:
    (tree0, cpu0, t_start), (tree1, cpu1, t_end) = edges["start"], edges["end"]
    window, cpu = t_end - t_start, cpu1 - cpu0
    answered = load.answered_in_window
    lat = load.corrected.summary()
    return {
        "engine": "builtin",
        "mode": "open",
        "pid": os.getpid(),
        "concurrency": load.max_connections,
        "target_rps": rate,
        "window_s": window,
        "requests": lat.count,
        "rps": answered / window if window > 0 else 0.0,
        "sent_rps": load.sent_in_window / window if window > 0 else 0.0,
        "scheduled": load.scheduled,
        "late": load.late,
        "late_client": load.late_client,
        "dropped": load.dropped,
        "unanswered": unanswered,
        "max_send_lag_ms": round(load.max_lag * 1000, 3),
        "connections_used": load.peak,
        "mean_send_lag_ms": round(load.lag_sum * 1000 / load.sent_measured, 3) if load.sent_measured else None,
        "latency": lat.to_dict(),
        "service": load.service.summary().to_dict(),
        "histogram": load.corrected.to_list(),
        "errors": dict(sorted(load.errors.items())),
        "statuses": {str(k): v for k, v in sorted(load.statuses.items())},
        **client_cost(cpu, window, lat.count),
        "reconnects": None,
        "fd_limit": fd_limit(),
        "stalls_ms": edges["stalls_ms"],
        **server_cost(tree0, tree1, answered),
    }
