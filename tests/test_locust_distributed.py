"""locust past one machine: the master and its workers as separate processes, on loopback.

The distributed commands in docs/lab.md are run as written (only ``MASTER_ADDRESS`` becomes
127.0.0.1; URLs and the master's port come from the environment), and ``--engine locust`` runs that
same shape; every process either starts is gone after a normal end and after the CLI is killed midway.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from explorer.bench.loadgen import LoadConfig, LoadProgress, run_load
from tests.conftest import LiveServers, family, wait_gone

ROOT = Path(__file__).parent.parent
pytestmark = pytest.mark.skipif(
    not (Path(sys.executable).parent / "locust").exists(), reason="locust is not installed (the locust extra)"
)


def documented_commands() -> list[list[str]]:
    """The shell block of docs/lab.md's locust section: the export, the master, the worker (comments dropped)."""
    section = (ROOT / "docs" / "lab.md").read_text().split("## Past one machine: locust", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None
    return [shlex.split(line.split("#", 1)[0]) for line in block.group(1).strip().splitlines()]


def locust_roles(pids: list[int]) -> dict[int, str]:
    """Of ``pids``, the locust processes, each with its role (``master`` or ``worker``)."""
    roles = {}
    for pid in pids:
        try:
            argv = psutil.Process(pid).cmdline()
        except psutil.Error:
            continue
        if "locust" in argv and ("--master" in argv or "--worker" in argv):
            roles[pid] = "master" if "--master" in argv else "worker"
    return roles


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_documented_distributed_commands_run_as_written(live_gunicorn: LiveServers, tmp_path: Path) -> None:
    export, master, worker = documented_commands()
    assert export[:2] == ["explorer", "bench"] and "--master" in master and "--worker" in worker
    assert master[0] == worker[0] == "locust" and worker[worker.index("--master-host") + 1] == "MASTER_ADDRESS"
    run = subprocess.run([sys.executable, "-m", "explorer", *export[1:]], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    port = free_port()
    urls = {
        f"EXPLORER_{s.status.framework.upper()}_URL": f"http://127.0.0.1:{s.status.port}"
        for s in live_gunicorn.session.supervisor
    }
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, **urls, "PATH": os.pathsep.join([bin_dir, os.environ.get("PATH", "")])}
    worker = [("127.0.0.1" if arg == "MASTER_ADDRESS" else arg) for arg in worker]
    workers = int(master[master.index("--expect-workers") + 1])
    started = [
        subprocess.Popen(
            worker,
            cwd=tmp_path,
            env={**env, "LOCUST_MASTER_NODE_PORT": str(port)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    try:
        run = subprocess.run(
            master,
            cwd=tmp_path,
            env={**env, "LOCUST_MASTER_BIND_PORT": str(port)},
            capture_output=True,
            text=True,
            timeout=90,
        )
        assert run.returncode == 0, run.stderr[-2000:]
        output = run.stdout + run.stderr
        for name in ("flask GET /items/1", "fastapi GET /items/1"):  # both user classes sent, and nothing failed
            line = next(row for row in output.splitlines() if row.startswith("GET") and name in row)
            count, fails = re.search(name + r"\s+(\d+)\s+(\d+)\(", line).groups()  # type: ignore[union-attr]  # a locust stats row
            assert int(count) > 0 and int(fails) == 0
        assert output.count("quit") >= workers  # each worker reported leaving on the master's quit message
        for proc in started:
            assert proc.wait(15) == 0
    finally:
        for proc in started:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_engine_locust_runs_master_and_workers_and_leaves_none(live_gunicorn: LiveServers) -> None:
    """``--engine locust``: a master and two workers, its figures (the latencies in order, the server's cost and the
    client's) and no process left (the figures were checked in tests/test_bench_open.py on a run of their own)."""
    status = live_gunicorn.session.server("fastapi").status
    assert status.port is not None and status.pid is not None
    load: list[int] = []
    seen: dict[int, str] = {}

    def watch(progress: LoadProgress) -> None:
        seen.update(locust_roles(family(load[0])))

    config = LoadConfig(
        status.port, "/items/1", concurrency=2, duration=1.0, warmup=0.5, engine="locust", server_pid=status.pid
    )
    result = live_gunicorn.loop.run(run_load(config, on_progress=watch, on_started=load.append), timeout=90)
    assert result.engine == "locust" and result.requests > 0 and result.errors == {}
    assert result.latency.p50_ms <= result.latency.p99_ms <= result.latency.max_ms
    assert result.server_cpu_ms_per_request is not None and result.client_cpu_s > 0
    assert sorted(seen.values()) == ["master", "worker", "worker"]  # separate processes, not --processes forks
    assert wait_gone([*seen, *load], timeout=10) == []


def test_killing_the_cli_midway_ends_the_master_and_its_workers() -> None:
    argv = [sys.executable, "-m", "explorer", "bench", "--scenario", "json", "--engine", "locust"]
    argv += ["--concurrency", "2", "--duration", "60", "--warmup", "0.5", "--repeat", "1", "--json"]
    cli = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tree: list[int] = []
    try:
        for _ in range(1200):  # until the master and both workers run (a readiness check, up to 60 s)
            tree = family(cli.pid)
            if sorted(locust_roles(tree).values()) == ["master", "worker", "worker"]:
                break
            psutil.wait_procs([psutil.Process(cli.pid)], timeout=0.05)
        else:
            pytest.fail(f"the master and two workers never ran: {locust_roles(tree)}")
        tree = family(cli.pid)
    finally:
        cli.send_signal(signal.SIGKILL)
        cli.wait(10)
    assert wait_gone(tree, timeout=15) == []
