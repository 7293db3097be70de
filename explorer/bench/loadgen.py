"""The caller's side of one load run: spawn the load process, relay its progress, return its result.

:func:`run_load` never generates load itself: it starts ``python -m explorer.bench.loadprocess`` in a
session of its own, reads the JSON lines it prints, calls ``on_progress`` with each
:class:`LoadProgress`, and returns a :class:`LoadResult`. If the awaiting task is cancelled, or
anything goes wrong, the load process group is SIGKILLed and reaped before the exception goes on;
if the caller dies, the load process follows it (parent-death signal and watchdog in the child).

Call it from the event loop's own thread: the parent-death signal is tied to the spawning thread.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from explorer.bench.stats import CLIENT_ERRORS, LatencySummary
from explorer.runtime.child.procs import kill_group
from explorer.runtime.errors import ExplorerError

_LIVE: set[int] = set()


class LoadError(ExplorerError):
    """The load process failed (could not start, crashed, or reported an error)."""


def _kill_live() -> None:
    """At exit, end any load process still running (the last resort, like the supervisor's)."""
    for pgid in list(_LIVE):
        kill_group(pgid)
        _LIVE.discard(pgid)


atexit.register(_kill_live)


@dataclass(frozen=True)
class LoadConfig:
    """One run: GET ``path`` on 127.0.0.1:``port``, ``concurrency`` workers, ``duration`` s after ``warmup`` s."""

    port: int
    path: str
    concurrency: int = 10
    duration: float = 3.0
    warmup: float = 1.0
    engine: str = "builtin"
    timeout: float = 10.0  # a request older than this counts as a "timeout" error
    interval: float = 0.2  # seconds between progress events
    threads: int = 1  # wrk only
    host: str = "127.0.0.1"
    rate: float | None = None  # requests a second: the open loop; None: the closed loop at ``concurrency``
    connections: int | None = None  # open loop: the most connections it may open (default 256)
    server_pid: int | None = None  # the server's root process: its tree's CPU and memory are sampled
    stall_path: str | None = None  # coordinated-omission experiment: this request blocks the server...
    stall_every: float = 1.0  # ...sent every this many seconds on a connection of its own
    stall_offset: float = 0.0  # seconds after the measured window opens that the first one goes out
    stall_ms: float = 0.0  # how long each stall lasts (the open loop opens enough connections to ride it out)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class LoadProgress:
    """A progress event from the load process.

    ``phase`` is ``warmup`` or ``measure``; ``done`` counts answers in this phase (``None`` for wrk/oha,
    which report only at the end); ``rate_rps`` is the rate over the last interval; the latencies
    (milliseconds, measured phase only) are the nearest-rank percentiles of every answer so far
    (closed loop) or read from the open loop's HDR histogram (within 0.1%).
    """

    phase: str
    elapsed_s: float
    phase_s: float
    done: int | None
    errors: int | None
    rate_rps: float | None
    p50_ms: float | None
    p99_ms: float | None
    max_ms: float | None

    @property
    def fraction(self) -> float:
        """How far this phase is, 0..1: what a progress bar shows."""
        return min(1.0, self.elapsed_s / self.phase_s) if self.phase_s > 0 else 1.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class LoadResult:
    """The measured window of one run. ``rps`` counts only 2xx/3xx answers; errors are counted by kind.

    Error kinds: ``http_<status>`` (``http_non2xx`` from wrk), ``connect``, ``reset``, ``closed``,
    ``timeout``, ``parse``, and wrk's ``read``/``write``; and the load client's own failures,
    ``emfile`` (out of file descriptors) and ``ports`` (out of local ports), which mean the load
    did not run at the concurrency asked (see :attr:`client_errors`). ``fd_limit`` is the load
    process's ``ulimit -n``.
    """

    engine: str
    concurrency: int
    window_s: float
    requests: int
    rps: float
    latency: LatencySummary
    errors: dict[str, int]
    client_cpu_s: float
    client_cpu_ms_per_request: float | None
    client_cpu_utilisation: float | None
    client_bound: bool
    histogram: list[list[float]] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    reconnects: int | None = None  # new connections after the first per worker (the server closed one)
    missed_wakes: int | None = None  # built-in closed loop: answers found under a wake threshold (explorer.bench.wake)
    pid: int | None = None
    fd_limit: int | None = None
    mode: str = "closed"  # or "open": requests at ``target_rps``, latencies from their due time
    target_rps: float | None = None
    open_loop: dict[str, Any] = field(default_factory=dict)  # sent_rps, scheduled, late, dropped, unanswered...
    service: LatencySummary | None = None  # open loop: latency from the actual send, what a closed loop sees
    server: dict[str, Any] = field(default_factory=dict)  # server_cpu_s, server_cpu_ms_per_request, server_rss_mb...
    stalls_ms: list[float] = field(default_factory=list)  # the stall experiment: how long each injected stall took

    @property
    def server_cpu_ms_per_request(self) -> float | None:
        value = self.server.get("server_cpu_ms_per_request")
        return None if value is None else float(value)

    @property
    def server_rss_mb(self) -> float | None:
        value = self.server.get("server_rss_mb")
        return None if value is None else float(value)

    @property
    def held_back(self) -> int:
        """Open loop: requests that went out late, were dropped or never answered (0 for a closed loop)."""
        return sum(int(self.open_loop.get(k) or 0) for k in ("late", "dropped", "unanswered"))

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def client_errors(self) -> dict[str, int]:
        """Errors of the load client itself (``emfile``, ``ports``): the run is not a measurement of the server."""
        return {kind: n for kind, n in self.errors.items() if kind in CLIENT_ERRORS and n}

    @classmethod
    def from_event(cls, event: dict[str, Any], pid: int | None) -> LoadResult:
        summary = LatencySummary.from_dict(event["latency"])
        service = LatencySummary.from_dict(event["service"]) if event.get("service") else None
        return cls(
            engine=event["engine"],
            concurrency=int(event["concurrency"]),
            window_s=float(event["window_s"]),
            requests=int(event["requests"]),
            rps=float(event["rps"]),
            latency=summary,
            errors={str(k): int(v) for k, v in event.get("errors", {}).items()},
            client_cpu_s=float(event["client_cpu_s"]),
            client_cpu_ms_per_request=event.get("client_cpu_ms_per_request"),
            client_cpu_utilisation=event.get("client_cpu_utilisation"),
            client_bound=bool(event["client_bound"]),
            histogram=event.get("histogram", []),
            statuses=event.get("statuses", {}),
            reconnects=event.get("reconnects"),
            missed_wakes=event.get("missed_wakes"),
            pid=pid,
            fd_limit=event.get("fd_limit"),
            mode=event.get("mode", "closed"),
            target_rps=event.get("target_rps"),
            open_loop={k: event[k] for k in _OPEN_KEYS if k in event},
            service=service,
            server={k: event.get(k) for k in _SERVER_KEYS},
            stalls_ms=[float(v) for v in event.get("stalls_ms") or []],
        )

    def to_dict(self) -> dict[str, Any]:
        """Flat figures first (``rps``, ``p50_ms``...), then errors, client CPU and the histogram."""
        lat = self.latency.to_dict()
        return {
            "engine": self.engine,
            "concurrency": self.concurrency,
            "rps": round(self.rps, 2),
            "requests": self.requests,
            "window_s": round(self.window_s, 4),
            "p50_ms": lat["p50_ms"],
            "p90_ms": lat["p90_ms"],
            "p99_ms": lat["p99_ms"],
            "p999_ms": lat["p999_ms"],
            "max_ms": lat["max_ms"],
            "mean_ms": lat["mean_ms"],
            "mode": self.mode,
            "target_rps": self.target_rps,
            "achieved_rps": round(self.rps, 2) if self.target_rps is not None else None,
            **self.open_loop,
            "service": self.service.to_dict() if self.service else None,
            **{k: self.server.get(k) for k in _SERVER_KEYS},
            "stalls_ms": list(self.stalls_ms),
            "errors": dict(self.errors),
            "error_count": self.error_count,
            "statuses": dict(self.statuses),
            "client_cpu_s": self.client_cpu_s,
            "client_cpu_ms_per_request": self.client_cpu_ms_per_request,
            "client_cpu_utilisation": self.client_cpu_utilisation,
            "client_bound": self.client_bound,
            "reconnects": self.reconnects,
            "missed_wakes": self.missed_wakes,
            "fd_limit": self.fd_limit,
            "histogram": self.histogram,
        }


_OPEN_KEYS = (
    "sent_rps",
    "scheduled",
    "late",
    "late_client",
    "dropped",
    "unanswered",
    "mean_send_lag_ms",
    "max_send_lag_ms",
    "connections_used",
)
_SERVER_KEYS = (
    "server_cpu_s",
    "server_cpu_ms_per_request",
    "server_rss_mb",
    "server_processes",
    "server_cpu_resolution_s",
)

ProgressCallback = Callable[[LoadProgress], None]
StartedCallback = Callable[[int], None]


def _worker_env() -> dict[str, str]:
    """The caller's environment, with this checkout or install first on the path."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
    env["PYTHONUNBUFFERED"] = "1"
    return env


async def run_load(
    config: LoadConfig,
    on_progress: ProgressCallback | None = None,
    on_started: StartedCallback | None = None,
) -> LoadResult:
    """Run one load in its own process; ``on_started`` gets its PID, ``on_progress`` every event."""
    payload = json.dumps({**config.to_dict(), "parent": os.getpid()})
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "explorer.bench.loadprocess",
            payload,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            env=_worker_env(),
            limit=1 << 22,
        )
    except OSError as exc:
        raise LoadError(f"could not start the load process: {exc}") from exc
    _LIVE.add(proc.pid)
    if on_started is not None:
        on_started(proc.pid)
    assert proc.stdout is not None and proc.stderr is not None
    stderr_task = asyncio.create_task(proc.stderr.read())
    result: LoadResult | None = None
    failure: str | None = None
    stderr = b""
    try:
        while line := await proc.stdout.readline():
            event = json.loads(line)
            kind = event.pop("event")
            if kind == "progress" and on_progress is not None:
                on_progress(LoadProgress(**event))
            elif kind == "result":
                result = LoadResult.from_event(event, proc.pid)
            elif kind == "error":
                failure = event["message"]
        await proc.wait()
        with contextlib.suppress(TimeoutError):  # only a message for a failure; never worth a hang
            stderr = await asyncio.wait_for(asyncio.shield(stderr_task), 2.0)
    finally:
        kill_group(proc.pid)  # also any wrk/oha child left in its group
        if proc.returncode is None:
            await proc.wait()
        _LIVE.discard(proc.pid)
        stderr_task.cancel()
    if result is None:
        lines = stderr.decode(errors="replace").strip().splitlines()
        detail = failure or (lines[-1] if lines else f"exit code {proc.returncode}")
        raise LoadError(f"the load process failed: {detail}")
    return result
