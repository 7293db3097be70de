"""The expert lab: the open loop against a stall of known length, server CPU, the deployed servers, repeats, locust.

Real servers, small numbers: a single 400 ms stall in a 1 s window at 50 requests a second is enough
for the arithmetic of coordinated omission to show (a request due t ms into the stall waits 400 - t ms,
so p90 is near 300 ms), and for a closed loop on the same server to hide it (its p90 stays small).
Tolerances are wide where the machine's load moves a figure; each assertion would fail if latencies
were timed from the send, if the schedule slipped, or if a server ignored its settings.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import py_compile
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from explorer.apps.bundled import demo_spec
from explorer.bench.hdr import LatencyHistogram
from explorer.bench.levels import LevelResult
from explorer.bench.loadgen import LoadConfig, LoadResult, run_load
from explorer.bench.omission import explain, predicted_ms
from explorer.bench.plan import BenchPlan
from explorer.bench.results import BenchReport, verdict
from explorer.bench.saturation import held, saturation
from explorer.bench.scenarios import SCENARIOS, Stall
from explorer.bench.servercpu import sample_tree
from explorer.bench.stats import LatencySummary
from explorer.runtime.servers.specs import ServerSpec
from explorer.runtime.servers.supervisor import Supervisor
from tests.conftest import LiveServers, family, wait_gone

ROOT = Path(__file__).parent.parent


def server_of(live: LiveServers, framework: str) -> tuple[int, int]:
    status = live.session.server(framework).status
    assert status.port is not None and status.pid is not None
    return status.port, status.pid


async def test_open_loop_times_a_stall_from_the_due_time_and_a_closed_loop_hides_it(live_gunicorn: LiveServers) -> None:
    port, pid = server_of(live_gunicorn, "fastapi")
    common = LoadConfig(
        port,
        "/items/1",
        duration=1.0,
        warmup=0.2,
        server_pid=pid,
        stall_path="/io/blocking?ms=400",
        stall_every=60.0,
        stall_offset=0.2,
    )  # one stall in the window
    opened = await run_load(replace(common, rate=50, connections=32))
    closed = await run_load(replace(common, concurrency=2))
    lat = opened.latency
    assert opened.mode == "open" and opened.target_rps == 50 and opened.open_loop["scheduled"] == 50
    assert opened.requests == 50 and opened.open_loop["dropped"] == 0 and opened.errors == {}
    # The requests answered in the window: the schedule held through the stall. Counted, not taken as the rate: the
    # rate divides them by the window as measured, whose edges a loaded machine samples late (load 14: 51.7 req/s).
    assert abs(opened.rps * opened.window_s - 50) <= 3 and abs(opened.window_s - 1.0) <= 0.15, opened.window_s
    # 20 of the 50 requests fall due during the stall and wait 400 - t ms: p90 ~ 300 ms, max ~ 400 ms
    assert 240 <= lat.p90_ms <= 480 and 360 <= lat.max_ms <= 700 and lat.p50_ms < 100  # room for a loaded machine
    assert lat.p50_ms <= lat.p90_ms <= lat.p99_ms <= lat.p999_ms <= lat.max_ms
    assert closed.mode == "closed" and closed.latency.max_ms >= 300  # it waited out the stall...
    assert closed.latency.p90_ms < 100 < lat.p90_ms  # ...but timed only the requests stuck in it
    for result in (opened, closed):  # what the server spent, over its process tree, in the window
        cpu = result.server_cpu_ms_per_request
        assert cpu is not None and 0 < cpu < 50 and (result.server_rss_mb or 0) > 10
        assert result.server["server_processes"] >= 1


def test_process_tree_sampling() -> None:
    here = sample_tree(os.getpid())
    assert here is not None and here.cpu_s > 0 and here.rss_bytes > 0 and here.processes >= 1
    child = subprocess.Popen([sys.executable, "-c", "import time; sum(range(3_000_000)); time.sleep(5)"])
    try:
        deadline = time.monotonic() + 5
        while (tree := sample_tree(os.getpid())) is not None and tree.processes < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert tree is not None and tree.processes >= 2  # a child counts with its parent
    finally:
        child.kill()
        child.wait()
    assert sample_tree(2**22 + 12345) is None


def test_hdr_histogram_percentiles_within_a_thousandth() -> None:
    histogram = LatencyHistogram()
    for ms in range(1, 1001):  # 1..1000 ms
        histogram.record(ms / 1000)
    histogram.record(7200.0)  # two hours: clamped in the histogram, kept exact as the maximum
    summary = histogram.summary()
    assert summary.count == 1001 and summary.max_ms == 7_200_000
    for pct, want in ((50, 501), (90, 901), (99, 991)):
        assert abs(histogram.percentile_ms(pct) - want) <= want * 0.001 + 0.001
    assert sum(count for _, count in histogram.to_list()) == 1001
    assert math.isnan(LatencyHistogram().percentile_ms(50))


def test_the_arithmetic_of_a_stall() -> None:
    stall = Stall(ms=250, every_s=1.0, offset_s=0.25)
    assert stall.count_in(3.0) == 3 and stall.count_in(0.4) == 0
    # 200 req/s for 3 s = 600 requests; 3 stalls of 250 ms hold 50 each, waiting 250, 245, ... 5 ms
    assert predicted_ms(90, [250.0] * 3, 200, 3.0, 0.0) == pytest.approx(150)  # rank 540: the 90th slowest
    assert predicted_ms(99, [250.0] * 3, 200, 3.0, 2.0) == pytest.approx(242)  # rank 594: 250 - 2 x 5 + 2
    assert predicted_ms(99, [250.0] * 3, 200, 3.0, 0.0, cpu_ms=0.5) == pytest.approx(265)  # + the 25 ms burst
    assert predicted_ms(99, [250.0, 250.0, 400.0], 200, 3.0, 0.0) == pytest.approx(
        370
    )  # one longer stall: its 7th slowest
    assert predicted_ms(50, [250.0] * 3, 200, 3.0, 1.0) == 1.0  # the median request met no stall


def fake(
    key: str,
    level: float,
    rps: float,
    p99: float = 30.0,
    repeat: int = 0,
    mode: str = "open",
    errors: dict[str, int] | None = None,
    client_bound: bool = False,
    framework: str | None = None,
    server: ServerSpec | None = None,
) -> LevelResult:
    framework = framework or key.partition("@")[0]
    target = next(t for t in SCENARIOS["io"].targets if t.framework == framework)
    if "@" in key:
        target = target.on(key.partition("@")[2])
    latency = LatencySummary(int(rps), p99 / 2, p99 * 0.9, p99, p99 * 1.2, p99 / 2, p99 * 1.1)
    open_loop = {"scheduled": int(level * 3), "late": 0, "dropped": 0, "unanswered": 0} if mode == "open" else {}
    connections = int(level) if mode == "closed" else 256
    load = LoadResult(
        "builtin",
        connections,
        3.0,
        int(rps * 3),
        rps,
        latency,
        errors or {},
        0.1,
        0.03,
        0.5,
        client_bound,
        mode=mode,
        target_rps=level if mode == "open" else None,
        open_loop=open_loop,
    )
    return LevelResult(target, server or demo_spec(framework, "gunicorn"), load, None, repeat)


def test_rate_sweep_finds_each_saturation_point() -> None:
    report = BenchReport(BenchPlan("io", rates=(100, 500, 1000)), {})
    report.results += [
        fake("flask", 100, 99.5),
        fake("fastapi", 100, 100.2),
        fake("flask", 500, 158, p99=2100),
        fake("fastapi", 500, 499),
        fake("flask", 1000, 157, p99=3000),
        fake("fastapi", 1000, 990, p99=64),
    ]
    flask = saturation(report.results, "flask", 100)
    assert flask is not None and flask.held_rps == 100 and flask.failed_rps == 500 and flask.capacity_rps == 158
    text = verdict(report).text
    assert "Flask (gunicorn, 1 worker x 8 threads) held 100 req/s under 100 ms p99 and saturated at 158 req/s" in text
    assert "FastAPI (uvicorn, 1 process, access log off) held every rate asked, up to 1,000 req/s" in text
    assert held(fake("fastapi", 1000, 990, p99=101), 100) == "p99 101 ms"
    assert held(fake("fastapi", 1000, 970), 100) == "answered 970 req/s"
    late = fake("fastapi", 100, 100)
    late.load.open_loop.update(late=5, late_client=4)  # 4 of 300 sent late by the client's own timer
    report.results[1] = late
    assert verdict(report).text.startswith("No verdict from this sweep: the load client fell behind its own schedule")
    report.results.append(fake("fastapi", 1000, 990, client_bound=True))
    assert verdict(report).text.startswith("No verdict from this sweep: the load client used a full core")


def test_repeats_never_claim_a_difference_inside_the_spread() -> None:
    report = BenchReport(BenchPlan("json", levels=(10,), repeat=3), {})
    for rep, (f, a) in enumerate(((3000, 3300), (3400, 3100), (3200, 3600))):
        report.results += [
            fake("flask", 10, f, repeat=rep, mode="closed"),
            fake("fastapi", 10, a, repeat=rep, mode="closed"),
        ]
    text = verdict(report).text
    assert (
        "no measurable difference, within noise (FastAPI's rate over Flask's: 95% interval 0.89-1.22x, which includes "
        "1; spread 15%): Flask 3,200 (3,000-3,400), FastAPI 3,300 (3,100-3,600) req/s, median (min-max) of 3 runs each"
        in text
    )
    assert "served" not in text
    report.results = [r for r in report.results if r.target.key == "flask"]
    report.results += [fake("fastapi", 10, a, repeat=rep, mode="closed") for rep, a in enumerate((4000, 4200, 4100))]
    text = verdict(report).text
    assert "FastAPI served 1.28x Flask (95% interval 1.09-1.52x; Flask 3,200 (3,000-3,400)" in text
    assert "median (min-max) of 3 runs each)" in text


def test_another_flask_server_is_said_to_close_part_of_the_gap() -> None:
    report = BenchReport(BenchPlan("io", levels=(100,), flask_server="gunicorn,gevent"), {})
    report.results += [
        fake("flask@gunicorn", 100, 160, mode="closed"),
        fake("flask@gevent", 100, 1100, mode="closed", server=demo_spec("flask", "gevent")),
        fake("fastapi", 100, 1800, mode="closed"),
    ]
    text = verdict(report).text
    assert "FastAPI served 11.2x Flask" in text
    assert (
        "Flask on gunicorn gevent, 1 worker x 1000 connections: 1,100 req/s, closing 57% of the gap to FastAPI" in text
    )


def test_stall_report_explains_coordinated_omission() -> None:
    plan = BenchPlan("stall", duration=3.0)
    report = BenchReport(plan, {})
    report.results += [fake("fastapi", 10, 2000, p99=4.0, mode="closed"), fake("fastapi", 200, 200, p99=245.0)]
    stall = SCENARIOS["stall"].stall
    assert stall is not None
    found = explain(report.results, stall, 3.0)
    assert found is not None and found.open_p99_ms == 245 and found.closed_p99_ms == 4
    text = verdict(report).text
    assert "The server stalled 3 times for 250 ms (25% of the 3 s window)" in text
    assert "about 30 of its 6,000 requests (0.5%) were timed through a stall, beyond its p99" in text
    assert "coordinated omission" in text


async def test_deployed_servers_serve_concurrent_waits_as_configured() -> None:
    """40 connections asking for 100 ms waits: granian's WSGI side has 8 threads, so it can never answer
    more than 8 / 0.1 s = 80 a second; gevent's greenlets and granian's event loop hold all 40 waits at
    once, so they must beat anything 8 threads could do (twice that). All three run at once."""
    cases = {
        "gevent": demo_spec("flask", "gevent"),
        "granian-wsgi": demo_spec("flask", "granian", threads=8),
        "granian-asgi": demo_spec("fastapi", fastapi_server="granian"),
    }
    supervisors = {key: Supervisor([spec]) for key, spec in cases.items()}
    for key, spec in cases.items():
        assert spec.loop != "?" and spec.parser != "?" and spec.to_dict()["parser"] == spec.parser, key
    statuses = await asyncio.gather(*(sup[cases[key].framework].start() for key, sup in supervisors.items()))
    pids = [pid for status in statuses for pid in family(status.pid or 0)]
    try:
        assert all(status.port for status in statuses), [s.describe() for s in statuses]
        configs = [
            LoadConfig(status.port or 0, "/io?ms=100", concurrency=40, duration=0.8, warmup=0.2, server_pid=status.pid)
            for status in statuses
        ]
        runs = await asyncio.gather(*(run_load(config) for config in configs))
    finally:
        await asyncio.gather(*(sup.stop_all() for sup in supervisors.values()))
    rps = {key: run.rps for key, run in zip(cases, runs, strict=True)}
    assert all(run.errors == {} for run in runs), [run.errors for run in runs]
    in_flight = 40 / runs[1].window_s  # answers to requests already out when the window opened
    assert 0 < rps["granian-wsgi"] <= 80 + in_flight, rps
    assert rps["gevent"] > 160 and rps["granian-asgi"] > 160, rps
    assert wait_gone(pids, timeout=5) == []


def test_cli_rate_sweep_json_names_servers_and_costs() -> None:
    args = [
        "bench",
        "--scenario",
        "io",
        "--rate",
        "40",
        "--duration",
        "0.5",
        "--warmup",
        "0.1",
        "--json",
        "--flask-server",
        "gunicorn,gevent",
        "--fastapi-server",
        "granian",
        "--repeat",
        "1",  # what this test checks needs one sweep (the default is 5 fresh starts; repeats: test_bench.py)
    ]
    run = subprocess.run(
        [sys.executable, "-m", "explorer", *args], capture_output=True, text=True, timeout=90, cwd=ROOT
    )
    assert run.returncode == 0, run.stderr
    document = json.loads(run.stdout)
    assert document["plan"]["mode"] == "open" and set(document["servers"]) == {
        "flask@gunicorn",
        "flask@gevent",
        "fastapi",
    }
    assert {row["target"] for row in document["results"]} == {"flask@gunicorn", "flask@gevent", "fastapi"}
    for row in document["results"]:
        assert row["mode"] == "open" and row["target_rps"] == 40 and abs(row["window_s"] - 0.5) <= 0.15
        assert abs(row["achieved_rps"] * row["window_s"] - 40 * 0.5) <= 4  # answered in it, counted (as above)
        assert row["p50_ms"] >= 50 and row["p50_ms"] <= row["p99_ms"] <= row["p999_ms"] <= row["max_ms"]
        assert row["server_cpu_ms_per_request"] > 0 and row["server_rss_mb"] > 10
        assert row["server"]["loop"] and row["server"]["parser"] and row["late"] is not None
    assert document["servers"]["fastapi"]["server"] == "granian-asgi"
    assert {s["target"] for s in document["summary"]["saturation"]} == {"flask@gunicorn", "flask@gevent", "fastapi"}
    assert document["verdict"].startswith(("I/O-bound, open loop:", "No verdict from this sweep: the load client fell"))


def test_locust_export_and_engine(tmp_path: Path) -> None:
    """The exported file is a locustfile of both routes, and a file it did not write is never overwritten. The engine's
    own run (locust headless, a master and two workers, its figures and the server's cost) is
    ``tests/test_locust_distributed.py::test_engine_locust_runs_master_and_workers_and_leaves_none``: the same run
    was made here too, a master and two locust workers started twice for one set of figures."""
    out = tmp_path / "load.py"
    export = [sys.executable, "-m", "explorer", "bench", "--export", "locust"]
    run = subprocess.run([*export, str(out), "--scenario", "cpu"], capture_output=True, text=True, timeout=30, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    py_compile.compile(str(out), doraise=True)
    text = out.read_text()
    assert "class FlaskUser" in text and "class FastapiDefUser" in text and "'/cpu/def'" in text
    (tmp_path / "mine.py").write_text("print('mine')\n")
    refused = subprocess.run([*export, str(tmp_path / "mine.py")], capture_output=True, text=True, timeout=30, cwd=ROOT)
    assert refused.returncode == 2 and "not a locustfile this command wrote" in refused.stderr
