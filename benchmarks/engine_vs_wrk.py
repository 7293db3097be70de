"""The built-in load engine against wrk, on the same server, route and concurrency, run after run.

Each case runs the two engines alternately for ``--rounds`` rounds (the order flips every round, so
drift on a shared machine hits both alike), each run ``--duration`` seconds after a ``--warmup``.
It prints, per case, the median ratio engine/wrk with its spread, and the engine's CPU per request.
wrk is installed from Debian's packages when missing (``apt-get install -y wrk``, as root).

    .venv/bin/python benchmarks/engine_vs_wrk.py [--rounds 3] [--duration 3] [--json]

Targets on the 2-core development machine, for the server-bound cases (uvicorn /io?ms=50 at c=50
and c=200, uvicorn /items/1 at c=10): ratio >= 0.95 and the engine's CPU per request at most 1.2x
wrk's (medians over the rounds; CPU per request moves less with a busy machine than throughput).
The gunicorn cases are for information. Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from explorer.apps.bundled import demo_spec
from explorer.bench.loadgen import LoadConfig, LoadResult, run_load
from explorer.bench.results import machine
from explorer.runtime.servers.supervisor import Supervisor

RATIO_TARGET = 0.95
CPU_RATIO_TARGET = 1.2  # the engine's CPU per request against wrk's


@dataclass(frozen=True)
class Case:
    framework: str
    path: str
    concurrency: int
    target: bool  # one of the server-bound cases, held to the targets

    @property
    def name(self) -> str:
        server = "uvicorn" if self.framework == "fastapi" else "gunicorn"
        return f"{server} {self.path} c={self.concurrency}"


CASES = (
    Case("fastapi", "/io?ms=50", 50, True),
    Case("fastapi", "/io?ms=50", 200, True),
    Case("fastapi", "/items/1", 10, True),
    Case("flask", "/io?ms=50", 50, False),
    Case("flask", "/items/1", 10, False),
)


def ensure_wrk() -> str:
    """The path to wrk, installing Debian's package first when it is missing."""
    if (found := shutil.which("wrk")) is not None:
        return found
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise SystemExit("wrk is missing and cannot be installed here (needs root and apt-get)")
    print("installing wrk from Debian's packages...", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], env=env, check=False).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, check=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], env=env, check=True)
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("apt-get ran but wrk is still not on PATH")
    return found


async def measure(args: argparse.Namespace) -> list[dict[str, object]]:
    supervisor = Supervisor([demo_spec("flask", "gunicorn"), demo_spec("fastapi")])
    rows: list[dict[str, object]] = []
    async with supervisor:
        for server in supervisor:
            server.monitoring = False  # no probe requests in the middle of a measurement
        for case in [c for c in CASES if args.only in c.name]:
            port = supervisor[case.framework].status.port
            assert port is not None
            runs: dict[str, list[LoadResult]] = {"builtin": [], "wrk": []}
            for round_ in range(args.rounds):
                order = ("builtin", "wrk") if round_ % 2 == 0 else ("wrk", "builtin")
                for engine in order:
                    config = LoadConfig(
                        port, case.path, case.concurrency, args.duration, args.warmup, engine, threads=args.wrk_threads
                    )
                    runs[engine].append(await run_load(config))
            ratios = [b.rps / w.rps for b, w in zip(runs["builtin"], runs["wrk"], strict=True) if w.rps > 0]
            cpu = [r.client_cpu_ms_per_request or 0.0 for r in runs["builtin"]]
            rows.append(
                {
                    "case": case.name,
                    "target": case.target,
                    "builtin_rps": [round(r.rps, 1) for r in runs["builtin"]],
                    "wrk_rps": [round(r.rps, 1) for r in runs["wrk"]],
                    "ratio_median": round(statistics.median(ratios), 3),
                    "ratio_min": round(min(ratios), 3),
                    "ratio_max": round(max(ratios), 3),
                    "builtin_cpu_ms_per_request": round(statistics.median(cpu), 4),
                    "wrk_cpu_ms_per_request": round(
                        statistics.median(r.client_cpu_ms_per_request or 0 for r in runs["wrk"]), 4
                    ),
                    "builtin_p50_ms": round(statistics.median(r.latency.p50_ms for r in runs["builtin"]), 2),
                    "wrk_p50_ms": round(statistics.median(r.latency.p50_ms for r in runs["wrk"]), 2),
                    "errors": sum(r.error_count for rs in runs.values() for r in rs),
                    "missed_wakes": sum(
                        r.missed_wakes or 0 for r in runs["builtin"]
                    ),  # answers counted without a latency
                }
            )
            print_row(rows[-1], file=sys.stderr)
    return rows


def cpu_ratio(row: dict[str, object]) -> float:
    """The engine's median CPU per request over wrk's (infinite when wrk's was not measured)."""
    wrk, ours = row["wrk_cpu_ms_per_request"], row["builtin_cpu_ms_per_request"]
    assert isinstance(wrk, int | float) and isinstance(ours, int | float)  # rounded medians (0 when unmeasured)
    return ours / wrk if wrk > 0 else float("inf")


def passed(row: dict[str, object]) -> bool:
    ratio = row["ratio_median"]
    assert isinstance(ratio, float)  # a rounded median (measure above)
    return ratio >= RATIO_TARGET and cpu_ratio(row) <= CPU_RATIO_TARGET


def print_row(row: dict[str, object], file: TextIO = sys.stdout) -> None:
    verdict = ("PASS" if passed(row) else "MISS") if row["target"] else "info"
    print(
        f"{row['case']:<26} engine/wrk {row['ratio_median']:.2f} (min {row['ratio_min']:.2f}, max {row['ratio_max']:.2f})"
        f"  engine {row['builtin_cpu_ms_per_request']:.3f} ms CPU/req (wrk {row['wrk_cpu_ms_per_request']:.3f},"
        f" {cpu_ratio(row):.2f}x)"
        f"  rps engine {row['builtin_rps']} wrk {row['wrk_rps']}  errors {row['errors']}"
        f"  missed wakes {row['missed_wakes']}  {verdict}",
        file=file,
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=3.0, help="whole seconds (wrk's unit)")
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument(
        "--wrk-threads", type=int, default=1, help="wrk threads (default 1: the server needs the other core)"
    )
    parser.add_argument("--only", default="", metavar="TEXT", help="only the cases whose name contains TEXT")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    ensure_wrk()
    rows = asyncio.run(measure(args))
    if args.json:
        print(
            json.dumps(
                {"machine": machine(), "rounds": args.rounds, "duration_s": args.duration, "cases": rows}, indent=2
            )
        )
    else:
        print(f"\nmachine: {machine()}; {args.rounds} rounds of {args.duration:g} s after {args.warmup:g} s warm-up")
        for row in rows:
            print_row(row)
    return 0 if all(passed(row) for row in rows if row["target"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
