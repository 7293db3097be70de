"""What both load engines share on the wire: the request they send, the keep-alive connection that
reads the answers, connecting (and retrying), how a failed connect is named, the client's own CPU.

Kept apart from the engines so the closed loop (:mod:`explorer.bench.engine`), the open loop
(:mod:`explorer.bench.openloop`) and the stall injector use one definition of each. Each engine keeps
what makes it that engine: when a request goes out, and what an answer, an error and a lost
connection mean for its schedule.
"""

from __future__ import annotations

import asyncio
import errno
import math
import resource
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

import httptools

__all__ = [
    "BUFFER_BYTES",
    "RECONNECT_DELAY",
    "Emit",
    "KeepAlive",
    "connect_error_kind",
    "connect_while_running",
    "cpu_seconds",
    "encode_request",
    "fd_limit",
    "in_background",
    "ms_or_none",
    "progress_event",
]

RECONNECT_DELAY = 0.05
BUFFER_BYTES = 64 * 1024  # one read buffer per connection, allocated once

Emit = Callable[[dict[str, Any]], None]


def connect_error_kind(exc: OSError) -> str:
    """``emfile`` when this process is out of file descriptors, ``ports`` when out of local ports, else ``connect``."""
    if exc.errno in (errno.EMFILE, errno.ENFILE):
        return "emfile"
    if exc.errno == errno.EADDRNOTAVAIL:
        return "ports"
    return "connect"


def fd_limit() -> int | None:
    """This process's soft limit on open files (what ``ulimit -n`` shows), or None when unlimited."""
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return None if soft == resource.RLIM_INFINITY else int(soft)


def encode_request(host: str, port: int, path: str) -> bytes:
    """The one request every connection sends, encoded once."""
    return f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: explorer-bench\r\nAccept: */*\r\n\r\n".encode(
        "ascii"
    )


def cpu_seconds() -> float:
    """User plus system CPU time of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def ms_or_none(value: float) -> float | None:
    """A figure for JSON: NaN (nothing measured) becomes null, the rest is rounded to the microsecond."""
    return None if math.isnan(value) else round(value, 3)


class KeepAlive(asyncio.BufferedProtocol):
    """One keep-alive connection of a load engine: the transport reads into one buffer, allocated once,
    and httptools' C parser reads the answer from it, calling back ``on_message_complete``.

    Each engine's subclass says what a send, a finished answer, a failure (:meth:`fail`, which
    ``"parse"`` reaches here) and a lost connection mean for its schedule.
    """

    __slots__ = ("buffer", "busy", "load", "parser", "sent_at", "transport")

    def __init__(self, load: Any) -> None:
        self.load = load
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.sent_at = 0.0
        self.busy = False
        self.buffer = memoryview(bytearray(BUFFER_BYTES))

    def get_buffer(self, sizehint: int) -> memoryview:
        return self.buffer

    def buffer_updated(self, nbytes: int) -> None:
        try:
            self.parser.feed_data(self.buffer[:nbytes])
        except httptools.HttpParserError:
            self.fail("parse")

    def fail(self, kind: str) -> None:
        raise NotImplementedError


class _Target(Protocol):
    host: str
    port: int
    running: bool


async def connect_while_running(
    load: _Target, factory: Callable[[], asyncio.BaseProtocol], failed: Callable[[str], None]
) -> None:
    """Open one connection to the load's server, trying again every :data:`RECONNECT_DELAY` while the load
    runs; each failed attempt is named to ``failed`` (:func:`connect_error_kind`)."""
    loop = asyncio.get_running_loop()
    while load.running:
        try:
            await loop.create_connection(factory, load.host, load.port)
            return
        except OSError as exc:
            failed(connect_error_kind(exc))
            await asyncio.sleep(RECONNECT_DELAY)


def in_background(pending: set[asyncio.Task[None]], work: Coroutine[Any, Any, None]) -> None:
    """Run ``work`` as a task kept in ``pending`` until it ends (so it is not collected, and can be cancelled)."""
    task = asyncio.get_running_loop().create_task(work)
    pending.add(task)
    task.add_done_callback(pending.discard)


class _Histogram(Protocol):
    @property
    def max_s(self) -> float: ...

    def percentile_ms(self, pct: float) -> float: ...


def progress_event(
    phase: str,
    elapsed_s: float,
    phase_s: float,
    done: int,
    errors: int,
    rate_rps: float,
    histogram: _Histogram,
    measured: int,
) -> dict[str, Any]:
    """One progress record of a run: where it is, what is done, and the latency so far (``measured`` answers)."""
    return {
        "event": "progress",
        "phase": phase,
        "elapsed_s": elapsed_s,
        "phase_s": phase_s,
        "done": done,
        "errors": errors,
        "rate_rps": rate_rps,
        "p50_ms": ms_or_none(histogram.percentile_ms(50)),
        "p99_ms": ms_or_none(histogram.percentile_ms(99)),
        "max_ms": ms_or_none(histogram.max_s * 1000 if measured else math.nan),
    }
