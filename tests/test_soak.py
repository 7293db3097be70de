"""Soak: 5,000 requests through the client and 20 lab runs in one process, without leaking.

Resident memory may grow less than 20 MB after warm-up, and open file descriptors must come back
to where they were (keep-alive pools may hold a connection or two between requests).
"""

from __future__ import annotations

import os

import psutil

from explorer.apps.bundled import demo_spec
from explorer.bench.loadgen import LoadConfig, run_load
from explorer.runtime.http.request import RequestSpec
from explorer.runtime.session import Session

REQUESTS = 5000
LAB_RUNS = 20


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 1024 / 1024


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


async def test_no_leaks_over_thousands_of_requests_and_lab_runs() -> None:
    specs = [demo_spec("flask", "gunicorn"), demo_spec("fastapi")]
    async with Session(specs) as session:
        paths = ["/items/1", "/items/abc", "/hello/Ada"]
        for i in range(300):  # warm-up: pools, caches, first-request work
            await session.send_one(("flask", "fastapi")[i % 2], RequestSpec("GET", paths[i % 3]))
        port = session.server("fastapi").status.port
        assert port
        await run_load(LoadConfig(port=port, path="/items/1", concurrency=4, duration=0.2, warmup=0.05))
        rss_before, fds_before = rss_mb(), open_fds()

        errors = 0
        for i in range(REQUESTS):
            exchange = await session.send_one(("flask", "fastapi")[i % 2], RequestSpec("GET", paths[i % 3]))
            errors += exchange.error is not None
        for _ in range(LAB_RUNS):
            result = await run_load(LoadConfig(port=port, path="/items/1", concurrency=4, duration=0.2, warmup=0.05))
            assert result.requests > 0 and result.error_count == 0
        grown = rss_mb() - rss_before
        print(
            f"RSS grew {grown:.1f} MB over {REQUESTS} requests and {LAB_RUNS} lab runs; fds {fds_before} -> {open_fds()}"
        )
        assert errors == 0
        assert grown < 20
        assert open_fds() <= fds_before + 2
