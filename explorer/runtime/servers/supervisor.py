"""The supervisor: each web app in its own subprocess on 127.0.0.1, watched, drained and always stopped.

A server is started from the event loop's thread under a keeper (:mod:`explorer.runtime.servers.kept`), in a
session of its own, on a socket this process binds to 127.0.0.1 and hands down. The keeper ends the
server and every process it started (workers, the app's own children, daemons that left the session)
when the server exits, when it is stopped, and when the explorer dies, SIGKILL included.
Its output is read continuously into a bounded :class:`LogBuffer`. Readiness is the first HTTP
answer to a probe; after that a probe every half second tells a hung server from a live one.

Every keeper is remembered until it exits, and :func:`kill_all_now` (registered with :mod:`atexit`,
and called by the app's signal handlers) asks them all to end their servers at once when there is
no event loop left to do it properly. What to run and the state it is in are plain data in
:mod:`explorer.runtime.servers.specs`.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from explorer.runtime.errors import ServerError
from explorer.runtime.servers.launch import (
    ENV_KEEP,
    PROBE_PATH,
    bind_loopback,
    child_argv,
    env_summary,
    probe,
    secret_values,
    server_env,
)
from explorer.runtime.servers.logbuffer import LogBuffer
from explorer.runtime.servers.specs import CHECK_TIMEOUT, SETUP_TIMEOUT, ServerState, ServerStatus

if TYPE_CHECKING:  # the keeper and the checks before a start load with the first start, after the app's first frame
    from explorer.runtime.servers.kept import Kept
    from explorer.runtime.servers.specs import ServerSpec, StatusListener

PROBE_MISSES = 2  # probes missed in a row before a live server is called "not answering"
_ENV_KEEP = ENV_KEEP  # the shell variables every server gets (tests read them here)


def kill_all_now() -> None:
    """Synchronously have every server still alive killed, with all it started: the last resort."""
    if (kept := sys.modules.get("explorer.runtime.servers.kept")) is not None:  # else no keeper was ever started
        kept.kill_all_kept()


atexit.register(kill_all_now)


class ManagedServer:
    """One server process and everything the explorer knows about it."""

    def __init__(
        self,
        spec: ServerSpec,
        *,
        ready_timeout: float = 30.0,
        probe_interval: float = 0.5,
        probe_timeout: float = 1.0,
        setup_timeout: float = SETUP_TIMEOUT,
        check_timeout: float = CHECK_TIMEOUT,
        log: LogBuffer | None = None,
    ) -> None:
        self.spec = spec
        self.ready_timeout = ready_timeout
        self.setup_timeout = setup_timeout
        self.check_timeout = check_timeout  # how long another interpreter may take to answer its check
        self.setup_done = False  # the set-up command runs before the first start that gets past it
        self.probe_interval = probe_interval
        self.probe_timeout = probe_timeout  # interval + timeout bound how long a hang goes unnoticed
        self.log = log or LogBuffer(ignore=(PROBE_PATH,))
        self.log.hide(secret_values(spec))  # its set-up's output and its own lines, as every other output hides them
        self.monitoring = True
        self._status = ServerStatus(spec.framework)
        self._listeners: list[StatusListener] = []
        self._kept: Kept | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._exited: asyncio.Future[int] | None = None
        self._lock = asyncio.Lock()

    @property
    def status(self) -> ServerStatus:
        return self._status

    @property
    def framework(self) -> str:
        return self.spec.framework

    def subscribe(self, listener: StatusListener) -> Callable[[], None]:
        """Call ``listener`` on the event loop with every new status; returns the function that unsubscribes it (a
        screen that goes away calls it: else the server holds the listener, and all it refers to, for ever)."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _set(self, **changes: Any) -> None:
        self._status = replace(self._status, **changes)
        for listener in list(self._listeners):
            listener(self._status)

    async def start(self) -> ServerStatus:
        """Spawn the server and wait until it answers, crashes, or runs out of time."""
        async with self._lock:
            if self._status.state.running:
                return self._status
            return await self._start()

    async def _start(self) -> ServerStatus:
        from explorer.runtime.servers.kept import pause_point, spawn_kept
        from explorer.runtime.servers.prestart import PrestartError

        if self._kept is not None and self._kept.returncode is None:
            await self._stop_locked()  # never two processes for one server
        self._set(state=ServerState.STARTING, pid=None, returncode=None, message="", detail="", spawn_to_ready_ms=None)
        try:
            await self._prepare()
        except PrestartError as exc:
            first, _, more = str(exc).partition("\n")
            self._set(
                state=ServerState.CRASHED,
                message=first.removesuffix("; its last lines:"),
                detail=more,
                log_tail=tuple(self.log.tail(20)),
            )
            return self._status
        sock = bind_loopback(self._status.port)
        port = sock.getsockname()[1]
        spec = self.spec
        argv = child_argv(
            spec,
            "explorer.runtime.child.serve",
            spec.kind,
            spec.target,
            "--fd",
            str(sock.fileno()),
            "--workers",
            str(spec.workers),
            "--threads",
            str(spec.threads),
            "--framework",
            spec.framework,
        )
        self.log.write(f"starting {self.spec.target} under {self.spec.label} on 127.0.0.1:{port}")
        self._set(port=port)
        try:
            kept = await spawn_kept(
                argv,
                pass_fds=(sock.fileno(),),
                env=server_env(self.spec),
                cwd=str(self.spec.app_dir) if self.spec.app_dir else None,
                note=True,
            )
        except OSError as exc:
            self._set(state=ServerState.CRASHED, message=f"could not start: {exc}")
            return self._status
        finally:
            sock.close()  # the child holds it now; keeping ours would queue connections after a crash
        spawned = time.perf_counter()  # the server itself has just been started (not its keeper)
        proc = kept.proc
        self._kept = kept
        self._exited = asyncio.get_running_loop().create_future()
        self._set(pid=kept.pid)
        drain = asyncio.create_task(self._drain(proc))
        self._tasks = [drain, asyncio.create_task(self._reap(kept, drain))]
        try:
            await pause_point("started")
            await self._wait_ready(proc, port, spawned)
            if self._status.state is ServerState.READY:
                await pause_point("ready")
        except asyncio.CancelledError:
            # Whoever waited gave up (a restart, a quit): end the process so STARTING never lingers.
            await self._stop_locked()
            raise
        return self._status

    async def _prepare(self) -> None:
        """Check another interpreter, write the environment's names to the log, run the set-up once."""
        from explorer.runtime.servers.prestart import check_interpreter, run_setup

        await check_interpreter(self.spec, self.check_timeout)
        if self.spec.python:
            self.log.write(f"interpreter: {self.spec.python}")
        for note in self.spec.notes:
            self.log.write(note)
        if self.spec.app_dir is not None or self.spec.env:  # a user's app (the demos' logs stay as they were)
            self.log.write(env_summary(self.spec))
        if self.spec.setup and not self.setup_done:
            await run_setup(self.spec, self.log, self.spec.setup_timeout or self.setup_timeout)
            self.setup_done = True

    async def _wait_ready(self, proc: asyncio.subprocess.Process, port: int, spawned: float) -> None:
        assert self._exited is not None
        allowed = self.spec.ready_timeout or self.ready_timeout
        deadline = spawned + allowed
        while not self._exited.done():
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                self.log.write(f"no answer within {allowed:g} s; stopping it")
                self._set(state=ServerState.CRASHED, message=f"not ready after {allowed:g} s (--ready-timeout)")
                assert self._kept is not None
                await self._terminate(self._kept)
                self._set(log_tail=tuple(self.log.tail(20)))
                return
            attempt = asyncio.create_task(probe(port, min(1.0, remaining)))
            waiting: set[asyncio.Future[Any]] = {attempt, self._exited}
            await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
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

    async def _reap(self, kept: Kept, drain: asyncio.Task[None]) -> None:
        """Report an exit nobody asked for as a crash, with the last lines the server printed.

        The keeper exits last, after whatever the server left running (workers of a dead gunicorn
        master, the app's own children) is gone.
        """
        code = await kept.wait()
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
        """Probe the live server: failed probes mean it is alive but not answering (hung or busy).

        Two misses in a row, not one: on a loaded machine (a build, a test run, the lab next door) a
        single probe can miss its second while the server is fine, and "not answering" then was a lie.
        """
        missed = 0
        while proc.returncode is None:
            await asyncio.sleep(self.probe_interval)
            if not self.monitoring or proc.returncode is not None:
                missed = 0
                continue
            answered = await probe(port, self.probe_timeout)
            if proc.returncode is not None or self._status.state is ServerState.STOPPING:
                return
            missed = 0 if answered else missed + 1
            if answered and self._status.state is ServerState.UNRESPONSIVE:
                self.log.write("answering again")
                self._set(state=ServerState.READY, message="")
            elif missed >= PROBE_MISSES and self._status.state is ServerState.READY:
                self.log.write(f"did not answer {PROBE_MISSES} probes in a row ({self.probe_timeout:.1f} s each)")
                self._set(state=ServerState.UNRESPONSIVE, message="alive but not answering")

    @property
    def exited(self) -> asyncio.Future[int] | None:
        """The current process's exit code, once it is reaped (a crash reported first); a new one at each start."""
        return self._exited

    async def wait_exit(self, timeout: float, exited: asyncio.Future[int] | None = None) -> int | None:
        """The exit code if the process (``exited``: the one of an earlier start) ends within ``timeout`` s, else None."""
        exited = exited or self._exited
        if exited is None:
            return None
        try:
            return await asyncio.wait_for(asyncio.shield(exited), timeout)
        except TimeoutError:
            return None

    def ending(self) -> bool:
        """Whether the process is on its way out though not reaped yet: a stop under way, or its command already
        dead (a zombie, or gone) while the keeper sweeps what it left and the log takes its last lines."""
        pid = self._status.pid
        return self._status.state is ServerState.STOPPING or (pid is not None and not _running(pid))

    async def stop(self, grace: float = 3.0, fresh: bool = False) -> ServerStatus:
        """SIGTERM the group, wait up to ``grace`` seconds, then SIGKILL; always ends STOPPED.

        ``fresh``: the next start is a fresh one, its set-up run again (a restart with work in between).
        """
        async with self._lock:
            if fresh:
                self.setup_done = False
            return await self._stop_locked(grace)

    async def _stop_locked(self, grace: float = 3.0) -> ServerStatus:
        kept = self._kept
        if kept is not None and kept.returncode is None:
            self._set(state=ServerState.STOPPING)
            await self._terminate(kept, grace)
        current = asyncio.current_task()
        tasks = [task for task in self._tasks if task is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks = []
        if self._status.state is not ServerState.CRASHED or kept is None:
            self._set(state=ServerState.STOPPED, returncode=kept.returncode if kept else None)
        if self._exited is not None and not self._exited.done() and kept is not None and kept.returncode is not None:
            self._exited.set_result(kept.returncode)  # its reaper was cancelled above: a waiter learns of the exit
        return self._status

    async def _terminate(self, kept: Kept, grace: float = 3.0) -> None:
        """SIGTERM (and SIGCONT, for a stopped server), SIGKILL after ``grace``; the keeper sweeps."""
        await kept.stop(grace, lambda: self.log.write(f"still running {grace:.0f} s after SIGTERM; sending SIGKILL"))

    async def restart(self) -> ServerStatus:
        """Stop (if needed) and start again, on the same port when it is still free; one at a time."""
        async with self._lock:
            await self._stop_locked()
            self.setup_done = False  # a restart is a fresh start: the set-up runs again, as on `--reset`
            return await self._start()


def _running(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie does not: it only waits for its parent, here the keeper, to reap it)."""
    try:
        os.kill(pid, 0)
        with open(f"/proc/{pid}/stat", "rb") as stat:  # Linux: the state follows the name in parentheses
            return stat.read().rsplit(b")", 1)[-1].split()[:1] not in ([b"Z"], [b"X"])
    except ProcessLookupError:
        return False
    except OSError:  # not ours to signal, or no /proc (macOS): alive as far as can be seen
        return True


def _exit_text(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    if code == 3:
        return "exit code 3: the app failed to import or boot"
    if code == 4:
        return "exit code 4: the target is not an app the server can run"
    return f"exit code {code}"


class Supervisor:
    """Both servers, started in parallel and stopped together; usable as an async context manager."""

    def __init__(self, specs: list[ServerSpec], **server_options: Any) -> None:
        if not specs:
            raise ServerError("nothing to run")
        self.servers: dict[str, ManagedServer] = {s.framework: ManagedServer(s, **server_options) for s in specs}

    def __getitem__(self, framework: str) -> ManagedServer:
        return self.servers[framework]

    def __iter__(self) -> Iterator[ManagedServer]:
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
