"""Nothing a user's app starts outlives the explorer: not a child, a grandchild or a setsid daemon.

The app (``tests/apps/spawner_app.py``) starts all three at import, and another daemon per request
to ``/spawn``; each writes its PID to a file in the app folder. Every test ends the explorer (or the
server) one way, then requires every one of those PIDs gone and the server's port free again: the
daemon inherits the listening socket, so a survivor would keep the port bound.

EXIT_RUNS sets how many times each SIGKILL case runs (default 1 in the suite; docs/reliability.md quotes more).
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from explorer.apps.routes import flask_url_map
from explorer.runtime.servers.specs import ServerSpec, ServerState
from explorer.runtime.servers.supervisor import ManagedServer
from tests.conftest import family, wait_gone
from tests.ptyapp import PtyApp

APPS = Path(__file__).parent / "apps"
AT_IMPORT = 4  # child, parent, grandchild, daemon
RUNS = int(os.environ.get("EXIT_RUNS", "1"))


class Spawned:
    """The app folder, and the processes its app recorded."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.file = folder / "spawned.pids"

    def pids(self) -> list[int]:
        if not self.file.exists():
            return []
        return [int(line.split()[1]) for line in self.file.read_text().splitlines() if line.strip()]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[int]:
        """Poll until at least ``count`` processes have recorded themselves."""
        deadline = time.monotonic() + timeout
        while len(pids := self.pids()) < count:
            assert time.monotonic() < deadline, f"only {len(pids)} of {count} processes started"
            time.sleep(0.02)
        return pids


@pytest.fixture
def spawner(tmp_path: Path) -> Iterator[Spawned]:
    for name in ("spawner_app.py", "spawner_slow.py"):
        shutil.copy(APPS / name, tmp_path / name)
    spawned = Spawned(tmp_path)
    yield spawned
    for pid in spawned.pids():  # a failing test must not leave its ten-minute sleepers behind
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def port_free(port: int, timeout: float = 5.0) -> bool:
    """True once nothing listens on 127.0.0.1:``port`` (polled until ``timeout``)."""
    deadline = time.monotonic() + timeout
    while True:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is not "bound"
        try:
            sock.bind(("127.0.0.1", port))
            sock.listen()
            return True
        except OSError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        finally:
            sock.close()


def spawn_on(port: int) -> int:
    """Ask the app to start a daemon now; its PID."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", "/spawn")
    answer = json.loads(conn.getresponse().read())
    conn.close()
    assert answer["port"] == port
    return int(answer["pid"])


def explorer_cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "explorer", *args]


@pytest.mark.parametrize("kind", ["werkzeug", "gunicorn"])
async def test_stop_ends_everything_the_app_started(spawner: Spawned, kind: str) -> None:
    server = ManagedServer(ServerSpec("flask", kind, "spawner_app:app", app_dir=spawner.folder))
    status = await server.start()
    assert status.state is ServerState.READY and status.port
    try:
        await asyncio.to_thread(spawn_on, status.port)
        pids = await asyncio.to_thread(spawner.wait_for, AT_IMPORT + 1)
        everything = pids + family(status.pid or 0)
    finally:
        await server.stop()
    assert wait_gone(everything, timeout=5) == []
    assert port_free(status.port)


async def test_a_crashed_server_takes_its_children_along(spawner: Spawned) -> None:
    server = ManagedServer(ServerSpec("flask", "werkzeug", "spawner_app:app", app_dir=spawner.folder))
    status = await server.start()
    try:
        pids = await asyncio.to_thread(spawner.wait_for, AT_IMPORT)
        assert status.pid is not None
        os.kill(status.pid, signal.SIGKILL)
        assert await server.wait_exit(5) == -signal.SIGKILL  # reported as the server's own exit
        assert wait_gone(pids, timeout=5) == []
        assert status.port is not None and port_free(status.port)
    finally:
        await server.stop()


async def test_routes_finish_when_the_lister_exits(spawner: Spawned) -> None:
    """The app's background processes hold the output pipe open; the lister's exit is what counts."""
    spec = ServerSpec("flask", "werkzeug", "spawner_app:app", app_dir=spawner.folder)
    started = time.monotonic()
    rules = await flask_url_map(spec, timeout=4)
    assert time.monotonic() - started < 4
    assert {rule["rule"] for rule in rules} >= {"/", "/spawn"}
    assert wait_gone(spawner.wait_for(AT_IMPORT), timeout=5) == []


def test_send_leaves_nothing_behind(spawner: Spawned) -> None:
    args = ("send", "--json", "--app-dir", str(spawner.folder), "--flask", "spawner_app:app", "GET", "/spawn")
    done = subprocess.run(explorer_cli(*args), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)["results"][0]["json"]
    pids = spawner.wait_for(AT_IMPORT + 1)
    assert body["pid"] in pids
    assert wait_gone(pids, timeout=5) == []
    assert port_free(body["port"])


def test_sigkill_during_start_up_leaves_nothing(spawner: Spawned) -> None:
    """The app is still importing (it sleeps after spawning) when the explorer is SIGKILLed."""
    args = ("send", "--app-dir", str(spawner.folder), "--flask", "spawner_slow:app", "GET", "/")
    survivors, ports_held = [], []
    for _ in range(RUNS):
        started = len(spawner.pids())
        proc = subprocess.Popen(explorer_cli(*args), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            pids = spawner.wait_for(started + AT_IMPORT)[started:]
            everything = pids + family(proc.pid)[1:]
            ports = sorted({c.laddr.port for pid in everything for c in _listening(pid)})
        finally:
            proc.kill()
            proc.wait()
        assert ports, "the server's listening socket was not found"
        survivors += wait_gone(everything, timeout=5)
        ports_held += [port for port in ports if not port_free(port)]
    assert survivors == [] and ports_held == []


def test_sigkill_of_the_app_after_ready_leaves_nothing(spawner: Spawned) -> None:
    survivors, ports_held = [], []
    for _ in range(RUNS):
        started = len(spawner.pids())
        app = PtyApp("--app-dir", str(spawner.folder), "--flask", "spawner_app:app")
        try:
            port = _ready_port(app)
            spawn_on(port)
            pids = spawner.wait_for(started + 2 * AT_IMPORT + 1)[started:]  # the route lister imports it too
            everything = pids + family(app.proc.pid)[1:]
            app.proc.send_signal(signal.SIGKILL)
            assert app.wait_exit() is not None
        finally:
            app.cleanup()
        survivors += wait_gone(everything, timeout=5)
        ports_held += [port] if not port_free(port) else []
    assert survivors == [] and ports_held == []


def _listening(pid: int) -> list[Any]:
    try:
        return [c for c in psutil.Process(pid).net_connections("tcp") if c.status == psutil.CONN_LISTEN]
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return []


def _ready_port(app: PtyApp, timeout: float = 20.0) -> int:
    """The port of the app's one server, once it answers HTTP."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.pump()
        for pid in family(app.proc.pid)[1:]:
            for conn in _listening(pid):
                client = http.client.HTTPConnection("127.0.0.1", conn.laddr.port, timeout=1)
                try:
                    client.request("GET", "/")
                    client.getresponse().read()
                    return int(conn.laddr.port)
                except OSError:
                    pass
                finally:
                    client.close()
    raise AssertionError(f"the server did not answer within {timeout} s")
