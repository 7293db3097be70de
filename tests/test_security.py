"""Nothing off loopback, no shell, a minimal environment, and never a debugger."""

from __future__ import annotations

import re
from pathlib import Path

import psutil

from explorer.runtime.http.request import RequestSpec
from explorer.runtime.servers.supervisor import _ENV_KEEP
from tests.conftest import LiveServers, family

ROOT = Path(__file__).resolve().parent.parent
ALLOWED_ENV = set(_ENV_KEEP) | {"PYTHONPATH", "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE"}


def server_processes(live: LiveServers) -> list[psutil.Process]:
    return [psutil.Process(pid) for s in live.session.supervisor for pid in family(s.status.pid or 0)]


def test_every_listening_socket_is_on_loopback(live: LiveServers, live_gunicorn: LiveServers) -> None:
    listening = []
    for servers in (live, live_gunicorn):
        for proc in server_processes(servers):
            listening += [c.laddr for c in proc.net_connections("inet") if c.status == psutil.CONN_LISTEN]
    assert len(listening) >= 3  # dev, gunicorn master and worker share one, uvicorn x2
    assert {addr.ip for addr in listening} == {"127.0.0.1"}


def test_servers_get_only_the_environment_they_need(live: LiveServers) -> None:
    for proc in server_processes(live):
        assert set(proc.environ()) <= ALLOWED_ENV, set(proc.environ()) - ALLOWED_ENV


def test_no_shell_anywhere() -> None:
    offenders = []
    for folder in ("explorer", "panels", "demos", "benchmarks", "tests", "examples"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if re.search(r"shell\s*=\s*True|os\.system\(|os\.popen\(", text) and path.name != "test_security.py":
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_the_werkzeug_debugger_is_never_on(live: LiveServers) -> None:
    for path in ("/console", "/items/1?__debugger__=yes&cmd=resource&f=debugger.js"):
        exchange = live.send(RequestSpec("GET", path), ["flask"])["flask"]
        assert exchange.status in (200, 404) and b"Werkzeug Debugger" not in exchange.body
        assert b"debugger.js" not in exchange.body and b"CONSOLE_MODE" not in exchange.body
    crash = live.send(RequestSpec("GET", "/cpu?n=abc"), ["flask"])["flask"]  # not an int: the default is used
    assert crash.status == 200
