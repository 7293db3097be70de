"""How far the open-loop engine can be trusted, on real servers: three checks, each with a target.

1. Rate: at a rate well below the server's capacity, the rate answered is within 1% of the rate asked
   (FastAPI on uvicorn: ``/items/1`` at 200 and 500 req/s, ``/io?ms=50`` at 200 req/s).
2. Timing: at low load the open loop's p50 is within 1 ms of the closed loop's p50 on the same route
   (one connection closed-loop against 20 req/s open-loop: both see an idle server, so any gap is
   the open loop's own scheduling).
3. Coordinated omission: FastAPI stalled for S ms every second (``/io/blocking``), measured at 200
   req/s: p90 and p99 within 10% of what the arithmetic predicts (:mod:`explorer.bench.omission`),
   and the closed loop's p99 far below the open loop's.

    .venv/bin/python benchmarks/open_loop_accuracy.py [--duration 5] [--rounds 3] [--checks rate,p50,stall] [--json]

Each check runs ``--rounds`` times and is judged on the median; exit status 1 when a target is
missed. Not a unit test: it takes about a minute and wants a quiet machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from explorer.apps.bundled import demo_spec
from explorer.bench.levels import LevelResult
from explorer.bench.loadgen import LoadConfig, LoadResult, run_load
from explorer.bench.omission import explain
from explorer.bench.results import machine
from explorer.bench.scenarios import SCENARIOS, Stall
from explorer.runtime.servers.supervisor import Supervisor

RATE_TOLERANCE = 0.01
P50_TOLERANCE_MS = 1.0
STALL_TOLERANCE = 0.10


def median(values: list[float]) -> float:
    return statistics.median(values)


async def load(port: int, pid: int | None, path: str, args: argparse.Namespace, **kw: Any) -> LoadResult:
    return await run_load(LoadConfig(port, path, duration=args.duration, warmup=args.warmup, server_pid=pid, **kw))


async def check_rates(port: int, pid: int | None, args: argparse.Namespace) -> list[dict[str, Any]]:
    rows = []
    for path, rate in (("/items/1", 200.0), ("/items/1", 500.0), ("/io?ms=50", 200.0)):
        got = [(await load(port, pid, path, args, rate=rate)).rps for _ in range(args.rounds)]
        error = abs(median(got) - rate) / rate
        rows.append(
            {
                "check": "rate",
                "path": path,
                "asked": rate,
                "answered": [round(g, 2) for g in got],
                "error": round(error, 4),
                "ok": error <= RATE_TOLERANCE,
            }
        )
    return rows


async def check_p50(port: int, pid: int | None, args: argparse.Namespace) -> list[dict[str, Any]]:
    rows = []
    for path in ("/items/1", "/io?ms=50"):
        closed, opened = [], []
        for _ in range(args.rounds):
            closed.append((await load(port, pid, path, args, concurrency=1)).latency.p50_ms)
            opened.append((await load(port, pid, path, args, rate=20.0)).latency.p50_ms)
        gap = median(opened) - median(closed)
        rows.append(
            {
                "check": "p50",
                "path": path,
                "closed_p50_ms": [round(v, 3) for v in closed],
                "open_p50_ms": [round(v, 3) for v in opened],
                "gap_ms": round(gap, 3),
                "ok": abs(gap) <= P50_TOLERANCE_MS,
            }
        )
    return rows


async def check_stall(port: int, pid: int | None, args: argparse.Namespace, server: Any) -> list[dict[str, Any]]:
    stall = SCENARIOS["stall"].stall
    assert stall is not None
    rows = []
    for ms in (250.0, 500.0):
        case = Stall(ms=ms, every_s=1.0, offset_s=0.25)
        extra = {"stall_path": case.path, "stall_every": case.every_s, "stall_offset": case.offset_s, "stall_ms": ms}
        found = []
        for _ in range(args.rounds):
            closed = await load(port, pid, "/items/1", args, concurrency=4, **extra)
            opened = await load(port, pid, "/items/1", args, rate=200.0, **extra)
            target = SCENARIOS["stall"].targets[0]
            results = [LevelResult(target, server, closed), LevelResult(target, server, opened)]
            omission = explain(results, case, args.duration)
            assert omission is not None
            found.append(omission)
        p90 = median([o.open_p90_ms for o in found])
        p99 = median([o.open_p99_ms for o in found])
        want90, want99 = median([o.predicted_p90_ms for o in found]), median([o.predicted_p99_ms for o in found])
        closed99 = median([o.closed_p99_ms for o in found])
        ok = (
            abs(p90 - want90) <= STALL_TOLERANCE * want90
            and abs(p99 - want99) <= STALL_TOLERANCE * want99
            and closed99 * 5 < p99
        )
        rows.append(
            {
                "check": "stall",
                "stall_ms": ms,
                "open_p90_ms": round(p90, 1),
                "predicted_p90_ms": round(want90, 1),
                "open_p99_ms": round(p99, 1),
                "predicted_p99_ms": round(want99, 1),
                "closed_p99_ms": round(closed99, 1),
                "ok": ok,
                "explanation": found[-1].text,
            }
        )
    return rows


async def measure(args: argparse.Namespace) -> list[dict[str, Any]]:
    supervisor = Supervisor([demo_spec("fastapi")])
    async with supervisor:
        server = supervisor["fastapi"]
        server.monitoring = False
        port, pid = server.status.port, server.status.pid
        assert port is not None, server.status.describe()
        rows = await check_rates(port, pid, args) if "rate" in args.checks else []
        rows += await check_p50(port, pid, args) if "p50" in args.checks else []
        rows += await check_stall(port, pid, args, server.spec) if "stall" in args.checks else []
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5.0, help="measured seconds per run (default: 5)")
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=3, help="runs per check; judged on the median (default: 3)")
    parser.add_argument(
        "--checks",
        type=lambda text: set(text.split(",")),
        default={"rate", "p50", "stall"},
        help="which checks to run, comma-separated (default: rate,p50,stall)",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = asyncio.run(measure(args))
    if args.json:
        print(json.dumps({"machine": machine(), "load_average": os.getloadavg(), "rows": rows}, indent=2))
    else:
        print(f"machine: {machine()}, load average {os.getloadavg()[0]:.2f}")
        for row in rows:
            mark = "ok  " if row["ok"] else "MISS"
            shown = {k: v for k, v in row.items() if k not in ("ok", "check", "explanation")}
            print(f"{mark} {row['check']:<5} {shown}")
        stall = next((row for row in rows if row["check"] == "stall"), None)
        if stall:
            print(stall["explanation"])
    return 0 if all(row["ok"] for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
