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

    def to_dict(self) -> dict[str, str]:
        return {"key": self.key, "framework": self.framework, "path": self.path, "route": self.route}


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    claim: str
    targets: tuple[Target, ...]
    wait_ms: float | None = None  # a fixed wait per request: gives the physical bound concurrency / wait

    def bound_rps(self, concurrency: int) -> float | None:
        """The most a closed loop of ``concurrency`` workers can get when every answer takes ``wait_ms``."""
        return concurrency / (self.wait_ms / 1000) if self.wait_ms else None

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "title": self.title, "claim": self.claim, "wait_ms": self.wait_ms,
                "targets": [t.to_dict() for t in self.targets]}  # fmt: skip


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
    ),
    "json": Scenario(
        "json",
        "Plain JSON",
        "framework overhead: a tiny JSON answer, no waiting, no work",
        (Target("flask", "flask", "/items/1", "def"), Target("fastapi", "fastapi", "/items/1", "async def")),
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
