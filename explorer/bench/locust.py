"""Locust: the scenario as a locustfile (``--export locust FILE``), and locust as an engine (``--engine locust``).

Past one machine, the same experiment needs a tool built for many load machines; locust's
master/worker mode is that. The exported file holds every route of the scenario (one user class per
route), the same paths, and the same pacing: a closed loop (each user sends its next request when
its answer is in) unless ``EXPLORER_RATE`` is set, when each user paces itself with locust's
``constant_throughput`` so that all of them together send that rate.

As an engine, locust runs headless in the distributed shape: a ``--master`` process and
:data:`LOCAL_WORKERS` ``--worker`` processes started separately, on loopback, exactly as a user
spreads them over machines; they are children of the load process, in its process group, so they
end with it however a run ends. It runs on a file written for the one route being measured; locust
is never imported here (it monkey-patches the standard library with gevent). Its figures carry its
name and :data:`LIMITS`.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import socket
import sys
import tempfile
from pathlib import Path
from typing import Any

from explorer.runtime.errors import ExplorerError
from explorer.runtime.userdata.outfile import check_output, write_outputs

__all__ = ["LIMITS", "MARKER", "locust_available", "locustfile_text", "parse_locust", "run_argv", "write_locustfile"]

MARKER = "# Locust load written by `explorer bench --export locust`"
LIMITS = (
    "locust: each user waits for its answer (a closed loop, paced by constant_throughput when a rate is "
    "asked: it falls behind rather than timing requests from their due time, so coordinated omission "
    "applies); response times are rounded (1 ms under 100 ms, 10 ms under 1 s), so its percentiles are "
    "too; its warm-up is the spawn of the users, after which it resets its figures; a locust worker "
    "process does roughly 1-5k requests a second."
)
HOST_ENV = {
    "flask": ("EXPLORER_FLASK_URL", "http://127.0.0.1:5000"),
    "fastapi": ("EXPLORER_FASTAPI_URL", "http://127.0.0.1:8000"),
}
LOCAL_WORKERS = 2  # worker processes of --engine locust, each a process of its own beside the master
WORKERS_WAIT_S = 30  # how long the master waits for them before it gives up (locust's default: for ever)


def locust_available() -> bool:
    """True when locust can be run with this interpreter (found without importing it)."""
    return importlib.util.find_spec("locust") is not None


def class_name(key: str) -> str:
    """``fastapi-def`` -> ``FastapiDefUser``."""
    return "".join(part.capitalize() for part in key.replace("@", "-").split("-")) + "User"


def locustfile_text(title: str, claim: str, routes: list[tuple[str, str, str, str]], users: int) -> str:
    """A locustfile: ``routes`` are (key, framework, path, how the handler is written)."""
    lines = [
        MARKER,
        f'"""Locust load for the explorer\'s "{title}" scenario: {claim}.',
        "",
        "The same routes and pacing as `explorer bench`: a closed loop (each user sends its next request",
        "when its answer is in) unless EXPLORER_RATE is set; then each user paces itself so that together",
        "the users of one class send EXPLORER_RATE requests a second (set EXPLORER_USERS to the users each",
        "class gets). Hosts: EXPLORER_FLASK_URL and EXPLORER_FASTAPI_URL. One class only: name it last.",
        "",
        "Here:        locust -f THIS_FILE --headless -u 20 -r 20 -t 30s --processes -1",
        "Distributed: locust -f THIS_FILE --master --headless -u 4 -r 4 -t 5s --expect-workers 2",
        "             locust -f THIS_FILE --worker --master-host MASTER_ADDRESS   (on each load machine)",
        "             (as tested on loopback; raise -u, -r, -t and --expect-workers for a real run)",
        '"""',
        "",
        "import os",
        "",
        "from locust import FastHttpUser, constant, constant_throughput, task",
        "",
        'RATE = float(os.environ.get("EXPLORER_RATE", "0"))  # requests a second per class; 0: closed loop',
        f'USERS = max(1, int(os.environ.get("EXPLORER_USERS", "{users}")))',
        "",
        "",
        "def pacing():",
        "    return constant_throughput(RATE / USERS) if RATE > 0 else constant(0)",
    ]
    for key, framework, path, route in routes:
        env, default = HOST_ENV[framework]
        lines += [
            "",
            "",
            f"class {class_name(key)}(FastHttpUser):",
            f'    """{framework}: GET {path} ({route})."""',
            "",
            f'    host = os.environ.get("{env}", "{default}")',
            "    wait_time = pacing()",
            "",
            "    @task",
            "    def request(self):",
            f"        self.client.get({path!r}, name={f'{key} GET {path}'!r})",
        ]
    return "\n".join(lines) + "\n"


def write_locustfile(path: str, text: str) -> Path:
    """Write ``text``; refuses what is not a regular file (a folder, a FIFO: never opened), and a file
    that exists and was not written by this command (:mod:`explorer.runtime.userdata.outfile`)."""
    target = check_output(path, "--export", force=True)
    if target.exists():
        try:  # a regular file by its stat; O_NONBLOCK all the same, should it have changed since
            handle = os.open(target, os.O_RDONLY | os.O_NONBLOCK)
            with os.fdopen(handle, "rb") as existing:
                ours = existing.read(len(MARKER)) == MARKER.encode()
        except OSError as exc:
            raise ExplorerError(f"cannot read {path}: {exc.strerror}") from None
        if not ours:
            raise ExplorerError(f"{path} exists and is not a locustfile this command wrote; choose another name")
    return write_outputs([(target, text.encode("utf-8"))], "--export", force=True)[0]


def users_for(rate: float, connections: int) -> int:
    """Enough users to pace ``rate`` while each answer takes up to 100 ms, at most ``connections``."""
    return max(1, min(connections, math.ceil(rate / 10)))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_argv(config: dict[str, Any], folder: str) -> tuple[list[str], list[list[str]], dict[str, str], str]:
    """One run, distributed on this machine: the master's command, each worker's (separate processes,
    as on many machines), their environment, and where the master writes its figures."""
    rate = config.get("rate")
    users = users_for(float(rate), int(config.get("connections") or 256)) if rate else int(config["concurrency"])
    text = locustfile_text("one route", "as measured by the explorer", [("target", "flask", config["path"], "")], users)
    locustfile = os.path.join(folder, "locustfile.py")
    Path(locustfile).write_text(text, encoding="utf-8")
    results = os.path.join(folder, "figures")
    seconds = max(1, math.ceil(float(config["warmup"]) + float(config["duration"])))
    port = _free_port()
    locust = [sys.executable, "-m", "locust", "-f", locustfile]
    master = [
        *locust,
        "--master",
        "--headless",
        "-u",
        str(users),
        "-r",
        str(users),
        "-t",
        f"{seconds}s",
        "--expect-workers",
        str(LOCAL_WORKERS),
        "--expect-workers-max-wait",
        str(WORKERS_WAIT_S),
        "--reset-stats",
        "--skip-log",
        "--json-file",
        results,
        "--master-bind-host",
        "127.0.0.1",
        "--master-bind-port",
        str(port),
        "--stop-timeout",
        "1",
    ]
    worker = [*locust, "--worker", "--master-host", "127.0.0.1", "--master-port", str(port), "--skip-log"]
    env = {
        **os.environ,
        "EXPLORER_FLASK_URL": f"http://{config['host']}:{config['port']}",
        "EXPLORER_RATE": str(rate or 0),
        "EXPLORER_USERS": str(users),
    }
    return master, [worker] * LOCAL_WORKERS, env, results + ".json"


def parse_locust(text: str) -> dict[str, Any]:
    """Locust's ``--json-file`` figures (one entry per request name) as our result fields."""
    entries = json.loads(text)
    if not isinstance(entries, list) or not entries:
        raise ValueError("locust wrote no figures")
    entry = entries[0]
    total, failures = int(entry["num_requests"]), int(entry["num_failures"])
    window = max(0.0, float(entry["last_request_timestamp"]) - float(entry["start_time"]))
    buckets = sorted((float(ms), int(n)) for ms, n in (entry.get("response_times") or {}).items())

    def pct(p: float) -> float | None:
        count = sum(n for _, n in buckets)
        if not count:
            return None
        rank, seen = max(1, math.ceil(p / 100 * count)), 0
        for ms, n in buckets:
            seen += n
            if seen >= rank:
                return ms
        return buckets[-1][0]

    ok = total - failures
    return {
        "window_s": window,
        "requests": ok,
        "rps": ok / window if window > 0 else 0.0,
        "latency": {
            "count": ok,
            "p50_ms": pct(50),
            "p90_ms": pct(90),
            "p99_ms": pct(99),
            "p999_ms": pct(99.9),
            "max_ms": entry.get("max_response_time"),
            "mean_ms": float(entry["total_response_time"]) / total if total else None,
        },
        "errors": {"locust_failures": failures} if failures else {},
    }


def temp_folder() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="explorer-locust-")
