"""The supervisor against real processes: ready, crashed, stopped, and nothing left behind on any exit."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from explorer.apps.bundled import demo_spec
from explorer.runtime.http.request import RequestSpec
from explorer.runtime.servers.kept import KEEPER, spawn_kept
from explorer.runtime.servers.specs import ServerSpec, ServerState
from explorer.runtime.servers.supervisor import ManagedServer, Supervisor
from explorer.runtime.session import Session
from tests.conftest import alive, family, until, wait_gone

APPS = Path(__file__).parent / "apps"
ROOT = Path(__file__).parent.parent


@pytest.mark.parametrize("flask_server", ["dev", "gunicorn"])
async def test_start_ready_and_stop_leaves_nothing(flask_server: str) -> None:
    """Both servers start, answer on distinct ports of their own (and not fixed ones), and leave nothing once stopped.
    (The ports were a test of their own, a third start of both demo servers.)"""
    supervisor = Supervisor([demo_spec("flask", flask_server), demo_spec("fastapi")])
    async with supervisor:
        pids = []
        for server in supervisor:
            status = server.status
            assert status.state is ServerState.READY
            assert status.port and status.pid and status.spawn_to_ready_ms is not None
            pids += family(status.pid)
        if flask_server == "gunicorn":
            assert len(family(supervisor["flask"].status.pid or 0)) >= 2  # master and worker
        ports = {s.status.port for s in supervisor}  # distinct, and not fixed (no privileged one)
        assert len(ports) == 2 and all(p and p > 1024 for p in ports)
    assert all(s.status.state is ServerState.STOPPED for s in supervisor)
    assert wait_gone(pids, timeout=5) == []


async def test_killed_server_is_reported_crashed_and_requests_get_an_error() -> None:
    async with Session([demo_spec("flask"), demo_spec("fastapi")]) as session:
        server = session.server("flask")
        assert server.status.pid
        os.kill(server.status.pid, signal.SIGKILL)
        assert await server.wait_exit(5) == -signal.SIGKILL
        assert server.status.state is ServerState.CRASHED
        assert "SIGKILL" in server.status.message
        assert any("Running on" in line for line in server.status.log_tail)
        results = await session.send(RequestSpec("GET", "/items/1"))
        assert results["flask"].status is None and "crashed" in (results["flask"].error or "")
        assert results["fastapi"].status == 200
        status = await server.restart()
        assert status.state is ServerState.READY
        assert (await session.send(RequestSpec("GET", "/items/1")))["flask"].status == 200


@pytest.mark.parametrize("reaped_after", [0.0, 1.5], ids=["at-once", "late"])
async def test_killed_mid_request_reports_the_crash(reaped_after: float) -> None:
    """ "late": the keeper held stopped while the server dies, so its exit is reaped 1.5 s later, as on a loaded
    machine (load 13): the send waited half a second for the reaping, then called the crash a plain error."""
    async with Session([demo_spec("fastapi")]) as session:
        server = session.server("fastapi")
        pending = asyncio.create_task(session.send_one("fastapi", RequestSpec("GET", "/io?ms=3000")))
        pid = server.status.pid
        assert pid
        server_proc = psutil.Process(pid)
        await until(lambda: any(c.status == "ESTABLISHED" for c in server_proc.net_connections()))
        keeper = server_proc.ppid()
        if reaped_after:
            os.kill(keeper, signal.SIGSTOP)
        os.kill(pid, signal.SIGKILL)
        if reaped_after:
            asyncio.get_running_loop().call_later(reaped_after, os.kill, keeper, signal.SIGCONT)
        exchange = await pending
        assert exchange.status is None
        assert "crashed" in (exchange.error or ""), exchange.error


async def test_import_error_is_a_crash_with_the_traceback_in_the_log() -> None:
    server = ManagedServer(ServerSpec("flask", "werkzeug", "broken_app:app", app_dir=APPS))
    status = await server.start()
    assert status.state is ServerState.CRASHED
    assert status.returncode == 3
    assert any("this module is broken on purpose" in line for line in server.log.lines())
    await server.stop()


async def test_server_that_never_answers_is_given_up_on() -> None:
    server = ManagedServer(ServerSpec("fastapi", "uvicorn", "slow_app:app", app_dir=APPS), ready_timeout=1.5)
    status = await server.start()
    assert status.state is ServerState.CRASHED and "not ready" in status.message
    assert status.pid is not None and wait_gone([status.pid], 5) == []


async def test_restart_moves_to_another_port_when_the_old_one_is_taken() -> None:
    import socket

    async with Supervisor([demo_spec("fastapi")]) as supervisor:
        server = supervisor["fastapi"]
        old_port = server.status.port
        await server.stop()
        squatter = socket.socket()
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # the old port may hold TIME_WAIT entries
        squatter.bind(("127.0.0.1", old_port))
        squatter.listen()
        try:
            status = await server.restart()
            assert status.state is ServerState.READY and status.port != old_port
        finally:
            squatter.close()


def _spawn_holder(flask_server: str = "dev") -> tuple[subprocess.Popen[str], list[int]]:
    proc = subprocess.Popen(
        [sys.executable, str(APPS / "spawn_and_wait.py"), flask_server],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line, "the holder process died before starting its servers"
    pids = json.loads(line)
    assert len(alive(pids)) == len(pids) >= 2
    return proc, pids


@pytest.mark.parametrize(
    ("flask_server", "sig"),
    [
        ("dev", signal.SIGKILL),
        ("gunicorn", signal.SIGKILL),
        ("dev", signal.SIGTERM),
        ("dev", signal.SIGHUP),
        ("dev", signal.SIGINT),
    ],
)
def test_servers_die_with_the_explorer(flask_server: str, sig: int) -> None:
    """Whatever ends the explorer's process, including SIGKILL, its servers (and gunicorn's workers) go too."""
    proc, pids = _spawn_holder(flask_server)
    proc.send_signal(sig)
    proc.wait(10)
    assert proc.stdout is not None
    proc.stdout.close()
    assert wait_gone(pids, timeout=5) == []


_LEFT_RUNNING = """
import asyncio, sys
from explorer.runtime.servers.kept import KEEPER, spawn_kept
from explorer.runtime.servers.supervisor import kill_all_now  # registers the sweep at exit

async def main():
    kept = await spawn_kept([sys.executable, "-c", "import time; time.sleep(30)"])
    print(kept.pid, flush=True)

asyncio.run(main())
"""


def test_a_process_that_ends_with_a_keeper_running_ends_its_command_and_leaves_no_socket_open() -> None:
    """The sweep at exit closes each keeper's lifeline as it ends the command: before, the socket was left to the
    garbage collector, whose ``ResourceWarning: unclosed <socket.socket ... family=1 ...>`` an xdist worker printed."""
    run = subprocess.run(
        [sys.executable, "-W", "always::ResourceWarning", "-c", _LEFT_RUNNING],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=ROOT,
        check=False,
    )
    assert run.returncode == 0 and "ResourceWarning" not in run.stderr, run.stderr
    assert wait_gone([int(run.stdout.split()[0])], timeout=5) == []


async def test_a_keeper_killed_as_its_command_starts_takes_the_command_along() -> None:
    """The command is tied to its keeper before it runs a line of its own: a keeper SIGKILLed just after starting it
    (an OOM kill, a harness ending the explorer's whole process tree) left the command running for ever under init.
    A server arms its own parent-death signal only once its interpreter has started and read its arguments, some
    0.1 s later (a uvicorn killed at any moment of that was left, 4 of 4)."""
    kept = await spawn_kept([sys.executable, "-c", "import time; time.sleep(30)"], stdout=subprocess.DEVNULL)
    assert kept.pid is not None
    os.kill(kept.proc.pid, signal.SIGKILL)
    await kept.proc.wait()
    kept.release()
    left = wait_gone([kept.pid], timeout=5)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert left == []


async def test_a_status_listener_can_be_unsubscribed() -> None:
    """The sockets screen listens to each server while it shows; without a way to stop, its listener (and the
    screen it refers to) lived as long as the app."""
    server = ManagedServer(demo_spec("fastapi"))
    heard: list[ServerState] = []
    kept: list[ServerState] = []
    server.subscribe(lambda status: kept.append(status.state))
    unsubscribe = server.subscribe(lambda status: heard.append(status.state))
    await server.stop()
    unsubscribe()
    unsubscribe()  # twice is harmless
    await server.stop()
    assert heard == [ServerState.STOPPED] and kept == [ServerState.STOPPED] * 2


def test_a_keeper_whose_explorer_died_before_it_read_its_command_starts_nothing() -> None:
    """The command is in the lifeline before the keeper runs; an explorer killed in between used to get its server
    started all the same (and killed at once: the keeper then ended as its command did, by SIGKILL)."""
    ours, theirs = socket.socketpair()
    command = {"argv": [sys.executable, "-c", "import time; time.sleep(30)"], "fds": []}
    ours.sendall(json.dumps(command).encode() + b"\n")
    ours.close()  # the explorer is gone
    with theirs:
        keeper = subprocess.run(
            [sys.executable, "-I", "-S", KEEPER, str(theirs.fileno())],
            pass_fds=(theirs.fileno(),),
            capture_output=True,
            timeout=10,
            check=False,
        )
    assert keeper.returncode == 0, keeper.stderr


async def test_a_start_cancelled_while_asyncio_connects_the_keepers_pipes_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cancelled there, asyncio SIGKILLs the process it has just started (the keeper), which may have started its
    command already: on a slow explorer (valgrind) it has. The command was left running under init (for ever: a
    server), and the cancellation itself waited for it to end, asyncio waiting for the pipe the command holds."""
    from asyncio import base_subprocess

    connect = base_subprocess.BaseSubprocessTransport._connect_pipes
    started = tmp_path / "started"

    go_on = asyncio.Event()

    async def slow_connect(self: Any, waiter: Any) -> None:
        await go_on.wait()  # until the start is cancelled, with the command started meanwhile
        await connect(self, waiter)

    monkeypatch.setattr(base_subprocess.BaseSubprocessTransport, "_connect_pipes", slow_connect)
    command = f"import os, time; open({str(started)!r}, 'w').write(str(os.getpid())); time.sleep(30)"
    spawning = asyncio.create_task(spawn_kept([sys.executable, "-c", command]))
    await until(started.exists, timeout=10)
    await until(lambda: started.read_text().isdigit(), timeout=5)
    spawning.cancel()
    go_on.set()
    ended, _ = await asyncio.wait({spawning}, timeout=5)  # asyncio waits for the pipes: the command holds stdout
    left = wait_gone([int(started.read_text())], timeout=5)
    for orphan in left:
        os.kill(orphan, signal.SIGKILL)
    await asyncio.gather(spawning, return_exceptions=True)
    assert ended and left == []


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:  # gone between listing and reading
        return []


async def test_concurrent_restarts_leave_one_process() -> None:
    def fastapi_pids() -> set[int]:  # only our own descendants: other suites on the machine run the same app
        mine = psutil.Process().children(recursive=True)
        return {p.pid for p in mine if "demos.fastapi_app:app" in " ".join(_cmdline(p))}

    async with Supervisor([demo_spec("fastapi")]) as supervisor:
        server = supervisor["fastapi"]
        first = server.status.pid
        others = fastapi_pids() - {first}
        await asyncio.gather(server.restart(), server.restart())
        assert fastapi_pids() - others == {server.status.pid} and server.status.pid != first


async def test_a_cancelled_start_stops_the_process() -> None:
    server = ManagedServer(ServerSpec("fastapi", "uvicorn", "slow_app:app", app_dir=APPS), ready_timeout=20)
    starting = asyncio.create_task(server.start())
    await until(lambda: server.status.pid is not None)
    pid = server.status.pid
    starting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await starting
    assert server.status.state is ServerState.STOPPED
    assert pid is not None and wait_gone([pid], 5) == []
    server.ready_timeout = 1.0
    again = await server.start()  # really starts again (not "already starting"), then gives up
    assert again.state is ServerState.CRASHED and "not ready" in again.message
    await server.stop()


_STAND_IN_UVLOOP = '''"""A module named uvloop, as installed on another machine: a loop whose class says where it came from."""
import asyncio


class Loop(asyncio.SelectorEventLoop):
    pass


def new_event_loop():
    return Loop()
'''
_LOOP_APP = """import asyncio
import sys

from fastapi import FastAPI

app = FastAPI()


@app.get("/loop")
async def loop():
    parsers = sorted(m.rsplit(".", 1)[1] for m in sys.modules if m.startswith("uvicorn.protocols.http.") and "_impl" in m)
    return {"loop": type(asyncio.get_running_loop()).__module__, "parsers": parsers}
"""


@pytest.mark.parametrize("kind", ["uvicorn", "gunicorn-uvicorn"])
async def test_fastapi_runs_on_asyncio_and_httptools_where_uvloop_is_installed(tmp_path: Path, kind: str) -> None:
    """The spec says asyncio and httptools (the lab's gunicorn pair, every label): gunicorn's uvicorn worker chose
    "auto", which takes uvloop whenever it is importable, so the FastAPI measured changed with the machine. A module
    named uvloop on the app's path stands for an installed one; neither uvicorn start may take it."""
    (tmp_path / "uvloop").mkdir()
    (tmp_path / "uvloop" / "__init__.py").write_text(_STAND_IN_UVLOOP)
    (tmp_path / "loop_app.py").write_text(_LOOP_APP)
    server = ManagedServer(ServerSpec("fastapi", kind, "loop_app:app", app_dir=tmp_path))
    try:
        status = await server.start()
        assert status.state is ServerState.READY, status.message
        async with httpx.AsyncClient() as client:
            answer = (await client.get(f"{status.base_url}/loop")).json()
    finally:
        await server.stop()
    assert answer == {"loop": "asyncio.unix_events", "parsers": ["httptools_impl"]}
    assert (server.spec.loop, server.spec.parser) == ("asyncio", "httptools (C)")
