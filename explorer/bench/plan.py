"""What an experiment is to measure, checked before any server starts.

Kept apart from the runner so the lab screen and the CLI can build and check a plan without loading
the machinery that runs it. A plan is closed-loop (``levels``: concurrent connections) unless it has
``rates`` (requests a second: the open loop); the ``stall`` scenario runs both on one server.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from explorer.apps.bundled import FASTAPI_SERVERS, FLASK_SERVERS
from explorer.bench.disturbed import FACTOR
from explorer.bench.external import ENGINES, available
from explorer.bench.scenarios import DEFAULT_LEVELS, SCENARIOS, STALL_CONCURRENCY, STALL_RATE, Scenario, Target
from explorer.runtime.errors import ExplorerError

__all__ = [
    "DEFAULT_PAIR",
    "DEFAULT_REPEAT",
    "DURATION_S",
    "MAX_CONCURRENCY",
    "MAX_RATE",
    "MAX_RATES",
    "MAX_REPEAT",
    "PAIRS",
    "WARMUP_S",
    "BenchError",
    "BenchPlan",
    "Step",
    "parse_levels",
    "parse_rates",
    "parse_repeat",
    "parse_seconds",
]

MAX_CONCURRENCY = 1000
MAX_RATE = 20_000.0  # one Python client process cannot schedule more; it would be the bottleneck
MAX_REPEAT = 20
DEFAULT_REPEAT = 5  # fresh server starts per level: enough for a 95% interval that resolves a 20% difference
# The pairs that differ only in the framework: granian serves WSGI and ASGI with one Rust HTTP stack and
# one process; gunicorn runs Flask's gthread worker beside uvicorn's worker, the same number of processes.
# ``demo`` is the pair the demo apps run on for the other screens (gunicorn's Python parser against uvicorn's C).
PAIRS: dict[str, tuple[str, str]] = {
    "granian": ("granian", "granian"),
    "gunicorn": ("gunicorn", "gunicorn"),
    "demo": ("gunicorn", "uvicorn"),
}
DEFAULT_PAIR = "granian"


class BenchError(ExplorerError):
    """A plan that cannot run (bad option, missing engine) or a server that is not there to measure."""


# What a user types for a plan, read by one set of rules for the CLI and the lab screen alike.
MAX_RATES = 50
DURATION_S = (0.1, 600.0)
WARMUP_S = (0.0, 60.0)


def _parts(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_levels(text: str) -> tuple[int, ...]:
    """``"1, 10,50"`` -> ``(1, 10, 50)``, repeats dropped; each 1 to :data:`MAX_CONCURRENCY`."""
    try:
        values = [int(part) for part in _parts(text)]
    except ValueError:
        raise BenchError(f"concurrency levels must be whole numbers separated by commas, got {text!r}") from None
    if not values:
        raise BenchError("give at least one concurrency level, e.g. 1,10,50")
    if any(not 1 <= v <= MAX_CONCURRENCY for v in values):
        raise BenchError(f"each concurrency level must be between 1 and {MAX_CONCURRENCY}, got {text!r}")
    return tuple(dict.fromkeys(values))


def parse_rates(text: str) -> tuple[float, ...]:
    """``"100, 500"`` -> ``(100.0, 500.0)``; each 0.1 to :data:`MAX_RATE` requests a second, at most 50."""
    try:
        values = [float(part) for part in _parts(text)]
    except ValueError:
        raise BenchError(f"rates must be numbers of requests a second separated by commas, got {text!r}") from None
    if not values:
        raise BenchError("give at least one rate, e.g. 100,500,1000")
    if len(values) > MAX_RATES or any(not math.isfinite(v) or not 0.1 <= v <= MAX_RATE for v in values):
        raise BenchError(f"each rate must be 0.1-{MAX_RATE:,.0f} requests a second (at most {MAX_RATES}), got {text!r}")
    return tuple(dict.fromkeys(values))


def parse_repeat(text: str) -> int:
    """How many times to run the plan: 1 to :data:`MAX_REPEAT`."""
    try:
        value = int(text)
    except ValueError:
        raise BenchError(f"repeats must be a whole number, got {text!r}") from None
    if not 1 <= value <= MAX_REPEAT:
        raise BenchError(f"repeats must be between 1 and {MAX_REPEAT}, got {value}")
    return value


def parse_seconds(text: str, what: str, bounds: tuple[float, float] = DURATION_S) -> float:
    """Seconds within ``bounds``; an empty field is refused by name (no default is slipped in for it)."""
    if not text.strip():
        raise BenchError(f"the {what} is empty: give a number of seconds")
    try:
        value = float(text)
    except ValueError:
        raise BenchError(f"the {what} must be a number of seconds, got {text!r}") from None
    low, high = bounds
    if not math.isfinite(value) or not low <= value <= high:
        raise BenchError(f"the {what} must be between {low:g} and {high:g} seconds, got {text.strip()}")
    return value


@dataclass(frozen=True)
class Step:
    """One run: a route, closed-loop at ``concurrency`` or open-loop at ``rate``, in repeat ``repeat``."""

    target: Target
    concurrency: int
    rate: float | None = None
    repeat: int = 0

    @property
    def level(self) -> float:
        """What the run is keyed by in results: its rate when open-loop, else its concurrency."""
        return self.rate if self.rate is not None else self.concurrency

    @property
    def mode(self) -> str:
        return "open" if self.rate is not None else "closed"


@dataclass(frozen=True)
class BenchPlan:
    """What to measure and how; :meth:`check` refuses anything that cannot run, before any server starts."""

    scenario: str = "io"
    levels: tuple[int, ...] = DEFAULT_LEVELS
    duration: float = 3.0
    warmup: float = 1.0
    flask_server: str = ""  # empty: the pair's; "dev" is the labelled baseline; "a,b": both side by side
    engine: str = "builtin"
    workers: int = 1
    threads: int = 8
    timeout: float = 10.0
    rates: tuple[float, ...] = ()  # requests a second: the open loop, one run per rate
    connections: int = 256  # the open loop's most connections
    repeat: int = 1
    fastapi_server: str = ""  # empty: the pair's; or several, comma-separated: each runs the same steps
    slo_ms: float | None = None  # rate mode: p99 under this holds a rate (default: the scenario's)
    pair: str = DEFAULT_PAIR  # the servers both frameworks run on unless flask_server/fastapi_server say otherwise
    extend: bool = True  # the lab's own servers: more starts at the verdict's level when the first do not resolve it
    rerun: bool = True  # the lab's own servers, 3 or more repeats: a disturbed start set aside and rerun
    rerun_factor: float = FACTOR  # over this times its others' median CPU per request, a start is disturbed

    def check(self) -> BenchPlan:
        if self.scenario not in SCENARIOS:
            raise BenchError(f"unknown scenario {self.scenario!r}; use {', '.join(SCENARIOS)}")
        if self.pair not in PAIRS:
            raise BenchError(f"unknown server pair {self.pair!r}; use {', '.join(PAIRS)}")
        if not self.levels or any(not 1 <= c <= MAX_CONCURRENCY for c in self.levels):
            raise BenchError(f"concurrency levels must be between 1 and {MAX_CONCURRENCY}")
        if len(self.rates) > MAX_RATES or any(not 0.1 <= r <= MAX_RATE for r in self.rates):
            raise BenchError(f"rates must be between 0.1 and {MAX_RATE:,.0f} requests a second, at most {MAX_RATES}")
        if not DURATION_S[0] <= self.duration <= DURATION_S[1] or not WARMUP_S[0] <= self.warmup <= WARMUP_S[1]:
            raise BenchError(
                f"duration must be {DURATION_S[0]:g}-{DURATION_S[1]:g} s and warm-up {WARMUP_S[0]:g}-{WARMUP_S[1]:g} s"
            )
        for name, chosen, known in (
            ("Flask", self.flask_servers, FLASK_SERVERS),
            ("FastAPI", self.fastapi_servers, FASTAPI_SERVERS),
        ):
            bad = [c for c in chosen if c not in known] or ([] if chosen else [""])
            if bad:
                raise BenchError(
                    f"unknown {name} server {bad[0]!r}; use {', '.join(known)} (or several, comma-separated)"
                )
        if self.engine not in ENGINES:
            raise BenchError(f"unknown engine {self.engine!r}; use {', '.join(ENGINES)}")
        if not available(self.engine):
            raise BenchError(f"{self.engine} is not installed (not on PATH); use --engine builtin")
        if (self.rates or self.scenario == "stall") and self.engine not in ("builtin", "locust"):
            raise BenchError(
                f"{self.engine} has no open loop here; rates and the stall experiment need --engine builtin"
            )
        if self.scenario == "stall" and self.engine != "builtin":
            raise BenchError("the stall experiment needs --engine builtin (it compares the closed and the open loop)")
        if self.scenario == "stall" and (len(self.fastapi_servers) != 1 or self.fastapi_servers[0] == "gunicorn"):
            raise BenchError(
                "the stall experiment needs one single-process FastAPI server (uvicorn or granian): "
                "a stall blocks one worker, and the arithmetic assumes it blocks the server"
            )
        if not 1 <= self.workers <= 64 or not 1 <= self.threads <= 1000:
            raise BenchError("workers must be 1-64 and threads 1-1000")
        if not 1 <= self.connections <= MAX_CONCURRENCY or not 1 <= self.repeat <= MAX_REPEAT:
            raise BenchError(f"connections must be 1-{MAX_CONCURRENCY} and repeats 1-{MAX_REPEAT}")
        if not 1.05 <= self.rerun_factor <= 5:
            raise BenchError(f"the rerun factor must be 1.05-5, got {self.rerun_factor:g}")
        if self.slo_ms is not None and not 0.1 <= self.slo_ms <= 600_000:
            raise BenchError("the p99 target (--slo) must be 0.1 ms to 600 s")
        return self

    @property
    def scenario_def(self) -> Scenario:
        return SCENARIOS[self.scenario]

    @property
    def flask_servers(self) -> tuple[str, ...]:
        chosen = self.flask_server or PAIRS.get(self.pair, PAIRS[DEFAULT_PAIR])[0]
        return tuple(dict.fromkeys(part.strip() for part in chosen.split(",") if part.strip()))

    @property
    def fastapi_servers(self) -> tuple[str, ...]:
        chosen = self.fastapi_server or PAIRS.get(self.pair, PAIRS[DEFAULT_PAIR])[1]
        return tuple(dict.fromkeys(part.strip() for part in chosen.split(",") if part.strip()))

    @property
    def paired(self) -> str | None:
        """The name of the pair the first Flask and FastAPI servers make (``granian``), or None for another mix."""
        first = (self.flask_servers[0], self.fastapi_servers[0])
        return next((name for name, servers in PAIRS.items() if servers == first), None)

    def servers_for(self, framework: str) -> tuple[str, ...]:
        return self.flask_servers if framework == "flask" else self.fastapi_servers

    def targets(self) -> list[Target]:
        """The scenario's routes, each once per server of its framework when there are several."""
        out: list[Target] = []
        for target in self.scenario_def.targets:
            servers = self.servers_for(target.framework)
            out += [target] if len(servers) == 1 else [target.on(server) for server in servers]
        return out

    @property
    def open_loop(self) -> bool:
        return bool(self.rates) and self.scenario != "stall"

    @property
    def slo(self) -> float:
        return self.slo_ms if self.slo_ms is not None else self.scenario_def.slo_ms

    def points(self) -> list[float]:
        """The levels in results order: rates for the open loop, else concurrencies."""
        return list(self.rates) if self.open_loop else [float(c) for c in self.levels]

    def steps(self, repeats: range | None = None, level: int | None = None) -> list[Step]:
        """Every run in order: per repeat, per level, each route back to back (so noise hits all alike),
        and which framework goes first alternates from one repeat to the next (so a warming or cooling
        machine does not favour one). ``repeats`` and a closed-loop ``level``: those only (the added stage)."""
        out: list[Step] = []
        for rep in repeats if repeats is not None else range(self.repeat):
            targets = self.targets() if rep % 2 == 0 else self.targets()[::-1]
            if self.scenario == "stall":  # the same server, closed loop then open loop
                rate = self.rates[0] if self.rates else STALL_RATE
                c = STALL_CONCURRENCY if self.levels == DEFAULT_LEVELS else self.levels[0]
                out += [Step(t, c, None, rep) for t in targets]
                out += [Step(t, self.connections, rate, rep) for t in targets]
            elif self.open_loop:
                out += [Step(t, self.connections, rate, rep) for rate in self.rates for t in targets]
            else:
                out += [Step(t, c, None, rep) for c in ((level,) if level else self.levels) for t in targets]
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "levels": list(self.levels),
            "rates": list(self.rates),
            "slo_ms": self.slo,
            "flask_server": ",".join(self.flask_servers),
            "fastapi_server": ",".join(self.fastapi_servers),
            "pair": self.paired,
            "mode": "stall" if self.scenario == "stall" else "open" if self.open_loop else "closed",
        }
