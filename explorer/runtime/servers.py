"""The supervisor: each web app in its own subprocess on 127.0.0.1, watched, drained and always stopped.

A server is started from the event loop's thread (so a parent-death signal set in the child
stays tied to a thread that lives as long as the explorer), in a session of its own (so one
``killpg`` ends it and any workers), on a socket this process binds to 127.0.0.1 and hands down.
Its output is read continuously into a bounded :class:`LogBuffer`. Readiness is the first HTTP
answer to a probe; after that a probe every half second tells a hung server from a live one.

Every process group started here is remembered until it is reaped, and :func:`kill_all_now`
(registered with :mod:`atexit`, and called by the app's signal handlers) ends them synchronously
when there is no event loop left to do it properly. What to run and the state it is in are plain
data in :mod:`explorer.runtime.specs`.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from explorer.runtime.errors import ServerError
from explorer.runtime.logbuffer import LogBuffer
from explorer.runtime.procs import kill_group
from explorer.runtime.specs import ServerSpec, ServerState, ServerStatus, StatusListener

PROBE_PATH = "/.well-known/explorer-probe"
_ENV_KEEP = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ", "SYSTEMROOT", "VIRTUAL_ENV")
_LIVE_GROUPS: set[int] = set()


def kill_all_now() -> None:
    """Synchronously SIGKILL every server group still alive: the last resort on any exit path."""
    for pgid in list(_LIVE_GROUPS):
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        _LIVE_GROUPS.discard(pgid)


atexit.register(kill_all_now)


def _project_paths() -> list[str]:
    """Folders that hold the ``explorer`` and ``demos`` packages, whether installed or checked out."""
    import demos

    here = {str(Path(__file__).resolve().parents[2]), str(Path(demos.__file__).resolve().parent.parent)}
    return sorted(here)


def server_env(spec: ServerSpec) -> dict[str, str]:
    """Only what a server needs: no proxies, no secrets, no debug switches from the user's shell."""
    env = {key: os.environ[key] for key in _ENV_KEEP if key in os.environ}
    paths = ([str(spec.app_dir.resolve())] if spec.app_dir else []) + _project_paths()
    paths += [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]  # the user's, after ours
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def bind_loopback(preferred: int | None = None) -> socket.socket:
    """A listening TCP socket on 127.0.0.1: the preferred port if free, else one the kernel picks."""
    for port in ([preferred] if preferred else []) + [0]:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            sock.close()
            continue
        sock.listen(1024)
        return sock
    raise ServerError("could not bind any port on 127.0.0.1")


async def probe(port: int, timeout: float) -> bool:
    """True when an HTTP server on ``port`` answers a request with a status line within ``timeout``."""
    writer = None
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(f"GET {PROBE_PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
            await writer.drain()
            line = await reader.readline()
            return line.startswith(b"HTTP/")
    except (OSError, TimeoutError, asyncio.IncompleteReadError):
        return False
    finally:
        if writer is not None:
            writer.close()


class ManagedServer:
    """One server process and everything the explorer knows about it."""

    def __init__(
        self,
        spec: ServerSpec,
        *,
        ready_timeout: float = 30.0,
        probe_interval: float = 0.5,
        probe_timeout: float = 1.0,
        log: LogBuffer | None = None,
    ) -> None:
        self.spec = spec
        self.ready_timeout = ready_timeout
        self.probe_interval = probe_interval
        self.probe_timeout = probe_timeout  # interval + timeout bound how long a hang goes unnoticed
        self.log = log or LogBuffer(ignore=(PROBE_PATH,))
        self.monitoring = True
        self._status = ServerStatus(spec.framework)
        self._listeners: list[StatusListener] = []
        self._proc: asyncio.subprocess.Process | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._exited: asyncio.Future[int] | None = None
        self._lock = asyncio.Lock()

    @property
    def status(self) -> ServerStatus:
        return self._status

    @property
    def framework(self) -> str:
        return self.spec.framework

    def subscribe(self, listener: StatusListener) -> None:
        """Call ``listener`` on the event loop with every new status."""
        self._listeners.append(listener)

    def _set(self, **changes: object) -> None:
        self._status = replace(self._status, **changes)  # type: ignore[arg-type]
        for listener in list(self._listeners):
            listener(self._status)

    async def start(self) -> ServerStatus:
        """Spawn the server and wait until it answers, crashes, or runs out of time."""
        async with self._lock:
            if self._status.state.running:
                return self._status
            return await self._start()

    async def _start(self) -> ServerStatus:
        if self._proc is not None and self._proc.returncode is None:
            await self._stop_locked()  # never two processes for one server
        sock = bind_loopback(self._status.port)
        port = sock.getsockname()[1]
        argv = [
            sys.executable, "-m", "explorer.runtime._serve", self.spec.kind, self.spec.target,
            "--fd", str(sock.fileno()), "--parent", str(os.getpid()),
            "--workers", str(self.spec.workers), "--threads", str(self.spec.threads),
        ]  # fmt: skip
        self.log.write(f"starting {self.spec.target} under {self.spec.label} on 127.0.0.1:{port}")
        self._set(state=ServerState.STARTING, port=port, pid=None, returncode=None, message="", spawn_to_ready_ms=None)
        spawned = time.perf_counter()
        try:
            proc = await asyncio.create_subprocess_exec(
                *argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                pass_fds=(sock.fileno(),),
                start_new_session=True,
                env=server_env(self.spec),
                cwd=str(self.spec.app_dir) if self.spec.app_dir else None,
            )
        except OSError as exc:
            self._set(state=ServerState.CRASHED, message=f"could not start: {exc}")
            return self._status
        finally:
            sock.close()  # the child holds it now; keeping ours would queue connections after a crash
        _LIVE_GROUPS.add(proc.pid)
        self._proc = proc
        self._exited = asyncio.get_running_loop().create_future()
        self._set(pid=proc.pid)
        drain = asyncio.create_task(self._drain(proc))
        self._tasks = [drain, asyncio.create_task(self._reap(proc, drain))]
        try:
            await self._wait_ready(proc, port, spawned)
        except asyncio.CancelledError:
            # Whoever waited gave up (a restart, a quit): end the process so STARTING never lingers.
            await self._stop_locked()
            raise
        return self._status

    async def _wait_ready(self, proc: asyncio.subprocess.Process, port: int, spawned: float) -> None:
        assert self._exited is not None
        deadline = spawned + self.ready_timeout
        while not self._exited.done():
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                self.log.write(f"no answer within {self.ready_timeout:.0f} s; stopping it")
                self._set(state=ServerState.CRASHED, message=f"not ready after {self.ready_timeout:.0f} s")
                await self._terminate(proc)
                self._set(log_tail=tuple(self.log.tail(20)))
                return
            attempt = asyncio.create_task(probe(port, min(1.0, remaining)))
            await asyncio.wait({attempt, self._exited}, return_when=asyncio.FIRST_COMPLETED)
            if attempt.done() and attempt.result() and not self._exited.done():
                ms = (time.perf_counter() - spawned) * 1000
                self.log.write(f"ready after {ms:.0f} ms")
                self._set(state=ServerState.READY, spawn_to_ready_ms=ms)
                self._tasks.append(asyncio.create_task(self._monitor(proc, port)))
                return
            attempt.cancel()

    async def _drain(self, proc: asyncio.subprocess.Process) -> None:
        """Read every byte the server prints, so its pipe never fills."""
        assert proc.stdout is not None
        while chunk := await proc.stdout.read(65536):
            self.log.feed(chunk)
        self.log.flush()

    async def _reap(self, proc: asyncio.subprocess.Process, drain: asyncio.Task[None]) -> None:
        """Report an exit nobody asked for as a crash, with the last lines the server printed."""
        code = await proc.wait()
        kill_group(proc.pid, signal.SIGKILL)  # workers a dead master left behind
        _LIVE_GROUPS.discard(proc.pid)
        try:  # the pipe reaches EOF once the process is gone: the traceback is then all in the log
            await asyncio.wait_for(asyncio.shield(drain), 1.0)
        except TimeoutError:
            pass
        if self._status.state not in (ServerState.STOPPING, ServerState.CRASHED):
            tail = tuple(self.log.tail(20))
            self.log.write(f"exited with code {code}")
            self._set(state=ServerState.CRASHED, returncode=code, message=_exit_text(code), log_tail=tail)
        if self._exited is not None and not self._exited.done():
            self._exited.set_result(code)  # last: whoever waits for the exit sees the crash already

    async def _monitor(self, proc: asyncio.subprocess.Process, port: int) -> None:
        """Probe the live server: a failed probe means it is alive but not answering (hung or busy)."""
        while proc.returncode is None:
            await asyncio.sleep(self.probe_interval)
            if not self.monitoring or proc.returncode is not None:
                continue
            answered = await probe(port, self.probe_timeout)
            if proc.returncode is not None or self._status.state is ServerState.STOPPING:
                return
            if answered and self._status.state is ServerState.UNRESPONSIVE:
                self.log.write("answering again")
                self._set(state=ServerState.READY, message="")
            elif not answered and self._status.state is ServerState.READY:
                self.log.write(f"did not answer a probe within {self.probe_timeout:.1f} s")
                self._set(state=ServerState.UNRESPONSIVE, message="alive but not answering")

    async def wait_exit(self, timeout: float) -> int | None:
        """The exit code if the process ends within ``timeout`` seconds, else None."""
        if self._exited is None:
            return None
        try:
            return await asyncio.wait_for(asyncio.shield(self._exited), timeout)
        except TimeoutError:
            return None

    async def stop(self, grace: float = 3.0) -> ServerStatus:
        """SIGTERM the group, wait up to ``grace`` seconds, then SIGKILL; always ends STOPPED."""
        async with self._lock:
            return await self._stop_locked(grace)

    async def _stop_locked(self, grace: float = 3.0) -> ServerStatus:
        proc = self._proc
        if proc is not None and proc.returncode is None:
            self._set(state=ServerState.STOPPING)
            await self._terminate(proc, grace)
        current = asyncio.current_task()
        tasks = [task for task in self._tasks if task is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks = []
        if self._status.state is not ServerState.CRASHED or proc is None:
            self._set(state=ServerState.STOPPED, returncode=proc.returncode if proc else None)
        return self._status

    async def _terminate(self, proc: asyncio.subprocess.Process, grace: float = 3.0) -> None:
        kill_group(proc.pid, signal.SIGTERM)
        kill_group(proc.pid, signal.SIGCONT)  # a stopped (SIGSTOP) server cannot act on SIGTERM until resumed
        try:
            await asyncio.wait_for(proc.wait(), grace)
        except TimeoutError:
            self.log.write(f"still running {grace:.0f} s after SIGTERM; sending SIGKILL")
            kill_group(proc.pid, signal.SIGKILL)
            await proc.wait()
        kill_group(proc.pid, signal.SIGKILL)
        _LIVE_GROUPS.discard(proc.pid)

    async def restart(self) -> ServerStatus:
        """Stop (if needed) and start again, on the same port when it is still free; one at a time."""
        async with self._lock:
            await self._stop_locked()
            return await self._start()


def _exit_text(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    if code == 3:
        return "exit code 3: the app failed to import or boot"
    return f"exit code {code}"


class Supervisor:
    """Both servers, started in parallel and stopped together; usable as an async context manager."""

    def __init__(self, specs: list[ServerSpec], **server_options: float) -> None:
        if not specs:
            raise ServerError("nothing to run")
        self.servers: dict[str, ManagedServer] = {s.framework: ManagedServer(s, **server_options) for s in specs}

    def __getitem__(self, framework: str) -> ManagedServer:
        return self.servers[framework]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.servers.values())

    async def start_all(self) -> dict[str, ServerStatus]:
        results = await asyncio.gather(*(server.start() for server in self.servers.values()))
        return {status.framework: status for status in results}

    async def stop_all(self) -> None:
        await asyncio.gather(*(server.stop() for server in self.servers.values()))

    async def __aenter__(self) -> Supervisor:
        try:
            await self.start_all()
        except BaseException:
            await self.stop_all()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop_all()
