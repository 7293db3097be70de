"""The experiments: which route of which framework each scenario loads, and what it is meant to show."""

from __future__ import annotations

from dataclasses import dataclass

IO_MS = 50.0
DEFAULT_LEVELS = (1, 10, 50, 100)


@dataclass(frozen=True)
class Target:
    """One route under load: ``key`` names it in results (``fastapi-def`` is FastAPI's plain ``def`` route)."""

    key: str
    framework: str
    path: str
    route: str  # how the handler is written, shown next to its figures
    server: str = ""  # which server choice runs it ("gevent"), when an experiment has several per framework

    @property
    def server_key(self) -> str:
        """Which running server answers it: the framework, or ``framework@server`` when there are several."""
        return f"{self.framework}@{self.server}" if self.server else self.framework

    def on(self, server: str) -> Target:
        """This route on one of several servers of its framework: ``flask@gevent``."""
        return Target(f"{self.key}@{server}", self.framework, self.path, self.route, server)

    def to_dict(self) -> dict[str, str]:
        return {
            "key": self.key,
            "framework": self.framework,
            "path": self.path,
            "route": self.route,
            "server": self.server_key,
        }


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    claim: str
    targets: tuple[Target, ...]
    wait_ms: float | None = None  # a fixed wait per request: gives the physical bound concurrency / wait
    slo_ms: float = 100.0  # rate mode: a rate is "held" while p99 stays under this (``--slo`` overrides)
    stall: Stall | None = None  # the coordinated-omission experiment: the server stalls on a schedule
    levels: tuple[int, ...] = DEFAULT_LEVELS  # the concurrency levels `explorer bench` runs unless told

    def bound_rps(self, concurrency: int) -> float | None:
        """The most a closed loop of ``concurrency`` workers can get when every answer takes ``wait_ms``."""
        return concurrency / (self.wait_ms / 1000) if self.wait_ms else None

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "title": self.title,
            "claim": self.claim,
            "wait_ms": self.wait_ms,
            "slo_ms": self.slo_ms,
            "stall": self.stall.to_dict() if self.stall else None,
            "levels": list(self.levels),
            "targets": [t.to_dict() for t in self.targets],
        }


@dataclass(frozen=True)
class Stall:
    """``path`` blocks the whole server for ``ms`` milliseconds; it is sent every ``every_s`` seconds,
    the first ``offset_s`` after the measured window opens, on a connection of its own."""

    ms: float
    every_s: float
    offset_s: float

    @property
    def path(self) -> str:
        return f"/io/blocking?ms={self.ms:g}"

    def count_in(self, window_s: float) -> int:
        """How many whole stalls fall inside a measured window of this length."""
        return max(0, int((window_s - self.offset_s - self.ms / 1000) // self.every_s) + 1)

    def to_dict(self) -> dict[str, object]:
        return {"path": self.path, "ms": self.ms, "every_s": self.every_s, "offset_s": self.offset_s}


_IO = f"/io?ms={IO_MS:g}"
SCENARIOS: dict[str, Scenario] = {
    "io": Scenario(
        "io",
        "I/O-bound",
        "async serves many concurrent waits from one thread; sync needs a thread per wait",
        (
            Target("flask", "flask", _IO, "def, time.sleep"),
            Target("fastapi", "fastapi", _IO, "async def, await asyncio.sleep"),
        ),
        wait_ms=IO_MS,
        slo_ms=IO_MS * 2,
    ),
    "cpu": Scenario(
        "cpu",
        "CPU-bound",
        "async does nothing for CPU work: one core (and the GIL) is the limit either way",
        (
            Target("flask", "flask", "/cpu", "def"),
            Target("fastapi", "fastapi", "/cpu", "async def (blocks the loop)"),
            Target("fastapi-def", "fastapi", "/cpu/def", "def (threadpool)"),
        ),
        # A request costs ~14 ms of one core, so at c=50 or 100 it waits 0.7-1.4 s for the ones before it and
        # a 1 s window holds under two answers a connection: no verdict. Past the machine's two cores, more
        # concurrency only adds queueing; c=2 and c=4 already show whether anything runs two at once.
        levels=(1, 2, 4),
    ),
    "json": Scenario(
        "json",
        "Plain JSON",
        "framework overhead: a tiny JSON answer, no waiting, no work",
        (Target("flask", "flask", "/items/1", "def"), Target("fastapi", "fastapi", "/items/1", "async def")),
        slo_ms=50.0,
    ),
    "stall": Scenario(
        "stall",
        "Coordinated omission",
        "a closed loop waits out a stall with the server and never times the requests it did not send; "
        "an open loop keeps its schedule and does",
        (Target("fastapi", "fastapi", "/items/1", "async def"),),
        slo_ms=50.0,
        stall=Stall(ms=250.0, every_s=1.0, offset_s=0.25),
    ),
    "middleware": Scenario(
        "middleware",
        "Hooks and middleware",
        "the cost of wrapping each request: Flask's hooks, a pure ASGI middleware, BaseHTTPMiddleware",
        (
            Target("flask", "flask", "/hooks/ping", "before_request + after_request"),
            Target("fastapi", "fastapi", "/hooks/ping", "pure ASGI middleware"),
            Target("fastapi-base", "fastapi", "/hooks/base/ping", "BaseHTTPMiddleware"),
        ),
    ),
}
STALL_RATE = 200.0  # the open loop's rate in the stall experiment when none is given
STALL_CONCURRENCY = 4  # the closed loop's connections in the stall experiment (a stall holds back one request each)


def levels_for(scenario: str, shown: str) -> str:
    """What a levels field shows once ``scenario`` is picked: its own default levels ("1,2,4" for cpu) when
    the field shows any scenario's defaults (nobody typed there), else what it shows."""
    defaults = {",".join(map(str, s.levels)) for s in SCENARIOS.values()}
    return ",".join(map(str, SCENARIOS[scenario].levels)) if shown in defaults else shown
