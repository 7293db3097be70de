"""``wrk`` and ``oha`` as engines: the argv to run them, and parsers that turn their output into our result.

They run as children of the load process (same process group), so cancelling a run or losing the
caller ends them too. They print figures only at the end, so progress events carry the elapsed
time and no counts. Their CPU time is read from ``RUSAGE_CHILDREN`` once they are reaped.
"""

from __future__ import annotations

import json
import math
import re
import resource
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from explorer.bench.locust import locust_available, parse_locust, run_argv, temp_folder
from explorer.bench.servercpu import TreeSample, sample_tree, server_cost
from explorer.bench.stats import client_cost

ENGINES = ("builtin", "wrk", "oha", "locust")
_NO_FIGURES = {"done": None, "errors": None, "rate_rps": None, "p50_ms": None, "p99_ms": None, "max_ms": None}
Emit = Callable[[dict[str, Any]], None]
_WORKER_EXIT_S = 5.0  # a locust worker leaves on its master's quit message; past this it is killed

_UNITS_S = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_WRK_DIST = re.compile(r"^\s*(50|75|90|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.MULTILINE)
_WRK_LATENCY = re.compile(r"^\s*Latency\s+([\d.]+)(us|ms|s|m|h)\s+[\d.]+\w+\s+([\d.]+)(us|ms|s|m|h)", re.MULTILINE)
_WRK_TOTAL = re.compile(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h)", re.MULTILINE)
_WRK_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
_WRK_NON2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")


def available(engine: str) -> bool:
    """True for the built-in engine, for wrk/oha when the binary is on PATH, for locust when installed."""
    if engine == "locust":
        return locust_available()
    return engine == "builtin" or (engine in ENGINES and shutil.which(engine) is not None)


def whole_seconds(seconds: float) -> int:
    """wrk takes whole seconds only: round up, at least one."""
    return max(1, math.ceil(seconds - 1e-9))


def wrk_argv(url: str, concurrency: int, seconds: float, timeout: float, threads: int = 1) -> list[str]:
    """One wrk thread by default: on two cores the server needs the other one."""
    threads = max(1, min(threads, concurrency))
    return [
        "wrk",
        "-t",
        str(threads),
        "-c",
        str(concurrency),
        "-d",
        f"{whole_seconds(seconds)}s",
        "--timeout",
        f"{whole_seconds(timeout)}s",
        "--latency",
        url,
    ]


def oha_argv(url: str, concurrency: int, seconds: float, timeout: float) -> list[str]:
    return [
        "oha",
        "-z",
        f"{max(seconds, 0.1):.3f}s",
        "-c",
        str(concurrency),
        "-t",
        f"{timeout:.3f}s",
        "--no-tui",
        "--output-format",
        "json",
        url,
    ]


def _seconds(value: str, unit: str) -> float:
    return float(value) * _UNITS_S[unit]


def parse_wrk(text: str) -> dict[str, Any]:
    """wrk's ``--latency`` report as our result fields (rps counts only 2xx/3xx answers, like the built-in engine)."""
    total = _WRK_TOTAL.search(text)
    latency = _WRK_LATENCY.search(text)
    if total is None or latency is None:
        raise ValueError(f"unexpected wrk output: {text.strip()[:200]!r}")
    requests, window = int(total.group(1)), _seconds(total.group(2), total.group(3))
    dist = {int(m.group(1)): _seconds(m.group(2), m.group(3)) * 1000 for m in _WRK_DIST.finditer(text)}
    errors: dict[str, int] = {}
    if sock := _WRK_SOCKET.search(text):
        for kind, value in zip(("connect", "read", "write", "timeout"), sock.groups(), strict=True):
            if int(value):
                errors[kind] = int(value)
    non2xx = int(m.group(1)) if (m := _WRK_NON2XX.search(text)) else 0
    if non2xx:
        errors["http_non2xx"] = non2xx
    ok = requests - non2xx
    return {
        "window_s": window,
        "requests": ok,
        "rps": ok / window if window > 0 else 0.0,
        "latency": {
            "count": ok,
            "p50_ms": dist.get(50),
            "p90_ms": dist.get(90),
            "p99_ms": dist.get(99),
            "max_ms": _seconds(latency.group(3), latency.group(4)) * 1000,
            "mean_ms": _seconds(latency.group(1), latency.group(2)) * 1000,
        },
        "errors": errors,
    }


def parse_oha(text: str) -> dict[str, Any]:
    """oha's ``--output-format json`` document (latencies in seconds) as our result fields."""
    doc = json.loads(text)
    summary, pct = doc["summary"], doc.get("latencyPercentiles", {})
    statuses = {str(k): int(v) for k, v in (doc.get("statusCodeDistribution") or {}).items()}
    ok = sum(v for k, v in statuses.items() if 200 <= int(k) < 400)
    window = float(summary["total"])
    errors = {f"http_{k}": v for k, v in statuses.items() if not 200 <= int(k) < 400}
    errors.update({str(k): int(v) for k, v in (doc.get("errorDistribution") or {}).items()})

    def ms(value: Any) -> float | None:
        return None if value is None else float(value) * 1000

    return {
        "window_s": window,
        "requests": ok,
        "rps": ok / window if window > 0 else 0.0,
        "latency": {
            "count": ok,
            "p50_ms": ms(pct.get("p50")),
            "p90_ms": ms(pct.get("p90")),
            "p99_ms": ms(pct.get("p99")),
            "max_ms": ms(summary.get("slowest")),
            "mean_ms": ms(summary.get("average")),
        },
        "errors": errors,
        "statuses": statuses,
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(
    argv: list[str],
    phase: str,
    length: float,
    interval: float,
    emit: Emit,
    env: dict[str, str] | None = None,
    ok: tuple[int, ...] = (0,),
) -> str:
    """Run one engine invocation to the end, emitting time-only progress; its stdout is returned."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    while True:
        try:
            out, _ = proc.communicate(timeout=interval)
            break
        except subprocess.TimeoutExpired:
            elapsed = round(min(time.perf_counter() - started, length), 3)
            emit({"event": "progress", "phase": phase, "elapsed_s": elapsed, "phase_s": length, **_NO_FIGURES})
    if proc.returncode not in ok:
        raise RuntimeError(f"{Path(argv[0]).name} exited with {proc.returncode}: {out.strip()[-300:]}")
    return out


def _run_locust(config: dict[str, Any], emit: Emit) -> tuple[dict[str, Any], float]:
    """One headless locust run, a master and its worker processes; its figures and the CPU they used.

    The workers are stopped whatever way the master's run ends: they leave on the master's quit
    message after a normal end, and are killed after :data:`_WORKER_EXIT_S` otherwise (a cancel or a
    dead caller ends the whole process group, master and workers included, from the caller's side).
    """
    length = float(config["warmup"]) + float(config["duration"])
    with temp_folder() as folder:
        master, workers, env, figures = run_argv(config, folder)
        cpu0 = _children_cpu()
        started: list[subprocess.Popen[bytes]] = []
        grace = 0.0  # if the master never ran, its workers would wait for it: kill them at once
        try:
            for argv in workers:
                started.append(
                    subprocess.Popen(
                        argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
                    )
                )
            _run(master, "measure", length, float(config["interval"]), emit, env=env, ok=(0, 1))  # 1: some failed
            grace = _WORKER_EXIT_S
        finally:
            for proc in started:
                try:
                    proc.wait(grace)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        cpu = _children_cpu() - cpu0
        try:
            text = Path(figures).read_text(encoding="utf-8")
        except OSError:
            raise RuntimeError("locust wrote no figures") from None
    return parse_locust(text), cpu


def run_external(config: dict[str, Any], emit: Emit) -> dict[str, Any]:
    """A warm-up run (discarded), then the measured run, with the engine's own CPU time."""
    engine = config["engine"]
    if not available(engine):
        raise RuntimeError(f"{engine} is not on PATH")
    pid = config.get("server_pid")
    if engine == "locust":
        tree0 = sample_tree(int(pid)) if pid else None
        result, cpu = _run_locust(config, emit)
        return _summary(config, result, cpu, tree0, sample_tree(int(pid)) if pid else None)
    url = f"http://{config['host']}:{config['port']}{config['path']}"
    c, timeout, interval = int(config["concurrency"]), float(config["timeout"]), float(config["interval"])
    warmup, duration = float(config["warmup"]), float(config["duration"])
    if engine == "wrk":
        warmup, duration = (whole_seconds(warmup) if warmup > 0 else 0), whole_seconds(duration)

    def argv(seconds: float) -> list[str]:
        if engine == "wrk":
            return wrk_argv(url, c, seconds, timeout, int(config.get("threads", 1)))
        return oha_argv(url, c, seconds, timeout)

    if warmup > 0:
        _run(argv(warmup), "warmup", warmup, interval, emit)
    cpu0, tree0 = _children_cpu(), sample_tree(int(pid)) if pid else None
    out = _run(argv(duration), "measure", duration, interval, emit)
    cpu, tree1 = _children_cpu() - cpu0, sample_tree(int(pid)) if pid else None
    return _summary(config, parse_wrk(out) if engine == "wrk" else parse_oha(out), cpu, tree0, tree1)


def _summary(
    config: dict[str, Any], result: dict[str, Any], cpu: float, tree0: TreeSample | None, tree1: TreeSample | None
) -> dict[str, Any]:
    """Our result fields; a locust run at a rate is ``paced`` (each user waits for its answer), not open."""
    window, requests = result["window_s"], result["requests"]
    rate = config.get("rate") if config["engine"] == "locust" else None
    return {
        "engine": config["engine"],
        "mode": "paced" if rate else "closed",
        "target_rps": float(rate) if rate else None,
        **server_cost(tree0, tree1, requests),
        "concurrency": int(config["concurrency"]),
        **result,
        "histogram": [],
        **client_cost(cpu, window, requests),
    }
